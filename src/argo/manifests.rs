//! What `GenerateManifests` (Argo CD v3.5.1, `reposerver/repository/repository.go`) makes of each
//! object a source produced, whatever its type: a list becomes its items, one level deep
//! (`Unstructured.IsList`, `EachListItem`), a null list nothing (`isNullList`), anything else
//! itself.

use crate::yaml::Node;

/// `Unstructured.IsList`: the object has an `items` array, whatever its kind.
pub fn is_list(object: &Node) -> bool {
    object.get("items").and_then(Node::as_seq).is_some()
}

/// `isNullList`: `items` is there and null, and neither `spec` nor `status` is.
pub fn is_null_list(object: &Node) -> bool {
    object.entry("spec").is_none()
        && object.entry("status").is_none()
        && object.get("items").is_some_and(Node::is_null)
}

/// The objects `GenerateManifests` keeps of `object`: the items of a list (not expanded again;
/// an item that is not a mapping fails the render in Go, and the inventory reports it), nothing
/// for a null list, else the object.
pub fn targets(object: &Node) -> Vec<&Node> {
    if is_list(object) {
        object
            .get("items")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .collect()
    } else if is_null_list(object) {
        Vec::new()
    } else {
        vec![object]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(text).unwrap().remove(0).root
    }

    /// `IsList`: any object with an `items` array, not only `*List` kinds; `EachListItem` does
    /// not expand a list inside a list.
    #[test]
    fn is_list_is_an_items_array_of_any_kind() {
        let list = node(
            "kind: Anything\nitems:\n- kind: ConfigMap\n- kind: List\n  items: [{kind: Secret}]\n",
        );
        assert!(is_list(&list));
        let kinds: Vec<String> = targets(&list)
            .iter()
            .map(|n| n.get("kind").unwrap().text())
            .collect();
        assert_eq!(kinds, ["ConfigMap", "List"]);
        assert!(!is_list(&node("kind: ConfigMapList\nitems: {a: 1}\n")));
        assert!(targets(&node("kind: List\nitems: []\n")).is_empty());
    }

    /// `isNullList`: `items: null` without `spec` or `status` is no object at all.
    #[test]
    fn is_null_list_needs_null_items_and_no_spec_or_status() {
        assert!(is_null_list(&node(
            "apiVersion: v1\nkind: ConfigMapList\nitems: null\n"
        )));
        assert!(is_null_list(&node("kind: X\nitems:\n")));
        assert!(targets(&node("kind: ConfigMapList\nitems: ~\n")).is_empty());
        assert!(!is_null_list(&node("kind: X\nitems: null\nspec: null\n")));
        assert!(!is_null_list(&node("kind: X\nitems: null\nstatus: {}\n")));
        assert!(!is_null_list(&node("kind: X\n")));
        assert_eq!(targets(&node("kind: X\nitems: null\nspec: {}\n")).len(), 1);
    }
}

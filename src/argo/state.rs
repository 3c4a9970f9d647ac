//! What Argo CD v3.5.1 does with an Application's rendered objects before it diffs and syncs them:
//! `controller/state.go` `NormalizeTargetObjects`, called by `CompareAppState` on the objects of
//! every source together (in source order), before hooks are separated
//! ([`crate::argo::hooks::classify`]); and the key `controller/hook.go` `executeHooks` gives the
//! PreDelete/PostDelete hooks it creates when the Application is deleted.

use std::collections::HashMap;
use std::hash::Hash;

/// gitops-engine `kube.ResourceKey`: group, kind, namespace, name (no version).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceKey {
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// `NormalizeTargetObjects`, namespace branches (`kube.IsNamespacedOrUnknown`): a cluster-scoped
/// object loses its namespace, a namespaced or unknown one without a namespace gets the
/// destination's, any other keeps its own.
pub fn normalized_namespace(
    namespaced_or_unknown: bool,
    namespace: &str,
    destination: &str,
) -> String {
    if !namespaced_or_unknown {
        String::new()
    } else if namespace.is_empty() {
        destination.to_string()
    } else {
        namespace.to_string()
    }
}

/// `NormalizeTargetObjects`, key branches: `kube.GetResourceKey` of the normalised object, except
/// that an object with only `generateName` is named `<generateName><index>` (its index among the
/// Application's objects), so it never collides with another `generateName` object. An object with
/// neither keeps the empty name.
pub fn target_key(
    group: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    generate_name: &str,
    index: usize,
) -> ResourceKey {
    let name = if name.is_empty() && !generate_name.is_empty() {
        format!("{generate_name}{index}")
    } else {
        name.to_string()
    };
    ResourceKey {
        group: group.to_string(),
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name,
    }
}

/// `NormalizeTargetObjects`, deduplication: the positions of the objects of each key, in order.
/// Argo CD keeps only the last of each; a key with more than one raises
/// `RepeatedResourceWarning` ("Resource … appeared N times among application resources.").
/// Go iterates a map, so its result order is random; here keys come in order of first appearance.
/// `executeHooks` keeps the last hook of each key the same way (a map filled in order).
pub fn group_by_key<K: Hash + Eq>(keys: impl IntoIterator<Item = K>) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_key: HashMap<K, usize> = HashMap::new();
    for (i, key) in keys.into_iter().enumerate() {
        let group = *by_key.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(i);
    }
    groups
}

/// `controller/hook.go` `executeHooks`: a deletion hook's key is that of the object as rendered,
/// not normalised: an empty namespace becomes the destination's even for a cluster-scoped kind,
/// and a `generateName`-only object has the empty name.
pub fn deletion_hook_key(
    group: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    destination: &str,
) -> ResourceKey {
    ResourceKey {
        group: group.to_string(),
        kind: kind.to_string(),
        namespace: if namespace.is_empty() {
            destination
        } else {
            namespace
        }
        .to_string(),
        name: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // controller/state.go NormalizeTargetObjects: the three namespace branches.
    #[test]
    fn normalize_target_objects_namespaces() {
        assert_eq!(normalized_namespace(false, "stray", "dest"), "");
        assert_eq!(normalized_namespace(false, "", "dest"), "");
        assert_eq!(normalized_namespace(true, "", "dest"), "dest");
        assert_eq!(normalized_namespace(true, "own", "dest"), "own");
    }

    // controller/state.go NormalizeTargetObjects: generateName-only objects get a unique key.
    #[test]
    fn normalize_target_objects_keys() {
        let key = |name, generate, i| target_key("batch", "Job", "ns", name, generate, i);
        assert_eq!(key("", "migrate-", 3).name, "migrate-3");
        assert_eq!(key("job", "migrate-", 3).name, "job", "a name wins");
        assert_eq!(key("", "", 3).name, "", "neither: the empty name");
        assert_ne!(key("", "migrate-", 1), key("", "migrate-", 2));
        assert_eq!(
            key("migrate-3", "", 0),
            key("", "migrate-", 3),
            "Go's generated key can meet a real name"
        );
    }

    // controller/state.go NormalizeTargetObjects: every object of a key, the last one kept.
    #[test]
    fn normalize_target_objects_groups_keep_order() {
        assert_eq!(
            group_by_key(["a", "b", "a", "c", "a"]),
            vec![vec![0, 2, 4], vec![1], vec![3]]
        );
        assert!(group_by_key(Vec::<&str>::new()).is_empty());
    }

    // controller/hook.go executeHooks: the destination fills any empty namespace.
    #[test]
    fn execute_hooks_keys_are_not_normalised() {
        let cluster = deletion_hook_key("rbac.authorization.k8s.io", "ClusterRole", "", "r", "d");
        assert_eq!(cluster.namespace, "d");
        assert_eq!(
            deletion_hook_key("", "Pod", "own", "p", "d").namespace,
            "own"
        );
        assert_eq!(deletion_hook_key("batch", "Job", "", "", "d").name, "");
    }
}

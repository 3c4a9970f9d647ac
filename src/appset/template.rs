//! Rendering an ApplicationSet template with one parameter set (`applicationset/utils/utils.go`):
//! every string field and map key on its own, in goTemplate or fasttemplate mode. Rendered nodes keep
//! the template's positions, so findings about a generated Application point into the ApplicationSet.

use gotemplate::Options;
use serde_json::Value;

use super::params::Params;
use crate::yaml::{self, Node};

#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    pub go_template: bool,
    pub options: Options,
}

/// A template that cannot be evaluated, and the node whose text it is.
#[derive(Debug, Clone)]
pub struct TemplateFailure {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

/// `Render.Replace`: one string rendered with one parameter set.
pub fn replace(text: &str, params: &Params, mode: Mode) -> Result<String, String> {
    if mode.go_template {
        let template = gotemplate::parse(text).map_err(|e| e.to_string())?;
        template
            .execute(&Value::Object(params.clone()), mode.options)
            .map_err(|e| e.to_string())
    } else {
        fasttemplate(text, params)
    }
}

/// `valyala/fasttemplate` with `{{`/`}}` as Argo CD uses it: a tag whose trimmed name is a string
/// parameter is replaced; any other tag is written back unchanged.
pub fn fasttemplate(text: &str, params: &Params) -> Result<String, String> {
    // Argo CD leaves a string alone unless a `{{…}}` pair appears on one line.
    if !text.lines().any(|line| {
        line.find("{{")
            .is_some_and(|start| line[start + 2..].contains("}}"))
    }) {
        return Ok(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| {
            format!("cannot find end tag \"}}}}\" in the template {text:?} starting from {after:?}")
        })?;
        let tag = &after[..end];
        match params.get(tag.trim()).and_then(Value::as_str) {
            Some(value) if !tag.trim().is_empty() => out.push_str(value),
            _ => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders every scalar (values and keys) that contains a template action.
pub fn render_node(node: &Node, params: &Params, mode: Mode) -> Result<Node, TemplateFailure> {
    let value = match &node.value {
        yaml::Value::Scalar { text, quoted, .. } => {
            if !text.contains("{{") {
                return Ok(node.clone());
            }
            let rendered = replace(text, params, mode).map_err(|message| TemplateFailure {
                message,
                line: node.line,
                col: node.col,
            })?;
            // Argo renders string fields only; the result stays a string.
            let _ = quoted;
            yaml::Value::Scalar {
                text: rendered,
                quoted: true,
                tag: None,
            }
        }
        yaml::Value::Seq(items) => yaml::Value::Seq(
            items
                .iter()
                .map(|item| render_node(item, params, mode))
                .collect::<Result<_, _>>()?,
        ),
        yaml::Value::Map(entries) => yaml::Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((render_node(k, params, mode)?, render_node(v, params, mode)?)))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Node {
        value,
        ..node.clone()
    })
}

/// `mergo.Merge(generatorTemplate, applicationSetTemplate)`: the generator's own template wins
/// wherever it sets a non-empty value; everything else comes from the ApplicationSet's template.
pub fn merge_templates(generator: &Node, base: &Node) -> Node {
    match (&generator.value, &base.value) {
        (yaml::Value::Map(own), yaml::Value::Map(inherited)) => {
            let mut entries = own.clone();
            for (key, value) in inherited {
                let key_text = key.text();
                match entries.iter_mut().find(|(k, _)| k.text() == key_text) {
                    Some((_, existing)) if is_empty(existing) => *existing = value.clone(),
                    Some((_, existing)) => *existing = merge_templates(existing, value),
                    None => entries.push((key.clone(), value.clone())),
                }
            }
            Node {
                value: yaml::Value::Map(entries),
                ..generator.clone()
            }
        }
        _ if is_empty(generator) => base.clone(),
        _ => generator.clone(),
    }
}

/// Go's zero values, which mergo (without override) fills from the other side: `""`, `false`, `0`
/// (typed as Kubernetes reads the YAML: `no`, `off` and `0x0` are zero values too).
fn is_empty(node: &Node) -> bool {
    match &node.value {
        yaml::Value::Scalar { text, .. } => {
            text.is_empty()
                || matches!(
                    node.typed(),
                    Some(
                        yaml::Scalar::Null
                            | yaml::Scalar::Bool(false)
                            | yaml::Scalar::Int(0)
                            | yaml::Scalar::Uint(0)
                    )
                )
                || matches!(node.typed(), Some(yaml::Scalar::Float(f)) if f == 0.0)
        }
        yaml::Value::Seq(items) => items.is_empty(),
        yaml::Value::Map(entries) => entries.is_empty(),
    }
}

/// A strategic-merge patch onto an Application: mappings merge, `null` deletes, lists are replaced
/// (Application lists have no merge keys) except `metadata.finalizers`, which `ObjectMeta` merges.
pub fn apply_patch(target: &mut Node, patch: &Node, path: &mut Vec<String>) {
    let (yaml::Value::Map(entries), yaml::Value::Map(patch_entries)) =
        (&mut target.value, &patch.value)
    else {
        *target = patch.clone();
        return;
    };
    for (key, value) in patch_entries {
        let key_text = key.text();
        let position = entries.iter().position(|(k, _)| k.text() == key_text);
        match position {
            Some(i) if value.is_null() => {
                entries.remove(i);
            }
            None if value.is_null() => {}
            Some(i) => {
                path.push(key_text.clone());
                let existing = &mut entries[i].1;
                let union = path.as_slice() == ["metadata", "finalizers"];
                match (&mut existing.value, &value.value) {
                    (yaml::Value::Map(_), yaml::Value::Map(_)) => {
                        apply_patch(existing, value, path)
                    }
                    (yaml::Value::Seq(old), yaml::Value::Seq(new)) if union => {
                        for item in new {
                            if !old.iter().any(|o| o.text() == item.text()) {
                                old.push(item.clone());
                            }
                        }
                    }
                    _ => *existing = value.clone(),
                }
                path.pop();
            }
            None => entries.push((key.clone(), value.clone())),
        }
    }
}

/// Sets (or replaces) `key` in a mapping node.
pub fn set_entry(map: &mut Node, key: &str, value: Node) {
    if let yaml::Value::Map(entries) = &mut map.value {
        match entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
            Some((_, existing)) => *existing = value,
            None => entries.push((
                Node {
                    line: value.line,
                    col: value.col,
                    end_line: value.line,
                    ..Node::scalar(key)
                },
                value,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Params {
        v.as_object().unwrap().clone()
    }

    fn node(yaml: &str) -> Node {
        yaml::parse_documents(yaml).unwrap().remove(0).root
    }

    #[test]
    fn fasttemplate_replaces_string_params_and_keeps_unknown_tags() {
        let p = params(json!({"name": "web", "path.basename": "web", "n": 3}));
        assert_eq!(
            fasttemplate("{{name}}-{{ path.basename }}", &p).unwrap(),
            "web-web"
        );
        assert_eq!(
            fasttemplate("{{missing}}/{{ n }}", &p).unwrap(),
            "{{missing}}/{{ n }}"
        );
        assert_eq!(fasttemplate("{{}}", &p).unwrap(), "{{}}");
        assert_eq!(
            fasttemplate("use {{ in docs", &p).unwrap(),
            "use {{ in docs"
        );
    }

    #[test]
    fn render_keeps_positions_and_types() {
        let template = node("metadata:\n  name: '{{.name}}'\nspec:\n  replicas: 3\n");
        let rendered = render_node(
            &template,
            &params(json!({"name": "web"})),
            Mode {
                go_template: true,
                ..Mode::default()
            },
        )
        .unwrap();
        let name = rendered.at(&["metadata", "name"]).unwrap();
        assert_eq!(name.as_str(), Some("web"));
        assert_eq!(name.line, 2);
        assert_eq!(
            rendered
                .at(&["spec", "replicas"])
                .unwrap()
                .to_json()
                .unwrap(),
            json!(3)
        );
    }

    #[test]
    fn generator_template_overrides_the_base() {
        let base =
            node("metadata: {name: base}\nspec: {project: p, destination: {namespace: ns}}\n");
        let own = node("metadata: {name: own}\nspec: {project: ''}\n");
        let merged = merge_templates(&own, &base);
        assert_eq!(
            merged.at(&["metadata", "name"]).unwrap().as_str(),
            Some("own")
        );
        assert_eq!(merged.at(&["spec", "project"]).unwrap().as_str(), Some("p"));
        assert_eq!(
            merged
                .at(&["spec", "destination", "namespace"])
                .unwrap()
                .as_str(),
            Some("ns")
        );
    }

    #[test]
    fn generator_template_zero_values_are_filled_like_mergo() {
        let base = node("spec: {syncPolicy: {automated: {prune: true}}}\n");
        let own = node("spec: {syncPolicy: {automated: {prune: false}}}\n");
        let merged = merge_templates(&own, &base);
        assert_eq!(
            merged
                .at(&["spec", "syncPolicy", "automated", "prune"])
                .unwrap()
                .text(),
            "true"
        );
    }

    #[test]
    fn patch_merges_maps_replaces_lists_and_unions_finalizers() {
        let mut app = node(
            "metadata: {name: a, finalizers: [first]}\nspec:\n  sources: [{repoURL: r1}, {repoURL: r2}]\n  syncPolicy: {automated: {prune: true}}\n",
        );
        let patch = node(
            "metadata: {finalizers: [second]}\nspec:\n  sources: [{repoURL: r3}]\n  syncPolicy: {automated: null}\n",
        );
        apply_patch(&mut app, &patch, &mut Vec::new());
        assert_eq!(
            app.to_json().unwrap(),
            json!({"metadata": {"name": "a", "finalizers": ["first", "second"]},
                   "spec": {"sources": [{"repoURL": "r3"}], "syncPolicy": {}}})
        );
    }
}

//! Parameter sets: what generators produce and templates read. Argo CD passes them through JSON,
//! so every number is a Go `float64`; fasttemplate mode flattens them to strings.

use serde_json::{Map, Number, Value};

use gotemplate::go_format_value;

pub type Params = Map<String, Value>;

/// Every number becomes a float, as after `json.Unmarshal` into `interface{}`.
pub fn as_go_json(value: Value) -> Value {
    match value {
        Value::Number(n) => n
            .as_f64()
            .and_then(Number::from_f64)
            .map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(as_go_json).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, as_go_json(v))).collect())
        }
        other => other,
    }
}

/// `github.com/jeremywohl/flatten` in dot style, with each leaf printed by `fmt.Sprintf("%v")`:
/// what fasttemplate mode and generator `selector`s see.
pub fn flatten(params: &Params) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, value) in params {
        flatten_into(key, value, &mut out);
    }
    out
}

/// What a generator `selector` matches against (`flattenParameters` in
/// `generator_spec_processor.go`). Since `normalizeMapForFlatten` (Argo CD 3.4, #26717) the
/// typed `map[string]string` parameters — goTemplate `values`, a cluster's `metadata.labels` and
/// `annotations` — are flattened like any map (`values.tier`). A pull request's `labels` is a
/// `[]string`, which the flatten library does not descend into: one key printed with `%v`
/// (`[a b]`).
pub fn flatten_for_selector(params: &Params, go_template: bool) -> Vec<(String, String)> {
    if !go_template {
        return flatten(params);
    }
    let mut out = Vec::new();
    for (key, value) in params {
        match (key.as_str(), value) {
            ("labels", Value::Array(_)) => out.push((key.clone(), go_format_value(value))),
            _ => flatten_into(key, value, &mut out),
        }
    }
    out
}

/// `jeremywohl/flatten`: nested maps and lists become dotted keys; empty ones produce no key.
fn flatten_into(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten_into(&format!("{prefix}.{k}"), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten_into(&format!("{prefix}.{i}"), v, out);
            }
        }
        other => out.push((prefix.to_string(), go_format_value(other))),
    }
}

/// `mergo.Merge(dst, src, mergo.WithOverride)` on parameter maps: nested maps merge, anything else
/// from `src` replaces what `dst` has.
pub fn merge_override(dst: &mut Params, src: &Params) {
    for (key, value) in src {
        match (dst.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                merge_override(existing, incoming)
            }
            _ => {
                dst.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Looks a key up directly, then as a dotted path into nested maps.
pub fn lookup<'a>(params: &'a Params, key: &str) -> Option<&'a Value> {
    params.get(key).or_else(|| {
        let mut parts = key.split('.');
        let first = params.get(parts.next()?)?;
        parts.try_fold(first, |v, k| v.get(k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Params {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn flatten_uses_dots_and_go_formatting() {
        let p = params(as_go_json(json!({
            "a": {"b": 1000000, "c": [true, "x"]},
            "phase": 610,
            "empty": {}
        })));
        let flat = flatten(&p);
        assert!(flat.contains(&("a.b".into(), "1e+06".into())));
        assert!(flat.contains(&("a.c.0".into(), "true".into())));
        assert!(flat.contains(&("a.c.1".into(), "x".into())));
        assert!(flat.contains(&("phase".into(), "610".into())));
        assert!(
            !flat.iter().any(|(k, _)| k == "empty"),
            "empty maps produce no key"
        );
        let typed = flatten_for_selector(
            &params(json!({"values": {"env": "dev"}, "labels": ["preview"], "a": {"b": "c"}})),
            true,
        );
        // normalizeMapForFlatten: `values` (a map[string]string) is flattened (#26717).
        assert!(typed.contains(&("values.env".into(), "dev".into())));
        assert!(typed.contains(&("labels".into(), "[preview]".into())));
        assert!(typed.contains(&("a.b".into(), "c".into())));
    }

    #[test]
    fn merge_override_is_deep() {
        let mut dst = params(json!({"a": {"x": 1, "y": 2}, "b": "keep"}));
        merge_override(&mut dst, &params(json!({"a": {"y": 3}, "c": "new"})));
        assert_eq!(
            Value::Object(dst),
            json!({"a": {"x": 1, "y": 3}, "b": "keep", "c": "new"})
        );
    }
}

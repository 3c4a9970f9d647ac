//! Argo CD's additions to the function map (applicationset/utils): normalize, slugify,
//! toYaml, fromYaml, fromYamlArray; and `tpl`, which v3.5.1 does not have (see the README).

use std::collections::BTreeMap;

use super::{Args, Ctx, Res, Spec, Ty, any, byte_slice, f, flat, s, var};
use crate::value::V;
use crate::{YamlParser, yaml};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "normalize" => f(&[Str], |_, a| Ok(V::Str(sanitize_name(s(&a[0]))))),
        "slugify" => var(&[], Any, f_slugify),
        "toYaml" => f(&[Any], |_, a| {
            let y = yaml::to_yaml(&any(&a[0]))?;
            Ok(V::str(y.strip_suffix('\n').unwrap_or(&y)))
        }),
        "fromYaml" => f(&[Str], |ctx, a| from_yaml(ctx.opts.yaml, s(&a[0]), false)),
        "fromYamlArray" => f(&[Str], |ctx, a| from_yaml(ctx.opts.yaml, s(&a[0]), true)),
        _ => None,
    }
}

/// Argo CD's SlugifyName: `slugify [maxSize [smartTruncate]] name`, on top of SanitizeName and
/// gosimple/slug's Make (v1.15) with MaxLength and EnableSmartTruncate set.
fn f_slugify(_: &mut Ctx, a: Args) -> Res {
    let a = flat(a);
    let n = a.len();
    let mut max_size: i64 = 50;
    let mut smart = true;
    let mut name = String::new();
    for (idx, arg) in a.iter().enumerate() {
        if idx + 1 == n {
            match arg {
                V::Str(s) => name = s.clone(),
                other => {
                    return Err(format!(
                        "interface conversion: interface {{}} is {}, not string",
                        other.type_name()
                    ));
                }
            }
        } else if idx == 0 {
            match arg {
                V::Int(x) => max_size = *x,
                other => {
                    return Err(format!(
                        "interface conversion: interface {{}} is {}, not int",
                        other.type_name()
                    ));
                }
            }
        } else if idx == 1 {
            match arg {
                V::Bool(b) => smart = *b,
                other => {
                    return Err(format!(
                        "interface conversion: interface {{}} is {}, not bool",
                        other.type_name()
                    ));
                }
            }
        }
    }
    slug_make(&sanitize_name(&name), max_size, smart).map(V::Str)
}

pub(crate) fn slug_make(s: &str, max_len: i64, smart: bool) -> Result<String, String> {
    // Input is already sanitised to [-a-z0-9.], so transliteration and language
    // substitutions are no-ops; what remains is truncation and character clean-up.
    let mut slug = s.trim().to_lowercase();
    if !smart && slug.len() as i64 >= max_len {
        if max_len < 0 {
            return Err(format!(
                "runtime error: slice bounds out of range [:{max_len}]"
            ));
        }
        slug = byte_slice(&slug, 0, max_len as usize);
    }
    let mut cleaned = String::with_capacity(slug.len());
    for c in slug.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && cleaned.ends_with('-') {
            continue;
        }
        cleaned.push(c);
    }
    let mut slug = cleaned.trim_matches(|c| c == '-' || c == '_').to_string();
    if max_len > 0 && smart && slug.len() as i64 > max_len {
        let m = max_len as usize;
        let b = slug.as_bytes();
        slug = match (0..=m).rev().find(|&k| b[k] == b'-') {
            Some(k) => slug[..k].to_string(),
            None => slug[..m].to_string(),
        };
    }
    Ok(slug)
}

/// Argo CD's fromYAML/fromYAMLArray via the caller's parser ([`crate::Options::yaml`]); like
/// sigs.k8s.io/yaml the document goes through JSON, so numbers come back as float64.
fn from_yaml(parser: Option<YamlParser>, text: &str, array: bool) -> Res {
    let Some(parser) = parser else {
        return Err("fromYaml: no YAML parser has been registered".into());
    };
    let value = parser(text).map_err(|e| format!("error converting YAML to JSON: {e}"))?;
    let (want, ok) = if array {
        (
            "[]interface {}",
            matches!(value, serde_json::Value::Array(_) | serde_json::Value::Null),
        )
    } else {
        (
            "map[string]interface {}",
            matches!(
                value,
                serde_json::Value::Object(_) | serde_json::Value::Null
            ),
        )
    };
    if !ok {
        let got = match value {
            serde_json::Value::Bool(_) => "bool",
            serde_json::Value::Number(_) => "number",
            serde_json::Value::String(_) => "string",
            serde_json::Value::Array(_) => "array",
            _ => "object",
        };
        return Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {got} into Go value of type {want}"
        ));
    }
    Ok(match value {
        serde_json::Value::Null if array => V::list(Vec::new()),
        serde_json::Value::Null => V::map(BTreeMap::new()),
        v => V::from_json_as_go(&v),
    })
}

/// Argo CD's `utils.SanitizeName` (the `normalize` function and every `*Normalized` parameter):
/// lower case, anything outside `[-a-z0-9.]` becomes `-`, at most 253 characters, no leading or
/// trailing `-`/`.`.
pub fn sanitize_name(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cut: String = lowered.chars().take(253).collect();
    cut.trim_matches(|c| c == '-' || c == '.').to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize_name;

    #[test]
    fn sanitize_name_follows_argo() {
        assert_eq!(sanitize_name("My_Service.Name"), "my-service.name");
        assert_eq!(sanitize_name("-web-"), "web");
        assert_eq!(sanitize_name("a/b c"), "a-b-c");
    }
}

//! sprig's dict functions (dict.go): dict, get, set, unset, hasKey, pluck, keys, pick, omit,
//! merge, mergeOverwrite, values, dig. Maps are shared, so `set` and `merge` mutate in place
//! as in Go.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::{Args, Ctx, Res, Spec, Ty, any, f, flat, s, strval, var};
use crate::value::{MapTy, V};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "dict" => var(&[], Any, |_, a| {
            let a = flat(a);
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(strval(&pair[0]), pair.get(1).cloned().unwrap_or(V::str("")));
            }
            Ok(V::map(m))
        }),
        "get" => f(&[Map, Str], |_, a| {
            Ok(match &a[0] {
                Some(V::Map(m, _)) => m.borrow().get(s(&a[1])).cloned().unwrap_or(V::str("")),
                _ => V::str(""),
            })
        }),
        "set" => f(&[Map, Str, Any], |_, a| match &a[0] {
            Some(V::Map(m, t)) => {
                let value = any(&a[2]);
                m.borrow_mut().insert(s(&a[1]).to_string(), value);
                Ok(V::Map(m.clone(), *t))
            }
            _ => Err("assignment to entry in nil map".into()),
        }),
        "unset" => f(&[Map, Str], |_, a| {
            if let Some(V::Map(m, _)) = &a[0] {
                m.borrow_mut().remove(s(&a[1]));
            }
            Ok(any(&a[0]))
        }),
        "hasKey" => f(&[Map, Str], |_, a| {
            Ok(V::Bool(
                matches!(&a[0], Some(V::Map(m, _)) if m.borrow().contains_key(s(&a[1]))),
            ))
        }),
        "pluck" => var(&[Str], Map, |_, a| {
            let key = s(&a[0]);
            let out = a[1..]
                .iter()
                .filter_map(|d| match d {
                    Some(V::Map(m, _)) => m.borrow().get(key).cloned(),
                    _ => None,
                })
                .collect();
            Ok(V::list(out))
        }),
        "keys" => var(&[], Map, |_, a| {
            let mut out = Vec::new();
            for d in &a {
                if let Some(V::Map(m, _)) = d {
                    out.extend(m.borrow().keys().cloned());
                }
            }
            Ok(V::str_list(out))
        }),
        "pick" => var(&[Map], Str, |_, a| {
            let mut out = BTreeMap::new();
            if let Some(V::Map(m, _)) = &a[0] {
                let m = m.borrow();
                for k in a[1..].iter().map(s) {
                    if let Some(v) = m.get(k) {
                        out.insert(k.to_string(), v.clone());
                    }
                }
            }
            Ok(V::map(out))
        }),
        "omit" => var(&[Map], Str, |_, a| {
            let omit: Vec<&str> = a[1..].iter().map(s).collect();
            let out = match &a[0] {
                Some(V::Map(m, _)) => m
                    .borrow()
                    .iter()
                    .filter(|(k, _)| !omit.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                _ => BTreeMap::new(),
            };
            Ok(V::map(out))
        }),
        "merge" | "mustMerge" => var(&[Map], Map, |_, a| merge(a, false)),
        "mergeOverwrite" | "mustMergeOverwrite" => var(&[Map], Map, |_, a| merge(a, true)),
        "values" => f(&[Map], |_, a| {
            Ok(V::list(match &a[0] {
                Some(V::Map(m, _)) => m.borrow().values().cloned().collect(),
                _ => Vec::new(),
            }))
        }),
        "dig" => var(&[], Any, f_dig),
        _ => None,
    }
}

fn merge(a: Args, overwrite: bool) -> Res {
    fn merge_into(dst: &crate::value::MapRef, src: &V, overwrite: bool, depth: usize) {
        let V::Map(src, _) = src else { return };
        if depth > crate::value::MAX_DEPTH || Rc::ptr_eq(dst, src) {
            return;
        }
        let src: Vec<(String, V)> = src
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, sv) in src {
            let existing = dst.borrow().get(&k).cloned();
            match existing {
                None => {
                    dst.borrow_mut().insert(k, sv.deep_copy());
                }
                Some(V::Map(dm, _)) if matches!(sv, V::Map(..)) => {
                    merge_into(&dm, &sv, overwrite, depth + 1);
                }
                Some(dv) => {
                    let replace = if overwrite {
                        !sv.is_empty()
                    } else {
                        dv.is_empty()
                    };
                    if replace {
                        dst.borrow_mut().insert(k, sv.deep_copy());
                    }
                }
            }
        }
    }
    let dst = match &a[0] {
        Some(V::Map(m, _)) => m.clone(),
        _ => match V::map(BTreeMap::new()) {
            V::Map(m, _) => m,
            _ => unreachable!("V::map builds a map"),
        },
    };
    for src in a[1..].iter().flatten() {
        merge_into(&dst, src, overwrite, 0);
    }
    Ok(V::Map(dst, MapTy::Any))
}

fn f_dig(_: &mut Ctx, a: Args) -> Res {
    let a = flat(a);
    if a.len() < 3 {
        return Err("dig needs at least three arguments".into());
    }
    let n = a.len();
    let V::Map(mut dict, _) = a[n - 1].clone() else {
        return Err(format!(
            "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
            a[n - 1].type_name()
        ));
    };
    let def = a[n - 2].clone();
    let keys: Vec<String> = a[..n - 2]
        .iter()
        .map(|k| match k {
            V::Str(s) => Ok(s.clone()),
            other => Err(format!(
                "interface conversion: interface {{}} is {}, not string",
                other.type_name()
            )),
        })
        .collect::<Result<_, _>>()?;
    for (idx, k) in keys.iter().enumerate() {
        let step = dict.borrow().get(k).cloned();
        let Some(step) = step else { return Ok(def) };
        if idx + 1 == keys.len() {
            return Ok(step);
        }
        match step {
            V::Map(m, MapTy::Any) => dict = m,
            other => {
                return Err(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    other.type_name()
                ));
            }
        }
    }
    Ok(def)
}

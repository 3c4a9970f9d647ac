//! sprig's list functions (list.go): list/tuple, append, prepend, first, last, rest, initial,
//! reverse, uniq, without, has, compact, slice, concat, chunk, and their `must` forms.

use std::rc::Rc;

use super::{Args, Ctx, Res, Spec, Ty, any, byte_slice, f, flat, i, list_arg, to_i64, var};
use crate::value::{ListTy, V};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "tuple" | "list" => var(&[], Any, |_, a| Ok(V::list(flat(a)))),
        "compact" | "mustCompact" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "compact")?;
            Ok(V::list(
                l.iter().filter(|v| !v.is_empty()).cloned().collect(),
            ))
        }),
        "append" | "push" | "mustAppend" | "mustPush" => f(&[Any, Any], |_, a| {
            let mut l = list_arg(&a[0], "push on")?.as_ref().clone();
            l.push(any(&a[1]));
            Ok(V::list(l))
        }),
        "prepend" | "mustPrepend" => f(&[Any, Any], |_, a| {
            let mut l = vec![any(&a[1])];
            l.extend(list_arg(&a[0], "prepend on")?.iter().cloned());
            Ok(V::list(l))
        }),
        "first" | "mustFirst" => f(&[Any], |_, a| {
            Ok(list_arg(&a[0], "find first on")?
                .first()
                .cloned()
                .unwrap_or(V::Nil))
        }),
        "last" | "mustLast" => f(&[Any], |_, a| {
            Ok(list_arg(&a[0], "find last on")?
                .last()
                .cloned()
                .unwrap_or(V::Nil))
        }),
        "rest" | "mustRest" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "find rest on")?;
            Ok(V::list(l.iter().skip(1).cloned().collect()))
        }),
        "initial" | "mustInitial" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "find initial on")?;
            Ok(V::list(
                l.iter().take(l.len().saturating_sub(1)).cloned().collect(),
            ))
        }),
        "reverse" | "mustReverse" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "find reverse on")?;
            Ok(V::list(l.iter().rev().cloned().collect()))
        }),
        "uniq" | "mustUniq" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "find uniq on")?;
            let mut out: Vec<V> = Vec::new();
            for v in l.iter() {
                if !out.iter().any(|o| o.deep_equal(v)) {
                    out.push(v.clone());
                }
            }
            Ok(V::list(out))
        }),
        "without" | "mustWithout" => var(&[Any], Any, |_, a| {
            let l = list_arg(&a[0], "find without on")?;
            let omit = flat(a[1..].to_vec());
            Ok(V::list(
                l.iter()
                    .filter(|v| !omit.iter().any(|o| o.deep_equal(v)))
                    .cloned()
                    .collect(),
            ))
        }),
        "has" | "mustHas" => f(&[Any, Any], |_, a| {
            if matches!(a[1], None | Some(V::Nil)) {
                return Ok(V::Bool(false));
            }
            let l = list_arg(&a[1], "find has on")?;
            let needle = any(&a[0]);
            Ok(V::Bool(l.iter().any(|v| v.deep_equal(&needle))))
        }),
        "slice" | "mustSlice" => var(&[Any], Any, f_slice),
        "concat" => var(&[], Any, |_, a| {
            let mut out = Vec::new();
            for l in &a {
                match l {
                    Some(V::List(l, _)) => out.extend(l.iter().cloned()),
                    other => {
                        return Err(format!(
                            "Cannot concat type {} as list",
                            other.as_ref().map_or("invalid", V::kind_name)
                        ));
                    }
                }
            }
            Ok(V::list(out))
        }),
        "chunk" | "mustChunk" => f(&[Int, Any], |_, a| {
            let size = i(&a[0]);
            let l = list_arg(&a[1], "chunk")?;
            if size <= 0 {
                return Err("runtime error: chunk size must be positive".into());
            }
            let chunks = l
                .chunks(size as usize)
                .map(|c| V::list(c.to_vec()))
                .collect();
            Ok(V::List(Rc::new(chunks), ListTy::Nested))
        }),
        _ => None,
    }
}

fn f_slice(_: &mut Ctx, a: Args) -> Res {
    let idx: Vec<i64> = a[1..].iter().map(|v| to_i64(&any(v))).collect();
    let bounds = |len: usize| -> Result<(usize, usize), String> {
        let start = idx.first().copied().unwrap_or(0);
        let end = idx.get(1).copied().unwrap_or(len as i64);
        if start < 0 || end < start || end > len as i64 {
            return Err("reflect: slice index out of range".into());
        }
        Ok((start as usize, end as usize))
    };
    match &a[0] {
        Some(V::List(l, t)) => {
            if l.is_empty() {
                return Ok(V::Nil);
            }
            let (st, en) = bounds(l.len())?;
            Ok(V::List(Rc::new(l[st..en].to_vec()), *t))
        }
        Some(V::Str(s)) => {
            if s.is_empty() {
                return Ok(V::Nil);
            }
            let (st, en) = bounds(s.len())?;
            Ok(V::Str(byte_slice(s, st, en)))
        }
        other => Err(format!(
            "list should be type of string, slice or array but {}",
            other.as_ref().map_or("invalid", V::kind_name)
        )),
    }
}

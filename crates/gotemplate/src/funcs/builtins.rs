//! text/template's own functions (Go's text/template/funcs.go): and, or, not, len, index,
//! print, printf, println, html, js, urlquery, call and the comparisons eq, ne, lt, le, gt, ge.
//! sprig's `slice` replaces the builtin one (see the lists family).

use super::{Args, Ctx, Res, Spec, Ty, f, flat, s, var};
use crate::exec::{Ev, truth};
use crate::gofmt::{self, sprint, sprint_value};
use crate::value::{MapTy, V};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "and" | "or" => var(&[Val], Val, |_, a| {
            Ok(a.into_iter().flatten().last().unwrap_or(V::Nil))
        }),
        "not" => f(&[Val], |_, a| Ok(V::Bool(!truth(&a[0])))),
        "len" => f(&[Val], b_len),
        "index" => var(&[Val], Val, b_index),
        "print" => var(&[], Any, |_, a| Ok(V::Str(sprint(&flat(a))))),
        "println" => var(&[], Any, |_, a| Ok(V::Str(gofmt::sprintln(&flat(a))))),
        "printf" => var(&[Str], Any, |_, a| {
            let args = flat(a[1..].to_vec());
            Ok(V::Str(gofmt::sprintf(s(&a[0]), &args)))
        }),
        "html" => var(&[], Any, |_, a| Ok(V::Str(html_escape(&eval_args(a))))),
        "js" => var(&[], Any, |_, a| Ok(V::Str(js_escape(&eval_args(a))))),
        "urlquery" => var(&[], Any, |_, a| Ok(V::Str(query_escape(&eval_args(a))))),
        "call" => var(&[Val], Val, |_, a| {
            Err(format!(
                "non-function {} of type {}",
                a[0].as_ref().map_or("<no value>".to_string(), sprint_value),
                a[0].as_ref().map_or("<nil>", V::type_name)
            ))
        }),
        "eq" => var(&[Val], Val, |_, a| cmp_eq(&a[0], &a[1..]).map(V::Bool)),
        "ne" => f(&[Val, Val], |_, a| {
            cmp_eq(&a[0], &a[1..]).map(|b| V::Bool(!b))
        }),
        "lt" => f(&[Val, Val], |_, a| cmp_lt(&a[0], &a[1]).map(V::Bool)),
        "le" => f(&[Val, Val], |_, a| cmp_le(&a[0], &a[1]).map(V::Bool)),
        "gt" => f(&[Val, Val], |_, a| {
            cmp_le(&a[0], &a[1]).map(|b| V::Bool(!b))
        }),
        "ge" => f(&[Val, Val], |_, a| {
            cmp_lt(&a[0], &a[1]).map(|b| V::Bool(!b))
        }),
        _ => None,
    }
}

/// text/template's evalArgs: a lone string is used as is, otherwise fmt.Sprint with
/// missing values shown as `<no value>`.
fn eval_args(a: Args) -> String {
    if let [Some(V::Str(s))] = a.as_slice() {
        return s.clone();
    }
    let vals: Vec<V> = a
        .into_iter()
        .map(|v| match v {
            None | Some(V::Nil) => V::str("<no value>"),
            Some(v) => v,
        })
        .collect();
    sprint(&vals)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 || c.is_control() => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Str,
}

fn basic_kind(v: &Ev) -> Kind {
    match v {
        Some(V::Bool(_)) => Kind::Bool,
        Some(V::Int(_) | V::Int64(_)) => Kind::Int,
        Some(V::Byte(_)) => Kind::Uint,
        Some(V::Float(_)) => Kind::Float,
        Some(V::Str(_)) => Kind::Str,
        _ => Kind::Invalid,
    }
}

fn num(v: &Ev) -> i128 {
    match v {
        Some(V::Int(i) | V::Int64(i)) => *i as i128,
        Some(V::Byte(b)) => *b as i128,
        _ => 0,
    }
}

fn indirect(v: &Ev) -> Ev {
    match v {
        Some(V::Nil) => None,
        other => other.clone(),
    }
}

fn cmp_eq(a1: &Ev, rest: &[Ev]) -> Result<bool, String> {
    let a1 = indirect(a1);
    if rest.is_empty() {
        return Err("missing argument for comparison".into());
    }
    let k1 = basic_kind(&a1);
    for a in rest {
        let a = indirect(a);
        let k2 = basic_kind(&a);
        let t = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) | (Kind::Uint, Kind::Int) => num(&a1) == num(&a),
                _ => {
                    if a1.is_some() && a.is_some() {
                        return Err("incompatible types for comparison".into());
                    }
                    false
                }
            }
        } else {
            match (&a1, &a) {
                (Some(V::Bool(x)), Some(V::Bool(y))) => x == y,
                (Some(V::Float(x)), Some(V::Float(y))) => x == y,
                (Some(V::Str(x)), Some(V::Str(y))) => x == y,
                _ if k1 == Kind::Int || k1 == Kind::Uint => num(&a1) == num(&a),
                (None, None) => true,
                (None, _) | (_, None) => false,
                (Some(_), Some(y)) => {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        sprint_value(y),
                        y.type_name()
                    ));
                }
            }
        };
        if t {
            return Ok(true);
        }
    }
    Ok(false)
}

fn cmp_lt(a1: &Ev, a2: &Ev) -> Result<bool, String> {
    let (a1, a2) = (indirect(a1), indirect(a2));
    let (k1, k2) = (basic_kind(&a1), basic_kind(&a2));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err("invalid type for comparison".into());
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) | (Kind::Uint, Kind::Int) => Ok(num(&a1) < num(&a2)),
            _ => Err("incompatible types for comparison".into()),
        };
    }
    match (&a1, &a2) {
        (Some(V::Bool(_)), _) => Err("invalid type for comparison".into()),
        (Some(V::Float(x)), Some(V::Float(y))) => Ok(x < y),
        (Some(V::Str(x)), Some(V::Str(y))) => Ok(x < y),
        _ => Ok(num(&a1) < num(&a2)),
    }
}

fn cmp_le(a1: &Ev, a2: &Ev) -> Result<bool, String> {
    if cmp_lt(a1, a2)? {
        return Ok(true);
    }
    cmp_eq(a1, std::slice::from_ref(a2))
}

fn b_len(_: &mut Ctx, a: Args) -> Res {
    match &a[0] {
        None => Err("reflect: call of reflect.Value.Type on zero Value".into()),
        Some(V::Nil) => Err("len of nil pointer".into()),
        Some(V::Str(s)) => Ok(V::Int(s.len() as i64)),
        Some(V::List(l, _)) => Ok(V::Int(l.len() as i64)),
        Some(V::Map(m, _)) => Ok(V::Int(m.borrow().len() as i64)),
        Some(other) => Err(format!("len of type {}", other.type_name())),
    }
}

fn b_index(_: &mut Ctx, a: Args) -> Res {
    let Some(mut item) = indirect(&a[0]) else {
        return Err("index of untyped nil".into());
    };
    for idx in &a[1..] {
        let idx = indirect(idx);
        let pos = |len: usize| -> Result<usize, String> {
            let x = match &idx {
                Some(V::Int(i) | V::Int64(i)) => *i,
                Some(V::Byte(b)) => *b as i64,
                None => return Err("cannot index slice/array with nil".into()),
                Some(other) => {
                    return Err(format!(
                        "cannot index slice/array with type {}",
                        other.type_name()
                    ));
                }
            };
            if x < 0 || x as u64 >= len as u64 {
                return Err(format!("index out of range: {x}"));
            }
            Ok(x as usize)
        };
        item = match &item {
            V::Nil => return Err("index of nil pointer".into()),
            V::List(l, _) => l[pos(l.len())?].clone(),
            V::Str(s) => V::Byte(s.as_bytes()[pos(s.len())?]),
            V::Map(m, t) => {
                let key = match &idx {
                    Some(V::Str(k)) => k.clone(),
                    None => return Err("value is nil; should be of type string".into()),
                    Some(other) => {
                        return Err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        ));
                    }
                };
                let found = m.borrow().get(&key).cloned();
                match (found, t) {
                    (Some(v), _) => v,
                    (None, MapTy::Str) => V::str(""),
                    (None, MapTy::Any) => V::Nil,
                }
            }
            other => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
}

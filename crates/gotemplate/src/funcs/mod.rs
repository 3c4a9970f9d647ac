//! The function map: text/template's builtins (funcs.go), sprig v3's generic map
//! (Masterminds/sprig functions.go, minus env/expandenv/getHostByName as Argo CD removes
//! them), and Argo CD's additions (applicationset/utils: normalize, slugify, toYaml, fromYaml,
//! fromYamlArray, tpl). Each entry carries its Go parameter types so arguments are checked
//! the way text/template checks them (a float64 where an int is expected is an error).

use std::collections::BTreeMap;
use std::rc::Rc;

use regex::Regex;

use super::exec::{Ev, MAX_OUTPUT, truth};
use super::gofmt::{self, go_quote, sprint, sprint_value};
use super::parse::parse_go_int;
use super::value::{ListTy, MapTy, V};
use super::{Options, YamlParser, crypto, yaml};

/// A Go parameter type, as far as argument checking needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    /// `interface{}`
    Any,
    /// `reflect.Value` (builtins): a missing value stays missing
    Val,
    Str,
    Int,
    Float,
    Bool,
    /// `map[string]interface{}`
    Map,
}

impl Ty {
    pub(crate) fn go_name(self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Val => "reflect.Value",
            Ty::Str => "string",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Bool => "bool",
            Ty::Map => "map[string]interface {}",
        }
    }
}

pub(crate) struct Ctx {
    pub opts: Options,
    pub depth: usize,
}

type Args = Vec<Ev>;
type Res = Result<V, String>;
pub(crate) type Imp = fn(&mut Ctx, Args) -> Res;

#[derive(Clone, Copy)]
pub(crate) struct Spec {
    pub params: &'static [Ty],
    pub variadic: Option<Ty>,
    pub imp: Imp,
}

pub(crate) fn is_known(name: &str) -> bool {
    lookup(name).is_some()
}

pub(crate) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    let f = |params: &'static [Ty], imp: Imp| {
        Some(Spec {
            params,
            variadic: None,
            imp,
        })
    };
    let var = |params: &'static [Ty], v: Ty, imp: Imp| {
        Some(Spec {
            params,
            variadic: Some(v),
            imp,
        })
    };
    match name {
        // text/template builtins (sprig's `slice` replaces the builtin one)
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

        // sprig: dates (the clock and time zones are not available offline)
        "ago" | "date" | "date_in_zone" | "date_modify" | "dateInZone" | "dateModify"
        | "durationRound" | "htmlDate" | "htmlDateInZone" | "must_date_modify"
        | "mustDateModify" | "mustToDate" | "now" | "toDate" | "unixEpoch" => {
            var(&[], Any, unsupported)
        }
        "duration" => f(&[Any], f_duration),

        // sprig: strings
        "hello" => f(&[], |_, _| Ok(V::str("Hello!"))),
        "abbrev" => f(&[Int, Str], |_, a| Ok(V::Str(abbrev(i(&a[0]), s(&a[1]))))),
        "abbrevboth" => f(&[Int, Int, Str], |_, a| {
            let (l, r, st) = (i(&a[0]), i(&a[1]), s(&a[2]));
            if r < 4 || l > 0 && r < 7 {
                return Ok(V::str(st));
            }
            Ok(V::Str(abbreviate_full(st, l, r)))
        }),
        "trunc" => f(&[Int, Str], |_, a| {
            let (c, st) = (i(&a[0]), s(&a[1]));
            let n = st.len() as i64;
            Ok(V::Str(if c < 0 && n + c > 0 {
                byte_slice(st, (n + c) as usize, st.len())
            } else if c >= 0 && n > c {
                byte_slice(st, 0, c as usize)
            } else {
                st.to_string()
            }))
        }),
        "trim" => f(&[Str], |_, a| {
            Ok(V::str(s(&a[0]).trim_matches(char::is_whitespace)))
        }),
        "upper" => f(&[Str], |_, a| Ok(V::Str(s(&a[0]).to_uppercase()))),
        "lower" => f(&[Str], |_, a| Ok(V::Str(s(&a[0]).to_lowercase()))),
        "title" => f(&[Str], |_, a| Ok(V::Str(title(s(&a[0]))))),
        "untitle" => f(&[Str], |_, a| Ok(V::Str(untitle(s(&a[0]))))),
        "substr" => f(&[Int, Int, Str], f_substr),
        "repeat" => f(&[Int, Str], |_, a| {
            let (n, st) = (i(&a[0]), s(&a[1]));
            if n < 0 {
                return Err("strings: negative Repeat count".into());
            }
            if (n as u128) * (st.len() as u128) > MAX_OUTPUT as u128 {
                return Err("strings: Repeat output length overflow".into());
            }
            Ok(V::Str(st.repeat(n as usize)))
        }),
        "trimall" | "trimAll" => f(&[Str, Str], |_, a| {
            let cut = s(&a[0]);
            Ok(V::str(s(&a[1]).trim_matches(|c| cut.contains(c))))
        }),
        "trimSuffix" => f(&[Str, Str], |_, a| {
            Ok(V::str(s(&a[1]).strip_suffix(s(&a[0])).unwrap_or(s(&a[1]))))
        }),
        "trimPrefix" => f(&[Str, Str], |_, a| {
            Ok(V::str(s(&a[1]).strip_prefix(s(&a[0])).unwrap_or(s(&a[1]))))
        }),
        "nospace" => f(&[Str], |_, a| {
            Ok(V::Str(
                s(&a[0]).chars().filter(|c| !c.is_whitespace()).collect(),
            ))
        }),
        "initials" => f(&[Str], |_, a| Ok(V::Str(initials(s(&a[0]))))),
        "swapcase" => f(&[Str], |_, a| Ok(V::Str(swapcase(s(&a[0]))))),
        "randAlphaNum" | "randAlpha" | "randAscii" | "randNumeric" | "shuffle" | "randInt"
        | "randBytes" | "uuidv4" => var(&[], Any, unsupported),
        "snakecase" => f(&[Str], |_, a| Ok(V::Str(delimited_case(s(&a[0]), '_')))),
        "kebabcase" => f(&[Str], |_, a| Ok(V::Str(delimited_case(s(&a[0]), '-')))),
        "camelcase" => f(&[Str], |_, a| Ok(V::Str(camel_case(s(&a[0]))))),
        "wrap" => f(&[Int, Str], |_, a| {
            Ok(V::Str(wrap_custom(s(&a[1]), i(&a[0]), "\n", false)))
        }),
        "wrapWith" => f(&[Int, Str, Str], |_, a| {
            Ok(V::Str(wrap_custom(s(&a[2]), i(&a[0]), s(&a[1]), true)))
        }),
        "contains" => f(&[Str, Str], |_, a| Ok(V::Bool(s(&a[1]).contains(s(&a[0]))))),
        "hasPrefix" => f(&[Str, Str], |_, a| {
            Ok(V::Bool(s(&a[1]).starts_with(s(&a[0]))))
        }),
        "hasSuffix" => f(&[Str, Str], |_, a| {
            Ok(V::Bool(s(&a[1]).ends_with(s(&a[0]))))
        }),
        "quote" => var(&[], Any, |_, a| {
            let parts: Vec<String> = flat(a)
                .iter()
                .filter(|v| !matches!(v, V::Nil))
                .map(|v| go_quote(&strval(v), '"'))
                .collect();
            Ok(V::Str(parts.join(" ")))
        }),
        "squote" => var(&[], Any, |_, a| {
            let parts: Vec<String> = flat(a)
                .iter()
                .filter(|v| !matches!(v, V::Nil))
                .map(|v| format!("'{}'", sprint_value(v)))
                .collect();
            Ok(V::Str(parts.join(" ")))
        }),
        "cat" => var(&[], Any, |_, a| {
            let parts: Vec<String> = flat(a)
                .iter()
                .filter(|v| !matches!(v, V::Nil))
                .map(sprint_value)
                .collect();
            Ok(V::Str(parts.join(" ")))
        }),
        "indent" => f(&[Int, Str], |_, a| Ok(V::Str(indent(i(&a[0]), s(&a[1]))))),
        "nindent" => f(&[Int, Str], |_, a| {
            Ok(V::Str(format!("\n{}", indent(i(&a[0]), s(&a[1])))))
        }),
        "replace" => f(&[Str, Str, Str], |_, a| {
            Ok(V::Str(s(&a[2]).replace(s(&a[0]), s(&a[1]))))
        }),
        "plural" => f(&[Str, Str, Int], |_, a| {
            Ok(V::str(if i(&a[2]) == 1 { s(&a[0]) } else { s(&a[1]) }))
        }),
        "sha1sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha1_hex(s(&a[0]).as_bytes())))
        }),
        "sha256sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha256_hex(s(&a[0]).as_bytes())))
        }),
        "sha512sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::sha512_hex(s(&a[0]).as_bytes())))
        }),
        "adler32sum" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::adler32(s(&a[0]).as_bytes()).to_string()))
        }),
        "toString" => f(&[Any], |_, a| Ok(V::Str(strval(&any(&a[0]))))),

        // sprig: conversions
        "atoi" => f(&[Str], |_, a| Ok(V::Int(atoi(s(&a[0]))))),
        "int64" => f(&[Any], |_, a| Ok(V::Int64(to_i64(&any(&a[0]))))),
        "int" => f(&[Any], |_, a| Ok(V::Int(to_i64(&any(&a[0]))))),
        "float64" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0]))))),
        "seq" => var(&[], Int, f_seq),
        "toDecimal" => f(&[Any], |_, a| {
            let text = sprint_value(&any(&a[0]));
            Ok(V::Int64(i64::from_str_radix(&text, 8).unwrap_or(0)))
        }),
        "split" => f(&[Str, Str], |_, a| {
            Ok(split_map(go_split(s(&a[1]), s(&a[0]), -1)))
        }),
        "splitList" => f(&[Str, Str], |_, a| {
            Ok(V::str_list(go_split(s(&a[1]), s(&a[0]), -1)))
        }),
        "splitn" => f(&[Str, Int, Str], |_, a| {
            Ok(split_map(go_split(s(&a[2]), s(&a[0]), i(&a[1]))))
        }),
        "toStrings" => f(&[Any], |_, a| Ok(V::str_list(strslice(&any(&a[0]))))),
        "until" => f(&[Int], |_, a| {
            let n = i(&a[0]);
            until_step(0, n, if n < 0 { -1 } else { 1 })
        }),
        "untilStep" => f(&[Int, Int, Int], |_, a| {
            until_step(i(&a[0]), i(&a[1]), i(&a[2]))
        }),

        // sprig: arithmetic
        "add1" => f(&[Any], |_, a| {
            Ok(V::Int64(to_i64(&any(&a[0])).wrapping_add(1)))
        }),
        "add" => var(&[], Any, |_, a| {
            Ok(V::Int64(
                flat(a)
                    .iter()
                    .fold(0i64, |acc, v| acc.wrapping_add(to_i64(v))),
            ))
        }),
        "sub" => f(&[Any, Any], |_, a| {
            Ok(V::Int64(
                to_i64(&any(&a[0])).wrapping_sub(to_i64(&any(&a[1]))),
            ))
        }),
        "div" => f(&[Any, Any], |_, a| {
            let (x, y) = (to_i64(&any(&a[0])), to_i64(&any(&a[1])));
            if y == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(V::Int64(x.wrapping_div(y)))
        }),
        "mod" => f(&[Any, Any], |_, a| {
            let (x, y) = (to_i64(&any(&a[0])), to_i64(&any(&a[1])));
            if y == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(V::Int64(x.wrapping_rem(y)))
        }),
        "mul" => var(&[Any], Any, |_, a| {
            let first = to_i64(&any(&a[0]));
            Ok(V::Int64(
                flat(a)
                    .iter()
                    .skip(1)
                    .fold(first, |acc, v| acc.wrapping_mul(to_i64(v))),
            ))
        }),
        "add1f" => f(&[Any], |_, a| {
            Ok(V::Float(dec_op(to_f64(&any(&a[0])), 1.0, '+')))
        }),
        "addf" => var(&[], Any, |_, a| {
            Ok(V::Float(
                flat(a)
                    .iter()
                    .fold(0.0, |acc, v| dec_op(acc, to_f64(v), '+')),
            ))
        }),
        "subf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '-')))),
        "mulf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '*')))),
        "divf" => var(&[Any], Any, |_, a| Ok(V::Float(fold_f(a, '/')))),
        "biggest" | "max" => var(&[Any], Any, |_, a| {
            Ok(V::Int64(flat(a).iter().map(to_i64).max().unwrap_or(0)))
        }),
        "min" => var(&[Any], Any, |_, a| {
            Ok(V::Int64(flat(a).iter().map(to_i64).min().unwrap_or(0)))
        }),
        "maxf" => var(&[Any], Any, |_, a| {
            Ok(V::Float(
                flat(a).iter().map(to_f64).fold(f64::NEG_INFINITY, f64::max),
            ))
        }),
        "minf" => var(&[Any], Any, |_, a| {
            Ok(V::Float(
                flat(a).iter().map(to_f64).fold(f64::INFINITY, f64::min),
            ))
        }),
        "ceil" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0])).ceil()))),
        "floor" => f(&[Any], |_, a| Ok(V::Float(to_f64(&any(&a[0])).floor()))),
        "round" => var(&[Any, Int], Float, |_, a| {
            let round_on = match a.get(2) {
                Some(Some(V::Float(f))) => *f,
                _ => 0.5,
            };
            let val = to_f64(&any(&a[0]));
            let pow = 10f64.powf(i(&a[1]) as f64);
            let digit = pow * val;
            let div = digit.fract();
            let r = if div >= round_on {
                digit.ceil()
            } else {
                digit.floor()
            };
            Ok(V::Float(r / pow))
        }),

        // sprig: string slices
        "join" => f(&[Str, Any], |_, a| {
            Ok(V::Str(strslice(&any(&a[1])).join(s(&a[0]))))
        }),
        "sortAlpha" => f(&[Any], |_, a| {
            let v = any(&a[0]);
            match v {
                V::List(..) => {
                    let mut l = strslice(&v);
                    l.sort();
                    Ok(V::str_list(l))
                }
                other => Ok(V::str_list(vec![strval(&other)])),
            }
        }),

        // sprig: defaults, encoding, reflection
        "default" => var(&[Any], Any, |_, a| {
            let given = a.get(1).map(any);
            Ok(match given {
                Some(g) if !g.is_empty() => g,
                _ => any(&a[0]),
            })
        }),
        "empty" => f(&[Any], |_, a| Ok(V::Bool(any(&a[0]).is_empty()))),
        "coalesce" => var(&[], Any, |_, a| {
            Ok(flat(a)
                .into_iter()
                .find(|v| !v.is_empty())
                .unwrap_or(V::Nil))
        }),
        "all" => var(&[], Any, |_, a| {
            Ok(V::Bool(flat(a).iter().all(|v| !v.is_empty())))
        }),
        "any" => var(&[], Any, |_, a| {
            Ok(V::Bool(flat(a).iter().any(|v| !v.is_empty())))
        }),
        "compact" | "mustCompact" => f(&[Any], |_, a| {
            let l = list_arg(&a[0], "compact")?;
            Ok(V::list(
                l.iter().filter(|v| !v.is_empty()).cloned().collect(),
            ))
        }),
        "fromJson" => f(&[Str], |_, a| Ok(from_json(s(&a[0])).unwrap_or(V::Nil))),
        "mustFromJson" => f(&[Str], |_, a| from_json(s(&a[0]))),
        "toJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), None, true).unwrap_or_default(),
            ))
        }),
        "mustToJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), None, true).map(V::Str)
        }),
        "toPrettyJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), Some("  "), true).unwrap_or_default(),
            ))
        }),
        "mustToPrettyJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), Some("  "), true).map(V::Str)
        }),
        "toRawJson" => f(&[Any], |_, a| {
            Ok(V::Str(
                gofmt::to_json(&any(&a[0]), None, false).unwrap_or_default(),
            ))
        }),
        "mustToRawJson" => f(&[Any], |_, a| {
            gofmt::to_json(&any(&a[0]), None, false).map(V::Str)
        }),
        "ternary" => f(&[Any, Any, Bool], |_, a| {
            Ok(if matches!(a[2], Some(V::Bool(true))) {
                any(&a[0])
            } else {
                any(&a[1])
            })
        }),
        "deepCopy" | "mustDeepCopy" => f(&[Any], |_, a| Ok(any(&a[0]).deep_copy())),
        "typeOf" => f(&[Any], |_, a| Ok(V::str(any(&a[0]).type_name()))),
        "typeIs" => f(&[Str, Any], |_, a| {
            Ok(V::Bool(s(&a[0]) == any(&a[1]).type_name()))
        }),
        "typeIsLike" => f(&[Str, Any], |_, a| {
            let t = any(&a[1]).type_name();
            Ok(V::Bool(s(&a[0]) == t || format!("*{}", s(&a[0])) == t))
        }),
        "kindOf" => f(&[Any], |_, a| Ok(V::str(any(&a[0]).kind_name()))),
        "kindIs" => f(&[Str, Any], |_, a| {
            Ok(V::Bool(s(&a[0]) == any(&a[1]).kind_name()))
        }),
        "deepEqual" => f(&[Any, Any], |_, a| {
            Ok(V::Bool(any(&a[0]).deep_equal(&any(&a[1]))))
        }),

        // sprig: paths (Go's path package; filepath is the same on Linux)
        "base" | "osBase" => f(&[Str], |_, a| Ok(V::Str(path_base(s(&a[0]))))),
        "dir" | "osDir" => f(&[Str], |_, a| Ok(V::Str(path_dir(s(&a[0]))))),
        "clean" | "osClean" => f(&[Str], |_, a| Ok(V::Str(path_clean(s(&a[0]))))),
        "ext" | "osExt" => f(&[Str], |_, a| Ok(V::Str(path_ext(s(&a[0]))))),
        "isAbs" | "osIsAbs" => f(&[Str], |_, a| Ok(V::Bool(s(&a[0]).starts_with('/')))),

        "b64enc" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::b64_encode(s(&a[0]).as_bytes())))
        }),
        "b64dec" => f(&[Str], |_, a| {
            Ok(V::Str(match crypto::b64_decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => e,
            }))
        }),
        "b32enc" => f(&[Str], |_, a| {
            Ok(V::Str(crypto::b32_encode(s(&a[0]).as_bytes())))
        }),
        "b32dec" => f(&[Str], |_, a| {
            Ok(V::Str(match crypto::b32_decode(s(&a[0])) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(e) => e,
            }))
        }),

        // sprig: dicts
        "tuple" | "list" => var(&[], Any, |_, a| Ok(V::list(flat(a)))),
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

        // sprig: lists
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

        // sprig: crypto that needs randomness or keys
        "bcrypt"
        | "htpasswd"
        | "genPrivateKey"
        | "derivePassword"
        | "buildCustomCert"
        | "genCA"
        | "genCAWithKey"
        | "genSelfSignedCert"
        | "genSelfSignedCertWithKey"
        | "genSignedCert"
        | "genSignedCertWithKey"
        | "encryptAES"
        | "decryptAES" => var(&[], Any, unsupported),

        "semver" => f(&[Str], |_, a| {
            let v = Semver::parse(s(&a[0])).ok_or("Invalid Semantic Version")?;
            Ok(v.to_value(s(&a[0])))
        }),
        "semverCompare" => f(&[Str, Str], |_, a| {
            semver_compare(s(&a[0]), s(&a[1])).map(V::Bool)
        }),
        "fail" => f(&[Str], |_, a| Err(s(&a[0]).to_string())),

        // sprig: regular expressions (Go RE2 syntax; Rust's regex accepts the same dialect)
        "regexMatch" => f(&[Str, Str], |_, a| {
            Ok(V::Bool(
                Regex::new(s(&a[0])).is_ok_and(|r| r.is_match(s(&a[1]))),
            ))
        }),
        "mustRegexMatch" => f(&[Str, Str], |_, a| {
            Ok(V::Bool(re(&a[0])?.is_match(s(&a[1]))))
        }),
        "regexFindAll" | "mustRegexFindAll" => f(&[Str, Str, Int], |_, a| {
            let r = re(&a[0])?;
            let n = i(&a[2]);
            let it = r.find_iter(s(&a[1])).map(|m| m.as_str().to_string());
            Ok(V::str_list(if n < 0 {
                it.collect()
            } else {
                it.take(n as usize).collect()
            }))
        }),
        "regexFind" | "mustRegexFind" => f(&[Str, Str], |_, a| {
            Ok(V::str(re(&a[0])?.find(s(&a[1])).map_or("", |m| m.as_str())))
        }),
        "regexReplaceAll" | "mustRegexReplaceAll" => f(&[Str, Str, Str], |_, a| {
            Ok(V::Str(
                re(&a[0])?.replace_all(s(&a[1]), s(&a[2])).into_owned(),
            ))
        }),
        "regexReplaceAllLiteral" | "mustRegexReplaceAllLiteral" => f(&[Str, Str, Str], |_, a| {
            Ok(V::Str(
                re(&a[0])?
                    .replace_all(s(&a[1]), regex::NoExpand(s(&a[2])))
                    .into_owned(),
            ))
        }),
        "regexSplit" | "mustRegexSplit" => f(&[Str, Str, Int], |_, a| {
            Ok(V::str_list(regex_split(&re(&a[0])?, s(&a[1]), i(&a[2]))))
        }),
        "regexQuoteMeta" => f(&[Str], |_, a| {
            let mut out = String::new();
            for c in s(&a[0]).chars() {
                if r"\.+*?()|[]{}^$".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            Ok(V::Str(out))
        }),
        "urlParse" => f(&[Str], |_, a| Ok(url_parse(s(&a[0])))),
        "urlJoin" => f(&[Map], |_, a| Ok(V::Str(url_join(&any(&a[0]))))),

        // Argo CD additions
        "normalize" => f(&[Str], |_, a| Ok(V::Str(sanitize_name(s(&a[0]))))),
        "slugify" => var(&[], Any, f_slugify),
        "toYaml" => f(&[Any], |_, a| {
            let y = yaml::to_yaml(&any(&a[0]))?;
            Ok(V::str(y.strip_suffix('\n').unwrap_or(&y)))
        }),
        "fromYaml" => f(&[Str], |ctx, a| from_yaml(ctx.opts.yaml, s(&a[0]), false)),
        "fromYamlArray" => f(&[Str], |ctx, a| from_yaml(ctx.opts.yaml, s(&a[0]), true)),
        // Not in Argo CD v3.5.1's map: it comes from an open pull request (argo-cd#26614).
        "tpl" => f(&[Str, Any], |ctx, a| {
            let text = s(&a[0]);
            if ctx.depth >= 32 {
                return Err("exceeded maximum tpl nesting depth (32)".into());
            }
            let t =
                super::parse(text).map_err(|e| format!("cannot parse template {text:?}: {e}"))?;
            let out = t
                .execute_value(any(&a[1]), ctx.opts, ctx.depth + 1)
                .map_err(|e| format!("error during tpl function execution for {text:?}: {e}"))?;
            Ok(V::Str(out.replace("<no value>", "")))
        }),
        _ => None,
    }
}

fn unsupported(_: &mut Ctx, _: Args) -> Res {
    Err("not supported offline: the result depends on the clock, randomness or secrets".into())
}

// --- argument helpers; the executor has already checked the Go types ---

fn s(a: &Ev) -> &str {
    match a {
        Some(V::Str(s)) => s,
        _ => "",
    }
}

fn i(a: &Ev) -> i64 {
    match a {
        Some(V::Int(i)) => *i,
        _ => 0,
    }
}

fn any(a: &Ev) -> V {
    a.clone().unwrap_or(V::Nil)
}

fn flat(a: Args) -> Vec<V> {
    a.into_iter().map(|v| v.unwrap_or(V::Nil)).collect()
}

/// The reflect-based list functions of sprig accept any slice; other kinds are an error.
fn list_arg(a: &Ev, what: &str) -> Result<Rc<Vec<V>>, String> {
    match a {
        Some(V::List(l, _)) => Ok(l.clone()),
        None | Some(V::Nil) => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        Some(other) => Err(format!("Cannot {what} type {}", other.kind_name())),
    }
}

/// sprig's `strval`: strings as they are, anything else through `%v`.
fn strval(v: &V) -> String {
    match v {
        V::Str(s) => s.clone(),
        other => sprint_value(other),
    }
}

/// sprig's `strslice`.
fn strslice(v: &V) -> Vec<String> {
    match v {
        V::List(l, _) => l
            .iter()
            .filter(|x| !matches!(x, V::Nil))
            .map(strval)
            .collect(),
        V::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

/// spf13/cast's ToInt64 (strings parse with Go's base prefixes; failures are 0).
fn to_i64(v: &V) -> i64 {
    match v {
        V::Int(i) | V::Int64(i) => *i,
        V::Byte(b) => *b as i64,
        V::Float(f) => *f as i64,
        V::Bool(b) => *b as i64,
        V::Str(s) => parse_go_int(trim_zero_decimal(s))
            .and_then(|v| i64::try_from(v).ok())
            .unwrap_or(0),
        _ => 0,
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    let b = s.as_bytes();
    let mut found_zero = false;
    for idx in (0..b.len()).rev() {
        match b[idx] {
            b'.' if found_zero => return &s[..idx],
            b'.' => return s,
            b'0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// spf13/cast's ToFloat64.
fn to_f64(v: &V) -> f64 {
    match v {
        V::Int(i) | V::Int64(i) => *i as f64,
        V::Byte(b) => *b as f64,
        V::Float(f) => *f,
        V::Bool(b) => *b as i64 as f64,
        V::Str(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

/// shopspring/decimal arithmetic as sprig's *f functions use it: operands are taken at their
/// shortest decimal value, so `addf 0.1 0.2` is 0.3 (division keeps 16 decimal places).
fn dec_op(a: f64, b: f64, op: char) -> f64 {
    fn parts(f: f64) -> Option<(i128, i32)> {
        let s = gofmt::format_float(f, 'e', -1);
        let (m, e) = s.split_once('e')?;
        let e: i32 = e.parse().ok()?;
        let neg = m.starts_with('-');
        let digits: String = m.chars().filter(char::is_ascii_digit).collect();
        let frac = digits.len() as i32 - 1;
        let mant: i128 = digits.parse().ok()?;
        Some((if neg { -mant } else { mant }, e - frac))
    }
    let exact = || -> Option<f64> {
        let (ma, ea) = parts(a)?;
        let (mb, eb) = parts(b)?;
        let (m, e) = match op {
            '+' | '-' => {
                let e = ea.min(eb);
                let sa = ma.checked_mul(10i128.checked_pow((ea - e) as u32)?)?;
                let sb = mb.checked_mul(10i128.checked_pow((eb - e) as u32)?)?;
                (
                    if op == '+' {
                        sa.checked_add(sb)?
                    } else {
                        sa.checked_sub(sb)?
                    },
                    e,
                )
            }
            '*' => (ma.checked_mul(mb)?, ea + eb),
            _ => return None,
        };
        format!("{m}e{e}").parse().ok()
    };
    if !a.is_finite() || !b.is_finite() {
        return match op {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            _ => a / b,
        };
    }
    match op {
        '/' => {
            if b == 0.0 {
                return 0.0;
            }
            let q = a / b;
            format!("{q:.16}").parse().unwrap_or(q)
        }
        _ => exact().unwrap_or(match op {
            '+' => a + b,
            '-' => a - b,
            _ => a * b,
        }),
    }
}

fn fold_f(a: Args, op: char) -> f64 {
    let v = flat(a);
    let mut it = v.iter().map(to_f64);
    let first = it.next().unwrap_or(0.0);
    it.fold(first, |acc, x| dec_op(acc, x, op))
}

fn byte_slice(s: &str, start: usize, end: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned()
}

fn f_substr(_: &mut Ctx, a: Args) -> Res {
    let (start, end, st) = (i(&a[0]), i(&a[1]), s(&a[2]));
    let n = st.len() as i64;
    let oob = |lo: i64, hi: i64| format!("runtime error: slice bounds out of range [{lo}:{hi}]");
    if start < 0 {
        if end < 0 || end > n {
            return Err(oob(0, end));
        }
        return Ok(V::Str(byte_slice(st, 0, end as usize)));
    }
    if end < 0 || end > n {
        if start > n {
            return Err(oob(start, n));
        }
        return Ok(V::Str(byte_slice(st, start as usize, st.len())));
    }
    if start > end {
        return Err(oob(start, end));
    }
    Ok(V::Str(byte_slice(st, start as usize, end as usize)))
}

/// goutils.AbbreviateFull
fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> String {
    let n = s.len() as i64;
    if s.is_empty() || max_width < 4 {
        return String::new();
    }
    if n <= max_width {
        return s.to_string();
    }
    let mut offset = offset.min(n);
    if n - offset < max_width - 3 {
        offset = n - (max_width - 3);
    }
    if offset <= 4 {
        return format!("{}...", byte_slice(s, 0, (max_width - 3) as usize));
    }
    if max_width < 7 {
        return String::new();
    }
    if offset + max_width - 3 < n {
        let rest = byte_slice(s, (offset + max_width - 3).max(0) as usize, s.len());
        return format!("...{}", abbreviate_full(&rest, 0, max_width - 3));
    }
    format!(
        "...{}",
        byte_slice(s, (n - (max_width - 3)) as usize, s.len())
    )
}

fn abbrev(width: i64, s: &str) -> String {
    if width < 4 {
        return s.to_string();
    }
    abbreviate_full(s, 0, width)
}

/// Go's strings.Title word boundaries.
fn title(s: &str) -> String {
    fn is_sep(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if c.is_alphabetic() || c.is_numeric() {
            return false;
        }
        c.is_whitespace()
    }
    let mut prev = ' ';
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_sep(prev) {
            let mut up = c.to_uppercase();
            match (up.next(), up.next()) {
                (Some(u), None) => out.push(u),
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

fn untitle(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut next = true;
    for c in s.chars() {
        if next {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        next = c.is_whitespace();
    }
    out
}

fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut gap = true;
    for c in s.chars() {
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

fn swapcase(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let v: Vec<char> = if c.is_uppercase() {
                c.to_lowercase().collect()
            } else if c.is_lowercase() {
                c.to_uppercase().collect()
            } else {
                vec![c]
            };
            v
        })
        .collect()
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// huandu/xstrings ToCamelCase: connectors are dropped and the next letter capitalised.
fn camel_case(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    let mut r0;
    loop {
        match it.next() {
            None => return out,
            Some(c) if is_connector(c) => out.push(c),
            Some(c) => {
                r0 = c.to_uppercase().next().unwrap_or(c);
                break;
            }
        }
    }
    for c in it {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = r0.to_uppercase().next().unwrap_or(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// huandu/xstrings ToSnakeCase/ToKebabCase: words split at connectors, lower-to-upper
/// changes, the end of an upper-case run, and letter/digit changes.
fn delimited_case(s: &str, delim: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let n = chars.len();
    for idx in 0..n {
        let c = chars[idx];
        if is_connector(c) {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() {
            let p = chars[idx - 1];
            let next = chars.get(idx + 1).copied();
            let boundary = (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(|nx| nx.is_lowercase()))
                || (p.is_alphabetic() && c.is_ascii_digit() && !digits_then_upper(&chars, idx))
                || (p.is_ascii_digit() && c.is_uppercase());
            if boundary {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.join(&delim.to_string())
}

fn digits_then_upper(chars: &[char], mut idx: usize) -> bool {
    while idx < chars.len() && chars[idx].is_ascii_digit() {
        idx += 1;
    }
    chars.get(idx).is_some_and(|c| c.is_uppercase())
}

/// goutils.WrapCustom
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let b = s.as_bytes();
    let n = b.len();
    let mut offset = 0;
    let mut out: Vec<u8> = Vec::new();
    while n - offset > width {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(n);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            out.extend_from_slice(&b[offset..offset + sp]);
            out.extend_from_slice(newline.as_bytes());
            offset += sp + 1;
        } else if wrap_long {
            out.extend_from_slice(&b[offset..offset + width]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match b[end..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = n;
                }
                Some(p) => {
                    out.extend_from_slice(&b[offset..end + p]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = end + p + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset.min(n)..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn indent(spaces: i64, v: &str) -> String {
    let pad = " ".repeat(spaces.clamp(0, 1 << 16) as usize);
    format!("{pad}{}", v.replace('\n', &format!("\n{pad}")))
}

/// Go's strings.SplitN (n < 0: all; n == 0: none; empty separator splits into characters).
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && (n as usize) < chars.len() {
            let k = n as usize - 1;
            let mut out: Vec<String> = chars[..k].to_vec();
            out.push(chars[k..].concat());
            return out;
        }
        return chars;
    }
    if n < 0 {
        s.split(sep).map(String::from).collect()
    } else {
        s.splitn(n as usize, sep).map(String::from).collect()
    }
}

fn split_map(parts: Vec<String>) -> V {
    let m = parts
        .into_iter()
        .enumerate()
        .map(|(idx, p)| (format!("_{idx}"), V::Str(p)))
        .collect();
    let V::Map(m, _) = V::map(m) else {
        unreachable!("V::map builds a map")
    };
    V::Map(m, MapTy::Str)
}

fn until_step(start: i64, stop: i64, step: i64) -> Res {
    let mut v = Vec::new();
    let mut cur = start;
    let push = |v: &mut Vec<V>, x: i64| -> Result<(), String> {
        if v.len() >= 1_000_000 {
            return Err("sequence too long".into());
        }
        v.push(V::Int(x));
        Ok(())
    };
    if stop < start {
        if step >= 0 {
            return Ok(V::List(Rc::new(v), ListTy::Int));
        }
        while cur > stop {
            push(&mut v, cur)?;
            cur = match cur.checked_add(step) {
                Some(c) => c,
                None => break,
            };
        }
    } else if step > 0 {
        while cur < stop {
            push(&mut v, cur)?;
            cur = match cur.checked_add(step) {
                Some(c) => c,
                None => break,
            };
        }
    }
    Ok(V::List(Rc::new(v), ListTy::Int))
}

fn f_seq(_: &mut Ctx, a: Args) -> Res {
    let p: Vec<i64> = a.iter().map(i).collect();
    let (start, end, step) = match p.len() {
        1 => {
            let inc = if p[0] < 1 { -1 } else { 1 };
            (1, p[0].saturating_add(inc), inc)
        }
        2 => {
            let st = if p[1] < p[0] { -1 } else { 1 };
            (p[0], p[1].saturating_add(st), st)
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let inc = if end < start {
                if step > 0 {
                    return Ok(V::str(""));
                }
                -1
            } else {
                1
            };
            (start, end.saturating_add(inc), step)
        }
        _ => return Ok(V::str("")),
    };
    let V::List(l, _) = until_step(start, end, step)? else {
        return Ok(V::str(""));
    };
    let parts: Vec<String> = l.iter().map(sprint_value).collect();
    Ok(V::Str(parts.join(" ")))
}

fn f_duration(_: &mut Ctx, a: Args) -> Res {
    // sprig only understands a decimal string or an int64 here; anything else is 0s.
    let n: i64 = match &a[0] {
        Some(V::Str(s)) => s.parse().unwrap_or(0),
        Some(V::Int64(i)) => *i,
        _ => 0,
    };
    let total = n; // whole seconds
    if total == 0 {
        return Ok(V::str("0s"));
    }
    let neg = total < 0;
    let t = total.unsigned_abs();
    let (h, m, sec) = (t / 3600, (t % 3600) / 60, t % 60);
    let body = if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    };
    Ok(V::Str(if neg { format!("-{body}") } else { body }))
}

fn from_json(s: &str) -> Res {
    serde_json::from_str::<serde_json::Value>(s)
        .map(|j| V::from_json_as_go(&j))
        .map_err(|e| e.to_string())
}

fn merge(a: Args, overwrite: bool) -> Res {
    fn merge_into(dst: &super::value::MapRef, src: &V, overwrite: bool, depth: usize) {
        let V::Map(src, _) = src else { return };
        if depth > super::value::MAX_DEPTH || Rc::ptr_eq(dst, src) {
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

fn re(a: &Ev) -> Result<Regex, String> {
    Regex::new(s(a)).map_err(|e| format!("regexp: Compile({:?}): {e}", s(a)))
}

/// Go's regexp.Split.
fn regex_split(r: &Regex, text: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !r.as_str().is_empty() && text.is_empty() {
        return vec![String::new()];
    }
    let mut out = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for m in r.find_iter(text) {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = m.start();
        if m.end() != 0 {
            out.push(text[beg..end].to_string());
        }
        beg = m.end();
    }
    if end != text.len() {
        out.push(text[beg..].to_string());
    }
    out
}

fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let d = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(d)
}

fn path_ext(p: &str) -> String {
    for (idx, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[idx..].to_string();
        }
    }
    String::new()
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

// --- comparisons (text/template funcs.go) ---

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

// --- Argo CD's own functions (applicationset/utils) ---

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

/// Argo CD's fromYAML/fromYAMLArray via the caller's parser ([`Options::yaml`]); like
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

// --- urlParse / urlJoin (net/url subset) ---

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len()
            && b[k + 1].is_ascii_hexdigit()
            && b[k + 2].is_ascii_hexdigit()
        {
            let hexv = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hexv(b[k + 1]) * 16 + hexv(b[k + 2]));
            k += 3;
            continue;
        }
        out.push(b[k]);
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn url_parse(raw: &str) -> V {
    let mut rest = raw;
    let mut fragment = String::new();
    if let Some((a, f)) = rest.split_once('#') {
        fragment = percent_decode(f);
        rest = a;
    }
    let mut scheme = String::new();
    if let Some(colon) = rest.find(':') {
        let cand = &rest[..colon];
        if !cand.is_empty()
            && cand.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            scheme = cand.to_lowercase();
            rest = &rest[colon + 1..];
        }
    }
    let mut query = String::new();
    if let Some((a, q)) = rest.split_once('?') {
        query = q.to_string();
        rest = a;
    }
    let (mut opaque, mut host, mut userinfo, mut path) =
        (String::new(), String::new(), String::new(), String::new());
    if !scheme.is_empty() && !rest.starts_with('/') {
        opaque = rest.to_string();
    } else if let Some(after) = rest.strip_prefix("//") {
        let (authority, p) = match after.find('/') {
            Some(k) => (&after[..k], &after[k..]),
            None => (after, ""),
        };
        match authority.rsplit_once('@') {
            Some((u, h)) => {
                userinfo = u.to_string();
                host = h.to_string();
            }
            None => host = authority.to_string(),
        }
        path = percent_decode(p);
    } else {
        path = percent_decode(rest);
    }
    let hostname = if host.starts_with('[') {
        host.split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
            .to_string()
    } else {
        host.split(':').next().unwrap_or("").to_string()
    };
    let mut m = BTreeMap::new();
    for (k, v) in [
        ("scheme", scheme),
        ("host", host),
        ("hostname", hostname),
        ("path", path),
        ("query", query),
        ("opaque", opaque),
        ("fragment", fragment),
        ("userinfo", userinfo),
    ] {
        m.insert(k.to_string(), V::Str(v));
    }
    V::map(m)
}

fn url_join(d: &V) -> String {
    let get = |k: &str| match d {
        V::Map(m, _) => match m.borrow().get(k) {
            Some(V::Str(s)) => s.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let mut out = String::new();
    let scheme = get("scheme");
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    let opaque = get("opaque");
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        let host = get("host");
        let user = get("userinfo");
        if !host.is_empty() || !user.is_empty() || !scheme.is_empty() {
            out.push_str("//");
            if !user.is_empty() {
                out.push_str(&user);
                out.push('@');
            }
            out.push_str(&host);
        }
        let path = get("path");
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&path);
    }
    let q = get("query");
    if !q.is_empty() {
        out.push('?');
        out.push_str(&q);
    }
    let f = get("fragment");
    if !f.is_empty() {
        out.push('#');
        out.push_str(&f);
    }
    out
}

// --- semver (Masterminds/semver v3 subset) ---

#[derive(Debug, Clone, PartialEq)]
struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
}

impl Semver {
    fn parse(s: &str) -> Option<Semver> {
        let s = s.trim();
        let s = s.strip_prefix('v').unwrap_or(s);
        let (s, meta) = match s.split_once('+') {
            Some((a, m)) => (a, m.to_string()),
            None => (s, String::new()),
        };
        let (core, pre) = match s.split_once('-') {
            Some((a, p)) => (a, p.to_string()),
            None => (s, String::new()),
        };
        let ok_ident = |x: &str| {
            x.is_empty()
                || x.split('.').all(|p| {
                    !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
        };
        if !ok_ident(&pre) || !ok_ident(&meta) {
            return None;
        }
        let nums: Vec<&str> = core.split('.').collect();
        if nums.is_empty() || nums.len() > 3 {
            return None;
        }
        let mut v = [0u64; 3];
        for (k, n) in nums.iter().enumerate() {
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            v[k] = n.parse().ok()?;
        }
        Some(Semver {
            major: v[0],
            minor: v[1],
            patch: v[2],
            pre,
            meta,
        })
    }

    fn to_value(&self, original: &str) -> V {
        let mut m = BTreeMap::new();
        m.insert("Major".into(), V::Int64(self.major as i64));
        m.insert("Minor".into(), V::Int64(self.minor as i64));
        m.insert("Patch".into(), V::Int64(self.patch as i64));
        m.insert("Prerelease".into(), V::Str(self.pre.clone()));
        m.insert("Metadata".into(), V::Str(self.meta.clone()));
        m.insert("Original".into(), V::str(original));
        V::map(m)
    }

    fn cmp(&self, o: &Semver) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let c = (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch));
        if c != Ordering::Equal {
            return c;
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                let (a, b): (Vec<&str>, Vec<&str>) =
                    (self.pre.split('.').collect(), o.pre.split('.').collect());
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = match (x.parse::<u64>(), y.parse::<u64>()) {
                        (Ok(p), Ok(q)) => p.cmp(&q),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        _ => x.cmp(y),
                    };
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
        }
    }
}

/// One comparison from a constraint string, with wildcard positions expanded to a range.
fn semver_check(c: &str, v: &Semver) -> Result<bool, String> {
    use std::cmp::Ordering::*;
    let c = c.trim();
    let ops = [">=", "=>", "<=", "=<", "!=", "~>", ">", "<", "=", "~", "^"];
    let (op, ver) = ops
        .iter()
        .find_map(|o| c.strip_prefix(o).map(|r| (*o, r.trim())))
        .unwrap_or(("", c));
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    let (core, pre) = match ver.split_once('-') {
        Some((a, p)) => (a, p),
        None => (ver.split('+').next().unwrap_or(ver), ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    let wild = |p: Option<&&str>| p.is_none_or(|x| matches!(*x, "x" | "X" | "*" | ""));
    let num = |p: Option<&&str>| -> Result<u64, String> {
        match p {
            Some(x) if !matches!(*x, "x" | "X" | "*" | "") => {
                x.parse().map_err(|_| format!("improper constraint: {c}"))
            }
            _ => Ok(0),
        }
    };
    let (maj, min, pat) = (num(parts.first())?, num(parts.get(1))?, num(parts.get(2))?);
    let (wmaj, wmin, wpat) = (wild(parts.first()), wild(parts.get(1)), wild(parts.get(2)));
    let base = Semver {
        major: maj,
        minor: min,
        patch: pat,
        pre: pre.to_string(),
        meta: String::new(),
    };
    // Versions with a pre-release only satisfy constraints that name one.
    if !v.pre.is_empty() && pre.is_empty() {
        return Ok(false);
    }
    let upper = |major: u64, minor: u64, patch: u64| Semver {
        major,
        minor,
        patch,
        pre: String::new(),
        meta: String::new(),
    };
    let in_range = |lo: &Semver, hi: &Semver| v.cmp(lo) != Less && v.cmp(hi) == Less;
    Ok(match op {
        "" | "=" => {
            if wmaj {
                true
            } else if wmin {
                in_range(&base, &upper(maj + 1, 0, 0))
            } else if wpat {
                in_range(&base, &upper(maj, min + 1, 0))
            } else {
                v.cmp(&base) == Equal
            }
        }
        "!=" => {
            if wmaj {
                false
            } else if wmin {
                !in_range(&base, &upper(maj + 1, 0, 0))
            } else if wpat {
                !in_range(&base, &upper(maj, min + 1, 0))
            } else {
                v.cmp(&base) != Equal
            }
        }
        ">" => {
            if wmaj {
                false
            } else if wmin {
                v.cmp(&upper(maj + 1, 0, 0)) != Less
            } else if wpat {
                v.cmp(&upper(maj, min + 1, 0)) != Less
            } else {
                v.cmp(&base) == Greater
            }
        }
        ">=" | "=>" => wmaj || v.cmp(&base) != Less,
        "<" => !wmaj && v.cmp(&base) == Less,
        "<=" | "=<" => {
            if wmaj {
                true
            } else if wmin {
                v.cmp(&upper(maj + 1, 0, 0)) == Less
            } else if wpat {
                v.cmp(&upper(maj, min + 1, 0)) == Less
            } else {
                v.cmp(&base) != Greater
            }
        }
        "~" | "~>" => {
            if wmaj {
                true
            } else if wmin {
                in_range(&base, &upper(maj + 1, 0, 0))
            } else {
                in_range(&base, &upper(maj, min + 1, 0))
            }
        }
        _ => {
            // caret
            if wmaj {
                true
            } else if maj > 0 || wmin {
                in_range(&base, &upper(maj + 1, 0, 0))
            } else if min > 0 || wpat {
                in_range(&base, &upper(0, min + 1, 0))
            } else {
                in_range(&base, &upper(0, 0, pat + 1))
            }
        }
    })
}

fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let v = Semver::parse(version).ok_or("Invalid Semantic Version")?;
    for group in constraint.split("||") {
        // hyphen ranges "a - b" become ">= a, <= b"
        let g = match group.split_once(" - ") {
            Some((lo, hi)) => format!(">={}, <={}", lo.trim(), hi.trim()),
            None => group.to_string(),
        };
        let mut terms: Vec<String> = Vec::new();
        for piece in g.split(',') {
            let mut pending_op = String::new();
            for tok in piece.split_whitespace() {
                if tok.chars().all(|c| "<>=!~^".contains(c)) {
                    pending_op.push_str(tok);
                } else {
                    terms.push(format!("{pending_op}{tok}"));
                    pending_op.clear();
                }
            }
        }
        if terms.is_empty() {
            return Err(format!("improper constraint: {constraint}"));
        }
        let mut all = true;
        for t in &terms {
            if !semver_check(t, &v)? {
                all = false;
                break;
            }
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
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
mod sanitize_tests {
    use super::sanitize_name;

    #[test]
    fn sanitize_name_follows_argo() {
        assert_eq!(sanitize_name("My_Service.Name"), "my-service.name");
        assert_eq!(sanitize_name("-web-"), "web");
        assert_eq!(sanitize_name("a/b c"), "a-b-c");
    }
}

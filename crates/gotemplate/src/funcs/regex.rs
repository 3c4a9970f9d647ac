//! sprig's regular expressions (regex.go). Go's RE2 syntax; Rust's regex crate accepts the
//! same dialect, though its `\d`, `\w`, `\s` and `\b` are Unicode-aware (see the README).

use ::regex::Regex;

use super::{Spec, Ty, f, i, s};
use crate::exec::Ev;
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
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
        _ => None,
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

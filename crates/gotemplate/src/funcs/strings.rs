//! sprig's string functions (strings.go, with goutils and huandu/xstrings behind some), the
//! string-slice ones (split, splitList, splitn, join, sortAlpha, toStrings) and `toString`.
//! The random-string functions are known names that refuse to run.

use super::{
    Args, Ctx, Res, Spec, Ty, any, byte_slice, f, flat, i, s, strslice, strval, unsupported, var,
};
use crate::exec::MAX_OUTPUT;
use crate::gofmt::{go_quote, sprint_value};
use crate::value::{MapTy, V};

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
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
        "toString" => f(&[Any], |_, a| Ok(V::Str(strval(&any(&a[0]))))),
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
        _ => None,
    }
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

//! sprig's `semver` and `semverCompare`, on a subset of Masterminds/semver v3.

use std::collections::BTreeMap;

use super::{Spec, Ty, f, s};
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "semver" => f(&[Str], |_, a| {
            let v = Semver::parse(s(&a[0])).ok_or("Invalid Semantic Version")?;
            Ok(v.to_value(s(&a[0])))
        }),
        "semverCompare" => f(&[Str, Str], |_, a| {
            semver_compare(s(&a[0]), s(&a[1])).map(V::Bool)
        }),
        _ => None,
    }
}

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

//! sprig's path functions: Go's `path` package (`filepath` is the same on Linux, so the `os*`
//! variants are aliases).

use super::{Spec, Ty, f, s};
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "base" | "osBase" => f(&[Str], |_, a| Ok(V::Str(path_base(s(&a[0]))))),
        "dir" | "osDir" => f(&[Str], |_, a| Ok(V::Str(path_dir(s(&a[0]))))),
        "clean" | "osClean" => f(&[Str], |_, a| Ok(V::Str(path_clean(s(&a[0]))))),
        "ext" | "osExt" => f(&[Str], |_, a| Ok(V::Str(path_ext(s(&a[0]))))),
        "isAbs" | "osIsAbs" => f(&[Str], |_, a| Ok(V::Bool(s(&a[0]).starts_with('/')))),
        _ => None,
    }
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

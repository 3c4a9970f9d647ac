//! sprig's `urlParse` and `urlJoin`, on a subset of Go's net/url.

use std::collections::BTreeMap;

use super::{Spec, Ty, any, f, s};
use crate::value::V;

pub(super) fn lookup(name: &str) -> Option<Spec> {
    use Ty::*;
    match name {
        "urlParse" => f(&[Str], |_, a| Ok(url_parse(s(&a[0])))),
        "urlJoin" => f(&[Map], |_, a| Ok(V::Str(url_join(&any(&a[0]))))),
        _ => None,
    }
}

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

//! doublestar's pattern syntax: `Match` (`match.go`), `ValidatePattern` (`validate.go`) and the
//! index helpers of `glob.go` and `utils.go` that split patterns.

use super::{BadPattern, Bytes};

/// `hasMidDoubleStar`: a `**` anywhere but at the very end.
pub(super) fn has_mid_double_star(p: &[u8]) -> bool {
    // Go: `for i := 0; i < len(p)-3; i++`, skipping escaped bytes.
    let end = p.len().saturating_sub(3);
    let mut i = 0;
    while i < end {
        if p[i] == b'\\' {
            i += 1;
        } else if p[i] == b'*' && p[i + 1] == b'*' {
            return true;
        }
        i += 1;
    }
    false
}

/// `indexMeta`: the first unescaped `*?[{`.
pub(super) fn index_meta(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'*' | b'?' | b'[' | b'{' => return Some(i),
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn escaped(s: &[u8], i: usize) -> bool {
    i > 0 && s[i - 1] == b'\\'
}

/// `lastIndexSlashOrAlt`.
pub(super) fn last_index_slash_or_alt(s: &[u8]) -> Option<usize> {
    (0..s.len())
        .rev()
        .find(|&i| (s[i] == b'/' || s[i] == b'}') && !escaped(s, i))
}

/// `lastIndexSlash`.
pub(super) fn last_index_slash(s: &[u8]) -> Option<usize> {
    (0..s.len()).rev().find(|&i| s[i] == b'/' && !escaped(s, i))
}

/// `indexMatchedOpeningAlt`: the `{` matching a `}` just past the end of `s`.
pub(super) fn index_matched_opening_alt(s: &[u8]) -> Option<usize> {
    let mut alts = 1;
    for i in (0..s.len()).rev() {
        if s[i] == b'}' && !escaped(s, i) {
            alts += 1;
        } else if s[i] == b'{' && !escaped(s, i) {
            alts -= 1;
            if alts == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `indexNextAlt`: the next `,` of this alternative level.
pub(super) fn index_next_alt(s: &[u8], allow_escaping: bool) -> Option<usize> {
    let mut alts = 1;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' if allow_escaping => i += 1,
            b'{' => alts += 1,
            b'}' => alts -= 1,
            b',' if alts == 1 => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `indexUnescapedByte`.
pub(super) fn index_unescaped_byte(s: &[u8], c: u8, allow_escaping: bool) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        if allow_escaping && s[i] == b'\\' {
            i += 1;
        } else if s[i] == c {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `indexMatchedClosingAlt`: the `}` matching a `{` just before `s`.
pub(super) fn index_matched_closing_alt(s: &[u8], allow_escaping: bool) -> Option<usize> {
    let mut alts = 1;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' if allow_escaping => i += 1,
            b'{' => alts += 1,
            b'}' => {
                alts -= 1;
                if alts == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// `unescapeMeta`: `\*`, `\?`, `\[`, `\]`, `\{`, `\}` lose their backslash.
pub(super) fn unescape_meta(s: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'\\' && i + 1 < s.len() && b"*?[]{}".contains(&s[i + 1]) {
            out.push(s[i + 1]);
            i += 2;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out
}

/// `buildAlt`: `prefix/` + `pattern[start..open]` + the alternative + `pattern[after..]`.
pub(super) fn build_alt(
    prefix: &[u8],
    pattern: &[u8],
    start: usize,
    open: usize,
    current: usize,
    next: usize,
    after: usize,
) -> Bytes {
    let mut out = Vec::new();
    if !prefix.is_empty() && prefix != b"." {
        out.extend_from_slice(prefix);
        out.push(b'/');
    }
    out.extend_from_slice(&pattern[start..open]);
    out.extend_from_slice(&pattern[current..next]);
    if after < pattern.len() {
        out.extend_from_slice(&pattern[after..]);
    }
    out
}

/// `sortAndRemoveDups`: merges the sorted runs `[a..b)` and `[b..)` in place, dropping repeats.
pub(super) fn sort_and_remove_dups(mut m: Vec<Bytes>, mut a: usize, b: usize) -> Vec<Bytes> {
    let mut len = m.len();
    while a < b {
        if m[a] < m[b] {
            a += 1;
            continue;
        }
        if m[a] > m[b] {
            let moved = m[b].clone();
            let tmp = std::mem::replace(&mut m[a], moved);
            let mut shift = b + 1;
            while shift < len && m[shift] < tmp {
                m[shift - 1] = m[shift].clone();
                shift += 1;
            }
            m[shift - 1] = tmp;
        } else {
            for shift in b + 1..len {
                m[shift - 1] = m[shift].clone();
            }
            len -= 1;
            if b == len {
                break;
            }
        }
        a += 1;
    }
    m.truncate(len);
    m
}

/// `ValidatePattern` (`doValidatePattern` with separator `/`).
pub(super) fn validate_pattern(s: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'\\' => {
                i += 1;
                if i >= s.len() {
                    return false;
                }
            }
            b'[' => {
                i += 1;
                if i >= s.len() {
                    return false;
                }
                if s[i] == b'^' || s[i] == b'!' {
                    i += 1;
                }
                if i >= s.len() || s[i] == b']' {
                    return false;
                }
                loop {
                    if i >= s.len() {
                        return false;
                    }
                    if s[i] == b'\\' {
                        i += 1;
                    } else if s[i] == b']' {
                        break;
                    }
                    i += 1;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// `utf8.DecodeRuneInString`: an invalid byte is U+FFFD of width 1.
fn decode(s: &[u8]) -> (char, usize) {
    let width = match s.first() {
        None => return ('\u{fffd}', 0),
        Some(b) if *b < 0x80 => 1,
        Some(b) if b >> 5 == 0b110 => 2,
        Some(b) if b >> 4 == 0b1110 => 3,
        Some(b) if b >> 3 == 0b11110 => 4,
        _ => return ('\u{fffd}', 1),
    };
    match s.get(..width).and_then(|c| std::str::from_utf8(c).ok()) {
        Some(c) => (c.chars().next().unwrap_or('\u{fffd}'), width),
        None => ('\u{fffd}', 1),
    }
}

/// One path segment against one pattern segment: `matchWithSeparator(pattern, name, '/', false, false)`.
pub(super) fn match_segment(pattern: &[u8], name: &[u8]) -> Result<bool, BadPattern> {
    do_match(pattern, name, false, Backtrack::default(), 0, 0)
}

/// `Match(pattern, name)`: the whole of `name`, validating the pattern.
pub fn path_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    do_match(
        pattern.as_bytes(),
        name.as_bytes(),
        true,
        Backtrack::default(),
        0,
        0,
    )
}

#[derive(Clone, Copy, Default)]
struct Backtrack {
    double_pattern: Option<usize>,
    double_name: usize,
    star_pattern: Option<usize>,
    star_name: usize,
}

/// `doMatchWithSeparator` with separator `/`, case-sensitive.
fn do_match(
    pattern: &[u8],
    name: &[u8],
    validate: bool,
    mut back: Backtrack,
    mut pat: usize,
    mut at: usize,
) -> Result<bool, BadPattern> {
    const SEP: char = '/';
    let mut start_of_segment = true;
    'outer: while at < name.len() {
        'step: {
            if pat >= pattern.len() {
                break 'step;
            }
            match pattern[pat] {
                b'*' => {
                    pat += 1;
                    if pat < pattern.len() && pattern[pat] == b'*' {
                        pat += 1;
                        if start_of_segment {
                            if pat >= pattern.len() {
                                return Ok(true);
                            }
                            let (c, w) = decode(&pattern[pat..]);
                            if c == SEP {
                                pat += w;
                                back.double_pattern = Some(pat);
                                back.double_name = at;
                                back.star_pattern = None;
                                back.star_name = 0;
                                continue 'outer;
                            }
                        }
                    }
                    start_of_segment = false;
                    back.star_pattern = Some(pat);
                    back.star_name = at;
                    continue 'outer;
                }
                b'?' => {
                    start_of_segment = false;
                    let (c, w) = decode(&name[at..]);
                    if c == SEP {
                        break 'step;
                    }
                    pat += 1;
                    at += w;
                    continue 'outer;
                }
                b'[' => {
                    start_of_segment = false;
                    pat += 1;
                    if pat >= pattern.len() {
                        return Err(BadPattern);
                    }
                    let (c, w) = decode(&name[at..]);
                    let negate = pattern[pat] == b'!' || pattern[pat] == b'^';
                    if negate {
                        pat += 1;
                    }
                    if pat >= pattern.len() || pattern[pat] == b']' {
                        return Err(BadPattern);
                    }
                    let mut matched = false;
                    let mut last: Option<char> = None;
                    while pat < pattern.len() && pattern[pat] != b']' {
                        let (mut p, pw) = decode(&pattern[pat..]);
                        pat += pw;
                        if let (Some(lo), true) = (last, p == '-') {
                            if pat < pattern.len() && pattern[pat] != b']' {
                                if pattern[pat] == b'\\' {
                                    pat += 1;
                                }
                                let (hi, hw) = decode(&pattern[pat..]);
                                pat += hw;
                                if lo <= c && c <= hi {
                                    matched = true;
                                    break;
                                }
                                last = None;
                                continue;
                            }
                        }
                        if p == '\\' {
                            let (escaped, ew) = decode(&pattern[pat..]);
                            p = escaped;
                            pat += ew;
                        }
                        if p == c {
                            matched = true;
                            break;
                        }
                        last = Some(p);
                    }
                    if matched == negate {
                        if pat >= pattern.len() {
                            return Err(BadPattern);
                        }
                        break 'step;
                    }
                    let Some(closing) = index_unescaped_byte(&pattern[pat..], b']', true) else {
                        return Err(BadPattern);
                    };
                    pat += closing + 1;
                    at += w;
                    continue 'outer;
                }
                b'{' => {
                    let before = pat;
                    pat += 1;
                    let Some(closing) = index_matched_closing_alt(&pattern[pat..], true) else {
                        return Err(BadPattern);
                    };
                    let closing = closing + pat;
                    let with = |alt: &[u8]| -> Bytes {
                        let mut p = pattern[..before].to_vec();
                        p.extend_from_slice(alt);
                        p.extend_from_slice(&pattern[closing + 1..]);
                        p
                    };
                    while let Some(comma) = index_next_alt(&pattern[pat..closing], true) {
                        let comma = comma + pat;
                        let result = do_match(
                            &with(&pattern[pat..comma]),
                            name,
                            validate,
                            back,
                            before,
                            at,
                        )?;
                        if result {
                            return Ok(true);
                        }
                        pat = comma + 1;
                    }
                    return do_match(
                        &with(&pattern[pat..closing]),
                        name,
                        validate,
                        back,
                        before,
                        at,
                    );
                }
                other => {
                    let escaping = other == b'\\';
                    if escaping {
                        pat += 1;
                        if pat >= pattern.len() {
                            return Err(BadPattern);
                        }
                    }
                    let (p, pw) = decode(&pattern[pat..]);
                    let (c, w) = decode(&name[at..]);
                    if p != c {
                        if pat > 0 && pattern[pat - 1] == b'\\' {
                            pat -= 1;
                        }
                        break 'step;
                    }
                    pat += pw;
                    at += w;
                    start_of_segment = p == SEP;
                    continue 'outer;
                }
            }
        }
        // The current pattern element did not match: backtrack.
        if let Some(star) = back.star_pattern {
            let (c, w) = decode(&name[back.star_name..]);
            if c != SEP {
                back.star_name += w;
                pat = star;
                at = back.star_name;
                start_of_segment = false;
                continue 'outer;
            }
        }
        if let Some(double) = back.double_pattern {
            at = back.double_name;
            while at < name.len() {
                let (c, w) = decode(&name[at..]);
                at += w;
                if c == SEP {
                    back.double_name = at;
                    pat = double;
                    start_of_segment = true;
                    continue 'outer;
                }
            }
        }
        if validate && pat < pattern.len() && !validate_pattern(&pattern[pat..]) {
            return Err(BadPattern);
        }
        return Ok(false);
    }
    is_zero_length_pattern(&pattern[pat.min(pattern.len())..], validate)
}

/// `isZeroLengthPattern`: whether the rest of the pattern matches the empty string.
fn is_zero_length_pattern(pattern: &[u8], validate: bool) -> Result<bool, BadPattern> {
    match pattern {
        b"" | b"*" | b"**" | b"/**" | b"**/" | b"/**/" => return Ok(true),
        _ => {}
    }
    if pattern[0] == b'{' {
        let Some(closing) = index_matched_closing_alt(&pattern[1..], true) else {
            return Err(BadPattern);
        };
        let closing = closing + 1;
        let mut pat = 1;
        let with = |alt: &[u8]| -> Bytes {
            let mut p = alt.to_vec();
            p.extend_from_slice(&pattern[closing + 1..]);
            p
        };
        while let Some(comma) = index_next_alt(&pattern[pat..closing], true) {
            let comma = comma + pat;
            if is_zero_length_pattern(&with(&pattern[pat..comma]), validate)? {
                return Ok(true);
            }
            pat = comma + 1;
        }
        return is_zero_length_pattern(&with(&pattern[pat..closing]), validate);
    }
    if validate && !validate_pattern(pattern) {
        return Err(BadPattern);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Match`: `*` stays in a segment, `**` spans segments, classes, alternatives, escapes.
    #[test]
    fn match_follows_doublestar() {
        let m = |p: &str, n: &str| path_match(p, n).unwrap();
        assert!(m("*.yaml", "a.yaml"));
        assert!(!m("*.yaml", "d/a.yaml"));
        assert!(m("**/a.yaml", "a.yaml"));
        assert!(m("**/a.yaml", "x/y/a.yaml"));
        assert!(
            m("x/**", "x"),
            "a trailing /** matches the directory itself"
        );
        assert!(m("v?.yaml", "v1.yaml"));
        assert!(!m("v?.yaml", "v/.yaml"));
        assert!(m("[a-c].yaml", "b.yaml"));
        assert!(m("[!a-c].yaml", "d.yaml"));
        assert!(m("[^a].yaml", "b.yaml"));
        assert!(m("{a,b/c}.yaml", "b/c.yaml"));
        assert!(m("a{,-x}.yaml", "a.yaml"));
        assert!(m("\\*.yaml", "*.yaml"));
        assert!(!m("\\*.yaml", "a.yaml"));
        assert!(m("x**.yaml", "xa.yaml"), "** inside a segment is *");
        assert_eq!(path_match("[", "a"), Err(BadPattern));
        assert_eq!(path_match("a{b", "a"), Err(BadPattern));
    }
}

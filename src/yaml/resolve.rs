//! Scalar typing and JSON conversion as Kubernetes and Argo CD decode YAML. `sigs.k8s.io/yaml`
//! (v1.6.0) unmarshals with go-yaml v2 (v2.4.x: `resolve.go`, `decode.go`), makes the result
//! JSON-compatible (`yaml.go` `convertToJSONableObject`) and then `json.Marshal`s it. Each function
//! here names the Go function it follows; the tests cite the branch they cover.
//!
//! In short: `yes`/`no`/`on`/`off`/`y`/`n` (three spellings each) are booleans, `010` is octal,
//! `0x1f` hex, `0b101` binary, `1_000` is 1000, `.inf`/`.nan` are floats (which JSON cannot hold),
//! timestamps stay strings, and mapping keys become strings.

use std::borrow::Cow;

use serde_json::{Map, Number, Value as J};

use super::{Node, Value, YamlError};

const PREFIX: &str = "tag:yaml.org,2002:";

/// A scalar as go-yaml v2 decodes it into `interface{}`.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    /// `int` (64-bit platforms).
    Int(i64),
    /// `uint64`: integers above `i64::MAX`.
    Uint(u64),
    Float(f64),
    Str(Cow<'a, str>),
}

/// The tags `resolve` knows (`resolvableTag`), plus the two `decoder.scalar` treats specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// No tag on a plain scalar: resolved from its text.
    Implicit,
    Str,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Binary,
    /// Any other tag (`!!merge`, `!custom`): the text, as a string.
    Other,
}

impl Tag {
    fn of(tag: &str) -> Tag {
        match tag.strip_prefix(PREFIX) {
            Some("str") => Tag::Str,
            Some("bool") => Tag::Bool,
            Some("int") => Tag::Int,
            Some("float") => Tag::Float,
            Some("null") => Tag::Null,
            Some("timestamp") => Tag::Timestamp,
            Some("binary") => Tag::Binary,
            _ => Tag::Other,
        }
    }

    /// `shortTag`, for error messages.
    fn short(self) -> &'static str {
        match self {
            Tag::Implicit | Tag::Other => "!!str",
            Tag::Str => "!!str",
            Tag::Bool => "!!bool",
            Tag::Int => "!!int",
            Tag::Float => "!!float",
            Tag::Null => "!!null",
            Tag::Timestamp => "!!timestamp",
            Tag::Binary => "!!binary",
        }
    }
}

/// `decoder.scalar` into `interface{}`: a quoted scalar without a tag is a string; anything else
/// goes through `resolve`. `!!binary` is base64-decoded; a timestamp stays its text.
pub fn scalar<'a>(text: &'a str, quoted: bool, tag: Option<&str>) -> Result<Scalar<'a>, String> {
    let tag = match tag {
        None if quoted => return Ok(Scalar::Str(Cow::Borrowed(text))),
        None => Tag::Implicit,
        // The non-specific tag `!` keeps a plain scalar implicit in go-yaml's parser, but
        // `resolve` gets the tag `!`, which it does not know: a string.
        Some(tag) => Tag::of(tag),
    };
    match tag {
        Tag::Binary => decode_base64(text)
            .map(|bytes| Scalar::Str(Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())))
            .ok_or_else(|| "!!binary value contains invalid base64 data".to_string()),
        Tag::Other => Ok(Scalar::Str(Cow::Borrowed(text))),
        _ => resolve(tag, text),
    }
}

/// `resolve` with its deferred tag check: an explicit tag must match what the text resolves to,
/// except that `!!float` accepts an integer (and makes it a float).
fn resolve(tag: Tag, text: &str) -> Result<Scalar<'_>, String> {
    let (resolved_tag, value) = resolve_implicit(tag, text);
    match (tag, resolved_tag, value) {
        (Tag::Implicit | Tag::Str, _, value) => Ok(value),
        (tag, resolved, value) if tag == resolved => Ok(value),
        (Tag::Float, Tag::Int, Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
        (tag, resolved, _) => Err(format!(
            "cannot decode {} `{text}` as a {}",
            resolved.short(),
            tag.short()
        )),
    }
}

/// The body of `resolve`: the first character hints at what the text may be (`resolveTable`);
/// the fixed spellings come from `resolveMap`; then numbers and timestamps are tried.
fn resolve_implicit(tag: Tag, text: &str) -> (Tag, Scalar<'_>) {
    let string = (Tag::Str, Scalar::Str(Cow::Borrowed(text)));
    let hint = match text.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        // `<<` is in resolveMap too, but `<` has no hint, so it never gets there.
        Some(_) => return string,
    };
    if tag == Tag::Str {
        return string;
    }
    if let Some(known) = resolve_map(text) {
        return known;
    }
    match hint {
        b'.' => {
            if let Some(f) = parse_float(text) {
                return (Tag::Float, Scalar::Float(f));
            }
        }
        b'D' | b'S' => {
            if matches!(tag, Tag::Implicit | Tag::Timestamp) && parse_timestamp(text) {
                // decoder.scalar keeps a timestamp's text when decoding into interface{}.
                return (Tag::Timestamp, Scalar::Str(Cow::Borrowed(text)));
            }
            let plain: Cow<str> = if text.contains('_') {
                Cow::Owned(text.replace('_', ""))
            } else {
                Cow::Borrowed(text)
            };
            if let Some(i) = parse_int(&plain, 0) {
                return (Tag::Int, Scalar::Int(i));
            }
            if let Some(u) = parse_uint(&plain, 0) {
                return (Tag::Int, Scalar::Uint(u));
            }
            if is_yaml_style_float(&plain) {
                if let Some(f) = parse_float(&plain) {
                    return (Tag::Float, Scalar::Float(f));
                }
            }
            // Go 1.13's ParseInt already reads `0b…` above; this older branch still catches
            // the digits after the prefix with a sign of their own (`0b-101`).
            if let Some(digits) = plain.strip_prefix("0b") {
                if let Some(i) = parse_int(digits, 2) {
                    return (Tag::Int, Scalar::Int(i));
                }
                if let Some(u) = parse_uint(digits, 2) {
                    return (Tag::Int, Scalar::Uint(u));
                }
            } else if let Some(digits) = plain.strip_prefix("-0b") {
                if let Some(i) = parse_int(&format!("-{digits}"), 2) {
                    return (Tag::Int, Scalar::Int(i));
                }
            }
        }
        _ => {}
    }
    string
}

/// `resolveMap`: YAML 1.1 booleans (`y`, `yes`, `on`, `true` and their negations, each in
/// lower, title and upper case), nulls, and the special floats.
fn resolve_map(text: &str) -> Option<(Tag, Scalar<'static>)> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            (Tag::Bool, Scalar::Bool(true))
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            (Tag::Bool, Scalar::Bool(false))
        }
        "" | "~" | "null" | "Null" | "NULL" => (Tag::Null, Scalar::Null),
        ".nan" | ".NaN" | ".NAN" => (Tag::Float, Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            (Tag::Float, Scalar::Float(f64::INFINITY))
        }
        "-.inf" | "-.Inf" | "-.INF" => (Tag::Float, Scalar::Float(f64::NEG_INFINITY)),
        _ => return None,
    })
}

/// `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    } else {
        if !digits(&mut i) {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms `resolve` hands it: underscores only between
/// digits, and out of range (±Inf) is an error.
fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    let plain = s.replace('_', "");
    if !is_yaml_style_float(&plain) {
        return None;
    }
    plain.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `strconv.underscoreOK`: each `_` sits between digits (a base prefix counts as a digit).
fn underscores_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if matches!(b.first(), Some(b'+' | b'-')) {
        b = &b[1..];
    }
    let mut saw = b'^';
    let mut hex = false;
    let mut i = 0;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, base, 64)`; base 0 reads the prefixes `0b`, `0o`, `0x` and a leading
/// `0` (octal). No sign; overflow is an error.
fn parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = match base {
        0 if b[0] == b'0' => match (b.len() >= 3).then(|| b[1].to_ascii_lowercase()) {
            Some(b'b') => (2, &s[2..]),
            Some(b'o') => (8, &s[2..]),
            Some(b'x') => (16, &s[2..]),
            _ => (8, &s[1..]),
        },
        0 => (10, s),
        base => (base, s),
    };
    digits.bytes().try_fold(0u64, |n, c| {
        let digit = (c as char).to_digit(36).filter(|&d| d < base)?;
        n.checked_mul(u64::from(base))?
            .checked_add(u64::from(digit))
    })
}

/// `strconv.ParseInt(s, base, 64)`: an optional sign, then [`parse_uint`], within `i64`.
fn parse_int(s: &str, base: u32) -> Option<i64> {
    let (negative, magnitude) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_uint(magnitude, base)?;
    if !negative {
        i64::try_from(magnitude).ok()
    } else if magnitude <= 1 << 63 {
        Some(0i64.wrapping_sub(magnitude as i64))
    } else {
        None
    }
}

/// `parseTimestamp`: what `time.Parse` accepts with `allowedTimestampFormats`
/// (`2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`,
/// `2006-1-2`), with Go's range checks on each field.
fn parse_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    // Go's getnum: one digit, or two when the second is a digit too.
    let number = |i: &mut usize, max_digits: usize| -> Option<u32> {
        let start = *i;
        while *i - start < max_digits && b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().ok())?
    };
    let literal = |i: &mut usize, c: u8| -> Option<()> { (b.get(*i) == Some(&c)).then(|| *i += 1) };
    let date = (|| {
        let year = number(&mut i, 4).filter(|_| i == 4)?;
        literal(&mut i, b'-')?;
        let month = number(&mut i, 2).filter(|m| (1..=12).contains(m))?;
        literal(&mut i, b'-')?;
        let day = number(&mut i, 2)?;
        (1..=days_in(month, year)).contains(&day).then_some(())
    })();
    if date.is_none() {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let separator = b[i];
    if !matches!(separator, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let clock = (|| {
        number(&mut i, 2).filter(|h| *h < 24)?;
        literal(&mut i, b':')?;
        number(&mut i, 2).filter(|m| *m < 60)?;
        literal(&mut i, b':')?;
        number(&mut i, 2).filter(|s| *s < 60)?;
        // Fractional seconds are optional; Go takes any number of digits after `.` or `,`.
        if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        Some(())
    })();
    if clock.is_none() {
        return false;
    }
    if separator == b' ' {
        return i == b.len();
    }
    // Z07:00: `Z`, or a sign and hh:mm.
    match &b[i..] {
        [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
            };
            // Go allows offsets up to 24 hours and 60 minutes.
            two(*h1, *h2).is_some_and(|h| h <= 24) && two(*m1, *m2).is_some_and(|m| m <= 60)
        }
        _ => false,
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `base64.StdEncoding.DecodeString` after go-yaml's scanner: padded standard alphabet, line
/// breaks ignored.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let symbols: Vec<u8> = text
        .bytes()
        .filter(|c| !matches!(c, b'\r' | b'\n'))
        .collect();
    if symbols.len() % 4 != 0 {
        return None;
    }
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    let quads = symbols.len() / 4;
    for (n, quad) in symbols.chunks(4).enumerate() {
        let padding = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if padding > 2 || (padding > 0 && n + 1 != quads) {
            return None;
        }
        let mut bits = 0u32;
        for &c in &quad[..4 - padding] {
            bits = bits << 6 | value(c)?;
        }
        bits <<= 6 * padding as u32;
        let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        out.extend_from_slice(&bytes[..3 - padding]);
    }
    Some(out)
}

/// `yamlToJSONTarget` without a target: go-yaml v2 decodes into `interface{}`,
/// `convertToJSONableObject` turns keys into strings and `json.Marshal` refuses what JSON cannot
/// hold. With `lossy`, such scalars and keys are kept as their text instead of failing.
pub(super) fn to_json(node: &Node, lossy: bool) -> Result<J, YamlError> {
    let fail = |message: String| YamlError {
        line: node.line,
        col: node.col,
        message,
    };
    match &node.value {
        Value::Scalar { text, quoted, tag } => {
            let typed = match scalar(text, *quoted, tag.as_deref()) {
                Ok(typed) => typed,
                Err(_) if lossy => return Ok(J::String(text.clone())),
                Err(message) => return Err(fail(message)),
            };
            Ok(match typed {
                Scalar::Null => J::Null,
                Scalar::Bool(b) => J::Bool(b),
                Scalar::Int(i) => J::from(i),
                Scalar::Uint(u) => J::from(u),
                Scalar::Float(f) => match Number::from_f64(f) {
                    Some(n) => J::Number(n),
                    None if lossy => J::String(text.clone()),
                    // json.Marshal: UnsupportedValueError, printed with strconv 'g'.
                    None => {
                        let shown = if f.is_nan() {
                            "NaN"
                        } else if f > 0.0 {
                            "+Inf"
                        } else {
                            "-Inf"
                        };
                        return Err(fail(format!("json: unsupported value: {shown}")));
                    }
                },
                Scalar::Str(s) => J::String(s.into_owned()),
            })
        }
        Value::Seq(items) => items
            .iter()
            .map(|item| to_json(item, lossy))
            .collect::<Result<_, _>>()
            .map(J::Array),
        Value::Map(entries) => {
            let mut object = Map::new();
            fill_mapping(&mut object, entries, lossy)?;
            Ok(J::Object(object))
        }
    }
}

/// `decoder.mapping` into a map: entries in order, a later key replacing an earlier one, and
/// `<<` merging (`decoder.merge`) at the point where it appears, so keys after it win over the
/// merged ones and keys before it lose (go-yaml v2).
fn fill_mapping(
    object: &mut Map<String, J>,
    entries: &[(Node, Node)],
    lossy: bool,
) -> Result<(), YamlError> {
    for (key, value) in entries {
        if is_merge(key) {
            match merge(object, value, lossy) {
                // Lossy: a merge that cannot happen stays an ordinary `<<` entry.
                Err(_) if lossy => {}
                done => {
                    done?;
                    continue;
                }
            }
        }
        let key = json_key(key, lossy)?;
        object.insert(key, to_json(value, lossy)?);
    }
    Ok(())
}

/// `isMerge`: a plain `<<` key (or one tagged `!!merge`).
fn is_merge(key: &Node) -> bool {
    match &key.value {
        Value::Scalar { text, quoted, tag } => {
            text == "<<"
                && match tag.as_deref() {
                    None => !quoted,
                    Some(tag) => tag == "!" || tag == "tag:yaml.org,2002:merge",
                }
        }
        _ => false,
    }
}

/// `decoder.merge`: a mapping, or a sequence of mappings of which earlier ones win.
fn merge(object: &mut Map<String, J>, value: &Node, lossy: bool) -> Result<(), YamlError> {
    let want_map = || YamlError {
        line: value.line,
        col: value.col,
        message: "map merge requires map or sequence of maps as the value".into(),
    };
    match &value.value {
        Value::Map(entries) => fill_mapping(object, entries, lossy),
        Value::Seq(items) => {
            for item in items.iter().rev() {
                match &item.value {
                    Value::Map(entries) => fill_mapping(object, entries, lossy)?,
                    _ => return Err(want_map()),
                }
            }
            Ok(())
        }
        Value::Scalar { .. } => Err(want_map()),
    }
}

/// The entry of a mapping that gives the JSON key `key` its value in [`to_json`]: the last
/// entry with that key, where a `<<` merge counts as the entries it merges at its place (in a
/// sequence of merged mappings, the first that has the key wins), as `fill_mapping` fills.
pub(super) fn json_entry<'a>(
    entries: &'a [(Node, Node)],
    key: &str,
) -> Option<(&'a Node, &'a Node)> {
    entries.iter().rev().find_map(|(k, v)| {
        if is_merge(k) {
            match &v.value {
                Value::Map(merged) => json_entry(merged, key),
                Value::Seq(items) => items.iter().find_map(|item| match &item.value {
                    Value::Map(merged) => json_entry(merged, key),
                    _ => None,
                }),
                Value::Scalar { .. } => None,
            }
        } else {
            (json_key(k, true).ok()? == key).then_some((k, v))
        }
    })
}

/// `convertToJSONableObject` for a key: strings as they are, integers in decimal, floats with
/// `strconv.FormatFloat(f, 'g', -1, 32)` (and `.inf`, `-.inf`, `.nan`), booleans as
/// `true`/`false`. A null or `uint64` key is an error, and so (in `decoder.mapping`) is a sequence
/// or mapping key.
fn json_key(key: &Node, lossy: bool) -> Result<String, YamlError> {
    let fail = |message: String| YamlError {
        line: key.line,
        col: key.col,
        message,
    };
    let Value::Scalar { text, quoted, tag } = &key.value else {
        if lossy {
            return Ok(to_json(key, true)?.to_string());
        }
        return Err(fail("invalid map key: a sequence or mapping".into()));
    };
    let typed = match scalar(text, *quoted, tag.as_deref()) {
        Ok(typed) => typed,
        Err(_) if lossy => return Ok(text.clone()),
        Err(message) => return Err(fail(message)),
    };
    Ok(match typed {
        Scalar::Str(s) => s.into_owned(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Float(f) => format_float32_g(f),
        Scalar::Null | Scalar::Uint(_) if lossy => text.clone(),
        Scalar::Null => return Err(fail("unsupported map key of type: <nil>".into())),
        Scalar::Uint(_) => {
            return Err(fail(format!(
                "unsupported map key of type: uint64, key: {text}"
            )));
        }
    })
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the special values: the
/// shortest digits of the float32, in `%e` form when the exponent is below -4 or at least 6.
fn format_float32_g(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0");
    }
    // Rust's `{:e}` prints the shortest round-tripping digits: `d.ddde±x`.
    let shortest = format!("{:e}", f.abs());
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let point = exponent + 1;
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{fraction}e{exp_sign}{:02}", exponent.abs());
    }
    let n = digits.len() as i32;
    let mut out = String::from(sign);
    if point > 0 {
        for i in 0..point {
            out.push(
                digits
                    .as_bytes()
                    .get(i as usize)
                    .map_or('0', |&c| c as char),
            );
        }
    } else {
        out.push('0');
    }
    let precision = (n - point).max(0);
    if precision > 0 {
        out.push('.');
        for i in 0..precision {
            let at = point + i;
            out.push(if at >= 0 && at < n {
                digits.as_bytes()[at as usize] as char
            } else {
                '0'
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;

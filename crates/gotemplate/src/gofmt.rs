//! Go's `fmt` and `strconv` output rules for the values templates handle, and Go's
//! `encoding/json` encoder. Written to match Go's documented behaviour: strconv/ftoa.go for
//! floats, fmt/print.go and fmt/format.go for verbs, encoding/json/encode.go for JSON.

use std::fmt::Write as _;

use super::value::{MAX_DEPTH, V};

/// Decimal digits (no leading/trailing zeros) and the decimal point position of |f|:
/// |f| = 0.d1d2d3... × 10^dp. `sig` = None asks for the shortest round-tripping digits.
fn decimal_digits(f: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    if f == 0.0 {
        return (Vec::new(), 0);
    }
    // Rust's `{:e}` prints the shortest round-trip digits; `{:.Ne}` rounds exactly to N+1
    // significant digits (half to even), both as Go's strconv does.
    let s = match sig {
        None => format!("{:e}", f.abs()),
        Some(n) => format!("{:.*e}", n.max(1) - 1, f.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    if digits.is_empty() {
        return (Vec::new(), 0);
    }
    (digits, exp + 1)
}

fn fmt_e(out: &mut String, digits: &[u8], dp: i32, prec: usize, ch: char) {
    out.push(digits.first().map_or('0', |&d| d as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digits.get(i).map_or('0', |&d| d as char));
        }
    }
    out.push(ch);
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    let _ = write!(out, "{e}");
}

fn fmt_f(out: &mut String, digits: &[u8], dp: i32, prec: usize) {
    if dp > 0 {
        for i in 0..dp as usize {
            out.push(digits.get(i).map_or('0', |&d| d as char));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i64 {
            let j = dp as i64 + i - 1;
            let d = if j >= 0 {
                digits.get(j as usize).copied()
            } else {
                None
            };
            out.push(d.map_or('0', |d| d as char));
        }
    }
}

/// `strconv.FormatFloat(f, fmt, prec, 64)` for fmt in e, E, f, g, G; prec < 0 = shortest.
pub(crate) fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let shortest = prec < 0;
    match fmt {
        'f' | 'F' => {
            if shortest {
                let (d, dp) = decimal_digits(f, None);
                let decimals = (d.len() as i32 - dp).max(0) as usize;
                fmt_f(&mut out, &d, dp, decimals);
            } else {
                let _ = write!(out, "{:.*}", prec as usize, f.abs());
            }
        }
        'e' | 'E' => {
            let (d, dp) = if shortest {
                decimal_digits(f, None)
            } else {
                decimal_digits(f, Some(prec as usize + 1))
            };
            let p = if shortest {
                d.len().saturating_sub(1)
            } else {
                prec as usize
            };
            fmt_e(&mut out, &d, dp, p, fmt);
        }
        _ => {
            // 'g' / 'G' (strconv/ftoa.go formatDigits)
            let (d, dp) = if shortest {
                decimal_digits(f, None)
            } else {
                decimal_digits(f, Some(prec.max(1) as usize))
            };
            let nd = d.len() as i32;
            let mut p = if shortest { nd } else { prec.max(1) };
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            let ech = if fmt == 'G' { 'E' } else { 'e' };
            if d.is_empty() {
                // zero prints as "0" in %g
                out.push('0');
            } else if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                fmt_e(&mut out, &d, dp, (p - 1).max(0) as usize, ech);
            } else {
                if p > dp {
                    p = nd;
                }
                fmt_f(&mut out, &d, dp, (p - dp).max(0) as usize);
            }
        }
    }
    out
}

/// Go's `%v` of a value, as `fmt.Sprint` prints it.
pub(crate) fn sprint_value(v: &V) -> String {
    let mut s = String::new();
    write_value(&mut s, v, 0);
    s
}

fn write_value(out: &mut String, v: &V, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("...");
        return;
    }
    match v {
        V::Nil => out.push_str("<nil>"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) | V::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        V::Byte(b) => {
            let _ = write!(out, "{b}");
        }
        V::Float(f) => out.push_str(&format_float(*f, 'g', -1)),
        V::Str(s) => out.push_str(s),
        V::List(l, _) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_value(out, x, depth + 1);
            }
            out.push(']');
        }
        V::Map(m, _) => {
            out.push_str("map[");
            for (i, (k, x)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_value(out, x, depth + 1);
            }
            out.push(']');
        }
    }
}

/// `fmt.Sprint`: operands are separated by a space when neither side is a string.
pub(crate) fn sprint(args: &[V]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, V::Str(_));
        if i > 0 && !is_str && !matches!(args[i - 1], V::Str(_)) {
            out.push(' ');
        }
        out.push_str(&sprint_value(a));
    }
    out
}

/// `fmt.Sprintln`: always separated by spaces, newline appended.
pub(crate) fn sprintln(args: &[V]) -> String {
    let parts: Vec<String> = args.iter().map(sprint_value).collect();
    let mut s = parts.join(" ");
    s.push('\n');
    s
}

/// Approximates Go's `unicode.IsPrint`: graphic characters plus the ASCII space.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF)
}

/// `strconv.Quote` (with `"`) or the char form with `'`.
pub(crate) fn go_quote(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
            continue;
        }
        if is_print(c) {
            out.push(c);
            continue;
        }
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push(quote);
    out
}

#[derive(Default, Clone, Copy)]
struct Flags {
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(out: &mut String, s: &str, fl: Flags, numeric: bool) {
    let len = s.chars().count();
    let w = fl.width.unwrap_or(0);
    if len >= w {
        out.push_str(s);
        return;
    }
    let n = w - len;
    if fl.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', n));
    } else if fl.zero && numeric {
        // zeros go after the sign
        let (sign, rest) = match s.chars().next() {
            Some(c @ ('+' | '-' | ' ')) => (Some(c), &s[1..]),
            _ => (None, s),
        };
        if let Some(c) = sign {
            out.push(c);
        }
        out.extend(std::iter::repeat_n('0', n));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', n));
        out.push_str(s);
    }
}

fn bad_verb(verb: char, v: Option<&V>) -> String {
    match v {
        None | Some(V::Nil) => format!("%!{verb}(<nil>)"),
        Some(v) => format!("%!{verb}({}={})", v.type_name(), sprint_value(v)),
    }
}

fn fmt_int(i: i128, verb: char, fl: Flags) -> Option<String> {
    let neg = i < 0;
    let a = i.unsigned_abs();
    let mut body = match verb {
        'd' | 'v' => a.to_string(),
        'b' => format!("{a:b}"),
        'o' => {
            if fl.sharp {
                format!("0{a:o}")
            } else {
                format!("{a:o}")
            }
        }
        'O' => format!("0o{a:o}"),
        'x' => {
            if fl.sharp {
                format!("0x{a:x}")
            } else {
                format!("{a:x}")
            }
        }
        'X' => {
            if fl.sharp {
                format!("0X{a:X}")
            } else {
                format!("{a:X}")
            }
        }
        'c' => return Some(char::from_u32(i as u32).unwrap_or('\u{FFFD}').to_string()),
        'q' => {
            return Some(go_quote(
                &char::from_u32(i as u32).unwrap_or('\u{FFFD}').to_string(),
                '\'',
            ));
        }
        'U' => return Some(format!("U+{:04X}", i)),
        _ => return None,
    };
    if let Some(p) = fl.prec {
        while body.len() < p {
            body.insert(0, '0');
        }
    }
    Some(if neg {
        format!("-{body}")
    } else if fl.plus {
        format!("+{body}")
    } else if fl.space {
        format!(" {body}")
    } else {
        body
    })
}

fn fmt_one(out: &mut String, verb: char, fl: Flags, v: &V, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let s: String = match v {
        V::List(l, _) if verb != 'T' => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_one(out, verb, fl, x, depth + 1);
            }
            out.push(']');
            return;
        }
        V::Map(m, _) if verb != 'T' => {
            out.push_str("map[");
            for (i, (k, x)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                fmt_one(out, verb, fl, &V::Str(k.clone()), depth + 1);
                out.push(':');
                fmt_one(out, verb, fl, x, depth + 1);
            }
            out.push(']');
            return;
        }
        _ if verb == 'T' => v.type_name().to_string(),
        V::List(..) | V::Map(..) => sprint_value(v),
        V::Nil => {
            if verb == 'v' {
                "<nil>".into()
            } else {
                bad_verb(verb, None)
            }
        }
        V::Bool(b) => match verb {
            'v' | 't' => b.to_string(),
            _ => bad_verb(verb, Some(v)),
        },
        V::Int(i) | V::Int64(i) => {
            fmt_int(*i as i128, verb, fl).unwrap_or_else(|| bad_verb(verb, Some(v)))
        }
        V::Byte(b) => fmt_int(*b as i128, verb, fl).unwrap_or_else(|| bad_verb(verb, Some(v))),
        V::Float(f) => {
            let p = fl.prec.map_or(-1, |p| p as i32);
            let body = match verb {
                'v' | 'g' => Some(format_float(*f, 'g', p)),
                'G' => Some(format_float(*f, 'G', p)),
                'e' | 'E' => Some(format_float(*f, verb, fl.prec.unwrap_or(6) as i32)),
                'f' | 'F' => Some(format_float(*f, 'f', fl.prec.unwrap_or(6) as i32)),
                _ => None,
            };
            match body {
                Some(b) => {
                    if (fl.plus || fl.space) && !b.starts_with('-') && !b.starts_with('+') {
                        format!("{}{b}", if fl.plus { '+' } else { ' ' })
                    } else if !fl.plus && b == "+Inf" {
                        "+Inf".into()
                    } else {
                        b
                    }
                }
                None => bad_verb(verb, Some(v)),
            }
        }
        V::Str(s) => match verb {
            'v' | 's' => match fl.prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            },
            'q' => go_quote(s, '"'),
            'x' => s.bytes().map(|b| format!("{b:02x}")).collect(),
            'X' => s.bytes().map(|b| format!("{b:02X}")).collect(),
            _ => bad_verb(verb, Some(v)),
        },
    };
    let numeric = matches!(v, V::Int(_) | V::Int64(_) | V::Float(_) | V::Byte(_));
    pad(out, &s, fl, numeric);
}

/// `fmt.Sprintf` for the verbs templates use in practice.
pub(crate) fn sprintf(format: &str, args: &[V]) -> String {
    let mut out = String::new();
    let mut argi = 0;
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut fl = Flags::default();
        loop {
            match chars.peek() {
                Some('-') => fl.minus = true,
                Some('+') => fl.plus = true,
                Some('#') => fl.sharp = true,
                Some(' ') => fl.space = true,
                Some('0') => fl.zero = true,
                _ => break,
            }
            chars.next();
        }
        let read_num = |chars: &mut std::iter::Peekable<std::str::Chars>, argi: &mut usize| {
            if chars.peek() == Some(&'*') {
                chars.next();
                let n = match args.get(*argi) {
                    Some(V::Int(i)) | Some(V::Int64(i)) => Some((*i).max(0) as usize),
                    _ => None,
                };
                *argi += 1;
                return n;
            }
            let mut n: Option<usize> = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = Some(
                    n.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(d as usize)
                        .min(1 << 20),
                );
                chars.next();
            }
            n
        };
        fl.width = read_num(&mut chars, &mut argi);
        if chars.peek() == Some(&'.') {
            chars.next();
            fl.prec = Some(read_num(&mut chars, &mut argi).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(argi) {
            None => {
                let _ = write!(out, "%!{verb}(MISSING)");
            }
            Some(a) => {
                fmt_one(&mut out, verb, fl, a, 0);
                argi += 1;
            }
        }
    }
    if argi < args.len() {
        out.push_str("%!(EXTRA ");
        let extra: Vec<String> = args[argi..]
            .iter()
            .map(|a| match a {
                V::Nil => "<nil>".to_string(),
                a => format!("{}={}", a.type_name(), sprint_value(a)),
            })
            .collect();
        out.push_str(&extra.join(", "));
        out.push(')');
    }
    out
}

/// Writes a JSON string the way Go's encoding/json does.
fn json_string(out: &mut String, s: &str, escape_html: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float64 as encoding/json writes it: plain decimal unless very small or large.
pub(crate) fn json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = format_float(f, 'e', -1);
        // Go trims the exponent's leading zero: 1e-07 -> 1e-7.
        let n = s.len();
        if n >= 4 && &s[n - 4..n - 2] == "e-" && &s[n - 2..n - 1] == "0" {
            s.remove(n - 2);
        }
        s
    } else {
        format_float(f, 'f', -1)
    }
}

/// `json.Marshal` / `MarshalIndent(v, "", indent)` / an Encoder without HTML escaping.
pub(crate) fn to_json(v: &V, indent: Option<&str>, escape_html: bool) -> Result<String, String> {
    let mut out = String::new();
    write_json(&mut out, v, indent, escape_html, 0)?;
    Ok(out)
}

fn newline(out: &mut String, indent: Option<&str>, level: usize) {
    if let Some(ind) = indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_json(
    out: &mut String,
    v: &V,
    indent: Option<&str>,
    esc: bool,
    level: usize,
) -> Result<(), String> {
    if level > MAX_DEPTH {
        return Err("json: unsupported value: encountered a cycle".into());
    }
    match v {
        V::Nil => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) | V::Int64(i) => {
            let _ = write!(out, "{i}");
        }
        V::Byte(b) => {
            let _ = write!(out, "{b}");
        }
        V::Float(f) => {
            if !f.is_finite() {
                return Err(format!(
                    "json: unsupported value: {}",
                    format_float(*f, 'g', -1)
                ));
            }
            out.push_str(&json_float(*f));
        }
        V::Str(s) => json_string(out, s, esc),
        V::List(l, _) => {
            if l.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_json(out, x, indent, esc, level + 1)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        V::Map(m, _) => {
            let m = m.borrow();
            if m.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                json_string(out, k, esc);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_json(out, x, indent, esc, level + 1)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
    }
    Ok(())
}

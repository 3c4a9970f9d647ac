//! A YAML emitter reproducing what `sigs.k8s.io/yaml.Marshal` prints (Argo CD's `toYaml`):
//! the value goes through JSON and is emitted by go-yaml v2, so numbers written as integers
//! stay integers, keys are sorted, sequences inside mappings are not indented, plain scalars
//! fold at 80 columns, and strings that would read back as another type are quoted.
//! Quoting and style choices follow go-yaml v2's emitterc.go/encode.go/resolve.go.

use std::sync::OnceLock;

use regex::Regex;

use super::gofmt::{format_float, json_float};
use super::parse::parse_go_int;
use super::value::{MAX_DEPTH, V};

const BEST_WIDTH: usize = 80;

pub(crate) fn to_yaml(v: &V) -> Result<String, String> {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
    };
    e.node(v, 0, Ctx::Top, 0)?;
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    Ok(e.out)
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Top,
    MapValue,
    SeqItem,
}

struct Emitter {
    out: String,
    column: usize,
}

fn float_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").expect("valid regex")
    })
}

fn base60_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").expect("valid regex")
    })
}

fn timestamp_regex() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$")
            .expect("valid regex")
    })
}

/// Whether a plain scalar with this text would be read back as something other than a string
/// (go-yaml v2 resolve.go, plus its base-60 float check in encode.go).
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
        "on", "On", "ON", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
        "OFF", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return true;
    };
    if !matches!(first, '+' | '-' | '.' | '0'..='9') {
        return false;
    }
    let plain = s.replace('_', "");
    if parse_go_int(&plain).is_some_and(|v| v >= i64::MIN as i128 && v <= u64::MAX as i128) {
        return true;
    }
    if float_regex().is_match(&plain) {
        return true;
    }
    for p in ["0b", "-0b", "+0b"] {
        if let Some(rest) = plain.strip_prefix(p)
            && !rest.is_empty()
            && rest.chars().all(|c| c == '0' || c == '1')
        {
            return true;
        }
    }
    timestamp_regex().is_match(s) || base60_regex().is_match(s)
}

/// go-yaml's notion of a printable character (emitter with unicode enabled).
fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A
        || (0x20..=0x7E).contains(&u)
        || (0xA0..=0xD7FF).contains(&u)
        || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// yaml_emitter_analyze_scalar + select_scalar_style for a block-context string.
fn choose_style(s: &str, simple_key: bool) -> Style {
    let requested = if s.contains('\n') {
        Style::Literal
    } else if !resolves_to_non_string(s) {
        Style::Plain
    } else {
        Style::Double
    };
    if s.is_empty() {
        return Style::Double;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut block_ind = false;
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
    }
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break, mut special, mut line_breaks) =
        (false, false, false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let mut preceded_by_ws = true;
    let n = chars.len();
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = is_blank(chars.get(i + 1).copied());
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if followed_by_ws => block_ind = true,
                _ => {}
            }
        } else {
            // flow indicators (`,[]{}?`) only matter in flow context, which we never emit
            match c {
                ':' if followed_by_ws => block_ind = true,
                '#' if preceded_by_ws => block_ind = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i + 1 == n {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + 1 == n {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = is_blank(Some(c));
    }
    let mut plain_ok = true;
    let mut single_ok = true;
    let mut block_ok = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        plain_ok = false;
    }
    if trailing_space {
        block_ok = false;
    }
    if break_space {
        plain_ok = false;
        single_ok = false;
    }
    if space_break || special {
        plain_ok = false;
        single_ok = false;
        block_ok = false;
    }
    if line_breaks || block_ind {
        plain_ok = false;
    }
    let mut style = requested;
    if style == Style::Plain && !plain_ok {
        style = Style::Single;
    }
    if style == Style::Literal && (!block_ok || simple_key) {
        style = Style::Double;
    }
    if style == Style::Single && (!single_ok || (simple_key && line_breaks)) {
        style = Style::Double;
    }
    style
}

impl Emitter {
    fn put(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
            self.out.push(c);
        }
    }

    /// Breaks the line (unless already at its start) and indents.
    fn newline_indent(&mut self, indent: usize) {
        if !self.ends_line() {
            self.put("\n");
        }
        for _ in 0..indent {
            self.put(" ");
        }
    }

    fn scalar_number(&mut self, v: &V) {
        let text = match v {
            V::Int(i) | V::Int64(i) => i.to_string(),
            V::Byte(b) => b.to_string(),
            V::Float(f) => {
                // sigs.k8s.io/yaml goes through JSON: integral text reads back as an int.
                let j = json_float(*f);
                let integral = !j.contains(['.', 'e', 'E']);
                if integral && (j.parse::<i64>().is_ok() || j.parse::<u64>().is_ok()) {
                    j
                } else {
                    let f2: f64 = j.parse().unwrap_or(*f);
                    format_float(f2, 'g', -1)
                }
            }
            _ => String::new(),
        };
        self.put(&text);
    }

    /// Writes a string scalar; `indent` is the indentation continuation lines get.
    fn string(&mut self, s: &str, indent: usize, simple_key: bool) {
        let style = choose_style(s, simple_key);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => {
                let chars: Vec<char> = s.chars().collect();
                let mut spaces = false;
                for (i, &c) in chars.iter().enumerate() {
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.column > BEST_WIDTH
                            && chars.get(i + 1) != Some(&' ')
                        {
                            self.newline_indent(indent);
                        } else {
                            self.put(" ");
                        }
                        spaces = true;
                    } else {
                        self.put(c.encode_utf8(&mut [0; 4]));
                        spaces = false;
                    }
                }
            }
            Style::Single => {
                self.put("'");
                let chars: Vec<char> = s.chars().collect();
                let mut spaces = false;
                for (i, &c) in chars.iter().enumerate() {
                    if c == ' ' {
                        if allow_breaks
                            && !spaces
                            && self.column > BEST_WIDTH
                            && i != 0
                            && i + 1 != chars.len()
                            && chars.get(i + 1) != Some(&' ')
                        {
                            self.newline_indent(indent);
                        } else {
                            self.put(" ");
                        }
                        spaces = true;
                    } else {
                        if c == '\'' {
                            self.put("'");
                        }
                        self.put(c.encode_utf8(&mut [0; 4]));
                        spaces = false;
                    }
                }
                self.put("'");
            }
            Style::Double => self.double_quoted(s, indent, allow_breaks),
            Style::Literal => self.literal(s, indent),
        }
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            let u = c as u32;
            if !is_printable(c) || u == 0xFEFF || is_break(c) || c == '"' || c == '\\' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\x07' => "\\a".into(),
                    '\x08' => "\\b".into(),
                    '\t' => "\\t".into(),
                    '\n' => "\\n".into(),
                    '\x0b' => "\\v".into(),
                    '\x0c' => "\\f".into(),
                    '\r' => "\\r".into(),
                    '\x1b' => "\\e".into(),
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\u{85}' => "\\N".into(),
                    '\u{a0}' => "\\_".into(),
                    '\u{2028}' => "\\L".into(),
                    '\u{2029}' => "\\P".into(),
                    _ if u <= 0xFF => format!("\\x{u:02X}"),
                    _ if u <= 0xFFFF => format!("\\u{u:04X}"),
                    _ => format!("\\U{u:08X}"),
                };
                self.put(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                {
                    self.newline_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put(" ");
                }
                spaces = true;
            } else {
                self.put(c.encode_utf8(&mut [0; 4]));
                spaces = false;
            }
        }
        self.put("\"");
    }

    fn literal(&mut self, s: &str, indent: usize) {
        let mut header = String::from("|");
        if s.starts_with(' ') || s.starts_with(is_break) {
            header.push('2');
        }
        let chars: Vec<char> = s.chars().collect();
        match chars.last() {
            Some(&c) if !is_break(c) => header.push('-'),
            None => header.push('-'),
            Some(_) => {
                if chars.len() == 1 || chars.get(chars.len() - 2).is_some_and(|&c| is_break(c)) {
                    header.push('+');
                }
            }
        }
        self.put(&header);
        self.put("\n");
        let mut at_line_start = true;
        for c in chars {
            if is_break(c) {
                self.put("\n");
                at_line_start = true;
            } else {
                if at_line_start {
                    for _ in 0..indent {
                        self.put(" ");
                    }
                    at_line_start = false;
                }
                self.put(c.encode_utf8(&mut [0; 4]));
            }
        }
        if !at_line_start {
            self.put("\n");
        }
    }

    fn ends_line(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Emits `v` whose block indentation (for nested collections) is `indent`.
    fn node(&mut self, v: &V, indent: usize, ctx: Ctx, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("value nested too deeply to marshal".into());
        }
        let scalar_indent = if ctx == Ctx::Top { 2 } else { indent + 2 };
        match v {
            V::Nil => self.put("null"),
            V::Bool(b) => self.put(if *b { "true" } else { "false" }),
            V::Int(_) | V::Int64(_) | V::Byte(_) => self.scalar_number(v),
            V::Float(f) => {
                if !f.is_finite() {
                    return Err(format!(
                        "error marshaling into JSON: json: unsupported value: {}",
                        format_float(*f, 'g', -1)
                    ));
                }
                self.scalar_number(v)
            }
            V::Str(s) => self.string(s, scalar_indent, false),
            V::List(l, _) => {
                if l.is_empty() {
                    self.put("[]");
                    return Ok(());
                }
                // A sequence that is a mapping value is not indented (go-yaml v2).
                let seq_indent = match ctx {
                    Ctx::Top => 0,
                    Ctx::MapValue => indent,
                    Ctx::SeqItem => indent + 2,
                };
                for (i, item) in l.iter().enumerate() {
                    // a nested sequence starts on its parent's "- " line
                    if i > 0 || ctx == Ctx::MapValue {
                        self.newline_indent(seq_indent);
                    }
                    self.put("- ");
                    self.node(item, seq_indent, Ctx::SeqItem, depth + 1)?;
                }
            }
            V::Map(m, _) => {
                let entries: Vec<(String, V)> = {
                    let b = m.borrow();
                    let mut e: Vec<(String, V)> =
                        b.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    e.sort_by(|a, b| yaml_key_order(&a.0, &b.0));
                    e
                };
                if entries.is_empty() {
                    self.put("{}");
                    return Ok(());
                }
                let map_indent = match ctx {
                    Ctx::Top => 0,
                    Ctx::MapValue => indent + 2,
                    Ctx::SeqItem => indent + 2,
                };
                for (i, (k, val)) in entries.iter().enumerate() {
                    if i > 0 || ctx == Ctx::MapValue {
                        self.newline_indent(map_indent);
                    }
                    self.string(k, map_indent + 2, true);
                    self.put(":");
                    match val {
                        V::Map(mm, _) if !mm.borrow().is_empty() => {
                            self.node(val, map_indent, Ctx::MapValue, depth + 1)?;
                        }
                        V::List(ll, _) if !ll.is_empty() => {
                            self.node(val, map_indent, Ctx::MapValue, depth + 1)?;
                        }
                        _ => {
                            self.put(" ");
                            self.node(val, map_indent, Ctx::MapValue, depth + 1)?;
                        }
                    }
                }
            }
        }
        if ctx == Ctx::Top && !self.out.ends_with('\n') {
            self.put("\n");
        }
        Ok(())
    }
}

/// go-yaml v2's key order (sorter.go): digit runs compare numerically and non-letters sort
/// before letters.
fn yaml_key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i128, 0i128);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(ar[ai] as i128 - '0' as i128);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(br[bi] as i128 - '0' as i128);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

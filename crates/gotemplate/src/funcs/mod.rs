//! The function map: text/template's builtins (funcs.go), sprig v3's generic map
//! (Masterminds/sprig functions.go, minus env/expandenv/getHostByName as Argo CD removes
//! them), and Argo CD's additions (applicationset/utils: normalize, slugify, toYaml, fromYaml,
//! fromYamlArray; and tpl). Each entry carries its Go parameter types so arguments are checked
//! the way text/template checks them (a float64 where an int is expected is an error).
//!
//! One file per family; [`lookup`] asks each family in turn, and no name belongs to two.

mod argo;
mod builtins;
mod dates;
mod defaults;
mod dicts;
mod encoding;
mod lists;
mod math;
mod paths;
mod regex;
mod semver;
mod strings;
mod url;

use std::rc::Rc;

pub use argo::sanitize_name;

use super::Options;
use super::exec::Ev;
use super::gofmt::sprint_value;
use super::parse::parse_go_int;
use super::value::V;

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

/// Each family's own `lookup`.
const FAMILIES: &[fn(&str) -> Option<Spec>] = &[
    builtins::lookup,
    dates::lookup,
    strings::lookup,
    math::lookup,
    defaults::lookup,
    encoding::lookup,
    paths::lookup,
    dicts::lookup,
    lists::lookup,
    semver::lookup,
    regex::lookup,
    url::lookup,
    argo::lookup,
];

pub(crate) fn is_known(name: &str) -> bool {
    lookup(name).is_some()
}

pub(crate) fn lookup(name: &str) -> Option<Spec> {
    FAMILIES.iter().find_map(|family| family(name))
}

/// A function with fixed parameters.
fn f(params: &'static [Ty], imp: Imp) -> Option<Spec> {
    Some(Spec {
        params,
        variadic: None,
        imp,
    })
}

/// A variadic function: `params`, then any number of `v`.
fn var(params: &'static [Ty], v: Ty, imp: Imp) -> Option<Spec> {
    Some(Spec {
        params,
        variadic: Some(v),
        imp,
    })
}

fn unsupported(_: &mut Ctx, _: Args) -> Res {
    Err("not supported offline: the result depends on the clock, randomness or secrets".into())
}

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

fn byte_slice(s: &str, start: usize, end: usize) -> String {
    String::from_utf8_lossy(&s.as_bytes()[start..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::FAMILIES;

    /// Every name of the function map, as the one `match` had them before the split.
    const NAMES: &str = "\
        and or not len index print println printf html js urlquery call eq ne lt le gt ge ago \
        date date_in_zone date_modify dateInZone dateModify durationRound htmlDate \
        htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch duration \
        hello abbrev abbrevboth trunc trim upper lower title untitle substr repeat trimall \
        trimAll trimSuffix trimPrefix nospace initials swapcase randAlphaNum randAlpha randAscii \
        randNumeric shuffle randInt randBytes uuidv4 snakecase kebabcase camelcase wrap wrapWith \
        contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum \
        sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split \
        splitList splitn toStrings until untilStep add1 add sub div mod mul add1f addf subf mulf \
        divf biggest max min maxf minf ceil floor round join sortAlpha default empty coalesce \
        all any compact mustCompact fromJson mustFromJson toJson mustToJson toPrettyJson \
        mustToPrettyJson toRawJson mustToRawJson ternary deepCopy mustDeepCopy typeOf typeIs \
        typeIsLike kindOf kindIs deepEqual base osBase dir osDir clean osClean ext osExt isAbs \
        osIsAbs b64enc b64dec b32enc b32dec tuple list dict get set unset hasKey pluck keys pick \
        omit merge mustMerge mergeOverwrite mustMergeOverwrite values dig append push mustAppend \
        mustPush prepend mustPrepend first mustFirst last mustLast rest mustRest initial \
        mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice \
        mustSlice concat chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword \
        buildCustomCert genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey \
        genSignedCert genSignedCertWithKey encryptAES decryptAES semver semverCompare fail \
        regexMatch mustRegexMatch regexFindAll mustRegexFindAll regexFind mustRegexFind \
        regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral mustRegexReplaceAllLiteral \
        regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin normalize slugify toYaml \
        fromYaml fromYamlArray tpl";

    #[test]
    fn every_name_belongs_to_exactly_one_family() {
        let names: Vec<&str> = NAMES.split_whitespace().collect();
        assert_eq!(names.len(), 232);
        for name in names {
            let owners = FAMILIES.iter().filter(|l| l(name).is_some()).count();
            assert_eq!(owners, 1, "{name} is in {owners} families");
        }
    }
}

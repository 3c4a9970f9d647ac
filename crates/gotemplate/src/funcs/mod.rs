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

    /// Every name of Argo CD v3.5.1's template function map (`applicationset/utils/utils.go`
    /// `init`): sprig v3.3.0's `GenericFuncMap` without `env`, `expandenv` and `getHostByName`,
    /// plus `normalize`, `slugify`, `toYaml`, `fromYaml`, `fromYamlArray`, plus Go's
    /// `text/template` builtins.
    const ARGO_FUNCTIONS: &[&str] = &[
        "abbrev",
        "abbrevboth",
        "add",
        "add1",
        "add1f",
        "addf",
        "adler32sum",
        "ago",
        "all",
        "and",
        "any",
        "append",
        "atoi",
        "b32dec",
        "b32enc",
        "b64dec",
        "b64enc",
        "base",
        "bcrypt",
        "biggest",
        "buildCustomCert",
        "call",
        "camelcase",
        "cat",
        "ceil",
        "chunk",
        "clean",
        "coalesce",
        "compact",
        "concat",
        "contains",
        "date",
        "dateInZone",
        "dateModify",
        "date_in_zone",
        "date_modify",
        "decryptAES",
        "deepCopy",
        "deepEqual",
        "default",
        "derivePassword",
        "dict",
        "dig",
        "dir",
        "div",
        "divf",
        "duration",
        "durationRound",
        "empty",
        "encryptAES",
        "eq",
        "ext",
        "fail",
        "first",
        "float64",
        "floor",
        "fromJson",
        "fromYaml",
        "fromYamlArray",
        "ge",
        "genCA",
        "genCAWithKey",
        "genPrivateKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "get",
        "gt",
        "has",
        "hasKey",
        "hasPrefix",
        "hasSuffix",
        "hello",
        "html",
        "htmlDate",
        "htmlDateInZone",
        "htpasswd",
        "indent",
        "index",
        "initial",
        "initials",
        "int",
        "int64",
        "isAbs",
        "join",
        "js",
        "kebabcase",
        "keys",
        "kindIs",
        "kindOf",
        "last",
        "le",
        "len",
        "list",
        "lower",
        "lt",
        "max",
        "maxf",
        "merge",
        "mergeOverwrite",
        "min",
        "minf",
        "mod",
        "mul",
        "mulf",
        "mustAppend",
        "mustChunk",
        "mustCompact",
        "mustDateModify",
        "mustDeepCopy",
        "mustFirst",
        "mustFromJson",
        "mustHas",
        "mustInitial",
        "mustLast",
        "mustMerge",
        "mustMergeOverwrite",
        "mustPrepend",
        "mustPush",
        "mustRegexFind",
        "mustRegexFindAll",
        "mustRegexMatch",
        "mustRegexReplaceAll",
        "mustRegexReplaceAllLiteral",
        "mustRegexSplit",
        "mustRest",
        "mustReverse",
        "mustSlice",
        "mustToDate",
        "mustToJson",
        "mustToPrettyJson",
        "mustToRawJson",
        "mustUniq",
        "mustWithout",
        "must_date_modify",
        "ne",
        "nindent",
        "normalize",
        "nospace",
        "not",
        "now",
        "omit",
        "or",
        "osBase",
        "osClean",
        "osDir",
        "osExt",
        "osIsAbs",
        "pick",
        "pluck",
        "plural",
        "prepend",
        "print",
        "printf",
        "println",
        "push",
        "quote",
        "randAlpha",
        "randAlphaNum",
        "randAscii",
        "randBytes",
        "randInt",
        "randNumeric",
        "regexFind",
        "regexFindAll",
        "regexMatch",
        "regexQuoteMeta",
        "regexReplaceAll",
        "regexReplaceAllLiteral",
        "regexSplit",
        "repeat",
        "replace",
        "rest",
        "reverse",
        "round",
        "semver",
        "semverCompare",
        "seq",
        "set",
        "sha1sum",
        "sha256sum",
        "sha512sum",
        "shuffle",
        "slice",
        "slugify",
        "snakecase",
        "sortAlpha",
        "split",
        "splitList",
        "splitn",
        "squote",
        "sub",
        "subf",
        "substr",
        "swapcase",
        "ternary",
        "title",
        "toDate",
        "toDecimal",
        "toJson",
        "toPrettyJson",
        "toRawJson",
        "toString",
        "toStrings",
        "toYaml",
        "trim",
        "trimAll",
        "trimPrefix",
        "trimSuffix",
        "trimall",
        "trunc",
        "tuple",
        "typeIs",
        "typeIsLike",
        "typeOf",
        "uniq",
        "unixEpoch",
        "unset",
        "until",
        "untilStep",
        "untitle",
        "upper",
        "urlJoin",
        "urlParse",
        "urlquery",
        "uuidv4",
        "values",
        "without",
        "wrap",
        "wrapWith",
    ];

    /// The string literals that are match-arm patterns in a family's `lookup`: followed by `=>`
    /// or `|`, and first on their line or after a `|`.
    fn arm_names(source: &str) -> Vec<String> {
        let mut names = Vec::new();
        for line in source.lines() {
            let mut rest = line;
            while let Some(start) = rest.find('"') {
                let head = rest[..start].trim_end();
                let after = &rest[start + 1..];
                let Some(end) = after.find('"') else { break };
                let literal = &after[..end];
                let tail = after[end + 1..].trim_start();
                let leads = head.is_empty() || head.ends_with('|');
                let arm = tail.starts_with("=>") || tail.starts_with('|');
                let is_name = !literal.is_empty()
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_');
                if leads && arm && is_name {
                    names.push(literal.to_string());
                }
                rest = &after[end + 1..];
                if !arm {
                    break;
                }
            }
        }
        names
    }

    /// The map is Argo CD's exactly: every name resolves, and no family knows another one (a
    /// call of any other function is "function … not defined", a template-error).
    #[test]
    fn the_function_map_is_argo_cds() {
        use super::is_known;
        for name in ARGO_FUNCTIONS {
            assert!(
                is_known(name),
                "{name} is in Argo CD's map but not known here"
            );
        }
        let sources = [
            include_str!("argo.rs"),
            include_str!("builtins.rs"),
            include_str!("dates.rs"),
            include_str!("defaults.rs"),
            include_str!("dicts.rs"),
            include_str!("encoding.rs"),
            include_str!("lists.rs"),
            include_str!("math.rs"),
            include_str!("paths.rs"),
            include_str!("regex.rs"),
            include_str!("semver.rs"),
            include_str!("strings.rs"),
            include_str!("url.rs"),
        ];
        for source in sources {
            for name in arm_names(source) {
                if is_known(&name) {
                    assert!(
                        ARGO_FUNCTIONS.contains(&name.as_str()),
                        "{name} is not in Argo CD's map"
                    );
                }
            }
        }
        for absent in [
            "tpl",
            "include",
            "required",
            "env",
            "expandenv",
            "getHostByName",
            "lookup",
        ] {
            assert!(!is_known(absent), "{absent}");
        }
    }
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
        fromYaml fromYamlArray";

    #[test]
    fn every_name_belongs_to_exactly_one_family() {
        let names: Vec<&str> = NAMES.split_whitespace().collect();
        assert_eq!(names.len(), 231);
        for name in names {
            let owners = FAMILIES.iter().filter(|l| l(name).is_some()).count();
            assert_eq!(owners, 1, "{name} is in {owners} families");
        }
    }
}

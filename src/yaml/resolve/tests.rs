//! One test per branch of the Go code `resolve.rs` follows, each naming it.

use super::*;
use crate::yaml::parse_documents;
use serde_json::json;

/// A plain, untagged scalar.
fn plain(text: &str) -> Scalar<'_> {
    scalar(text, false, None).unwrap()
}

fn string(text: &str) -> Scalar<'_> {
    Scalar::Str(Cow::Borrowed(text))
}

/// The value under `v` of a one-line document, typed.
fn typed(yaml: &str) -> Result<Scalar<'static>, String> {
    let root = parse_documents(&format!("v: {yaml}\n"))
        .unwrap()
        .remove(0)
        .root;
    let Value::Scalar { text, quoted, tag } = &root.get("v").unwrap().value else {
        panic!("{yaml} is not a scalar");
    };
    scalar(text, *quoted, tag.as_deref()).map(|s| match s {
        Scalar::Str(s) => Scalar::Str(Cow::Owned(s.into_owned())),
        Scalar::Null => Scalar::Null,
        Scalar::Bool(b) => Scalar::Bool(b),
        Scalar::Int(i) => Scalar::Int(i),
        Scalar::Uint(u) => Scalar::Uint(u),
        Scalar::Float(f) => Scalar::Float(f),
    })
}

fn json(yaml: &str) -> Result<J, YamlError> {
    parse_documents(yaml).unwrap().remove(0).root.to_json()
}

// go-yaml v2 resolve.go init(): resolveMapList's booleans, every spelling; resolve() looks
// them up before anything else.
#[test]
fn resolve_map_booleans() {
    for t in [
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    ] {
        assert_eq!(plain(t), Scalar::Bool(true), "{t}");
    }
    for f in [
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    ] {
        assert_eq!(plain(f), Scalar::Bool(false), "{f}");
    }
    // Mixed case beyond title case is not in the table.
    for s in ["yEs", "tRUE", "oN", "nO", "OfF"] {
        assert_eq!(plain(s), string(s), "{s}");
    }
}

// go-yaml v2 resolve.go init(): resolveMapList's nulls; an empty scalar gets the hint 'N'
// and is found in the map.
#[test]
fn resolve_map_nulls() {
    for n in ["", "~", "null", "Null", "NULL"] {
        assert_eq!(plain(n), Scalar::Null, "{n:?}");
    }
    assert_eq!(plain("nULL"), string("nULL"));
}

// go-yaml v2 resolve.go init(): resolveMapList's .nan, .inf, +.inf and -.inf.
#[test]
fn resolve_map_special_floats() {
    for n in [".nan", ".NaN", ".NAN"] {
        assert!(matches!(plain(n), Scalar::Float(f) if f.is_nan()), "{n}");
    }
    for i in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] {
        assert_eq!(plain(i), Scalar::Float(f64::INFINITY), "{i}");
    }
    for i in ["-.inf", "-.Inf", "-.INF"] {
        assert_eq!(plain(i), Scalar::Float(f64::NEG_INFINITY), "{i}");
    }
    assert_eq!(plain(".iNf"), string(".iNf"));
}

// go-yaml v2 resolve.go resolve(): a character without a hint (and so `<<`, whose `<` has
// none) is a string; hint 'M' not found in the map is a string.
#[test]
fn no_hint_and_hint_m_are_strings() {
    assert_eq!(plain("<<"), string("<<"));
    assert_eq!(plain("web"), string("web"));
    for s in ["yes please", "Off-peak", "true1", "no-op", "~x"] {
        assert_eq!(plain(s), string(s), "{s}");
    }
}

// go-yaml v2 resolve.go resolve(), hint '.': strconv.ParseFloat on the text as written.
#[test]
fn hint_dot_parses_a_float() {
    assert_eq!(plain(".5"), Scalar::Float(0.5));
    assert_eq!(plain(".5e3"), Scalar::Float(500.0));
    assert_eq!(plain(".5_5"), Scalar::Float(0.55));
    for s in [".", "._5", ".5_", ".5.", ".e3", ".1e400", ".5x"] {
        assert_eq!(plain(s), string(s), "{s}");
    }
}

// go-yaml v2 resolve.go resolve(), hints 'D'/'S': a timestamp (parseTimestamp) is tried first
// and decoder.scalar keeps its text when decoding into interface{}.
#[test]
fn timestamps_stay_strings() {
    for s in [
        "2001-12-14",
        "2001-12-14T21:59:43.10Z",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10",
        "2001-1-2",
    ] {
        assert!(parse_timestamp(s), "{s}");
        assert_eq!(plain(s), string(s), "{s}");
    }
    // parseTimestamp: four digits and `-` first, Go's field ranges, nothing left over.
    for s in [
        "20011-12-14",
        "2001-13-01",
        "2001-02-29",
        "2001-12-14T25:00:00Z",
        "2001-12-14T21:59:43",
        "2001-12-14 21:59:43 -5",
        "2001-12-14x",
    ] {
        assert!(!parse_timestamp(s), "{s}");
    }
    assert!(parse_timestamp("2000-02-29"));
}

// go-yaml v2 resolve.go resolve(), hints 'D'/'S': underscores removed, then
// strconv.ParseInt(plain, 0, 64): leading 0 is octal, 0o, 0x and 0b prefixes, a sign.
#[test]
fn parse_int_with_go_base_prefixes() {
    for (text, value) in [
        ("010", 8),
        ("-010", -8),
        ("0o17", 15),
        ("0O17", 15),
        ("0x1f", 31),
        ("0X1F", 31),
        ("0b101", 5),
        ("-0b101", -5),
        ("+1", 1),
        ("-0", 0),
        ("0", 0),
        ("00", 0),
        ("1_000", 1000),
        ("0x_1f", 31),
        ("-9223372036854775808", i64::MIN),
    ] {
        assert_eq!(plain(text), Scalar::Int(value), "{text}");
    }
    for s in ["0x", "0b", "0x1g", "1-2", "+", "-", "0b102"] {
        assert_eq!(plain(s), string(s), "{s}");
    }
}

// go-yaml v2 resolve.go resolve(): strconv.ParseUint(plain, 0, 64) when ParseInt overflows.
#[test]
fn parse_uint_above_i64() {
    assert_eq!(
        plain("9223372036854775808"),
        Scalar::Uint(9_223_372_036_854_775_808)
    );
    assert_eq!(plain("0xffffffffffffffff"), Scalar::Uint(u64::MAX));
    // Beyond u64, or negative beyond i64: the float branch.
    assert_eq!(
        plain("18446744073709551616"),
        Scalar::Float(18_446_744_073_709_551_616.0)
    );
    assert_eq!(
        plain("-9223372036854775809"),
        Scalar::Float(-9_223_372_036_854_775_809.0)
    );
    assert_eq!(plain("0x10000000000000000"), string("0x10000000000000000"));
}

// go-yaml v2 resolve.go resolve(): yamlStyleFloat, then strconv.ParseFloat (out of range is an
// error, so the text stays a string).
#[test]
fn yaml_style_floats() {
    for (text, value) in [
        ("1e3", 1000.0),
        ("1.5", 1.5),
        ("1.", 1.0),
        ("+1.5", 1.5),
        ("-1.5e-3", -0.0015),
        ("+.5", 0.5),
        ("1_0.5", 10.5),
        // Not octal: ParseInt fails on 8, the float pattern matches.
        ("08", 8.0),
        ("09.5", 9.5),
    ] {
        assert_eq!(plain(text), Scalar::Float(value), "{text}");
    }
    for s in ["1e400", "1.2.3", "1e", "1e+", "1.5f", "-.inf5"] {
        assert_eq!(plain(s), string(s), "{s}");
    }
}

// go-yaml v2 resolve.go resolve(): the `0b` and `-0b` branches, which catch a sign after the
// prefix that ParseInt's own prefix handling refuses.
#[test]
fn binary_prefix_branches() {
    assert_eq!(plain("0b-101"), Scalar::Int(-5));
    assert_eq!(plain("0b+101"), Scalar::Int(5));
    assert_eq!(plain("-0b-101"), string("-0b-101"));
}

// go-yaml v2 decode.go decoder.scalar(): a quoted scalar without a tag is a string.
#[test]
fn quoted_scalars_are_strings() {
    for q in ["'010'", "\"yes\"", "'~'", "\"1e3\"", "''"] {
        assert!(matches!(typed(q), Ok(Scalar::Str(_))), "{q}");
    }
}

// go-yaml v2 resolve.go resolve(): resolvableTag and the deferred check of an explicit tag;
// decode.go decoder.scalar(): !!binary is base64.
#[test]
fn explicit_tags() {
    assert_eq!(typed("!!str 010"), Ok(Scalar::Str("010".into())));
    assert_eq!(typed("!!int '010'"), Ok(Scalar::Int(8)));
    assert_eq!(typed("!!float 1"), Ok(Scalar::Float(1.0)));
    assert_eq!(typed("!!bool \"yes\""), Ok(Scalar::Bool(true)));
    assert_eq!(typed("!!null ''"), Ok(Scalar::Null));
    assert_eq!(
        typed("!!timestamp 2001-12-14"),
        Ok(Scalar::Str("2001-12-14".into()))
    );
    assert_eq!(typed("!custom 010"), Ok(Scalar::Str("010".into())));
    assert_eq!(typed("! 010"), Ok(Scalar::Str("010".into())));
    assert_eq!(typed("!!merge <<"), Ok(Scalar::Str("<<".into())));
    assert_eq!(typed("!!binary aGVsbG8="), Ok(Scalar::Str("hello".into())));
    assert_eq!(
        typed("!!int 1.5"),
        Err("cannot decode !!float `1.5` as a !!int".into())
    );
    assert_eq!(
        typed("!!float 18446744073709551615"),
        Err("cannot decode !!int `18446744073709551615` as a !!float".into())
    );
    assert_eq!(
        typed("!!timestamp soon"),
        Err("cannot decode !!str `soon` as a !!timestamp".into())
    );
    assert!(typed("!!binary aGVsbG8").is_err());
}

#[test]
fn base64_like_go() {
    assert_eq!(decode_base64("aGk=").as_deref(), Some(&b"hi"[..]));
    assert_eq!(decode_base64("aG\nk=").as_deref(), Some(&b"hi"[..]));
    assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
    assert_eq!(decode_base64("a=Gk"), None);
    assert_eq!(decode_base64("aGk= "), None);
}

// sigs.k8s.io/yaml yaml.go convertToJSONableObject(): keys become strings (ints in decimal,
// floats with FormatFloat 'g' at 32 bits, bools as true/false); null and uint64 keys fail.
#[test]
fn keys_become_strings() {
    assert_eq!(
        json("1: a\n010: b\n1.5: c\nyes: d\n1e3: e\n.inf: f\n3.14159265: g\n'010': h\n").unwrap(),
        json!({"1": "a", "8": "b", "1.5": "c", "true": "d", "1000": "e", ".inf": "f",
               "3.1415927": "g", "010": "h"})
    );
    let null_key = json("a: 1\n~: 2\n").unwrap_err();
    assert_eq!(
        (null_key.line, null_key.message.as_str()),
        (2, "unsupported map key of type: <nil>")
    );
    assert!(json("18446744073709551615: x\n").is_err());
    // decode.go decoder.mapping(): a sequence or mapping key is an error.
    assert!(json("? [a]\n: b\n").is_err());
}

#[test]
fn float32_g_format() {
    for (f, s) in [
        (1.0, "1"),
        (1000.0, "1000"),
        (123_456.0, "123456"),
        (1e6, "1e+06"),
        (1_234_567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (0.1, "0.1"),
        (-2.5, "-2.5"),
        (0.0, "0"),
        (1e39, ".inf"),
        (f64::NAN, ".nan"),
    ] {
        assert_eq!(format_float32_g(f), s, "{f}");
    }
}

// sigs.k8s.io/yaml yaml.go yamlToJSONTarget(): json.Marshal refuses NaN and ±Inf.
#[test]
fn json_cannot_hold_inf_or_nan() {
    let e = json("a:\n  b: .inf\n").unwrap_err();
    assert_eq!(
        (e.line, e.message.as_str()),
        (2, "json: unsupported value: +Inf")
    );
    assert_eq!(
        json("a: -.inf\n").unwrap_err().message,
        "json: unsupported value: -Inf"
    );
    assert_eq!(
        json("a: .nan\n").unwrap_err().message,
        "json: unsupported value: NaN"
    );
    let root = parse_documents("a: .inf\n~: 1\n").unwrap().remove(0).root;
    assert_eq!(root.to_json_lossy(), json!({"a": ".inf", "~": 1}));
}

// go-yaml v2 decode.go decoder.mapping()/merge(): `<<` merges where it stands (later keys
// win, earlier ones lose), a sequence of maps merges with earlier maps winning, a quoted `<<`
// is an ordinary key, and anything but maps is an error.
#[test]
fn merge_keys_like_go_yaml_v2() {
    let doc = "base: &b {a: 1, b: 2}\nother: &o {a: 9, c: 3}\n\
               inline:\n  a: 0\n  <<: *b\n  b: 5\n\
               listed:\n  <<: [*b, *o]\n\
               quoted:\n  '<<': *b\n";
    let j = json(doc).unwrap();
    assert_eq!(j["inline"], json!({"a": 1, "b": 5}));
    assert_eq!(j["listed"], json!({"a": 1, "b": 2, "c": 3}));
    assert_eq!(j["quoted"], json!({"<<": {"a": 1, "b": 2}}));
    let e = json("m:\n  <<: 1\n").unwrap_err();
    assert_eq!(
        e.message,
        "map merge requires map or sequence of maps as the value"
    );
    assert!(json("m:\n  <<: [{a: 1}, 2]\n").is_err());
}

// sigs.k8s.io/yaml yaml.go: what Kubernetes and Argo CD read from a manifest.
#[test]
fn kubernetes_json_of_a_manifest() {
    let doc = "enabled: yes\nreplicas: 010\nmask: 0x1f\nbig: 1_000\nflags: 0b101\nratio: 1e3\n\
               plus: +1\nzero: -0\nwhen: 2001-12-14\nquoted: 'on'\nnothing: ~\nlist: [off, n, Y]\n";
    assert_eq!(
        json(doc).unwrap(),
        json!({"enabled": true, "replicas": 8, "mask": 31, "big": 1000, "flags": 5,
               "ratio": 1000.0, "plus": 1, "zero": 0, "when": "2001-12-14", "quoted": "on",
               "nothing": null, "list": [false, false, true]})
    );
}

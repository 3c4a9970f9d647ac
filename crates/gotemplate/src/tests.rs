//! Cases re-expressed from Go's text/template tests, sprig's documentation and tests, and
//! Argo CD's applicationset/utils tests and docs.

use serde_json::{Value, json};

use super::{Options, go_format_value, parse};

fn run_opts(tpl: &str, data: Value, opts: Options) -> Result<String, String> {
    let t = parse(tpl).map_err(|e| e.message)?;
    t.execute(&data, opts).map_err(|e| e.message)
}

fn run(tpl: &str, data: Value) -> String {
    match run_opts(tpl, data, Options::default()) {
        Ok(s) => s,
        Err(e) => panic!("{tpl:?} failed: {e}"),
    }
}

fn run_err(tpl: &str, data: Value) -> String {
    match run_opts(tpl, data, Options::default()) {
        Ok(s) => panic!("{tpl:?} should fail but gave {s:?}"),
        Err(e) => e,
    }
}

const STRICT: Options = Options {
    missing_key_error: true,
    yaml: None,
};

/// A stand-in for the host's YAML parser: JSON, or flat `key: value` / `- item` lines.
fn test_yaml(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if !lines.is_empty() && lines.iter().all(|l| l.starts_with("- ")) {
        return Ok(Value::Array(
            lines
                .iter()
                .map(|l| Value::String(l[2..].to_string()))
                .collect(),
        ));
    }
    if !lines.is_empty()
        && lines
            .iter()
            .all(|l| l.contains(": ") && !l.starts_with(' '))
    {
        let mut m = serde_json::Map::new();
        for l in lines {
            let (k, v) = l.split_once(": ").unwrap_or((l, ""));
            let v = v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(v.to_string()));
            m.insert(k.to_string(), v);
        }
        return Ok(Value::Object(m));
    }
    Ok(Value::String(
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    ))
}

#[test]
fn floats_print_like_go_fmt() {
    let data = json!({"a": 1000000.0, "b": 123456.0, "c": 1.5, "d": 0.00001, "e": 3.0,
        "f": 0.0001, "g": 1234567.0, "h": -2.5, "i": 1000000, "j": 100000.0, "k": 1e21});
    assert_eq!(run("{{.a}}", data.clone()), "1e+06");
    assert_eq!(run("{{.b}}", data.clone()), "123456");
    assert_eq!(run("{{.c}}", data.clone()), "1.5");
    assert_eq!(run("{{.d}}", data.clone()), "1e-05");
    assert_eq!(run("{{.e}}", data.clone()), "3");
    assert_eq!(run("{{.f}}", data.clone()), "0.0001");
    assert_eq!(run("{{.g}}", data.clone()), "1.234567e+06");
    assert_eq!(run("{{.h}}", data.clone()), "-2.5");
    assert_eq!(run("{{.i}}", data.clone()), "1000000");
    assert_eq!(run("{{.j}}", data.clone()), "100000");
    assert_eq!(run("{{.k}}", data.clone()), "1e+21");
    // JSON keeps the plain notation Go's encoding/json uses
    assert_eq!(run("{{ toJson .a }}", data.clone()), "1000000");
    assert_eq!(run("{{ toJson .d }}", data), "0.00001");
    assert_eq!(go_format_value(&json!(1e-7)), "1e-07");
    assert_eq!(go_format_value(&json!(0.1)), "0.1");
}

#[test]
fn go_format_value_composites() {
    assert_eq!(
        go_format_value(&json!({"b": "x", "a": 1.0})),
        "map[a:1 b:x]"
    );
    assert_eq!(go_format_value(&json!(["a", "b", null])), "[a b <nil>]");
    assert_eq!(go_format_value(&json!(null)), "<nil>");
    assert_eq!(go_format_value(&json!(true)), "true");
    assert_eq!(
        go_format_value(&json!({"m": {"k": [1.0, 2.5]}})),
        "map[m:map[k:[1 2.5]]]"
    );
}

#[test]
fn missing_keys() {
    assert_eq!(run("{{ .missing }}", json!({})), "<no value>");
    assert_eq!(run("{{ .missing.deeper }}", json!({})), "<no value>");
    assert_eq!(
        run("--> {{.doesnotexist}} <--", json!({"unused": "x"})),
        "--> <no value> <--"
    );
    let e = run_opts("--> {{.doesnotexist}} <--", json!({"unused": "x"}), STRICT).unwrap_err();
    assert_eq!(
        e,
        r#"template: :1:6: executing "" at <.doesnotexist>: map has no entry for key "doesnotexist""#
    );
    assert_eq!(run(r#"{{ default "x" .missing }}"#, json!({})), "x");
    assert_eq!(run(r#"{{ .missing | default "x" }}"#, json!({})), "x");
    assert!(run_opts(r#"{{ default "x" .missing }}"#, json!({}), STRICT).is_err());
    // index does not consult missingkey
    assert_eq!(
        run_opts(r#"{{ index . "nope" }}"#, json!({}), STRICT).unwrap(),
        "<no value>"
    );
    // a missing value cannot become a string argument
    assert!(run_err("{{ upper .missing }}", json!({})).contains("invalid value; expected string"));
    // null prints as no value; fields of null are an error
    assert_eq!(run("{{ .n }}", json!({"n": null})), "<no value>");
    assert!(
        run_err("{{ .n.x }}", json!({"n": null})).contains("nil pointer evaluating interface {}.x")
    );
    assert_eq!(
        run(
            r#"{{ if eq .missing "x" }}y{{ else }}n{{ end }}"#,
            json!({})
        ),
        "n"
    );
}

#[test]
fn error_messages_match_go() {
    assert_eq!(
        run_err("{{.data.test}}", json!({"data": "a data string"})),
        r#"template: :1:7: executing "" at <.data.test>: can't evaluate field test in type interface {}"#
    );
    let e = parse("{{functiondoesnotexist}}").err().map(|e| e.message);
    assert_eq!(
        e.as_deref(),
        Some(r#"template: :1: function "functiondoesnotexist" not defined"#)
    );
    for name in ["env", "expandenv", "getHostByName", "required", "include"] {
        assert!(parse(&format!("{{{{ {name} \"x\" }}}}")).is_err(), "{name}");
    }
    assert!(
        parse("{{ $x }}")
            .unwrap_err()
            .message
            .contains("undefined variable \"$x\"")
    );
    assert!(
        parse("{{ if .a }}")
            .unwrap_err()
            .message
            .contains("unexpected EOF")
    );
    assert!(
        parse("{{ end }}")
            .unwrap_err()
            .message
            .contains("unexpected {{end}}")
    );
    assert!(
        parse("{{ break }}")
            .unwrap_err()
            .message
            .contains("{{break}} outside {{range}}")
    );
    assert!(
        parse("{{ .a | 3 }}")
            .unwrap_err()
            .message
            .contains("non executable command")
    );
    assert!(parse("{{ .foo-bar }}").is_err());
    let e = parse("line1\n{{ nope }}").err().unwrap();
    assert!(e.message.starts_with("template: :2:"), "{}", e.message);
    assert_eq!(e.offset, 9);
}

#[test]
fn trim_markers_and_comments() {
    let d = json!({"x": "X"});
    assert_eq!(run("a  {{- .x -}}  b", d.clone()), "aXb");
    assert_eq!(run("a \n {{- .x }} b", d.clone()), "aX b");
    assert_eq!(run("a {{/* note */}}b", d.clone()), "a b");
    assert_eq!(run("a {{- /* note */ -}} b", d.clone()), "ab");
    assert_eq!(run("{{-3}}", d.clone()), "-3");
    assert_eq!(run("x\n{{- if true }}\n  y\n{{- end }}\n", d), "x\n  y\n");
    assert!(parse("{{/* open").is_err());
    assert!(parse("{{/* c */ .x }}").is_err());
}

#[test]
fn control_structures() {
    let d = json!({"m": {"b": 2.0, "a": 1.0}, "l": ["x", "y", "z"], "t": true, "s": "", "n": 3.0});
    assert_eq!(
        run("{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}", d.clone()),
        "a=1;b=2;"
    );
    assert_eq!(run("{{range .m}}{{.}}{{end}}", d.clone()), "12");
    assert_eq!(
        run("{{range $i, $e := .l}}{{$i}}{{$e}}{{end}}", d.clone()),
        "0x1y2z"
    );
    assert_eq!(
        run(
            "{{range .l}}{{if eq . \"y\"}}{{continue}}{{end}}{{.}}{{end}}",
            d.clone()
        ),
        "xz"
    );
    assert_eq!(
        run(
            "{{range .l}}{{if eq . \"y\"}}{{break}}{{end}}{{.}}{{end}}",
            d.clone()
        ),
        "x"
    );
    assert_eq!(
        run("{{range .missing}}a{{else}}empty{{end}}", d.clone()),
        "empty"
    );
    assert_eq!(run("{{range 3}}{{.}}{{end}}", d.clone()), "012");
    assert_eq!(run("{{range -1}}a{{else}}none{{end}}", d.clone()), "none");
    assert!(run_err("{{range 20000000}}{{end}}", d.clone()).contains("resource limits"));
    assert!(run_err("{{range .n}}{{.}}{{end}}", d.clone()).contains("range can't iterate over 3"));
    assert_eq!(
        run("{{if .s}}a{{else if .t}}b{{else}}c{{end}}", d.clone()),
        "b"
    );
    assert_eq!(run("{{with .m}}{{.a}}{{end}}", d.clone()), "1");
    assert_eq!(
        run(
            "{{with .s}}x{{else with .l}}{{index . 1}}{{end}}",
            d.clone()
        ),
        "y"
    );
    assert_eq!(run("{{with .s}}x{{else}}none{{end}}", d.clone()), "none");
    assert_eq!(
        run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", d.clone()),
        "2"
    );
    assert_eq!(run("{{range .l}}{{$.n}}{{end}}", d.clone()), "333");
    assert_eq!(
        run(
            r#"{{define "t"}}[{{.}}]{{end}}{{template "t" .s}}{{template "t" "v"}}"#,
            d.clone()
        ),
        "[][v]"
    );
    assert_eq!(run(r#"{{block "b" .n}}<{{.}}>{{end}}"#, d.clone()), "<3>");
    assert!(
        run_err(
            r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#,
            d
        )
        .contains("exceeded maximum template depth")
    );
}

#[test]
fn builtins() {
    let d = json!({"n": 3.0, "i": 2, "l": ["a", "b"], "s": "hello", "m": {"k": "v"}});
    assert!(run_err("{{ eq .n 3 }}", d.clone()).contains("incompatible types for comparison"));
    assert_eq!(run("{{ eq .n 3.0 }}", d.clone()), "true");
    assert_eq!(run("{{ eq .i 2 }}", d.clone()), "true");
    assert_eq!(run(r#"{{ eq .s "x" "hello" }}"#, d.clone()), "true");
    assert_eq!(run(r#"{{ ne .s "x" }}"#, d.clone()), "true");
    assert_eq!(
        run("{{ lt 1 2 }} {{ ge 2.5 2.5 }} {{ gt .s \"a\" }}", d.clone()),
        "true true true"
    );
    assert!(run_err("{{ lt .missing 2 }}", d.clone()).contains("invalid type for comparison"));
    assert_eq!(run(r#"{{ or .missing "dflt" }}"#, d.clone()), "dflt");
    assert_eq!(run("{{ and 1 0 2 }}", d.clone()), "0");
    assert_eq!(run("{{ and 1 2 }}", d.clone()), "2");
    assert_eq!(run("{{ not .s }}", d.clone()), "false");
    assert_eq!(
        run("{{ len .l }} {{ len .s }} {{ len .m }}", d.clone()),
        "2 5 1"
    );
    assert_eq!(
        run(
            "{{ index .l 1 }} {{ index .m \"k\" }} {{ index .s 0 }}",
            d.clone()
        ),
        "b v 104"
    );
    assert!(run_err("{{ index .l 5 }}", d.clone()).contains("index out of range: 5"));
    assert!(run_err("{{ index .l -1 }}", d.clone()).contains("index out of range"));
    assert_eq!(run("{{ print 1 2 \"a\" \"b\" 3 }}", d.clone()), "1 2ab3");
    assert_eq!(run("{{ println 1 \"a\" }}", d.clone()), "1 a\n");
    assert_eq!(
        run(
            r#"{{ printf "%s-%d-%05.2f-%q-%v-%x-%5s|%-4d|" "a" 3 3.14159 "q" .n 255 "r" 7 }}"#,
            d.clone()
        ),
        "a-3-03.14-\"q\"-3-ff-    r|7   |"
    );
    assert_eq!(
        run(r#"{{ printf "%d %s" .n }}"#, d.clone()),
        "%!d(float64=3) %!s(MISSING)"
    );
    assert_eq!(
        run(
            r#"{{ printf "%v %t %.3e %g" .l true 1234.5678 0.000012 }}"#,
            d.clone()
        ),
        "[a b] true 1.235e+03 1.2e-05"
    );
    assert_eq!(
        run(r#"{{ html "<a href='x'>" }}"#, d.clone()),
        "&lt;a href=&#39;x&#39;&gt;"
    );
    assert_eq!(run(r#"{{ urlquery "a b&c" }}"#, d.clone()), "a+b%26c");
    assert_eq!(
        run(r#"{{ js "it's <x>" }}"#, d.clone()),
        "it\\'s \\u003Cx\\u003E"
    );
    assert_eq!(
        run("{{ (index .m \"k\") }}{{ .m.k | len }}", d.clone()),
        "v1"
    );
    assert!(run_err("{{ .m.k 1 }}", d.clone()).contains("k is not a method but has arguments"));
    assert!(run_err("{{ nil }}", d).contains("nil is not a command"));
}

#[test]
fn argument_types_are_checked() {
    let d = json!({"n": 5.0, "s": "abcdefgh"});
    assert!(
        run_err("{{ trunc .n .s }}", d.clone())
            .contains("wrong type for value; expected int; got float64")
    );
    assert_eq!(run("{{ trunc 3 .s }}", d.clone()), "abc");
    assert_eq!(run("{{ trunc 3.0 .s }}", d.clone()), "abc");
    assert!(run_err(r#"{{ trunc "3" .s }}"#, d.clone()).contains("expected integer; found \"3\""));
    assert!(run_err("{{ trunc (add 1 2) .s }}", d.clone()).contains("expected int; got int64"));
    assert_eq!(run("{{ trunc (int (add 1 2)) .s }}", d.clone()), "abc");
    assert!(run_err("{{ upper 3 }}", d.clone()).contains("expected string; found 3"));
    assert!(run_err("{{ upper }}", d).contains("wrong number of args for upper: want 1 got 0"));
}

#[test]
fn sprig_strings() {
    let d = json!({"s": "Hello World", "p": "a/b/c.txt", "e": ""});
    assert_eq!(
        run(
            "{{ upper .s }}|{{ lower .s }}|{{ title \"hello wo-rld\" }}",
            d.clone()
        ),
        "HELLO WORLD|hello world|Hello Wo-Rld"
    );
    assert_eq!(
        run(
            "{{ untitle .s }}|{{ swapcase .s }}|{{ initials .s }}",
            d.clone()
        ),
        "hello world|hELLO wORLD|HW"
    );
    assert_eq!(
        run(
            "{{ trunc 5 .s }}|{{ trunc -5 .s }}|{{ substr 0 5 .s }}|{{ substr 6 -1 .s }}",
            d.clone()
        ),
        "Hello|World|Hello|World"
    );
    assert_eq!(
        run(
            r#"{{ .s | replace " " "-" }}|{{ repeat 3 "ab" }}|{{ nospace .s }}"#,
            d.clone()
        ),
        "Hello-World|ababab|HelloWorld"
    );
    assert_eq!(
        run(
            r#"{{ trim "  x  " }}|{{ trimAll "$" "$5.00$" }}|{{ trimPrefix "a/" .p }}|{{ trimSuffix ".txt" .p }}"#,
            d.clone()
        ),
        "x|5.00|b/c.txt|a/b/c"
    );
    assert_eq!(
        run(
            r#"{{ contains "World" .s }} {{ hasPrefix "He" .s }} {{ hasSuffix "x" .s }}"#,
            d.clone()
        ),
        "true true false"
    );
    assert_eq!(
        run(
            r#"{{ quote "a" 1 .missing }}|{{ squote "a" }}|{{ cat "a" 1 .missing "b" }}"#,
            d.clone()
        ),
        r#""a" "1"|'a'|a 1 b"#
    );
    assert_eq!(
        run(r#"{{ indent 2 "a\nb" }}|{{ nindent 2 "a" }}"#, d.clone()),
        "  a\n  b|\n  a"
    );
    assert_eq!(
        run(
            r#"{{ abbrev 5 "hello world" }}|{{ plural "one" "many" 2 }}"#,
            d.clone()
        ),
        "he...|many"
    );
    assert_eq!(
        run(
            r#"{{ camelcase "http_server" }}|{{ snakecase "FirstName" }}|{{ kebabcase "HTTPServer" }}|{{ snakecase "NoHTTPS" }}"#,
            d.clone()
        ),
        "HttpServer|first_name|http-server|no_https"
    );
    assert_eq!(
        run(r#"{{ wrap 5 "hello world again" }}"#, d.clone()),
        "hello\nworld\nagain"
    );
    assert_eq!(
        run(
            r#"{{ base .p }}|{{ dir .p }}|{{ ext .p }}|{{ clean "a//b/../c" }}|{{ isAbs .p }}"#,
            d.clone()
        ),
        "c.txt|a/b|.txt|a/c|false"
    );
    assert_eq!(
        run(
            r#"{{ toString 1.5 }}|{{ default "d" .e }}|{{ default "d" "v" }}|{{ empty .e }}"#,
            d.clone()
        ),
        "1.5|d|v|true"
    );
    assert_eq!(
        run(
            r#"{{ ternary "y" "n" true }}|{{ coalesce .e .missing "c" }}"#,
            d
        ),
        "y|c"
    );
}

#[test]
fn sprig_lists_and_dicts() {
    let d =
        json!({"path": "apps/team/svc", "l": ["b", "a", "b"], "m": {"x": 1.0, "y": {"z": "deep"}}});
    assert_eq!(
        run(
            r#"{{ (split "/" .path)._1 }}|{{ splitList "/" .path | join "," }}|{{ splitn "/" 2 .path }}"#,
            d.clone()
        ),
        "team|apps,team,svc|map[_0:apps _1:team/svc]"
    );
    assert_eq!(
        run(
            "{{ list 1 \"a\" 2.5 }}|{{ append .l \"c\" }}|{{ prepend .l \"c\" }}",
            d.clone()
        ),
        "[1 a 2.5]|[b a b c]|[c b a b]"
    );
    assert_eq!(
        run(
            "{{ first .l }}|{{ last .l }}|{{ rest .l }}|{{ initial .l }}|{{ reverse .l }}|{{ uniq .l }}",
            d.clone()
        ),
        "b|b|[a b]|[b a]|[b a b]|[b a]"
    );
    assert_eq!(
        run(
            "{{ without .l \"b\" }}|{{ has \"a\" .l }}|{{ sortAlpha .l }}|{{ compact (list 1 0 \"\" \"x\") }}",
            d.clone()
        ),
        "[a]|true|[a b b]|[1 x]"
    );
    assert_eq!(
        run(
            "{{ slice .l 1 }}|{{ concat .l (list 1) }}|{{ chunk 2 .l }}",
            d.clone()
        ),
        "[a b]|[b a b 1]|[[b a] [b]]"
    );
    assert_eq!(
        run(
            r#"{{ $d := dict "a" 1 "b" "two" }}{{ $_ := set $d "c" 3 }}{{ $d }}|{{ get $d "b" }}|{{ hasKey $d "c" }}|{{ keys $d | sortAlpha }}"#,
            d.clone()
        ),
        "map[a:1 b:two c:3]|two|true|[a b c]"
    );
    assert_eq!(
        run(
            r#"{{ pick .m "x" }}|{{ omit .m "x" }}|{{ dig "y" "z" "none" .m }}|{{ dig "q" "none" .m }}"#,
            d.clone()
        ),
        "map[x:1]|map[y:map[z:deep]]|deep|none"
    );
    assert_eq!(
        run(
            r#"{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }}|{{ mergeOverwrite (dict "a" 1) (dict "a" 2) }}"#,
            d.clone()
        ),
        "map[a:1 b:3]|map[a:2]"
    );
    assert_eq!(
        run(
            "{{ until 3 }}|{{ untilStep 0 10 4 }}|{{ seq 3 }}|{{ seq 5 -2 1 }}",
            d.clone()
        ),
        "[0 1 2]|[0 4 8]|1 2 3|5 3 1"
    );
    assert_eq!(
        run(
            r#"{{ pluck "x" .m (dict "x" 2) }}|{{ values (dict "a" 1) }}|{{ typeOf .l }}|{{ kindOf .m }}"#,
            d.clone()
        ),
        "[1 2]|[1]|[]interface {}|map"
    );
    assert!(run_err("{{ first .path }}", d).contains("Cannot find first on type string"));
}

#[test]
fn sprig_numbers_and_encodings() {
    let d = json!({"f": 1.5, "s": "hello"});
    assert_eq!(
        run(
            "{{ add 1 2 3 }}|{{ add .f 1 }}|{{ sub 5 7 }}|{{ mul 2 3 4 }}|{{ div 7 2 }}|{{ mod 7 2 }}",
            d.clone()
        ),
        "6|2|-2|24|3|1"
    );
    assert!(run_err("{{ div 1 0 }}", d.clone()).contains("integer divide by zero"));
    assert_eq!(
        run(
            r#"{{ max 1 5 3 }}|{{ min 4 2 }}|{{ atoi "42" }}|{{ int "12" }}|{{ int64 .f }}|{{ float64 "2.5" }}"#,
            d.clone()
        ),
        "5|2|42|12|1|2.5"
    );
    assert_eq!(
        run(
            "{{ addf 0.1 0.2 }}|{{ mulf 1.5 2 }}|{{ floor 1.7 }}|{{ ceil 1.2 }}|{{ round 3.14159 2 }}",
            d.clone()
        ),
        "0.3|3|1|2|3.14"
    );
    assert_eq!(
        run(
            "{{ b64enc .s }}|{{ b64dec \"aGVsbG8=\" }}|{{ b32enc .s }}|{{ b32dec \"NBSWY3DP\" }}",
            d.clone()
        ),
        "aGVsbG8=|hello|NBSWY3DP|hello"
    );
    assert_eq!(
        run("{{ b64dec \"!!\" }}", d.clone()),
        "illegal base64 data at input byte 0"
    );
    assert_eq!(
        run("{{ sha256sum .s }}", d.clone()),
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert_eq!(
        run("{{ sha1sum .s }}", d.clone()),
        "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"
    );
    assert_eq!(
        run("{{ sha512sum \"abc\" }}", d.clone()),
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    );
    assert_eq!(
        run("{{ adler32sum \"Wikipedia\" }}", d.clone()),
        "300286872"
    );
    assert_eq!(
        run(
            r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}|{{ regexFind "[0-9]+" "ab12cd34" }}|{{ regexMatch "^a" "abc" }}|{{ regexFindAll "[0-9]" "a1b2c3" 2 }}|{{ regexSplit "z+" "pizza" -1 }}"#,
            d.clone()
        ),
        "-W-xxW-|12|true|[1 2]|[pi a]"
    );
    assert_eq!(
        run(
            r#"{{ semverCompare ">=1.2.0" "1.3.1" }}|{{ semverCompare "~1.2" "1.3.0" }}|{{ semverCompare "^1.2.3" "1.9.0" }}|{{ (semver "1.2.3").Minor }}"#,
            d.clone()
        ),
        "true|false|true|2"
    );
    assert_eq!(
        run(
            r#"{{ duration "95" }}|{{ urlParse "https://u@host:8080/p?q=1#f" | toJson }}"#,
            d
        ),
        r#"1m35s|{"fragment":"f","host":"host:8080","hostname":"host","opaque":"","path":"/p","query":"q=1","scheme":"https","userinfo":"u"}"#
    );
}

#[test]
fn json_functions() {
    let d = json!({"m": {"b": "<x>&", "a": 1000000.0, "l": [true, null]}});
    assert_eq!(
        run("{{ toJson .m }}", d.clone()),
        r#"{"a":1000000,"b":"\u003cx\u003e\u0026","l":[true,null]}"#
    );
    assert_eq!(
        run("{{ toRawJson .m }}", d.clone()),
        r#"{"a":1000000,"b":"<x>&","l":[true,null]}"#
    );
    assert_eq!(
        run("{{ toPrettyJson .m }}", d.clone()),
        "{\n  \"a\": 1000000,\n  \"b\": \"\\u003cx\\u003e\\u0026\",\n  \"l\": [\n    true,\n    null\n  ]\n}"
    );
    assert_eq!(
        run(
            r#"{{ (fromJson "{\"a\": 2}").a }}|{{ fromJson "nope" }}"#,
            d.clone()
        ),
        "2|<no value>"
    );
    assert!(run_err(r#"{{ mustFromJson "nope" }}"#, d).contains("error calling mustFromJson"));
}

#[test]
fn to_yaml_like_sigs_k8s_yaml() {
    let d = json!({"foo": {"bar": {"bool": true, "number": 2, "str": "Hello world"}}});
    assert_eq!(
        run("{{ toYaml . | indent 2 }}", d),
        "  foo:\n    bar:\n      bool: true\n      number: 2\n      str: Hello world"
    );
    let d = json!({"v": {"list": ["a", {"k": "v", "j": 1.5}], "empty": {}, "none": [], "nil": null,
        "quoted": ["true", "123", "", "a: b", "- x", "#c", "x ", "2024-01-02", "1e3", "yes"],
        "multi": "l1\nl2\n", "f": 1000000.0}});
    assert_eq!(
        run("{{ toYaml .v }}", d),
        "empty: {}\nf: 1000000\nlist:\n- a\n- j: 1.5\n  k: v\nmulti: |\n  l1\n  l2\nnil: null\nnone: []\nquoted:\n- \"true\"\n- \"123\"\n- \"\"\n- 'a: b'\n- '- x'\n- '#c'\n- 'x '\n- \"2024-01-02\"\n- \"1e3\"\n- \"yes\""
    );
    assert_eq!(run("{{ toYaml .missing }}", json!({})), "null");
    assert_eq!(
        run("{{ toYaml (list (list 1 2) \"x\") }}", json!({})),
        "- - 1\n  - 2\n- x"
    );
    let long = "word ".repeat(20).trim_end().to_string();
    let out = run("{{ toYaml . }}", json!({ "k": long }));
    assert_eq!(
        out,
        "k: word word word word word word word word word word word word word word word word\n  word word word word"
    );
    assert_eq!(
        run("{{ toYaml . }}", json!({"b10": 1, "b9": 2, "a": 3})),
        "a: 3\nb9: 2\nb10: 1"
    );
}

#[test]
fn from_yaml_without_parser_is_an_error() {
    assert!(run_err("{{ fromYaml \"a: 1\" }}", json!({})).contains("no YAML parser"));
}

#[test]
fn from_yaml_uses_the_given_parser() {
    let with_yaml = Options {
        yaml: Some(test_yaml),
        ..Options::default()
    };
    let run = |tpl: &str, data: Value| match run_opts(tpl, data, with_yaml) {
        Ok(s) => s,
        Err(e) => panic!("{tpl:?} failed: {e}"),
    };
    let run_err = |tpl: &str, data: Value| match run_opts(tpl, data, with_yaml) {
        Ok(s) => panic!("{tpl:?} should fail but gave {s:?}"),
        Err(e) => e,
    };
    assert_eq!(
        run(
            r#"{{ get (fromYaml .value) "hello" }}"#,
            json!({"value": "hello: world"})
        ),
        "world"
    );
    assert_eq!(
        run(
            "{{ fromYamlArray .value | last }}",
            json!({"value": "- hello world\n- bonjour tout le monde"})
        ),
        "bonjour tout le monde"
    );
    assert_eq!(
        run("{{ (fromYaml .value).n }}", json!({"value": "n: 1000000"})),
        "1e+06"
    );
    let e = run_err(
        r#"{{ get (fromYaml .value) "hello" }}"#,
        json!({"value": "non\n compliant\n yaml"}),
    );
    assert_eq!(
        e,
        "template: :1:8: executing \"\" at <fromYaml .value>: error calling fromYaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}"
    );
    let e = run_err(
        "{{ fromYamlArray .value | last }}",
        json!({"value": "non\n compliant\n yaml"}),
    );
    assert!(
        e.contains("cannot unmarshal string into Go value of type []interface {}"),
        "{e}"
    );
}

#[test]
fn normalize_like_argo() {
    let d = json!({"a": "Feature/My_Branch", "b": "..--Hello.World--..", "c": "ÄÖ ok"});
    assert_eq!(run("{{ normalize .a }}", d.clone()), "feature-my-branch");
    assert_eq!(run("{{ normalize .b }}", d.clone()), "hello.world");
    assert_eq!(
        run("{{ normalize .c }}", d),
        "---ok".trim_start_matches('-')
    );
    let long = "a".repeat(300);
    assert_eq!(run("{{ normalize .x }}", json!({ "x": long })).len(), 253);
}

#[test]
fn slugify_like_argo() {
    let branch = "feat/a_really+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature";
    let flat =
        "feat/areallylongpullrequestnametotestargoslugificationandbranchnameshorteningfeature";
    let d = json!({"b": branch, "f": flat});
    assert_eq!(
        run("{{ slugify 50 false .b }}", d.clone()),
        "feat-a-really-long-pull-request-name-to-test-argo"
    );
    assert_eq!(
        run("{{ slugify 53 true .b }}", d.clone()),
        "feat-a-really-long-pull-request-name-to-test-argo"
    );
    assert_eq!(run("{{ slugify 50 true .f }}", d.clone()), "feat");
    assert_eq!(
        run("{{ slugify 50 false .f }}", d.clone()),
        "feat-areallylongpullrequestnametotestargoslugifica"
    );
    assert_eq!(
        run("{{ slugify .b }}", d.clone()),
        "feat-a-really-long-pull-request-name-to-test-argo"
    );
    assert_eq!(
        run("{{ cat .b | slugify 23 }}", d.clone()),
        "feat-a-really-long-pull"
    );
    assert_eq!(
        run(r#"{{ slugify "Hello.World  Again" }}"#, d.clone()),
        "hello-world-again"
    );
    assert!(run_err("{{ slugify .n .b }}", json!({"n": 5.0, "b": "x"})).contains("not int"));
}

#[test]
fn tpl_is_not_in_argo_cds_map_and_unsupported_functions_fail() {
    let d = json!({"x": "X", "t": "{{ .x }}-{{ .y }}"});
    assert!(
        parse("{{ tpl .t . }}")
            .unwrap_err()
            .message
            .contains(r#"function "tpl" not defined"#)
    );
    assert!(parse("{{ now | date \"2006\" }}").is_ok());
    assert!(run_err("{{ uuidv4 }}", d).contains("not supported offline"));
}

#[test]
fn variables_and_chains() {
    let d = json!({"a": {"b": {"c": "deep"}}, "l": [{"n": "one"}]});
    assert_eq!(run("{{ $x := .a.b }}{{ $x.c }}", d.clone()), "deep");
    assert_eq!(run("{{ (index .l 0).n }}", d.clone()), "one");
    assert_eq!(run("{{ $.a.b.c }}", d.clone()), "deep");
    assert_eq!(
        run("{{ with $v := .a }}{{ $v.b.c }}{{ end }}", d.clone()),
        "deep"
    );
    assert_eq!(
        run(
            r#"{{ "raw" }} {{ `back\n` }} {{ 'a' }} {{ 0x1F }} {{ 1e3 }} {{ 07 }}"#,
            d
        ),
        "raw back\\n 97 31 1000 7"
    );
}

#[test]
fn data_references_cases() {
    let refs = |t: &str| parse(t).unwrap().data_references();
    let v = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(refs("{{ .branch }}"), vec![v(&["branch"])]);
    assert_eq!(refs("{{ .path.basename }}"), vec![v(&["path", "basename"])]);
    assert_eq!(refs(r#"{{ index . "title" }}"#), vec![v(&["title"])]);
    assert_eq!(refs(r#"{{ index .a "b" "c" }}"#), vec![v(&["a", "b", "c"])]);
    assert_eq!(refs("{{ $.values.x }}"), vec![v(&["values", "x"])]);
    assert_eq!(
        refs("{{ with .path }}{{ .segments }}{{ end }}"),
        vec![v(&["path", "segments"])]
    );
    assert_eq!(refs("{{ toJson . }}"), vec![v(&[])]);
    assert_eq!(refs("{{ $ }}"), vec![v(&[])]);
    assert_eq!(refs("{{ upper .name | quote }}"), vec![v(&["name"])]);
    assert_eq!(
        refs("{{ $p := .path }}{{ $p.basename }}"),
        vec![v(&["path", "basename"])]
    );
    assert_eq!(
        refs("{{ range $i, $s := .path.segments }}{{ $s }}{{ end }}"),
        vec![v(&["path", "segments"])]
    );
    assert_eq!(
        refs("{{ if .enabled }}{{ .x }}{{ end }}"),
        vec![v(&["enabled"]), v(&["x"])]
    );
    assert_eq!(
        refs(r#"{{ define "t" }}{{ .inner }}{{ end }}{{ template "t" .outer }}"#),
        vec![v(&["outer", "inner"])]
    );
    assert_eq!(refs(r#"{{ index . .key }}"#), vec![v(&[]), v(&["key"])]);
    assert_eq!(refs("{{ with .a }}{{ end }}"), vec![v(&["a"])]);
    assert_eq!(refs("{{ (fromYaml .doc).x }}"), vec![v(&["doc"])]);
    assert!(refs("plain text {{ \"lit\" }}").is_empty());
}

#[test]
fn map_mutation_and_self_reference_do_not_hang() {
    let out = run_opts(
        r#"{{ $d := dict }}{{ $_ := set $d "me" $d }}{{ toJson $d }}|{{ len $d }}"#,
        json!({}),
        Options::default(),
    );
    assert!(out.is_ok());
}

/// A tiny deterministic generator, so the fuzz-style test needs no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn garbage_templates_never_panic() {
    const PIECES: &[&str] = &[
        "{{",
        "}}",
        "{{-",
        "-}}",
        " ",
        ".",
        ".a",
        ".b.c",
        "$",
        "$x",
        ":=",
        "=",
        "|",
        "(",
        ")",
        "\"s\"",
        "`r`",
        "'c'",
        "1",
        "-2",
        "3.5",
        "0x",
        "1e",
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "nil",
        "true",
        "index",
        "len",
        "printf",
        "%",
        "toYaml",
        "slugify",
        "default",
        "eq",
        "lt",
        "and",
        "or",
        "/*",
        "*/",
        ",",
        "\n",
        "é",
        "\\",
        "\"",
        "#",
        "index . 9",
        "slice",
        "substr 5 1",
        "repeat",
        "fromJson",
        "dict",
        "set",
        "list",
        "until",
        "seq",
        "toJson",
    ];
    let data = json!({"a": 1.5, "b": {"c": "x"}, "l": [1, "two", null], "n": null});
    let mut rng = Lcg(7);
    for _ in 0..4000 {
        let n = 1 + (rng.next() % 12) as usize;
        let mut t = String::new();
        for _ in 0..n {
            t.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
        }
        if let Ok(tpl) = parse(&t) {
            let _ = tpl.execute(&data, Options::default());
            let _ = tpl.execute(&data, STRICT);
            let _ = tpl.data_references();
        }
    }
    // deep nesting is rejected, not a stack overflow
    assert!(
        parse(&format!(
            "{{{{ {}1{} }}}}",
            "(".repeat(5000),
            ")".repeat(5000)
        ))
        .is_err()
    );
    assert!(parse(&"{{if 1}}".repeat(5000)).is_err());
    // raw byte soup too
    for _ in 0..2000 {
        let len = (rng.next() % 40) as usize;
        let t: String = (0..len)
            .map(|_| char::from_u32((rng.next() % 128) as u32).unwrap_or('x'))
            .collect();
        if let Ok(tpl) = parse(&t) {
            let _ = tpl.execute(&data, Options::default());
        }
    }
}

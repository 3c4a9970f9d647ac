//! `--format sarif`: a SARIF 2.1.0 log with one run, uploadable to GitHub code scanning.
//!
//! Every rule is listed in `tool.driver.rules` with its documentation, so code scanning can show
//! `preview-gate explain` text next to an alert. Paths are relative to `%SRCROOT%` (the working
//! directory, as in the other formats) and fingerprints leave out line numbers, so an alert
//! survives edits above it.

use serde_json::{Map, Value, json};

use crate::diagnostic::{Finding, Location, Severity};
use crate::outcome::Outcome;
use crate::rules::{self, Meta};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";
/// Versioned so that a change of the recipe can never match alerts made by the old one.
const FINGERPRINT_KEY: &str = "previewGate/v1";

pub fn render(outcome: &Outcome) -> String {
    let mut driver = Map::new();
    driver.insert("name".into(), json!("preview-gate"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(uri) = information_uri() {
        driver.insert("informationUri".into(), json!(uri));
    }
    driver.insert(
        "rules".into(),
        Value::Array(rules::all().map(rule).collect()),
    );
    let mut fingerprints = Fingerprints::default();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| result(f, &mut fingerprints))
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": outcome.exit_code() != 2,
                "exitCode": outcome.exit_code(),
            }],
            // saphyr counts columns in characters.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).expect("SARIF is JSON");
    text.push('\n');
    text
}

/// Cargo's `homepage` or `repository`, when the package declares one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

fn rule(meta: &Meta) -> Value {
    let mut rule = Map::new();
    rule.insert("id".into(), json!(meta.id()));
    rule.insert("shortDescription".into(), json!({ "text": meta.summary }));
    if let Some(doc) = rules::doc(meta.id()) {
        let what = section(doc, "## What it does").unwrap_or(meta.summary);
        rule.insert(
            "fullDescription".into(),
            json!({ "text": what, "markdown": what }),
        );
        rule.insert("help".into(), json!({ "text": doc, "markdown": doc }));
    }
    rule.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(meta.severity) }),
    );
    Value::Object(rule)
}

/// The body of a `## ` section of a rule's documentation.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(heading)? + heading.len();
    let body = &doc[start..];
    let end = body.find("\n## ").unwrap_or(body.len());
    Some(body[..end].trim()).filter(|s| !s.is_empty())
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn result(finding: &Finding, fingerprints: &mut Fingerprints) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.rule));
    if let Some(index) = rules::all().position(|m| m.code == finding.rule) {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(finding.severity)));
    let mut text = finding.message.clone();
    if let Some(help) = &finding.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    result.insert("message".into(), json!({ "text": text }));
    result.insert(
        "locations".into(),
        json!([{ "physicalLocation": physical_location(&finding.location) }]),
    );
    if !finding.related.is_empty() {
        let related: Vec<Value> = finding
            .related
            .iter()
            .enumerate()
            .map(|(id, (label, at))| {
                json!({
                    "id": id,
                    "physicalLocation": physical_location(at),
                    "message": { "text": label },
                })
            })
            .collect();
        result.insert("relatedLocations".into(), Value::Array(related));
    }
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprints.next(finding) }),
    );
    let mut properties = Map::new();
    if let Some(app) = &finding.app {
        properties.insert("application".into(), json!(app));
    }
    if let Some(project) = &finding.project {
        properties.insert("project".into(), json!(project));
    }
    if !properties.is_empty() {
        result.insert("properties".into(), Value::Object(properties));
    }
    Value::Object(result)
}

fn physical_location(location: &Location) -> Value {
    let path = location.display_path();
    let artifact = if is_absolute(&path) {
        json!({ "uri": file_uri(&path) })
    } else {
        json!({ "uri": encode_path(&path), "uriBaseId": SRCROOT })
    };
    // GitHub rejects regions without a startLine of at least 1.
    let start_line = location.line.max(1);
    let mut region = Map::new();
    region.insert("startLine".into(), json!(start_line));
    if location.col > 0 {
        region.insert("startColumn".into(), json!(location.col));
    }
    region.insert("endLine".into(), json!(location.end_line.max(start_line)));
    json!({ "artifactLocation": artifact, "region": region })
}

/// `display_path` is relative to the working directory unless the file lies outside it.
fn is_absolute(path: &str) -> bool {
    path.starts_with('/') || path.as_bytes().get(1) == Some(&b':')
}

fn file_uri(path: &str) -> String {
    // After `file://` a `:` is plain data again (`C:` drive letters keep theirs).
    let encoded = encode(path, b":");
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        format!("file:///{encoded}")
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`, so that any file name
/// is a valid relative URI reference (a `:` in a first segment would otherwise read as a scheme).
fn encode_path(path: &str) -> String {
    encode(path, b"")
}

fn encode(path: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) || keep.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Fingerprints from the rule, the path and the message with its digits blanked, numbered per
/// run when several findings share one (as in order of the report, which is by line).
#[derive(Default)]
struct Fingerprints {
    seen: std::collections::HashMap<String, usize>,
}

impl Fingerprints {
    fn next(&mut self, finding: &Finding) -> String {
        let hash = fingerprint(finding);
        let count = self.seen.entry(hash.clone()).or_default();
        *count += 1;
        format!("{hash}:{count}")
    }
}

fn fingerprint(finding: &Finding) -> String {
    let input = format!(
        "{}\n{}\n{}",
        finding.rule,
        finding.location.display_path(),
        normalise(&finding.message)
    );
    use sha2::Digest as _;
    // The first 16 bytes of the SHA-256, as 32 lower-case hex digits.
    sha2::Sha256::digest(input.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Digits (PR numbers in generated names, counts, ports) vary between runs for the same problem;
/// so can whitespace in quoted tool output.
fn normalise(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut previous = None;
    for c in message.chars() {
        let c = if c.is_ascii_digit() {
            '0'
        } else if c.is_whitespace() {
            ' '
        } else {
            c
        };
        let repeat = previous == Some(c) && (c == '0' || c == ' ');
        if !repeat {
            out.push(c);
        }
        previous = Some(c);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;

    fn finding(message: &str, line: u32) -> Finding {
        let file: Arc<Path> = Arc::from(Path::new("argocd/projects/previews.yaml"));
        Finding::new(
            Code::StaleAllowlistEntry,
            Severity::Error,
            message,
            Location::new(file, line, 0, line),
        )
        .project("previews")
    }

    fn outcome(findings: Vec<Finding>) -> Value {
        let outcome = Outcome {
            findings,
            ..Outcome::default()
        };
        serde_json::from_str(&render(&outcome)).unwrap()
    }

    #[test]
    fn fingerprints_ignore_lines_and_numbers() {
        let a = finding("entry apps:ReplicaSet of pr-1234 matches nothing", 10);
        let b = finding("entry apps:ReplicaSet of pr-77 matches nothing", 42);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = finding("entry apps:Deployment of pr-1234 matches nothing", 10);
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    #[test]
    fn equal_fingerprints_in_one_run_are_numbered() {
        let log = outcome(vec![finding("same", 3), finding("same", 9)]);
        let prints: Vec<&str> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
            .collect();
        assert!(
            prints[0].ends_with(":1") && prints[1].ends_with(":2"),
            "{prints:?}"
        );
        assert_eq!(prints[0][..32], prints[1][..32]);
    }

    #[test]
    fn regions_start_at_line_one_and_omit_unknown_columns() {
        let mut f = finding("m", 1);
        f.location.line = 0;
        f.location.end_line = 0;
        let log = outcome(vec![f]);
        let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region, &json!({ "startLine": 1, "endLine": 1 }));
    }

    #[test]
    fn no_nulls_anywhere() {
        fn walk(v: &Value) {
            match v {
                Value::Null => panic!("null in SARIF"),
                Value::Array(items) => items.iter().for_each(walk),
                Value::Object(map) => map.values().for_each(walk),
                _ => {}
            }
        }
        walk(&outcome(vec![finding("m", 2)]));
    }

    #[test]
    fn every_rule_is_described_and_indexed() {
        let log = outcome(vec![finding("m", 2)]);
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(
            driver["rules"].as_array().unwrap().len(),
            rules::REGISTRY.len()
        );
        let result = &log["runs"][0]["results"][0];
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver["rules"][index]["id"], result["ruleId"]);
        assert!(
            driver["rules"][index]["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## How to fix")
        );
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(encode_path("a b/c:d,e%.yaml"), "a%20b/c%3Ad%2Ce%25.yaml");
        assert_eq!(file_uri("/tmp/x y"), "file:///tmp/x%20y");
        assert_eq!(file_uri("C:/x y"), "file:///C:/x%20y");
    }
}

//! `--format junit`: JUnit XML for CI test reporters.
//!
//! One `<testsuite name="preview-gate">`; each checked Application is a `<testcase>` (classname: its
//! AppProject) with a `<failure>` per error finding. Findings that belong to no checked
//! Application (an AppProject's stale entry, a file that does not parse) get a test case named after
//! their file. Warnings and notes go to the test case's `<system-out>`, so they never fail it.
//! `tests` counts test cases and `failures` the test cases with at least one failure.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::diagnostic::{Finding, Severity};
use crate::outcome::Outcome;

/// The classname of file test cases whose findings name no AppProject.
const REPOSITORY: &str = "repository";

struct Case<'a> {
    classname: &'a str,
    name: String,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

pub fn render(outcome: &Outcome) -> String {
    let cases = cases(outcome);
    let tests = cases.len();
    let failures = cases.iter().filter(|c| c.failed()).count();
    let time = format!("{:.3}", outcome.elapsed.as_secs_f64());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!("tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\"");
    let _ = writeln!(
        out,
        "<testsuites name=\"preview-gate\" {counts} time=\"{time}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"preview-gate\" {counts} time=\"{time}\">"
    );
    for case in &cases {
        write_case(&mut out, case);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// The Applications in the order checked, then one case per other file, by AppProject and path.
fn cases(outcome: &Outcome) -> Vec<Case<'_>> {
    let mut cases: Vec<Case> = outcome
        .apps
        .iter()
        .enumerate()
        .map(|(i, app)| Case {
            classname: outcome.app_projects.get(i).map_or("", String::as_str),
            name: app.clone(),
            findings: Vec::new(),
        })
        .collect();
    let index: HashMap<&str, usize> = outcome
        .apps
        .iter()
        .enumerate()
        .map(|(i, app)| (app.as_str(), i))
        .collect();
    let mut by_file: BTreeMap<(&str, String), Vec<&Finding>> = BTreeMap::new();
    for finding in &outcome.findings {
        match finding.app.as_deref().and_then(|app| index.get(app)) {
            Some(&i) => cases[i].findings.push(finding),
            None => {
                let classname = finding.project.as_deref().unwrap_or(REPOSITORY);
                let key = (classname, finding.location.display_path());
                by_file.entry(key).or_default().push(finding);
            }
        }
    }
    cases.extend(
        by_file
            .into_iter()
            .map(|((classname, name), findings)| Case {
                classname,
                name,
                findings,
            }),
    );
    cases
}

fn write_case(out: &mut String, case: &Case) {
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attribute(case.classname),
        attribute(&case.name)
    );
    if case.findings.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let mut log = String::new();
    for finding in &case.findings {
        if finding.severity == Severity::Error {
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                attribute(&finding.message),
                attribute(finding.rule.as_str()),
                text(&details(finding))
            );
        } else {
            let _ = writeln!(
                log,
                "{}[{}]: {}",
                finding.severity, finding.rule, finding.message
            );
            log.push_str(&details(finding));
        }
    }
    if !log.is_empty() {
        let _ = writeln!(out, "      <system-out>{}</system-out>", text(&log));
    }
    out.push_str("    </testcase>\n");
}

/// Where, and what to change: the lines a reporter shows under the failure message.
fn details(finding: &Finding) -> String {
    let at = &finding.location;
    let mut body = format!("{}:{}", at.display_path(), at.line);
    if at.col > 0 {
        let _ = write!(body, ":{}", at.col);
    }
    body.push('\n');
    for (label, related) in &finding.related {
        let _ = writeln!(body, "{label}: {}:{}", related.display_path(), related.line);
    }
    if let Some(help) = &finding.help {
        let _ = writeln!(body, "help: {help}");
    }
    body
}

fn attribute(s: &str) -> String {
    escape(s, true)
}

fn text(s: &str) -> String {
    escape(s, false)
}

/// XML 1.0 escaping. In attributes, line breaks and tabs become character references so parsers
/// keep them; control characters XML cannot carry at all are spelt out as `\xNN`.
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            // A literal CR would be normalised away by the parser.
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Location;

    fn at(path: &str, line: u32) -> Location {
        Location::new(Arc::from(Path::new(path)), line, 1, line)
    }

    fn outcome() -> Outcome {
        Outcome {
            apps: vec!["web".into(), "api".into()],
            app_projects: vec!["previews".into(), "previews".into()],
            findings: vec![
                Finding::new(
                    Code::KindNotAllowed,
                    Severity::Error,
                    "a <b> & \"c\"",
                    at("x.yaml", 4),
                )
                .app("web")
                .project("previews")
                .help("add it"),
                Finding::new(
                    Code::KindNotAllowed,
                    Severity::Error,
                    "second",
                    at("y.yaml", 2),
                )
                .app("web"),
                Finding::new(
                    Code::FixedNamespace,
                    Severity::Warning,
                    "pinned",
                    at("z.yaml", 1),
                )
                .app("api"),
                Finding::new(
                    Code::StaleAllowlistEntry,
                    Severity::Error,
                    "stale",
                    at("p.yaml", 9),
                )
                .project("previews"),
                Finding::new(Code::ParseError, Severity::Error, "bad", at("q.yaml", 1)),
            ],
            ..Outcome::default()
        }
    }

    #[test]
    fn counts_cases_and_failed_cases() {
        let xml = render(&outcome());
        assert!(
            xml.contains(r#"<testsuite name="preview-gate" tests="4" failures="3" errors="0""#),
            "{xml}"
        );
        assert_eq!(xml.matches("<failure ").count(), 4, "{xml}");
        assert!(xml.contains(r#"<testcase classname="previews" name="api">"#));
        assert!(xml.contains(r#"<testcase classname="previews" name="p.yaml">"#));
        assert!(xml.contains(r#"<testcase classname="repository" name="q.yaml">"#));
        assert!(
            xml.contains("<system-out>warning[fixed-namespace]: pinned\nz.yaml:1:1\n</system-out>")
        );
    }

    #[test]
    fn escapes_attributes_and_text() {
        let xml = render(&outcome());
        assert!(
            xml.contains(
                r#"message="a &lt;b&gt; &amp; &quot;c&quot;" type="kind-not-allowed">x.yaml:4:1"#
            ),
            "{xml}"
        );
        assert_eq!(
            escape("a\nb\r\t'\u{1b}[0m\u{0}", true),
            "a&#10;b&#13;&#9;&apos;\\x1b[0m\\x00"
        );
        assert_eq!(escape("a\nb\r\t'\u{7}", false), "a\nb&#13;\t'\\x07");
    }

    #[test]
    fn a_clean_run_is_all_passing_cases() {
        let mut clean = outcome();
        clean.findings.clear();
        let xml = render(&clean);
        assert!(xml.contains(r#"tests="2" failures="0""#), "{xml}");
        assert!(xml.contains(r#"<testcase classname="previews" name="web"/>"#));
    }
}

//! `--format github`: GitHub Actions workflow commands (one annotation per finding, escaped as the
//! Actions toolkit does), followed by the human log.

use crate::diagnostic::{Finding, Severity};
use crate::outcome::Outcome;

/// GitHub shows at most this many annotations of each level per step.
const ANNOTATION_LIMIT: usize = 10;

pub fn render(outcome: &Outcome) -> String {
    let mut ranked: Vec<&Finding> = outcome.findings.iter().collect();
    ranked.sort_by_key(|f| (f.severity, f.location.display_path(), f.location.line));
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut hidden = 0;
    for finding in ranked {
        let level = finding.severity as usize;
        if shown[level] == ANNOTATION_LIMIT {
            hidden += 1;
            continue;
        }
        shown[level] += 1;
        out.push_str(&annotation(finding));
        out.push('\n');
    }
    if hidden > 0 {
        out.push_str(&format!(
            "::notice title=preview-gate::{}\n",
            escape_data(&format!(
                "{hidden} more findings are not annotated; see the log below"
            ))
        ));
    }
    out.push_str(&super::human::render(outcome, false));
    out
}

fn annotation(finding: &Finding) -> String {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let location = &finding.location;
    let mut properties = vec![
        format!("file={}", escape_property(&location.display_path())),
        format!("line={}", location.line),
    ];
    if location.end_line > location.line {
        properties.push(format!("endLine={}", location.end_line));
    }
    if location.col > 0 {
        properties.push(format!("col={}", location.col));
    }
    properties.push(format!("title={}", escape_property(finding.rule.as_str())));
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// The Actions toolkit's `escapeData`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The Actions toolkit's `escapeProperty`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_property("\r%0A"), "%0D%250A");
    }

    #[test]
    fn annotations_escape_message_and_properties() {
        use std::path::Path;
        use std::sync::Arc;

        let file: Arc<Path> = Arc::from(Path::new("odd:dir,x/50%.yaml"));
        let finding = Finding::new(
            Code::KindNotAllowed,
            Severity::Warning,
            "100% of a,b: c\r\nd",
            crate::diagnostic::Location::new(file, 3, 2, 5),
        )
        .help("add `x: y`");
        assert_eq!(
            annotation(&finding),
            "::warning file=odd%3Adir%2Cx/50%25.yaml,line=3,endLine=5,col=2,title=kind-not-allowed\
             ::100%25 of a,b: c%0D%0Ad%0Ahelp: add `x: y`"
        );
    }
}

//! The GitHub Actions job summary: Markdown appended to `$GITHUB_STEP_SUMMARY` whatever the
//! `--format`. A headline, findings per rule, the findings, the AppProject changes they suggest
//! and the Applications checked. GitHub refuses a step summary over 1 MiB, so each section has a
//! byte budget and says what it left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::diagnostic::{Finding, Severity};
use crate::outcome::Outcome;

/// GitHub's limit for one step's summary.
pub const LIMIT: usize = 1024 * 1024;
const FINDINGS_BUDGET: usize = 600 * 1024;
const CHANGES_BUDGET: usize = 200 * 1024;
const APPS_BUDGET: usize = 150 * 1024;
/// Longest message shown in the findings table, in characters.
const MESSAGE_CHARS: usize = 200;
/// Rules whose help is an AppProject edit.
const PROJECT_RULES: &[&str] = &["kind-not-allowed", "stale-allowlist-entry"];

/// Appends the summary of `outcome` to the file GitHub named.
pub fn append(path: &Path, outcome: &Outcome) -> std::io::Result<()> {
    append_text(path, &render(outcome))
}

/// Appends a summary for a run that stopped before checking anything.
pub fn append_failure(path: &Path, message: &str) -> std::io::Result<()> {
    let text = format!(
        "## ⚠️ preview-gate could not run\n\n{}\n",
        cell(&truncate(message, 2000))
    );
    append_text(path, &text)
}

fn append_text(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    let (icon, status) = match outcome.exit_code() {
        0 => ("✅", "passed"),
        1 => ("❌", "failed"),
        _ => ("⚠️", "incomplete"),
    };
    let _ = writeln!(out, "## {icon} preview-gate {status}\n");
    let _ = writeln!(out, "{}\n", super::summary_line(outcome));
    if outcome.exit_code() == 2 {
        out.push_str(
            "The gate could not check everything Argo CD would deploy (exit 2); \
             the findings below say what it could not see.\n\n",
        );
    }
    if !outcome.findings.is_empty() {
        per_rule(&mut out, outcome);
        findings(&mut out, outcome);
        changes(&mut out, outcome);
    }
    applications(&mut out, outcome);
    out
}

fn per_rule(out: &mut String, outcome: &Outcome) {
    let mut counts: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for f in &outcome.findings {
        *counts.entry((f.rule.as_str(), f.severity)).or_default() += 1;
    }
    out.push_str("### Findings per rule\n\n| rule | severity | count |\n| --- | --- | ---: |\n");
    for ((rule, severity), count) in counts {
        let _ = writeln!(out, "| `{rule}` | {severity} | {count} |");
    }
    out.push('\n');
}

fn findings(out: &mut String, outcome: &Outcome) {
    out.push_str("### Findings\n\n| location | rule | message |\n| --- | --- | --- |\n");
    let mut table = Budget::new(FINDINGS_BUDGET);
    for f in &outcome.findings {
        let location = format!("{}:{}", f.location.display_path(), f.location.line);
        table.push(format!(
            "| {} | {} `{}` | {} |\n",
            cell(&location),
            f.severity,
            f.rule,
            cell(&truncate(&f.message, MESSAGE_CHARS))
        ));
    }
    table.finish(out, "findings are not listed here; the log has them all");
}

/// For each finding that an AppProject edit resolves, that edit (the finding's help).
fn changes(out: &mut String, outcome: &Outcome) {
    let relevant: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| PROJECT_RULES.contains(&f.rule.as_str()) && f.help.is_some())
        .collect();
    if relevant.is_empty() {
        return;
    }
    out.push_str("### Suggested AppProject changes\n\n");
    let mut list = Budget::new(CHANGES_BUDGET);
    for f in relevant {
        let mut item = format!(
            "- `{}` at {}:{}",
            f.rule,
            cell(&f.location.display_path()),
            f.location.line
        );
        let project = f
            .related
            .iter()
            .find(|(label, _)| label.starts_with("AppProject "));
        if let Some((label, at)) = project {
            let _ = write!(
                item,
                " ({}: {}:{})",
                cell(label),
                cell(&at.display_path()),
                at.line
            );
        } else if let Some(name) = &f.project {
            let _ = write!(item, " (AppProject {})", cell(name));
        }
        item.push('\n');
        item.push_str(&indented_block(f.help.as_deref().unwrap_or_default()));
        list.push(item);
    }
    list.finish(out, "suggestions are not listed here; the log has them all");
}

fn applications(out: &mut String, outcome: &Outcome) {
    let _ = writeln!(
        out,
        "<details><summary>{} Applications checked</summary>\n",
        outcome.apps.len()
    );
    let mut list = Budget::new(APPS_BUDGET);
    for (i, app) in outcome.apps.iter().enumerate() {
        let project = outcome.app_projects.get(i).map_or("", String::as_str);
        list.push(format!("- {} (project {})\n", cell(app), cell(project)));
    }
    list.finish(out, "Applications are not listed here");
    out.push_str("</details>\n");
}

/// Rows of a section, kept while they fit its byte budget.
struct Budget {
    left: usize,
    text: String,
    dropped: usize,
}

impl Budget {
    fn new(bytes: usize) -> Budget {
        Budget {
            left: bytes,
            text: String::new(),
            dropped: 0,
        }
    }

    fn push(&mut self, row: String) {
        if self.dropped == 0 && row.len() <= self.left {
            self.left -= row.len();
            self.text.push_str(&row);
        } else {
            self.dropped += 1;
        }
    }

    fn finish(self, out: &mut String, what: &str) {
        out.push_str(&self.text);
        if self.dropped > 0 {
            let _ = writeln!(
                out,
                "\n_{} more {what} (the summary is limited to 1 MiB)._",
                self.dropped
            );
        }
        out.push('\n');
    }
}

/// A list item's fenced text block, with a fence longer than any backtick run inside.
fn indented_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut block = format!("  {fence}text\n");
    for line in text.lines() {
        let _ = writeln!(block, "  {line}");
    }
    let _ = writeln!(block, "  {fence}");
    block
}

/// Text safe inside a table cell or a list item: no line breaks, pipes, HTML or emphasis.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn truncate(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::diagnostic::Location;

    fn finding(rule: Code, line: u32, message: &str) -> Finding {
        let file = Arc::from(Path::new("argocd/projects/previews.yaml"));
        Finding::new(
            rule,
            Severity::Error,
            message,
            Location::new(file, line, 1, line),
        )
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\r\nc <d> *e*"), "a\\|b<br>c &lt;d&gt; \\*e\\*");
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
    }

    #[test]
    fn suggests_the_project_change() {
        let outcome = Outcome {
            findings: vec![
                finding(Code::StaleAllowlistEntry, 51, "stale")
                    .project("previews")
                    .help("delete this entry from spec.namespaceResourceWhitelist"),
            ],
            apps: vec!["web".into()],
            app_projects: vec!["previews".into()],
            ..Outcome::default()
        };
        let md = render(&outcome);
        assert!(md.contains("## ❌ preview-gate failed"), "{md}");
        assert!(
            md.contains("| `stale-allowlist-entry` | error | 1 |"),
            "{md}"
        );
        assert!(
            md.contains(
                "- `stale-allowlist-entry` at argocd/projects/previews.yaml:51 (AppProject previews)\n  ```text\n  delete this entry"
            ),
            "{md}"
        );
        assert!(md.contains("- web (project previews)"), "{md}");
    }

    #[test]
    fn stays_under_the_limit_and_says_so() {
        let message = "x".repeat(5000);
        let outcome = Outcome {
            findings: (0..20_000)
                .map(|i| finding(Code::KindNotAllowed, i + 1, &message).help("h".repeat(300)))
                .collect(),
            apps: (0..50_000).map(|i| format!("app-{i}")).collect(),
            ..Outcome::default()
        };
        let md = render(&outcome);
        assert!(md.len() < LIMIT, "{} bytes", md.len());
        assert!(md.contains("more findings are not listed here"));
        assert!(md.contains("more suggestions are not listed here"));
        assert!(md.contains("more Applications are not listed here"));
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert!(indented_block("a ```` b").starts_with("  `````text\n"));
        assert!(indented_block("plain").starts_with("  ```text\n"));
    }
}

//! The text of suggested fixes: the diff section of the human report, and what `preview-gate fix`
//! prints about what it did.

use std::fmt::Write as _;
use std::path::Path;

use owo_colors::OwoColorize;

use crate::diagnostic::display_path;
use crate::fix::{Applied, Plan};
use crate::outcome::Outcome;

/// Unified diffs of every edit, `--- a/path` / `+++ b/path`.
pub fn diff(plan: &Plan, color: bool) -> String {
    let mut out = String::new();
    for edit in &plan.edits {
        let shown = display_path(&edit.path);
        let (a, b) = if Path::new(&shown).is_relative() {
            (format!("a/{shown}"), format!("b/{shown}"))
        } else {
            (shown.clone(), shown)
        };
        let diff = similar::TextDiff::from_lines(&edit.before, &edit.after);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&a, &b)
            .to_string();
        for line in text.lines() {
            let painted = match line.as_bytes().first() {
                _ if !color => line.to_string(),
                Some(b'+') => line.green().to_string(),
                Some(b'-') => line.red().to_string(),
                Some(b'@') => line.cyan().to_string(),
                _ => line.to_string(),
            };
            let _ = writeln!(out, "{painted}");
        }
    }
    out
}

/// The trailing section of the human report: the suggested edits, when there are any.
pub fn section(outcome: &Outcome, color: bool) -> String {
    if outcome.fix.edits.is_empty() {
        return String::new();
    }
    let title = "── suggested AppProject edits (`preview-gate fix` writes them; review what an added entry allows)";
    let title = if color {
        title.bold().to_string()
    } else {
        title.to_string()
    };
    format!("{title}\n{}\n", diff(&outcome.fix, color))
}

/// What `preview-gate fix` prints after a check that did not complete: the report, and that
/// nothing changed.
pub fn incomplete(outcome: &Outcome, color: bool) -> String {
    let mut out = super::human::render(outcome, color);
    out.push_str("preview-gate fix: the check did not complete, so nothing was changed\n");
    out
}

/// What `preview-gate fix` prints after applying (or, with `--check`, not applying) the plan.
pub fn applied(plan: &Plan, applied: &Applied, color: bool) -> String {
    let mut out = diff(plan, color);
    if !plan.manual.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "left for a human ({}; preview-gate fix edits allowlists only):",
            plan.manual.len()
        );
        for (finding, why) in &plan.manual {
            let _ = writeln!(
                out,
                "  {}:{}: {}[{}]: {}",
                finding.location.display_path(),
                finding.location.line,
                finding.severity,
                finding.rule,
                finding.message
            );
            if !why.is_empty() {
                let _ = writeln!(out, "    help: {}", why.replace('\n', "\n          "));
            }
        }
    }
    let noun = |files: usize| if files == 1 { "file" } else { "files" };
    let _ = match applied {
        Applied::Pending(0) => writeln!(out, "preview-gate fix --check: no allowlist edit pending"),
        Applied::Pending(files) => writeln!(
            out,
            "preview-gate fix --check: {files} AppProject {} would change; run `preview-gate fix`",
            noun(*files)
        ),
        Applied::Written(files) => writeln!(
            out,
            "preview-gate fix: edited {files} AppProject {}, {} error(s) left for a human",
            noun(*files),
            plan.manual.len()
        ),
        Applied::Failed(message) => writeln!(out, "preview-gate fix: {message}"),
    };
    out
}

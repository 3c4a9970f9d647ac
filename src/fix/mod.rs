//! Suggested fixes: the AppProject allowlist edits that make `kind-not-allowed` and
//! `stale-allowlist-entry` errors go away, as unified diffs, and `preview-gate fix`, which writes
//! them. Only whitelists are edited; blacklists and every other finding are left to a human.

pub mod list_edit;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use owo_colors::OwoColorize;

use crate::argo::project::{AppProject, ResourceEntry};
use crate::diagnostic::{Finding, Severity, display_path};
use crate::pipeline::Outcome;
pub use list_edit::Entry;
use list_edit::{ListChanges, ProjectChanges};

/// One whitelist edit a finding asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub file: Arc<Path>,
    /// The project's `metadata.name` line: tells projects of one file apart.
    pub name_line: u32,
    /// `namespaceResourceWhitelist` or `clusterResourceWhitelist`.
    pub list: &'static str,
    pub action: Action,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Add(Entry),
    /// Delete the list item that starts on this line.
    Remove(u32),
}

impl Change {
    pub fn add(project: &AppProject, list: &'static str, entry: Entry) -> Self {
        Change {
            file: project.location.file.clone(),
            name_line: project.location.line,
            list,
            action: Action::Add(entry),
        }
    }

    pub fn remove(project: &AppProject, list: &'static str, entry: &ResourceEntry) -> Self {
        Change {
            file: project.location.file.clone(),
            name_line: project.location.line,
            list,
            action: Action::Remove(entry.location.line),
        }
    }
}

/// One file as it is and as the fix leaves it.
#[derive(Debug, Clone)]
pub struct FileEdit {
    pub path: Arc<Path>,
    pub before: String,
    pub after: String,
}

/// What a fix would do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub edits: Vec<FileEdit>,
    /// Errors the fix does not resolve, each with why.
    pub manual: Vec<(Finding, String)>,
}

/// The edits for the error findings that carry a [`Change`]; every other error is listed as
/// manual. Call it only on a complete check.
pub fn plan(findings: &[Finding]) -> Plan {
    let mut by_file: BTreeMap<Arc<Path>, Vec<&Finding>> = BTreeMap::new();
    let mut plan = Plan::default();
    for finding in findings.iter().filter(|f| f.severity == Severity::Error) {
        match &finding.edit {
            Some(change) => by_file
                .entry(change.file.clone())
                .or_default()
                .push(finding),
            None => plan
                .manual
                .push((finding.clone(), finding.help.clone().unwrap_or_default())),
        }
    }
    for (path, findings) in by_file {
        let mut projects: BTreeMap<u32, ProjectChanges> = BTreeMap::new();
        for change in findings.iter().filter_map(|f| f.edit.as_ref()) {
            let project = projects
                .entry(change.name_line)
                .or_insert_with(|| ProjectChanges {
                    name_line: change.name_line,
                    ..ProjectChanges::default()
                });
            let list: &mut ListChanges = project.lists.entry(change.list.to_string()).or_default();
            match &change.action {
                Action::Add(entry) => list.add.push(entry.clone()),
                Action::Remove(line) => list.remove.push(*line),
            }
        }
        let projects: Vec<ProjectChanges> = projects.into_values().collect();
        let edited = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|before| Ok((list_edit::apply(&before, &projects)?, before)));
        match edited {
            Ok((after, before)) if after != before => plan.edits.push(FileEdit {
                path,
                before,
                after,
            }),
            Ok(_) => {}
            Err(why) => {
                let why = format!(
                    "preview-gate fix cannot edit {} safely ({why}); edit it by hand",
                    display_path(&path)
                );
                plan.manual
                    .extend(findings.into_iter().map(|f| (f.clone(), why.clone())));
            }
        }
    }
    plan.manual
        .sort_by(|a, b| a.0.sort_key().cmp(&b.0.sort_key()));
    plan
}

impl Plan {
    /// Unified diffs of every edit, `--- a/path` / `+++ b/path`.
    pub fn diff(&self, color: bool) -> String {
        let mut out = String::new();
        for edit in &self.edits {
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

    /// Writes every edit in place.
    pub fn write(&self) -> Result<(), String> {
        for edit in &self.edits {
            std::fs::write(&edit.path, &edit.after)
                .map_err(|e| format!("{}: {e}", display_path(&edit.path)))?;
        }
        Ok(())
    }
}

/// The trailing section of the human report: the suggested edits, when there are any.
pub fn report_section(outcome: &Outcome, color: bool) -> String {
    if outcome.fix.edits.is_empty() {
        return String::new();
    }
    let title = "── suggested AppProject edits (`preview-gate fix` writes them; review what an added entry allows)";
    let title = if color {
        title.bold().to_string()
    } else {
        title.to_string()
    };
    format!("{title}\n{}\n", outcome.fix.diff(color))
}

/// `preview-gate fix`: the report and exit code for a finished check; writes unless `check_only`.
pub fn run(outcome: &Outcome, check_only: bool, color: bool) -> (String, i32) {
    if outcome.exit_code() == 2 {
        let mut out = crate::report::human::render(outcome, color);
        out.push_str("preview-gate fix: the check did not complete, so nothing was changed\n");
        return (out, 2);
    }
    let plan = &outcome.fix;
    let mut out = plan.diff(color);
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
    let files = plan.edits.len();
    let noun = if files == 1 { "file" } else { "files" };
    let code = if check_only {
        let _ = if files == 0 {
            writeln!(out, "preview-gate fix --check: no allowlist edit pending")
        } else {
            writeln!(
                out,
                "preview-gate fix --check: {files} AppProject {noun} would change; run `preview-gate fix`"
            )
        };
        i32::from(files > 0)
    } else {
        if let Err(message) = plan.write() {
            let _ = writeln!(out, "preview-gate fix: {message}");
            return (out, 2);
        }
        let _ = writeln!(
            out,
            "preview-gate fix: edited {files} AppProject {noun}, {} error(s) left for a human",
            plan.manual.len()
        );
        i32::from(!plan.manual.is_empty())
    };
    (out, code)
}

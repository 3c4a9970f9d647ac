//! Suggested fixes: the AppProject allowlist edits that make `kind-not-allowed` and
//! `stale-allowlist-entry` errors go away, as unified diffs, and `preview-gate fix`, which writes
//! them. Only whitelists are edited; blacklists and every other finding are left to a human.

pub mod list_edit;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Finding, Severity, display_path};
pub use crate::edit::{Action, Change, Entry};
use list_edit::{ListChanges, ProjectChanges};

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
    /// Writes every edit in place.
    pub fn write(&self) -> Result<(), String> {
        for edit in &self.edits {
            std::fs::write(&edit.path, &edit.after)
                .map_err(|e| format!("{}: {e}", display_path(&edit.path)))?;
        }
        Ok(())
    }
}

/// What `preview-gate fix` did with a complete check's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// `--check`: nothing written; this many files would change.
    Pending(usize),
    /// This many files were edited.
    Written(usize),
    /// Writing failed.
    Failed(String),
}

impl Applied {
    /// 1 while an edit is pending or an error is left for a human, 2 when a write failed.
    pub fn exit_code(&self, plan: &Plan) -> i32 {
        match self {
            Applied::Pending(files) => i32::from(*files > 0),
            Applied::Written(_) => i32::from(!plan.manual.is_empty()),
            Applied::Failed(_) => 2,
        }
    }
}

/// Writes the plan, unless `check_only`. Call it only on a complete check.
pub fn apply(plan: &Plan, check_only: bool) -> Applied {
    if check_only {
        return Applied::Pending(plan.edits.len());
    }
    match plan.write() {
        Ok(()) => Applied::Written(plan.edits.len()),
        Err(message) => Applied::Failed(message),
    }
}

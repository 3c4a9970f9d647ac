//! What a check found: the findings, what was checked, and the exit code, decided here once.

use std::time::Duration;

use crate::diagnostic::{Class, Finding, Severity};

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Names of the Applications rendered and checked.
    pub apps: Vec<String>,
    /// The AppProject of each of `apps`, in the same order.
    pub app_projects: Vec<String>,
    pub objects: usize,
    pub dropped: usize,
    pub renders: usize,
    /// Second Helm renders into a probe namespace (see `fixed-namespace`).
    pub namespace_probes: usize,
    pub elapsed: Duration,
    /// Planned render commands (for `--print-renders`).
    pub planned: Vec<String>,
    /// Allowlist edits for the findings (empty when the check did not complete).
    pub fix: crate::fix::Plan,
    /// What of the repository was read (`None` when the settings did not resolve).
    pub tree: Option<crate::tree::Kind>,
    /// The text of the files read, for the reports' excerpts.
    pub sources: std::sync::Arc<crate::sources::Sources>,
}

impl Outcome {
    /// Orders the findings for every report, drops exact repeats, and plans the allowlist edits,
    /// never from an incomplete check.
    pub fn finish(&mut self, elapsed: Duration) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
        if self.exit_code() != 2 {
            self.fix = crate::fix::plan(&self.findings);
        }
        self.elapsed = elapsed;
    }

    /// Points everything into the repository the user named (see `tree::Tree::shown`).
    pub fn relocate(&mut self, from: &std::path::Path, to: &std::path::Path) {
        for finding in &mut self.findings {
            finding.relocate(from, to);
        }
        let (from_text, to_text) = (from.to_string_lossy(), to.to_string_lossy());
        for line in &mut self.planned {
            *line = line.replace(&*from_text, &to_text);
        }
        self.sources.relocate(from, to, true);
    }

    /// Like [`Outcome::relocate`], for a copy of a pinned `targetRevision`: a finding there
    /// says which revision its file and line are from.
    pub fn relocate_revision(&mut self, from: &std::path::Path, to: &std::path::Path, rev: &str) {
        for finding in &mut self.findings {
            if finding.location.file.starts_with(from) {
                finding.message = format!("{} (in targetRevision {rev})", finding.message);
            }
            finding.relocate(from, to);
        }
        self.sources.relocate(from, to, false);
    }

    /// 2 when the gate could not check everything, 1 for policy errors, else 0.
    pub fn exit_code(&self) -> i32 {
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error);
        let mut code = 0;
        for finding in errors {
            if finding.rule.class() == Class::Gate {
                return 2;
            }
            code = 1;
        }
        code
    }
}

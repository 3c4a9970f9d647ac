//! Output formats. They print findings; they never compute them.

pub mod fix;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod summary;

use crate::diagnostic::Severity;
use crate::outcome::Outcome;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(outcome: &Outcome) -> Counts {
        let count = |s: Severity| outcome.findings.iter().filter(|f| f.severity == s).count();
        Counts {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The one-line summary shared by the human and GitHub formats.
pub fn summary_line(outcome: &Outcome) -> String {
    let c = Counts::of(outcome);
    format!(
        "{}, {}, {} — {} checked, {} rendered, {} objects in {:.1}s",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notes, "note"),
        plural(outcome.apps.len(), "Application"),
        plural(outcome.renders, "source"),
        outcome.objects,
        outcome.elapsed.as_secs_f64()
    )
}

//! # chart-dependency-missing
//!
//! ## What it does
//! Reports a dependency declared in `Chart.yaml` that is missing from `charts/` and that `helm dependency build` (run in a temporary copy, never in your checkout) could not provide. Points at the dependency's entry in Chart.yaml.
//!
//! ## Why is this bad?
//! Helm renders a chart whose dependency is missing without complaint, minus the dependency's objects; the gate would then check less than Argo CD deploys (Argo CD runs `helm dependency build` and fails when it cannot).
//!
//! ## Example
//! ```text
//! error[chart-dependency-missing]: chart dependency common could not be built (repository file://../does-not-exist)
//! ```
//!
//! ## How to fix
//! Fix the dependency's `repository`/`version`, or vendor the chart into `charts/`.
//!
//! ## Reference
//! Argo CD `reposerver/repository/repository.go` (`helmTemplate`, dependency build retry).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::ChartDependencyMissing,
    severity: Severity::Error,
    summary: "a chart dependency cannot be built",
};

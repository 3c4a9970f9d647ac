//! # chart-dependency-missing
//!
//! ## What it does
//! Reports a dependency declared in `Chart.yaml` that is missing from `charts/` and that `helm dependency build` (run as Argo CD runs it, after `helm repo add` for the chart's repositories, in a temporary copy, never in your checkout) could not provide, or, with `--offline`, would have to download. Points at the dependency's entry in Chart.yaml.
//!
//! ## Why is this bad?
//! `helm template` refuses a chart whose declared dependency is missing from `charts/`; Argo CD then runs `helm dependency build` and renders again, and the sync fails when the build does. The gate cannot check what it cannot render.
//!
//! ## Example
//! ```text
//! error[chart-dependency-missing]: Application web: chart dependency common (repository file://../does-not-exist) could not be built: Error: directory ../does-not-exist not found
//! ```
//!
//! ## How to fix
//! Fix the dependency's `repository`/`version`, or vendor the chart into `charts/`.
//!
//! ## Reference
//! Argo CD `reposerver/repository/repository.go` (`helmTemplate`, `getHelmRepos`, `getHelmDependencyRepos`, `runHelmBuild`), `util/helm/helm.go` (`IsMissingDependencyErr`, `DependencyBuild`).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::ChartDependencyMissing,
    severity: Severity::Error,
    summary: "a chart dependency cannot be built",
};

//! # generator-not-evaluated
//!
//! ## What it does
//! Reports an ApplicationSet whose Applications the gate cannot predict: its generators are not evaluated offline (ApplicationSet expansion covers pullRequest, git, list, clusters, matrix, merge; scmProvider, plugin and clusterDecisionResource never can be).
//!
//! ## Why is this bad?
//! Those Applications would deploy without being checked: the gate fails closed instead (exit 2).
//!
//! ## Example
//! ```text
//! error[generator-not-evaluated]: ApplicationSet preview-apps: generators are not evaluated
//! ```
//!
//! ## How to fix
//! Express the ApplicationSet with generators the gate evaluates, or acknowledge it in
//! `preview-gate.yaml` (`unevaluatedApplicationSets: [name]`): the finding then stays, as a
//! warning, and the exit status no longer depends on it.
//!
//! ## Reference
//! Argo CD `applicationset/generators/*`.

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::GeneratorNotEvaluated,
    severity: Severity::Error,
    summary: "an ApplicationSet generator cannot be evaluated offline",
};

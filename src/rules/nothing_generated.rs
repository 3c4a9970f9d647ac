//! # nothing-generated
//!
//! ## What it does
//! Warns at a generator of an ApplicationSet that yields no Application for the synthetic pull
//! request, and says why it may be: no file or directory matches its paths, the pull request
//! lacks a required label or is excluded by the generator's `filters`, its list is empty, a
//! child of a matrix or merge yields nothing, or its `selector` matches none of what it lists.
//!
//! ## Why is this bad?
//! A generator that yields nothing is also a check of nothing: a path typo (`app/*` for
//! `apps/*`) would otherwise look exactly like a clean pass.
//!
//! ## Example
//! ```text
//! warning[nothing-generated]: this generator of ApplicationSet preview-apps yields no Application for the synthetic pull request: no file Git tracks matches app/*/component.yaml
//! ```
//!
//! ## How to fix
//! Fix the path, label or filter; or, when nothing is expected for this pull request, check with
//! the `--pr-*` options of a pull request that should match.
//!
//! ## Reference
//! Argo CD `applicationset/generators/*.go`; `services/pull_request/utils.go` (`ListPullRequests`).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::NothingGenerated,
    severity: Severity::Warning,
    summary: "an ApplicationSet generator yields no Application for the synthetic pull request",
};

//! # invalid-config
//!
//! ## What it does
//! Reports a problem in `preview-gate.yaml` (or `--config`): invalid YAML, an unknown key, a value of the wrong type. Points at the line.
//!
//! ## Why is this bad?
//! A misspelt key silently ignored would change what the gate checks.
//!
//! ## Example
//! ```text
//! error[invalid-config]: unknown key `kubeVerison`
//! ```
//!
//! ## How to fix
//! Use one of the documented keys (see README, Configuration).
//!
//! ## Reference
//! preview-gate README, Configuration.

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::InvalidConfig,
    severity: Severity::Error,
    summary: "preview-gate.yaml is invalid",
};

//! # parse-error
//!
//! ## What it does
//! Reports a YAML file that does not parse, at the line the parser stopped. It is an error (exit 2) when Argo CD would read the file — it mentions `argoproj.io`, or an Application source or value file points at it — and a warning otherwise.
//!
//! ## Why is this bad?
//! A broken Application or AppProject file means the gate cannot see what Argo CD would deploy; a gate that skipped it would pass silently.
//!
//! ## Example
//! ```text
//! error[parse-error]: invalid YAML: did not find expected key
//!   --> argocd/applications/web.yaml:12:3
//! ```
//!
//! ## How to fix
//! Fix the YAML at the reported line.
//!
//! ## Reference
//! Argo CD reads manifests with Kubernetes' YAML decoder (sigs.k8s.io/yaml).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::ParseError,
    severity: Severity::Error,
    summary: "a YAML file cannot be parsed",
};

//! # render-failed
//!
//! ## What it does
//! Reports a source whose rendering failed the way it would fail on Argo CD's repo-server: `helm template` or `kustomize build` exited non-zero, timed out (`--render-timeout`), printed something that is not YAML or a document without `apiVersion`/`kind`, or a value file is missing without `ignoreMissingValueFiles`. Points at the chart template when Helm's error names one, else at the Application source; the tool's stderr is in the message.
//!
//! ## Why is this bad?
//! Argo CD would show ComparisonError and deploy nothing — or the gate would check less than Argo CD deploys. Either way it must not pass (exit 2).
//!
//! ## Example
//! ```text
//! error[render-failed]: helm template failed: Error: parse error at (web/templates/cm.yaml:7): unexpected "}" in operand
//! ```
//!
//! ## How to fix
//! Fix the template or the values; run the same `helm template` locally (`preview-gate check --print-renders` shows the commands).
//!
//! ## Reference
//! Argo CD `util/helm/cmd.go` (`template`), `util/kustomize/kustomize.go` (`Build`).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::RenderFailed,
    severity: Severity::Error,
    summary: "helm template or kustomize build failed",
};

//! # invalid-argo-manifest
//!
//! ## What it does
//! Reports an Application or AppProject that is valid YAML but not a usable object: no `metadata.name`, no `spec.destination`, no source, a source without `repoURL`, a source with two of `helm`/`kustomize`/`directory`/`plugin`, or a resource list that is not a list.
//!
//! ## Why is this bad?
//! Argo CD rejects such objects; the gate cannot render or check them (exit 2).
//!
//! ## Example
//! ```text
//! error[invalid-argo-manifest]: Application web has no spec.destination
//! ```
//!
//! ## How to fix
//! Complete the manifest.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/types.go`; `util/app/discovery` (multiple source types).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::InvalidArgoManifest,
    severity: Severity::Error,
    summary: "an Argo CD manifest parses but is not a valid object",
};

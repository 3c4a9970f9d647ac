//! # source-unresolved
//!
//! ## What it does
//! Reports an Application source the gate cannot find: a `repoURL` that maps to no local tree, a `path` that does not exist or leaves the repository, a remote Helm/OCI chart under `--offline`, a ref source that cannot be resolved, or a source type rendered outside the repository (config management plugins).
//!
//! ## Why is this bad?
//! Argo CD would deploy something the gate has not seen. Skipping it would let a forbidden kind through, so the gate fails closed (exit 2).
//!
//! ## Example
//! ```text
//! error[source-unresolved]: repoURL https://github.com/someone/else.git does not map to a local tree
//! ```
//!
//! ## How to fix
//! Map the repository with `repositories:` in preview-gate.yaml or `--repo-map URL=DIR`; fix the path.
//!
//! ## Reference
//! Argo CD `reposerver/repository/repository.go` (`GenerateManifests`), `util/git/git.go` (`NormalizeGitURL`).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::SourceUnresolved,
    severity: Severity::Error,
    summary: "an Application source cannot be located",
};

//! # invalid-argo-manifest
//!
//! ## What it does
//! Reports an Application, ApplicationSet or AppProject the Kubernetes API server would refuse, checked as `kubectl apply` sends it (strict field validation) against the CRDs of Argo CD v3.5.1: an unknown or misplaced field (with where a field of that name belongs, one level up or down), a value of the wrong type (`path: [x]`, `recurse: "true"`, `include: 5`), a missing required field (`spec.destination`, `spec.project`), an invalid `metadata.name`, an unserved `apiVersion`. Applications an ApplicationSet generates are checked too, at the template line (their names and values; the controller drops unknown fields). Then what the API server accepts but Argo CD cannot use: no source, a source with two of `helm`/`kustomize`/`directory`/`plugin`.
//!
//! ## Why is this bad?
//! Argo CD never sees an object the API server refuses, or refuses it itself; the gate does not check it further (exit 2). Without strict validation the API server drops an unknown field silently instead: a `selector:` written inside a `git:` generator is gone, and the generator selects everything.
//!
//! ## Example
//! ```text
//! error[invalid-argo-manifest]: ApplicationSet platform-dev: strict decoding error: unknown field "spec.generators[0].git.selector"
//!   = help: did you mean spec.generators[0].selector? …
//! error[invalid-argo-manifest]: Application web is invalid: spec.source.directory.recurse: Invalid value: "string": spec.source.directory.recurse in body must be of type boolean: "string"
//! ```
//!
//! ## How to fix
//! Move, rename or retype the field the finding names; complete the manifest.
//!
//! ## Reference
//! Argo CD `manifests/crds/*-crd.yaml` (vendored in `src/argo/crds/`); `k8s.io/apiextensions-apiserver` structural schemas (pruning, `PruneNonNullableNullsWithoutDefaults`, `ValidateCustomResource`, `schema/objectmeta`); `pkg/apis/application/v1alpha1/types.go`; `util/app/discovery` (multiple source types).

use super::{Code, Meta};
use crate::diagnostic::Severity;

pub const META: Meta = Meta {
    code: Code::InvalidArgoManifest,
    severity: Severity::Error,
    summary: "an Argo CD manifest parses but is not a valid object: its CRD refuses it, or Argo CD cannot use it",
};

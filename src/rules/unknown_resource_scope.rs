//! # unknown-resource-scope
//!
//! ## What it does
//! Reports a rendered `(group, kind)` whose scope (namespaced or cluster-scoped) the gate cannot
//! determine: it is not a built-in Kubernetes kind, not a widely installed CRD the gate knows, not
//! defined by a CustomResourceDefinition in the repository or the rendered output, and not in the
//! `--api-resources` snapshot. This is a gate diagnostic (exit 2): the gate does not guess.
//!
//! ## Why is this bad?
//! Which whitelist applies, and whether the destination namespace is added, depends on scope.
//! Guessing would let a cluster-scoped kind slip through a namespaced allowlist.
//!
//! ## Example
//! ```text
//! error[unknown-resource-scope]: cannot tell whether example.com:Widget is namespaced
//! ```
//!
//! ## How to fix
//! Commit the CRD to the repository, or pass `--api-resources FILE` with the output of
//! `kubectl api-resources -o wide` from the target cluster.
//!
//! ## Reference
//! Argo CD takes scope from API discovery (gitops-engine `pkg/cache/cluster.go`).

use std::collections::BTreeMap;

use super::{Code, Context, Meta};
use crate::diagnostic::{Finding, Severity};

pub const META: Meta = Meta {
    code: Code::UnknownResourceScope,
    severity: Severity::Error,
    summary: "the scope of a rendered kind is unknown (no CRD, no discovery data)",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut first = BTreeMap::new();
    for object in ctx.inventory.objects.iter().filter(|o| o.scope.is_none()) {
        first
            .entry((object.group.clone(), object.kind.clone()))
            .or_insert(object);
    }
    first
        .into_values()
        .map(|object| {
            Finding::new(
                META.code,
                META.severity,
                format!("cannot tell whether {}:{} is namespaced or cluster-scoped", object.group, object.kind),
                object.origin.clone(),
            )
            .app(&ctx.apps[object.app].name)
            .help("commit its CustomResourceDefinition, or pass --api-resources with `kubectl api-resources -o wide` output")
        })
        .collect()
}

//! # kind-not-allowed
//!
//! ## What it does
//! Checks every rendered resource against its Application's AppProject, exactly as Argo CD's
//! `IsGroupKindNamePermitted` does at sync time: namespaced kinds against
//! `namespaceResourceWhitelist`/`namespaceResourceBlacklist`, cluster-scoped kinds against
//! `clusterResourceWhitelist`/`clusterResourceBlacklist` (including entry `name` globs).
//!
//! ## Why is this bad?
//! Argo CD refuses the whole sync with `resource <group>:<kind> is not permitted in project <p>`.
//! For a preview this surfaces only after the PR is labelled, in the Argo CD UI, far from the PR.
//!
//! Semantics that often surprise:
//! - an absent `namespaceResourceWhitelist` allows every namespaced kind, but `[]` allows none;
//! - cluster-scoped kinds need a non-empty `clusterResourceWhitelist` entry (absent or `[]` = none);
//! - a blacklist entry wins over the whitelist;
//! - entries are Go `filepath.Match` globs, case-sensitive; the core group is `''`, never `core` or `v1`;
//! - Helm test hooks are never synced, so they are never checked.
//!
//! ## Example
//! ```yaml
//! # argocd/projects/previews.yaml
//! spec:
//!   clusterResourceWhitelist: []
//! ---
//! # sources/charts/apps/web/templates/clusterrole.yaml
//! kind: ClusterRole   # error: resource rbac.authorization.k8s.io:ClusterRole is not permitted in project previews
//! ```
//!
//! ## How to fix
//! Stop rendering the resource (a preview should not need it), or add `{group, kind}` to the
//! matching whitelist of the AppProject if the project is meant to allow it.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsGroupKindNamePermitted`,
//! `isResourceInList`, `isNamedResourceInList`); spec §1.1, §7.2, §7.2.1.

use super::{Class, Context, Meta};
use crate::argo::project::Verdict;
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Severity};

pub const META: Meta = Meta {
    id: "kind-not-allowed",
    severity: Severity::Error,
    class: Class::Policy,
    summary: "a rendered resource's (group, kind) is not permitted by the Application's AppProject",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for object in &ctx.inventory.objects {
        let Some(scope) = object.scope else { continue };
        let app = &ctx.apps[object.app];
        let Some(project) = ctx.project(app.project_name()) else {
            continue;
        };
        let namespaced = scope == Scope::Namespaced;
        let list = if namespaced {
            "namespaceResourceWhitelist"
        } else {
            "clusterResourceWhitelist"
        };
        let what = format!("{}:{}", object.group, object.kind);
        let hook = if object.hook {
            " (a hook, which Argo CD checks too)"
        } else {
            ""
        };
        let finding = match project.permits(&object.group, &object.kind, &object.name, namespaced) {
            Verdict::Permitted => continue,
            Verdict::NotWhitelisted => {
                let detail = if !namespaced && project.cluster_whitelist.as_ref().is_none_or(Vec::is_empty) {
                    format!("; {} has no cluster-scoped kinds allowed", project.name)
                } else {
                    String::new()
                };
                Finding::new(
                    META.id,
                    META.severity,
                    format!(
                        "resource {what} is not permitted in project {}: {} {}{hook} is not in its {list}{detail}",
                        project.name, object.kind, object.name
                    ),
                    object.origin.clone(),
                )
                .help(format!(
                    "stop rendering {kind}, or add `- group: '{group}'\n  kind: {kind}` to spec.{list} of AppProject {p}",
                    kind = object.kind,
                    group = object.group,
                    p = project.name
                ))
                .related(format!("AppProject {}", project.name), project.location.clone())
            }
            Verdict::Blacklisted(entry) => Finding::new(
                META.id,
                META.severity,
                format!(
                    "resource {what} is not permitted in project {}: {} {}{hook} is denied by blacklist entry {}",
                    project.name,
                    object.kind,
                    object.name,
                    entry.display()
                ),
                object.origin.clone(),
            )
            .help("stop rendering it, or narrow the blacklist entry")
            .related("blacklist entry", entry.location.clone()),
        };
        findings.push(
            finding
                .app(&app.name)
                .project(&project.name)
                .related(format!("Application {}", app.name), app.location.clone()),
        );
    }
    findings
}

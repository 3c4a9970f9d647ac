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
//! - Helm test hooks and `argocd.argoproj.io/hook: Skip` objects are never applied, so they are
//!   never checked;
//! - sync hooks (`PreSync`, `PostSync`, Helm `pre-install`, …) are checked like resources;
//! - `PreDelete`/`PostDelete` hooks are not part of a sync: Argo CD creates them when the
//!   Application is deleted, and does not check them against the project then. The gate still
//!   reports them, and says so.
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
//! matching whitelist of the AppProject if the project is meant to allow it. `preview-gate fix`
//! adds the entry; it never edits a blacklist, so a blacklisted kind is left to you.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsGroupKindNamePermitted`,
//! `isResourceInList`, `isNamedResourceInList`), `controller/sync.go` (`validateSyncPermissions`),
//! gitops-engine `pkg/sync/sync_context.go` (`getSyncTasks` checks every sync task, hooks too),
//! `controller/hook.go` (`executeHooks`); spec §1.1, §7.2, §7.2.1.

use super::{Code, Context, Meta};
use crate::argo::glob::filepath_match;
use crate::argo::project::{AppProject, Verdict};
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Severity};
use crate::edit::Entry;
use crate::inventory::RenderedObject;

pub const META: Meta = Meta {
    code: Code::KindNotAllowed,
    severity: Severity::Error,
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
        // The sync checks its hooks like its resources; the deletion of the Application creates
        // its PreDelete/PostDelete hooks without a check (controller/hook.go executeHooks).
        let hook = if object.is_sync_hook() {
            " (a hook, which Argo CD checks too)".to_string()
        } else if let Some(hook) = object.deletion_only() {
            format!(
                " (a {hook} hook: Argo CD creates it when the Application is deleted, without checking it against the project)"
            )
        } else {
            String::new()
        };
        let finding = match project.permits(&object.group, &object.kind, &object.name, namespaced) {
            Verdict::Permitted => continue,
            Verdict::NotWhitelisted => {
                let detail = if !namespaced && project.cluster_whitelist.as_ref().is_none_or(Vec::is_empty) {
                    format!("; {} has no cluster-scoped kinds allowed", project.name)
                } else {
                    String::new()
                };
                let finding = Finding::new(
                    META.code,
                    META.severity,
                    format!(
                        "resource {what} is not permitted in project {}: {} {}{hook} is not in its {list}{detail}",
                        project.name, object.kind, object.name
                    ),
                    object.origin.clone(),
                )
                .related(format!("AppProject {}", project.name), project.location.clone());
                with_allowlist_fix(finding, project, object, list, namespaced)
            }
            Verdict::Blacklisted(entry) => Finding::new(
                META.code,
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
            .help(format!(
                "stop rendering {kind}, or delete or narrow the blacklist entry at {}:{} by hand (preview-gate fix never edits blacklists)",
                entry.location.display_path(),
                entry.location.line,
                kind = object.kind
            ))
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

/// The help and the whitelist entry to add, unless a blacklist would still deny the kind.
fn with_allowlist_fix(
    finding: Finding,
    project: &AppProject,
    object: &RenderedObject,
    list: &'static str,
    namespaced: bool,
) -> Finding {
    let (whitelist, blacklist) = if namespaced {
        (&project.namespace_whitelist, &project.namespace_blacklist)
    } else {
        (&project.cluster_whitelist, &project.cluster_blacklist)
    };
    // Where entries of this kind exist but restrict names, allow just this name.
    let name = whitelist
        .iter()
        .flatten()
        .any(|e| {
            e.name.as_deref().is_some_and(|n| !n.is_empty())
                && filepath_match(&e.group, &object.group)
                && filepath_match(&e.kind, &object.kind)
        })
        .then(|| object.name.clone());
    let entry = Entry {
        group: object.group.clone(),
        kind: object.kind.clone(),
        name,
    };
    let mut text = format!("- group: '{}'\n  kind: {}", entry.group, entry.kind);
    if let Some(name) = &entry.name {
        text.push_str(&format!("\n  name: {name}"));
    }
    let p = &project.name;
    let kind = &object.kind;
    let blocked = blacklist
        .iter()
        .flatten()
        .find(|e| e.matches(&object.group, &object.kind, &object.name));
    match blocked {
        Some(entry) => finding.help(format!(
            "stop rendering {kind}, or add `{text}` to spec.{list} of AppProject {p} and delete or narrow its blacklist entry at {}:{} by hand (preview-gate fix never edits blacklists)",
            entry.location.display_path(),
            entry.location.line
        )),
        None => finding
            .help(format!(
                "stop rendering {kind}, or add `{text}` to spec.{list} of AppProject {p} (`preview-gate fix` does it)"
            ))
            .edit(super::support::whitelist_addition(project, list, entry)),
    }
}

//! # stale-allowlist-entry
//!
//! ## What it does
//! Reports every entry of an AppProject's `namespaceResourceWhitelist` or
//! `clusterResourceWhitelist` that no rendered resource of that project's own Applications matches.
//! Kinds rendered by other projects' Applications do not keep an entry alive. A project that no
//! checked Application uses gets no findings, and neither does a project some of whose Applications
//! were left out with `--app`.
//!
//! An entry matched only by kinds the rendered workloads create at runtime (Deployment → ReplicaSet
//! → Pod, StatefulSet/DaemonSet → Pod and ControllerRevision, CronJob → Job → Pod, Service →
//! Endpoints/EndpointSlice) is reported as a note, not an error: Argo CD shows child objects in the
//! resource tree only for permitted kinds, so teams keep such entries on purpose.
//!
//! ## Why is this bad?
//! An allowlist is only a security boundary while it is exact. An entry nothing needs is a
//! permission anyone who can change a chart may start using unreviewed (spec §7.2.1: "a whitelisted
//! kind is never rendered" must fail the gate).
//!
//! ## Example
//! ```yaml
//! namespaceResourceWhitelist:
//!   - group: networking.k8s.io
//!     kind: Ingress        # error: no Application of project previews renders networking.k8s.io:Ingress
//! ```
//!
//! ## How to fix
//! Delete the entry, or render the kind again if it was removed by mistake. `preview-gate fix`
//! deletes the entry's lines (error findings only; notes are kept).
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (the lists); spec §7.2, §7.2.1.

use super::{Code, Context, Meta};
use crate::argo::project::{AppProject, ResourceEntry};
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Location, Severity};
use crate::inventory::RenderedObject;

pub const META: Meta = Meta {
    code: Code::StaleAllowlistEntry,
    severity: Severity::Error,
    summary: "an AppProject allowlist entry matches nothing its Applications render",
};

/// A `(group, kind)` pair.
type GroupKind = (&'static str, &'static str);

/// `parent → child` kinds that controllers create at runtime.
const RUNTIME_CHILDREN: &[(GroupKind, GroupKind)] = &[
    (("apps", "Deployment"), ("apps", "ReplicaSet")),
    (("apps", "Deployment"), ("", "Pod")),
    (("apps", "ReplicaSet"), ("", "Pod")),
    (("apps", "StatefulSet"), ("", "Pod")),
    (("apps", "StatefulSet"), ("apps", "ControllerRevision")),
    (("apps", "DaemonSet"), ("", "Pod")),
    (("apps", "DaemonSet"), ("apps", "ControllerRevision")),
    (("batch", "CronJob"), ("batch", "Job")),
    (("batch", "CronJob"), ("", "Pod")),
    (("batch", "Job"), ("", "Pod")),
    (("", "Service"), ("", "Endpoints")),
    (("", "Service"), ("discovery.k8s.io", "EndpointSlice")),
];

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for project in ctx
        .projects
        .iter()
        .filter(|p| ctx.fully_checked_projects.contains(&p.name))
    {
        let objects: Vec<&RenderedObject> = ctx
            .inventory
            .objects
            .iter()
            .filter(|o| ctx.apps[o.app].project_name() == project.name)
            .collect();
        let lists = [
            (
                "namespaceResourceWhitelist",
                &project.namespace_whitelist,
                Scope::Namespaced,
            ),
            (
                "clusterResourceWhitelist",
                &project.cluster_whitelist,
                Scope::Cluster,
            ),
        ];
        for (list, entries, scope) in lists {
            for entry in entries.iter().flatten() {
                let used = objects
                    .iter()
                    .any(|o| o.scope == Some(scope) && entry.matches(&o.group, &o.kind, &o.name));
                if used {
                    continue;
                }
                findings.push(stale_finding(project, list, entry, scope, &objects));
            }
        }
    }
    findings
}

fn stale_finding(
    project: &AppProject,
    list: &'static str,
    entry: &ResourceEntry,
    scope: Scope,
    objects: &[&RenderedObject],
) -> Finding {
    let parent = (scope == Scope::Namespaced)
        .then(|| {
            RUNTIME_CHILDREN.iter().find(|((pg, pk), (cg, ck))| {
                entry.matches(cg, ck, "") && objects.iter().any(|o| o.group == *pg && o.kind == *pk)
            })
        })
        .flatten();
    let finding = match parent {
        Some(((pg, pk), (cg, ck))) => Finding::new(
            META.code,
            Severity::Note,
            format!(
                "{list} entry {} of project {} matches only {cg}:{ck}, which the rendered {pg}:{pk} creates at runtime; kept so Argo CD shows it in the resource tree",
                entry.display(),
                project.name
            ),
            entry.location.clone(),
        )
        .help("keep it if you want the child objects visible in Argo CD; nothing renders it directly"),
        None => {
            let bad = crate::argo::glob::is_bad_pattern(&entry.kind) || crate::argo::glob::is_bad_pattern(&entry.group);
            let why = if bad { " (the pattern is malformed, so it never matches)" } else { "" };
            Finding::new(
                META.code,
                META.severity,
                format!("{list} entry {} of project {} matches nothing its Applications render{why}", entry.display(), project.name),
                entry.location.clone(),
            )
            .help(format!(
                "delete this entry ({}) from spec.{list}; `preview-gate fix` does it",
                lines_of(&entry.location)
            ))
            .edit(super::support::whitelist_removal(project, list, entry))
        }
    };
    finding.project(&project.name)
}

/// `lines 51-52 of argocd/projects/previews.yaml`.
fn lines_of(location: &Location) -> String {
    let range = if location.end_line > location.line {
        format!("lines {}-{}", location.line, location.end_line)
    } else {
        format!("line {}", location.line)
    };
    format!("{range} of {}", location.display_path())
}

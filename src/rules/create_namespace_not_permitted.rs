//! # create-namespace-not-permitted
//!
//! ## What it does
//! Flags the `CreateNamespace=true` sync option on an Application whose AppProject does not permit
//! the cluster-scoped `Namespace` kind (with the destination namespace as its name, for entries
//! with `name`) — unless the Application renders that Namespace itself.
//!
//! ## Why is this bad?
//! Argo CD creates the namespace as a managed resource of the Application, and the project check
//! applies to it: the sync fails with `resource :Namespace is not permitted in project …`. The
//! preview spec (§2, §7.2) creates preview namespaces from a dedicated system lane instead.
//!
//! ## Example
//! ```yaml
//! # AppProject previews: clusterResourceWhitelist: []
//! syncPolicy:
//!   syncOptions:
//!     - CreateNamespace=true   # error
//! ```
//!
//! ## How to fix
//! Drop `CreateNamespace=true` and let the namespace lane create the namespace, or allow
//! `{group: '', kind: Namespace}` in the project's `clusterResourceWhitelist`.
//!
//! ## Reference
//! Argo CD `controller/sync.go` (`CreateNamespace` creates a managed `Namespace`, checked with
//! `IsGroupKindNamePermitted`); preview spec §2, §7.2.

use super::{Code, Context, Meta};
use crate::argo::project::Verdict;
use crate::diagnostic::{Finding, Location, Severity};

pub const META: Meta = Meta {
    code: Code::CreateNamespaceNotPermitted,
    severity: Severity::Error,
    summary: "CreateNamespace=true but the project does not permit the Namespace kind",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut reported: Vec<&Location> = Vec::new();
    let mut findings = Vec::new();
    for (index, app) in ctx.apps.iter().enumerate() {
        let Some((_, location)) = app
            .sync_options
            .iter()
            .find(|(option, _)| option == "CreateNamespace=true")
        else {
            continue;
        };
        let Some(project) = ctx.project(app.project_name()) else {
            continue;
        };
        let namespace = &app.destination.namespace;
        if namespace.is_empty()
            || project.permits("", "Namespace", namespace, false) == Verdict::Permitted
            || reported.contains(&location)
        {
            continue;
        }
        let renders_it = ctx.inventory.objects.iter().any(|o| {
            o.app == index && o.group.is_empty() && o.kind == "Namespace" && o.name == *namespace
        });
        if renders_it {
            continue;
        }
        reported.push(location);
        findings.push(
            Finding::new(
                META.code,
                META.severity,
                format!(
                    "Application {} sets CreateNamespace=true, but project {} does not permit the cluster-scoped kind Namespace, so creating {namespace} fails the sync",
                    app.name, project.name
                ),
                location.clone(),
            )
            .app(&app.name)
            .project(&project.name)
            .related(format!("AppProject {}", project.name), project.location.clone())
            .help("create the namespace from a dedicated namespace lane and drop CreateNamespace=true, or allow {group: '', kind: Namespace} in clusterResourceWhitelist"),
        );
    }
    findings
}

//! # destination-not-permitted
//!
//! ## What it does
//! Checks where each Application deploys against its AppProject's `destinations`, with Argo CD's
//! exact evaluation:
//! - the destination is resolved first (`server` or `name`, never both; `in-cluster` is
//!   `https://kubernetes.default.svc`; other clusters come from `--cluster NAME=SERVER` or
//!   `clusters:` in `preview-gate.yaml`);
//! - each entry matches when (server OR name) AND namespace match — gobwas globs without
//!   separators — and a failing `!` pattern rejects at once, with the quirks of argoproj/argo-cd#21264
//!   (a `!` pattern that does not reject counts as a match; a `!name` entry rejects its cluster in
//!   every namespace in released Argo CD 3.x);
//! - every rendered namespaced object whose own namespace differs from the destination is checked
//!   too, as Argo CD does at sync.
//!
//! It also enforces the control-plane safety rule (spec §1.1): a project used by preview
//! Applications (generated from pull requests) must not admit the Argo CD control-plane namespace
//! (`argocd`) for namespaced workloads.
//!
//! ## Why is this bad?
//! Argo CD refuses the Application (`application destination … is not permitted in project …`) or
//! fails the sync for the stray object. A preview project that reaches `argocd` lets a pull request
//! deploy next to — or over — Argo CD itself.
//!
//! ## Example
//! ```yaml
//! # AppProject previews
//! destinations:
//!   - server: https://kubernetes.default.svc
//!     namespace: 'pr-*'
//! # Application
//! destination:
//!   namespace: ameide-dev   # error
//! ```
//!
//! ## How to fix
//! Deploy into a namespace the project allows, or change the project's `destinations` if the
//! target is meant to be allowed. Remove control-plane namespaces from preview projects.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsDestinationPermitted`,
//! `isDestinationMatched`), `util/argo/argo.go` (`GetDestinationCluster`), argoproj/argo-cd#21264;
//! preview spec §1.1.

use super::{Code, Context, Meta};
use crate::argo::admission::{
    CONTROL_PLANE_NAMESPACE, Cluster, DestinationVerdict, IN_CLUSTER_NAME, IN_CLUSTER_SERVER,
    NameDenyScope, evaluate_destination, resolve_destination,
};
use crate::argo::application::Application;
use crate::argo::project::AppProject;
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Location, Severity};

pub const META: Meta = Meta {
    code: Code::DestinationNotPermitted,
    severity: Severity::Error,
    summary: "an Application or rendered object deploys where its project does not allow",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut reported: Vec<(Location, String)> = Vec::new();
    let mut report = |finding: Finding, namespace: &str| {
        let key = (finding.location.clone(), namespace.to_string());
        if !reported.contains(&key) {
            reported.push(key);
            findings.push(finding);
        }
    };
    for (index, app) in ctx.apps.iter().enumerate() {
        let Some(project) = ctx.project(app.project_name()) else {
            continue;
        };
        let cluster = match resolve(app, ctx.clusters) {
            Ok(cluster) => cluster,
            Err(message) => {
                report(
                    Finding::new(META.code, META.severity, format!("Application {}: {message}", app.name), app.destination_location.clone())
                        .app(&app.name)
                        .project(&project.name)
                        .help("name an existing cluster; declare clusters with --cluster NAME=SERVER or under clusters: in preview-gate.yaml"),
                    "",
                );
                continue;
            }
        };
        let namespace = &app.destination.namespace;
        if let Some(finding) = judge(project, &cluster, namespace, || {
            (
                format!(
                    "Application {} deploys to {} on {} ({}), which project {} does not allow",
                    app.name,
                    if namespace.is_empty() {
                        "no namespace".to_string()
                    } else {
                        format!("namespace {namespace}")
                    },
                    cluster.name,
                    cluster.server,
                    project.name
                ),
                app.destination_location.clone(),
            )
        }) {
            report(finding.app(&app.name), namespace);
        }
        for object in ctx.inventory.objects.iter().filter(|o| {
            o.app == index && o.scope == Some(Scope::Namespaced) && o.namespace != *namespace
        }) {
            if let Some(finding) = judge(project, &cluster, &object.namespace, || {
                (
                    format!(
                        "{} {} of Application {} is deployed to namespace {}, which project {} does not allow",
                        object.kind, object.name, app.name, object.namespace, project.name
                    ),
                    object.origin.clone(),
                )
            }) {
                report(finding.app(&app.name), &object.namespace);
            }
        }
    }
    findings.extend(control_plane(ctx));
    findings
}

/// The destination as Argo CD resolves it; a `server` outside the declared clusters is taken as
/// written (its name unknown), since the gate cannot list the real clusters.
fn resolve(app: &Application, clusters: &[Cluster]) -> Result<Cluster, String> {
    let server = app.destination.server.as_deref().filter(|s| !s.is_empty());
    let name = app.destination.name.as_deref().filter(|s| !s.is_empty());
    match resolve_destination(server, name, clusters) {
        Err(_) if name.is_none() && server.is_some() => Ok(Cluster {
            name: String::new(),
            server: server.unwrap_or_default().to_string(),
        }),
        other => other,
    }
}

fn judge(
    project: &AppProject,
    cluster: &Cluster,
    namespace: &str,
    describe: impl Fn() -> (String, Location),
) -> Option<Finding> {
    let rules: Vec<_> = project
        .destinations
        .iter()
        .map(|(r, _)| r.clone())
        .collect();
    let verdict = evaluate_destination(
        NameDenyScope::default(),
        &rules,
        &cluster.server,
        &cluster.name,
        namespace,
    );
    let (message, location) = describe();
    let finding = Finding::new(META.code, META.severity, message, location).project(&project.name);
    match verdict {
        DestinationVerdict::Permitted { .. } => None,
        DestinationVerdict::Denied { rule } => Some(
            finding
                .related("rejected by this destinations entry", project.destinations[rule].1.clone())
                .help("deploy where the project allows, or change the project's destinations"),
        ),
        DestinationVerdict::NotListed => Some(
            finding
                .related(format!("AppProject {}", project.name), project.location.clone())
                .help("no destinations entry matches; deploy where the project allows, or add an entry"),
        ),
    }
}

/// Spec §1.1: projects that preview Applications use must not reach the control-plane namespace
/// with namespaced workloads.
fn control_plane(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for project in ctx.projects {
        let used_by_previews = ctx
            .apps
            .iter()
            .any(|a| a.preview && a.project_name() == project.name);
        let allows_namespaced = project
            .namespace_whitelist
            .as_ref()
            .is_none_or(|l| !l.is_empty());
        if !used_by_previews || !allows_namespaced {
            continue;
        }
        let rules: Vec<_> = project
            .destinations
            .iter()
            .map(|(r, _)| r.clone())
            .collect();
        if let DestinationVerdict::Permitted { rule } = evaluate_destination(
            NameDenyScope::default(),
            &rules,
            IN_CLUSTER_SERVER,
            IN_CLUSTER_NAME,
            CONTROL_PLANE_NAMESPACE,
        ) {
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!(
                        "project {} is used by preview Applications and admits namespaced workloads in the Argo CD control-plane namespace {CONTROL_PLANE_NAMESPACE}",
                        project.name
                    ),
                    project.destinations[rule].1.clone(),
                )
                .project(&project.name)
                .help(format!(
                    "restrict the destinations to the preview namespace pattern; only a system project with namespaceResourceWhitelist: [] may target {CONTROL_PLANE_NAMESPACE}"
                )),
            );
        }
    }
    findings
}

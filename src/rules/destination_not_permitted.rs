//! # destination-not-permitted
//!
//! ## What it does
//! Checks where each Application deploys against its AppProject's `destinations`, with Argo CD's
//! exact evaluation:
//! - the destination is resolved first, whatever the project (one the repository defines, an
//!   external one, or an unknown one): `server` or `name`, never both and not neither; a server
//!   must be the local cluster (`https://kubernetes.default.svc`, unless `cluster.inClusterEnabled`
//!   is `"false"` under `argocd:` in `preview-gate.yaml`) or a declared cluster, and a name must
//!   name exactly one (`in-cluster` is the local cluster). Clusters are declared by cluster Secrets
//!   in the repository (`argocd.argoproj.io/secret-type: cluster`), `clusters:` in
//!   `preview-gate.yaml` or `--cluster NAME=SERVER`. The finding sits at the `server:` or `name:`
//!   line that is wrong, with Argo CD's message;
//! - clusters scoped to the project (a Secret's `project`) add destinations to it (their
//!   `namespaces`, or all), and with `permitOnlyProjectScopedClusters: true` only such a cluster
//!   is permitted;
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
//! Argo CD refuses the Application (`application destination … do not match any of the allowed
//! destinations in project …`, `there are no clusters with this name: …`) or fails the sync for
//! the stray object; the ApplicationSet controller does not even create a generated Application
//! whose cluster it cannot resolve. A preview project that reaches `argocd` lets a pull request
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
//! target is meant to be allowed. Name a cluster Argo CD has, and declare the clusters the
//! repository does not hold as Secrets under `clusters:` in `preview-gate.yaml`. Under
//! `permitOnlyProjectScopedClusters`, scope the cluster to the project (`project:` in its Secret).
//! Remove control-plane namespaces from preview projects.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsDestinationPermitted`,
//! `isDestinationMatched`), `util/argo/argo.go` (`ValidatePermissions`, `GetAppProjectByName`,
//! `GetDestinationServer`, `GetDestinationCluster`), `util/db/cluster.go` (`GetCluster`,
//! `GetClusterServersByName`, `GetProjectClusters`), argoproj/argo-cd#21264; preview spec §1.1.

use super::{Code, Context, Meta};
use crate::argo::admission::{
    CONTROL_PLANE_NAMESPACE, DestinationRule, DestinationVerdict, NameDenyScope, Permission,
    evaluate_destination, is_destination_permitted, project_scoped_destinations,
};
use crate::argo::application::Application;
use crate::argo::cluster::{
    Cluster, DestinationError, DestinationField, IN_CLUSTER_NAME, IN_CLUSTER_SERVER,
    get_destination_cluster,
};
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
        let project = ctx.project(app.project_name());
        // The cluster is resolved whatever the project: Argo CD does so for a project it has
        // (ValidatePermissions, validateGeneratedApplications, the API server's
        // validateAndNormalizeApp), and a project the repository does not define may be one.
        let destination = &app.destination;
        let cluster = match get_destination_cluster(
            destination.server.as_deref(),
            destination.name.as_deref(),
            ctx.clusters,
            ctx.in_cluster_enabled,
        ) {
            Ok(cluster) => cluster,
            Err(error) => {
                report(unresolved(app, project, &error), "");
                continue;
            }
        };
        let Some(project) = project else {
            continue; // unknown-project reports it; an external project's rules are not known
        };
        let rules = destinations(project, ctx.clusters);
        let namespace = &destination.namespace;
        let judged = |namespace: &str| {
            is_destination_permitted(
                NameDenyScope::default(),
                &rules.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>(),
                project.permit_only_project_scoped_clusters,
                &project.name,
                &cluster,
                namespace,
                ctx.clusters,
            )
        };
        let permission = judged(namespace);
        if let Permission::NotProjectScoped { rule } = permission {
            // The cluster is what is wrong, in every namespace: one finding at its field.
            report(not_project_scoped(app, project, &cluster, rule, &rules), "");
            continue;
        }
        if let Some(finding) = judge(project, &rules, permission, || {
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
            if let Some(finding) = judge(project, &rules, judged(&object.namespace), || {
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

/// The project's destinations as `GetAppProjectByName` hands them on: its own entries, then those
/// of the clusters scoped to it, each with the line that declares it.
fn destinations(project: &AppProject, clusters: &[Cluster]) -> Vec<(DestinationRule, Location)> {
    let mut rules = project.destinations.clone();
    for (rule, cluster) in project_scoped_destinations(&project.name, clusters) {
        let origin = clusters[cluster].origin.clone();
        rules.push((rule, origin.unwrap_or_else(|| project.location.clone())));
    }
    rules
}

/// A `GetDestinationCluster` error, at the field to fix: `server:` or `name:`, both set at `name:`,
/// neither at `destination:`. Generated Applications get the ApplicationSet controller's wording
/// (`validateGeneratedApplications`), which then does not create them.
fn unresolved(
    app: &Application,
    project: Option<&AppProject>,
    error: &DestinationError,
) -> Finding {
    let destination = &app.destination;
    let at = |field: &Option<Location>| {
        field
            .clone()
            .unwrap_or_else(|| app.destination_location.clone())
    };
    let (location, help) = match error.field {
        DestinationField::Server => (
            at(&destination.server_location),
            "name a cluster Argo CD has: declare it as a cluster Secret in the repository, under clusters: in preview-gate.yaml, or with --cluster NAME=SERVER",
        ),
        DestinationField::Name => (
            at(&destination.name_location),
            "name exactly one cluster Argo CD has: declare it as a cluster Secret in the repository, under clusters: in preview-gate.yaml, or with --cluster NAME=SERVER",
        ),
        DestinationField::Both => (
            at(&destination.name_location),
            "set either server: or name:, not both",
        ),
        DestinationField::Neither => (
            app.destination_location.clone(),
            "set server: or name: in spec.destination",
        ),
    };
    let message = if app.application_set.is_some() {
        format!(
            "Application {}: application destination spec is invalid: {}",
            app.name, error.message
        )
    } else {
        format!("Application {}: {}", app.name, error.message)
    };
    let mut finding = Finding::new(META.code, META.severity, message, location)
        .app(&app.name)
        .help(help);
    if let Some(project) = project {
        finding = finding.project(&project.name);
    }
    if error.field == DestinationField::Both
        && let Some(server) = &destination.server_location
    {
        finding = finding.related("server: is set too", server.clone());
    }
    finding
}

/// `IsDestinationPermitted` with `permitOnlyProjectScopedClusters`: the destination matched, but
/// no cluster Secret scopes the cluster to the project. Argo CD's condition message, at the field
/// naming the cluster.
fn not_project_scoped(
    app: &Application,
    project: &AppProject,
    cluster: &Cluster,
    rule: usize,
    rules: &[(DestinationRule, Location)],
) -> Finding {
    let destination = &app.destination;
    let by_name = destination.name.as_deref().is_some_and(|n| !n.is_empty());
    // ValidatePermissions names the cluster as the destination does.
    let (shown, location) = if by_name {
        (cluster.name.as_str(), destination.name_location.clone())
    } else {
        (cluster.url(), destination.server_location.clone())
    };
    let mut finding = Finding::new(
        META.code,
        META.severity,
        format!(
            "Application {}: application destination server '{shown}' and namespace '{}' do not match any of the allowed destinations in project '{}': the project sets permitOnlyProjectScopedClusters and no cluster Secret scopes {shown} to it",
            app.name, destination.namespace, project.name
        ),
        location.unwrap_or_else(|| app.destination_location.clone()),
    )
    .app(&app.name)
    .project(&project.name)
    .related("the destinations entry that matched", rules[rule].1.clone())
    .help(format!(
        "deploy to a cluster whose Secret sets project: {}, set project: {} in the cluster's Secret (or under clusters: in preview-gate.yaml), or drop permitOnlyProjectScopedClusters",
        project.name, project.name
    ));
    if let Some(flag) = &project.permit_only_project_scoped_clusters_location {
        finding = finding.related("permitOnlyProjectScopedClusters", flag.clone());
    }
    finding
}

fn judge(
    project: &AppProject,
    rules: &[(DestinationRule, Location)],
    permission: Permission,
    describe: impl Fn() -> (String, Location),
) -> Option<Finding> {
    let (message, location) = describe();
    let finding = Finding::new(META.code, META.severity, message, location).project(&project.name);
    match permission {
        Permission::Matched(DestinationVerdict::Permitted { .. }) => None,
        Permission::Matched(DestinationVerdict::Denied { rule }) => Some(
            finding
                .related("rejected by this destinations entry", rules[rule].1.clone())
                .help("deploy where the project allows, or change the project's destinations"),
        ),
        Permission::Matched(DestinationVerdict::NotListed) => Some(
            finding
                .related(format!("AppProject {}", project.name), project.location.clone())
                .help("no destinations entry matches; deploy where the project allows, or add an entry"),
        ),
        Permission::NotProjectScoped { rule } => Some(
            finding
                .related("the destinations entry that matched", rules[rule].1.clone())
                .help("the project sets permitOnlyProjectScopedClusters and the cluster is not scoped to it"),
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
        // Project-scoped clusters count: an in-cluster Secret scoped to the project admits `*`.
        let entries = destinations(project, ctx.clusters);
        let rules: Vec<_> = entries.iter().map(|(r, _)| r.clone()).collect();
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
                    entries[rule].1.clone(),
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::Arc;

    use super::*;
    use crate::yaml::parse_documents;

    fn file() -> Arc<Path> {
        Arc::from(Path::new("/repo/app.yaml"))
    }

    /// An Application whose `spec.destination` is `destination` (indented by six), from line 1.
    fn app(project: &str, destination: &str) -> Application {
        let text = format!(
            "metadata:\n  name: web\nspec:\n  project: {project}\n  source: {{repoURL: r, path: p}}\n  destination:\n{destination}"
        );
        let doc = parse_documents(&text).unwrap().remove(0).root;
        Application::from_node(&file(), &doc).unwrap()
    }

    fn project(spec: &str) -> AppProject {
        let text = format!("kind: AppProject\nmetadata:\n  name: p\nspec:\n{spec}");
        let doc = parse_documents(&text).unwrap().remove(0).root;
        AppProject::from_node(&Arc::from(Path::new("/repo/p.yaml")), &doc).unwrap()
    }

    fn run_with(
        apps: &[Application],
        projects: &[AppProject],
        clusters: &[Cluster],
        in_cluster_enabled: bool,
    ) -> Vec<(u32, String)> {
        let inventory = crate::inventory::resolve(Vec::new(), apps);
        let checked = BTreeSet::new();
        let external = ["external".to_string()];
        check(&Context {
            apps,
            every_application: apps,
            projects,
            inventory: &inventory,
            fully_checked_projects: &checked,
            external_projects: &external,
            refused_projects: &[],
            pinned_namespaces: &[],
            clusters,
            in_cluster_enabled,
            profile: &Default::default(),
            application_sets: &[],
            pr: &Default::default(),
            jobs: &[],
            overlays: &[],
            sources: &Default::default(),
        })
        .into_iter()
        .map(|f| (f.location.line, f.message))
        .collect()
    }

    fn run(destination: &str, clusters: &[Cluster]) -> Vec<(u32, String)> {
        let open = project(
            "  destinations: [{server: '*', namespace: '*'}, {name: '*', namespace: '*'}]\n",
        );
        run_with(&[app("p", destination)], &[open], clusters, true)
    }

    /// Every `GetDestinationCluster` error, at the line of the field that is wrong (lines 7 and
    /// 8 are the first and second field under `destination:`).
    #[test]
    fn get_destination_cluster_errors_point_at_their_field() {
        let found = run("    namespace: apps\n    server: https://nowhere\n", &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.ends_with("error getting cluster by server \"https://nowhere\": rpc error: code = NotFound desc = cluster \"https://nowhere\" not found"), "{found:?}");

        let found = run("    namespace: apps\n    name: staging\n", &[]);
        assert_eq!(
            found,
            vec![(
                8,
                "Application web: there are no clusters with this name: staging".into()
            )]
        );

        let two = [
            Cluster::new("dup", "https://a"),
            Cluster::new("dup", "https://b"),
        ];
        let found = run("    name: dup\n    namespace: apps\n", &two);
        assert_eq!(
            found,
            vec![(
                7,
                "Application web: there are 2 clusters with the same name: [https://a https://b]"
                    .into()
            )]
        );

        let found = run(
            "    server: https://kubernetes.default.svc\n    name: in-cluster\n",
            &[],
        );
        assert_eq!(found, vec![(8, "Application web: application destination can't have both name and server defined: in-cluster https://kubernetes.default.svc".into())]);

        let found = run("    namespace: apps\n", &[]);
        assert_eq!(
            found,
            vec![(
                7,
                "Application web: Destination server missing from app spec".into()
            )]
        );

        let open = project("  destinations: [{server: '*', namespace: '*'}]\n");
        let app = app(
            "p",
            "    namespace: apps\n    server: https://kubernetes.default.svc\n",
        );
        let found = run_with(&[app], &[open], &[], false);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.ends_with("is disabled"), "{found:?}");

        // Declared clusters resolve, by server (trailing slash trimmed) or by name.
        let staging = [Cluster::new("staging", "https://staging/")];
        assert!(
            run(
                "    namespace: apps\n    server: https://staging\n",
                &staging
            )
            .is_empty()
        );
        assert!(run("    namespace: apps\n    name: staging\n", &staging).is_empty());
    }

    /// The cluster is resolved whatever the project: external, or not in the repository.
    #[test]
    fn unknown_cluster_for_external_and_unknown_projects() {
        for project in ["external", "nowhere"] {
            let found = run_with(&[app(project, "    name: staging\n")], &[], &[], true);
            assert_eq!(
                found,
                vec![(
                    7,
                    "Application web: there are no clusters with this name: staging".into()
                )],
                "{project}"
            );
            let fine = run_with(&[app(project, "    name: in-cluster\n")], &[], &[], true);
            assert!(fine.is_empty(), "{project}: {fine:?}");
        }
    }

    /// `IsDestinationPermitted` with `permitOnlyProjectScopedClusters`, through the rule: the
    /// finding sits at the field naming the cluster, with Argo CD's message.
    #[test]
    fn permit_only_project_scoped_clusters() {
        let strict = project(
            "  permitOnlyProjectScopedClusters: true\n  destinations: [{server: '*', namespace: '*'}]\n",
        );
        let by_server = app(
            "p",
            "    namespace: apps\n    server: https://kubernetes.default.svc\n",
        );
        let found = run_with(
            std::slice::from_ref(&by_server),
            std::slice::from_ref(&strict),
            &[],
            true,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 8);
        assert!(found[0].1.starts_with("Application web: application destination server 'https://kubernetes.default.svc' and namespace 'apps' do not match any of the allowed destinations in project 'p'"), "{found:?}");

        let by_name = app("p", "    name: in-cluster\n    namespace: apps\n");
        let found = run_with(&[by_name], std::slice::from_ref(&strict), &[], true);
        assert_eq!(found[0].0, 7);
        assert!(found[0].1.contains("server 'in-cluster'"), "{found:?}");

        // A Secret scoping the local cluster to the project admits it.
        let mut local = Cluster::new("in-cluster", "https://kubernetes.default.svc");
        local.project = "p".into();
        assert!(
            run_with(
                std::slice::from_ref(&by_server),
                std::slice::from_ref(&strict),
                std::slice::from_ref(&local),
                true
            )
            .is_empty()
        );
        // Scoped to another project, it does not.
        local.project = "other".into();
        assert_eq!(run_with(&[by_server], &[strict], &[local], true).len(), 1);
    }

    /// `GetAppProjectByName`: a cluster scoped to the project is a destination of it, in its
    /// namespaces (or all of them).
    #[test]
    fn project_scoped_clusters_add_destinations() {
        let narrow = project(
            "  destinations: [{server: https://kubernetes.default.svc, namespace: apps}]\n",
        );
        let app = app("p", "    namespace: tools\n    server: https://team\n");
        let mut team = Cluster::new("team", "https://team");
        assert_eq!(
            run_with(
                std::slice::from_ref(&app),
                std::slice::from_ref(&narrow),
                std::slice::from_ref(&team),
                true
            )
            .len(),
            1
        );
        team.project = "p".into();
        assert!(
            run_with(
                std::slice::from_ref(&app),
                std::slice::from_ref(&narrow),
                std::slice::from_ref(&team),
                true
            )
            .is_empty()
        );
        team.namespaces = vec!["other".into()];
        assert_eq!(run_with(&[app], &[narrow], &[team], true).len(), 1);
    }
}

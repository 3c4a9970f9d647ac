//! # preview-project-policy
//!
//! ## What it does
//! Opt-in (enabled by `rules/ameide-previews.yaml`). Checks that the two preview AppProjects are
//! exactly as strict as the preview spec requires (§1.1, §7.2):
//!
//! - the **preview project** (`previewProject`) reads only the GitOps repository (`gitopsRepos`)
//!   and chart repositories (`chartRepos`); its `destinations` are exactly the in-cluster server
//!   with the preview namespace pattern (`namespace`, `{number}` read as `*`); its
//!   `clusterResourceWhitelist` is empty; its `namespaceResourceWhitelist` is present, and, when
//!   `namespaceResourceKinds` is set, lists no kind outside it; no destination reaches the
//!   control-plane namespace (`controlPlaneNamespace`);
//! - the **system project** (`systemProject`) reads only the GitOps repository; allows exactly one
//!   cluster-scoped kind, `{group: "", kind: Namespace}`; has `namespaceResourceWhitelist: []`
//!   (present and empty); and its only destination is the in-cluster control-plane namespace.
//!
//! Repository URLs compare like Argo CD's `NormalizeGitURL`; a glob entry (`*`,
//! `https://github.com/org/*`) is never one of the listed repositories.
//!
//! ## Parameters
//! - `previewProject` (text, default `previews`): the AppProject of the namespaced preview lanes.
//! - `systemProject` (text, default `previews-system`): the AppProject of the namespace lane.
//! - `gitopsRepos` (list, default `[]`): the GitOps repository; empty: `sourceRepos` are not checked.
//! - `chartRepos` (list, default `[]`): chart repositories or OCI registries the preview project may also read.
//! - `namespace` (template with `{number}`, default `pr-{number}`): the preview namespace.
//! - `controlPlaneNamespace` (text, default `argocd`): where Argo CD runs.
//! - `namespaceResourceKinds` (group → kinds, default `{}`): the only kinds the preview allowlist may name; empty: not checked.
//!
//! ## Why
//! A preview project is only a boundary while it is exact. Argo CD's cluster-scoped allowlist
//! works by `{group, kind}`, so allowing `Namespace` to previews lets a pull request delete any
//! namespace; an absent `namespaceResourceWhitelist` allows every namespaced kind; a wider
//! `sourceRepos` lets previews render charts from anywhere; a destination in the Argo CD namespace
//! grants admin access. Kind-by-kind admission (`kind-not-allowed`) cannot see any of this, because
//! a too-wide project admits everything.
//!
//! ## Example
//! ```yaml
//! # AppProject previews
//! spec:
//!   sourceRepos:
//!     - https://github.com/ameideio/ameide-gitops.git
//!     - https://github.com/ameideio/ameide.git    # error: not a repository previews may read
//!   clusterResourceWhitelist:
//!     - group: ''
//!       kind: Namespace                            # error: must stay empty
//! ```
//!
//! ## How to fix
//! Remove the extra entry, or, if the spec really changed, change the profile parameters
//! (`rules/ameide-previews.yaml`) in the same pull request so reviewers see the policy change.
//! Namespaces are created by the system lane only (`systemProject`).
//!
//! ## Reference
//! Preview spec §1.1 (AppProject constraints, control-plane safety rule), §7.2 (exact allowlist);
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsGroupKindNamePermitted`,
//! `IsDestinationPermitted`), `util/git/git.go` (`NormalizeGitURL`), docs
//! `operator-manual/declarative-setup.md` (projects that may deploy into the Argo CD namespace).

use super::{Code, Context, Meta};
use crate::argo::admission::{
    DestinationRule, DestinationVerdict, IN_CLUSTER_NAME, IN_CLUSTER_SERVER, NameDenyScope,
    evaluate_destination,
};
use crate::argo::giturl::same_repository;
use crate::argo::project::{AppProject, ResourceEntry};
use crate::diagnostic::{Finding, Location, Severity};
use crate::rules::profile::{self, ParamType, rule_params};

pub const META: Meta = Meta {
    code: Code::PreviewProjectPolicy,
    severity: Severity::Error,
    summary: "opt-in, spec §1.1: the preview and system AppProjects are not exactly as strict as required",
};

rule_params! {
    Settings {
        preview_project: String = "previewProject", ParamType::Text, "previews",
            "the AppProject of the namespaced preview lanes";
        system_project: String = "systemProject", ParamType::Text, "previews-system",
            "the AppProject of the namespace lane";
        gitops_repos: Vec<String> = "gitopsRepos", ParamType::TextList, "[]",
            "the GitOps repository (both projects may read it); empty: sourceRepos are not checked";
        chart_repos: Vec<String> = "chartRepos", ParamType::TextList, "[]",
            "Helm chart repositories or OCI registries the preview project may also read";
        namespace: String = "namespace", ParamType::Template(&["number"]), "pr-{number}",
            "the preview namespace; the preview project's destination is this with `{number}` as `*`";
        control_plane_namespace: String = "controlPlaneNamespace", ParamType::Text, "argocd",
            "where Argo CD runs: only the system project may target it";
        namespace_resource_kinds: Vec<(String, Vec<String>)> = "namespaceResourceKinds", ParamType::KindsByGroup, "{}",
            "the only kinds the preview project's namespaceResourceWhitelist may list (group -> kinds); empty: not checked";
    }
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(settings) = ctx.settings::<Settings>(META.code) else {
        return Vec::new();
    };
    let settings = &settings;
    let mut findings = Vec::new();
    if let Some(project) = ctx.project(&settings.preview_project) {
        findings.extend(preview_project(project, settings));
    }
    if let Some(project) = ctx.project(&settings.system_project) {
        findings.extend(system_project(project, settings));
    }
    findings
}

fn finding(project: &AppProject, message: String, location: Location) -> Finding {
    Finding::new(
        META.code,
        META.severity,
        format!("AppProject {}: {message}", project.name),
        location,
    )
    .project(&project.name)
}

fn preview_project(project: &AppProject, settings: &Settings) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut allowed: Vec<String> = settings.gitops_repos.to_vec();
    allowed.extend(settings.chart_repos.iter().cloned());
    if !settings.gitops_repos.is_empty() {
        findings.extend(source_repos(
            project,
            &allowed,
            "the GitOps repository and chart repositories",
        ));
    }

    let namespace_glob = profile::expand(&settings.namespace, &[("number", "*")]);
    let control_plane = &settings.control_plane_namespace;
    findings.extend(destinations(project, &namespace_glob, control_plane, true));

    for entry in project.cluster_whitelist.iter().flatten() {
        findings.push(
            finding(
                project,
                format!(
                    "clusterResourceWhitelist allows {}; it must be empty (cluster-scoped permissions are by group and kind only, so allowing one lets previews change every object of that kind)",
                    entry.display()
                ),
                entry.location.clone(),
            )
            .help("remove the entry; namespaces are created by the system lane"),
        );
    }

    match &project.namespace_whitelist {
        None => findings.push(
            finding(
                project,
                "has no namespaceResourceWhitelist, which allows every namespaced kind; it must be an explicit allowlist (spec §7.2)".into(),
                project.spec_location.clone(),
            )
            .help("add spec.namespaceResourceWhitelist listing exactly the kinds the preview lanes render"),
        ),
        Some(entries) => {
            let kinds = &settings.namespace_resource_kinds;
            if !kinds.is_empty() {
                for entry in entries.iter().filter(|e| !listed(kinds, e)) {
                    findings.push(
                        finding(
                            project,
                            format!(
                                "namespaceResourceWhitelist allows {}, which is not one of the kinds previews may use (spec §7.2)",
                                entry.display()
                            ),
                            entry.location.clone(),
                        )
                        .help("remove the entry, or stop rendering the kind in the preview lanes; a kind the spec adds belongs in the profile's namespaceResourceKinds first"),
                    );
                }
            }
        }
    }
    findings
}

fn system_project(project: &AppProject, settings: &Settings) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !settings.gitops_repos.is_empty() {
        findings.extend(source_repos(
            project,
            &settings.gitops_repos,
            "the GitOps repository",
        ));
    }
    let control_plane = &settings.control_plane_namespace;
    findings.extend(destinations(project, control_plane, control_plane, false));

    let entries = project.cluster_whitelist.as_deref().unwrap_or_default();
    let is_namespace = |e: &ResourceEntry| e.group.is_empty() && e.kind == "Namespace";
    if entries.is_empty() {
        findings.push(
            finding(
                project,
                "clusterResourceWhitelist does not allow {group: \"\", kind: Namespace}, the one kind the namespace lane creates".into(),
                project.spec_location.clone(),
            )
            .help("set clusterResourceWhitelist to exactly `- group: \"\"\n  kind: Namespace`"),
        );
    }
    let mut namespace_seen = false;
    for entry in entries {
        if is_namespace(entry) && !namespace_seen {
            namespace_seen = true;
            continue;
        }
        findings.push(
            finding(
                project,
                format!(
                    "clusterResourceWhitelist allows {}; the system project must allow exactly one cluster-scoped kind, Namespace",
                    entry.display()
                ),
                entry.location.clone(),
            )
            .help("remove the entry"),
        );
    }

    match &project.namespace_whitelist {
        None => findings.push(
            finding(
                project,
                format!(
                    "has no namespaceResourceWhitelist, which allows every namespaced kind in {control_plane}; it must be present and empty (`namespaceResourceWhitelist: []`)"
                ),
                project.spec_location.clone(),
            )
            .help("add `namespaceResourceWhitelist: []` to spec"),
        ),
        Some(entries) => {
            for entry in entries {
                findings.push(
                    finding(
                        project,
                        format!(
                            "namespaceResourceWhitelist allows {}; it must be empty, since the system lane targets {control_plane}",
                            entry.display()
                        ),
                        entry.location.clone(),
                    )
                    .help("remove the entry: `namespaceResourceWhitelist: []`"),
                );
            }
        }
    }
    findings
}

fn source_repos(project: &AppProject, allowed: &[String], what: &str) -> Vec<Finding> {
    project
        .source_repos
        .iter()
        .filter(|(entry, _)| !allowed.iter().any(|a| same_repository(a, entry)))
        .map(|(entry, location)| {
            finding(
                project,
                format!(
                    "sourceRepos allows `{entry}`; only {what} may be listed ({})",
                    allowed.join(", ")
                ),
                location.clone(),
            )
            .help("remove the entry; previews render only from the GitOps repository")
        })
        .collect()
}

/// Every entry must be exactly the in-cluster server with `namespace`; none may reach the
/// control plane unless it is the system project's own destination.
fn destinations(
    project: &AppProject,
    namespace: &str,
    control_plane: &str,
    forbid_control_plane: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if project.destinations.is_empty() {
        findings.push(
            finding(
                project,
                format!("has no destinations; it must allow exactly {IN_CLUSTER_SERVER} with namespace {namespace}"),
                project.spec_location.clone(),
            )
            .help(format!("add `destinations: [{{server: {IN_CLUSTER_SERVER}, namespace: '{namespace}'}}]`")),
        );
    }
    for (rule, location) in &project.destinations {
        let in_cluster = match (rule.server.as_deref(), rule.name.as_deref()) {
            (Some(server), None | Some("")) => server == IN_CLUSTER_SERVER,
            (None | Some(""), Some(name)) => name == IN_CLUSTER_NAME,
            _ => false,
        };
        let exact = in_cluster && rule.namespace.as_deref() == Some(namespace);
        let reaches_control_plane = forbid_control_plane && admits(rule, control_plane);
        if exact && !reaches_control_plane {
            continue;
        }
        let shown = format!(
            "{{server: {}, name: {}, namespace: {}}}",
            rule.server.as_deref().unwrap_or(""),
            rule.name.as_deref().unwrap_or(""),
            rule.namespace.as_deref().unwrap_or("")
        );
        let message = if reaches_control_plane {
            format!(
                "destination {shown} reaches the Argo CD control-plane namespace {control_plane}, which grants admin access; only {IN_CLUSTER_SERVER} with namespace {namespace} is allowed"
            )
        } else {
            format!(
                "destination {shown} is not allowed; the only destination must be {IN_CLUSTER_SERVER} with namespace {namespace}"
            )
        };
        findings.push(
            finding(project, message, location.clone())
                .help("remove the entry or narrow it to the required destination"),
        );
    }
    findings
}

fn admits(rule: &DestinationRule, namespace: &str) -> bool {
    matches!(
        evaluate_destination(
            NameDenyScope::default(),
            std::slice::from_ref(rule),
            IN_CLUSTER_SERVER,
            IN_CLUSTER_NAME,
            namespace,
        ),
        DestinationVerdict::Permitted { .. }
    )
}

fn listed(kinds: &[(String, Vec<String>)], entry: &ResourceEntry) -> bool {
    kinds
        .iter()
        .any(|(group, names)| *group == entry.group && names.contains(&entry.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;
    use std::path::Path;
    use std::sync::Arc;

    fn project(name: &str, spec: &str) -> AppProject {
        let text = format!("kind: AppProject\nmetadata:\n  name: {name}\nspec:\n{spec}");
        AppProject::from_node(
            &Arc::from(Path::new("/p.yaml")),
            &parse_documents(&text).unwrap()[0].root,
        )
        .unwrap()
    }

    fn params() -> Settings {
        Settings::with(
            "gitopsRepos: [https://github.com/o/gitops.git]\nnamespace: pr-o-{number}\nnamespaceResourceKinds: {'': [ConfigMap], apps: [Deployment]}\n",
        )
    }

    const PREVIEW_OK: &str = "  sourceRepos: [https://github.com/o/gitops]\n  destinations:\n  - server: https://kubernetes.default.svc\n    namespace: pr-o-*\n  clusterResourceWhitelist: []\n  namespaceResourceWhitelist:\n  - group: ''\n    kind: ConfigMap\n";

    #[test]
    fn an_exact_preview_project_passes() {
        assert!(preview_project(&project("previews", PREVIEW_OK), &params()).is_empty());
    }

    #[test]
    fn preview_project_problems_point_at_their_entries() {
        let spec = PREVIEW_OK.to_string() + "  - group: policy\n    kind: PodDisruptionBudget\n";
        let spec = spec
            .replace("[https://github.com/o/gitops]", "[https://github.com/o/gitops, '*']")
            .replace("clusterResourceWhitelist: []", "clusterResourceWhitelist:\n  - {group: '', kind: Namespace}")
            .replace("    namespace: pr-o-*\n", "    namespace: pr-o-*\n  - server: https://kubernetes.default.svc\n    namespace: '*'\n");
        let found = preview_project(&project("previews", &spec), &params());
        let lines: Vec<u32> = found.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, vec![5, 9, 12, 16], "{found:#?}");
        assert!(found[1].message.contains("control-plane"));
    }

    #[test]
    fn absent_namespace_whitelist_is_reported() {
        let spec = PREVIEW_OK
            .split("  namespaceResourceWhitelist")
            .next()
            .unwrap();
        let found = preview_project(&project("previews", spec), &params());
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("no namespaceResourceWhitelist"));
    }

    #[test]
    fn system_project_allows_exactly_namespace_and_nothing_namespaced() {
        let ok = "  sourceRepos: [https://github.com/o/gitops.git]\n  destinations:\n  - server: https://kubernetes.default.svc\n    namespace: argocd\n  clusterResourceWhitelist:\n  - group: ''\n    kind: Namespace\n  namespaceResourceWhitelist: []\n";
        assert!(system_project(&project("s", ok), &params()).is_empty());
        let wide = ok.replace("kind: Namespace", "kind: '*'");
        assert_eq!(system_project(&project("s", &wide), &params()).len(), 1);
        let absent = ok.replace("  namespaceResourceWhitelist: []\n", "");
        let found = system_project(&project("s", &absent), &params());
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("present and empty"));
        let elsewhere = ok.replace("namespace: argocd", "namespace: kube-system");
        assert_eq!(
            system_project(&project("s", &elsewhere), &params()).len(),
            1
        );
    }
}

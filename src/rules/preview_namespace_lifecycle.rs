//! # preview-namespace-lifecycle
//!
//! ## What it does
//! Opt-in (enabled by `rules/ameide-previews.yaml`). Checks the namespace lane — the Applications
//! the ApplicationSet `applicationSet` generates for the synthetic pull request:
//!
//! - it renders exactly one object, a `Namespace` named `namespace` with the pull request's number
//!   (`pr-ameide-{number}` → `pr-ameide-1234`);
//! - the Namespace carries every label of `labels` with its value (`{number}` expanded), and does
//!   not override `kubernetes.io/metadata.name` with anything but its own name;
//! - every source comes from the GitOps repository (`gitopsRepos`) and not at the pull request's
//!   revision (a `targetRevision` equal to its head SHA or branch);
//! - the Application does not delete what it deployed: no `resources-finalizer.argocd.argoproj.io`
//!   (also not the one the ApplicationSet controller adds to templates without finalizers) and no
//!   automated `prune`.
//!
//! ## Parameters
//! - `applicationSet` (text, default empty): the namespace lane; empty: nothing is checked.
//! - `namespace` (template with `{number}`, default `pr-{number}`): the Namespace's name.
//! - `labels` (label → template with `{number}`, default `{}`): labels the Namespace must carry.
//! - `gitopsRepos` (list, default `[]`): where the manifest may come from; empty: not checked.
//!
//! ## Why
//! The preview namespace is the one cluster-scoped object previews need, so it is created by a
//! separate, GitOps-owned lane. Its labels are how cluster policy recognises it: the janitor only
//! deletes namespaces labelled `ameide.io/managed-by: preview`, environment NetworkPolicies select
//! `ameide.io/environment`, and the base Gateway admits routes only from namespaces labelled
//! `gateway-access: allowed`. Rendered from the pull request, the manifest would be whatever the
//! author wrote. And Argo CD must never delete it: with the resources finalizer or automated prune
//! a closed pull request deletes the namespace, with everything in it, outside the audited janitor.
//!
//! ## Example
//! ```yaml
//! # ApplicationSet preview-namespaces: no finalizers in the template, so the controller adds
//! # resources-finalizer.argocd.argoproj.io               # error
//! spec:
//!   template:
//!     spec:
//!       syncPolicy:
//!         automated:
//!           prune: true                                  # error
//! ```
//!
//! ## How to fix
//! Set `spec.syncPolicy.preserveResourcesOnDeletion: true` on the ApplicationSet (the controller
//! then adds no finalizer) and remove any resources finalizer from the template; set
//! `automated.prune: false`. Add the missing labels to the Namespace manifest in the GitOps
//! repository. Point the source at the GitOps repository's branch, never at the pull request.
//!
//! ## Reference
//! Preview spec §2.1 (creation, labels), §2.2 (deletion by the janitor only), §6.2, §6.3, §7.1;
//! Argo CD `applicationset/utils/utils.go` (`RenderTemplateParams` adds the finalizer), docs
//! `user-guide/app_deletion.md`, `operator-manual/applicationset/Application-Deletion.md`.

use super::support::{self, expand_pr, is_resources_finalizer};
use super::{Code, Context, Meta};
use crate::argo::application::Application;
use crate::argo::giturl::same_repository;
use crate::diagnostic::{Finding, Severity};
use crate::rules::profile::{ParamType, rule_params};

pub const META: Meta = Meta {
    code: Code::PreviewNamespaceLifecycle,
    severity: Severity::Error,
    summary: "opt-in, spec §2: the namespace lane does not render exactly its labelled Namespace, or could delete it",
};

rule_params! {
    Settings {
        application_set: String = "applicationSet", ParamType::Text, "''",
            "the ApplicationSet of the namespace lane; empty: nothing is checked";
        namespace: String = "namespace", ParamType::Template(&["number"]), "pr-{number}",
            "the name of the preview namespace";
        labels: Vec<(String, String)> = "labels", ParamType::TemplateMap(&["number"]), "{}",
            "labels the Namespace must carry, with their values";
        gitops_repos: Vec<String> = "gitopsRepos", ParamType::TextList, "[]",
            "repositories the namespace manifest may come from; empty: not checked";
    }
}

const METADATA_NAME_LABEL: &str = "kubernetes.io/metadata.name";

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(settings) = ctx.settings::<Settings>(META.code) else {
        return Vec::new();
    };
    let settings = &settings;
    let lane = &settings.application_set;
    if lane.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (index, app) in support::lane_apps(ctx, lane) {
        let mut found = Vec::new();
        deletion(ctx, app, &mut found);
        sources(ctx, app, settings, &mut found);
        namespace(ctx, index, app, settings, &mut found);
        findings.extend(
            found
                .into_iter()
                .map(|f| f.app(&app.name).project(app.project_name())),
        );
    }
    support::merge_same_line(findings)
}

fn finding(app: &Application, message: String, location: crate::diagnostic::Location) -> Finding {
    Finding::new(
        META.code,
        META.severity,
        format!("Application {}: {message}", app.name),
        location,
    )
}

fn deletion(ctx: &Context, app: &Application, out: &mut Vec<Finding>) {
    let template_lists = |finalizer: &str| {
        app.application_set
            .as_deref()
            .and_then(|name| support::appset(ctx, name))
            .and_then(|a| a.root.at(&["spec", "template", "metadata", "finalizers"]))
            .is_some_and(|f| f.items().iter().any(|i| i.text() == finalizer))
    };
    for (finalizer, location) in app
        .finalizers
        .iter()
        .filter(|(f, _)| is_resources_finalizer(f))
    {
        let (why, help) = if template_lists(finalizer) {
            (
                "its template lists",
                "remove the finalizer from the template",
            )
        } else {
            (
                "the ApplicationSet controller adds, because the template lists no finalizers,",
                "set spec.syncPolicy.preserveResourcesOnDeletion: true on the ApplicationSet",
            )
        };
        out.push(
            finding(
                app,
                format!(
                    "has the finalizer {finalizer}, which {why} so deleting the Application deletes the namespace; only the janitor may delete preview namespaces"
                ),
                location.clone(),
            )
            .help(help),
        );
    }
    if let Some((true, location)) = app
        .sync_policy
        .automated
        .as_ref()
        .and_then(|a| a.prune.clone())
    {
        out.push(
            finding(
                app,
                "enables automated prune, so Argo CD deletes the namespace when it leaves the render; only the janitor may delete preview namespaces".into(),
                location,
            )
            .help("set automated.prune: false"),
        );
    }
}

fn sources(ctx: &Context, app: &Application, settings: &Settings, out: &mut Vec<Finding>) {
    let repos = &settings.gitops_repos;
    let pr = ctx.pr;
    let short = |n: usize| pr.head_sha.chars().take(n).collect::<String>();
    let pr_revisions = [pr.head_sha.clone(), short(8), short(7), pr.branch.clone()];
    for source in &app.sources {
        if !repos.is_empty() && !repos.iter().any(|r| same_repository(r, &source.repo_url)) {
            out.push(
                finding(
                    app,
                    format!(
                        "renders the namespace from {}, not from the GitOps repository ({})",
                        source.repo_url,
                        repos.join(", ")
                    ),
                    source.repo_location.clone(),
                )
                .help("render the Namespace manifest from the GitOps repository"),
            );
        }
        if !source.target_revision.is_empty() && pr_revisions.contains(&source.target_revision) {
            out.push(
                finding(
                    app,
                    format!(
                        "renders the namespace at the pull request's revision {}, so the pull request decides the manifest",
                        source.target_revision
                    ),
                    source.target_revision_location.clone(),
                )
                .help("use the GitOps repository's branch (e.g. main) as targetRevision"),
            );
        }
    }
}

fn namespace(
    ctx: &Context,
    index: usize,
    app: &Application,
    settings: &Settings,
    out: &mut Vec<Finding>,
) {
    let expected = expand_pr(&settings.namespace, ctx.pr);
    let objects: Vec<_> = support::objects_of(ctx, index).collect();
    let Some(namespace) = objects
        .iter()
        .copied()
        .find(|o| o.group.is_empty() && o.kind == "Namespace")
    else {
        let at = app
            .sources
            .first()
            .map_or(app.location.clone(), |s| s.path_location.clone());
        out.push(
            finding(
                app,
                format!("renders no Namespace; it must render exactly Namespace {expected}"),
                at,
            )
            .help("render one Namespace manifest from this source"),
        );
        return;
    };
    for other in objects.iter().filter(|o| !std::ptr::eq(**o, namespace)) {
        out.push(
            finding(
                app,
                format!(
                    "renders {} {} besides Namespace {}; the namespace lane renders exactly one Namespace",
                    other.kind, other.name, namespace.name
                ),
                other.origin.clone(),
            )
            .help("remove it from the namespace lane's source"),
        );
    }
    // A value the Application's Kustomize patches set is fixed there, not in the manifest.
    let patches = app
        .sources
        .get(namespace.source)
        .and_then(|s| s.kustomize.as_ref())
        .filter(|k| !k.patches.is_empty())
        .and_then(|k| k.location.as_ref());
    if namespace.name != expected {
        out.push(
            finding(
                app,
                format!(
                    "renders Namespace {}; it must be named {expected}",
                    namespace.name
                ),
                support::value_location(
                    ctx.sources,
                    &namespace.origin,
                    &["metadata", "name"],
                    &namespace.name,
                    patches,
                ),
            )
            .help(format!("name the Namespace {}", &settings.namespace)),
        );
    }
    let labels = namespace.node.at(&["metadata", "labels"]);
    for (key, value) in &settings.labels {
        let want = expand_pr(value, ctx.pr);
        let have = labels.and_then(|l| l.get(key)).map(|v| v.text());
        let problem = match &have {
            None => format!("lacks the label {key}: {want}"),
            Some(have) if *have != want => format!("has label {key}: {have}; it must be {want}"),
            Some(_) => continue,
        };
        let location = match &have {
            None => support::key_location(ctx.sources, &namespace.origin, &["metadata", "labels"]),
            Some(have) => support::value_location(
                ctx.sources,
                &namespace.origin,
                &["metadata", "labels", key],
                have,
                patches,
            ),
        };
        out.push(
            finding(
                app,
                format!("Namespace {} {problem}", namespace.name),
                location,
            )
            .help(format!(
                "set the label `{key}: \"{want}\"` on the Namespace"
            )),
        );
    }
    if let Some(label) = labels.and_then(|l| l.get(METADATA_NAME_LABEL)) {
        if label.text() != namespace.name {
            out.push(
                finding(
                    app,
                    format!(
                        "Namespace {} overrides the label {METADATA_NAME_LABEL} with {}; Kubernetes sets it to the name and it must not be overridden",
                        namespace.name,
                        label.text()
                    ),
                    support::key_location(ctx.sources, &namespace.origin, &["metadata", "labels", METADATA_NAME_LABEL]),
                )
                .help(format!("remove the {METADATA_NAME_LABEL} label")),
            );
        }
    }
}

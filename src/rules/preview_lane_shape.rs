//! # preview-lane-shape
//!
//! ## What it does
//! Opt-in (enabled by `rules/ameide-previews.yaml`). Checks that the preview stack is exactly its
//! four lanes, each an ApplicationSet named by a parameter, and that each lane's Applications
//! have the source model the spec prescribes:
//!
//! - `namespacesLane`, `baselineLane`, `secretsLane` and `appsLane` exist; no other ApplicationSet
//!   with a pull request generator does;
//! - the namespace lane uses project `systemProject`, the other three `previewProject`, as a
//!   fixed string in the template;
//! - a baseline Application has exactly one source, rendered by Kustomize from Git (no `chart`),
//!   at `baselinePath`;
//! - a secrets or apps Application has exactly two sources: a Helm chart, and a values-only source
//!   with `ref` and neither `path` nor `chart`, which renders nothing.
//!
//! ## Parameters
//! - `namespacesLane`, `baselineLane`, `secretsLane`, `appsLane` (text, default empty): the lane ApplicationSets; an empty one is not checked.
//! - `previewProject` (text, default `previews`): project of the baseline, secrets and apps lanes.
//! - `systemProject` (text, default `previews-system`): project of the namespace lane.
//! - `baselinePath` (text, default empty): the baseline overlay; empty: any path.
//!
//! ## Why
//! The spec's safety argument is per lane: the namespace lane alone may create namespaces, the
//! baseline is a reviewed Kustomize overlay, and charts get their values from a `$values` source
//! that cannot render objects. A fifth pull request ApplicationSet, a lane in the wrong project,
//! or a values source that also has a `path` (and so renders whatever that directory holds)
//! silently steps outside the model every other check assumes.
//!
//! ## Example
//! ```yaml
//! # ApplicationSet preview-secrets, template.spec.sources
//! - repoURL: https://github.com/ameideio/ameide-gitops.git
//!   path: sources/charts/foundation/operators-config/postgres_secrets
//! - repoURL: https://github.com/ameideio/ameide-gitops.git
//!   ref: values
//!   path: sources/values      # error: a values-only source has no path
//! ```
//!
//! ## How to fix
//! Keep exactly the four lane ApplicationSets; fold anything new into a lane (a new apps-tier
//! component is a directory in the component inventory, not an ApplicationSet). Give the values
//! source only `repoURL`, `targetRevision` and `ref`. Render the baseline from its overlay
//! directory with Kustomize.
//!
//! ## Reference
//! Preview spec §4 (multi-source rule), §7.1 (the four ApplicationSets), §2.1; Argo CD docs
//! `user-guide/multiple_sources.md` (Helm value files from an external Git repository: a source
//! with `ref` and no `path` only provides values), `util/app/discovery/discovery.go`.

use super::support::{self, render_tool};
use super::{Code, Context, Meta};
use crate::argo::application::Application;
use crate::diagnostic::{Finding, Location, Severity};
use crate::discover::ApplicationSetDoc;
use crate::rules::profile::{ParamType, Setting, rule_params};
use crate::yaml::Node;

pub const META: Meta = Meta {
    code: Code::PreviewLaneShape,
    severity: Severity::Error,
    summary: "opt-in, spec §4, §7.1: the preview stack is not exactly its four lanes with their projects and sources",
};

rule_params! {
    Settings {
        namespaces_lane: String = "namespacesLane", ParamType::Text, "''",
            "ApplicationSet of the namespace (system) lane";
        baseline_lane: String = "baselineLane", ParamType::Text, "''",
            "ApplicationSet of the baseline lane";
        secrets_lane: String = "secretsLane", ParamType::Text, "''",
            "ApplicationSet of the secrets lane";
        apps_lane: String = "appsLane", ParamType::Text, "''",
            "ApplicationSet of the apps lane";
        preview_project: String = "previewProject", ParamType::Text, "previews",
            "project of the baseline, secrets and apps lanes";
        system_project: String = "systemProject", ParamType::Text, "previews-system",
            "project of the namespace lane";
        baseline_path: String = "baselinePath", ParamType::Text, "''",
            "the overlay the baseline lane deploys; empty: any path";
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Namespaces,
    Baseline,
    Chart,
}

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(settings) = ctx.settings::<Settings>(META.code) else {
        return Vec::new();
    };
    let settings = &settings;
    // (parameter, its setting, the shape of its lane)
    let lanes: Vec<(&str, &Setting<String>, Shape)> = [
        (
            "namespacesLane",
            &settings.namespaces_lane,
            Shape::Namespaces,
        ),
        ("baselineLane", &settings.baseline_lane, Shape::Baseline),
        ("secretsLane", &settings.secrets_lane, Shape::Chart),
        ("appsLane", &settings.apps_lane, Shape::Chart),
    ]
    .into_iter()
    .filter(|(_, name, _)| !name.is_empty())
    .collect();
    if lanes.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();

    let missing: Vec<(&str, &Setting<String>)> = lanes
        .iter()
        .filter(|(_, name, _)| support::appset(ctx, name).is_none())
        .map(|(param, name, _)| (*param, *name))
        .collect();
    let extra: Vec<&ApplicationSetDoc> = ctx
        .application_sets
        .iter()
        .filter(|a| {
            !lanes.iter().any(|(_, name, _)| name.as_str() == a.name)
                && a.root
                    .at(&["spec", "generators"])
                    .is_some_and(|g| crate::appset::uses_pull_requests(g.items()))
        })
        .collect();
    let lane_names: Vec<&str> = lanes.iter().map(|(_, n, _)| n.as_str()).collect();
    let missing_text = missing
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for appset in &extra {
        let also = if missing.is_empty() {
            String::new()
        } else {
            format!("; missing: {missing_text}")
        };
        findings.push(
            Finding::new(
                META.code,
                META.severity,
                format!(
                    "ApplicationSet {} generates Applications from pull requests but is not one of the preview lanes ({}){also}",
                    appset.name,
                    lane_names.join(", ")
                ),
                appset.location.clone(),
            )
            .app(&appset.name)
            .help("fold it into its lane, or rename it to the lane it implements"),
        );
    }
    if extra.is_empty() {
        // Nothing in the repository stands where the lane should: point at the expectation.
        for (param, name) in &missing {
            let Some(location) = &name.location else {
                continue;
            };
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!("the preview lane ApplicationSet {name} ({param}) does not exist"),
                    location.clone(),
                )
                .help(format!(
                    "add the ApplicationSet {name}, or change {param} in the profile"
                )),
            );
        }
    }

    for (_, name, shape) in &lanes {
        let Some(appset) = support::appset(ctx, name) else {
            continue;
        };
        let project = if *shape == Shape::Namespaces {
            &settings.system_project
        } else {
            &settings.preview_project
        };
        findings.extend(project_of(appset, project));
        for (index, app) in support::lane_apps(ctx, name) {
            let found = match shape {
                Shape::Namespaces => Vec::new(),
                Shape::Baseline => baseline(ctx, index, app, settings),
                Shape::Chart => chart_and_values(ctx, index, app),
            };
            findings.extend(
                found
                    .into_iter()
                    .map(|f| f.app(&app.name).project(app.project_name())),
            );
        }
    }
    support::merge_same_line(findings)
}

fn project_of(appset: &ApplicationSetDoc, expected: &str) -> Option<Finding> {
    let template_spec = appset.root.at(&["spec", "template", "spec"]);
    let node = template_spec.and_then(|s| s.get("project"));
    if node.and_then(Node::as_str) == Some(expected) {
        return None;
    }
    let location = node.or(template_spec).map_or(appset.location.clone(), |n| {
        Location::at_node(&appset.file, n)
    });
    let actual = node.map(Node::text).unwrap_or_default();
    Some(
        Finding::new(
            META.code,
            META.severity,
            format!(
                "ApplicationSet {}: the lane's Applications use project `{actual}`; this lane belongs in project {expected}",
                appset.name
            ),
            location,
        )
        .app(&appset.name)
        .help(format!("set template.spec.project: {expected}")),
    )
}

fn finding(app: &Application, message: String, location: Location) -> Finding {
    Finding::new(
        META.code,
        META.severity,
        format!("Application {}: {message}", app.name),
        location,
    )
}

fn baseline(ctx: &Context, index: usize, app: &Application, settings: &Settings) -> Vec<Finding> {
    let mut out = Vec::new();
    for extra in app.sources.iter().skip(1) {
        out.push(
            finding(
                app,
                format!(
                    "has {} sources; the baseline is a single Git source rendered by Kustomize",
                    app.sources.len()
                ),
                extra.location.clone(),
            )
            .help("keep only the baseline overlay source"),
        );
    }
    let Some(source) = app.sources.first() else {
        return out;
    };
    if source.chart.is_some() {
        out.push(
            finding(
                app,
                "deploys a Helm chart from a chart repository; the baseline is a Git source rendered by Kustomize".into(),
                source.location.clone(),
            )
            .help("deploy the baseline overlay directory from the GitOps repository"),
        );
    } else if let Some(tool) = render_tool(ctx, index, source.index).filter(|t| *t != "Kustomize") {
        out.push(
            finding(
                app,
                format!("is rendered by {tool}; the baseline is a Kustomize overlay"),
                source.path_location.clone(),
            )
            .help("point the source at a directory with a kustomization.yaml and no helm or directory options"),
        );
    }
    let wanted = settings.baseline_path.trim_end_matches('/');
    let path = source
        .path
        .as_deref()
        .unwrap_or_default()
        .trim_end_matches('/');
    if !wanted.is_empty() && source.chart.is_none() && path != wanted {
        out.push(
            finding(
                app,
                format!("deploys path `{path}`; the baseline lane deploys {wanted}"),
                source.path_location.clone(),
            )
            .help(format!("set path: {wanted}")),
        );
    }
    out
}

fn chart_and_values(ctx: &Context, index: usize, app: &Application) -> Vec<Finding> {
    let mut out = Vec::new();
    let count = app.sources.len();
    if count != 2 {
        let at = app
            .sources
            .get(2)
            .unwrap_or(&app.sources[0])
            .location
            .clone();
        out.push(
            finding(
                app,
                format!(
                    "has {count} source{}; it must have exactly two: a Helm chart and a values-only `ref` source without `path`",
                    if count == 1 { "" } else { "s" }
                ),
                at,
            )
            .help("use spec.sources with the chart source and one `ref: values` source that has no path"),
        );
    }
    let values: Vec<_> = app
        .sources
        .iter()
        .filter(|s| s.ref_name.is_some())
        .collect();
    for source in &values {
        if source.path.is_some() || source.chart.is_some() {
            out.push(
                finding(
                    app,
                    format!(
                        "the `ref: {}` source also has a {}, so it renders resources too; a values source must only provide value files",
                        source.ref_name.as_deref().unwrap_or_default(),
                        if source.path.is_some() { "path" } else { "chart" }
                    ),
                    if source.path.is_some() { source.path_location.clone() } else { source.location.clone() },
                )
                .help("remove path (and chart) from the values source"),
            );
        }
    }
    if count == 2 && values.is_empty() {
        out.push(
            finding(
                app,
                "has no values-only `ref` source; one of its two sources must provide the value files".into(),
                app.sources[1].location.clone(),
            )
            .help("make the second source `{repoURL: <GitOps repository>, targetRevision: main, ref: values}`"),
        );
    }
    for source in app
        .sources
        .iter()
        .filter(|s| !s.is_ref_only() && s.ref_name.is_none())
    {
        if let Some(tool) = render_tool(ctx, index, source.index).filter(|t| *t != "Helm") {
            out.push(
                finding(
                    app,
                    format!("its chart source is rendered by {tool}, not Helm"),
                    source.path_location.clone(),
                )
                .help("point the chart source at a Helm chart"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;
    use std::path::Path;
    use std::sync::Arc;

    fn appset(template_spec: &str) -> ApplicationSetDoc {
        let text = format!(
            "kind: ApplicationSet\nmetadata:\n  name: lane\nspec:\n  template:\n    spec:\n{template_spec}"
        );
        let root = parse_documents(&text).unwrap().remove(0).root;
        let file: Arc<Path> = Arc::from(Path::new("/lane.yaml"));
        ApplicationSetDoc {
            name: "lane".into(),
            location: Location::at_node(&file, &root),
            root,
            file,
        }
    }

    #[test]
    fn a_lane_in_another_project_points_at_its_project_line() {
        assert!(project_of(&appset("      project: previews\n"), "previews").is_none());
        let wrong = project_of(
            &appset("      destination: {}\n      project: previews-system\n"),
            "previews",
        )
        .unwrap();
        assert_eq!(wrong.location.line, 8);
        assert!(wrong.message.contains("`previews-system`"));
        let absent = project_of(&appset("      destination: {}\n"), "previews").unwrap();
        assert_eq!(absent.location.line, 7, "no project: the template spec");
    }
}

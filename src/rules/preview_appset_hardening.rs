//! # preview-appset-hardening
//!
//! ## What it does
//! Opt-in (enabled by `rules/ameide-previews.yaml`). Checks every preview ApplicationSet — every
//! ApplicationSet with a pull request generator, plus those named in `applicationSets` — for the
//! spec's hardening:
//!
//! - `goTemplate: true` and `goTemplateOptions` containing `missingkey=error`;
//! - every pull request generator requires each label of `requiredLabels` (`preview`) on the
//!   pull request (`labels:` of its provider block);
//! - every pull request generator sets `requeueAfterSeconds` explicitly, at most
//!   `maxRequeueAfterSeconds` (300);
//! - an ApplicationSet named in `applicationSets` has a pull request generator at all;
//! - every Kustomize overlay matching `localOverlays` (the local-cluster overlays of the
//!   ApplicationSets) is built, and each preview ApplicationSet it yields polls every
//!   `localRequeueAfterSeconds` (60) seconds exactly.
//!
//! A templated `spec.project` is `templated-project`'s finding, PR text in names or destinations
//! `untrusted-template-input`'s.
//!
//! ## Parameters
//! - `applicationSets` (list, default `[]`): ApplicationSets that must be previews even without a pull request generator.
//! - `requiredLabels` (list, default `[]`): labels every pull request generator must require.
//! - `maxRequeueAfterSeconds` (integer, default `300`): the longest polling interval.
//! - `localOverlays` (path globs, default `[]`): overlay directories of local clusters, relative to
//!   the repository root (`argocd/overlays/local*`).
//! - `localRequeueAfterSeconds` (integer, default `60`): the polling interval local overlays set.
//!
//! ## Why
//! Without `missingkey=error` a typo or a component file without a key renders `<no value>` into
//! a name, path or value file, and the Application is created anyway. Without the label gate every
//! pull request, from anyone, gets a preview. Pull request generators poll every 1800 seconds by
//! default; when the webhook fails (it will) a preview appears half an hour late, so the spec
//! requires an explicit safety net. Local clusters have no public webhook at all: their overlays
//! must poll every minute.
//!
//! ## Example
//! ```yaml
//! spec:
//!   goTemplate: true                # error: goTemplateOptions lacks missingkey=error
//!   generators:
//!     - pullRequest:
//!         github: {owner: ameideio, repo: ameide}   # error: no `preview` label required
//!         requeueAfterSeconds: 1800                 # error: more than 300
//! ```
//!
//! ## How to fix
//! Add `goTemplateOptions: ["missingkey=error"]`, `labels: [preview]` in the provider block and
//! `requeueAfterSeconds: 300` next to it. In a local overlay, patch `requeueAfterSeconds` of every
//! preview ApplicationSet's pull request generator to 60.
//!
//! ## Reference
//! Preview spec §5.1 (label gate), §5.3 (polling safety net), §5.4 (local clusters), §5.5
//! (template hardening); Argo CD
//! docs `operator-manual/applicationset/Generators-Pull-Request.md` (labels,
//! `requeueAfterSeconds` default 1800), `GoTemplate.md` (`missingkey=error`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Code, Context, Meta};
use crate::diagnostic::{Finding, Location, Severity};
use crate::render::RenderedDoc;
use crate::rules::profile::{ParamType, rule_params};
use crate::sources::Sources;
use crate::yaml::{self, Node};

pub const META: Meta = Meta {
    code: Code::PreviewAppsetHardening,
    severity: Severity::Error,
    summary: "opt-in, spec §5: a preview ApplicationSet lacks goTemplate/missingkey=error, the label gate or an explicit short requeueAfterSeconds",
};

rule_params! {
    Settings {
        application_sets: Vec<String> = "applicationSets", ParamType::TextList, "[]",
            "ApplicationSets that are previews and must have a pull request generator";
        required_labels: Vec<String> = "requiredLabels", ParamType::TextList, "[]",
            "labels every pull request generator must require";
        max_requeue_after_seconds: u64 = "maxRequeueAfterSeconds", ParamType::Count, "300",
            "the longest polling interval allowed; the key must be set";
        local_overlays: Vec<String> = "localOverlays", ParamType::GlobList, "[]",
            "Kustomize overlay directories of local clusters, relative to the repository root";
        local_requeue_after_seconds: u64 = "localRequeueAfterSeconds", ParamType::Count, "60",
            "the polling interval every preview ApplicationSet of a local overlay sets";
    }
}

/// Keys of a pull request generator that are not its provider block.
const NOT_PROVIDERS: &[&str] = &[
    "requeueAfterSeconds",
    "filters",
    "template",
    "values",
    "continueOnRepoNotFoundError",
];

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(settings) = ctx.settings::<Settings>(META.code) else {
        return Vec::new();
    };
    let settings = &settings;
    let mut findings = Vec::new();
    for appset in ctx.application_sets {
        let Some((spec_key, spec)) = appset.root.entry("spec") else {
            continue;
        };
        let generators = spec.get("generators").map(Node::items).unwrap_or_default();
        let named = settings.application_sets.contains(&appset.name);
        let mut pull_requests = Vec::new();
        collect_pull_requests(generators, &mut pull_requests);
        if pull_requests.is_empty() && !named {
            continue;
        }
        let at = |node: &Node| Location::at_node(&appset.file, node);
        let mut found = Vec::new();
        if pull_requests.is_empty() {
            let location = spec
                .entry("generators")
                .map_or(at(spec_key), |(k, _)| at(k));
            found.push((
                "has no pull request generator, so it is not gated on pull request labels"
                    .to_string(),
                location,
                "generate preview Applications from a pullRequest generator".to_string(),
            ));
        }
        found.extend(templates(spec_key, spec, &at));
        for (key, generator) in pull_requests {
            found.extend(pull_request(key, generator, settings, &at));
        }
        findings.extend(found.into_iter().map(|(message, location, help)| {
            Finding::new(
                META.code,
                META.severity,
                format!("ApplicationSet {}: {message}", appset.name),
                location,
            )
            .app(&appset.name)
            .help(help)
        }));
    }
    for (dir, docs) in ctx.overlays {
        findings.extend(local_overlay(ctx.sources, dir, docs, settings));
    }
    findings
}

/// The Kustomize directories under `root` that `localOverlays` names.
pub fn local_overlays(root: &Path, settings: &Settings) -> Vec<PathBuf> {
    let patterns: Vec<glob::Pattern> = settings
        .local_overlays
        .iter()
        .filter_map(|p| glob::Pattern::new(p.trim_end_matches('/')).ok())
        .collect();
    crate::discover::kustomize_dirs_matching(root, &patterns)
}

pub use crate::discover::kustomization_file;

/// The preview ApplicationSets an overlay builds must poll exactly every `localRequeueAfterSeconds`.
fn local_overlay(
    sources: &Sources,
    dir: &Path,
    docs: &[RenderedDoc],
    settings: &Settings,
) -> Vec<Finding> {
    let wanted = *settings.local_requeue_after_seconds;
    let named = &settings.application_sets;
    let shown = crate::diagnostic::display_path(dir);
    let mut findings = Vec::new();
    for doc in docs {
        let root = &doc.node;
        if root.get("kind").and_then(Node::as_str) != Some("ApplicationSet") {
            continue;
        }
        let name = root
            .at(&["metadata", "name"])
            .map(Node::text)
            .unwrap_or_default();
        let generators = root
            .at(&["spec", "generators"])
            .map(Node::items)
            .unwrap_or_default();
        let mut pull_requests = Vec::new();
        collect_pull_requests(generators, &mut pull_requests);
        if pull_requests.is_empty() && !named.contains(&name) {
            continue;
        }
        for (_, generator) in pull_requests {
            let value = generator.get("requeueAfterSeconds").map(Node::text);
            if value.as_deref().and_then(|v| v.parse::<u64>().ok()) == Some(wanted) {
                continue;
            }
            let polls = value.map_or("every 1800 seconds (the default)".to_string(), |v| {
                format!("every {v} seconds")
            });
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!(
                        "local overlay {shown} builds ApplicationSet {name}, whose pull request generator polls {polls}; local clusters have no public webhook and poll every {wanted} seconds"
                    ),
                    overlay_location(sources, dir, &name),
                )
                .app(&name)
                .help(format!(
                    "patch requeueAfterSeconds of {name}'s pull request generator to {wanted} in this overlay"
                )),
            );
        }
    }
    findings
}

/// The line of the overlay that sets (or should set) an ApplicationSet's polling interval: inside
/// the patch that targets it, else the `patches:` key, else the file's start.
fn overlay_location(sources: &Sources, dir: &Path, appset: &str) -> Location {
    let path = kustomization_file(dir);
    let file: Arc<Path> = Arc::from(path.as_path());
    let Some(root) = sources
        .text(&path)
        .and_then(|t| yaml::parse_documents(&t).ok())
        .and_then(|d| d.into_iter().next())
        .map(|d| d.root)
    else {
        return Location::file_start(file);
    };
    let Some((key, patches)) = root.entry("patches") else {
        return Location::file_start(file);
    };
    let targeted = patches
        .items()
        .iter()
        .find(|p| p.at(&["target", "name"]).and_then(Node::as_str) == Some(appset));
    let Some(patch) = targeted else {
        return Location::at_node(&file, key);
    };
    // The `requeueAfterSeconds:` line of a merge patch, or the `value:` after a JSON patch's path.
    let mentions = |text: &str| {
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("requeueAfterSeconds"))?;
        if lines[at].contains("requeueAfterSeconds:") {
            return Some(at);
        }
        let value = lines[at + 1..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with("- "))
            .position(|l| l.trim_start().starts_with("value:"));
        Some(value.map_or(at, |v| at + 1 + v))
    };
    if let Some(inline) = patch.get("patch").and_then(Node::as_str) {
        if let Some(offset) = mentions(inline) {
            // A block scalar's node starts at its first content line.
            let line = patch.get("patch").map_or(0, |n| n.line) + offset as u32;
            return Location::new(file, line, 1, line);
        }
    }
    if let Some(other) = patch.get("path").and_then(Node::as_str) {
        let patch_file = dir.join(other);
        if let Some(index) = sources.text(&patch_file).as_deref().and_then(mentions) {
            let line = index as u32 + 1;
            return Location::new(Arc::from(patch_file.as_path()), line, 1, line);
        }
    }
    Location::at_node(&file, patch)
}

type Problem = (String, Location, String);

fn templates(spec_key: &Node, spec: &Node, at: &dyn Fn(&Node) -> Location) -> Vec<Problem> {
    let mut out = Vec::new();
    let go_template = spec.entry("goTemplate");
    if go_template.is_none_or(|(_, v)| v.as_bool() != Some(true)) {
        out.push((
            "does not set goTemplate: true".to_string(),
            go_template.map_or(at(spec_key), |(_, v)| at(v)),
            "set spec.goTemplate: true".to_string(),
        ));
    }
    let options = spec.entry("goTemplateOptions");
    let strict = options.is_some_and(|(_, v)| {
        v.items()
            .iter()
            .any(|o| o.as_str() == Some("missingkey=error"))
    });
    if !strict {
        let location = options
            .map(|(_, v)| at(v))
            .or(go_template.map(|(k, _)| at(k)))
            .unwrap_or(at(spec_key));
        out.push((
            "goTemplateOptions does not contain missingkey=error, so a missing key renders `<no value>` instead of failing".to_string(),
            location,
            "set spec.goTemplateOptions: [\"missingkey=error\"]".to_string(),
        ));
    }
    out
}

fn pull_request(
    key: &Node,
    generator: &Node,
    settings: &Settings,
    at: &dyn Fn(&Node) -> Location,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let providers: Vec<(&Node, &Node)> = generator
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| !NOT_PROVIDERS.contains(&k.text().as_str()))
        .map(|(k, v)| (k, v))
        .collect();
    for (provider_key, provider) in &providers {
        let labels = provider.entry("labels");
        let have: Vec<String> = labels
            .map(|(_, v)| v.items().iter().map(Node::text).collect())
            .unwrap_or_default();
        for wanted in &settings.required_labels {
            if have.contains(wanted) {
                continue;
            }
            out.push((
                format!(
                    "its pull request generator does not require the label `{wanted}`, so every pull request gets a preview"
                ),
                labels.map_or(at(provider_key), |(k, _)| at(k)),
                format!("add `labels: [{wanted}]` to the {} block", provider_key.text()),
            ));
        }
    }
    let max = *settings.max_requeue_after_seconds;
    match generator.entry("requeueAfterSeconds") {
        None => out.push((
            format!(
                "its pull request generator does not set requeueAfterSeconds, so it polls every 1800 seconds when the webhook fails; set at most {max}"
            ),
            at(key),
            format!("add `requeueAfterSeconds: {max}` to the pullRequest generator"),
        )),
        Some((_, value)) => match value.as_str().and_then(|v| v.parse::<u64>().ok()) {
            Some(seconds) if seconds <= max => {}
            _ => out.push((
                format!(
                    "its pull request generator polls every {} seconds; at most {max} are allowed",
                    value.text()
                ),
                at(value),
                format!("set requeueAfterSeconds: {max}"),
            )),
        },
    }
    out
}

/// `pullRequest` generators, top level and inside matrix/merge, with their keys.
fn collect_pull_requests<'a>(generators: &'a [Node], out: &mut Vec<(&'a Node, &'a Node)>) {
    for generator in generators {
        if let Some((key, spec)) = generator.entry("pullRequest").filter(|(_, v)| !v.is_null()) {
            out.push((key, spec));
        }
        for nested in ["matrix", "merge"] {
            if let Some(children) = generator.at(&[nested, "generators"]) {
                collect_pull_requests(children.items(), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;
    use std::path::Path;
    use std::sync::Arc;

    fn problems(spec: &str) -> Vec<(String, u32)> {
        let root = parse_documents(spec).unwrap().remove(0).root;
        let file: Arc<Path> = Arc::from(Path::new("/a.yaml"));
        let at = |n: &Node| Location::at_node(&file, n);
        let settings = Settings::with("requiredLabels: [preview]\n");
        let (spec_key, spec) = root.entry("spec").unwrap();
        let mut out = templates(spec_key, spec, &at);
        let mut prs = Vec::new();
        collect_pull_requests(spec.get("generators").unwrap().items(), &mut prs);
        for (key, generator) in prs {
            out.extend(pull_request(key, generator, &settings, &at));
        }
        out.into_iter().map(|(m, l, _)| (m, l.line)).collect()
    }

    #[test]
    fn a_hardened_appset_passes() {
        let spec = "spec:\n  goTemplate: true\n  goTemplateOptions: [\"missingkey=error\"]\n  generators:\n  - matrix:\n      generators:\n      - pullRequest:\n          github: {owner: o, repo: r, labels: [preview]}\n          requeueAfterSeconds: 300\n      - list: {elements: []}\n";
        assert_eq!(problems(spec), vec![]);
    }

    #[test]
    fn each_gap_points_at_its_line() {
        let spec = "spec:\n  goTemplate: true\n  generators:\n  - pullRequest:\n      github:\n        owner: o\n  - pullRequest:\n      gitlab: {project: p, labels: [other]}\n      requeueAfterSeconds: 1800\n";
        let lines: Vec<u32> = problems(spec).into_iter().map(|(_, l)| l).collect();
        assert_eq!(lines, vec![2, 5, 4, 8, 9]);
    }

    #[test]
    fn local_overlays_are_found_and_point_at_their_patch() {
        let dir = tempfile::tempdir().unwrap();
        let overlay = dir.path().join("argocd/overlays/local");
        std::fs::create_dir_all(&overlay).unwrap();
        std::fs::create_dir_all(dir.path().join("argocd/overlays/dev")).unwrap();
        std::fs::write(
            dir.path().join("argocd/overlays/dev/kustomization.yaml"),
            "resources: []\n",
        )
        .unwrap();
        std::fs::write(
            overlay.join("kustomization.yaml"),
            "resources: [../../base]\npatches:\n  - target: {kind: ApplicationSet, name: a}\n    patch: |-\n      - op: replace\n        path: /spec/generators/0/pullRequest/requeueAfterSeconds\n        value: 300\n  - target: {kind: ApplicationSet, name: b}\n    path: b.yaml\n",
        )
        .unwrap();
        std::fs::write(
            overlay.join("b.yaml"),
            "spec:\n  generators:\n  - pullRequest:\n      requeueAfterSeconds: 90\n",
        )
        .unwrap();
        let settings = Settings::with("localOverlays: ['**/overlays/local*']\n");
        assert_eq!(local_overlays(dir.path(), &settings), vec![overlay.clone()]);
        assert_eq!(overlay_location(&Sources::default(), &overlay, "a").line, 7);
        let b = overlay_location(&Sources::default(), &overlay, "b");
        assert_eq!((b.file.ends_with("b.yaml"), b.line), (true, 4));
        assert_eq!(
            overlay_location(&Sources::default(), &overlay, "c").line,
            2,
            "no patch: the patches key"
        );

        let built = parse_documents(
            "kind: ApplicationSet\nmetadata: {name: a}\nspec:\n  generators:\n  - pullRequest: {github: {}, requeueAfterSeconds: 300}\n---\nkind: ApplicationSet\nmetadata: {name: stable}\nspec: {generators: [{list: {}}]}\n",
        )
        .unwrap()
        .into_iter()
        .map(|d| RenderedDoc { origin: Location::file_start(Arc::from(Path::new("/x"))), node: d.root })
        .collect::<Vec<_>>();
        let found = local_overlay(&Sources::default(), &overlay, &built, &settings);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("every 300 seconds"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn go_template_off_is_reported_on_its_value() {
        let spec = "spec:\n  goTemplate: false\n  goTemplateOptions: [\"missingkey=error\"]\n  generators: []\n";
        let found = problems(spec);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 2);
    }
}

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
//! - an ApplicationSet named in `applicationSets` has a pull request generator at all.
//!
//! A templated `spec.project` is `templated-project`'s finding, PR text in names or destinations
//! `untrusted-template-input`'s.
//!
//! ## Parameters
//! - `applicationSets` (list, default `[]`): ApplicationSets that must be previews even without a pull request generator.
//! - `requiredLabels` (list, default `[]`): labels every pull request generator must require.
//! - `maxRequeueAfterSeconds` (integer, default `300`): the longest polling interval.
//!
//! ## Why
//! Without `missingkey=error` a typo or a component file without a key renders `<no value>` into
//! a name, path or value file, and the Application is created anyway. Without the label gate every
//! pull request, from anyone, gets a preview. Pull request generators poll every 1800 seconds by
//! default; when the webhook fails (it will) a preview appears half an hour late, so the spec
//! requires an explicit safety net.
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
//! `requeueAfterSeconds: 300` next to it.
//!
//! ## Reference
//! Preview spec §5.1 (label gate), §5.3 (polling safety net), §5.5 (template hardening); Argo CD
//! docs `operator-manual/applicationset/Generators-Pull-Request.md` (labels,
//! `requeueAfterSeconds` default 1800), `GoTemplate.md` (`missingkey=error`).

use super::{Class, Context, Meta};
use crate::diagnostic::{Finding, Location, Severity};
use crate::profile::{Param, ParamType, Params};
use crate::yaml::Node;

pub const META: Meta = Meta {
    id: "preview-appset-hardening",
    severity: Severity::Error,
    class: Class::Policy,
    summary: "opt-in, spec §5: a preview ApplicationSet lacks goTemplate/missingkey=error, the label gate or an explicit short requeueAfterSeconds",
};

pub const PARAMS: &[Param] = &[
    Param {
        name: "applicationSets",
        ty: ParamType::TextList,
        default: "[]",
        doc: "ApplicationSets that are previews and must have a pull request generator",
    },
    Param {
        name: "requiredLabels",
        ty: ParamType::TextList,
        default: "[]",
        doc: "labels every pull request generator must require",
    },
    Param {
        name: "maxRequeueAfterSeconds",
        ty: ParamType::Count,
        default: "300",
        doc: "the longest polling interval allowed; the key must be set",
    },
];

/// Keys of a pull request generator that are not its provider block.
const NOT_PROVIDERS: &[&str] = &[
    "requeueAfterSeconds",
    "filters",
    "template",
    "values",
    "continueOnRepoNotFoundError",
];

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(params) = ctx.params(META.id) else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for appset in ctx.application_sets {
        let Some((spec_key, spec)) = appset.root.entry("spec") else {
            continue;
        };
        let generators = spec.get("generators").map(Node::items).unwrap_or_default();
        let named = params.list("applicationSets").contains(&appset.name);
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
            found.extend(pull_request(key, generator, params, &at));
        }
        findings.extend(found.into_iter().map(|(message, location, help)| {
            Finding::new(
                META.id,
                META.severity,
                format!("ApplicationSet {}: {message}", appset.name),
                location,
            )
            .app(&appset.name)
            .help(help)
        }));
    }
    findings
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
    params: &Params,
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
        for wanted in params.list("requiredLabels") {
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
    let max = params.count("maxRequeueAfterSeconds");
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
        let params = Params::with(PARAMS, "requiredLabels: [preview]\n");
        let (spec_key, spec) = root.entry("spec").unwrap();
        let mut out = templates(spec_key, spec, &at);
        let mut prs = Vec::new();
        collect_pull_requests(spec.get("generators").unwrap().items(), &mut prs);
        for (key, generator) in prs {
            out.extend(pull_request(key, generator, &params, &at));
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
    fn go_template_off_is_reported_on_its_value() {
        let spec = "spec:\n  goTemplate: false\n  goTemplateOptions: [\"missingkey=error\"]\n  generators: []\n";
        let found = problems(spec);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 2);
    }
}

//! # untrusted-template-input
//!
//! ## What it does
//! In an ApplicationSet with a pull request generator, flags templates that put author-controlled
//! parameters — `branch`, `branch_slug`, `target_branch`, `target_branch_slug`, `title`, `author`,
//! `labels`, or generator `values` built from them — into the fields that name, place or select an
//! Application: `metadata.name`, `spec.project`, `spec.destination`, a source's `repoURL`, `path` or
//! `chart`, and anywhere in `templatePatch`. Only `number` and `head_sha` (with `head_short_sha`
//! and `head_short_sha_7`) are allowed there. A template that hands the whole parameter set to a
//! function (`{{ toJson . }}`) counts as using all of it.
//!
//! ## Why is this bad?
//! Whoever opens a pull request chooses its branch name and title. Templated into a destination
//! or a path, that text decides where the preview deploys and what it deploys: a branch named
//! `x/../../platform` or a title that makes two previews collide. Argo CD documents pull request
//! generators as privileged for this reason; the preview spec (§0.3) allows only the PR number
//! and head SHA.
//!
//! ## Example
//! ```yaml
//! template:
//!   metadata:
//!     name: 'preview-{{ .branch_slug }}'
//! ```
//!
//! ## How to fix
//! Use `{{ .number }}` for names and namespaces (`pr-ameide-{{ .number }}`) and `{{ .head_sha }}`
//! for image tags. Branch names may go into labels or annotations, never into identity.
//!
//! ## Reference
//! Argo CD docs `operator-manual/applicationset/Generators-Pull-Request.md` and `Security.md`;
//! `applicationset/generators/pull_request.go`; preview spec §0.3.

use std::collections::BTreeSet;

use super::{Code, Context, Meta};
use crate::appset::pull_request::UNTRUSTED_PARAMS;
use crate::appset::{self, template::Mode};
use crate::diagnostic::{Finding, Location, Severity};
use crate::discover::ApplicationSetDoc;
use crate::yaml::Node;

pub const META: Meta = Meta {
    code: Code::UntrustedTemplateInput,
    severity: Severity::Error,
    summary: "PR author-controlled text names, places or selects a generated Application",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.application_sets.iter().flat_map(check_appset).collect()
}

fn check_appset(appset: &ApplicationSetDoc) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(spec) = appset.root.get("spec") else {
        return findings;
    };
    let generators = spec.get("generators").map(Node::items).unwrap_or_default();
    if !appset::uses_pull_requests(generators) {
        return findings;
    }
    let mode = appset::mode_of(spec);
    let tainted_values = tainted_values(generators, mode);
    let mut templates: Vec<&Node> = spec.get("template").into_iter().collect();
    for generator in generators {
        for (_, kind) in generator.as_map().unwrap_or_default() {
            templates.extend(kind.get("template"));
        }
    }
    for template in templates {
        for (field, node) in guarded_fields(template) {
            if let Some(param) = untrusted_reference(&node.text(), mode, &tainted_values) {
                findings.push(finding(
                    appset,
                    &field,
                    &param,
                    Location::at_node(&appset.file, node),
                ));
            }
        }
    }
    if let Some(patch) = spec.get("templatePatch").filter(|p| !p.is_null()) {
        let text = patch.text();
        if let Some(param) = untrusted_reference(&text, mode, &tainted_values) {
            let offset = line_mentioning(&text, &param).map_or(0, |l| l);
            let line = (patch.line + offset).saturating_sub(1).max(patch.line);
            findings.push(finding(
                appset,
                "templatePatch",
                &param,
                Location::new(appset.file.clone(), line, 1, line),
            ));
        }
    }
    findings
}

fn finding(appset: &ApplicationSetDoc, field: &str, param: &str, location: Location) -> Finding {
    let what = if param.is_empty() {
        "the whole parameter set, including author-controlled branch and title,".to_string()
    } else {
        format!("the pull request parameter `{param}`, which the PR author controls,")
    };
    Finding::new(
        META.code,
        META.severity,
        format!("ApplicationSet {}: {field} uses {what} (only `number` and `head_sha` may name, place or select a preview)", appset.name),
        location,
    )
    .app(&appset.name)
    .help("use `{{ .number }}` for names and namespaces and `{{ .head_sha }}` for image tags")
}

/// The template fields that decide an Application's identity, destination, project and sources.
fn guarded_fields(template: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    if let Some(name) = template.at(&["metadata", "name"]) {
        out.push(("metadata.name".to_string(), name));
    }
    let Some(spec) = template.get("spec") else {
        return out;
    };
    if let Some(project) = spec.get("project") {
        out.push(("spec.project".to_string(), project));
    }
    for (key, value) in spec
        .get("destination")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        out.push((format!("spec.destination.{}", key.text()), value));
    }
    let mut sources: Vec<(String, &Node)> = spec
        .get("source")
        .map(|s| ("spec.source".to_string(), s))
        .into_iter()
        .collect();
    for (i, source) in spec
        .get("sources")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        sources.push((format!("spec.sources[{i}]"), source));
    }
    for (prefix, source) in sources {
        for key in ["repoURL", "path", "chart"] {
            if let Some(value) = source.get(key) {
                out.push((format!("{prefix}.{key}"), value));
            }
        }
    }
    out
}

/// `values.<key>` entries of pull request generators that are built from untrusted parameters.
fn tainted_values(generators: &[Node], mode: Mode) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for generator in generators {
        if let Some(values) = generator
            .at(&["pullRequest", "values"])
            .and_then(Node::as_map)
        {
            for (key, value) in values {
                if untrusted_reference(&value.text(), mode, &BTreeSet::new()).is_some() {
                    out.insert(key.text());
                }
            }
        }
        for nested in ["matrix", "merge"] {
            if let Some(children) = generator.at(&[nested, "generators"]) {
                out.extend(tainted_values(children.items(), mode));
            }
        }
    }
    out
}

/// The first untrusted parameter a template reads (`""` for the whole parameter set).
fn untrusted_reference(
    text: &str,
    mode: Mode,
    tainted_values: &BTreeSet<String>,
) -> Option<String> {
    if !text.contains("{{") {
        return None;
    }
    let references: Vec<Vec<String>> = if mode.go_template {
        gotemplate::parse(text).ok()?.data_references()
    } else {
        fasttemplate_tags(text)
    };
    references
        .into_iter()
        .find_map(|path| match path.as_slice() {
            [] => Some(String::new()),
            [first, ..] if UNTRUSTED_PARAMS.contains(&first.as_str()) => Some(first.clone()),
            [values, key, ..] if values == "values" && tainted_values.contains(key) => {
                Some(format!("values.{key}"))
            }
            _ => None,
        })
}

fn fasttemplate_tags(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let tag = after[..end].trim();
        // fasttemplate keys are flat: `values.x` is one key, `branch` another.
        let path = match tag.split_once('.') {
            Some(("values", key)) => vec!["values".to_string(), key.to_string()],
            _ => vec![tag.to_string()],
        };
        out.push(path);
        rest = &after[end + 2..];
    }
    out
}

/// The 1-based line of `text` that first mentions `param` inside an action.
fn line_mentioning(text: &str, param: &str) -> Option<u32> {
    let needle = param.rsplit('.').next().unwrap_or(param);
    text.lines()
        .position(|line| line.contains("{{") && (param.is_empty() || line.contains(needle)))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Mode {
        Mode::default()
    }

    #[test]
    fn fasttemplate_references() {
        let none = BTreeSet::new();
        assert_eq!(untrusted_reference("pr-{{number}}", fast(), &none), None);
        assert_eq!(
            untrusted_reference("pr-{{ branch_slug }}", fast(), &none),
            Some("branch_slug".into())
        );
        let tainted: BTreeSet<String> = ["name".to_string()].into();
        assert_eq!(
            untrusted_reference("{{values.name}}", fast(), &tainted),
            Some("values.name".into())
        );
        assert_eq!(
            untrusted_reference("{{values.other}}", fast(), &tainted),
            None
        );
    }

    #[test]
    fn go_template_references() {
        let go = Mode {
            go_template: true,
            ..Mode::default()
        };
        let none = BTreeSet::new();
        assert_eq!(untrusted_reference("pr-{{ .number }}", go, &none), None);
        assert_eq!(
            untrusted_reference("{{ .head_short_sha }}-{{ .path.basename }}", go, &none),
            None
        );
        assert_eq!(
            untrusted_reference("{{ .branch_slug | trunc 20 }}", go, &none),
            Some("branch_slug".into())
        );
        assert_eq!(
            untrusted_reference("{{ index . \"title\" }}", go, &none),
            Some("title".into())
        );
        assert_eq!(
            untrusted_reference("{{ with .author }}{{ . }}{{ end }}", go, &none),
            Some("author".into())
        );
        assert_eq!(
            untrusted_reference("{{ toJson . }}", go, &none),
            Some(String::new())
        );
        let tainted: BTreeSet<String> = ["ns".to_string()].into();
        assert_eq!(
            untrusted_reference("{{ .values.ns }}", go, &tainted),
            Some("values.ns".into())
        );
    }

    #[test]
    fn lines_in_patches() {
        assert_eq!(
            line_mentioning("a: 1\nb: '{{ .branch }}'\n", "branch"),
            Some(2)
        );
    }
}

//! Shared by the preview-spec rules: lanes (ApplicationSets by name and the Applications they
//! generate), the synthetic pull request's values for parameter templates, and the line of a key
//! inside the file a rendered object came from.

use crate::appset::SyntheticPr;
use crate::argo::application::Application;
use crate::argo::project::{AppProject, ResourceEntry};
use crate::diagnostic::{Finding, Location};
use crate::discover::ApplicationSetDoc;
use crate::edit::{Action, Change, Entry};
use crate::inventory::RenderedObject;
use crate::plan::JobKind;
use crate::sources::Sources;
use crate::yaml::Node;

use super::Context;

/// Finalizers that make Argo CD delete an Application's resources with it.
pub const RESOURCES_FINALIZER: &str = crate::appset::RESOURCES_FINALIZER;

pub fn is_resources_finalizer(finalizer: &str) -> bool {
    finalizer == RESOURCES_FINALIZER
        || finalizer
            .strip_prefix(RESOURCES_FINALIZER)
            .is_some_and(|rest| rest.starts_with('/'))
}

pub fn appset<'a>(ctx: &'a Context, name: &str) -> Option<&'a ApplicationSetDoc> {
    ctx.application_sets.iter().find(|a| a.name == name)
}

/// The checked Applications an ApplicationSet generated, with their indices.
pub fn lane_apps<'a>(ctx: &'a Context, appset: &str) -> Vec<(usize, &'a Application)> {
    ctx.apps
        .iter()
        .enumerate()
        .filter(|(_, a)| a.application_set.as_deref() == Some(appset))
        .collect()
}

/// Applications of any of the named ApplicationSets.
pub fn lanes_apps<'a>(ctx: &'a Context, appsets: &[String]) -> Vec<(usize, &'a Application)> {
    appsets
        .iter()
        .flat_map(|name| lane_apps(ctx, name))
        .collect()
}

pub fn objects_of<'a>(ctx: &'a Context, app: usize) -> impl Iterator<Item = &'a RenderedObject> {
    ctx.inventory.objects.iter().filter(move |o| o.app == app)
}

/// Values for `{number}` and `{head_sha}`.
pub fn pr_values(pr: &SyntheticPr) -> [(&'static str, String); 2] {
    [
        ("number", pr.number.to_string()),
        ("head_sha", pr.head_sha.clone()),
    ]
}

/// A template expanded with the pull request's values.
pub fn expand_pr(template: &str, pr: &SyntheticPr) -> String {
    let values = pr_values(pr);
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    crate::rules::profile::expand(template, &values)
}

/// How an Application source is rendered, from the plan.
pub fn render_tool(ctx: &Context, app: usize, source: usize) -> Option<&'static str> {
    ctx.jobs
        .iter()
        .find(|j| j.app == app && j.source == source)
        .map(|j| match j.kind {
            JobKind::Helm(_) => "Helm",
            JobKind::Kustomize(_) => "Kustomize",
            JobKind::Directory(_) => "a plain directory",
        })
}

/// Generated Applications share their template's lines: the same problem (same rule, line and
/// help) of several of them becomes one finding that names them all.
pub fn merge_same_line(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<(Finding, Vec<String>)> = Vec::new();
    for finding in findings {
        let same = merged.iter_mut().find(|(f, _)| {
            f.rule == finding.rule
                && f.location == finding.location
                && f.help == finding.help
                && f.app.is_some()
                && f.app != finding.app
        });
        match (same, finding.app.clone()) {
            (Some((_, others)), Some(app)) if !others.contains(&app) => others.push(app),
            _ => merged.push((finding, Vec::new())),
        }
    }
    merged
        .into_iter()
        .map(|(mut finding, others)| {
            if !others.is_empty() {
                finding.message = format!(
                    "{}; likewise {} more Application{} from this line: {}",
                    finding.message,
                    others.len(),
                    if others.len() == 1 { "" } else { "s" },
                    others.join(", ")
                );
            }
            finding
        })
        .collect()
}

/// A string value of a rendered object.
pub fn field<'a>(object: &'a RenderedObject, path: &[&str]) -> Option<&'a str> {
    object.node.at(path).and_then(Node::as_str)
}

/// The line in the object's source file (chart template or plain manifest) of the deepest key of
/// `path` that is written there; the object's `kind:` line when none is. A key inside a list item
/// (`- namespace: x`) counts as a key of the list's parent.
pub fn key_location(sources: &Sources, origin: &Location, path: &[&str]) -> Location {
    let Some(text) = sources.text(&origin.file) else {
        return origin.clone();
    };
    let lines: Vec<&str> = text.lines().collect();
    match key_line(&lines, origin.line as usize, path) {
        Some((line, _)) => Location::new(origin.file.clone(), line as u32, 1, line as u32),
        None => origin.clone(),
    }
}

/// Like [`key_location`], but only when the file writes `value` on that key's line: a value that
/// comes from elsewhere (a Kustomize patch on the Application) points at `elsewhere` instead.
pub fn value_location(
    sources: &Sources,
    origin: &Location,
    path: &[&str],
    value: &str,
    elsewhere: Option<&Location>,
) -> Location {
    let Some(text) = sources.text(&origin.file) else {
        return origin.clone();
    };
    let lines: Vec<&str> = text.lines().collect();
    match key_line(&lines, origin.line as usize, path) {
        Some((line, depth)) if depth == path.len() => {
            let written = lines[line - 1].contains(value) || lines[line - 1].contains("{{");
            match elsewhere {
                Some(other) if !written => other.clone(),
                _ => Location::new(origin.file.clone(), line as u32, 1, line as u32),
            }
        }
        found => match (elsewhere, found) {
            (Some(other), _) => other.clone(),
            (None, Some((line, _))) => {
                Location::new(origin.file.clone(), line as u32, 1, line as u32)
            }
            (None, None) => origin.clone(),
        },
    }
}

/// The 1-based line of the deepest key of `path` found in the YAML document around `kind_line`,
/// and how many keys of the path were found. Text-based, so it reads Helm templates too: lines
/// that are only template actions or comments are skipped.
fn key_line<'a>(lines: &[&'a str], kind_line: usize, path: &[&str]) -> Option<(usize, usize)> {
    let kind_index = kind_line.saturating_sub(1).min(lines.len());
    let start = (0..kind_index)
        .rev()
        .find(|&i| lines[i].starts_with("---"))
        .map_or(0, |i| i + 1);
    let end = (kind_index + 1..lines.len())
        .find(|&i| lines[i].starts_with("---"))
        .unwrap_or(lines.len());
    // Each content line as (raw indent, indent of its key, key); `- ` items count as indentation.
    let content = |line: &'a str| -> Option<(usize, usize, &'a str)> {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("{{") {
            return None;
        }
        let raw = line.len() - trimmed.len();
        let mut indent = raw;
        let mut rest = trimmed;
        while let Some(item) = rest.strip_prefix("- ") {
            indent += 2;
            rest = item.trim_start();
        }
        let key = rest
            .split_once(':')
            .map_or("", |(k, _)| k.trim().trim_matches(['"', '\'']));
        Some((raw, indent, key))
    };
    let mut found = None;
    let mut from = start;
    // The key indent of the parent key; children are deeper (a list may sit at its indent).
    let mut parent: Option<usize> = None;
    for (depth, wanted) in path.iter().enumerate() {
        let mut child_indent: Option<usize> = None;
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().take(end).skip(from) {
            let Some((raw, indent, key)) = content(line) else {
                continue;
            };
            if let Some(p) = parent {
                if raw < p || (raw == p && !line.trim_start().starts_with("- ")) {
                    break;
                }
            }
            let expected = *child_indent.get_or_insert(if parent.is_none() { 0 } else { indent });
            if indent == expected && key == *wanted {
                hit = Some((i, indent));
                break;
            }
        }
        match hit {
            Some((i, indent)) => {
                found = Some((i + 1, depth + 1));
                from = i + 1;
                parent = Some(indent);
            }
            None => break,
        }
    }
    found
}

/// The edit that adds `entry` to whitelist `list` of `project`.
pub fn whitelist_addition(project: &AppProject, list: &'static str, entry: Entry) -> Change {
    Change {
        file: project.location.file.clone(),
        name_line: project.location.line,
        list,
        action: Action::Add(entry),
    }
}

/// The edit that deletes the whitelist item `entry` from `list` of `project`.
pub fn whitelist_removal(
    project: &AppProject,
    list: &'static str,
    entry: &ResourceEntry,
) -> Change {
    Change {
        file: project.location.file.clone(),
        name_line: project.location.line,
        list,
        action: Action::Remove(entry.location.line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_in_templates_and_lists() {
        let text = "{{- if .Values.on }}\nkind: HTTPRoute\nmetadata:\n  name: x\n  labels:\n    {{- include \"l\" . | nindent 4 }}\n    a: b\nspec:\n  parentRefs:\n    - name: gw\n      namespace: base\n  hostnames:\n    - {{ .Values.host }}\n---\nkind: Other\nspec:\n  hostnames: []\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(key_line(&lines, 2, &["spec", "hostnames"]), Some((12, 2)));
        assert_eq!(
            key_line(&lines, 2, &["spec", "parentRefs", "namespace"]),
            Some((11, 3))
        );
        assert_eq!(
            key_line(&lines, 2, &["metadata", "labels", "a"]),
            Some((7, 3))
        );
        assert_eq!(
            key_line(&lines, 2, &["metadata", "labels", "missing"]),
            Some((5, 2))
        );
        assert_eq!(key_line(&lines, 15, &["spec", "hostnames"]), Some((17, 2)));
    }

    #[test]
    fn sibling_blocks_do_not_leak() {
        let text = "kind: Namespace\nmetadata:\n  name: n\n  annotations:\n    gateway-access: x\n  labels:\n    a: b\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            key_line(&lines, 1, &["metadata", "labels", "gateway-access"]),
            Some((6, 2))
        );
    }

    #[test]
    fn generated_applications_share_one_finding_per_line() {
        let at = Location::file_start(std::sync::Arc::from(std::path::Path::new("/a.yaml")));
        let f = |app: &str, help: &str| {
            Finding::new(
                crate::diagnostic::Code::PreviewRoutes,
                crate::diagnostic::Severity::Error,
                format!("Application {app}: x"),
                at.clone(),
            )
            .app(app)
            .help(help)
        };
        let out = merge_same_line(vec![f("a", "h"), f("b", "h"), f("c", "other"), f("a", "h")]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[0].message,
            "Application a: x; likewise 1 more Application from this line: b"
        );
    }

    #[test]
    fn resources_finalizers() {
        assert!(is_resources_finalizer(RESOURCES_FINALIZER));
        assert!(is_resources_finalizer(
            "resources-finalizer.argocd.argoproj.io/background"
        ));
        assert!(!is_resources_finalizer("example.com/keep"));
    }
}

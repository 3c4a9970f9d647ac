//! # templated-project
//!
//! ## What it does
//! Flags an ApplicationSet whose generated Applications take their project from a template:
//! `spec.template.spec.project` (or a generator's own template's project) containing `{{`, in either
//! template mode. Also flags a `templatePatch` that sets `spec.project`: the controller reverts that
//! change, so the line does nothing but suggests otherwise.
//!
//! ## Why is this bad?
//! The project is the security boundary: it decides which kinds, namespaces and repositories an
//! Application may use. A project taken from generator parameters lets whoever controls those
//! parameters — for a pull request generator, anyone who opens a PR — choose a more privileged
//! project. Argo CD's ApplicationSet security documentation warns against it, and the preview
//! spec (§5.5) forbids it.
//!
//! ## Example
//! ```yaml
//! spec:
//!   template:
//!     spec:
//!       project: '{{ .values.project }}'
//! ```
//!
//! ## How to fix
//! Write the project as a fixed string (`project: previews`). If different components need
//! different projects, use one ApplicationSet per project. The help gives the line and the project
//! the generated Applications resolve to today; for `templatePatch`, the line to delete.
//!
//! ## Reference
//! Argo CD docs `operator-manual/applicationset/Security.md`; `applicationset/utils/utils.go`
//! (`templatePatch` cannot change `spec.project`); preview spec §5.5.

use super::{Code, Context, Meta};
use crate::argo::application::Application;
use crate::diagnostic::{Finding, Location, Severity};
use crate::discover::ApplicationSetDoc;
use crate::yaml::Node;

pub const META: Meta = Meta {
    code: Code::TemplatedProject,
    severity: Severity::Error,
    summary: "an ApplicationSet templates the project of its Applications",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for appset in ctx.application_sets {
        let generated: Vec<&Application> = ctx
            .every_application
            .iter()
            .filter(|a| a.application_set.as_deref() == Some(appset.name.as_str()))
            .collect();
        findings.extend(check_appset(appset, &generated));
    }
    findings
}

/// `generated`: the Applications the ApplicationSet expanded to, whose projects the help suggests.
fn check_appset(appset: &ApplicationSetDoc, generated: &[&Application]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(spec) = appset.root.get("spec") else {
        return findings;
    };
    let mut templates: Vec<&Node> = spec.get("template").into_iter().collect();
    for generator in spec.get("generators").map(Node::items).unwrap_or_default() {
        for (_, kind) in generator.as_map().unwrap_or_default() {
            templates.extend(kind.get("template"));
        }
    }
    for template in templates {
        if let Some(project) = template
            .at(&["spec", "project"])
            .filter(|p| p.text().contains("{{"))
        {
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!(
                        "ApplicationSet {} templates the project: `project: {}` lets generator parameters pick the AppProject",
                        appset.name,
                        project.text()
                    ),
                    Location::at_node(&appset.file, project),
                )
                .app(&appset.name)
                .help(fixed_project_help(&appset.file, project, generated)),
            );
        }
    }
    if let Some(patch) = spec.get("templatePatch").filter(|p| !p.is_null()) {
        if let Some(line) = patch_project_line(&patch.text()) {
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!(
                        "ApplicationSet {}: templatePatch sets spec.project; Argo CD ignores a project change in templatePatch and keeps the template's project",
                        appset.name
                    ),
                    Location::new(appset.file.clone(), patch.line + line - 1, 1, patch.line + line - 1),
                )
                .app(&appset.name)
                .help(patch_help(appset, spec, &patch.text(), patch.line + line - 1, line)),
            );
        }
    }
    findings
}

/// The templatePatch line to delete, and which project then applies.
fn patch_help(
    appset: &ApplicationSetDoc,
    spec: &Node,
    patch: &str,
    file_line: u32,
    line: u32,
) -> String {
    let text = patch
        .lines()
        .nth(line as usize - 1)
        .unwrap_or("project:")
        .trim();
    let delete = format!(
        "in {}, delete line {file_line} (`{text}`) from templatePatch",
        crate::diagnostic::display_path(&appset.file)
    );
    match spec.at(&["template", "spec", "project"]).map(Node::text) {
        Some(project) if !project.is_empty() && !project.contains("{{") => {
            format!("{delete}; the template's `project: {project}` applies")
        }
        _ => {
            format!("{delete}, and write the project as a fixed name in spec.template.spec.project")
        }
    }
}

/// What to write instead of a templated `project:`: the project every generated Application gets
/// today, or one ApplicationSet per project when they differ.
fn fixed_project_help(
    file: &std::path::Path,
    project: &Node,
    generated: &[&Application],
) -> String {
    let mut names: Vec<&str> = generated.iter().map(|a| a.project_name()).collect();
    names.sort_unstable();
    names.dedup();
    let at = format!("{}:{}", crate::diagnostic::display_path(file), project.line);
    match names.as_slice() {
        [one] => format!(
            "in {at}, write `project: {one}` (the project every Application it generates gets today)"
        ),
        [] => format!(
            "in {at}, write the name of the AppProject its Applications belong to as a fixed string (`project: <name>`)"
        ),
        many => format!(
            "its Applications resolve to {}: split it into one ApplicationSet per project, each with a fixed `project:` in place of {at}",
            many.join(", ")
        ),
    }
}

/// The 1-based line, within a `templatePatch` text, of a `project:` key nested under `spec:`.
fn patch_project_line(text: &str) -> Option<u32> {
    let mut spec_indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("{{") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        if spec_indent.is_some_and(|s| indent <= s) {
            spec_indent = None;
        }
        if trimmed.starts_with("spec:") {
            spec_indent = Some(indent);
        } else if spec_indent.is_some() && trimmed.starts_with("project:") {
            return Some(i as u32 + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_project_under_spec_in_a_patch() {
        let patch = "spec:\n  source:\n    path: x\n  project: '{{ .p }}'\n";
        assert_eq!(patch_project_line(patch), Some(4));
        assert_eq!(patch_project_line("metadata:\n  project: x\n"), None);
        assert_eq!(
            patch_project_line("{{- if true }}\nspec:\n  project: x\n{{- end }}\n"),
            Some(3)
        );
    }
}

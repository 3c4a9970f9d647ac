//! # fixed-namespace
//!
//! ## What it does
//! Checks that every namespaced object follows its Application's destination namespace.
//! - **error**: the rendered `metadata.namespace` differs from the destination namespace, so Argo
//!   CD applies the object elsewhere — for a preview, usually into the stable environment.
//! - **warning** (latent): a Helm template pins a namespace that merely equals today's destination.
//!   The gate renders such charts a second time with a probe namespace; an object whose namespace
//!   does not move with it is pinned (`namespace: ameide-dev`, or
//!   `{{ .Values.namespace | default "ameide" }}`), while `{{ .Release.Namespace }}` follows. Only
//!   Helm sources whose first render has objects with an explicit namespace are rendered again.
//!   A Kustomize `namespace:` equal to the destination is the idiomatic way to set it and is fine.
//!
//! The finding points at the `namespace:` line of the template or file when it can be found,
//! otherwise at the object's `kind:` line.
//!
//! ## Why is this bad?
//! Preview objects must land in `pr-<N>` (spec §3). An object pinned elsewhere overwrites the
//! stable environment's copy, or fails with `namespace X is not permitted in project 'previews'`.
//! A latent pin breaks the first time the chart is reused for a preview.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   name: web
//!   namespace: ameide-dev   # pinned: use {{ .Release.Namespace }} or leave it out
//! ```
//!
//! ## How to fix
//! Leave `metadata.namespace` out (Argo CD fills in the destination) or, in a Helm template, write
//! `{{ .Release.Namespace }}`. The help names the file and line, and the text to write.
//!
//! ## Reference
//! Argo CD `controller/state.go` (target objects keep an explicit namespace, empty ones get the
//! destination's); preview spec §3.

use std::collections::HashMap;
use std::path::Path;

use super::{Code, Context, Meta};
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Location, Severity};
use crate::inventory::RenderedObject;
use crate::sources::Sources;

pub const META: Meta = Meta {
    code: Code::FixedNamespace,
    severity: Severity::Error,
    summary: "a namespaced object does not follow its Application's destination namespace",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut files = FileCache::new(ctx.sources);
    let mut findings = Vec::new();
    for (i, object) in ctx.inventory.objects.iter().enumerate() {
        if object.scope != Some(Scope::Namespaced) {
            continue;
        }
        let app = &ctx.apps[object.app];
        let destination = app.destination.namespace.as_str();
        let Some(explicit) = object.explicit_namespace.as_deref() else {
            continue;
        };
        let location = files
            .namespace_line(&object.origin)
            .unwrap_or(object.origin.clone());
        if !destination.is_empty() && explicit != destination {
            findings.push(
                Finding::new(
                    META.code,
                    Severity::Error,
                    format!(
                        "{} {} is rendered into namespace {explicit}, not the destination namespace {destination} of Application {}",
                        object.kind, object.name, app.name
                    ),
                    location.clone(),
                )
                .app(&app.name)
                .project(app.project_name())
                .related("object", object.origin.clone())
                .help(files.namespace_help(object, &location, destination)),
            );
        } else if ctx.pinned_namespaces.contains(&i) {
            findings.push(
                Finding::new(
                    META.code,
                    Severity::Warning,
                    format!(
                        "{} {} pins namespace {explicit}: it equals Application {}'s destination today, but does not follow the release namespace, so the chart breaks when it is deployed elsewhere (a preview)",
                        object.kind, object.name, app.name
                    ),
                    location.clone(),
                )
                .app(&app.name)
                .project(app.project_name())
                .related("object", object.origin.clone())
                .help(match files.line_text(&location) {
                    Some(line) if location != object.origin => format!(
                        "in {}:{}, replace `{line}` with `namespace: {{{{ .Release.Namespace }}}}`",
                        location.display_path(),
                        location.line
                    ),
                    _ => format!(
                        "write metadata.namespace of {} {} as `{{{{ .Release.Namespace }}}}` in {}",
                        object.kind,
                        object.name,
                        object.origin.display_path()
                    ),
                }),
            );
        }
    }
    findings
}

/// The lines of origin files (from [`Sources`]), to find the `namespace:` line of an object's
/// metadata.
pub struct FileCache<'a> {
    sources: &'a Sources,
    files: HashMap<std::sync::Arc<Path>, Option<Vec<String>>>,
}

impl<'a> FileCache<'a> {
    pub fn new(sources: &'a Sources) -> Self {
        FileCache {
            sources,
            files: HashMap::new(),
        }
    }

    /// Whether the object's template writes its namespace as exactly `{{ .Release.Namespace }}`
    /// (optionally quoted): such an object follows the release namespace without a probe render.
    pub fn follows_release_namespace(&mut self, origin: &Location) -> bool {
        let Some(location) = self.namespace_line(origin) else {
            return false;
        };
        let Some(Some(lines)) = self.files.get(&origin.file) else {
            return false;
        };
        let text = lines[location.line as usize - 1].trim();
        let value = text.trim_start_matches("namespace:").trim();
        let value = value.trim_matches('"');
        let inner = value
            .strip_prefix("{{")
            .and_then(|v| v.strip_suffix("}}"))
            .map(|v| v.trim_matches('-').trim());
        matches!(
            inner,
            Some(".Release.Namespace" | "$.Release.Namespace" | ".Release.Namespace | quote")
        )
    }

    /// The trimmed text of a line of a cached file.
    fn line_text(&mut self, at: &Location) -> Option<String> {
        let lines = self.files.get(&at.file)?.as_ref()?;
        let text = lines.get(at.line.checked_sub(1)? as usize)?.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    /// What to change for an object in the wrong namespace: the line to delete, and for a Helm
    /// template what to write instead.
    fn namespace_help(
        &mut self,
        object: &RenderedObject,
        location: &Location,
        destination: &str,
    ) -> String {
        let helm = is_helm_template(&object.origin.file);
        match self.line_text(location) {
            Some(line) if *location != object.origin => {
                let at = format!("{}:{}", location.display_path(), location.line);
                if helm {
                    format!(
                        "in {at}, replace `{line}` with `namespace: {{{{ .Release.Namespace }}}}`, or delete that line; Argo CD then uses the destination namespace ({destination})"
                    )
                } else {
                    format!(
                        "delete `{line}` at {at}; Argo CD then puts the object into the destination namespace ({destination})"
                    )
                }
            }
            _ => format!(
                "remove the namespace {} sets for {} {}, so that Argo CD uses the destination namespace ({destination})",
                object.origin.display_path(),
                object.kind,
                object.name
            ),
        }
    }

    fn namespace_line(&mut self, origin: &Location) -> Option<Location> {
        let sources = self.sources;
        let lines = self
            .files
            .entry(origin.file.clone())
            .or_insert_with(|| {
                sources
                    .text(&origin.file)
                    .map(|t| t.lines().map(str::to_string).collect())
            })
            .as_ref()?;
        let line = metadata_namespace_line(lines, origin.line as usize)?;
        Some(Location::new(
            origin.file.clone(),
            line as u32,
            1,
            line as u32,
        ))
    }
}

/// Whether a file is a template of a local Helm chart (`<chart>/templates/…` next to `Chart.yaml`).
fn is_helm_template(file: &Path) -> bool {
    file.ancestors().any(|dir| {
        dir.ends_with("templates") && dir.parent().is_some_and(|c| c.join("Chart.yaml").is_file())
    })
}

/// The 1-based line of `namespace:` directly under the `metadata:` of the document around `kind_line`.
fn metadata_namespace_line(lines: &[String], kind_line: usize) -> Option<usize> {
    let start = (0..kind_line.min(lines.len()))
        .rev()
        .find(|&i| lines[i].starts_with("---"))
        .map_or(0, |i| i + 1);
    let mut metadata_indent: Option<usize> = None;
    for (i, line) in lines.iter().enumerate().skip(start) {
        if i + 1 > kind_line && line.starts_with("---") {
            break;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("{{") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        match metadata_indent {
            Some(m) if indent <= m => metadata_indent = None,
            Some(_) if trimmed.starts_with("namespace:") => return Some(i + 1),
            _ => {}
        }
        if trimmed == "metadata:" {
            metadata_indent = Some(indent);
        }
    }
    None
}

/// Objects whose explicit namespace stayed put when the chart was rendered with a probe namespace.
pub fn pinned(original: &[RenderedObject], probe: &[RenderedObject]) -> Vec<usize> {
    // Match by template position: the same template line renders the same objects in both
    // renders, the n-th object of a kind at a line (its rank) pairs with the n-th.
    let key = |o: &RenderedObject| (o.origin.file.clone(), o.origin.line, o.kind.clone(), o.rank);
    let probe_by_key: HashMap<_, &RenderedObject> = probe.iter().map(|o| (key(o), o)).collect();
    let mut out = Vec::new();
    for (i, o) in original.iter().enumerate() {
        let twin = probe_by_key.get(&key(o));
        if let (Some(twin), Some(ns)) = (twin, &o.explicit_namespace) {
            if twin.explicit_namespace.as_ref() == Some(ns) {
                out.push(i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn finds_the_metadata_namespace_line() {
        let text = lines(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    x: y\n  namespace: fixed\ndata:\n  namespace: not-this\n---\nkind: Secret\nmetadata:\n  name: b\n",
        );
        assert_eq!(metadata_namespace_line(&text, 2), Some(7));
        assert_eq!(metadata_namespace_line(&text, 11), None);
    }

    #[test]
    fn release_namespace_lines_need_no_probe() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.yaml");
        std::fs::write(
            &path,
            "kind: A\nmetadata:\n  namespace: {{ .Release.Namespace }}\n---\nkind: B\nmetadata:\n  namespace: {{- .Values.ns | default \"x\" }}\n---\nkind: C\nmetadata:\n  namespace: \"{{ $.Release.Namespace }}\"\n",
        )
        .unwrap();
        let file: std::sync::Arc<Path> = std::sync::Arc::from(path.as_path());
        let sources = Sources::default();
        let mut cache = FileCache::new(&sources);
        let at = |line| Location::new(file.clone(), line, 1, line);
        assert!(cache.follows_release_namespace(&at(1)));
        assert!(!cache.follows_release_namespace(&at(5)));
        assert!(cache.follows_release_namespace(&at(9)));
    }

    #[test]
    fn subject_namespaces_are_not_metadata() {
        let text = lines(
            "kind: RoleBinding\nmetadata:\n  name: a\nsubjects:\n  - kind: ServiceAccount\n    namespace: x\n",
        );
        assert_eq!(metadata_namespace_line(&text, 1), None);
    }
}

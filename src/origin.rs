//! Splits render output into objects and finds where each one came from: the chart template named
//! by Helm's `# Source:` comment, the file a Kustomize resource was read from, or the manifest file
//! of a directory source — down to the object's `kind:` line — which [`read_directory`] reads as
//! the repo-server does, jsonnet included.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Location;
use crate::sources::Sources;
use crate::yaml::{self, Node};

mod directory;
mod jsonnet;

pub use directory::read_directory;

/// A parsed object and the file (template or manifest) and line it came from.
#[derive(Debug, Clone)]
pub struct RenderedDoc {
    pub node: Node,
    pub origin: Location,
}

pub enum Origins {
    Helm {
        /// The chart directory in the checkout.
        chart_dir: PathBuf,
        chart_yaml: Option<PathBuf>,
        /// `file://` dependencies: subchart name → its directory in the checkout.
        local_dependencies: HashMap<String, PathBuf>,
        sources: Arc<Sources>,
    },
    Kustomize {
        objects: Vec<(String, String, Location)>,
        fallback: Location,
    },
    Fixed(Location),
}

impl Origins {
    pub fn fixed(location: Location) -> Self {
        Origins::Fixed(location)
    }

    pub fn helm(chart_dir: PathBuf, chart_yaml: Option<PathBuf>, sources: Arc<Sources>) -> Self {
        let mut local_dependencies = HashMap::new();
        if let Some(docs) = chart_yaml
            .as_ref()
            .and_then(|p| sources.text(p))
            .and_then(|t| yaml::parse_documents(&t).ok())
        {
            for dep in docs
                .first()
                .and_then(|d| d.root.get("dependencies"))
                .map(Node::items)
                .unwrap_or_default()
            {
                let name = dep
                    .get("alias")
                    .and_then(Node::as_str)
                    .or_else(|| dep.get("name").and_then(Node::as_str));
                let repository = dep
                    .get("repository")
                    .and_then(Node::as_str)
                    .unwrap_or_default();
                if let (Some(name), Some(path)) = (name, repository.strip_prefix("file://")) {
                    local_dependencies.insert(
                        name.to_string(),
                        crate::plan::normalize(&chart_dir.join(path)),
                    );
                }
            }
        }
        Origins::Helm {
            chart_dir,
            chart_yaml,
            local_dependencies,
            sources,
        }
    }

    pub fn kustomize(dir: &Path) -> Self {
        let mut objects = Vec::new();
        let mut seen = Vec::new();
        index_kustomization(dir, &mut objects, &mut seen);
        let fallback = crate::argo::source::find_kustomization(dir).map_or_else(
            || Location::file_start(Arc::from(dir)),
            |f| Location::file_start(Arc::from(f.as_path())),
        );
        Origins::Kustomize { objects, fallback }
    }

    /// Maps a Helm `# Source:` path (`<chart>/templates/x.yaml`, `<chart>/charts/<sub>/templates/x.yaml`)
    /// to a file in the checkout.
    fn helm_file(&self, source: &str) -> Option<PathBuf> {
        let Origins::Helm {
            chart_dir,
            local_dependencies,
            ..
        } = self
        else {
            return None;
        };
        let (_, mut rest) = source.split_once('/')?;
        let mut dir = chart_dir.clone();
        // Walk down subcharts: a vendored one is in charts/, a file:// one elsewhere in the checkout.
        while let Some(after) = rest.strip_prefix("charts/") {
            let (sub, tail) = after.split_once('/')?;
            dir = if dir.join("charts").join(sub).is_dir() {
                dir.join("charts").join(sub)
            } else {
                local_dependencies.get(sub)?.clone()
            };
            rest = tail;
        }
        let file = dir.join(rest);
        file.is_file().then_some(file)
    }

    /// The origin of the `occurrence`-th object of `kind` from Helm source `source`.
    fn helm_location(&self, source: Option<&str>, kind: &str, occurrence: usize) -> Location {
        let Origins::Helm {
            chart_yaml,
            chart_dir,
            sources,
            ..
        } = self
        else {
            unreachable!()
        };
        let Some(file) = source.and_then(|s| self.helm_file(s)) else {
            let fallback = chart_yaml
                .clone()
                .unwrap_or_else(|| chart_dir.join("Chart.yaml"));
            return Location::file_start(Arc::from(fallback.as_path()));
        };
        let text = sources.text(&file).unwrap_or_default();
        let line = kind_line(&text, kind, occurrence).unwrap_or(1);
        Location::new(Arc::from(file.as_path()), line, 1, line)
    }

    /// Finds a template path and line in a Helm error message, e.g.
    /// `template: web/templates/cm.yaml:5:3: executing ...` or `parse error at (web/templates/cm.yaml:7)`.
    pub fn location_in_error(&self, stderr: &str) -> Option<Location> {
        for token in stderr.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"') {
            for extension in [".yaml:", ".yml:", ".tpl:", ".txt:"] {
                let Some(at) = token.find(extension) else {
                    continue;
                };
                let path = &token[..at + extension.len() - 1];
                let line: u32 = token[at + extension.len()..]
                    .split(':')
                    .next()?
                    .parse()
                    .ok()?;
                if let Some(file) = self.helm_file(path) {
                    return Some(Location::new(Arc::from(file.as_path()), line, 0, line));
                }
            }
        }
        None
    }

    fn kustomize_location(&self, kind: &str, name: &str) -> Location {
        let Origins::Kustomize { objects, fallback } = self else {
            unreachable!()
        };
        let same_kind = || objects.iter().filter(|(k, _, _)| k == kind);
        same_kind()
            .find(|(_, n, _)| n == name)
            .or_else(|| {
                same_kind()
                    .filter(|(_, n, _)| !n.is_empty() && name.contains(n.as_str()))
                    .max_by_key(|(_, n, _)| n.len())
            })
            // Renamed by a patch: the only object of its kind is still where it came from.
            .or_else(|| match same_kind().collect::<Vec<_>>().as_slice() {
                [only] => Some(*only),
                _ => None,
            })
            .map(|(_, _, location)| location.clone())
            .unwrap_or_else(|| fallback.clone())
    }
}

/// The line of the `occurrence`-th `kind: <Kind>` line in a template, else of its first `kind:`.
fn kind_line(text: &str, kind: &str, occurrence: usize) -> Option<u32> {
    let kind_lines: Vec<(u32, &str)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let value = line.trim_start().strip_prefix("kind:")?;
            // Only top-level-ish `kind:` keys: not inside a list item like `- kind: X` of a spec.
            (line.len() - line.trim_start().len() == 0).then_some((
                i as u32 + 1,
                value.trim().trim_matches(|c| c == '"' || c == '\''),
            ))
        })
        .collect();
    kind_lines
        .iter()
        .filter(|(_, value)| *value == kind)
        .nth(occurrence)
        .or_else(|| kind_lines.iter().find(|(_, value)| *value == kind))
        .or_else(|| kind_lines.first())
        .map(|(line, _)| *line)
}

/// Splits `helm template` output on `---`, keeping each document's `# Source:`.
pub fn parse_helm_output(stdout: &str, origins: &Origins) -> Result<Vec<RenderedDoc>, String> {
    let mut docs = Vec::new();
    let mut occurrences: HashMap<(String, String), usize> = HashMap::new();
    for chunk in split_documents(stdout) {
        let source = chunk
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .map(str::trim);
        for doc in yaml::parse_documents(chunk).map_err(|e| e.to_string())? {
            let kind = doc.root.get("kind").map(Node::text).unwrap_or_default();
            let origin = match origins {
                Origins::Fixed(location) => location.clone(),
                _ => {
                    let n = occurrences
                        .entry((source.unwrap_or_default().to_string(), kind.clone()))
                        .or_default();
                    *n += 1;
                    origins.helm_location(source, &kind, *n - 1)
                }
            };
            docs.push(RenderedDoc {
                node: doc.root,
                origin,
            });
        }
    }
    Ok(docs)
}

/// Parses output without source comments (Kustomize), locating objects through the index.
pub fn parse_plain_output(stdout: &str, origins: &Origins) -> Result<Vec<RenderedDoc>, String> {
    let docs = yaml::parse_documents(stdout).map_err(|e| format!("line {}: {e}", e.line))?;
    Ok(docs
        .into_iter()
        .map(|doc| {
            let kind = doc.root.get("kind").map(Node::text).unwrap_or_default();
            let name = doc
                .root
                .at(&["metadata", "name"])
                .map(Node::text)
                .unwrap_or_default();
            let origin = match origins {
                Origins::Fixed(location) => location.clone(),
                _ => origins.kustomize_location(&kind, &name),
            };
            RenderedDoc {
                node: doc.root,
                origin,
            }
        })
        .collect())
}

fn split_documents(text: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" || line.starts_with("--- ") {
            chunks.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    chunks.push(&text[start..]);
    chunks
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .collect()
}

/// Indexes `(kind, name)` of every object in the files a kustomization (and its local bases and
/// components) reads, plus its ConfigMap and Secret generators.
fn index_kustomization(
    dir: &Path,
    objects: &mut Vec<(String, String, Location)>,
    seen: &mut Vec<PathBuf>,
) {
    let Some(file) = crate::argo::source::find_kustomization(dir) else {
        return;
    };
    if seen.contains(&file) {
        return;
    }
    seen.push(file.clone());
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    let Ok(docs) = yaml::parse_documents(&text) else {
        return;
    };
    let Some(root) = docs.first().map(|d| &d.root) else {
        return;
    };
    let kfile: Arc<Path> = Arc::from(file.as_path());
    for (key, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for generator in root.get(key).map(Node::items).unwrap_or_default() {
            if let Some(name) = generator.get("name") {
                objects.push((
                    kind.to_string(),
                    name.text(),
                    Location::at_node(&kfile, name),
                ));
            }
        }
    }
    for key in ["resources", "bases", "components", "crds"] {
        for entry in root.get(key).map(Node::items).unwrap_or_default() {
            let reference = entry.text();
            if reference.contains("://") || reference.starts_with("github.com/") {
                continue;
            }
            let path = crate::plan::normalize(&dir.join(&reference));
            if path.is_dir() {
                index_kustomization(&path, objects, seen);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                index_manifest_file(&path, &text, objects);
            }
        }
    }
}

fn index_manifest_file(path: &Path, text: &str, objects: &mut Vec<(String, String, Location)>) {
    let Ok(docs) = yaml::parse_documents(text) else {
        return;
    };
    let file: Arc<Path> = Arc::from(path);
    for doc in docs {
        if let Some(kind_node) = doc.root.get("kind") {
            let name = doc
                .root
                .at(&["metadata", "name"])
                .map(Node::text)
                .unwrap_or_default();
            objects.push((
                kind_node.text(),
                name,
                Location::at_node(&file, doc.root.entry("kind").map_or(kind_node, |(k, _)| k)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_lines_by_occurrence() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\nkind: Secret\n---\nkind: ConfigMap\nspec:\n  - kind: ConfigMap\n";
        assert_eq!(kind_line(text, "ConfigMap", 0), Some(2));
        assert_eq!(kind_line(text, "ConfigMap", 1), Some(6));
        assert_eq!(kind_line(text, "Secret", 0), Some(4));
        assert_eq!(
            kind_line(text, "Pod", 0),
            Some(2),
            "falls back to the first kind line"
        );
    }

    #[test]
    fn splits_helm_output() {
        let out = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n";
        let chunks = split_documents(out);
        assert_eq!(chunks.len(), 2);
        assert!(chunks[1].contains("b.yaml"));
    }
}

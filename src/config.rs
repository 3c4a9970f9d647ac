//! `preview-gate.yaml`: per-repository settings, validated with positions.
//!
//! ```yaml
//! repositories:                 # repoURL -> local tree, relative to this file
//!   https://github.com/org/gitops.git: .
//! kubeVersion: 1.33.0           # passed to helm template --kube-version
//! apiVersions: [monitoring.coreos.com/v1]   # extra --api-versions
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Finding, Location, Severity};
use crate::rules;
use crate::yaml::{self, Node};

pub const FILE_NAME: &str = "preview-gate.yaml";

#[derive(Debug, Default, Clone)]
pub struct FileConfig {
    pub repositories: Vec<(String, PathBuf)>,
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
}

const KEYS: &[&str] = &["repositories", "kubeVersion", "apiVersions"];

/// Reads a config file; every problem is an `invalid-config` finding at its line.
pub fn load(path: &Path) -> Result<FileConfig, Vec<Finding>> {
    let file: Arc<Path> = Arc::from(path);
    let error = |message: String, location: Location| {
        Finding::new(rules::INVALID_CONFIG, Severity::Error, message, location)
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![error(
            format!("cannot read {}: {e}", path.display()),
            Location::file_start(file.clone()),
        )]
    })?;
    let docs = yaml::parse_documents(&text).map_err(|e| {
        vec![error(
            format!("invalid YAML: {e}"),
            Location::new(file.clone(), e.line, e.col, e.line),
        )]
    })?;
    let mut config = FileConfig::default();
    let Some(root) = docs.first().map(|d| &d.root) else {
        return Ok(config);
    };
    let Some(entries) = root.as_map() else {
        return Err(vec![error(
            "the config must be a mapping".into(),
            Location::at_node(&file, root),
        )]);
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let mut problems = Vec::new();
    for (key, value) in entries {
        let at = Location::at_node(&file, key);
        match key.text().as_str() {
            "repositories" => match value.as_map() {
                Some(map) => {
                    for (url, dir) in map {
                        match dir.as_str() {
                            Some(dir) => config.repositories.push((url.text(), base.join(dir))),
                            None => problems.push(error(
                                format!("repository {} needs a directory", url.text()),
                                Location::at_node(&file, url),
                            )),
                        }
                    }
                }
                None => problems.push(error(
                    "repositories must map repository URLs to directories".into(),
                    at,
                )),
            },
            "kubeVersion" => config.kube_version = value.as_str().map(str::to_string),
            "apiVersions" => match value.as_seq() {
                Some(items) => config.api_versions = items.iter().map(Node::text).collect(),
                None => problems.push(error("apiVersions must be a list".into(), at)),
            },
            other => problems.push(
                error(format!("unknown key `{other}`"), at)
                    .help(format!("known keys: {}", KEYS.join(", "))),
            ),
        }
    }
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "repositories:\n  https://x/y.git: .\nkubeVerison: 1.30.0\n",
        )
        .unwrap();
        let errors = load(&path).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].location.line, 3);
        assert!(errors[0].message.contains("kubeVerison"));
    }

    #[test]
    fn repositories_resolve_relative_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(
            &path,
            "repositories:\n  https://x/y.git: sub\nkubeVersion: 1.30.0\n",
        )
        .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(
            config.repositories,
            vec![("https://x/y.git".to_string(), dir.path().join("sub"))]
        );
        assert_eq!(config.kube_version.as_deref(), Some("1.30.0"));
    }
}

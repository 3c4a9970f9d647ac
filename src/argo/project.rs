//! AppProjects and Argo CD's resource permission check
//! (`pkg/apis/application/v1alpha1/app_project_types.go`, `IsGroupKindNamePermitted`).

use std::path::Path;
use std::sync::Arc;

use super::admission::DestinationRule;
use super::glob::filepath_match;
use crate::diagnostic::Location;
use crate::yaml::Node;

/// One `{group, kind[, name]}` entry of a resource white- or blacklist.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceEntry {
    pub group: String,
    pub kind: String,
    /// Only meaningful in cluster lists (the CRD prunes it from namespaced lists).
    pub name: Option<String>,
    pub location: Location,
}

/// A resource list that may be absent (`nil` in Go) or present, possibly empty.
pub type ResourceList = Option<Vec<ResourceEntry>>;

#[derive(Debug, Clone)]
pub struct AppProject {
    pub name: String,
    pub location: Location,
    pub source_repos: Vec<(String, Location)>,
    /// `spec.destinations`, each with the line of its list item.
    pub destinations: Vec<(DestinationRule, Location)>,
    pub namespace_whitelist: ResourceList,
    pub namespace_blacklist: ResourceList,
    pub cluster_whitelist: ResourceList,
    pub cluster_blacklist: ResourceList,
    /// Where `spec` starts (or the document), for findings about an absent list.
    pub spec_location: Location,
    /// `spec.sourceNamespaces`: where Applications outside the control plane may use the project.
    pub source_namespaces: Vec<String>,
    /// `spec.permitOnlyProjectScopedClusters` (`IsDestinationPermitted`), and its line.
    pub permit_only_project_scoped_clusters: bool,
    pub permit_only_project_scoped_clusters_location: Option<Location>,
}

/// Which list decided a permission check.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Permitted,
    /// Not in the (namespaced or cluster) whitelist.
    NotWhitelisted,
    /// Whitelisted (or whitelist absent) but denied by this blacklist entry.
    Blacklisted(ResourceEntry),
}

impl AppProject {
    pub fn from_node(file: &Arc<Path>, doc: &Node) -> Result<Self, (String, Location)> {
        let name = doc
            .at(&["metadata", "name"])
            .and_then(Node::as_str)
            .ok_or_else(|| {
                (
                    "AppProject has no metadata.name".to_string(),
                    Location::at_node(file, doc),
                )
            })?;
        let spec = doc.get("spec");
        let list = |key: &str, named: bool| -> Result<ResourceList, (String, Location)> {
            let Some(node) = spec.and_then(|s| s.get(key)).filter(|n| !n.is_null()) else {
                return Ok(None);
            };
            let items = node.as_seq().ok_or_else(|| {
                (
                    format!("spec.{key} must be a list"),
                    Location::at_node(file, node),
                )
            })?;
            items
                .iter()
                .map(|item| {
                    let field = |k: &str| item.get(k).map(Node::text).unwrap_or_default();
                    if item.as_map().is_none() {
                        return Err((
                            format!("spec.{key} entries must be {{group, kind}} mappings"),
                            Location::at_node(file, item),
                        ));
                    }
                    Ok(ResourceEntry {
                        group: field("group"),
                        kind: field("kind"),
                        name: if named {
                            item.get("name").and_then(Node::as_str).map(str::to_string)
                        } else {
                            None
                        },
                        location: Location::at_node(file, item),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        };
        let source_repos = spec
            .and_then(|s| s.get("sourceRepos"))
            .map(|n| {
                n.items()
                    .iter()
                    .filter_map(|i| Some((i.as_str()?.to_string(), Location::at_node(file, i))))
                    .collect()
            })
            .unwrap_or_default();
        let destinations = spec
            .and_then(|s| s.get("destinations"))
            .map(|n| {
                n.items()
                    .iter()
                    .map(|item| {
                        let field =
                            |k: &str| item.get(k).and_then(Node::as_str).map(str::to_string);
                        (
                            DestinationRule {
                                server: field("server"),
                                name: field("name"),
                                namespace: field("namespace"),
                            },
                            Location::at_node(file, item),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let permit_only = spec
            .and_then(|s| s.get("permitOnlyProjectScopedClusters"))
            .and_then(Node::as_bool);
        Ok(AppProject {
            name: name.to_string(),
            destinations,
            location: Location::at_node(file, doc.at(&["metadata", "name"]).unwrap_or(doc)),
            source_repos,
            namespace_whitelist: list("namespaceResourceWhitelist", false)?,
            namespace_blacklist: list("namespaceResourceBlacklist", false)?,
            cluster_whitelist: list("clusterResourceWhitelist", true)?,
            cluster_blacklist: list("clusterResourceBlacklist", true)?,
            spec_location: Location::at_node(file, spec.unwrap_or(doc)),
            source_namespaces: spec
                .and_then(|s| s.get("sourceNamespaces"))
                .map(|n| n.items().iter().map(Node::text).collect())
                .unwrap_or_default(),
            permit_only_project_scoped_clusters: permit_only == Some(true),
            permit_only_project_scoped_clusters_location: spec
                .and_then(|s| s.entry("permitOnlyProjectScopedClusters"))
                .map(|(k, _)| Location::at_node(file, k)),
        })
    }

    /// Argo CD's `IsGroupKindNamePermitted`: namespaced kinds are allowed when the namespaced
    /// whitelist is absent, or non-empty with a match; cluster kinds only when the cluster whitelist
    /// is non-empty with a match. A matching blacklist entry then denies.
    pub fn permits(&self, group: &str, kind: &str, name: &str, namespaced: bool) -> Verdict {
        let (whitelist, blacklist) = if namespaced {
            (&self.namespace_whitelist, &self.namespace_blacklist)
        } else {
            (&self.cluster_whitelist, &self.cluster_blacklist)
        };
        let whitelisted = match whitelist {
            None => namespaced,
            Some(entries) => entries.iter().any(|e| e.matches(group, kind, name)),
        };
        if !whitelisted {
            return Verdict::NotWhitelisted;
        }
        match blacklist
            .iter()
            .flatten()
            .find(|e| e.matches(group, kind, name))
        {
            Some(entry) => Verdict::Blacklisted(entry.clone()),
            None => Verdict::Permitted,
        }
    }
}

impl ResourceEntry {
    /// `filepath.Match` on kind and group, and on name when the entry has one.
    pub fn matches(&self, group: &str, kind: &str, name: &str) -> bool {
        filepath_match(&self.kind, kind)
            && filepath_match(&self.group, group)
            && self
                .name
                .as_deref()
                .is_none_or(|pattern| pattern.is_empty() || filepath_match(pattern, name))
    }

    /// `group:kind` the way Argo CD writes it in sync errors (`:Namespace` for the core group).
    pub fn display(&self) -> String {
        match &self.name {
            Some(name) => format!("{}:{} (name {name})", self.group, self.kind),
            None => format!("{}:{}", self.group, self.kind),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn project(spec: &str) -> AppProject {
        let text = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: p\nspec:\n{spec}"
        );
        let docs = parse_documents(&text).unwrap();
        AppProject::from_node(&Arc::from(Path::new("/p.yaml")), &docs[0].root).unwrap()
    }

    #[test]
    fn absent_namespace_whitelist_allows_every_namespaced_kind() {
        let p = project("  sourceRepos: ['*']\n");
        assert_eq!(
            p.permits("apps", "Deployment", "x", true),
            Verdict::Permitted
        );
        assert_eq!(
            p.permits("", "Namespace", "x", false),
            Verdict::NotWhitelisted,
            "cluster kinds need an entry"
        );
    }

    #[test]
    fn empty_namespace_whitelist_allows_nothing() {
        let p = project("  namespaceResourceWhitelist: []\n");
        assert_eq!(
            p.permits("", "ConfigMap", "x", true),
            Verdict::NotWhitelisted
        );
    }

    #[test]
    fn null_whitelist_is_absent() {
        let p = project("  namespaceResourceWhitelist:\n");
        assert_eq!(p.permits("", "ConfigMap", "x", true), Verdict::Permitted);
    }

    #[test]
    fn empty_or_absent_cluster_whitelist_allows_nothing() {
        for spec in ["  clusterResourceWhitelist: []\n", "  sourceRepos: []\n"] {
            assert_eq!(
                project(spec).permits("", "Namespace", "n", false),
                Verdict::NotWhitelisted
            );
        }
    }

    #[test]
    fn core_group_is_empty_string() {
        let p = project("  namespaceResourceWhitelist:\n  - group: ''\n    kind: ConfigMap\n");
        assert_eq!(p.permits("", "ConfigMap", "x", true), Verdict::Permitted);
        let wrong = project(
            "  namespaceResourceWhitelist:\n  - group: core\n    kind: ConfigMap\n  - group: v1\n    kind: ConfigMap\n",
        );
        assert_eq!(
            wrong.permits("", "ConfigMap", "x", true),
            Verdict::NotWhitelisted
        );
    }

    #[test]
    fn blacklist_wins_over_whitelist() {
        let p = project(
            "  namespaceResourceWhitelist:\n  - group: '*'\n    kind: '*'\n  namespaceResourceBlacklist:\n  - group: ''\n    kind: Secret\n",
        );
        assert_eq!(
            p.permits("apps", "Deployment", "x", true),
            Verdict::Permitted
        );
        assert!(matches!(
            p.permits("", "Secret", "x", true),
            Verdict::Blacklisted(_)
        ));
        // A blacklist alone (whitelist absent) still denies.
        let p = project("  namespaceResourceBlacklist:\n  - group: ''\n    kind: Secret\n");
        assert!(matches!(
            p.permits("", "Secret", "x", true),
            Verdict::Blacklisted(_)
        ));
    }

    #[test]
    fn malformed_blacklist_entry_blocks_nothing() {
        let p = project("  namespaceResourceBlacklist:\n  - group: '['\n    kind: '*'\n");
        assert_eq!(p.permits("", "Secret", "x", true), Verdict::Permitted);
    }

    #[test]
    fn cluster_entries_match_names_with_globs() {
        let p = project(
            "  clusterResourceWhitelist:\n  - group: ''\n    kind: Namespace\n    name: 'pr-ameide-*'\n",
        );
        assert_eq!(
            p.permits("", "Namespace", "pr-ameide-1", false),
            Verdict::Permitted
        );
        assert_eq!(
            p.permits("", "Namespace", "kube-system", false),
            Verdict::NotWhitelisted
        );
    }

    #[test]
    fn namespaced_entries_ignore_name() {
        let p = project(
            "  namespaceResourceWhitelist:\n  - group: ''\n    kind: ConfigMap\n    name: only-this\n",
        );
        assert_eq!(
            p.permits("", "ConfigMap", "other", true),
            Verdict::Permitted
        );
    }

    #[test]
    fn scope_selects_the_list() {
        let p = project(
            "  namespaceResourceWhitelist:\n  - group: rbac.authorization.k8s.io\n    kind: '*'\n",
        );
        assert_eq!(
            p.permits("rbac.authorization.k8s.io", "Role", "r", true),
            Verdict::Permitted
        );
        assert_eq!(
            p.permits("rbac.authorization.k8s.io", "ClusterRole", "r", false),
            Verdict::NotWhitelisted
        );
    }
}

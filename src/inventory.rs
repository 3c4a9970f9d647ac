//! Rendered objects after Argo CD's post-processing (`controller/state.go` `NormalizeTargetObjects`
//! and gitops-engine): `List` kinds expanded, dropped hooks removed, namespaces cleared for
//! cluster-scoped kinds and defaulted to the destination for namespaced ones.

use crate::argo::application::Application;
use crate::argo::hooks::{self, HookHandling};
use crate::argo::scope::{Scope, ScopeRegistry, group_of};
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::render::RenderedDoc;
use crate::yaml::Node;

#[derive(Debug, Clone)]
pub struct RenderedObject {
    /// Index of the Application in the checked set.
    pub app: usize,
    /// Index of the source within the Application.
    pub source: usize,
    pub api_version: String,
    pub group: String,
    pub kind: String,
    pub name: String,
    /// After normalisation: empty for cluster-scoped objects.
    pub namespace: String,
    /// `metadata.namespace` as rendered (before defaulting), when set.
    pub explicit_namespace: Option<String>,
    /// Only `metadata.generateName` was set: such objects never collide.
    pub generate_name: bool,
    /// `None` when neither discovery, CRDs nor the built-in table know the kind.
    pub scope: Option<Scope>,
    pub hook: bool,
    /// The template or file the object came from, at its `kind:` line.
    pub origin: Location,
    /// A hash of the whole rendered object: equal digests are identical copies.
    pub digest: u64,
    /// The rendered object itself (positions are in the render output, not the source file).
    pub node: Node,
}

impl RenderedObject {
    /// Argo CD's resource key after normalisation: the version is not part of it.
    pub fn identity(&self) -> (&str, &str, &str, &str) {
        (&self.group, &self.kind, &self.namespace, &self.name)
    }

    /// `group/kind/namespace/name`, as Argo CD prints it.
    pub fn display_identity(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.group, self.kind, self.namespace, self.name
        )
    }
}

#[derive(Debug, Default)]
pub struct Inventory {
    pub objects: Vec<RenderedObject>,
    /// Objects Argo CD drops (Helm test hooks and the like), counted for the summary.
    pub dropped: usize,
}

/// Registers the CRDs a render produced, so that their kinds have a scope.
pub fn register_rendered_crds(docs: &[RenderedDoc], scopes: &mut ScopeRegistry) {
    for doc in docs {
        for object in expand_lists(&doc.node) {
            let api_version = object
                .get("apiVersion")
                .and_then(Node::as_str)
                .unwrap_or_default();
            if api_version.starts_with("apiextensions.k8s.io/")
                && object.get("kind").and_then(Node::as_str) == Some("CustomResourceDefinition")
            {
                scopes.add_crd(object, &doc.origin.display_path());
            }
        }
    }
}

pub fn build(
    app_index: usize,
    source: usize,
    app: &Application,
    docs: Vec<RenderedDoc>,
    scopes: &ScopeRegistry,
    inventory: &mut Inventory,
    findings: &mut Vec<Finding>,
) {
    for doc in docs {
        for object in expand_lists(&doc.node) {
            let kind = object
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or_default();
            let api_version = object
                .get("apiVersion")
                .and_then(Node::as_str)
                .unwrap_or_default();
            if kind.is_empty() || api_version.is_empty() || object.as_map().is_none() {
                // Argo CD fails manifest generation on such a document.
                findings.push(
                    Finding::new(
                        Code::RenderFailed,
                        Severity::Error,
                        "rendered a document without apiVersion and kind",
                        doc.origin.clone(),
                    )
                    .app(&app.name),
                );
                continue;
            }
            let handling = hooks::classify(object);
            if handling == HookHandling::Dropped {
                inventory.dropped += 1;
                continue;
            }
            let group = group_of(api_version).to_string();
            let scope = scopes.scope(&group, kind);
            let metadata = object.get("metadata");
            let name = metadata
                .and_then(|m| m.get("name"))
                .map(Node::text)
                .unwrap_or_default();
            let generate_name =
                name.is_empty() && metadata.and_then(|m| m.get("generateName")).is_some();
            let namespace = metadata
                .and_then(|m| m.get("namespace"))
                .map(Node::text)
                .unwrap_or_default();
            let explicit_namespace = Some(namespace.clone()).filter(|n| !n.is_empty());
            let namespace = match scope {
                Some(Scope::Cluster) => String::new(),
                // Namespaced or unknown kinds follow the destination when they set none.
                _ if namespace.is_empty() => app.destination.namespace.clone(),
                _ => namespace,
            };
            let origin = if std::ptr::eq(object, &doc.node) {
                doc.origin.clone()
            } else {
                list_item_origin(&doc.origin, object)
            };
            inventory.objects.push(RenderedObject {
                app: app_index,
                source,
                api_version: api_version.to_string(),
                group,
                kind: kind.to_string(),
                name,
                namespace,
                generate_name,
                scope,
                hook: handling == HookHandling::Hook,
                origin,
                digest: digest(object),
                explicit_namespace,
                node: object.clone(),
            });
        }
    }
}

fn digest(object: &Node) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    object.to_json_lossy().to_string().hash(&mut hasher);
    hasher.finish()
}

/// An item of a `List` from a plain file has its own line; Helm/Kustomize origins stay as found.
fn list_item_origin(list_origin: &Location, item: &Node) -> Location {
    match item.entry("kind") {
        Some((key, _)) if key.line > 0 && list_origin.line <= key.line => {
            Location::new(list_origin.file.clone(), key.line, key.col, key.line)
        }
        _ => list_origin.clone(),
    }
}

/// gitops-engine expands objects whose `items` is a list (`*List` kinds) into their items.
fn expand_lists(node: &Node) -> Vec<&Node> {
    let kind = node.get("kind").and_then(Node::as_str).unwrap_or_default();
    match node.get("items").and_then(Node::as_seq) {
        Some(items) if kind.ends_with("List") => items.iter().flat_map(expand_lists).collect(),
        _ => vec![node],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;
    use std::path::Path;
    use std::sync::Arc;

    fn app(namespace: &str) -> Application {
        let text = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  project: p\n  destination:\n    namespace: {namespace}\n  source:\n    repoURL: https://x/y\n    path: .\n"
        );
        Application::from_node(
            &Arc::from(Path::new("/a.yaml")),
            &parse_documents(&text).unwrap()[0].root,
        )
        .unwrap()
    }

    fn inventory_of(manifests: &str, namespace: &str) -> Inventory {
        let file: Arc<Path> = Arc::from(Path::new("/m.yaml"));
        let docs = parse_documents(manifests)
            .unwrap()
            .into_iter()
            .map(|d| RenderedDoc {
                origin: Location::at_node(&file, &d.root),
                node: d.root,
            })
            .collect();
        let mut inventory = Inventory::default();
        let mut findings = Vec::new();
        build(
            0,
            0,
            &app(namespace),
            docs,
            &ScopeRegistry::builtin(),
            &mut inventory,
            &mut findings,
        );
        assert!(findings.is_empty(), "{findings:?}");
        inventory
    }

    #[test]
    fn namespaces_are_normalised() {
        let inv = inventory_of(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n  namespace: stray\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: other\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
            "dest",
        );
        let ns: Vec<(&str, &str)> = inv
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.namespace.as_str()))
            .collect();
        assert_eq!(
            ns,
            vec![
                ("ConfigMap", "dest"),
                ("Namespace", ""),
                ("Secret", "other"),
                ("Widget", "dest")
            ]
        );
        assert_eq!(inv.objects[3].scope, None);
    }

    #[test]
    fn lists_are_expanded_and_test_hooks_dropped() {
        let inv = inventory_of(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n",
            "dest",
        );
        let kinds: Vec<&str> = inv.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, vec!["ConfigMap", "Service", "Job"]);
        assert_eq!(inv.dropped, 1);
        assert!(inv.objects[2].hook);
        assert_eq!(
            inv.objects[1].origin.line, 9,
            "list items point at their own kind line"
        );
    }

    #[test]
    fn generate_name_objects_are_marked() {
        let inv = inventory_of(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n",
            "d",
        );
        assert!(inv.objects[0].generate_name);
    }
}

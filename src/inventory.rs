//! Rendered objects after Argo CD's post-processing. [`build`] reads one render: `List` kinds
//! expanded, namespaces cleared for cluster-scoped kinds and defaulted to the destination for
//! namespaced ones, each object's hook annotations read ([`hooks::classify`]). [`resolve`] then does,
//! per Application, what `controller/state.go` `CompareAppState` does: `NormalizeTargetObjects`
//! keeps the last copy of each identity *before* hooks are separated, so a later hook, Skip or
//! Helm test copy replaces an earlier resource; then the objects a sync leaves out are removed,
//! and the PreDelete/PostDelete hooks Argo CD creates when the Application is deleted are kept.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::argo::application::Application;
use crate::argo::hooks::{self, AtSync, DeletionHook, Handling};
use crate::argo::scope::{Scope, ScopeRegistry, group_of};
use crate::argo::state;
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
    /// What Argo CD does with the object, from its hook annotations alone.
    pub handling: Handling,
    /// What Argo CD really applies of it, once duplicates are resolved ([`resolve`]).
    pub applied: Applied,
    /// The copy of its identity `NormalizeTargetObjects` keeps (the last), set by [`resolve`].
    pub kept: bool,
    /// Its position among the objects of its render with the same origin line and kind, to pair it
    /// with its twin in a second render of the same source.
    pub rank: usize,
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

    /// Among the Application's resources as `CompareAppState` compares them
    /// (`reconciliation.Target`): a kept copy that is no hook, synced or `Skip`.
    pub fn is_target(&self) -> bool {
        self.kept && matches!(self.handling.at_sync, AtSync::Resource | AtSync::Skipped)
    }

    /// A hook that a sync runs (and permission-checks), not a managed resource.
    pub fn is_sync_hook(&self) -> bool {
        self.applied.at_sync && self.handling.at_sync == AtSync::Hook
    }

    /// For an object Argo CD creates only when the Application is deleted, not at sync: its
    /// deletion hook types (`PostDelete`, `PreDelete and PostDelete`).
    pub fn deletion_only(&self) -> Option<String> {
        if self.applied.at_sync {
            return None;
        }
        let types: Vec<&str> = self
            .applied
            .deletion_hooks()
            .into_iter()
            .map(DeletionHook::name)
            .collect();
        (!types.is_empty()).then(|| types.join(" and "))
    }
}

/// What Argo CD applies of one rendered object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// Synced: the kept copy of its identity, a resource with a sync phase or a sync hook.
    pub at_sync: bool,
    /// Created as a PreDelete hook when the Application is deleted (the last of its key).
    pub pre_delete: bool,
    /// Created as a PostDelete hook when the Application is deleted (the last of its key).
    pub post_delete: bool,
}

impl Applied {
    /// A managed resource that is synced.
    pub const SYNCED: Applied = Applied {
        at_sync: true,
        pre_delete: false,
        post_delete: false,
    };

    fn any(&self) -> bool {
        self.at_sync || self.pre_delete || self.post_delete
    }

    fn deletion_hooks(&self) -> Vec<DeletionHook> {
        hooks::deletion_hooks(self.pre_delete, self.post_delete)
    }

    fn set(&mut self, hook: DeletionHook) {
        match hook {
            DeletionHook::PreDelete => self.pre_delete = true,
            DeletionHook::PostDelete => self.post_delete = true,
        }
    }
}

#[derive(Debug, Default)]
pub struct Inventory {
    /// What Argo CD applies, by Application, source and render order: of each identity in an Application the last copy,
    /// if a sync applies it; and the deletion hooks it creates when the Application is deleted.
    pub objects: Vec<RenderedObject>,
    /// Identities an Application renders more than once (`RepeatedResourceWarning`): every copy,
    /// in order; Argo CD keeps the last one.
    pub repeated: Vec<Vec<RenderedObject>>,
    /// Kept copies marked `argocd.argoproj.io/hook: Skip`: never applied, but among the
    /// Application's resources (`reconciliation.Target`) all the same.
    pub skipped: Vec<RenderedObject>,
    /// Rendered objects Argo CD never applies: overridden by a later copy, or left out for their
    /// hook annotations (`Skip`, Helm `test` hooks and the like).
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

/// Every object of one render, as rendered (nothing left out yet), appended to `rendered`.
pub fn build(
    app_index: usize,
    source: usize,
    app: &Application,
    docs: Vec<RenderedDoc>,
    scopes: &ScopeRegistry,
    rendered: &mut Vec<RenderedObject>,
    findings: &mut Vec<Finding>,
) {
    let mut ranks: HashMap<(Arc<Path>, u32, String), usize> = HashMap::new();
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
            // Unknown kinds count as namespaced (`kube.IsNamespacedOrUnknown`).
            let namespace = state::normalized_namespace(
                scope != Some(Scope::Cluster),
                &namespace,
                &app.destination.namespace,
            );
            let origin = if std::ptr::eq(object, &doc.node) {
                doc.origin.clone()
            } else {
                list_item_origin(&doc.origin, object)
            };
            let rank = ranks
                .entry((origin.file.clone(), origin.line, kind.to_string()))
                .or_insert(0);
            rendered.push(RenderedObject {
                app: app_index,
                source,
                api_version: api_version.to_string(),
                group,
                kind: kind.to_string(),
                name,
                namespace,
                generate_name,
                scope,
                handling: hooks::classify(object),
                applied: Applied::default(),
                kept: false,
                rank: *rank,
                origin,
                digest: digest(object),
                explicit_namespace,
                node: object.clone(),
            });
            *rank += 1;
        }
    }
}

/// Per Application (its sources in order, each in render order), what `CompareAppState` and the
/// deletion of the Application apply:
/// - `NormalizeTargetObjects` keeps the last copy of each key, whatever its hook annotations, and
///   reports the repeated keys;
/// - the kept copy is synced if it is a resource with a sync phase or a sync hook
///   (`partitionTargetObjsForSync`, `splitHooks`, `syncPhases`);
/// - `executeHooks` creates, for PreDelete and then PostDelete, the last hook of each of its keys,
///   from the objects as rendered (it does not deduplicate with the sync's keys).
pub fn resolve(mut rendered: Vec<RenderedObject>, apps: &[Application]) -> Inventory {
    // A stable sort: render order stays within a source.
    rendered.sort_by_key(|o| (o.app, o.source));
    let order: Vec<usize> = (0..rendered.len()).collect();
    let mut repeated: Vec<Vec<usize>> = Vec::new();
    let applications: Vec<Vec<usize>> = order
        .chunk_by(|&a, &b| rendered[a].app == rendered[b].app)
        .map(<[usize]>::to_vec)
        .collect();
    for objects in &applications {
        let destination = &apps[rendered[objects[0]].app].destination.namespace;
        let keys = objects.iter().enumerate().map(|(index, &i)| {
            let o = &rendered[i];
            let generate_name = o
                .node
                .at(&["metadata", "generateName"])
                .map(Node::text)
                .unwrap_or_default();
            state::target_key(
                &o.group,
                &o.kind,
                &o.namespace,
                &o.name,
                &generate_name,
                index,
            )
        });
        for copies in state::group_by_key(keys) {
            for &c in &copies {
                rendered[objects[c]].kept = false;
            }
            let kept = &mut rendered[objects[*copies.last().expect("a group has a member")]];
            kept.kept = true;
            kept.applied.at_sync = matches!(kept.handling.at_sync, AtSync::Resource | AtSync::Hook);
            if copies.len() > 1 {
                repeated.push(copies.iter().map(|&c| objects[c]).collect());
            }
        }
        for hook in DeletionHook::ALL {
            let of_type: Vec<usize> = objects
                .iter()
                .copied()
                .filter(|&i| rendered[i].handling.deletion_hooks().contains(&hook))
                .collect();
            let keys = of_type.iter().map(|&i| {
                let o = &rendered[i];
                let namespace = o.explicit_namespace.as_deref().unwrap_or_default();
                state::deletion_hook_key(&o.group, &o.kind, namespace, &o.name, destination)
            });
            for copies in state::group_by_key(keys) {
                rendered[of_type[*copies.last().expect("a group has a member")]]
                    .applied
                    .set(hook);
            }
        }
    }
    let repeated = repeated
        .into_iter()
        .map(|copies| copies.into_iter().map(|i| rendered[i].clone()).collect())
        .collect();
    let total = rendered.len();
    let (objects, left_out): (Vec<RenderedObject>, Vec<RenderedObject>) =
        rendered.into_iter().partition(|o| o.applied.any());
    let skipped = left_out
        .into_iter()
        .filter(|o| o.kept && o.handling.at_sync == AtSync::Skipped)
        .collect();
    Inventory {
        dropped: total - objects.len(),
        objects,
        repeated,
        skipped,
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

/// The objects `GenerateManifests` makes of a rendered document: a list's items (one level), no
/// object for a null list, else the document (`argo::manifests::targets`).
fn expand_lists(node: &Node) -> Vec<&Node> {
    crate::argo::manifests::targets(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

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

    fn rendered(source: usize, manifests: &str, namespace: &str) -> Vec<RenderedObject> {
        let file: Arc<Path> = Arc::from(Path::new(if source == 0 { "/m.yaml" } else { "/n.yaml" }));
        let docs = parse_documents(manifests)
            .unwrap()
            .into_iter()
            .map(|d| RenderedDoc {
                origin: Location::at_node(&file, &d.root),
                node: d.root,
            })
            .collect();
        let mut objects = Vec::new();
        let mut findings = Vec::new();
        build(
            0,
            source,
            &app(namespace),
            docs,
            &ScopeRegistry::builtin(),
            &mut objects,
            &mut findings,
        );
        assert!(findings.is_empty(), "{findings:?}");
        objects
    }

    /// Sources in order, one Application.
    fn inventory_of_sources(sources: &[&str], namespace: &str) -> Inventory {
        let mut objects = Vec::new();
        // Renders complete in any order; `resolve` puts sources back in order.
        for (source, manifests) in sources.iter().enumerate().rev() {
            objects.extend(rendered(source, manifests, namespace));
        }
        resolve(objects, &[app(namespace)])
    }

    fn inventory_of(manifests: &str, namespace: &str) -> Inventory {
        inventory_of_sources(&[manifests], namespace)
    }

    fn names(inventory: &Inventory) -> Vec<String> {
        inventory
            .objects
            .iter()
            .map(|o| format!("{}/{}", o.kind, o.name))
            .collect()
    }

    fn annotated(kind: &str, name: &str, annotations: &str) -> String {
        format!(
            "---\napiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n  annotations:\n    team: a\n{annotations}"
        )
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
        assert!(inv.objects[2].is_sync_hook());
        assert!(!inv.objects[0].is_sync_hook());
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

    // gitops-engine getSyncTasks/syncPhases: a Skip object is never applied.
    #[test]
    fn skip_objects_are_never_applied() {
        let inv = inventory_of(
            &annotated("Pod", "debug", "    argocd.argoproj.io/hook: Skip\n"),
            "d",
        );
        assert!(inv.objects.is_empty());
        assert_eq!(inv.dropped, 1);
        assert!(inv.skipped[0].is_target(), "a resource all the same");
    }

    // controller/state.go CompareAppState: NormalizeTargetObjects runs before splitHooks, so a
    // later hook copy of a resource replaces it.
    #[test]
    fn the_last_copy_wins_before_hooks_are_removed() {
        let resource = annotated("ConfigMap", "c", "");
        for (later, applied) in [
            ("    helm.sh/hook: test\n", false),
            ("    argocd.argoproj.io/hook: Skip\n", false),
            ("    argocd.argoproj.io/hook: PostDelete\n", true),
            ("    argocd.argoproj.io/hook: PreSync\n", true),
        ] {
            let inv = inventory_of_sources(&[&resource, &annotated("ConfigMap", "c", later)], "d");
            assert_eq!(inv.repeated.len(), 1, "{later}");
            assert_eq!(inv.repeated[0].len(), 2);
            assert_eq!(inv.repeated[0][0].source, 0, "copies in source order");
            assert!(
                inv.objects.iter().all(|o| o.source == 1),
                "{later}: the resource is not applied"
            );
            assert_eq!(inv.objects.len(), usize::from(applied), "{later}");
        }
        // The other way round, the resource is kept and synced.
        let inv = inventory_of_sources(
            &[
                &annotated("ConfigMap", "c", "    helm.sh/hook: test\n"),
                &resource,
            ],
            "d",
        );
        assert_eq!(names(&inv), vec!["ConfigMap/c"]);
        assert!(inv.objects[0].applied.at_sync && inv.objects[0].source == 1);
    }

    // controller/state.go NormalizeTargetObjects: the version is not part of the key, the
    // namespace is the normalised one, generateName objects never collide.
    #[test]
    fn normalize_target_objects_keys_in_the_inventory() {
        let inv = inventory_of(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: d\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: j-\n---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: j-\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: other\n",
            "d",
        );
        assert_eq!(inv.repeated.len(), 1);
        assert_eq!(names(&inv), vec!["ConfigMap/c", "Job/", "Job/", "Secret/s"]);
        assert_eq!(inv.objects[0].explicit_namespace.as_deref(), Some("d"));
        assert_eq!(inv.dropped, 1);
    }

    // controller/hook.go executeHooks: deletion hooks come from the objects as rendered, so one
    // overridden at sync by a later resource is still created when the Application is deleted.
    #[test]
    fn deletion_hooks_are_created_even_when_overridden_at_sync() {
        let hook = annotated("ConfigMap", "c", "    helm.sh/hook: post-delete\n");
        let inv = inventory_of_sources(&[&hook, &annotated("ConfigMap", "c", "")], "d");
        assert_eq!(inv.repeated.len(), 1);
        assert_eq!(inv.objects.len(), 2);
        assert_eq!(
            inv.objects[0].deletion_only().as_deref(),
            Some("PostDelete")
        );
        assert!(inv.objects[1].applied.at_sync && inv.objects[1].deletion_only().is_none());
        // Two PostDelete hooks of one key: only the last is created.
        let inv = inventory_of_sources(&[&hook, &hook], "d");
        assert_eq!(inv.objects.len(), 1);
        assert_eq!(inv.objects[0].source, 1);
        // PreDelete and PostDelete are separate: each keeps its own last hook.
        let pre = annotated("ConfigMap", "c", "    argocd.argoproj.io/hook: PreDelete\n");
        let inv = inventory_of_sources(&[&pre, &hook], "d");
        assert_eq!(inv.objects.len(), 2);
        assert!(inv.objects[0].applied.pre_delete && inv.objects[1].applied.post_delete);
        let both = annotated(
            "ConfigMap",
            "c",
            "    argocd.argoproj.io/hook: PreDelete,PostDelete\n",
        );
        let inv = inventory_of(&both, "d");
        assert_eq!(
            inv.objects[0].deletion_only().as_deref(),
            Some("PreDelete and PostDelete")
        );
    }

    // controller/state.go partitionTargetObjsForSync: a hook that is both a sync and a deletion
    // hook is synced and created at deletion.
    #[test]
    fn sync_and_deletion_hook() {
        let inv = inventory_of(
            &annotated(
                "Pod",
                "p",
                "    argocd.argoproj.io/hook: PreSync,PostDelete\n",
            ),
            "d",
        );
        let o = &inv.objects[0];
        assert!(o.is_sync_hook() && o.applied.post_delete && o.deletion_only().is_none());
    }

    #[test]
    fn ranks_count_objects_of_one_template_line() {
        // A Helm template in a `range` renders every object at its one `kind:` line.
        let file: Arc<Path> = Arc::from(Path::new("/t.yaml"));
        let docs = parse_documents(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n",
        )
        .unwrap()
        .into_iter()
        .map(|d| RenderedDoc {
            origin: Location::new(file.clone(), 2, 1, 2),
            node: d.root,
        })
        .collect();
        let mut objects = Vec::new();
        build(
            0,
            0,
            &app("d"),
            docs,
            &ScopeRegistry::builtin(),
            &mut objects,
            &mut Vec::new(),
        );
        let ranks: Vec<usize> = objects.iter().map(|o| o.rank).collect();
        assert_eq!(ranks, vec![0, 1, 0]);
    }
}

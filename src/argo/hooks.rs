//! Which rendered objects Argo CD v3.5.1 applies, and when, from their hook annotations:
//! gitops-engine `pkg/sync/hook/hook.go` (`Types`, `IsHook`, `Skip`), its Helm mapping
//! (`pkg/sync/hook/helm/{hook,type}.go`), `pkg/sync/ignore/ignore.go` (`Ignore`),
//! `pkg/sync/reconcile.go` (`splitHooks`) and `pkg/sync/sync_phase.go` (`syncPhases`); and the
//! deletion hooks Argo CD runs itself, outside any sync: `controller/hook.go` (`isHookOfType`,
//! `hasGitOpsEngineSyncPhaseHook`, `executeHooks`) and `controller/state.go`
//! (`partitionTargetObjsForSync`).
//!
//! Hook deletion policies (`hook-delete-policy`) and weights only decide when a hook is deleted or
//! in which order it runs, never whether it is applied, so nothing here reads them.

use std::collections::HashMap;

use crate::yaml::Node;

/// gitops-engine `common.AnnotationKeyHook`.
pub const HOOK_ANNOTATION: &str = "argocd.argoproj.io/hook";
/// The Helm hook annotation gitops-engine and Argo CD read.
pub const HELM_HOOK_ANNOTATION: &str = "helm.sh/hook";

/// gitops-engine `common.HookType`: the only types `common.NewHookType` accepts.
/// `PreDelete` and `PostDelete` are not among them; Argo CD handles those itself ([`DeletionHook`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookType {
    PreSync,
    Sync,
    PostSync,
    SyncFail,
    Skip,
}

impl HookType {
    /// gitops-engine `common.NewHookType`: exact, case-sensitive names.
    pub fn parse(text: &str) -> Option<HookType> {
        match text {
            "PreSync" => Some(HookType::PreSync),
            "Sync" => Some(HookType::Sync),
            "PostSync" => Some(HookType::PostSync),
            "SyncFail" => Some(HookType::SyncFail),
            "Skip" => Some(HookType::Skip),
            _ => None,
        }
    }

    /// A sync phase (`common.SyncPhase`): every type but `Skip`.
    fn is_sync_phase(self) -> bool {
        self != HookType::Skip
    }
}

/// gitops-engine `helm.Type`: the Helm hook types with an Argo CD equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HelmType {
    PreInstall,
    PreUpgrade,
    PostUpgrade,
    PostInstall,
}

impl HelmType {
    /// gitops-engine `helm.NewType`: every other Helm type (`test`, `pre-delete`, `pre-rollback`,
    /// `crd-install`, …) has none.
    fn parse(text: &str) -> Option<HelmType> {
        match text {
            "pre-install" => Some(HelmType::PreInstall),
            "pre-upgrade" => Some(HelmType::PreUpgrade),
            "post-upgrade" => Some(HelmType::PostUpgrade),
            "post-install" => Some(HelmType::PostInstall),
            _ => None,
        }
    }

    /// gitops-engine `helm.Type.HookType`.
    fn hook_type(self) -> HookType {
        match self {
            HelmType::PreInstall | HelmType::PreUpgrade => HookType::PreSync,
            HelmType::PostUpgrade | HelmType::PostInstall => HookType::PostSync,
        }
    }
}

/// `metadata.annotations` as `unstructured.GetAnnotations` returns it: the whole map is ignored
/// (as if absent) when it is not a map or any value is not a string.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Annotations(HashMap<String, String>);

impl Annotations {
    pub fn of(object: &Node) -> Annotations {
        let Some(Ok(serde_json::Value::Object(map))) =
            object.at(&["metadata", "annotations"]).map(Node::to_json)
        else {
            return Annotations::default();
        };
        map.into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k, s)),
                _ => None,
            })
            .collect::<Option<HashMap<_, _>>>()
            .map(Annotations)
            .unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// gitops-engine `resource.GetAnnotationCSVs`: comma-separated values, trimmed, without empty
    /// ones and without repeats, in order. An absent annotation has none.
    fn csvs(&self, key: &str) -> Vec<&str> {
        let mut values: Vec<&str> = Vec::new();
        for value in self.get(key).unwrap_or_default().split(',').map(str::trim) {
            if !value.is_empty() && !values.contains(&value) {
                values.push(value);
            }
        }
        values
    }
}

/// gitops-engine `helm.IsHook`: the annotation is present and is not exactly `crd-install`.
fn helm_is_hook(annotations: &Annotations) -> bool {
    annotations
        .get(HELM_HOOK_ANNOTATION)
        .is_some_and(|value| value != "crd-install")
}

/// gitops-engine `helm.Types`: the Helm types it knows, unknown ones left out.
fn helm_types(annotations: &Annotations) -> Vec<HelmType> {
    annotations
        .csvs(HELM_HOOK_ANNOTATION)
        .into_iter()
        .filter_map(HelmType::parse)
        .collect()
}

/// gitops-engine `hook.Types`: the valid Argo CD types (invalid ones are left out, the valid ones
/// kept); only when there is none, the mapped Helm types.
pub fn types(annotations: &Annotations) -> Vec<HookType> {
    let types: Vec<HookType> = annotations
        .csvs(HOOK_ANNOTATION)
        .into_iter()
        .filter_map(HookType::parse)
        .collect();
    if !types.is_empty() {
        return types;
    }
    helm_types(annotations)
        .into_iter()
        .map(HelmType::hook_type)
        .collect()
}

/// gitops-engine `hook.Skip`: `Skip` is the only type.
pub fn skip(annotations: &Annotations) -> bool {
    let types = types(annotations);
    types.contains(&HookType::Skip) && types.len() == 1
}

/// gitops-engine `hook.IsHook`: with an Argo CD hook annotation (whatever its value), anything
/// but a skipped object; otherwise Helm's rule.
pub fn is_hook(annotations: &Annotations) -> bool {
    if annotations.get(HOOK_ANNOTATION).is_some() {
        return !skip(annotations);
    }
    helm_is_hook(annotations)
}

/// gitops-engine `ignore.Ignore`: a hook without any type gitops-engine knows.
pub fn ignore(annotations: &Annotations) -> bool {
    is_hook(annotations) && types(annotations).is_empty()
}

/// gitops-engine `syncPhases`: a skipped object has none, a hook its sync-phase types, any other
/// object the `Sync` phase.
pub fn sync_phases(annotations: &Annotations) -> Vec<HookType> {
    if skip(annotations) {
        return Vec::new();
    }
    if !is_hook(annotations) {
        return vec![HookType::Sync];
    }
    let mut phases: Vec<HookType> = Vec::new();
    for t in types(annotations) {
        if t.is_sync_phase() && !phases.contains(&t) {
            phases.push(t);
        }
    }
    phases
}

/// Argo CD's own hook types (`controller/hook.go` `HookType`), run when an Application is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionHook {
    PreDelete,
    PostDelete,
}

impl DeletionHook {
    pub const ALL: [DeletionHook; 2] = [DeletionHook::PreDelete, DeletionHook::PostDelete];

    pub fn name(self) -> &'static str {
        match self {
            DeletionHook::PreDelete => "PreDelete",
            DeletionHook::PostDelete => "PostDelete",
        }
    }

    /// `controller/hook.go` `hookTypeAnnotations`: the value each annotation must list.
    fn annotation_values(self) -> [(&'static str, &'static str); 2] {
        match self {
            DeletionHook::PreDelete => [
                (HOOK_ANNOTATION, "PreDelete"),
                (HELM_HOOK_ANNOTATION, "pre-delete"),
            ],
            DeletionHook::PostDelete => [
                (HOOK_ANNOTATION, "PostDelete"),
                (HELM_HOOK_ANNOTATION, "post-delete"),
            ],
        }
    }
}

/// `controller/hook.go` `isHookOfType`: either annotation lists the type's value (comma-separated,
/// trimmed). Unlike `hook.Types`, an Argo CD annotation does not hide the Helm one here.
pub fn is_hook_of_type(annotations: &Annotations, hook: DeletionHook) -> bool {
    hook.annotation_values().iter().any(|(key, wanted)| {
        annotations
            .get(key)
            .is_some_and(|value| value.split(',').any(|item| item.trim() == *wanted))
    })
}

/// `controller/hook.go` `hasGitOpsEngineSyncPhaseHook`: `hook.Types` has a sync phase.
fn has_sync_phase_hook(annotations: &Annotations) -> bool {
    types(annotations).iter().any(|t| t.is_sync_phase())
}

/// `controller/state.go` `partitionTargetObjsForSync`: whether an object goes to the sync. A
/// PreDelete or PostDelete hook goes only if it also has a sync-phase type.
pub fn partition_for_sync(annotations: &Annotations) -> bool {
    let deletion = is_hook_of_type(annotations, DeletionHook::PreDelete)
        || is_hook_of_type(annotations, DeletionHook::PostDelete);
    !deletion || has_sync_phase_hook(annotations)
}

/// What a sync does with an object that survived `NormalizeTargetObjects`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtSync {
    /// A managed resource, applied in the `Sync` phase.
    Resource,
    /// A hook, run (and permission-checked) in its sync phases.
    Hook,
    /// A managed resource with no sync phase (`argocd.argoproj.io/hook: Skip`): never applied.
    Skipped,
    /// Left out by `splitHooks` (`ignore.Ignore`): a hook of no type gitops-engine knows, e.g.
    /// `helm.sh/hook: test`.
    Ignored,
    /// Left out by `partitionTargetObjsForSync`: a PreDelete/PostDelete hook only.
    DeletionOnly,
}

/// Everything Argo CD decides from one object's hook annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handling {
    pub at_sync: AtSync,
    /// Created when the Application is deleted, before its resources are deleted.
    pub pre_delete: bool,
    /// Created when the Application is deleted, after its resources are gone.
    pub post_delete: bool,
}

impl Handling {
    pub const RESOURCE: Handling = Handling {
        at_sync: AtSync::Resource,
        pre_delete: false,
        post_delete: false,
    };

    /// The deletion hook types, in the order Argo CD runs them.
    pub fn deletion_hooks(&self) -> Vec<DeletionHook> {
        deletion_hooks(self.pre_delete, self.post_delete)
    }
}

/// The deletion hooks that are set, in the order Argo CD runs them (PreDelete, then PostDelete).
pub fn deletion_hooks(pre_delete: bool, post_delete: bool) -> Vec<DeletionHook> {
    DeletionHook::ALL
        .into_iter()
        .filter(|h| match h {
            DeletionHook::PreDelete => pre_delete,
            DeletionHook::PostDelete => post_delete,
        })
        .collect()
}

/// One object through `CompareAppState` and the sync, in Argo CD's order:
/// `partitionTargetObjsForSync`, then `splitHooks` (`Ignore`, `IsHook`), then `syncPhases`.
pub fn classify(object: &Node) -> Handling {
    let annotations = Annotations::of(object);
    let at_sync = if !partition_for_sync(&annotations) {
        AtSync::DeletionOnly
    } else if ignore(&annotations) {
        AtSync::Ignored
    } else if sync_phases(&annotations).is_empty() {
        AtSync::Skipped
    } else if is_hook(&annotations) {
        AtSync::Hook
    } else {
        AtSync::Resource
    };
    Handling {
        at_sync,
        pre_delete: is_hook_of_type(&annotations, DeletionHook::PreDelete),
        post_delete: is_hook_of_type(&annotations, DeletionHook::PostDelete),
    }
}

/// The hook annotation that decided, as `key: value`, for messages: the Argo CD one when present.
pub fn hook_annotation(object: &Node) -> Option<String> {
    let annotations = Annotations::of(object);
    [HOOK_ANNOTATION, HELM_HOOK_ANNOTATION]
        .into_iter()
        .find_map(|key| annotations.get(key).map(|value| format!("{key}: {value}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn object(annotations: &str) -> Node {
        let text = format!("kind: Pod\nmetadata:\n  name: p\n  annotations:\n{annotations}");
        parse_documents(&text).unwrap().remove(0).root
    }

    fn of(annotations: &str) -> Annotations {
        Annotations::of(&object(annotations))
    }

    fn at_sync(annotations: &str) -> AtSync {
        classify(&object(annotations)).at_sync
    }

    use HookType::*;

    // unstructured.GetAnnotations (NestedStringMap): a non-string value hides every annotation.
    #[test]
    fn get_annotations_needs_string_values() {
        assert_eq!(of("    a: '1'\n").get("a"), Some("1"));
        assert_eq!(of("    a: 1\n    b: x\n").get("b"), None);
        assert_eq!(of("    a: true\n").get("a"), None);
        assert_eq!(of("    a: ~\n").get("a"), None);
        assert_eq!(of("    - a\n"), Annotations::default());
        assert_eq!(
            at_sync("    helm.sh/hook: test\n    helm.sh/hook-weight: 5\n"),
            AtSync::Resource
        );
    }

    // gitops-engine pkg/sync/resource/annotations.go GetAnnotationCSVs: trim, drop empty, dedupe.
    #[test]
    fn annotation_csvs_trim_drop_empty_and_dedupe() {
        let a = of("    k: ' PreSync , ,Sync,PreSync,'\n");
        assert_eq!(a.csvs("k"), vec!["PreSync", "Sync"]);
        assert!(a.csvs("absent").is_empty());
    }

    // gitops-engine pkg/sync/common/types.go NewHookType: five exact names.
    #[test]
    fn new_hook_type_accepts_five_names() {
        for (text, t) in [
            ("PreSync", PreSync),
            ("Sync", Sync),
            ("PostSync", PostSync),
            ("SyncFail", SyncFail),
            ("Skip", Skip),
        ] {
            assert_eq!(HookType::parse(text), Some(t));
        }
        for text in ["PreDelete", "PostDelete", "presync", "Bogus", ""] {
            assert_eq!(HookType::parse(text), None, "{text}");
        }
    }

    // gitops-engine pkg/sync/hook/helm/type.go NewType + hookTypes: four Helm types map.
    #[test]
    fn helm_types_map_install_and_upgrade_only() {
        assert_eq!(
            types(&of("    helm.sh/hook: pre-install,pre-upgrade\n")),
            vec![PreSync, PreSync]
        );
        assert_eq!(
            types(&of("    helm.sh/hook: post-install, post-upgrade\n")),
            vec![PostSync, PostSync]
        );
        for ignored in [
            "test",
            "test-success",
            "pre-delete",
            "post-delete",
            "pre-rollback",
            "post-rollback",
            "crd-install",
            "something-new",
        ] {
            assert!(
                types(&of(&format!("    helm.sh/hook: {ignored}\n"))).is_empty(),
                "{ignored}"
            );
        }
    }

    // gitops-engine pkg/sync/hook/helm/hook.go IsHook: present and not exactly "crd-install".
    #[test]
    fn helm_is_hook_excludes_only_exact_crd_install() {
        assert!(!helm_is_hook(&of("    team: a\n")));
        assert!(!helm_is_hook(&of("    helm.sh/hook: crd-install\n")));
        assert!(helm_is_hook(&of("    helm.sh/hook: test\n")));
        assert!(helm_is_hook(&of(
            "    helm.sh/hook: crd-install,pre-install\n"
        )));
        assert!(helm_is_hook(&of(
            "    helm.sh/hook: 'crd-install,crd-install'\n"
        )));
        assert!(helm_is_hook(&of("    helm.sh/hook: ''\n")));
    }

    // gitops-engine pkg/sync/hook/hook.go Types: valid Argo CD types win, invalid ones are left out.
    #[test]
    fn types_keep_the_valid_argo_types() {
        assert_eq!(
            types(&of("    argocd.argoproj.io/hook: PreSync,Bogus,PostSync\n")),
            vec![PreSync, PostSync]
        );
        assert_eq!(
            types(&of(
                "    argocd.argoproj.io/hook: Sync\n    helm.sh/hook: pre-install\n"
            )),
            vec![Sync],
            "an Argo CD type hides the Helm types"
        );
    }

    // gitops-engine pkg/sync/hook/hook.go Types: with no valid Argo CD type, the Helm types.
    #[test]
    fn types_fall_back_to_helm_without_a_valid_argo_type() {
        assert_eq!(
            types(&of(
                "    argocd.argoproj.io/hook: PostDelete\n    helm.sh/hook: pre-install\n"
            )),
            vec![PreSync]
        );
        assert_eq!(
            types(&of(
                "    argocd.argoproj.io/hook: ''\n    helm.sh/hook: post-install\n"
            )),
            vec![PostSync]
        );
        assert!(types(&of("    team: a\n")).is_empty());
    }

    // gitops-engine pkg/sync/hook/hook.go Skip: Skip and nothing else.
    #[test]
    fn skip_only_when_skip_is_the_only_type() {
        assert!(skip(&of("    argocd.argoproj.io/hook: Skip\n")));
        assert!(skip(&of("    argocd.argoproj.io/hook: Skip,Bogus\n")));
        assert!(skip(&of("    argocd.argoproj.io/hook: Skip, Skip\n")));
        assert!(!skip(&of("    argocd.argoproj.io/hook: Skip,PreSync\n")));
        assert!(!skip(&of("    argocd.argoproj.io/hook: PreSync\n")));
        assert!(!skip(&of("    team: a\n")));
    }

    // gitops-engine pkg/sync/hook/hook.go IsHook: Argo CD annotation → not skipped; else Helm's.
    #[test]
    fn is_hook_branches() {
        assert!(is_hook(&of("    argocd.argoproj.io/hook: PreSync\n")));
        assert!(is_hook(&of("    argocd.argoproj.io/hook: Bogus\n")));
        assert!(!is_hook(&of("    argocd.argoproj.io/hook: Skip\n")));
        assert!(
            !is_hook(&of(
                "    argocd.argoproj.io/hook: Skip\n    helm.sh/hook: pre-install\n"
            )),
            "a Skip Argo CD annotation hides the Helm hook"
        );
        assert!(is_hook(&of("    helm.sh/hook: test\n")));
        assert!(!is_hook(&of("    helm.sh/hook: crd-install\n")));
        assert!(!is_hook(&of("    team: a\n")));
    }

    // gitops-engine pkg/sync/ignore/ignore.go Ignore: a hook without types.
    #[test]
    fn ignore_is_a_hook_without_types() {
        assert!(ignore(&of("    helm.sh/hook: test\n")));
        assert!(ignore(&of("    argocd.argoproj.io/hook: Bogus\n")));
        assert!(!ignore(&of(
            "    argocd.argoproj.io/hook: Bogus\n    helm.sh/hook: post-install\n"
        )));
        assert!(
            !ignore(&of("    argocd.argoproj.io/hook: Skip\n")),
            "not a hook"
        );
        assert!(
            !ignore(&of("    helm.sh/hook: crd-install\n")),
            "not a hook"
        );
    }

    // gitops-engine pkg/sync/sync_phase.go syncPhases: Skip → none; hook → its phases; else Sync.
    #[test]
    fn sync_phases_branches() {
        assert!(sync_phases(&of("    argocd.argoproj.io/hook: Skip\n")).is_empty());
        assert_eq!(
            sync_phases(&of("    argocd.argoproj.io/hook: Skip,PostSync,SyncFail\n")),
            vec![PostSync, SyncFail]
        );
        assert_eq!(
            sync_phases(&of("    helm.sh/hook: pre-install,pre-upgrade\n")),
            vec![PreSync]
        );
        assert_eq!(sync_phases(&of("    team: a\n")), vec![Sync]);
    }

    // controller/hook.go isHookOfType: either annotation; the Argo CD one does not hide Helm's.
    #[test]
    fn is_hook_of_type_reads_both_annotations() {
        use DeletionHook::*;
        let a = of("    argocd.argoproj.io/hook: PreSync, PostDelete\n");
        assert!(is_hook_of_type(&a, PostDelete) && !is_hook_of_type(&a, PreDelete));
        let a = of("    argocd.argoproj.io/hook: PreSync\n    helm.sh/hook: pre-delete\n");
        assert!(is_hook_of_type(&a, PreDelete));
        let a = of("    helm.sh/hook: post-delete,post-install\n");
        assert!(is_hook_of_type(&a, PostDelete));
        assert!(!is_hook_of_type(
            &of("    argocd.argoproj.io/hook: postdelete\n"),
            PostDelete
        ));
        assert!(!is_hook_of_type(&of("    team: a\n"), PreDelete));
    }

    // controller/state.go partitionTargetObjsForSync (with hasGitOpsEngineSyncPhaseHook): a
    // deletion hook goes to the sync only with a sync-phase type; Skip is none.
    #[test]
    fn partition_for_sync_branches() {
        assert!(partition_for_sync(&of("    team: a\n")));
        assert!(!partition_for_sync(&of(
            "    argocd.argoproj.io/hook: PostDelete\n"
        )));
        assert!(!partition_for_sync(&of("    helm.sh/hook: pre-delete\n")));
        assert!(!partition_for_sync(&of(
            "    argocd.argoproj.io/hook: Skip,PreDelete\n"
        )));
        assert!(partition_for_sync(&of(
            "    argocd.argoproj.io/hook: PreSync,PostDelete\n"
        )));
        assert!(partition_for_sync(&of(
            "    helm.sh/hook: post-delete,post-install\n"
        )));
    }

    // The chain CompareAppState → splitHooks → getSyncTasks, one case per outcome.
    #[test]
    fn classify_in_argo_order() {
        assert_eq!(at_sync("    team: a\n"), AtSync::Resource);
        assert_eq!(at_sync("    helm.sh/hook: crd-install\n"), AtSync::Resource);
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: PreSync\n"),
            AtSync::Hook
        );
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: PreSync,NotAHook\n"),
            AtSync::Hook,
            "a partly invalid list keeps its valid types"
        );
        assert_eq!(
            at_sync("    helm.sh/hook: test,post-install\n"),
            AtSync::Hook
        );
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: Skip\n"),
            AtSync::Skipped
        );
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: Skip,Bogus\n"),
            AtSync::Skipped
        );
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: Skip,Sync\n"),
            AtSync::Hook
        );
        assert_eq!(at_sync("    helm.sh/hook: test\n"), AtSync::Ignored);
        assert_eq!(at_sync("    helm.sh/hook: pre-rollback\n"), AtSync::Ignored);
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: NotAHook\n"),
            AtSync::Ignored
        );
        assert_eq!(
            at_sync("    helm.sh/hook: post-delete\n"),
            AtSync::DeletionOnly
        );
        assert_eq!(
            at_sync("    argocd.argoproj.io/hook: PreDelete\n"),
            AtSync::DeletionOnly
        );
        let both = classify(&object("    argocd.argoproj.io/hook: PreSync,PostDelete\n"));
        assert_eq!(
            (both.at_sync, both.pre_delete, both.post_delete),
            (AtSync::Hook, false, true)
        );
        assert_eq!(
            classify(&object(
                "    argocd.argoproj.io/hook: PreDelete,PostDelete\n"
            ))
            .deletion_hooks(),
            vec![DeletionHook::PreDelete, DeletionHook::PostDelete]
        );
    }

    #[test]
    fn hook_annotation_prefers_argo() {
        assert_eq!(
            hook_annotation(&object(
                "    helm.sh/hook: test\n    argocd.argoproj.io/hook: Skip\n"
            ))
            .as_deref(),
            Some("argocd.argoproj.io/hook: Skip")
        );
        assert_eq!(
            hook_annotation(&object("    helm.sh/hook: test\n")).as_deref(),
            Some("helm.sh/hook: test")
        );
        assert_eq!(hook_annotation(&object("    team: a\n")), None);
    }
}

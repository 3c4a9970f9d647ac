//! Which rendered objects Argo CD syncs, following gitops-engine `pkg/sync/hook` and its Helm
//! mapping (`pkg/sync/hook/helm`).

use crate::yaml::Node;

/// What Argo CD does with a rendered object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookHandling {
    /// A normal resource.
    Resource,
    /// A hook Argo CD runs (and permission-checks): PreSync, PostSync, deletion hooks...
    Hook,
    /// Never synced and never checked: Helm `test`/`test-success`/`pre-rollback`/unknown hook types,
    /// or an invalid `argocd.argoproj.io/hook` value.
    Dropped,
}

const ARGO_HOOK_TYPES: &[&str] = &[
    "PreSync",
    "Sync",
    "PostSync",
    "SyncFail",
    "PreDelete",
    "PostDelete",
    "Skip",
];

/// Helm hook types Argo CD maps to its own phases; `crd-install` is a plain resource.
const HELM_HOOK_TYPES: &[&str] = &[
    "pre-install",
    "pre-upgrade",
    "post-install",
    "post-upgrade",
    "pre-delete",
    "post-delete",
];

pub fn classify(object: &Node) -> HookHandling {
    let annotations = object.at(&["metadata", "annotations"]);
    let annotation = |key: &str| annotations.and_then(|a| a.get(key)).and_then(Node::as_str);
    let csv = |value: &str| {
        value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };

    // An Argo CD hook annotation makes Helm's irrelevant.
    if let Some(value) = annotation("argocd.argoproj.io/hook") {
        let types = csv(value);
        return if !types.is_empty() && types.iter().all(|t| ARGO_HOOK_TYPES.contains(&t.as_str())) {
            HookHandling::Hook
        } else {
            HookHandling::Dropped
        };
    }
    match annotation("helm.sh/hook") {
        None => HookHandling::Resource,
        Some(value) => {
            let types = csv(value);
            if types.iter().all(|t| t == "crd-install") && !types.is_empty() {
                HookHandling::Resource
            } else if types.iter().any(|t| HELM_HOOK_TYPES.contains(&t.as_str())) {
                HookHandling::Hook
            } else {
                HookHandling::Dropped
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn with_annotations(annotations: &str) -> HookHandling {
        let text = format!("kind: Pod\nmetadata:\n  name: p\n  annotations:\n{annotations}");
        classify(&parse_documents(&text).unwrap()[0].root)
    }

    #[test]
    fn helm_test_hooks_are_dropped() {
        assert_eq!(
            with_annotations("    helm.sh/hook: test\n"),
            HookHandling::Dropped
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: test-success\n"),
            HookHandling::Dropped
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: pre-rollback\n"),
            HookHandling::Dropped
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: something-new\n"),
            HookHandling::Dropped
        );
    }

    #[test]
    fn helm_install_hooks_are_checked() {
        assert_eq!(
            with_annotations("    helm.sh/hook: pre-install,pre-upgrade\n"),
            HookHandling::Hook
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: post-install\n"),
            HookHandling::Hook
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: post-delete\n"),
            HookHandling::Hook
        );
        assert_eq!(
            with_annotations("    helm.sh/hook: crd-install\n"),
            HookHandling::Resource
        );
    }

    #[test]
    fn argo_hooks_override_helm_hooks() {
        assert_eq!(
            with_annotations("    argocd.argoproj.io/hook: PreSync\n"),
            HookHandling::Hook
        );
        assert_eq!(
            with_annotations("    argocd.argoproj.io/hook: PreSync\n    helm.sh/hook: test\n"),
            HookHandling::Hook
        );
        assert_eq!(
            with_annotations("    argocd.argoproj.io/hook: NotAHook\n"),
            HookHandling::Dropped
        );
    }

    #[test]
    fn plain_objects_are_resources() {
        assert_eq!(with_annotations("    team: a\n"), HookHandling::Resource);
    }
}

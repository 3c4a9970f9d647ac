//! # missing-namespace
//!
//! ## What it does
//! Reports an Application whose destination has no `namespace` while it renders namespaced
//! objects that set no `metadata.namespace` either. Argo CD then has no namespace to put them in
//! and marks the Application invalid with `Namespace for <name> <kind> is missing.` The finding
//! points at the Application's `destination:` (for generated Applications, at the
//! ApplicationSet template's) and lists the objects; cluster-scoped objects and objects that name
//! their own namespace are fine, and so are kinds whose scope is unknown (Argo CD raises nothing
//! for them; `unknown-resource-scope` reports those). Hooks are not checked (Argo CD keeps them
//! apart), `argocd.argoproj.io/hook: Skip` objects are.
//!
//! ## Why is this bad?
//! The Application never syncs: Argo CD reports an `InvalidSpecError` condition instead of
//! applying anything, so the preview stays empty while the pull request looks green.
//!
//! ## Example
//! ```yaml
//! spec:
//!   destination:
//!     server: https://kubernetes.default.svc
//!     # no namespace: the chart's Deployment has nowhere to go
//! ```
//!
//! ## How to fix
//! Set `spec.destination.namespace` (the usual fix: objects then follow it), or give each
//! namespaced object its own `metadata.namespace`.
//!
//! ## Reference
//! Argo CD `controller/state.go`: `NormalizeTargetObjects` gives namespaced (or unknown) objects
//! without a namespace the destination's; `CompareAppState` then adds the `InvalidSpecError`
//! condition for every object whose kind discovery calls namespaced and whose namespace is
//! still empty.

use super::{Code, Context, Meta};
use crate::argo::scope::Scope;
use crate::diagnostic::{Finding, Severity};
use crate::inventory::RenderedObject;

pub const META: Meta = Meta {
    code: Code::MissingNamespace,
    severity: Severity::Error,
    summary: "namespaced objects have no namespace: neither the object nor the destination sets one",
};

/// How many objects a message names before it says "and N more".
const NAMED: usize = 3;

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, app) in ctx.apps.iter().enumerate() {
        // CompareAppState checks its targets: no hooks, but Skip objects.
        let homeless: Vec<&RenderedObject> = super::support::objects_of(ctx, index)
            .chain(ctx.inventory.skipped.iter().filter(|o| o.app == index))
            .filter(|object| raises_condition(object))
            .collect();
        let Some(first) = homeless.first() else {
            continue;
        };
        let mut names: Vec<String> = homeless
            .iter()
            .take(NAMED)
            .map(|o| format!("{} {}", o.kind, o.name))
            .collect();
        if homeless.len() > NAMED {
            names.push(format!("{} more", homeless.len() - NAMED));
        }
        let mut finding = Finding::new(
            META.code,
            META.severity,
            format!(
                "Application {} has no destination namespace, and {} set{} none: Argo CD reports \"Namespace for {} {} is missing.\" and syncs nothing",
                app.name,
                names.join(", "),
                if homeless.len() == 1 { "s" } else { "" },
                first.name,
                first.kind,
            ),
            app.destination_location.clone(),
        )
        .app(&app.name)
        .project(app.project_name())
        .help("set spec.destination.namespace, or metadata.namespace on each namespaced object");
        for object in homeless.iter().take(NAMED) {
            finding = finding.related(
                format!("{} {}", object.kind, object.name),
                object.origin.clone(),
            );
        }
        findings.push(finding);
    }
    super::support::merge_same_line(findings)
}

/// The branch of `CompareAppState` that raises the condition: discovery knows the kind as
/// namespaced (an unknown kind raises nothing) and the namespace is empty after
/// `NormalizeTargetObjects` defaulted it to the destination's.
fn lacks_namespace(object: &RenderedObject) -> bool {
    object.scope == Some(Scope::Namespaced) && object.namespace.is_empty()
}

/// The loop that raises it runs over `reconciliation.Target`: the kept copies that are no hooks,
/// `Skip` objects included (gitops-engine `splitHooks` put the hooks apart).
fn raises_condition(object: &RenderedObject) -> bool {
    object.is_target() && lacks_namespace(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::yaml::Node;
    use std::path::Path;

    fn object(scope: Option<Scope>, namespace: &str) -> RenderedObject {
        RenderedObject {
            app: 0,
            source: 0,
            api_version: "v1".into(),
            group: String::new(),
            kind: "ConfigMap".into(),
            name: "c".into(),
            namespace: namespace.into(),
            explicit_namespace: None,
            generate_name: false,
            scope,
            handling: crate::argo::hooks::Handling::RESOURCE,
            applied: crate::inventory::Applied::SYNCED,
            kept: true,
            rank: 0,
            origin: Location::file_start(Path::new("/t.yaml").into()),
            digest: 0,
            node: Node::scalar(""),
        }
    }

    /// `controller/state.go` `CompareAppState`: `isNamespaced && obj.GetNamespace() == ""`.
    #[test]
    fn only_known_namespaced_kinds_without_namespace() {
        assert!(lacks_namespace(&object(Some(Scope::Namespaced), "")));
        assert!(!lacks_namespace(&object(Some(Scope::Namespaced), "web")));
        // Cluster-scoped: NormalizeTargetObjects clears the namespace; nothing is missing.
        assert!(!lacks_namespace(&object(Some(Scope::Cluster), "")));
        // IsNamespaced returns an error for an unknown kind: isNamespaced is false.
        assert!(!lacks_namespace(&object(None, "")));
    }

    /// `controller/state.go` `CompareAppState` loops over `reconciliation.Target`: gitops-engine
    /// `splitHooks` took the hooks out, Skip objects stay in.
    #[test]
    fn hooks_are_not_targets_but_skip_objects_are() {
        use crate::argo::hooks::{AtSync, Handling};
        let with = |at_sync| RenderedObject {
            handling: Handling {
                at_sync,
                ..Handling::RESOURCE
            },
            ..object(Some(Scope::Namespaced), "")
        };
        assert!(raises_condition(&with(AtSync::Resource)));
        assert!(raises_condition(&with(AtSync::Skipped)));
        assert!(!raises_condition(&with(AtSync::Hook)));
        assert!(!raises_condition(&with(AtSync::DeletionOnly)));
        let overridden = RenderedObject {
            kept: false,
            ..object(Some(Scope::Namespaced), "")
        };
        assert!(!raises_condition(&overridden), "an overridden copy");
    }
}

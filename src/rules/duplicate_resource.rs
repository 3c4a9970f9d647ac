//! # duplicate-resource
//!
//! ## What it does
//! Finds two rendered objects with the same identity — API group, kind, namespace (after Argo CD's
//! namespace defaulting) and name; the version is not part of it, `generateName` objects never
//! collide — either within one Application (two sources, or one source rendering it twice) or in
//! two Applications deployed to the same cluster. The finding points at the later copy, the one
//! that wins, names both origins and says whether the copies are identical.
//!
//! ## Why is this bad?
//! Within one Application, Argo CD keeps only the last copy and raises `RepeatedResourceWarning`:
//! a differing copy is a silent override ("last source wins"), which the preview spec (§4) forbids
//! relying on and its Phase 7 asks CI to fail on. Across Applications, `FailOnSharedResource=true`
//! (§7.3) makes the second sync fail; without it the two Applications overwrite each other on every
//! sync.
//!
//! ## Example
//! ```yaml
//! sources:
//!   - path: sources/charts/apps/web        # renders ConfigMap web-settings
//!   - path: sources/overlays/web-settings  # renders ConfigMap web-settings too
//! ```
//!
//! ## How to fix
//! Render each object from exactly one source of one Application: delete the extra copy, or give
//! one of them another name. The help names the file and `kind:` line of both copies.
//!
//! ## Reference
//! Argo CD `controller/state.go` (`DeduplicateTargetObjects`, `RepeatedResourceWarning`, key
//! `group/kind/namespace/name`), `controller/sync.go` (`FailOnSharedResource`); preview spec §4,
//! §7.3, Phase 7.

use std::collections::HashMap;

use super::{Code, Context, Meta};
use crate::appset::generators::IN_CLUSTER_SERVER;
use crate::argo::application::Application;
use crate::diagnostic::{Finding, Severity};
use crate::inventory::RenderedObject;

pub const META: Meta = Meta {
    code: Code::DuplicateResource,
    severity: Severity::Error,
    summary: "two rendered objects share one resource identity",
};

/// The cluster an Application deploys to, so that `in-cluster` and its URL compare equal.
pub fn cluster_key(app: &Application) -> String {
    match (&app.destination.server, &app.destination.name) {
        (Some(server), _) if !server.is_empty() => server.trim_end_matches('/').to_string(),
        (_, Some(name)) if name == "in-cluster" => IN_CLUSTER_SERVER.to_string(),
        (_, Some(name)) => format!("name:{name}"),
        _ => String::new(),
    }
}

type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut order: Vec<usize> = (0..ctx.inventory.objects.len()).collect();
    // Argo CD processes sources in order; within a source, render order.
    order.sort_by_key(|&i| {
        let o = &ctx.inventory.objects[i];
        (o.app, o.source, i)
    });
    let mut seen: HashMap<(String, Identity), usize> = HashMap::new();
    let mut findings = Vec::new();
    for i in order {
        let object = &ctx.inventory.objects[i];
        if object.generate_name || object.name.is_empty() {
            continue;
        }
        let key = (cluster_key(&ctx.apps[object.app]), object.identity());
        if let Some(previous) = seen.insert(key, i) {
            findings.push(finding(ctx, &ctx.inventory.objects[previous], object));
        }
    }
    findings
}

fn finding(ctx: &Context, first: &RenderedObject, later: &RenderedObject) -> Finding {
    let app = &ctx.apps[later.app];
    let copies = if first.digest == later.digest {
        "the copies are identical"
    } else {
        "the copies differ, so the earlier one is silently overridden"
    };
    let identity = later.display_identity();
    let at = |o: &RenderedObject| format!("{}:{}", o.origin.display_path(), o.origin.line);
    let (message, help) = if first.app == later.app {
        let sources = if first.source == later.source {
            format!("source #{} renders it twice", later.source)
        } else {
            format!(
                "sources #{} and #{} both render it",
                first.source, later.source
            )
        };
        (
            format!(
                "{identity} is rendered twice in Application {}: {sources}; Argo CD keeps the last copy (RepeatedResourceWarning) and {copies}",
                app.name
            ),
            format!(
                "render {kind} {name} once: delete the copy whose `kind:` is at {} (overridden) or the one at {} (kept), or change metadata.name of one of them",
                at(first),
                at(later),
                kind = later.kind,
                name = later.name
            ),
        )
    } else {
        (
            format!(
                "{identity} is rendered by Application {} and by Application {} on the same cluster; {copies}. With FailOnSharedResource=true the second sync fails, without it the two Applications overwrite each other",
                ctx.apps[first.app].name, app.name
            ),
            format!(
                "render {kind} {name} in one Application only: delete it from Application {} (the object whose `kind:` is at {}) or from Application {} (at {}), or change metadata.name of one of them",
                app.name,
                at(later),
                ctx.apps[first.app].name,
                at(first),
                kind = later.kind,
                name = later.name
            ),
        )
    };
    Finding::new(META.code, META.severity, message, later.origin.clone())
        .app(&app.name)
        .project(app.project_name())
        .related(
            format!(
                "first copy, Application {} source #{}",
                ctx.apps[first.app].name, first.source
            ),
            first.origin.clone(),
        )
        .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argo::project::AppProject;
    use crate::argo::scope::{Scope, group_of};
    use crate::diagnostic::Location;
    use crate::inventory::Inventory;
    use crate::yaml::parse_documents;
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::Arc;

    fn app(name: &str, namespace: &str, destination: &str) -> Application {
        let text = format!(
            "metadata:\n  name: {name}\nspec:\n  project: p\n  destination:\n    {destination}\n    namespace: {namespace}\n  source:\n    repoURL: https://x/y\n    path: .\n"
        );
        Application::from_node(
            &Arc::from(Path::new("/a.yaml")),
            &parse_documents(&text).unwrap()[0].root,
        )
        .unwrap()
    }

    fn object(
        app: usize,
        source: usize,
        api: &str,
        kind: &str,
        ns: &str,
        name: &str,
        digest: u64,
    ) -> RenderedObject {
        RenderedObject {
            app,
            source,
            api_version: api.into(),
            group: group_of(api).into(),
            kind: kind.into(),
            name: name.into(),
            namespace: ns.into(),
            explicit_namespace: None,
            generate_name: false,
            scope: Some(Scope::Namespaced),
            hook: false,
            origin: Location::file_start(Arc::from(Path::new("/t.yaml"))),
            digest,
            node: crate::yaml::Node::scalar(""),
        }
    }

    fn run(apps: &[Application], objects: Vec<RenderedObject>) -> Vec<Finding> {
        let inventory = Inventory {
            objects,
            dropped: 0,
        };
        let projects: Vec<AppProject> = Vec::new();
        let checked = BTreeSet::new();
        check(&Context {
            apps,
            every_application: apps,
            projects: &projects,
            inventory: &inventory,
            fully_checked_projects: &checked,
            external_projects: &[],
            pinned_namespaces: &[],
            clusters: &[],
            profile: &Default::default(),
            application_sets: &[],
            pr: &Default::default(),
            jobs: &[],
            overlays: &[],
            sources: &Default::default(),
        })
    }

    #[test]
    fn same_identity_across_sources_collides_and_versions_do_not_matter() {
        let apps = [app("a", "ns", "server: https://kubernetes.default.svc")];
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                object(0, 1, "v1", "ConfigMap", "ns", "c", 2),
                object(
                    0,
                    0,
                    "autoscaling/v1",
                    "HorizontalPodAutoscaler",
                    "ns",
                    "h",
                    3,
                ),
                object(
                    0,
                    1,
                    "autoscaling/v2",
                    "HorizontalPodAutoscaler",
                    "ns",
                    "h",
                    3,
                ),
            ],
        );
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("/ConfigMap/ns/c"));
        assert!(found[0].message.contains("differ"));
        assert!(found[1].message.contains("identical"));
    }

    #[test]
    fn namespaces_groups_and_generate_name_keep_objects_apart() {
        let apps = [app("a", "ns", "server: https://kubernetes.default.svc")];
        let mut generated = object(0, 1, "batch/v1", "Job", "ns", "", 1);
        generated.generate_name = true;
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "one", "c", 1),
                object(0, 0, "v1", "ConfigMap", "two", "c", 1),
                object(0, 0, "networking.k8s.io/v1", "Ingress", "ns", "i", 1),
                object(0, 1, "extensions/v1beta1", "Ingress", "ns", "i", 1),
                object(0, 0, "batch/v1", "Job", "ns", "", 1),
                generated,
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn two_applications_on_one_cluster_collide_but_not_across_clusters() {
        let apps = [
            app("a", "ns", "server: https://kubernetes.default.svc"),
            app("b", "ns", "name: in-cluster"),
            app("c", "ns", "server: https://other.example.com"),
        ];
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                object(1, 0, "v1", "ConfigMap", "ns", "c", 1),
                object(2, 0, "v1", "ConfigMap", "ns", "c", 1),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("Application a and by Application b")
        );
    }
}

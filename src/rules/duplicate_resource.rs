//! # duplicate-resource
//!
//! ## What it does
//! Finds two rendered objects with the same identity — API group, kind, namespace (after Argo CD's
//! namespace defaulting) and name; the version is not part of it, `generateName` objects never
//! collide — either within one Application (two sources, or one source rendering it twice) or in
//! two Applications deployed to the same cluster. The finding points at the later copy, the one
//! that wins, names both origins and says whether the copies are identical.
//!
//! Within an Application every copy counts, hooks included: Argo CD resolves duplicates before it
//! separates hooks, so a later `argocd.argoproj.io/hook: Skip` or Helm `test` copy replaces the
//! resource and then is not applied either; the finding says so. Across Applications only what is
//! applied counts; a PreDelete/PostDelete hook is created when its Application is deleted, and the
//! finding says that too.
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
//! Argo CD `controller/state.go` (`NormalizeTargetObjects`, `RepeatedResourceWarning`, key
//! `group/kind/namespace/name`), `controller/hook.go` (`executeHooks`), `controller/sync.go`
//! (`FailOnSharedResource`); preview spec §4, §7.3, Phase 7.

use std::collections::HashMap;

use super::{Code, Context, Meta};
use crate::appset::generators::IN_CLUSTER_SERVER;
use crate::argo::application::Application;
use crate::argo::cluster::{Cluster, get_destination_cluster};
use crate::argo::hooks::AtSync;
use crate::diagnostic::{Finding, Severity};
use crate::inventory::RenderedObject;

pub const META: Meta = Meta {
    code: Code::DuplicateResource,
    severity: Severity::Error,
    summary: "two rendered objects share one resource identity",
};

/// The cluster an Application deploys to, so that a cluster's name and its URL compare equal: its
/// server as `GetDestinationCluster` resolves it, else (destination-not-permitted reports it) the
/// destination as written.
pub fn cluster_key(app: &Application, clusters: &[Cluster], in_cluster_enabled: bool) -> String {
    if let Ok(cluster) = get_destination_cluster(
        app.destination.server.as_deref(),
        app.destination.name.as_deref(),
        clusters,
        in_cluster_enabled,
    ) {
        return cluster.url().to_string();
    }
    match (&app.destination.server, &app.destination.name) {
        (Some(server), _) if !server.is_empty() => server.trim_end_matches('/').to_string(),
        (_, Some(name)) if name == "in-cluster" => IN_CLUSTER_SERVER.to_string(),
        (_, Some(name)) => format!("name:{name}"),
        _ => String::new(),
    }
}

type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Within one Application: what NormalizeTargetObjects found repeated, hooks and objects a sync
    // leaves out included (it runs before they are separated).
    for copies in &ctx.inventory.repeated {
        let kept = copies.last().expect("a repeated identity has copies");
        for pair in copies.windows(2) {
            findings.push(within_application(ctx, &pair[0], &pair[1], kept));
        }
    }
    // Across Applications on one cluster: what each of them applies.
    let mut order: Vec<usize> = (0..ctx.inventory.objects.len()).collect();
    // Argo CD processes sources in order; within a source, render order.
    order.sort_by_key(|&i| {
        let o = &ctx.inventory.objects[i];
        (o.app, o.source, i)
    });
    let mut seen: HashMap<(String, Identity), usize> = HashMap::new();
    for i in order {
        let object = &ctx.inventory.objects[i];
        if object.generate_name || object.name.is_empty() {
            continue;
        }
        let key = (
            cluster_key(&ctx.apps[object.app], ctx.clusters, ctx.in_cluster_enabled),
            object.identity(),
        );
        if let Some(previous) = seen.insert(key, i) {
            let previous = &ctx.inventory.objects[previous];
            // Within one Application only a deletion hook and the synced copy can both be here;
            // the repeated identity is reported above.
            if previous.app != object.app {
                findings.push(across_applications(ctx, previous, object));
            }
        }
    }
    findings
}

fn copies(first: &RenderedObject, later: &RenderedObject) -> &'static str {
    if first.digest == later.digest {
        "the copies are identical"
    } else {
        "the copies differ, so the earlier one is silently overridden"
    }
}

fn at(o: &RenderedObject) -> String {
    format!("{}:{}", o.origin.display_path(), o.origin.line)
}

/// Why Argo CD applies nothing of the copy it keeps at sync, if so.
fn not_synced(kept: &RenderedObject) -> Option<String> {
    if kept.applied.at_sync {
        return None;
    }
    let annotation = crate::argo::hooks::hook_annotation(&kept.node).unwrap_or_default();
    Some(match kept.handling.at_sync {
        AtSync::Skipped => format!(
            "the copy it keeps is marked `{annotation}`, which Argo CD never applies, so no copy is synced"
        ),
        AtSync::Ignored => format!(
            "the copy it keeps is a hook of no type Argo CD runs (`{annotation}`), which it ignores, so no copy is synced"
        ),
        _ => match kept.deletion_only() {
            Some(hook) => format!(
                "the copy it keeps is a {hook} hook, which Argo CD creates only when the Application is deleted, so no copy is synced"
            ),
            None => "no copy is synced".to_string(),
        },
    })
}

fn within_application(
    ctx: &Context,
    first: &RenderedObject,
    later: &RenderedObject,
    kept: &RenderedObject,
) -> Finding {
    let app = &ctx.apps[later.app];
    let identity = later.display_identity();
    let sources = if first.source == later.source {
        format!("source #{} renders it twice", later.source)
    } else {
        format!(
            "sources #{} and #{} both render it",
            first.source, later.source
        )
    };
    let mut message = format!(
        "{identity} is rendered twice in Application {}: {sources}; Argo CD keeps the last copy (RepeatedResourceWarning) and {}",
        app.name,
        copies(first, later)
    );
    if std::ptr::eq(later, kept) {
        if let Some(why) = not_synced(kept) {
            message.push_str(&format!("; {why}"));
        }
    }
    // executeHooks reads the objects as rendered: an overridden deletion hook is still created.
    if let Some(hook) = first.deletion_only() {
        message.push_str(&format!(
            "; the earlier copy is a {hook} hook, which Argo CD still creates when the Application is deleted"
        ));
    }
    let help = format!(
        "render {kind} {name} once: delete the copy whose `kind:` is at {} (overridden) or the one at {} (kept), or change metadata.name of one of them",
        at(first),
        at(later),
        kind = later.kind,
        name = later.name
    );
    finish(ctx, first, later, message, help)
}

fn across_applications(ctx: &Context, first: &RenderedObject, later: &RenderedObject) -> Finding {
    let app = &ctx.apps[later.app];
    let first_app = &ctx.apps[first.app].name;
    let identity = later.display_identity();
    let consequence = match (first.deletion_only(), later.deletion_only()) {
        (None, None) => "With FailOnSharedResource=true the second sync fails, without it the two Applications overwrite each other".to_string(),
        (first_role, later_role) => [(first_app, first_role), (&app.name, later_role)]
            .into_iter()
            .filter_map(|(name, hook)| {
                hook.map(|hook| format!("Application {name}'s copy is a {hook} hook: Argo CD creates it when that Application is deleted, and skips it if the object exists then"))
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    let message = format!(
        "{identity} is rendered by Application {first_app} and by Application {} on the same cluster; {}. {consequence}",
        app.name,
        copies(first, later)
    );
    let help = format!(
        "render {kind} {name} in one Application only: delete it from Application {} (the object whose `kind:` is at {}) or from Application {first_app} (at {}), or change metadata.name of one of them",
        app.name,
        at(later),
        at(first),
        kind = later.kind,
        name = later.name
    );
    finish(ctx, first, later, message, help)
}

fn finish(
    ctx: &Context,
    first: &RenderedObject,
    later: &RenderedObject,
    message: String,
    help: String,
) -> Finding {
    let app = &ctx.apps[later.app];
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
    use crate::argo::hooks::Handling;
    use crate::argo::project::AppProject;
    use crate::argo::scope::{Scope, group_of};
    use crate::diagnostic::Location;
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
            handling: Handling::RESOURCE,
            applied: Default::default(),
            kept: true,
            rank: 0,
            origin: Location::file_start(Arc::from(Path::new("/t.yaml"))),
            digest,
            node: crate::yaml::Node::scalar(""),
        }
    }

    /// The object with these `metadata:` lines (annotations, generateName).
    fn with_metadata(mut object: RenderedObject, metadata: &str) -> RenderedObject {
        object.node = parse_documents(&format!("metadata:\n{metadata}"))
            .unwrap()
            .remove(0)
            .root;
        object.handling = crate::argo::hooks::classify(&object.node);
        object
    }

    fn hook(object: RenderedObject, value: &str) -> RenderedObject {
        with_metadata(object, &format!("  annotations:\n    {value}\n"))
    }

    fn run(apps: &[Application], objects: Vec<RenderedObject>) -> Vec<Finding> {
        run_on(apps, objects, &[])
    }

    fn run_on(
        apps: &[Application],
        objects: Vec<RenderedObject>,
        clusters: &[Cluster],
    ) -> Vec<Finding> {
        let inventory = crate::inventory::resolve(objects, apps);
        let projects: Vec<AppProject> = Vec::new();
        let checked = BTreeSet::new();
        check(&Context {
            apps,
            every_application: apps,
            projects: &projects,
            inventory: &inventory,
            fully_checked_projects: &checked,
            external_projects: &[],
            refused_projects: &[],
            pinned_namespaces: &[],
            clusters,
            in_cluster_enabled: true,
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
        let mut generated = with_metadata(
            object(0, 1, "batch/v1", "Job", "ns", "", 1),
            "  generateName: j-\n",
        );
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

    /// `GetDestinationCluster`: a declared cluster named by name and by its server is one cluster.
    #[test]
    fn a_cluster_by_name_and_by_server_is_one_cluster() {
        let apps = [
            app("a", "ns", "name: staging"),
            app("b", "ns", "server: https://staging.example.com"),
        ];
        let objects = || {
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                object(1, 0, "v1", "ConfigMap", "ns", "c", 1),
            ]
        };
        let staging = [Cluster::new("staging", "https://staging.example.com/")];
        assert_eq!(run_on(&apps, objects(), &staging).len(), 1);
        assert!(
            run(&apps, objects()).is_empty(),
            "undeclared: compared as written"
        );
    }

    // controller/state.go NormalizeTargetObjects: an object with neither name nor generateName is
    // keyed by the empty name, so two of them are one resource.
    #[test]
    fn nameless_objects_collide_within_an_application() {
        let apps = [app("a", "ns", "server: https://kubernetes.default.svc")];
        let found = run(
            &apps,
            vec![
                object(0, 0, "batch/v1", "Job", "ns", "", 1),
                object(0, 0, "batch/v1", "Job", "ns", "", 1),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("batch/Job/ns/ is rendered twice"));
    }

    // controller/state.go CompareAppState: NormalizeTargetObjects runs before the hooks are
    // separated, so a later Skip or Helm test copy is what Argo CD keeps, and then leaves out.
    #[test]
    fn a_later_copy_that_is_left_out_hides_the_resource() {
        let apps = [app("a", "ns", "server: https://kubernetes.default.svc")];
        for (value, why) in [
            (
                "argocd.argoproj.io/hook: Skip",
                "the copy it keeps is marked `argocd.argoproj.io/hook: Skip`, which Argo CD never applies, so no copy is synced",
            ),
            (
                "helm.sh/hook: test",
                "the copy it keeps is a hook of no type Argo CD runs (`helm.sh/hook: test`), which it ignores, so no copy is synced",
            ),
            (
                "helm.sh/hook: post-delete",
                "the copy it keeps is a PostDelete hook, which Argo CD creates only when the Application is deleted, so no copy is synced",
            ),
        ] {
            let found = run(
                &apps,
                vec![
                    object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                    hook(object(0, 1, "v1", "ConfigMap", "ns", "c", 2), value),
                ],
            );
            assert_eq!(found.len(), 1, "{value}");
            assert!(found[0].message.ends_with(why), "{}", found[0].message);
        }
        // A later sync hook is synced: nothing to add.
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                hook(
                    object(0, 1, "v1", "ConfigMap", "ns", "c", 2),
                    "argocd.argoproj.io/hook: PreSync",
                ),
            ],
        );
        assert!(
            found[0].message.ends_with("silently overridden"),
            "{}",
            found[0].message
        );
    }

    // controller/hook.go executeHooks: an overridden deletion hook is still created.
    #[test]
    fn an_overridden_deletion_hook_is_still_created() {
        let apps = [app("a", "ns", "server: https://kubernetes.default.svc")];
        let found = run(
            &apps,
            vec![
                hook(
                    object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                    "argocd.argoproj.io/hook: PreDelete",
                ),
                object(0, 1, "v1", "ConfigMap", "ns", "c", 2),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.ends_with(
            "; the earlier copy is a PreDelete hook, which Argo CD still creates when the Application is deleted"
        ));
    }

    // controller/hook.go executeHooks: a deletion hook shared with another Application is not
    // a sync conflict; CreateResource finds the object and the hook is skipped.
    #[test]
    fn deletion_hooks_across_applications_say_when_they_are_created() {
        let apps = [
            app("a", "ns", "server: https://kubernetes.default.svc"),
            app("b", "ns", "name: in-cluster"),
        ];
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                hook(
                    object(1, 0, "v1", "ConfigMap", "ns", "c", 1),
                    "helm.sh/hook: post-delete",
                ),
            ],
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].message.ends_with(
            "the copies are identical. Application b's copy is a PostDelete hook: Argo CD creates it when that Application is deleted, and skips it if the object exists then"
        ), "{}", found[0].message);
        // Objects a sync leaves out collide with nothing.
        let found = run(
            &apps,
            vec![
                object(0, 0, "v1", "ConfigMap", "ns", "c", 1),
                hook(
                    object(1, 0, "v1", "ConfigMap", "ns", "c", 1),
                    "helm.sh/hook: test",
                ),
                hook(
                    object(1, 0, "v1", "ConfigMap", "ns", "d", 1),
                    "argocd.argoproj.io/hook: Skip",
                ),
                object(0, 0, "v1", "ConfigMap", "ns", "d", 1),
            ],
        );
        assert!(found.is_empty(), "{found:?}");
    }
}

//! # preview-routes
//!
//! ## What it does
//! Opt-in (enabled by `rules/ameide-previews.yaml`). Checks the Gateway API routes (`kinds`,
//! group `gateway.networking.k8s.io`) that preview Applications render — those of the
//! ApplicationSets in `applicationSets`, or of every ApplicationSet with a pull request generator
//! when it is empty:
//!
//! - every `parentRefs` entry attaches across namespaces, to `gatewayNamespace` (the base
//!   environment's Gateway) when it is set;
//! - every hostname is one of the preview hostnames (the keys of `hostnames`, `{number}` expanded)
//!   and none is a stable hostname: one listed in `stableHostnames` or served by a route of a
//!   non-preview Application;
//! - a route has hostnames at all, when `hostnames` is set (a route without hostnames takes every
//!   hostname of the listener);
//! - each preview hostname is served by the Application the `hostnames` mapping names.
//!
//! ## Parameters
//! - `applicationSets` (list, default `[]`): lanes whose routes are checked; empty: every pull request ApplicationSet.
//! - `kinds` (list, default `[HTTPRoute, GRPCRoute]`): route kinds checked.
//! - `gatewayNamespace` (text, default empty): the base Gateway's namespace; empty: any other namespace.
//! - `hostnames` (template → template with `{number}`, default `{}`): preview hostname → the generated Application serving it.
//! - `stableHostnames` (list of `filepath.Match` globs, default `[]`): stable hostnames never allowed in previews.
//!
//! ## Why
//! Previews reuse the base environment's Gateway, so their routes live in the pull request's
//! namespace and must name the Gateway's namespace; the Gateway admits them through its
//! `allowedRoutes.namespaces.selector`. All previews and the base environment share that Gateway:
//! a preview route with the stable hostname `www.dev.ameide.io` (typically left in an environment
//! values file) competes with the real site, and shared entrypoints such as `auth.<env>` must be
//! reused, never redeployed. DNS and certificates only cover one label under `<env>.ameide.io`,
//! hence the fixed `www-pr-<N>.<env>.ameide.io` scheme.
//!
//! ## Example
//! ```yaml
//! # sources/values/env/dev/apps/inference-gateway.yaml, read by the preview too
//! httproute:
//!   hostname: api.dev.ameide.io      # error in the rendered preview HTTPRoute: stable hostname
//! ```
//!
//! ## How to fix
//! Inject the preview hostname through the apps lane's `helm.parameters` for every route the
//! chart renders (or derive all of a chart's route hostnames from one value), and set
//! `parentRefs[].namespace` from the chart's gateway namespace value.
//!
//! ## Reference
//! Preview spec §9 (URL scheme, cross-namespace attachment), §6.3 (route attachment), §0.2.1
//! (reuse shared entrypoints); Gateway API `HTTPRoute`/`GRPCRoute` `spec.parentRefs`,
//! `spec.hostnames`, and the cross-namespace routing guide.

use std::collections::BTreeSet;

use super::support;
use super::{Code, Context, Meta};
use crate::argo::glob::filepath_match;
use crate::diagnostic::{Finding, Severity};
use crate::inventory::RenderedObject;
use crate::rules::profile::{ParamType, rule_params};
use crate::yaml::Node;

pub const META: Meta = Meta {
    code: Code::PreviewRoutes,
    severity: Severity::Error,
    summary: "opt-in, spec §9, §6.3, §0.2.1: a preview route does not attach to the base Gateway cross-namespace or uses a non-preview hostname",
};

rule_params! {
    Settings {
        application_sets: Vec<String> = "applicationSets", ParamType::TextList, "[]",
            "ApplicationSets whose routes are checked; empty: every ApplicationSet with a pull request generator";
        kinds: Vec<String> = "kinds", ParamType::TextList, "[HTTPRoute, GRPCRoute]",
            "route kinds of gateway.networking.k8s.io that are checked";
        gateway_namespace: String = "gatewayNamespace", ParamType::Text, "''",
            "namespace of the base Gateway every parentRef must name; empty: any other namespace";
        hostnames: Vec<(String, String)> = "hostnames", ParamType::TemplateMap(&["number"]), "{}",
            "preview hostname -> name of the generated Application that must serve it; empty: hostnames are not checked";
        stable_hostnames: Vec<String> = "stableHostnames", ParamType::TextList, "[]",
            "hostnames (filepath.Match globs) of stable environments that previews must never use";
    }
}

const GATEWAY_GROUP: &str = "gateway.networking.k8s.io";

pub fn check(ctx: &Context) -> Vec<Finding> {
    let Some(settings) = ctx.settings::<Settings>(META.code) else {
        return Vec::new();
    };
    let settings = &settings;
    let appsets = &settings.application_sets;
    let is_checked = |app: &crate::argo::application::Application| {
        if appsets.is_empty() {
            app.preview
        } else {
            app.application_set
                .as_ref()
                .is_some_and(|a| appsets.contains(a))
        }
    };
    let kinds = &settings.kinds;
    let is_route = |o: &RenderedObject| o.group == GATEWAY_GROUP && kinds.contains(&o.kind);
    let hostnames_of = |o: &RenderedObject| -> Vec<String> {
        o.node
            .at(&["spec", "hostnames"])
            .map(|h| h.items().iter().map(Node::text).collect())
            .unwrap_or_default()
    };
    // Hostnames the stable environments serve: any route rendered by a non-preview Application.
    let stable: BTreeSet<String> = ctx
        .inventory
        .objects
        .iter()
        .filter(|o| is_route(o) && !ctx.apps[o.app].preview)
        .flat_map(hostnames_of)
        .collect();
    let preview_hosts: Vec<(String, String)> = settings
        .hostnames
        .iter()
        .map(|(host, app)| {
            (
                support::expand_pr(host, ctx.pr),
                support::expand_pr(app, ctx.pr),
            )
        })
        .collect();
    let gateway_namespace = settings.gateway_namespace.as_str();

    let mut findings = Vec::new();
    let mut served: BTreeSet<(usize, String)> = BTreeSet::new();
    for object in ctx
        .inventory
        .objects
        .iter()
        .filter(|o| is_route(o) && is_checked(&ctx.apps[o.app]))
    {
        let app = &ctx.apps[object.app];
        let route = format!("{} {}", object.kind, object.name);
        let mut report = |message: String, path: &[&str], help: String| {
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!("{route} of Application {}: {message}", app.name),
                    support::key_location(ctx.sources, &object.origin, path),
                )
                .app(&app.name)
                .project(app.project_name())
                .related("rendered from", object.origin.clone())
                .help(help),
            )
        };

        let parents = object
            .node
            .at(&["spec", "parentRefs"])
            .map(Node::items)
            .unwrap_or_default();
        if parents.is_empty() {
            report(
                "attaches to no Gateway".into(),
                &["spec", "parentRefs"],
                "add parentRefs naming the base environment's Gateway and its namespace".into(),
            );
        }
        for parent in parents {
            let name = parent.get("name").map(Node::text).unwrap_or_default();
            match parent
                .get("namespace")
                .map(Node::text)
                .filter(|n| !n.is_empty())
            {
                None => report(
                    format!(
                        "parentRef {name} has no namespace, so it attaches to a Gateway in the preview namespace {}; previews attach to the base environment's Gateway",
                        object.namespace
                    ),
                    &["spec", "parentRefs"],
                    format!(
                        "set parentRefs[].namespace{}",
                        if gateway_namespace.is_empty() {
                            String::new()
                        } else {
                            format!(" to {gateway_namespace}")
                        }
                    ),
                ),
                Some(ns) if !gateway_namespace.is_empty() && ns != gateway_namespace => report(
                    format!(
                        "parentRef {name} attaches to namespace {ns}, not the base Gateway's namespace {gateway_namespace}"
                    ),
                    &["spec", "parentRefs", "namespace"],
                    format!("set parentRefs[].namespace to {gateway_namespace}"),
                ),
                Some(ns) if gateway_namespace.is_empty() && ns == object.namespace => report(
                    format!("parentRef {name} attaches to the preview namespace {ns} itself"),
                    &["spec", "parentRefs", "namespace"],
                    "name the base environment's Gateway namespace".into(),
                ),
                Some(_) => {}
            }
        }

        let hosts = hostnames_of(object);
        if hosts.is_empty() && !preview_hosts.is_empty() {
            report(
                "has no hostnames, so it takes every hostname of the Gateway listener, the base environment's included".into(),
                &["spec", "hostnames"],
                "set the route's hostnames to the preview hostname".into(),
            );
        }
        for host in hosts {
            let is_stable = stable.contains(&host)
                || settings
                    .stable_hostnames
                    .iter()
                    .any(|g| filepath_match(g, &host));
            let is_preview = preview_hosts.iter().any(|(h, _)| *h == host);
            if is_stable {
                report(
                    format!("uses the stable hostname {host}; previews must use their own PR hostnames and reuse shared entrypoints"),
                    &["spec", "hostnames"],
                    "inject the preview hostname for this route through the apps lane's helm.parameters".into(),
                );
            } else if !preview_hosts.is_empty() && !is_preview {
                let scheme: Vec<&str> = preview_hosts.iter().map(|(h, _)| h.as_str()).collect();
                report(
                    format!(
                        "uses hostname {host}, which is not a preview hostname ({})",
                        scheme.join(", ")
                    ),
                    &["spec", "hostnames"],
                    format!(
                        "use one of {}",
                        settings
                            .hostnames
                            .iter()
                            .map(|(h, _)| h.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            served.insert((object.app, host));
        }
    }

    for (host, app_name) in &preview_hosts {
        let Some((index, app)) = ctx
            .apps
            .iter()
            .enumerate()
            .find(|(_, a)| a.metadata_name == *app_name && is_checked(a))
        else {
            continue;
        };
        if !served.contains(&(index, host.clone())) {
            findings.push(
                Finding::new(
                    META.code,
                    META.severity,
                    format!("Application {}: renders no route for the preview hostname {host}", app.name),
                    app.location.clone(),
                )
                .app(&app.name)
                .project(app.project_name())
                .help("enable the chart's route and inject the preview hostname through helm.parameters"),
            );
        }
    }
    support::merge_same_line(findings)
}

//! Rules: one file per rule, each with its documentation (the file's `//!` comment, which
//! `preview-gate explain` prints), its metadata, its check and its tests.
//!
//! Policy rules judge the repository (exit 1). Gate diagnostics say the gate could not see
//! everything Argo CD would deploy — a render failed, a source is unreachable — and fail closed
//! (exit 2).

use std::collections::BTreeSet;

use crate::appset::SyntheticPr;
use crate::argo::application::Application;
use crate::argo::project::AppProject;
use crate::diagnostic::{Finding, Severity};
use crate::discover::ApplicationSetDoc;
use crate::inventory::Inventory;
use crate::plan::RenderJob;
use profile::{Param, Params, Profile};

pub mod chart_dependency_missing;
pub mod create_namespace_not_permitted;
pub mod destination_not_permitted;
pub mod duplicate_resource;
pub mod fixed_namespace;
pub mod generator_not_evaluated;
pub mod invalid_argo_manifest;
pub mod invalid_config;
pub mod kind_not_allowed;
pub mod parse_error;
pub mod preview_appset_hardening;
pub mod preview_image_contract;
pub mod preview_lane_shape;
pub mod preview_namespace_lifecycle;
pub mod preview_project_policy;
pub mod preview_routes;
pub mod preview_service_aliases;
pub mod preview_sync_policy;
pub mod render_failed;
pub mod source_not_permitted;
pub mod source_unresolved;
pub mod stale_allowlist_entry;
pub mod template_error;
pub mod templated_project;
pub mod unknown_project;
pub mod unknown_resource_scope;
pub mod untrusted_template_input;
pub mod waiver_expired;

pub mod profile;
mod support;

pub use crate::diagnostic::{Class, Code};

#[derive(Debug)]
pub struct Meta {
    /// The rule's stable id.
    pub code: Code,
    pub severity: Severity,
    pub summary: &'static str,
}

impl Meta {
    /// Stable kebab-case id; never changes once released.
    pub const fn id(&self) -> &'static str {
        self.code.as_str()
    }

    pub const fn class(&self) -> Class {
        self.code.class()
    }
}

pub const ALL: &[&Meta] = &[
    &kind_not_allowed::META,
    &duplicate_resource::META,
    &fixed_namespace::META,
    &source_not_permitted::META,
    &destination_not_permitted::META,
    &create_namespace_not_permitted::META,
    &stale_allowlist_entry::META,
    &unknown_project::META,
    &templated_project::META,
    &untrusted_template_input::META,
    &waiver_expired::META,
    &preview_project_policy::META,
    &preview_namespace_lifecycle::META,
    &preview_lane_shape::META,
    &preview_sync_policy::META,
    &preview_appset_hardening::META,
    &preview_image_contract::META,
    &preview_routes::META,
    &preview_service_aliases::META,
    &parse_error::META,
    &invalid_argo_manifest::META,
    &invalid_config::META,
    &source_unresolved::META,
    &render_failed::META,
    &chart_dependency_missing::META,
    &unknown_resource_scope::META,
    &generator_not_evaluated::META,
    &template_error::META,
];

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

/// Opt-in rules: they run only when a profile enables them, with the parameters they declare.
const OPT_IN: &[(&str, &[Param])] = &[
    (
        preview_project_policy::META.id(),
        preview_project_policy::PARAMS,
    ),
    (
        preview_namespace_lifecycle::META.id(),
        preview_namespace_lifecycle::PARAMS,
    ),
    (preview_lane_shape::META.id(), preview_lane_shape::PARAMS),
    (preview_sync_policy::META.id(), preview_sync_policy::PARAMS),
    (
        preview_appset_hardening::META.id(),
        preview_appset_hardening::PARAMS,
    ),
    (
        preview_image_contract::META.id(),
        preview_image_contract::PARAMS,
    ),
    (preview_routes::META.id(), preview_routes::PARAMS),
    (
        preview_service_aliases::META.id(),
        preview_service_aliases::PARAMS,
    ),
];

/// The parameters an opt-in rule declares; `None` for rules that always run.
pub fn params_of(id: &str) -> Option<&'static [Param]> {
    OPT_IN.iter().find(|(i, _)| *i == id).map(|(_, p)| *p)
}

pub fn meta(id: &str) -> Option<&'static Meta> {
    ALL.iter().copied().find(|m| m.id() == id)
}

/// The registry entry of a code: every code has exactly one (a unit test checks it).
pub fn meta_of(code: Code) -> &'static Meta {
    ALL.iter()
        .copied()
        .find(|m| m.code == code)
        .expect("every code is registered")
}

/// The rule's documentation, from its source file's `//!` comment.
pub fn doc(id: &str) -> Option<&'static str> {
    let stem = id.replace('-', "_");
    docs::RULE_DOCS
        .iter()
        .find(|(file, _)| *file == stem)
        .map(|(_, doc)| *doc)
}

/// What the policy rules look at.
pub struct Context<'a> {
    pub apps: &'a [Application],
    pub projects: &'a [AppProject],
    pub inventory: &'a Inventory,
    /// Projects all of whose Applications were rendered: only these get stale-entry checks.
    pub fully_checked_projects: &'a BTreeSet<String>,
    /// Projects defined outside the repository (`--external-project`).
    pub external_projects: &'a [String],
    /// Inventory objects whose namespace did not follow a probe namespace (latent pins).
    pub pinned_namespaces: &'a [usize],
    /// Clusters besides in-cluster (`--cluster`, config `clusters:`).
    pub clusters: &'a [crate::argo::admission::Cluster],
    /// The profile: which opt-in rules run, with which parameters.
    pub profile: &'a Profile,
    /// Every ApplicationSet of the repository, expanded or not.
    pub application_sets: &'a [ApplicationSetDoc],
    /// The pull request the pull request generators were evaluated with.
    pub pr: &'a SyntheticPr,
    /// The planned renders: which tool renders each (Application, source).
    pub jobs: &'a [RenderJob],
    /// Kustomize overlays an opt-in rule asked for, built: `(directory, objects)`.
    pub overlays: &'a [(std::path::PathBuf, Vec<crate::render::RenderedDoc>)],
}

impl Context<'_> {
    pub fn project(&self, name: &str) -> Option<&AppProject> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// An opt-in rule's parameters when the profile enables it.
    pub fn params(&self, code: Code) -> Option<&Params> {
        self.profile.params(code.as_str())
    }
}

pub fn check_all(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(unknown_project::check(ctx));
    findings.extend(unknown_resource_scope::check(ctx));
    findings.extend(kind_not_allowed::check(ctx));
    findings.extend(stale_allowlist_entry::check(ctx));
    findings.extend(duplicate_resource::check(ctx));
    findings.extend(fixed_namespace::check(ctx));
    findings.extend(source_not_permitted::check(ctx));
    findings.extend(destination_not_permitted::check(ctx));
    findings.extend(create_namespace_not_permitted::check(ctx));
    findings.extend(preview_project_policy::check(ctx));
    findings.extend(preview_namespace_lifecycle::check(ctx));
    findings.extend(preview_lane_shape::check(ctx));
    findings.extend(preview_sync_policy::check(ctx));
    findings.extend(preview_appset_hardening::check(ctx));
    findings.extend(preview_image_contract::check(ctx));
    findings.extend(preview_routes::check(ctx));
    findings.extend(preview_service_aliases::check(ctx));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_its_own_file() {
        for meta in ALL {
            let doc = doc(meta.id()).unwrap_or_else(|| {
                panic!(
                    "{} has no src/rules/{}.rs doc comment",
                    meta.id(),
                    meta.id().replace('-', "_")
                )
            });
            for section in [
                "## What it does",
                "## Why",
                "## Example",
                "## How to fix",
                "## Reference",
            ] {
                assert!(
                    doc.contains(section),
                    "{}: doc lacks `{section}`",
                    meta.id()
                );
            }
        }
    }

    #[test]
    fn opt_in_rules_document_their_parameters() {
        for (id, params) in OPT_IN {
            let doc = doc(id).unwrap();
            let section = doc
                .split("## Parameters")
                .nth(1)
                .unwrap_or_else(|| panic!("{id}: doc lacks `## Parameters`"));
            for param in *params {
                assert!(
                    section.contains(&format!("`{}`", param.name)),
                    "{id}: parameter {} is not documented",
                    param.name
                );
            }
        }
    }

    #[test]
    fn ids_are_kebab_case_and_unique() {
        let mut seen = BTreeSet::new();
        for meta in ALL {
            assert!(
                meta.id()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                meta.id()
            );
            assert!(seen.insert(meta.id()), "duplicate {}", meta.id());
        }
    }
}

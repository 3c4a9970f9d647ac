//! Rules: one file per rule, each with its documentation (the file's `//!` comment, which
//! `preview-gate explain` prints), its metadata, its check and its tests.
//!
//! Policy rules judge the repository (exit 1). Gate diagnostics say the gate could not see
//! everything Argo CD would deploy — a render failed, a source is unreachable — and fail closed
//! (exit 2).

use std::collections::BTreeSet;

use crate::argo::application::Application;
use crate::argo::project::AppProject;
use crate::diagnostic::{Finding, Severity};
use crate::inventory::Inventory;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A finding about the repository: exit 1 when it is an error.
    Policy,
    /// The gate could not complete a check: always exit 2.
    Gate,
}

#[derive(Debug)]
pub struct Meta {
    /// Stable kebab-case id; never changes once released.
    pub id: &'static str,
    pub severity: Severity,
    pub class: Class,
    pub summary: &'static str,
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

pub const PARSE_ERROR: &str = parse_error::META.id;
pub const INVALID_ARGO_MANIFEST: &str = invalid_argo_manifest::META.id;
pub const INVALID_CONFIG: &str = invalid_config::META.id;
pub const SOURCE_UNRESOLVED: &str = source_unresolved::META.id;
pub const RENDER_FAILED: &str = render_failed::META.id;
pub const CHART_DEPENDENCY_MISSING: &str = chart_dependency_missing::META.id;
pub const GENERATOR_NOT_EVALUATED: &str = generator_not_evaluated::META.id;
pub const TEMPLATE_ERROR: &str = template_error::META.id;

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

pub fn meta(id: &str) -> Option<&'static Meta> {
    ALL.iter().copied().find(|m| m.id == id)
}

/// The rule's documentation, from its source file's `//!` comment.
pub fn doc(id: &str) -> Option<&'static str> {
    let stem = id.replace('-', "_");
    docs::RULE_DOCS
        .iter()
        .find(|(file, _)| *file == stem)
        .map(|(_, doc)| *doc)
}

pub fn class_of(id: &str) -> Class {
    meta(id).map_or(Class::Policy, |m| m.class)
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
}

impl Context<'_> {
    pub fn project(&self, name: &str) -> Option<&AppProject> {
        self.projects.iter().find(|p| p.name == name)
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
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_its_own_file() {
        for meta in ALL {
            let doc = doc(meta.id).unwrap_or_else(|| {
                panic!(
                    "{} has no src/rules/{}.rs doc comment",
                    meta.id,
                    meta.id.replace('-', "_")
                )
            });
            for section in [
                "## What it does",
                "## Why",
                "## Example",
                "## How to fix",
                "## Reference",
            ] {
                assert!(doc.contains(section), "{}: doc lacks `{section}`", meta.id);
            }
        }
    }

    #[test]
    fn ids_are_kebab_case_and_unique() {
        let mut seen = BTreeSet::new();
        for meta in ALL {
            assert!(
                meta.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                meta.id
            );
            assert!(seen.insert(meta.id), "duplicate {}", meta.id);
        }
    }
}

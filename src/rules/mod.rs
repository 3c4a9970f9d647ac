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

pub mod app_namespace_not_permitted;
pub mod chart_dependency_missing;
pub mod create_namespace_not_permitted;
pub mod destination_not_permitted;
pub mod duplicate_resource;
pub mod fixed_namespace;
pub mod generator_not_evaluated;
pub mod invalid_argo_manifest;
pub mod invalid_config;
pub mod kind_not_allowed;
pub mod missing_namespace;
pub mod nothing_generated;
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

/// What a rule needs rendered besides the Applications' sources; planned only while the rule runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Helm sources rendered again into a probe namespace (`fixed-namespace`).
    NamespaceProbes,
    /// The local Kustomize overlays of the ApplicationSets themselves (`preview-appset-hardening`).
    AppSetOverlays,
}

/// How a rule produces its findings.
#[derive(Clone, Copy)]
pub enum Check {
    /// A rule over everything the pipeline gathered.
    Context(fn(&Context) -> Vec<Finding>),
    /// Emitted where it arises, by a stage (most gate diagnostics) or by the waivers.
    Emitted,
}

/// One entry of the registry.
pub struct Rule {
    pub meta: &'static Meta,
    pub check: Check,
    /// The parameters of an opt-in rule: it runs only when a profile enables it.
    pub params: Option<&'static [Param]>,
    /// Builds the opt-in rule's typed settings: proves its declaration agrees with `params`.
    pub settings: Option<fn(&Params)>,
    pub extra: Option<Extra>,
}

macro_rules! context {
    ($rule:ident) => {
        Rule {
            meta: &$rule::META,
            check: Check::Context($rule::check),
            params: None,
            settings: None,
            extra: None,
        }
    };
    ($rule:ident, $extra:expr) => {
        Rule {
            extra: Some($extra),
            ..context!($rule)
        }
    };
}

macro_rules! opt_in {
    ($rule:ident) => {
        Rule {
            meta: &$rule::META,
            check: Check::Context($rule::check),
            params: Some($rule::PARAMS),
            settings: Some(|params| {
                let _ = <$rule::Settings as profile::RuleParams>::from_params(params);
            }),
            extra: None,
        }
    };
    ($rule:ident, $extra:expr) => {
        Rule {
            extra: Some($extra),
            ..opt_in!($rule)
        }
    };
}

macro_rules! emitted {
    ($rule:ident) => {
        Rule {
            meta: &$rule::META,
            check: Check::Emitted,
            params: None,
            settings: None,
            extra: None,
        }
    };
}

/// Every rule, one line each, in the order `preview-gate rules` lists them. Adding a rule is its
/// file, a `Code`, and a line here.
pub const REGISTRY: &[Rule] = &[
    context!(kind_not_allowed),
    context!(duplicate_resource),
    context!(fixed_namespace, Extra::NamespaceProbes),
    context!(missing_namespace),
    context!(source_not_permitted),
    context!(destination_not_permitted),
    context!(create_namespace_not_permitted),
    context!(stale_allowlist_entry),
    context!(unknown_project),
    context!(app_namespace_not_permitted),
    context!(templated_project),
    context!(untrusted_template_input),
    emitted!(waiver_expired),
    opt_in!(preview_project_policy),
    opt_in!(preview_namespace_lifecycle),
    opt_in!(preview_lane_shape),
    opt_in!(preview_sync_policy),
    opt_in!(preview_appset_hardening, Extra::AppSetOverlays),
    opt_in!(preview_image_contract),
    opt_in!(preview_routes),
    opt_in!(preview_service_aliases),
    emitted!(parse_error),
    emitted!(invalid_argo_manifest),
    emitted!(invalid_config),
    emitted!(source_unresolved),
    emitted!(render_failed),
    emitted!(chart_dependency_missing),
    context!(unknown_resource_scope),
    emitted!(generator_not_evaluated),
    emitted!(nothing_generated),
    emitted!(template_error),
];

/// Every rule's metadata, in registry order.
pub fn all() -> impl Iterator<Item = &'static Meta> {
    REGISTRY.iter().map(|rule| rule.meta)
}

/// The registry entry of `code`; every code has one (a unit test checks it).
pub fn rule_of(code: Code) -> &'static Rule {
    REGISTRY
        .iter()
        .find(|rule| rule.meta.code == code)
        .expect("every code is registered")
}

mod docs {
    include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));
}

pub fn meta(id: &str) -> Option<&'static Meta> {
    all().find(|m| m.id() == id)
}

pub fn meta_of(code: Code) -> &'static Meta {
    rule_of(code).meta
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
    /// The Applications chosen for this check (`--app`, `--project`, `include`/`exclude`).
    pub apps: &'a [Application],
    /// Every Application of the repository, generated ones included, chosen or not.
    pub every_application: &'a [Application],
    pub projects: &'a [AppProject],
    pub inventory: &'a Inventory,
    /// Projects all of whose Applications were rendered: only these get stale-entry checks.
    pub fully_checked_projects: &'a BTreeSet<String>,
    /// Projects defined outside the repository (`--external-project`).
    pub external_projects: &'a [String],
    /// AppProjects the repository defines but the gate refused (`invalid-argo-manifest`).
    pub refused_projects: &'a [String],
    /// Inventory objects whose namespace did not follow a probe namespace (latent pins).
    pub pinned_namespaces: &'a [usize],
    /// The cluster Secrets: the repository's, `--cluster`, config `clusters:`.
    pub clusters: &'a [crate::argo::cluster::Cluster],
    /// `cluster.inClusterEnabled` (config `argocd:`): the local cluster is a destination.
    pub in_cluster_enabled: bool,
    /// The profile: which opt-in rules run, with which parameters.
    pub profile: &'a Profile,
    /// Every ApplicationSet of the repository, expanded or not.
    pub application_sets: &'a [ApplicationSetDoc],
    /// The pull request the pull request generators were evaluated with.
    pub pr: &'a SyntheticPr,
    /// The planned renders: which tool renders each (Application, source).
    pub jobs: &'a [RenderJob],
    /// The text of the files read so far; rules read lines from here, never from disk.
    pub sources: &'a crate::sources::Sources,
    /// Kustomize overlays an opt-in rule asked for, built: `(directory, objects)`.
    pub overlays: &'a [(std::path::PathBuf, Vec<crate::render::RenderedDoc>)],
}

impl Context<'_> {
    pub fn project(&self, name: &str) -> Option<&AppProject> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// An opt-in rule's typed parameters when the profile enables it; `None`: do not run it.
    pub fn settings<T: profile::RuleParams>(&self, code: Code) -> Option<T> {
        self.profile.settings(code)
    }
}

/// Runs every rule the profile turns on, in registry order.
pub fn check_all(ctx: &Context) -> Vec<Finding> {
    REGISTRY
        .iter()
        .filter(|rule| ctx.profile.runs(rule.meta.code))
        .flat_map(|rule| match rule.check {
            Check::Context(check) => check(ctx),
            Check::Emitted => Vec::new(),
        })
        .collect()
}

/// Whether an enabled rule needs `extra` rendered.
pub fn needs(profile: &Profile, extra: Extra) -> bool {
    REGISTRY
        .iter()
        .any(|rule| rule.extra == Some(extra) && profile.runs(rule.meta.code))
}

/// The rule tables of README.md and rules/README.md, generated from the registry (a test keeps
/// the files in step): the rules that always run, and the opt-in ones.
pub fn markdown_rules(opt_in: bool) -> String {
    let mut out =
        String::from("| id | default severity | exit | what |\n| --- | --- | --- | --- |\n");
    for rule in REGISTRY.iter().filter(|r| r.params.is_some() == opt_in) {
        let meta = rule.meta;
        let exit = match meta.class() {
            Class::Gate => "2",
            Class::Policy => "1 when an error",
        };
        let summary = meta
            .summary
            .strip_prefix("opt-in, ")
            .unwrap_or(meta.summary);
        out.push_str(&format!(
            "| `{}` | {} | {exit} | {} |\n",
            meta.id(),
            meta.severity,
            summary.replace('|', "\\|")
        ));
    }
    out
}

/// Every parameter of every opt-in rule: its type, default and meaning.
pub fn markdown_parameters() -> String {
    let mut out = String::from(
        "| rule | parameter | type | default | what |\n| --- | --- | --- | --- | --- |\n",
    );
    for rule in REGISTRY {
        for param in rule.params.unwrap_or_default() {
            out.push_str(&format!(
                "| `{}` | `{}` | {} | `{}` | {} |\n",
                rule.meta.id(),
                param.name,
                param.ty.describe(),
                param.default.replace('|', "\\|"),
                param.doc.replace('|', "\\|")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_in_its_own_file() {
        for meta in all() {
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
        for rule in REGISTRY {
            let (Some(params), id) = (rule.params, rule.meta.id()) else {
                continue;
            };
            let doc = doc(id).unwrap();
            let section = doc
                .split("## Parameters")
                .nth(1)
                .unwrap_or_else(|| panic!("{id}: doc lacks `## Parameters`"));
            for param in params {
                assert!(
                    section.contains(&format!("`{}`", param.name)),
                    "{id}: parameter {} is not documented",
                    param.name
                );
            }
        }
    }

    #[test]
    fn every_code_has_exactly_one_registry_line() {
        for code in Code::ALL {
            let lines = REGISTRY.iter().filter(|r| r.meta.code == *code).count();
            assert_eq!(lines, 1, "{code} has {lines} registry lines");
        }
        assert_eq!(REGISTRY.len(), Code::ALL.len());
    }

    #[test]
    fn opt_in_settings_agree_with_their_declarations() {
        for rule in REGISTRY {
            assert_eq!(
                rule.params.is_some(),
                rule.settings.is_some(),
                "{}",
                rule.meta.id()
            );
            if let (Some(declared), Some(build)) = (rule.params, rule.settings) {
                // Panics when a field's Rust type does not hold its ParamType's values.
                build(&Params::with(declared, "{}"));
            }
        }
    }

    #[test]
    fn ids_are_kebab_case_and_unique() {
        let mut seen = BTreeSet::new();
        for meta in all() {
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

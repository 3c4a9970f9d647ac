//! # unknown-project
//!
//! ## What it does
//! Reports an Application whose `spec.project` names an AppProject the repository does not define
//! (an empty project means `default`). Projects defined elsewhere can be declared with
//! `--external-project NAME` (`default` included).
//!
//! ## Why is this bad?
//! Argo CD refuses to reconcile an Application whose project does not exist, and the gate cannot
//! check kinds against a project it cannot read — so it fails instead of passing silently.
//!
//! ## Example
//! ```yaml
//! spec:
//!   project: preview   # error: no AppProject `preview` in the repository (did you mean `previews`?)
//! ```
//!
//! ## How to fix
//! Fix the name, add the AppProject to the repository, or pass `--external-project NAME` when the
//! project is managed outside it.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/types.go` (`ApplicationSpec.GetProject`).

use super::{Class, Context, Meta};
use crate::diagnostic::{Finding, Severity};

pub const META: Meta = Meta {
    id: "unknown-project",
    severity: Severity::Error,
    class: Class::Policy,
    summary: "an Application names an AppProject the repository does not define",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    ctx.apps
        .iter()
        .filter(|app| ctx.project(app.project_name()).is_none() && !ctx.external_projects.iter().any(|p| p == app.project_name()))
        .map(|app| {
            let known: Vec<&str> = ctx.projects.iter().map(|p| p.name.as_str()).collect();
            Finding::new(
                META.id,
                META.severity,
                format!("Application {} uses project {}, which the repository does not define", app.name, app.project_name()),
                app.project_location.clone(),
            )
            .app(&app.name)
            .help(format!(
                "known projects: {}; pass --external-project {} if it is defined outside the repository",
                if known.is_empty() { "none".to_string() } else { known.join(", ") },
                app.project_name()
            ))
        })
        .collect()
}

//! # app-namespace-not-permitted
//!
//! ## What it does
//! Reports an Application that lives outside the Argo CD control-plane namespace (`argocd`) in
//! a namespace its AppProject's `sourceNamespaces` does not list. A generated Application lives
//! in its ApplicationSet's namespace, and is reported once at its template's name line.
//!
//! ## Why is this bad?
//! Argo CD refuses to reconcile it: "application 'web' in namespace 'team-a' is not permitted to
//! use project 'p'". Nothing it renders is ever applied, so checking its objects would pass a
//! preview that never comes up.
//!
//! ## Example
//! ```yaml
//! metadata:
//!   name: web
//!   namespace: team-a     # the project needs sourceNamespaces: [team-a] (or a glob)
//! ```
//!
//! ## How to fix
//! Create the Application in `argocd`, or add its namespace (or a glob, or `/regex/`) to the
//! project's `spec.sourceNamespaces`.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsAppNamespacePermitted`),
//! `controller/appcontroller.go` (`getAppProj`), `util/glob/list.go` (`MatchStringInList`).

use super::{Code, Context, Meta};
use crate::argo::admission::{CONTROL_PLANE_NAMESPACE, app_namespace_permitted};
use crate::diagnostic::{Finding, Severity};

pub const META: Meta = Meta {
    code: Code::AppNamespaceNotPermitted,
    severity: Severity::Error,
    summary: "an Application outside the control-plane namespace uses a project whose sourceNamespaces do not allow it",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for app in ctx.apps {
        let Some(project) = ctx.project(app.project_name()) else {
            continue; // unknown-project reports it
        };
        if app_namespace_permitted(
            &project.source_namespaces,
            &app.metadata_namespace,
            CONTROL_PLANE_NAMESPACE,
        ) {
            continue;
        }
        findings.push(
            Finding::new(
                META.code,
                META.severity,
                format!(
                    "application '{}' in namespace '{}' is not permitted to use project '{}': Argo CD never reconciles it",
                    app.metadata_name, app.metadata_namespace, project.name
                ),
                app.location.clone(),
            )
            .app(&app.name)
            .project(&project.name)
            .related(format!("AppProject {}", project.name), project.location.clone())
            .help(format!(
                "create it in {CONTROL_PLANE_NAMESPACE}, or add {} to spec.sourceNamespaces of AppProject {}",
                app.metadata_namespace, project.name
            )),
        );
    }
    super::support::merge_same_line(findings)
}

#[cfg(test)]
mod tests {
    use crate::argo::admission::app_namespace_permitted;

    /// `IsAppNamespacePermitted` and `MatchStringInList(…, REGEXP)`, branch by branch.
    #[test]
    fn namespaces_permitted_like_argo() {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(
            app_namespace_permitted(&[], "", "argocd"),
            "no namespace: the controller's"
        );
        assert!(app_namespace_permitted(&[], "argocd", "argocd"));
        assert!(!app_namespace_permitted(&[], "team-a", "argocd"));
        assert!(app_namespace_permitted(
            &list(&["team-a"]),
            "team-a",
            "argocd"
        ));
        assert!(
            app_namespace_permitted(&list(&["team-*"]), "team-a", "argocd"),
            "glob"
        );
        assert!(
            app_namespace_permitted(&list(&["/^team-[a-c]$/"]), "team-b", "argocd"),
            "regexp"
        );
        assert!(!app_namespace_permitted(
            &list(&["/^team-[a-c]$/"]),
            "team-d",
            "argocd"
        ));
        assert!(app_namespace_permitted(&list(&["*"]), "anything", "argocd"));
    }
}

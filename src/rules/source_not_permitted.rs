//! # source-not-permitted
//!
//! ## What it does
//! Checks every source `repoURL` of an Application — `ref`-only value sources included — against
//! its AppProject's `sourceRepos`, as Argo CD's `IsSourcePermitted` does: both sides normalised with
//! `NormalizeGitURL`, entries matched as gobwas globs with `/` as separator (`*` stays within one
//! path segment, `**` crosses), `!` entries deny and win over any allow, `*` allows everything.
//!
//! Quirks Argo CD really has: a list of only `!` entries permits every other repository; `!*`
//! denies nothing that contains a `/`; `https://…` and `git@…` forms of one repository are
//! different URLs.
//!
//! ## Why is this bad?
//! Argo CD refuses the Application (`application repo … is not permitted in project …`), so the
//! preview never deploys — or a repository the platform team never vetted becomes a source of
//! manifests.
//!
//! ## Example
//! ```yaml
//! # AppProject previews
//! sourceRepos: [https://github.com/ameideio/ameide-gitops.git]
//! # Application
//! sources:
//!   - repoURL: https://github.com/someone-else/charts.git   # error
//! ```
//!
//! ## How to fix
//! Point the source at an allowed repository, or add the repository to the project's
//! `sourceRepos` if it is meant to be trusted.
//!
//! ## Reference
//! Argo CD `pkg/apis/application/v1alpha1/app_project_types.go` (`IsSourcePermitted`),
//! `util/git/git.go` (`NormalizeGitURL`), `util/glob/glob.go`.

use super::{Code, Context, Meta};
use crate::argo::admission::{SourceVerdict, evaluate_source};
use crate::diagnostic::{Finding, Location, Severity};

pub const META: Meta = Meta {
    code: Code::SourceNotPermitted,
    severity: Severity::Error,
    summary: "a source repoURL is not allowed by the project's sourceRepos",
};

pub fn check(ctx: &Context) -> Vec<Finding> {
    let mut reported: Vec<&Location> = Vec::new();
    let mut findings = Vec::new();
    for app in ctx.apps {
        let Some(project) = ctx.project(app.project_name()) else {
            continue;
        };
        let patterns: Vec<String> = project
            .source_repos
            .iter()
            .map(|(p, _)| p.clone())
            .collect();
        for source in &app.sources {
            let verdict = evaluate_source(&patterns, &source.repo_url);
            if matches!(verdict, SourceVerdict::Permitted { .. })
                || reported.contains(&&source.repo_location)
            {
                continue;
            }
            reported.push(&source.repo_location);
            let mut finding = Finding::new(
                META.code,
                META.severity,
                format!(
                    "Application {}: source #{} repoURL {} is not permitted in project {}",
                    app.name, source.index, source.repo_url, project.name
                ),
                source.repo_location.clone(),
            )
            .app(&app.name)
            .project(&project.name);
            finding = match verdict {
                SourceVerdict::Denied { entry } => {
                    let (pattern, location) = &project.source_repos[entry];
                    finding
                        .related(format!("denied by sourceRepos entry {pattern}"), location.clone())
                        .help("use a repository the project allows")
                }
                _ => finding
                    .related(format!("AppProject {}", project.name), project.location.clone())
                    .help(format!(
                        "no sourceRepos entry of {} matches; add the repository there if it is trusted",
                        project.name
                    )),
            };
            findings.push(finding);
        }
    }
    findings
}

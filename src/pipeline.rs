//! The check, stage by stage: settings → discover → expand → select → plan → render → inventory
//! (→ probes, overlays) → rules → waivers. No printing here except progress; the caller reports.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use crate::appset::{self, ExpandContext};
use crate::argo::application::Application;
use crate::argo::cluster::Cluster;
use crate::argo::scope::ScopeRegistry;
use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::discover::{self, Repository};
use crate::inventory::{self, Inventory};
use crate::outcome::Outcome;
use crate::plan::{self, JobKind, PlanOptions, RenderJob};
use crate::render::{self, RenderOptions};
use crate::rules;
use crate::settings::{CheckOptions, Settings, Unresolved};

/// Runs a check: settings, then each stage in turn. `Err` is a usage error (exit 2).
pub fn check(options: &CheckOptions) -> Result<Outcome, String> {
    let started = Instant::now();
    let settings = match Settings::resolve(options) {
        Ok(settings) => settings,
        Err(Unresolved::Usage(message)) => return Err(message),
        Err(Unresolved::Invalid(findings)) => {
            return Ok(Outcome {
                findings,
                ..Outcome::default()
            });
        }
    };
    let mut outcome = Outcome {
        sources: settings.render.sources.clone(),
        tree: Some(settings.tree.kind().clone()),
        ..Outcome::default()
    };

    let mut repo = discover::discover(&settings.root, &outcome.sources);
    outcome.findings.extend(repo.findings.iter().cloned());
    let clusters = known_clusters(&repo.clusters, &settings.clusters);
    let mut partially_expanded = expand(&mut repo, &settings, &clusters, &mut outcome.findings);
    // A refused Application or ApplicationSet: what it would deploy is unknown.
    partially_expanded.extend(
        repo.refused
            .iter()
            .filter(|r| r.kind != "AppProject")
            .map(|r| r.project.clone()),
    );
    let refused_projects: Vec<String> = repo
        .refused
        .iter()
        .filter(|r| r.kind == "AppProject")
        .map(|r| r.name.clone())
        .collect();
    let (apps, fully_checked) = select(&repo, &settings, &partially_expanded);
    let mut scopes = settings.scopes(&repo);

    let plan = plan::plan(&apps, &settings.repos, &plan_options(&settings, &scopes));
    outcome.findings.extend(plan.findings.iter().cloned());
    // Inside a chart or a Kustomize directory a file is the tool's input, not an Argo CD
    // manifest, whatever it mentions; the tool reports what it cannot parse.
    let consumed: Vec<&std::path::Path> = plan
        .jobs
        .iter()
        .filter_map(|job| match &job.kind {
            JobKind::Helm(helm) => match &helm.chart {
                plan::ChartRef::Local { dir, .. } => Some(dir.as_path()),
                plan::ChartRef::Remote { .. } => None,
            },
            JobKind::Kustomize(kustomize) => Some(kustomize.dir.as_path()),
            JobKind::Directory(_) => None,
        })
        .collect();
    // A directory source skips a file that does not parse unless it looks like a manifest; the
    // render reports the ones it does not skip.
    let directories: Vec<(&std::path::Path, bool)> = plan
        .jobs
        .iter()
        .filter_map(|job| match &job.kind {
            JobKind::Directory(d) => Some((d.dir.as_path(), d.options.recurse)),
            _ => None,
        })
        .collect();
    for bad in &repo.unparseable {
        let file = &bad.location.file;
        let read = plan.read_paths.iter().any(|p| file.starts_with(p));
        let tool_input = consumed.iter().any(|dir| file.starts_with(dir));
        let in_directory = directories.iter().any(|(dir, recurse)| {
            file.starts_with(dir) && (*recurse || file.parent() == Some(*dir))
        });
        outcome
            .findings
            .push(bad.finding(read, tool_input, in_directory));
    }
    outcome.planned = plan.jobs.iter().map(|job| describe(job, &apps)).collect();
    outcome.apps = apps.iter().map(|a| a.name.clone()).collect();
    outcome.app_projects = apps.iter().map(|a| a.project_name().to_string()).collect();

    let source_location =
        |job: &RenderJob| -> Location { apps[job.app].sources[job.source].path_location.clone() };
    let show_progress = settings.show_progress;
    let progress = move |done: usize, total: usize| {
        if show_progress {
            eprint!("\rrendering {done}/{total} sources");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let (rendered, render_findings) = if plan.jobs.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        render::render_all(&plan.jobs, &settings.render, &source_location, &progress)
    };
    outcome.findings.extend(render_findings);
    outcome.renders = rendered.len();

    for result in rendered.iter().filter_map(|r| r.result.as_ref().ok()) {
        inventory::register_rendered_crds(result, &mut scopes);
    }
    let mut rendered_objects = Vec::new();
    let mut incomplete_apps: BTreeSet<String> =
        plan.findings.iter().filter_map(|f| f.app.clone()).collect();
    for result in rendered {
        let job = &plan.jobs[result.job];
        match result.result {
            Ok(docs) => inventory::build(
                job.app,
                job.source,
                &apps[job.app],
                docs,
                &scopes,
                &mut rendered_objects,
                &mut outcome.findings,
            ),
            Err(finding) => {
                incomplete_apps.insert(apps[job.app].name.clone());
                outcome.findings.push(finding.app(&apps[job.app].name));
            }
        }
    }
    let inventory = inventory::resolve(rendered_objects, &apps);
    // An entry is stale only if everything the project deploys was seen.
    let mut fully_checked = fully_checked;
    for app in apps.iter().filter(|a| incomplete_apps.contains(&a.name)) {
        fully_checked.remove(app.project_name());
    }
    outcome.objects = inventory.objects.len();
    outcome.dropped = inventory.dropped;

    let (pinned_namespaces, namespace_probes) =
        if rules::needs(&settings.profile, rules::Extra::NamespaceProbes) {
            probe_pinned_namespaces(
                &plan.jobs,
                &apps,
                &inventory,
                &scopes,
                &settings.render,
                &source_location,
            )
        } else {
            (Vec::new(), 0)
        };
    outcome.namespace_probes = namespace_probes;
    let overlays = if rules::needs(&settings.profile, rules::Extra::AppSetOverlays) {
        build_overlays(&settings, &mut outcome.findings)
    } else {
        Vec::new()
    };

    // What `exclude:` skips is not judged by the ApplicationSet rules either.
    let application_sets: Vec<_> = repo
        .application_sets
        .iter()
        .filter(|a| !settings.file.excludes(&a.name))
        .cloned()
        .collect();
    let context = rules::Context {
        apps: &apps,
        every_application: &repo.applications,
        projects: &repo.projects,
        inventory: &inventory,
        fully_checked_projects: &fully_checked,
        external_projects: &settings.external_projects,
        refused_projects: &refused_projects,
        pinned_namespaces: &pinned_namespaces,
        clusters: &clusters,
        in_cluster_enabled: settings.file.argocd.in_cluster_enabled,
        profile: &settings.profile,
        application_sets: &application_sets,
        pr: &settings.pull_request,
        jobs: &plan.jobs,
        overlays: &overlays,
        sources: &outcome.sources,
    };
    let policy_findings = settings.profile.apply(rules::check_all(&context));
    outcome.findings.extend(crate::waiver::apply(
        &settings.file.waivers,
        policy_findings,
        crate::waiver::today(),
    ));
    if settings.tree.is_copy() {
        outcome.relocate(settings.tree.root(), settings.tree.shown());
    }
    for (copy, shown, rev) in settings.revisions.copies() {
        outcome.relocate_revision(&copy, &shown, &rev);
    }
    outcome.finish(started.elapsed());
    Ok(outcome)
}

/// The cluster Secrets Argo CD has: those of the repository, then those `--cluster` and
/// `clusters:` declare, less any that repeats a repository Secret's name and server (the same
/// Secret, declared twice, not two Secrets).
fn known_clusters(repository: &[Cluster], declared: &[Cluster]) -> Vec<Cluster> {
    let mut clusters = repository.to_vec();
    clusters.extend(
        declared
            .iter()
            .filter(|d| {
                !repository
                    .iter()
                    .any(|r| r.name == d.name && r.url() == d.url())
            })
            .cloned(),
    );
    clusters
}

/// Expands every ApplicationSet not excluded into `repo.applications`. Returns the projects an
/// ApplicationSet may have generated unseen Applications for (`None`: any project).
fn expand(
    repo: &mut Repository,
    settings: &Settings,
    clusters: &[Cluster],
    findings: &mut Vec<Finding>,
) -> Vec<Option<String>> {
    let context = ExpandContext {
        repos: &settings.repos,
        pr: &settings.pull_request,
        clusters,
    };
    let mut partially_expanded = Vec::new();
    let mut generated = Vec::new();
    for appset in &repo.application_sets {
        if settings.file.excludes(&appset.name) {
            continue;
        }
        let mut expansion = appset::expand(appset, &context);
        if expansion
            .findings
            .iter()
            .any(|f| f.severity == Severity::Error)
        {
            partially_expanded.push(appset.template_project());
        }
        if settings
            .file
            .unevaluated_application_sets
            .contains(&appset.name)
        {
            // Acknowledged in the config: still reported, no longer failing.
            for finding in &mut expansion.findings {
                if finding.rule == Code::GeneratorNotEvaluated {
                    finding.severity = Severity::Warning;
                    finding.help = Some(format!(
                        "{} is listed under unevaluatedApplicationSets in preview-gate.yaml: its Applications are not checked",
                        appset.name
                    ));
                }
            }
        }
        findings.extend(expansion.findings);
        generated.extend(expansion.applications);
    }
    repo.applications.extend(generated);
    partially_expanded
}

/// `helm template` capabilities: the kube version and every API version known.
fn plan_options(settings: &Settings, scopes: &ScopeRegistry) -> PlanOptions {
    let mut api_versions: Vec<String> = scopes.api_versions().map(str::to_string).collect();
    api_versions.extend(settings.api_versions.iter().cloned());
    api_versions.sort();
    api_versions.dedup();
    PlanOptions {
        kube_version: settings.kube_version.clone(),
        api_versions,
        offline: settings.offline,
        kustomize_build_options: settings.file.argocd.kustomize_build_options.clone(),
        kustomize_versions: settings.file.argocd.kustomize_versions.clone(),
        revision_fallback: settings.pull_request.head_sha.clone(),
        helm_repositories: settings.file.helm_repositories.clone(),
    }
}

/// Kustomize overlays of the ApplicationSets themselves (local-cluster overlays), when the profile
/// asks `preview-appset-hardening` to check them; built like any Kustomize source. A failed build
/// is a `render-failed` finding: the gate could not check what it was asked to.
fn build_overlays(
    settings: &Settings,
    findings: &mut Vec<Finding>,
) -> Vec<(PathBuf, Vec<render::RenderedDoc>)> {
    let root = settings.root.as_path();
    let render_options = &settings.render;
    let Some(hardening) = settings
        .profile
        .settings::<rules::preview_appset_hardening::Settings>(
            rules::preview_appset_hardening::META.code,
        )
    else {
        return Vec::new();
    };
    let jobs: Vec<RenderJob> = rules::preview_appset_hardening::local_overlays(root, &hardening)
        .into_iter()
        .map(|dir| RenderJob {
            app: 0,
            source: 0,
            kind: JobKind::Kustomize(Box::new(plan::KustomizeJob {
                dir,
                repo_root: root.to_path_buf(),
                edits: None,
                build_options: settings.file.argocd.kustomize_build_options.clone(),
            })),
        })
        .collect();
    if jobs.is_empty() {
        return Vec::new();
    }
    let dir_of = |job: &RenderJob| match &job.kind {
        JobKind::Kustomize(k) => k.dir.clone(),
        _ => PathBuf::new(),
    };
    let location = |job: &RenderJob| {
        let file = rules::preview_appset_hardening::kustomization_file(&dir_of(job));
        Location::file_start(std::sync::Arc::from(file.as_path()))
    };
    let (results, failures) = render::render_all(&jobs, render_options, &location, &|_, _| {});
    findings.extend(failures);
    let mut built = Vec::new();
    for result in results {
        match result.result {
            Ok(docs) => built.push((dir_of(&jobs[result.job]), docs)),
            Err(finding) => findings.push(finding),
        }
    }
    built
}

/// Applications chosen by `--app`/`--project`, and the projects all of whose Applications are chosen.
/// The namespace Helm charts are rendered into a second time to tell `{{ .Release.Namespace }}`
/// from a namespace that only happens to equal the destination.
const PROBE_NAMESPACE: &str = "preview-gate-namespace-probe";

/// Renders again, into [`PROBE_NAMESPACE`], only the Helm sources that rendered a namespaced object
/// with an explicit namespace equal to the destination whose template line is not plainly
/// `{{ .Release.Namespace }}`, and returns the inventory indices of the
/// objects whose namespace did not move, and the number of probe renders. A failing probe render
/// proves nothing and is ignored.
fn probe_pinned_namespaces(
    jobs: &[RenderJob],
    apps: &[Application],
    inventory: &Inventory,
    scopes: &ScopeRegistry,
    render_options: &RenderOptions,
    source_location: &dyn Fn(&RenderJob) -> Location,
) -> (Vec<usize>, usize) {
    let of_job = |job: &RenderJob| -> Vec<usize> {
        (0..inventory.objects.len())
            .filter(|&i| {
                let o = &inventory.objects[i];
                o.app == job.app && o.source == job.source
            })
            .collect()
    };
    let mut templates = rules::fixed_namespace::FileCache::new(&render_options.sources);
    let mut probes: Vec<(RenderJob, Vec<usize>)> = Vec::new();
    for job in jobs {
        let JobKind::Helm(helm) = &job.kind else {
            continue;
        };
        let destination = &apps[job.app].destination.namespace;
        let objects = of_job(job);
        // A template line that reads `{{ .Release.Namespace }}` follows by construction.
        let candidate = objects.iter().any(|&i| {
            let o = &inventory.objects[i];
            o.scope == Some(crate::argo::scope::Scope::Namespaced)
                && o.explicit_namespace.as_ref() == Some(destination)
                && !templates.follows_release_namespace(&o.origin)
        });
        let Some(at) = helm.args.iter().position(|a| a == "--namespace") else {
            continue;
        };
        if !candidate || helm.args.get(at + 1) != Some(destination) {
            continue;
        }
        let mut probe = job.clone();
        if let JobKind::Helm(helm) = &mut probe.kind {
            helm.args[at + 1] = PROBE_NAMESPACE.to_string();
        }
        probes.push((probe, objects));
    }
    if probes.is_empty() {
        return (Vec::new(), 0);
    }
    let probe_jobs: Vec<RenderJob> = probes.iter().map(|(job, _)| job.clone()).collect();
    let (results, _) = render::render_all(&probe_jobs, render_options, source_location, &|_, _| {});
    let mut pinned = Vec::new();
    for result in results {
        let Ok(docs) = result.result else { continue };
        let (job, objects) = &probes[result.job];
        let mut probed = Vec::new();
        let mut ignored = Vec::new();
        inventory::build(
            job.app,
            job.source,
            &apps[job.app],
            docs,
            scopes,
            &mut probed,
            &mut ignored,
        );
        let originals: Vec<_> = objects
            .iter()
            .map(|&i| inventory.objects[i].clone())
            .collect();
        pinned.extend(
            rules::fixed_namespace::pinned(&originals, &probed)
                .into_iter()
                .map(|k| objects[k]),
        );
    }
    (pinned, probes.len())
}

/// The Applications `settings` choose, and the projects all of whose Applications are chosen
/// and fully expanded (only those get stale-entry checks).
fn select(
    repo: &Repository,
    settings: &Settings,
    partially_expanded: &[Option<String>],
) -> (Vec<Application>, BTreeSet<String>) {
    let apps: Vec<Application> = repo
        .applications
        .iter()
        .filter(|a| settings.chooses(a))
        .cloned()
        .collect();
    if partially_expanded.iter().any(Option::is_none) {
        return (apps, BTreeSet::new());
    }
    let fully_checked = repo
        .projects
        .iter()
        .map(|p| p.name.clone())
        .filter(|name| {
            let of_project: Vec<_> = repo
                .applications
                .iter()
                .filter(|a| a.project_name() == name)
                .collect();
            !of_project.is_empty()
                && of_project.iter().all(|a| settings.chooses(a))
                && !partially_expanded.contains(&Some(name.clone()))
        })
        .collect();
    (apps, fully_checked)
}

/// A shell-like line for `--print-renders`.
fn describe(job: &RenderJob, apps: &[Application]) -> String {
    let app = &apps[job.app].name;
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    match &job.kind {
        JobKind::Helm(helm) => {
            let (chart, dir) = match &helm.chart {
                plan::ChartRef::Local { dir, .. } => (".".to_string(), dir.display().to_string()),
                plan::ChartRef::Remote {
                    chart,
                    repo,
                    version,
                } => {
                    let repo = repo
                        .as_ref()
                        .map(|r| format!(" --repo {r}"))
                        .unwrap_or_default();
                    (format!("{chart}{repo} --version {version}"), ".".into())
                }
            };
            let args: Vec<String> = helm.args.iter().map(|a| quote(a)).collect();
            let values = if helm.inline_values.is_some() {
                " --values <inline values>"
            } else {
                ""
            };
            format!(
                "# {app} source {}\n(cd {} && helm template {chart} {}{values})",
                job.source,
                quote(&dir),
                args.join(" ")
            )
        }
        JobKind::Kustomize(k) => {
            let edits = if k.edits.is_some() {
                " # with kustomize options applied to a copy"
            } else {
                ""
            };
            let options: String = k
                .build_options
                .iter()
                .map(|o| format!(" {}", quote(o)))
                .collect();
            format!(
                "# {app} source {}\nkustomize build {}{options}{edits}",
                job.source,
                quote(&k.dir.display().to_string())
            )
        }
        JobKind::Directory(d) => format!(
            "# {app} source {}\n# read directory {} (recurse: {})",
            job.source,
            d.dir.display(),
            d.options.recurse
        ),
    }
}

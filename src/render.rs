//! Runs render jobs on a bounded pool: the only module that starts processes. Every child runs in
//! its own process group, is killed as a group on timeout, and has its stderr kept for the report.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

use crate::diagnostic::{Code, Finding, Location, Severity};
use crate::origin::{self, Origins};
use crate::plan::{ChartRef, DirectoryJob, HelmJob, JobKind, KustomizeJob, RenderJob};

/// The external tools, resolved once.
#[derive(Debug, Clone)]
pub struct Tools {
    pub helm: Option<PathBuf>,
    pub kustomize: Kustomize,
}

#[derive(Debug, Clone)]
pub enum Kustomize {
    Binary(PathBuf),
    /// `kubectl kustomize`, when no `kustomize` binary exists.
    Kubectl(PathBuf),
    Missing,
}

impl Tools {
    /// Explicit paths win; else `helm`, `kustomize`, then `kubectl` from `PATH`.
    pub fn find(helm: Option<PathBuf>, kustomize: Option<PathBuf>) -> Tools {
        // Renders run from the chart directory, so a relative path must be made absolute first.
        let absolute = |p: PathBuf| {
            if p.components().count() > 1 {
                std::path::absolute(&p).unwrap_or(p)
            } else {
                which::which(&p).unwrap_or(p)
            }
        };
        let helm = helm.map(absolute).or_else(|| which::which("helm").ok());
        let kustomize = kustomize.map(absolute);
        let kustomize = match kustomize {
            Some(path)
                if path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("kubectl")) =>
            {
                Kustomize::Kubectl(path)
            }
            Some(path) => Kustomize::Binary(path),
            None => match (which::which("kustomize"), which::which("kubectl")) {
                (Ok(path), _) => Kustomize::Binary(path),
                (_, Ok(path)) => Kustomize::Kubectl(path),
                _ => Kustomize::Missing,
            },
        };
        Tools { helm, kustomize }
    }
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The text of the files origins read (chart templates), shared with the reports.
    pub sources: std::sync::Arc<crate::sources::Sources>,
    pub jobs: usize,
    pub timeout: Duration,
    pub tools: Tools,
}

pub use crate::origin::RenderedDoc;

#[derive(Debug)]
pub struct RenderOutcome {
    pub job: usize,
    pub result: Result<Vec<RenderedDoc>, Finding>,
}

/// Renders every job; results come back in job order.
pub fn render_all(
    jobs: &[RenderJob],
    options: &RenderOptions,
    source_locations: &dyn Fn(&RenderJob) -> Location,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Vec<RenderOutcome>, Vec<Finding>) {
    let scratch = match tempfile::Builder::new().prefix("preview-gate-").tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            let finding = Finding::new(
                Code::RenderFailed,
                Severity::Error,
                format!("cannot create a temporary directory: {e}"),
                source_locations(&jobs[0]),
            );
            return (Vec::new(), vec![finding]);
        }
    };
    let (prepared, mut findings) = build_dependencies(jobs, options, scratch.path());
    let locations: Vec<Location> = jobs.iter().map(source_locations).collect();
    let queue = Mutex::new((0..jobs.len()).collect::<Vec<_>>().into_iter());
    let results = Mutex::new(Vec::with_capacity(jobs.len()));
    let done = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1).min(jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let Some(index) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let job = &jobs[index];
                    let result = if let Some(failure) = prepared.failed.get(&index) {
                        Err(failure.clone())
                    } else {
                        render_one(
                            job,
                            options,
                            &prepared,
                            scratch.path(),
                            index,
                            &locations[index],
                        )
                    };
                    results
                        .lock()
                        .unwrap()
                        .push(RenderOutcome { job: index, result });
                    progress(
                        done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                        jobs.len(),
                    );
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.job);
    findings.extend(prepared.dependency_findings);
    (results, findings)
}

/// Charts whose dependencies were built in a mirror of their repository.
#[derive(Default)]
struct Prepared {
    /// Original chart directory → chart directory inside the mirror.
    chart_dirs: HashMap<PathBuf, PathBuf>,
    /// Mirror root → original repository root, to map rendered paths back.
    mirrors: Vec<(PathBuf, PathBuf)>,
    failed: HashMap<usize, Finding>,
    dependency_findings: Vec<Finding>,
}

/// `helm dependency build` in a copy of the repository (never in the user's tree), once per chart,
/// then a check that every declared dependency really is there.
fn build_dependencies(
    jobs: &[RenderJob],
    options: &RenderOptions,
    scratch: &Path,
) -> (Prepared, Vec<Finding>) {
    let mut prepared = Prepared::default();
    let mut findings = Vec::new();
    let mut built: HashMap<PathBuf, Option<Finding>> = HashMap::new();
    for (index, job) in jobs.iter().enumerate() {
        let JobKind::Helm(HelmJob {
            chart: ChartRef::Local { dir, repo_root },
            missing_dependencies,
            ..
        }) = &job.kind
        else {
            continue;
        };
        if missing_dependencies.is_empty() {
            continue;
        }
        if !built.contains_key(dir) {
            let outcome = (|| -> Result<(), Finding> {
                let mirror = match prepared
                    .mirrors
                    .iter()
                    .find(|(_, original)| original == repo_root)
                {
                    Some((mirror, _)) => mirror.clone(),
                    None => {
                        let mirror = scratch.join(format!("mirror-{}", prepared.mirrors.len()));
                        copy_tree(repo_root, &mirror).map_err(|e| {
                            Finding::new(
                                Code::RenderFailed,
                                Severity::Error,
                                format!(
                                    "cannot copy the repository to build chart dependencies: {e}"
                                ),
                                missing_dependencies[0].location.clone(),
                            )
                        })?;
                        prepared.mirrors.push((mirror.clone(), repo_root.clone()));
                        mirror
                    }
                };
                let mirrored = mirror.join(dir.strip_prefix(repo_root).unwrap_or(Path::new("")));
                let helm = options
                    .tools
                    .helm
                    .as_ref()
                    .ok_or_else(|| helm_missing(&missing_dependencies[0].location))?;
                let output = run(
                    Command::new(helm)
                        .args(["dependency", "build"])
                        .current_dir(&mirrored),
                    options.timeout,
                );
                let stderr = match &output {
                    Ok(out) if out.success => String::new(),
                    Ok(out) => out.stderr.trim().to_string(),
                    Err(e) => e.to_string(),
                };
                let missing: Vec<_> = missing_dependencies
                    .iter()
                    .filter(|d| !crate::plan::dependency_present(&mirrored, &d.name))
                    .collect();
                if let Some(first) = missing.first() {
                    let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
                    let detail = if stderr.is_empty() {
                        String::new()
                    } else {
                        format!(": {stderr}")
                    };
                    return Err(Finding::new(
                        Code::ChartDependencyMissing,
                        Severity::Error,
                        format!(
                            "chart dependency {} could not be built (repository {}){detail}",
                            names.join(", "),
                            first.repository
                        ),
                        first.location.clone(),
                    )
                    .help(
                        "fix the dependency's repository or version, or vendor it into charts/",
                    ));
                }
                prepared.chart_dirs.insert(dir.clone(), mirrored);
                Ok(())
            })();
            if let Err(finding) = &outcome {
                findings.push(finding.clone());
            }
            built.insert(dir.clone(), outcome.err());
        }
        if let Some(Some(finding)) = built.get(dir) {
            // Reported once above; later jobs on the same chart just stop.
            prepared.failed.insert(index, finding.clone());
        }
    }
    (prepared, findings)
}

fn helm_missing(location: &Location) -> Finding {
    Finding::new(
        Code::RenderFailed,
        Severity::Error,
        "no `helm` binary found",
        location.clone(),
    )
    .help("install Helm 3.14+ or 4.x, or pass --helm-bin / set PREVIEW_GATE_HELM")
}

fn render_one(
    job: &RenderJob,
    options: &RenderOptions,
    prepared: &Prepared,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let failed = |message: String| {
        Finding::new(
            Code::RenderFailed,
            Severity::Error,
            message,
            location.clone(),
        )
    };
    match &job.kind {
        JobKind::Helm(helm_job) => {
            render_helm(helm_job, options, prepared, scratch, index, location)
        }
        JobKind::Kustomize(kustomize_job) => {
            render_kustomize(kustomize_job, options, scratch, index, location)
        }
        JobKind::Directory(DirectoryJob {
            dir,
            repo_root,
            options: dir_options,
        }) => origin::read_directory(dir, repo_root, dir_options, &options.sources)
            .map_err(|(message, at)| failed(message).at(at.unwrap_or_else(|| location.clone()))),
    }
}

fn render_helm(
    job: &HelmJob,
    options: &RenderOptions,
    prepared: &Prepared,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let helm = options
        .tools
        .helm
        .as_ref()
        .ok_or_else(|| helm_missing(location))?;
    let mut command = Command::new(helm);
    command.arg("template");
    let origins = match &job.chart {
        ChartRef::Local { dir, .. } => {
            let render_dir = prepared.chart_dirs.get(dir).unwrap_or(dir);
            command.arg(".").current_dir(render_dir);
            Origins::helm(dir.clone(), job.chart_yaml.clone(), options.sources.clone())
        }
        ChartRef::Remote {
            chart,
            repo,
            version,
        } => {
            command.arg(chart).current_dir(scratch);
            if let Some(repo) = repo {
                command.args(["--repo", repo]);
            }
            if !version.is_empty() {
                command.args(["--version", version]);
            }
            Origins::fixed(location.clone())
        }
    };
    command.args(&job.args);
    if let Some(values) = &job.inline_values {
        // Argo CD writes `ValuesYAML()` to a file of its own and passes it last.
        let path = scratch.join(format!("values-{index}.yaml"));
        std::fs::write(&path, values)
            .map_err(|e| failed_at(location, format!("cannot write inline values: {e}")))?;
        command.arg("--values").arg(&path);
    }
    let output = run(&mut command, options.timeout)
        .map_err(|e| failed_at(location, format!("helm template {e}")))?;
    if !output.success {
        let stderr = output.stderr.trim();
        let at = origins
            .location_in_error(stderr)
            .unwrap_or_else(|| location.clone());
        return Err(failed_at(&at, format!("helm template failed: {stderr}"))
            .related("Application source", location.clone()));
    }
    origin::parse_helm_output(&output.stdout, &origins).map_err(|message| {
        failed_at(
            location,
            format!("helm template printed output that is not YAML: {message}"),
        )
    })
}

fn render_kustomize(
    job: &KustomizeJob,
    options: &RenderOptions,
    scratch: &Path,
    index: usize,
    location: &Location,
) -> Result<Vec<RenderedDoc>, Finding> {
    let mut build_dir = job.dir.clone();
    if let Some(edits) = &job.edits {
        // Argo CD runs `kustomize edit` on its own checkout; the gate edits a copy.
        let mirror = scratch.join(format!("kustomize-{index}"));
        copy_tree(&job.repo_root, &mirror)
            .map_err(|e| failed_at(location, format!("cannot copy the repository: {e}")))?;
        build_dir = mirror.join(
            job.dir
                .strip_prefix(&job.repo_root)
                .unwrap_or(Path::new("")),
        );
        crate::kustomize_edit::apply(&build_dir, edits)
            .map_err(|message| failed_at(location, message))?;
    }
    let mut command = match &options.tools.kustomize {
        Kustomize::Binary(path) => {
            let mut c = Command::new(path);
            c.arg("build");
            c
        }
        Kustomize::Kubectl(path) => {
            let mut c = Command::new(path);
            c.arg("kustomize");
            c
        }
        Kustomize::Missing => {
            return Err(failed_at(
                location,
                "neither `kustomize` nor `kubectl` was found".into(),
            )
            .help("install kustomize 5.x, or pass --kustomize-bin / set PREVIEW_GATE_KUSTOMIZE"));
        }
    };
    command.arg(&build_dir).current_dir(&build_dir);
    let output = run(&mut command, options.timeout)
        .map_err(|e| failed_at(location, format!("kustomize build {e}")))?;
    if !output.success {
        return Err(failed_at(
            location,
            format!("kustomize build failed: {}", output.stderr.trim()),
        ));
    }
    let origins = Origins::kustomize(&job.dir);
    origin::parse_plain_output(&output.stdout, &origins).map_err(|message| {
        failed_at(
            location,
            format!("kustomize printed output that is not YAML: {message}"),
        )
    })
}

fn failed_at(location: &Location, message: String) -> Finding {
    Finding::new(
        Code::RenderFailed,
        Severity::Error,
        message,
        location.clone(),
    )
}

pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not start: {0}")]
    Spawn(std::io::Error),
    #[error("timed out after {0:?} and was killed")]
    Timeout(Duration),
}

/// Runs a command in its own process group with a deadline; stdout and stderr are drained in
/// threads so a chatty child never blocks.
pub fn run(command: &mut Command, timeout: Duration) -> Result<Output, RunError> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    let pid = child.id() as i32;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let (sender, receiver) = mpsc::channel();
    // The waiter owns the child; a timeout kills the whole group by pid, which ends the wait.
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(child.wait().ok());
    });
    let status = match receiver.recv_timeout(timeout) {
        Ok(status) => status,
        Err(_) => {
            // SAFETY: signalling our own child's process group.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            let _ = waiter.join();
            let _ = out_reader.join();
            let _ = err_reader.join();
            return Err(RunError::Timeout(timeout));
        }
    };
    let _ = waiter.join();
    // Grandchildren that kept the pipes open are part of the group: end them too.
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(Output {
        success: status.is_some_and(|s| s.success()),
        stdout,
        stderr,
    })
}

/// Copies a directory tree, without `.git`, keeping symlinks as links.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let file_type = entry.file_type()?;
        if file_type.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&source)?, &target)?;
        } else if file_type.is_dir() {
            copy_tree(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)?;
        }
    }
    Ok(())
}

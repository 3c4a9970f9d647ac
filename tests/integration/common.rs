//! What the integration tests share: the built binary, the fixtures, the real Helm and Kustomize
//! to render with, and the trial constructors that name each test.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use libtest_mimic::{Failed, Trial};

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// One pinned tool set installed by `tools/install-test-tools`: `helm3` or `helm4`.
pub struct ToolSet {
    pub name: String,
    pub helm: PathBuf,
    /// `kubectl` of the same release; the gate runs it as `kubectl kustomize`.
    pub kubectl: PathBuf,
}

/// The set selected by `PREVIEW_GATE_TEST_HELM` (default `helm3`), under
/// `PREVIEW_GATE_TEST_TOOLS` or else `<cargo target dir>/test-tools`.
pub fn tool_set() -> &'static ToolSet {
    static SET: OnceLock<ToolSet> = OnceLock::new();
    SET.get_or_init(|| {
        tool_set_named(&std::env::var("PREVIEW_GATE_TEST_HELM").unwrap_or_else(|_| "helm3".into()))
    })
}

/// The installed set `name`, whichever set this run selected.
pub fn tool_set_named(name: &str) -> ToolSet {
    let root = std::env::var_os("PREVIEW_GATE_TEST_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // <target>/debug/preview-gate, whatever CARGO_TARGET_DIR is.
            Path::new(env!("CARGO_BIN_EXE_preview-gate"))
                .ancestors()
                .nth(2)
                .expect("the binary lives in <target>/<profile>/")
                .join("test-tools")
        });
    let dir = root.join(name);
    ToolSet {
        helm: dir.join("helm"),
        kubectl: dir.join("kubectl"),
        name: name.to_string(),
    }
}

/// Why a tool set cannot run, if it cannot.
pub fn tool_set_problem(set: &ToolSet) -> Option<String> {
    [&set.helm, &set.kubectl]
        .into_iter()
        .find(|tool| !tool.is_file())
        .map(|missing| {
            format!(
                "{} is missing: run `tools/install-test-tools {}` (or `tools/test`, which runs it)",
                missing.display(),
                set.name
            )
        })
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `preview-gate` in `dir` with the selected real Helm and Kustomize.
pub fn run_gate<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> Run {
    run_gate_with_env(dir, args, &[])
}

/// [`run_gate`] with extra environment variables, applied last so that they can replace the tools.
pub fn run_gate_with_env<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[S],
    env: &[(&str, &str)],
) -> Run {
    run_gate_with(tool_set(), dir, args, env)
}

/// [`run_gate_with_env`] with the tools of `set`.
pub fn run_gate_with<S: AsRef<std::ffi::OsStr>>(
    set: &ToolSet,
    dir: &Path,
    args: &[S],
    env: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_preview-gate"));
    command.args(args).current_dir(dir);
    with_tools(&mut command, set);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run preview-gate");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The environment every process that runs the gate gets: the pinned tools, no colour, no job
/// summary from the CI that runs the tests.
pub fn with_test_env(command: &mut Command) -> &mut Command {
    with_tools(command, tool_set())
}

fn with_tools<'a>(command: &'a mut Command, set: &ToolSet) -> &'a mut Command {
    command
        .env("PREVIEW_GATE_HELM", &set.helm)
        .env("PREVIEW_GATE_KUSTOMIZE", &set.kubectl)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
}

/// The AppProject `p` of [`tiny_repo`]: any source, any destination.
pub const PROJECT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: p\nspec:\n  sourceRepos: ['*']\n  destinations: [{server: '*', namespace: '*'}]\n";

pub const CHART_YAML: &str = "apiVersion: v2\nname: chart\nversion: 0.1.0\n";

/// An Application of project `p` into namespace `ns`; `source` continues its `source:` mapping.
pub fn app(name: &str, source: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\nspec:\n  project: p\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: ns\n  source:\n    repoURL: https://example.com/gitops.git\n{source}"
    )
}

/// A repository whose `https://example.com/gitops.git` is itself, with [`PROJECT`] and `files`.
pub fn tiny_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = (
        "preview-gate.yaml",
        "repositories:\n  https://example.com/gitops.git: .\n",
    );
    for (path, text) in [config, ("projects/p.yaml", PROJECT)].iter().chain(files) {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// A copy of the example with a variant's `files/` laid over it (for variants that delete nothing).
pub fn example_with(variant: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    copy_dir(&testdata().join("example"), work.path());
    copy_dir(
        &testdata().join("variants").join(variant).join("files"),
        work.path(),
    );
    commit_all(work.path());
    work
}

/// `check --format json . EXTRA` in `dir` with `env`: the exit code, the parsed report and stderr.
pub fn check_json_with(
    dir: &Path,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (i32, serde_json::Value, String) {
    let mut args = vec!["check", "--format", "json", "."];
    args.extend(extra);
    let run = run_gate_with_env(dir, &args, env);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, json, run.stderr)
}

/// `check --format json .` in `dir`: the exit code and the parsed report.
pub fn check_json(dir: &Path) -> (i32, serde_json::Value) {
    let (code, json, _) = check_json_with(dir, &[], &[]);
    (code, json)
}

/// Makes `dir` a Git checkout with everything in it committed: the gate reads what Git tracks.
pub fn commit_all(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--no-verify", "-m", "fixture"]);
}

/// Runs git in `dir` with no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.hooksPath=/dev/null",
        ])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        // Fixed dates: the fixture's commit id is the same in every run (snapshots show it).
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Copies `from` into `to` (merging), like `cp -r from/. to/`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Whether a test runs Helm or Kustomize: only those run again in the Helm 4 pass.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Renders,
    NoTools,
}

/// A named trial whose body may panic; the panic message and its location become the failure.
pub fn trial(name: String, needs: Needs, body: impl FnOnce() + Send + 'static) -> (Needs, Trial) {
    let trial = Trial::test(name, move || {
        catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "the test panicked".into());
            let location = PANIC_LOCATION.with(|l| l.borrow_mut().take());
            Failed::from(match location {
                Some(location) => format!("{message}\n  at {location}"),
                None => message,
            })
        })
    });
    (needs, trial)
}

thread_local! {
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps panics quiet on stderr (the harness prints them as failures) but remembers where.
pub fn record_panic_locations() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(ToString::to_string);
        PANIC_LOCATION.with(|l| *l.borrow_mut() = location);
    }));
}

/// Trials of plain test functions, named `<module>::<function>`.
#[macro_export]
macro_rules! trials {
    ($needs:ident: $($test:ident),+ $(,)?) => {{
        let module = module_path!().rsplit("::").next().unwrap();
        vec![$(
            $crate::common::trial(
                format!("{module}::{}", stringify!($test)),
                $crate::common::Needs::$needs,
                $test,
            )
        ),+]
    }};
}

//! Helpers shared by the integration tests: the built binary, the fixtures, and the Helm to use.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `preview-gate` in `dir`. Uses `PREVIEW_GATE_HELM`/`helm` on PATH as a user would; where no
/// helm exists, the repository's test front end (`tools/helm`, set up by `tools/test`).
pub fn run_gate<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> Run {
    run_gate_with_env(dir, args, &[])
}

pub fn run_gate_with_env<S: AsRef<std::ffi::OsStr>>(
    dir: &Path,
    args: &[S],
    env: &[(&str, &str)],
) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_preview-gate"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    if std::env::var_os("PREVIEW_GATE_HELM").is_none() && which_helm().is_none() {
        command.env(
            "PREVIEW_GATE_HELM",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/helm"),
        );
    }
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

fn which_helm() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|p| p.join("helm"))
        .find(|p| p.is_file())
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

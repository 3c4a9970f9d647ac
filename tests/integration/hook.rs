//! The pre-push hook, installed into a scratch repository: it blocks a push of a violating commit
//! and lets a clean one through.

use std::path::Path;
use std::process::Command;

use crate::common::{copy_dir, run_gate, testdata, with_test_env};

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    // The hook runs the gate, which must render with the pinned tools.
    with_test_env(&mut command);
    command.output().expect("run git")
}

fn ok(output: std::process::Output) -> std::process::Output {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn pre_push_hook_blocks_violations_and_passes_clean_pushes() {
    let scratch = tempfile::tempdir().unwrap();
    let remote = scratch.path().join("remote.git");
    let work = scratch.path().join("work");
    ok(git(
        scratch.path(),
        &["init", "--quiet", "--bare", remote.to_str().unwrap()],
    ));
    copy_dir(&testdata().join("example"), &work);
    ok(git(&work, &["init", "--quiet", "-b", "main"]));
    ok(git(
        &work,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    ));
    ok(git(&work, &["add", "-A"]));
    ok(git(&work, &["commit", "--quiet", "-m", "clean"]));

    let install = run_gate(&work, &["install-hook"]);
    assert_eq!(install.code, 0, "{}", install.stderr);
    let again = run_gate(&work, &["install-hook"]);
    assert_eq!(again.code, 0, "re-installing our own hook updates it");

    ok(git(&work, &["push", "--quiet", "origin", "main"]));

    copy_dir(
        &testdata().join("variants/forbidden-cluster-kind/files"),
        &work,
    );
    ok(git(&work, &["add", "-A"]));
    ok(git(
        &work,
        &["commit", "--quiet", "-m", "adds a ClusterRole"],
    ));
    let blocked = git(&work, &["push", "origin", "main"]);
    assert!(!blocked.status.success(), "the violating push must fail");
    let log = String::from_utf8_lossy(&blocked.stdout).into_owned()
        + &String::from_utf8_lossy(&blocked.stderr);
    assert!(log.contains("kind-not-allowed"), "{log}");
    let remote_head = git(&remote, &["rev-parse", "main"]);
    let local_head = git(&work, &["rev-parse", "HEAD~1"]);
    assert_eq!(
        remote_head.stdout, local_head.stdout,
        "the remote kept the clean commit"
    );

    // A pushed commit other than HEAD is checked as committed (`check --rev`).
    ok(git(&work, &["branch", "clean", "HEAD~1"]));
    ok(git(&work, &["push", "--quiet", "origin", "clean"]));

    // The verdict is the pushed commit's: a violation left untracked in the working tree of
    // a clean HEAD does not block the push.
    ok(git(&work, &["checkout", "--quiet", "clean"]));
    copy_dir(
        &testdata().join("variants/forbidden-cluster-kind/files"),
        &work,
    );
    ok(git(
        &work,
        &["push", "--quiet", "origin", "clean:clean-again"],
    ));
}

fn a_foreign_hook_is_not_overwritten_without_force() {
    let scratch = tempfile::tempdir().unwrap();
    ok(git(scratch.path(), &["init", "--quiet"]));
    let hook = scratch.path().join(".git/hooks/pre-push");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let refused = run_gate(scratch.path(), &["install-hook"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    let forced = run_gate(scratch.path(), &["install-hook", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("preview-gate")
    );
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    let mut trials =
        crate::trials!(Renders: pre_push_hook_blocks_violations_and_passes_clean_pushes);
    trials.extend(crate::trials!(NoTools: a_foreign_hook_is_not_overwritten_without_force));
    trials
}

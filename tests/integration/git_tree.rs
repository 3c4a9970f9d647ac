//! The tree Argo CD reads is a Git revision (`src/tree.rs`): untracked and ignored files, and
//! directories behind symlinks, never change the verdict; `--rev` checks one commit.

use std::path::Path;

use crate::common::{CHART_YAML, app, commit_all, git, run_gate, tiny_repo};

/// Exit code, `(rule, file, line)` of every finding, the Applications and the object count.
type Verdict = (i32, Vec<(String, String, u64)>, Vec<String>, u64);

fn verdict(dir: &Path, extra: &[&str]) -> Verdict {
    let (code, json, _) = crate::common::check_json_with(dir, extra, &[]);
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let apps = json["summary"]["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    (
        code,
        findings,
        apps,
        json["summary"]["objects"].as_u64().unwrap(),
    )
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n";

/// `helmTemplate` in `reposerver/repository/repository.go` reads value files from the checkout of
/// the commit: a values file that is only on the developer's disk does not exist for Argo CD.
fn an_untracked_values_file_is_not_read() {
    let repo = tiny_repo(&[
        ("chart/Chart.yaml", CHART_YAML),
        ("chart/values.yaml", "name: base\n"),
        ("chart/templates/cm.yaml", CONFIGMAP),
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: chart\n    helm:\n      valueFiles: [extra.yaml]\n",
            ),
        ),
    ]);
    commit_all(repo.path());
    let committed = verdict(repo.path(), &[]);
    assert_eq!(
        committed.0, 2,
        "the value file is missing for Argo CD: {committed:?}"
    );
    assert!(
        committed.1.iter().any(|f| f.0 == "render-failed"),
        "{committed:?}"
    );

    write(repo.path(), "chart/extra.yaml", "name: extra\n");
    assert_eq!(verdict(repo.path(), &[]), committed, "untracked: not read");

    git(repo.path(), &["add", "chart/extra.yaml"]);
    let tracked = verdict(repo.path(), &[]);
    assert_eq!(tracked.0, 0, "once tracked it is read: {tracked:?}");
}

/// `LsFiles` in `util/git/client.go` lists what Git tracks: an ignored file under a git files
/// generator's path generates no Application.
fn an_ignored_file_under_a_git_files_path_generates_nothing() {
    let appset = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: envs\nspec:\n  goTemplate: true\n  generators:\n    - git:\n        repoURL: https://example.com/gitops.git\n        revision: HEAD\n        files:\n          - path: ./envs/*/config.yaml\n  template:\n    metadata:\n      name: 'env-{{ .name }}'\n    spec:\n      project: p\n      source:\n        repoURL: https://example.com/gitops.git\n        path: manifests\n      destination:\n        server: https://kubernetes.default.svc\n        namespace: 'env-{{ .name }}'\n";
    let repo = tiny_repo(&[
        ("appsets/envs.yaml", appset),
        ("envs/a/config.yaml", "name: a\n"),
        ("envs/b/config.yaml", "name: b\n"),
        (".gitignore", "envs/b/\n"),
        (
            "manifests/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    commit_all(repo.path());
    let (code, findings, apps, _) = verdict(repo.path(), &[]);
    assert_eq!((code, findings), (0, vec![]));
    assert_eq!(apps, ["envs/env-a"], "envs/b is ignored");

    git(repo.path(), &["add", "--force", "envs/b/config.yaml"]);
    let (_, _, apps, _) = verdict(repo.path(), &[]);
    assert_eq!(apps, ["envs/env-a", "envs/env-b"], "force-added: tracked");
}

/// `findManifests` walks the source with `filepath.Walk`, which does not enter a symlinked
/// directory: what lies behind it is not applied.
#[cfg(unix)]
fn a_symlinked_directory_is_not_entered_by_a_recursed_directory_source() {
    let cluster_role =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n";
    let repo = tiny_repo(&[
        (
            "apps/web.yaml",
            &app(
                "web",
                "    path: manifests\n    directory:\n      recurse: true\n",
            ),
        ),
        (
            "manifests/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
        ("elsewhere/role.yaml", cluster_role),
    ]);
    commit_all(repo.path());
    let without = verdict(repo.path(), &[]);
    assert_eq!((without.0, without.3), (0, 1), "{without:?}");

    std::os::unix::fs::symlink("../elsewhere", repo.path().join("manifests/link")).unwrap();
    assert_eq!(verdict(repo.path(), &[]), without, "untracked symlink");
    git(repo.path(), &["add", "manifests/link"]);
    assert_eq!(
        verdict(repo.path(), &[]),
        without,
        "tracked symlink: not entered"
    );
}

/// `--rev` checks exactly one commit; `fix` refuses it (it edits the working tree).
fn rev_checks_exactly_that_commit() {
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", "    path: manifests\n")),
        (
            "manifests/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    commit_all(repo.path());
    write(
        repo.path(),
        "manifests/role.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n",
    );
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "adds a ClusterRole"]);
    git(repo.path(), &["rm", "-q", "manifests/role.yaml"]);

    let head = verdict(repo.path(), &["--rev", "HEAD"]);
    assert_eq!(head.0, 1, "{head:?}");
    assert_eq!(
        head.1,
        [(
            "kind-not-allowed".to_string(),
            "manifests/role.yaml".to_string(),
            2
        )],
        "points into the repository, not the temporary copy"
    );
    assert_eq!(verdict(repo.path(), &["--rev", "HEAD~1"]).0, 0);
    assert_eq!(verdict(repo.path(), &[]).0, 0, "the index no longer has it");

    let unknown = run_gate(repo.path(), &["check", "--rev", "no-such-branch", "."]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no-such-branch"),
        "{}",
        unknown.stderr
    );
    let fix = run_gate(repo.path(), &["fix", "--rev", "HEAD", "."]);
    assert_eq!(fix.code, 2);
    assert!(fix.stderr.contains("--rev"), "{}", fix.stderr);
}

/// A copy is read when untracked files exist; findings and excerpts still name the repository.
fn findings_in_a_copy_point_into_the_repository() {
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", "    path: manifests\n")),
        (
            "manifests/role.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n",
        ),
    ]);
    commit_all(repo.path());
    write(repo.path(), "notes/untracked.txt", "scratch\n");
    let run = run_gate(repo.path(), &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains("preview-gate-tree"), "{}", run.stdout);
    assert!(
        run.stdout.contains("--> manifests/role.yaml:2"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("kind: ClusterRole"),
        "the excerpt: {}",
        run.stdout
    );
}

/// A `targetRevision` other than the checked state is rendered from that commit of the local
/// repository; one the repository lacks is `source-unresolved` at that line, never the working
/// tree instead.
fn a_pinned_target_revision_is_rendered_from_that_commit() {
    let cluster_role =
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n";
    let repo = tiny_repo(&[(
        "manifests/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
    )]);
    commit_all(repo.path());
    git(repo.path(), &["tag", "v1"]);
    write(repo.path(), "manifests/role.yaml", cluster_role);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "adds a ClusterRole"]);
    git(repo.path(), &["tag", "v2"]);
    git(repo.path(), &["rm", "-q", "manifests/role.yaml"]);
    git(repo.path(), &["commit", "-q", "-m", "removes it"]);

    let pinned = |rev: &str| {
        app(
            "web",
            &format!("    path: manifests\n    targetRevision: {rev}\n"),
        )
    };
    write(repo.path(), "apps/web.yaml", &pinned("v1"));
    git(repo.path(), &["add", "-A"]);
    let v1 = verdict(repo.path(), &[]);
    assert_eq!((v1.0, v1.3), (0, 1), "v1 has only the ConfigMap: {v1:?}");

    write(repo.path(), "apps/web.yaml", &pinned("v2"));
    git(repo.path(), &["add", "-A"]);
    let v2 = verdict(repo.path(), &[]);
    assert_eq!(
        v2.1,
        [(
            "kind-not-allowed".to_string(),
            "manifests/role.yaml".to_string(),
            2
        )],
        "v2's ClusterRole, though HEAD deleted it"
    );
    let run = run_gate(repo.path(), &["check", "."]);
    assert!(
        run.stdout.contains("(in targetRevision v2)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("kind: ClusterRole"),
        "the excerpt: {}",
        run.stdout
    );

    write(repo.path(), "apps/web.yaml", &pinned("release-9"));
    git(repo.path(), &["add", "-A"]);
    let missing = verdict(repo.path(), &[]);
    assert_eq!(missing.0, 2);
    assert_eq!(
        missing.1,
        [(
            "source-unresolved".to_string(),
            "apps/web.yaml".to_string(),
            13
        )],
        "at the targetRevision line"
    );
    let run = run_gate(repo.path(), &["check", "."]);
    assert!(run.stdout.contains("release-9"), "{}", run.stdout);

    // The pull request's target branch is the checked state, and so is a configured name.
    write(repo.path(), "apps/web.yaml", &pinned("main"));
    git(repo.path(), &["add", "-A"]);
    assert_eq!(verdict(repo.path(), &[]).3, 1, "main: the checked tree");
    write(repo.path(), "apps/web.yaml", &pinned("develop"));
    write(
        repo.path(),
        "preview-gate.yaml",
        "repositories:\n  https://example.com/gitops.git: .\ncurrentRevisions: [develop]\n",
    );
    git(repo.path(), &["add", "-A"]);
    assert_eq!(
        verdict(repo.path(), &[]).0,
        0,
        "develop: configured as current"
    );
}

/// Outside Git every file is read, and the gate says so.
fn a_directory_outside_git_is_read_whole_with_a_warning() {
    let repo = tiny_repo(&[
        ("apps/web.yaml", &app("web", "    path: manifests\n")),
        (
            "manifests/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        ),
    ]);
    let run = run_gate(repo.path(), &["check", "--format", "json", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("not in a Git checkout"),
        "{}",
        run.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["summary"]["tree"]["kind"], "directory");
    let rev = run_gate(repo.path(), &["check", "--rev", "HEAD", "."]);
    assert_eq!(rev.code, 2, "--rev needs Git");
}

pub fn trials() -> Vec<(crate::common::Needs, libtest_mimic::Trial)> {
    let mut trials = crate::trials!(Renders:
        an_untracked_values_file_is_not_read,
        an_ignored_file_under_a_git_files_path_generates_nothing,
        rev_checks_exactly_that_commit,
        findings_in_a_copy_point_into_the_repository,
        a_directory_outside_git_is_read_whole_with_a_warning,
        a_pinned_target_revision_is_rendered_from_that_commit,
    );
    #[cfg(unix)]
    trials.extend(crate::trials!(Renders:
        a_symlinked_directory_is_not_entered_by_a_recursed_directory_source
    ));
    trials
}

//! Every integration test in one binary: each fixture variant, format snapshot and command-line
//! case is its own named trial, run in parallel against the built `preview-gate` with real Helm
//! and real Kustomize (`tools/install-test-tools`).
//!
//! `cargo test --test integration -- --list` names them all; `-- --exact variant::stale-entry`
//! runs one. `PREVIEW_GATE_TEST_HELM=helm4` runs the trials that render again with Helm 4 (and
//! the kustomize of kubectl v1.33); the others do not depend on the Helm version.

mod architecture;
mod cli;
mod common;
mod directory_sources;
mod docs;
mod failure_modes;
mod fix;
mod formats;
mod git_tree;
mod helm_sources;
mod helm_versions;
mod hook;
mod repo_server;
mod variants;
mod yaml_typing;

use common::Needs;

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    common::record_panic_locations();
    let set = common::tool_set();
    // The Helm 3 pass also runs the tests that compare both versions.
    let needed = if set.name == "helm3" {
        vec![
            common::tool_set_named("helm3"),
            common::tool_set_named("helm4"),
        ]
    } else {
        Vec::new()
    };
    if !args.list {
        if let Some(problem) = std::iter::once(set)
            .chain(&needed)
            .find_map(common::tool_set_problem)
        {
            eprintln!("integration tests: {problem}");
            std::process::exit(2);
        }
    }
    let every_trial = [
        architecture::trials(),
        cli::trials(),
        directory_sources::trials(),
        docs::trials(),
        failure_modes::trials(),
        fix::trials(),
        formats::trials(),
        git_tree::trials(),
        helm_sources::trials(),
        helm_versions::trials(),
        hook::trials(),
        repo_server::trials(),
        variants::trials(),
        yaml_typing::trials(),
    ];
    let helm3 = set.name == "helm3";
    let trials = every_trial
        .into_iter()
        .flatten()
        .filter(|(needs, _)| helm3 || *needs == Needs::Renders)
        .map(|(_, trial)| {
            if helm3 {
                trial
            } else {
                trial.with_kind(&set.name)
            }
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

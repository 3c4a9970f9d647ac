//! `preview-gate` command line: parse arguments, run the pipeline, print, exit. No logic here.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ColorChoice, Command, Format};
use preview_gate::{fix, outcome, pipeline, report, rules};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(*args),
        Command::Fix(args) => fix(*args),
        Command::Rules => {
            let width = rules::all().map(|m| m.id().len()).max().unwrap_or(0);
            for meta in rules::all() {
                println!(
                    "{:<width$}  {:<7}  {}",
                    meta.id(),
                    meta.severity.to_string(),
                    meta.summary
                );
            }
            0
        }
        Command::Explain { rule } => match rules::doc(&rule) {
            Some(doc) => {
                println!("{doc}");
                0
            }
            None => {
                eprintln!("preview-gate: unknown rule `{rule}`; `preview-gate rules` lists them");
                2
            }
        },
        Command::InstallHook { force, dir } => match preview_gate::hook::install(&dir, force) {
            Ok(path) => {
                println!("installed {}", path.display());
                0
            }
            Err(message) => {
                eprintln!("preview-gate: {message}");
                2
            }
        },
    };
    ExitCode::from(code as u8)
}

fn check(args: cli::CheckArgs) -> i32 {
    // With --output the human log moves to stderr, so that is where colour and progress look.
    let log_is_terminal = if args.output.is_some() {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            log_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let show_progress = (args.format == Format::Human || args.output.is_some())
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    let format = args.format;
    let output = args.output.clone();
    let print_renders = args.print_renders;
    let step_summary = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let options = args.into_options(show_progress);
    let outcome = match pipeline::check(&options) {
        Ok(outcome) => outcome,
        Err(message) => {
            eprintln!("preview-gate: {message}");
            if let Some(path) = &step_summary {
                summary_error(path, report::summary::append_failure(path, &message));
            }
            return 2;
        }
    };
    warn_about_tree(&outcome, &options.dir);
    if print_renders {
        for line in &outcome.planned {
            println!("{line}");
        }
        return 0;
    }
    let mut code = outcome.exit_code();
    match &output {
        None => {
            if let Err(e) = write_stdout(&render(format, &outcome, color)) {
                eprintln!("preview-gate: cannot write the report to stdout: {e}");
                code = 2;
            }
        }
        Some(path) => {
            eprint!("{}", report::human::render(&outcome, color));
            if let Err(e) = std::fs::write(path, render(format, &outcome, false)) {
                eprintln!("preview-gate: --output {}: {e}", path.display());
                code = 2;
            }
        }
    }
    if let Some(path) = &step_summary {
        summary_error(path, report::summary::append(path, &outcome));
    }
    code
}

fn fix(args: cli::FixArgs) -> i32 {
    // The fix report is diffs and a list: it has no machine format.
    if args.options.format != Format::Human || args.options.output.is_some() {
        eprintln!("preview-gate: fix prints a human report to stdout only; drop --format/--output");
        return 2;
    }
    let color = match args.options.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    if args.options.rev.is_some() {
        eprintln!(
            "preview-gate: fix edits the working tree; it cannot change a commit (drop --rev)"
        );
        return 2;
    }
    let print_renders = args.options.print_renders;
    let show_progress = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    let outcome = match pipeline::check(&args.options.into_options(show_progress)) {
        Ok(outcome) => outcome,
        Err(message) => {
            eprintln!("preview-gate: {message}");
            return 2;
        }
    };
    if print_renders {
        for line in &outcome.planned {
            println!("{line}");
        }
        return 0;
    }
    let (text, code) = if outcome.exit_code() == 2 {
        (report::fix::incomplete(&outcome, color), 2)
    } else {
        let applied = fix::apply(&outcome.fix, args.check);
        let code = applied.exit_code(&outcome.fix);
        (report::fix::applied(&outcome.fix, &applied, color), code)
    };
    if let Err(e) = write_stdout(&text) {
        eprintln!("preview-gate: cannot write the report to stdout: {e}");
        return 2;
    }
    code
}

/// Argo CD reads committed files only; a directory outside Git is read whole, which can differ.
fn warn_about_tree(outcome: &outcome::Outcome, dir: &Path) {
    if outcome.tree == Some(preview_gate::tree::Kind::Directory) {
        eprintln!(
            "preview-gate: warning: {} is not in a Git checkout, so every file under it is read; Argo CD reads only committed files",
            dir.display()
        );
    }
}

/// The report is the verdict's evidence: losing it fails the run (exit 2).
fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

fn render(format: Format, outcome: &outcome::Outcome, color: bool) -> String {
    match format {
        Format::Human => report::human::render(outcome, color),
        Format::Json => report::json::render(outcome),
        Format::Github => report::github::render(outcome),
        Format::Sarif => report::sarif::render(outcome),
        Format::Junit => report::junit::render(outcome),
    }
}

/// The summary is a convenience next to the check's own output: failing to write it is reported,
/// never a reason to change the verdict.
fn summary_error(path: &Path, result: std::io::Result<()>) {
    if let Err(e) = result {
        eprintln!("preview-gate: GITHUB_STEP_SUMMARY {}: {e}", path.display());
    }
}

//! `preview-gate` command line: parse arguments, run the pipeline, print, exit. No logic here.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ColorChoice, Command, Format};
use preview_gate::{pipeline, report, rules};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules => {
            let width = rules::ALL.iter().map(|m| m.id.len()).max().unwrap_or(0);
            for meta in rules::ALL {
                println!(
                    "{:<width$}  {:<7}  {}",
                    meta.id,
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
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let show_progress = args.format == Format::Human
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    let format = args.format;
    let print_renders = args.print_renders;
    let options = args.into_options(show_progress);
    let outcome = match pipeline::check(&options) {
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
    let text = match format {
        Format::Human => report::human::render(&outcome, color),
        Format::Json => report::json::render(&outcome),
        Format::Github => report::github::render(&outcome),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    outcome.exit_code()
}

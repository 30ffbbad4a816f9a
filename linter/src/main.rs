//! The `drlint` command line: thin glue over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use drlint::check::check;
use drlint::hcl::VariableInputs;
use drlint::render::{docs, github, human, json, markdown, sarif};
use drlint::rules::codes::{self, RULES};
use drlint::settings::{Limits, Settings, LIMITS};
use drlint::tiers::Severity;

/// drlint checks Terraform/OpenTofu trees and plans against the DR tier they promise.
#[derive(Parser)]
#[command(name = "drlint", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check directories of .tf files and plan files from `terraform show -json`.
    ///
    /// Exit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 on a usage
    /// or input error (findings from the readable inputs are still reported).
    #[command(after_help = limits_help())]
    Check(CheckArgs),
    /// List the rules, or write their documentation pages with --markdown DIR.
    Rules {
        /// Write DIR/<CODE>.md for every rule and DIR/README.md as the index.
        #[arg(long, value_name = "DIR")]
        markdown: Option<PathBuf>,
    },
    /// Explain one rule, by code (DR201) or name (db-instance-multi-az).
    Rule { code: String },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// miette diagnostics with the HCL snippet.
    Human,
    /// The stable JSON contract (version 1).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions annotations.
    Github,
    /// Markdown report grouped by tier, for architecture reviews.
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// A variable definitions file for the root modules (after terraform.tfvars and *.auto.tfvars).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// A root-module variable, NAME=VALUE (highest precedence).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Raise or lower a limit on the work one run may do, NAME=N (see LIMITS below).
    #[arg(long = "limit", value_name = "NAME=N")]
    limits: Vec<String>,
    /// Directories (searched recursively for modules) and plan JSON files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

/// The `--limit` table for `drlint check --help`, from the one list of limits.
fn limits_help() -> String {
    let mut out = String::from("LIMITS (--limit NAME=N):\n");
    for spec in LIMITS {
        out.push_str(&format!(
            "  {:<20} {:>10}  {}\n",
            spec.name, spec.default, spec.what
        ));
    }
    out
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Rules {
            markdown: Some(dir),
        } => {
            if let Err(error) = std::fs::create_dir_all(&dir) {
                eprintln!("error: cannot create {}: {error}", dir.display());
                return ExitCode::from(2);
            }
            for (name, contents) in docs::pages() {
                let path = dir.join(name);
                if let Err(error) = std::fs::write(&path, contents) {
                    eprintln!("error: cannot write {}: {error}", path.display());
                    return ExitCode::from(2);
                }
            }
            ExitCode::SUCCESS
        }
        Command::Rules { markdown: None } => {
            let mut out = String::new();
            for info in RULES {
                out.push_str(&format!(
                    "{:<6} {:<26} {:<19} {}\n",
                    info.code,
                    info.name,
                    info.category.name(),
                    info.summary
                ));
            }
            print(&out)
        }
        Command::Rule { code } => match codes::find(&code) {
            Some(info) => print(&docs::page(info)),
            None => {
                eprintln!("error: no rule {code:?}; `drlint rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

fn print(text: &str) -> ExitCode {
    // A closed pipe (`drlint rules | head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn run_check(args: CheckArgs) -> ExitCode {
    let mut vars = Vec::new();
    for assignment in &args.vars {
        match assignment.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                vars.push((name.trim().to_owned(), value.to_owned()))
            }
            _ => {
                eprintln!("error: --var {assignment:?} must be NAME=VALUE");
                return ExitCode::from(2);
            }
        }
    }
    let mut settings = Settings {
        inputs: VariableInputs {
            var_files: args.var_files,
            vars,
            ..VariableInputs::default()
        }
        .with_process_environment(),
        limits: Limits::default(),
    };
    for assignment in &args.limits {
        if let Err(message) = settings.limits.set(assignment) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let run = check(&args.paths, &settings);
    let stdout = std::io::stdout();
    let written = match args.format {
        Format::Human => {
            let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let width = if color { 120 } else { 100 };
            let text = human::render(&run, &human::Style { color, width });
            stdout.lock().write_all(text.as_bytes())
        }
        Format::Json => {
            let mut out = std::io::BufWriter::new(stdout.lock());
            serde_json::to_writer_pretty(&mut out, &json::render(&run))
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
        }
        Format::Sarif => {
            let mut out = std::io::BufWriter::new(stdout.lock());
            serde_json::to_writer_pretty(&mut out, &sarif::render(&run))
                .map_err(std::io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .and_then(|()| out.flush())
        }
        Format::Github => stdout.lock().write_all(github::render(&run).as_bytes()),
        Format::Markdown => stdout.lock().write_all(markdown::render(&run).as_bytes()),
    };
    // A closed pipe (`drlint check ... | head`) is not an input error; nothing more to say.
    let _ = written;
    if !run.errors.is_empty() {
        if !matches!(args.format, Format::Human) {
            for error in &run.errors {
                eprintln!("error: {error}");
            }
        }
        return ExitCode::from(2);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
    };
    let failed = run
        .findings
        .iter()
        .any(|finding| finding.severity >= threshold);
    // The process ends here: handing a model of a hundred thousand resources back to the
    // allocator piece by piece only delays the exit.
    std::mem::forget(run);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

//! The `drlint` command line: thin glue over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use drlint::baseline::Baseline;
use drlint::check::check;
use drlint::config::ConfigChoice;
use drlint::hcl::VariableInputs;
use drlint::render::{docs, Format as OutputFormat, Gate, Options, UnknownPolicy};
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
    /// Write the architecture-review report, grouped by DR tier: each tier's contract, its
    /// workloads and stateful resources, compliance by category, the gaps with their fixes,
    /// failover policies and drills, and the unknowns apart.
    ///
    /// Exit status: 0 when the report was written (it is a report, not a gate), 2 on a usage
    /// error, or on an input error (the report is still written, with the errors listed).
    #[command(after_help = limits_help())]
    Report(ReportArgs),
    /// Record today's findings so that `check --baseline FILE` fails only on new ones.
    Baseline {
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// List the rules, or write their documentation pages with --markdown DIR.
    Rules {
        /// Write DIR/<CODE>.md for every rule and DIR/README.md as the index.
        #[arg(long, value_name = "DIR")]
        markdown: Option<PathBuf>,
    },
    /// Explain one rule, by code (DR201) or name (db-instance-multi-az).
    Rule { code: String },
    /// Print the `.drlint.hcl` reference (Markdown), or check a config file.
    Config {
        /// Print the reference of every setting (linter/docs/config.md is this output).
        #[arg(long, conflicts_with = "file")]
        reference: bool,
        /// A `.drlint.hcl` to check: exit 2 with its errors, 0 when it is valid.
        #[arg(value_name = "FILE", required_unless_present = "reference")]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BaselineAction {
    /// Check PATH... as `drlint check` would and write every finding's fingerprint to FILE.
    ///
    /// Exit status: 0 when FILE was written, 2 on a usage or input error (then nothing is
    /// written: a baseline of a run that could not read everything would hide findings).
    Create {
        /// The baseline file to write (JSON).
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        check: CheckArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Output format on standard output.
    #[arg(long, value_enum, default_value = "human")]
    format: OutputFormat,
    /// Also write FORMAT to FILE (repeatable: `--output sarif=drlint.sarif --output junit=drlint.xml`);
    /// FILE `-` is standard output, in place of --format.
    #[arg(long = "output", value_name = "FORMAT=FILE")]
    outputs: Vec<String>,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// How findings whose certainty is unknown count toward the exit status.
    #[arg(long, value_enum, default_value = "fail")]
    unknown: UnknownPolicy,
    /// Findings recorded in FILE (`drlint baseline create`) are reported as baselined and never
    /// fail the run; only new findings do.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    #[command(flatten)]
    inputs: InputArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// GitHub-flavoured Markdown with tables and Mermaid diagrams.
    Markdown,
    /// One self-contained HTML page (inline style and SVG charts; nothing loaded from anywhere).
    Html,
}

#[derive(clap::Args)]
struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    inputs: InputArgs,
}

/// What `check` and `report` read, and how.
#[derive(clap::Args)]
struct InputArgs {
    /// Use this `.drlint.hcl` for every root and plan instead of the nearest one found upward.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no `.drlint.hcl`: the built-in settings.
    #[arg(long)]
    no_config: bool,
    /// Paths in the outputs are relative to DIR (SARIF's %SRCROOT%); the working directory by default.
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
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
        Command::Report(args) => run_report(args),
        Command::Baseline {
            action: BaselineAction::Create { file, check: args },
        } => create_baseline(&file, args),
        Command::Config {
            reference: true, ..
        } => print(&drlint::config::reference()),
        Command::Config {
            file: Some(file), ..
        } => match drlint::config::Config::load(&file) {
            Ok(_) => {
                println!("{}: valid", file.display());
                ExitCode::SUCCESS
            }
            Err(errors) => {
                for error in errors {
                    eprintln!("error: {error}");
                }
                ExitCode::from(2)
            }
        },
        Command::Config { .. } => ExitCode::from(2),
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

/// The settings and output options `inputs` ask for; a usage error is reported and becomes
/// exit status 2.
fn prepare(inputs: &InputArgs) -> Result<(Settings, Options), ExitCode> {
    let mut vars = Vec::new();
    for assignment in &inputs.vars {
        match assignment.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                vars.push((name.trim().to_owned(), value.to_owned()))
            }
            _ => {
                eprintln!("error: --var {assignment:?} must be NAME=VALUE");
                return Err(ExitCode::from(2));
            }
        }
    }
    let mut settings = Settings {
        inputs: VariableInputs {
            var_files: inputs.var_files.clone(),
            vars,
            ..VariableInputs::default()
        }
        .with_process_environment(),
        limits: Limits::default(),
        config: match (inputs.config.clone(), inputs.no_config) {
            (Some(file), _) => ConfigChoice::File(file),
            (None, true) => ConfigChoice::Builtin,
            (None, false) => ConfigChoice::Discover,
        },
    };
    for assignment in &inputs.limits {
        if let Err(message) = settings.limits.set(assignment) {
            eprintln!("error: {message}");
            return Err(ExitCode::from(2));
        }
    }
    let base_dir = match inputs
        .base_dir
        .clone()
        .map_or_else(std::env::current_dir, Ok)
    {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("error: cannot read the working directory ({error}): pass --base-dir");
            return Err(ExitCode::from(2));
        }
    };
    let mut options = Options::new(base_dir);
    options.docs_url = std::env::var("DRLINT_DOCS_URL")
        .ok()
        .filter(|url| !url.trim().is_empty());
    Ok((settings, options))
}

fn run_report(args: ReportArgs) -> ExitCode {
    let (settings, mut options) = match prepare(&args.inputs) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let format = match args.format {
        ReportFormat::Markdown => OutputFormat::Markdown,
        ReportFormat::Html => OutputFormat::Html,
    };
    let run = check(&args.inputs.paths, &settings);
    if options.docs_url.is_none() {
        options.docs_url = run.docs_url.clone();
    }
    let written = match &args.output {
        Some(file) => std::fs::File::create(file)
            .and_then(|mut out| format.write(&run, &options, false, &mut out))
            .map_err(|error| format!("cannot write the report to {}: {error}", file.display())),
        // A closed pipe (`drlint report ... | head`) is not worth an error.
        None => {
            let _ = format.write(&run, &options, false, &mut std::io::stdout().lock());
            Ok(())
        }
    };
    for error in &run.errors {
        eprintln!("error: {error}");
    }
    let failed = match written {
        Ok(()) => !run.errors.is_empty(),
        Err(message) => {
            eprintln!("error: {message}");
            true
        }
    };
    std::mem::forget(run);
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let (settings, mut options) = match prepare(&args.inputs) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let mut outputs = Vec::new();
    for assignment in &args.outputs {
        match parse_output(assignment) {
            Ok(output) => outputs.push(output),
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    }
    options.gate = Gate {
        fail_on: match args.fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        },
        unknown: args.unknown,
    };
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut run = check(&args.inputs.paths, &settings);
    if let Some(baseline) = &baseline {
        baseline.apply(&mut run.findings, &options.base_dir);
    }
    if options.docs_url.is_none() {
        options.docs_url = run.docs_url.clone();
    }
    let stdout_format = outputs
        .iter()
        .find(|(_, file)| file.as_os_str() == "-")
        .map_or(args.format, |(format, _)| *format);
    let mut write_failed = false;
    for (format, file) in outputs.iter().filter(|(_, file)| file.as_os_str() != "-") {
        let written = std::fs::File::create(file)
            .and_then(|mut out| format.write(&run, &options, false, &mut out));
        if let Err(error) = written {
            eprintln!(
                "error: cannot write the {} output to {}: {error}",
                format.name(),
                file.display()
            );
            write_failed = true;
        }
    }
    let stdout = std::io::stdout();
    let color = matches!(stdout_format, OutputFormat::Human)
        && stdout.is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    // A closed pipe (`drlint check ... | head`) is not an input error; nothing more to say.
    let _ = stdout_format.write(&run, &options, color, &mut stdout.lock());
    if !run.errors.is_empty() || write_failed {
        if !matches!(stdout_format, OutputFormat::Human) {
            for error in &run.errors {
                eprintln!("error: {error}");
            }
        }
        return ExitCode::from(2);
    }
    let failed = run
        .findings
        .iter()
        .any(|finding| options.gate.fails(finding));
    // The process ends here: handing a model of a hundred thousand resources back to the
    // allocator piece by piece only delays the exit.
    std::mem::forget(run);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `drlint baseline create FILE PATH...`.
fn create_baseline(file: &std::path::Path, args: CheckArgs) -> ExitCode {
    let (settings, options) = match prepare(&args.inputs) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let run = check(&args.inputs.paths, &settings);
    if !run.errors.is_empty() {
        for error in &run.errors {
            eprintln!("error: {error}");
        }
        eprintln!(
            "error: {} not written: fix the input errors first, or the baseline would miss what could not be read",
            file.display()
        );
        return ExitCode::from(2);
    }
    let text = drlint::baseline::render(&run.findings, &options.base_dir);
    if let Err(error) = std::fs::write(file, text) {
        eprintln!("error: cannot write {}: {error}", file.display());
        return ExitCode::from(2);
    }
    eprintln!(
        "drlint: recorded {} finding(s) in {}; `drlint check --baseline {} ...` now fails only on new ones",
        run.findings.len(),
        file.display(),
        file.display()
    );
    ExitCode::SUCCESS
}

/// `FORMAT=FILE` of `--output`.
fn parse_output(assignment: &str) -> Result<(OutputFormat, PathBuf), String> {
    let names = || {
        OutputFormat::ALL
            .iter()
            .map(|format| format.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((name, file)) = assignment.split_once('=') else {
        return Err(format!(
            "--output {assignment:?} must be FORMAT=FILE, with FORMAT one of {}",
            names()
        ));
    };
    let Some(format) = OutputFormat::from_name(name.trim()) else {
        return Err(format!(
            "--output {assignment:?}: no format {:?}; the formats are {}",
            name.trim(),
            names()
        ));
    };
    if file.is_empty() {
        return Err(format!(
            "--output {assignment:?}: name a FILE after `=` (`-` for standard output)"
        ));
    }
    Ok((format, PathBuf::from(file)))
}

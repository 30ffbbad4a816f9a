//! Writes a large generated plan for benchmarking the plan loader.
//!
//! ```text
//! cargo run --release -p drlint --example gen_plan -- /tmp/plan-150k.json 150000
//! ```
//!
//! The second argument is the number of resource instances (default 150,000, about 280 MB).

mod generator;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: gen_plan PATH [RESOURCES]");
        return ExitCode::from(2);
    };
    let resources = match args.next().map(|count| count.parse::<usize>()) {
        None => 150_000,
        Some(Ok(count)) => count,
        Some(Err(error)) => {
            eprintln!("gen_plan: RESOURCES must be a number: {error}");
            return ExitCode::from(2);
        }
    };
    let shape = generator::PlanShape::with_resources(resources);
    let written = std::fs::File::create(&path).and_then(|file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        generator::write_plan(&mut out, &shape)?;
        out.flush()
    });
    match written {
        Ok(()) => {
            let size = std::fs::metadata(&path).map_or(0, |meta| meta.len());
            println!(
                "{path}: {} resources, {:.1} MB",
                shape.resources(),
                size as f64 / 1e6
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("gen_plan: {path}: {error}");
            ExitCode::FAILURE
        }
    }
}

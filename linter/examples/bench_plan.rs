//! Where the time goes on a plan: `cargo run --release -p drlint --example bench_plan -- plan.json`
//! prints the seconds spent parsing the JSON alone, loading the plan, building the model,
//! running the rules and rendering JSON.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_plan FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let parsed = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok();
    println!(
        "serde_json::Value parse: {:.2} s (ok: {parsed})",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let run = drlint::check::check(
        &[std::path::PathBuf::from(&path)],
        &drlint::settings::Settings::default(),
    );
    println!(
        "drlint check (load + model + rules): {:.2} s, {} findings",
        start.elapsed().as_secs_f64(),
        run.findings.len()
    );
    let start = Instant::now();
    let rendered = serde_json::to_string(&drlint::render::json::render(
        &run,
        &drlint::render::Options::new(".".into()),
    ))
    .map(|s| s.len())
    .unwrap_or(0);
    println!(
        "JSON rendering: {:.2} s ({rendered} bytes)",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let document = drlint::plan::PlanDocument::parse(&bytes).map(|d| d.resources.len());
    println!(
        "PlanDocument::parse alone: {:.2} s ({document:?} resources)",
        start.elapsed().as_secs_f64()
    );
}

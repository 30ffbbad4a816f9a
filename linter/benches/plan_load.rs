//! Plan loading speed and memory against parsing the same JSON into a `serde_json::Value`.
//!
//! ```text
//! cargo bench -p drlint --bench plan_load                        # generates 150k resources in memory
//! cargo run --release -p drlint --example gen_plan -- /tmp/plan.json
//! cargo bench -p drlint --bench plan_load -- /tmp/plan.json      # a plan on disk (any encoding)
//! cargo bench -p drlint --bench plan_load -- /tmp/plan.json load # one loader run: its peak memory
//! cargo bench -p drlint --bench plan_load -- /tmp/plan.json value # one Value parse: its peak memory
//! ```
//!
//! The target: `PlanDocument::parse` at least half as fast as `serde_json::from_slice` into a
//! `Value`, which only parses. Peak memory is the process high-water mark (`VmHWM`, Linux).

#[path = "../examples/gen_plan/generator.rs"]
mod generator;

use std::hint::black_box;
use std::time::{Duration, Instant};

use drlint::plan::PlanDocument;

const RUNS: usize = 3;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            drop(black_box(f()));
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `cargo bench` adds `--bench`; positional arguments are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with("--"))
        .collect();
    let bytes = match args.first() {
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("plan_load: {path}: {error}");
                std::process::exit(2);
            }
        },
        None => {
            let shape = generator::PlanShape::with_resources(150_000);
            println!("generating a plan of {} resources", shape.resources());
            let mut bytes = Vec::new();
            if let Err(error) = generator::write_plan(&mut bytes, &shape) {
                eprintln!("plan_load: generating the plan: {error}");
                std::process::exit(2);
            }
            bytes
        }
    };
    let mb = bytes.len() as f64 / 1e6;
    let mode = args.get(1).map_or("both", String::as_str);
    println!("plan: {mb:.1} MB");
    let before = peak_rss_mb();

    let mut load_speed = None;
    if mode != "value" {
        match PlanDocument::parse(&bytes) {
            Ok(plan) => println!("resources kept: {}", plan.resources.len()),
            Err(error) => {
                eprintln!("plan_load: {error}");
                std::process::exit(1);
            }
        }
        let runs = if mode == "load" { 1 } else { RUNS };
        let time = best_of(runs, || PlanDocument::parse(&bytes));
        let speed = mb / time.as_secs_f64();
        println!("PlanDocument::parse          {time:>10.2?}  {speed:>7.0} MB/s");
        load_speed = Some(speed);
    }
    if mode != "load" {
        let runs = if mode == "value" { 1 } else { RUNS };
        let time = best_of(runs, || {
            serde_json::from_slice::<serde_json::Value>(&bytes).map_err(|error| error.to_string())
        });
        let speed = mb / time.as_secs_f64();
        println!("serde_json::from_slice<Value>{time:>10.2?}  {speed:>7.0} MB/s");
        if let Some(load) = load_speed {
            println!("loader speed / raw parse speed: {:.2}", load / speed);
        }
    }
    if let (Some(before), Some(peak)) = (before, peak_rss_mb()) {
        println!("peak RSS: {peak:.0} MB ({before:.0} MB with the input alone)");
    }
}

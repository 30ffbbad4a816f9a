//! Baseline for the plan benchmark: parse a JSON file into `serde_json::Value` and nothing else.
//! `cargo run --release -p drlint --example parse_json -- plan.json`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_json FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(value) => println!(
            "{} top-level keys",
            value.as_object().map_or(0, |o| o.len())
        ),
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    }
}

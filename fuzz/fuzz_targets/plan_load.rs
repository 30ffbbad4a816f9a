//! `PlanDocument::parse` on arbitrary bytes, then every resource through `from_plan`, the way
//! `drlint check plan.json` reads a file: no input may panic, hang or exhaust memory.

#![no_main]

use std::path::Path;

use drlint::plan::PlanDocument;
use drlint::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let _ = PlanDocument::looks_like_plan(bytes);
    let Ok(document) = PlanDocument::parse(bytes) else {
        return;
    };
    let path = Path::new("fuzz-plan.json");
    for planned in &document.resources {
        let resource = drlint::check::from_plan(path, &document, planned, FileId(0));
        // Reading the resource back exercises the lookups rules make.
        let _ = (resource.get(&["multi_az"]), resource.tag("dr-tier"));
        let _ = (
            planned.tags(),
            planned.contains_unknown(&["tags_all".into()]),
        );
    }
});

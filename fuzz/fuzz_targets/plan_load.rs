//! `PlanDocument::parse` on arbitrary bytes, then every resource through `from_plan`, the way
//! `drlint check plan.json` reads a file: no input may panic, hang or exhaust memory. A plan
//! read from UTF-8 must read the same from UTF-16 (what PowerShell redirection writes).

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
    if let Ok(text) = std::str::from_utf8(bytes) {
        // A leading U+FEFF is a byte order mark in UTF-8 and a character after a UTF-16 one.
        if !text.starts_with('\u{feff}') {
            let mut utf16 = vec![0xFF, 0xFE];
            utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            let addresses = |plan: &PlanDocument| -> Vec<String> {
                plan.resources.iter().map(|r| r.address.clone()).collect()
            };
            let again = PlanDocument::parse(&utf16).map(|plan| addresses(&plan));
            assert_eq!(
                again.ok(),
                Some(addresses(&document)),
                "UTF-16 reads differently"
            );
        }
    }
    let scope = path.display().to_string().into();
    for planned in &document.resources {
        let resource = drlint::check::from_plan(&scope, &document, planned, FileId(0));
        // Reading the resource back exercises the lookups rules make.
        let _ = (resource.get(&["multi_az"]), resource.tag("dr-tier"));
        let _ = (
            planned.tags(),
            planned.contains_unknown(&["tags_all".into()]),
        );
    }
});

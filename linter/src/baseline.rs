//! Baselines: today's findings recorded so that only new ones fail a run.
//!
//! `drlint baseline create FILE PATH...` writes every finding's fingerprint (root, address,
//! rule and attribute; never a line number, see [`Finding::fingerprint`]); `drlint check
//! --baseline FILE PATH...` marks the findings it records as baselined: still reported, counted
//! apart, never failing the run. A fingerprint recorded twice covers two findings, so a second
//! identical finding is new.
//!
//! ```json
//! {"version": 1, "findings": [{"fingerprint": "…", "rule": "DR201", "root": "envs/prod",
//!   "address": "aws_db_instance.orders", "attribute": "multi_az"}]}
//! ```
//! Only `fingerprint` is matched; the rest is there for the reader of a review.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

const VERSION: u32 = 1;

/// The largest baseline file read: far beyond any real one, so a wrong file is refused quickly.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    root: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    attribute: String,
}

/// A loaded baseline: how many findings of each fingerprint it records.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<String, usize>,
}

impl Baseline {
    /// Reads a baseline file; the error names the file and says what to do.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let shown = path.display();
        let size = std::fs::metadata(path)
            .map_err(|error| format!("cannot read the baseline {shown}: {error}; create it with `drlint baseline create {shown} PATH...`"))?
            .len();
        if size > MAX_BYTES {
            return Err(format!(
                "{shown} is {size} bytes, too large for a baseline: is it the right file?"
            ));
        }
        let text = std::fs::read(path)
            .map_err(|error| format!("cannot read the baseline {shown}: {error}"))?;
        Baseline::parse(&text, path)
    }

    /// Reads the baseline `bytes`, from the file `path` (named in errors).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Baseline, String> {
        let shown = path.display();
        let file: File = serde_json::from_slice(bytes).map_err(|error| {
            format!(
                "{shown}:{}:{}: not a drlint baseline ({error}); recreate it with `drlint baseline create {shown} PATH...`",
                error.line(),
                error.column()
            )
        })?;
        if file.version != VERSION {
            return Err(format!(
                "{shown}: baseline version {} is not one this drlint reads (version {VERSION}); recreate it with `drlint baseline create`",
                file.version
            ));
        }
        let mut counts = HashMap::new();
        for entry in file.findings {
            *counts.entry(entry.fingerprint).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Marks the findings this baseline records; returns how many.
    pub fn apply(&self, findings: &mut [Finding], base: &Path) -> usize {
        let mut left = self.counts.clone();
        let mut marked = 0;
        for finding in findings {
            if let Some(count) = left.get_mut(&finding.fingerprint(base)) {
                if *count > 0 {
                    *count -= 1;
                    finding.baselined = true;
                    marked += 1;
                }
            }
        }
        marked
    }
}

/// The baseline file recording `findings`, sorted so that it diffs well in review.
pub fn render(findings: &[Finding], base: &Path) -> String {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|finding| Entry {
            fingerprint: finding.fingerprint(base),
            rule: finding.rule.code.to_owned(),
            root: crate::render::paths::display(Path::new(&*finding.root), base),
            address: finding.address.to_string(),
            attribute: finding.attribute.to_string(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (&a.root, &a.address, &a.rule, &a.attribute, &a.fingerprint).cmp(&(
            &b.root,
            &b.address,
            &b.rule,
            &b.attribute,
            &b.fingerprint,
        ))
    });
    let mut text = serde_json::to_string_pretty(&File {
        version: VERSION,
        findings: entries,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

//! A finding: one rule's verdict on one resource, with everything a report needs.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::rules::codes::RuleInfo;
use crate::source::FileId;
use crate::tiers::{Certainty, Severity};

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub certainty: Certainty,
    /// The resource instance address (`module.db.aws_db_instance.this[0]`).
    pub address: Arc<str>,
    /// The root module directory or plan file the resource belongs to: the same module file
    /// can be instantiated by several roots, each with its own values.
    pub root: Arc<str>,
    pub file: FileId,
    /// The offending attribute's value, or the block header when the attribute is absent;
    /// `None` for plan files (which point at the address).
    pub span: Option<Range<usize>>,
    /// The attribute the finding is about, dotted (`tags.dr-tier`); empty for the resource as
    /// a whole. Part of the fingerprint, so a finding keeps its identity when lines move.
    pub attribute: Box<str>,
    pub message: Box<str>,
    pub help: Arc<str>,
    /// The tier the resource was judged by.
    pub tier: Option<u8>,
    /// Byte offsets whose line (or the line above) may carry a `drlint-ignore` comment: the
    /// labelled value and the resource block header.
    pub anchors: Anchors,
    /// Recorded in the `--baseline` file: still reported, never failing the run.
    pub baselined: bool,
}

/// The places a finding's suppression comment may be: at most two (the block header and the
/// labelled value), kept inline because a large run holds a finding per resource and rule.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Anchors([Option<usize>; 2]);

impl Anchors {
    pub fn new(first: Option<usize>, second: Option<usize>) -> Anchors {
        Anchors([first, second])
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().flatten().copied()
    }
}

impl Finding {
    /// The identity of this finding across runs: root (relative to `base`), address, rule and
    /// attribute, never a line number. Baselines and SARIF `partialFingerprints` use it.
    pub fn fingerprint(&self, base: &Path) -> String {
        let root = crate::render::paths::display(Path::new(&*self.root), base);
        let mut hash = Fnv::default();
        for part in [
            root.as_str(),
            &self.address,
            self.rule.code,
            &self.attribute,
        ] {
            hash.write(part.as_bytes());
            hash.write(&[0]);
        }
        format!("{:016x}", hash.0)
    }
}

/// 64-bit FNV-1a: stable across platforms and releases, unlike the standard library's hasher.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

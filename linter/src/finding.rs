//! A finding: one rule's verdict on one resource, with everything a report needs.

use std::ops::Range;
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
    pub message: Box<str>,
    pub help: Arc<str>,
    /// The tier the resource was judged by.
    pub tier: Option<u8>,
    /// Byte offsets whose line (or the line above) may carry a `drlint-ignore` comment: the
    /// labelled value and the resource block header.
    pub anchors: Anchors,
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

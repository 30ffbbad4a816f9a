//! A finding: one rule's verdict on one resource, with everything a report needs.

use std::ops::Range;

use crate::rules::codes::RuleInfo;
use crate::source::FileId;
use crate::tiers::{Certainty, Severity};

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub certainty: Certainty,
    /// The resource instance address (`module.db.aws_db_instance.this[0]`).
    pub address: String,
    /// The root module directory or plan file the resource belongs to: the same module file
    /// can be instantiated by several roots, each with its own values.
    pub root: String,
    pub file: FileId,
    /// The offending attribute's value, or the block header when the attribute is absent;
    /// `None` for plan files (which point at the address).
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: String,
    /// The tier the resource was judged by.
    pub tier: Option<u8>,
    /// Byte offsets whose line (or the line above) may carry a `drlint-ignore` comment: the
    /// labelled value and the resource block header.
    pub anchors: Vec<usize>,
}

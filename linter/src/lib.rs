//! drlint: checks Terraform trees and plans against the DR tier they promise.
//!
//! The pipeline is load → model → rules → render. Loading ([`hcl`] for `.tf` trees, [`plan`]
//! for `terraform show -json` output) turns every input into [`model::Resource`] instances with
//! evaluated values, where a value that cannot be known statically is [`value::Value::Unknown`]
//! rather than a guess. [`tiers`] decides which DR tier each resource answers to. Each rule in
//! [`rules`] is one file whose doc comment is its documentation; the rule table in
//! [`rules::codes`] is the single source of codes, names and categories. [`render`] turns
//! findings into human diagnostics (miette) or the stable JSON contract.

use std::path::{Path, PathBuf};

pub mod aws;
pub mod baseline;
pub mod check;
pub mod config;
pub mod finding;
pub mod hcl;
pub mod model;
pub mod plan;
pub mod render;
pub mod review;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod tiers;
pub mod value;

/// An input drlint could not read: names the file and place, and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}:{column}: {message}", path.display())]
pub struct InputError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl InputError {
    pub fn io(path: &Path, error: &std::io::Error) -> InputError {
        InputError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("cannot read: {error}"),
        }
    }

    pub fn from_parse(path: &Path, error: &hcl_edit::parser::Error) -> InputError {
        InputError {
            path: path.to_path_buf(),
            line: error.location().line(),
            column: error.location().column(),
            message: format!(
                "invalid HCL: {} (in `{}`)",
                error.message(),
                error.line().trim()
            ),
        }
    }
}

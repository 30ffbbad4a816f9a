//! The files drlint read, kept whole so every finding can quote the exact bytes it is about.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One input file: its path as the user named it, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Every file read during one run.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// A place in a file: byte range plus the 1-based line and column of its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub span: Option<Range<usize>>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: impl Into<Arc<str>>) -> FileId {
        self.files.push(SourceFile {
            path,
            text: text.into(),
        });
        FileId(self.files.len() - 1)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    pub fn path(&self, id: FileId) -> &Path {
        self.files
            .get(id.0)
            .map(|file| file.path.as_path())
            .unwrap_or_else(|| Path::new("<unknown>"))
    }

    /// The 1-based line and column (in characters) of byte `offset` in file `id`.
    pub fn line_column(&self, id: FileId, offset: usize) -> (usize, usize) {
        let Some(file) = self.files.get(id.0) else {
            return (1, 1);
        };
        let offset = offset.min(file.text.len());
        let before = file.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before
            .get(line_start..)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line, column)
    }
}

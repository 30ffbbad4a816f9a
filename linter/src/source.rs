//! The files drlint read, kept whole so every finding can quote the exact bytes it is about.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// One input file: its path as the user named it, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Byte offsets where lines start, built on first use: every finding asks for its line,
    /// and scanning the text each time would make a run quadratic in the file's size.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|(_, byte)| *byte == b'\n')
                        .map(|(at, _)| at + 1),
                )
                .collect()
        })
    }

    /// The 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// The text of line `index` (0-based), without its line break; empty past the end.
    pub fn line(&self, index: usize) -> &str {
        let starts = self.line_starts();
        let Some(start) = starts.get(index).copied() else {
            return "";
        };
        let end = starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches('\r')
    }
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
            line_starts: OnceLock::new(),
        });
        FileId(self.files.len() - 1)
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// Every file, with its id.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index), file))
    }

    /// The file read from `path` (as the run named it), if any.
    pub fn find(&self, path: &Path) -> Option<&SourceFile> {
        self.files.iter().find(|file| file.path == path)
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
        let index = file.line_index(offset);
        let line_start = file.line_starts()[index];
        let column = file
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (index + 1, column)
    }
}

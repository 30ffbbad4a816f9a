//! Why a file could not be read as a plan, said so that a person can fix it.

use std::fmt;

/// The command that produces what this loader reads; every error that means "regenerate the
/// file" says it.
const SHOW_COMMAND: &str = "`terraform show -json PLANFILE > plan.json`";

/// A place in the (decoded) document: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Everything that can go wrong turning bytes into a [`PlanDocument`](super::PlanDocument).
///
/// The `Display` text is the message alone, without the place: the caller knows the file name
/// and puts the two together, either from [`PlanError::position`] (for a diagnostic label) or
/// with [`PlanError::located`], which renders the conventional `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    #[error("the file is empty, so it is not a plan: run {SHOW_COMMAND}")]
    Empty,

    #[error(
        "JSON ends early: the file was cut off; write it again with {SHOW_COMMAND} and let the \
         command finish"
    )]
    Truncated { position: Position },

    #[error(
        "invalid JSON: {detail}; Terraform always writes valid JSON, so the file was edited or \
         damaged: regenerate it with {SHOW_COMMAND}"
    )]
    Syntax { position: Position, detail: String },

    #[error("{detail}; save the plan as UTF-8 or as UTF-16 with a byte order mark")]
    Encoding {
        position: Option<Position>,
        detail: String,
    },

    #[error("this is not a plan: {reason}; run {SHOW_COMMAND}")]
    NotAPlan {
        position: Option<Position>,
        reason: String,
    },

    #[error(
        "unsupported format_version {version}: drlint reads plan formats 0.1 to 1.x, and a new \
         major version is not compatible with them; upgrade drlint, or write the plan with a \
         Terraform release that emits format 1.x"
    )]
    UnsupportedFormat {
        version: String,
        position: Option<Position>,
    },

    #[error(
        "the plan is not shaped as Terraform writes it: {detail}; regenerate it with \
         {SHOW_COMMAND}"
    )]
    Shape { position: Position, detail: String },

    /// The zip file `terraform plan -out` writes. `file` is the name to put in the command,
    /// once the caller knows it ([`PlanError::for_file`]).
    #[error("this is a binary plan: run `terraform show -json {} > plan.json`", shell_word(.file.as_deref().unwrap_or("PLANFILE")))]
    BinaryPlan { file: Option<String> },

    #[error(
        "arrays and objects nest more than {limit} levels deep here, the most drlint reads; \
         Terraform's plans nest a few tens of levels, so this file was not written by \
         `terraform show -json`: regenerate it with {SHOW_COMMAND}, or flatten the value that \
         nests this deep"
    )]
    TooDeep { position: Position, limit: usize },

    #[error(
        "the plan nests {depth} levels deep, and reading it needs a thread with a {} MiB \
         stack, which the system refused ({detail}); free memory or raise the process's \
         limits (`ulimit -v`, `ulimit -u`), or lint a plan that nests less deeply",
        super::nesting::stack_size_for(*.depth) >> 20
    )]
    NoStack { depth: usize, detail: String },
}

impl PlanError {
    /// Where in the file the problem is, when it is at one place.
    pub fn position(&self) -> Option<Position> {
        match self {
            PlanError::Empty | PlanError::BinaryPlan { .. } | PlanError::NoStack { .. } => None,
            PlanError::Truncated { position }
            | PlanError::Syntax { position, .. }
            | PlanError::Shape { position, .. }
            | PlanError::TooDeep { position, .. } => Some(*position),
            PlanError::Encoding { position, .. }
            | PlanError::NotAPlan { position, .. }
            | PlanError::UnsupportedFormat { position, .. } => *position,
        }
    }

    /// The error for the file named `file` (as the user wrote it): a command in the message
    /// that converts the file names it.
    pub fn for_file(self, file: &str) -> PlanError {
        match self {
            PlanError::BinaryPlan { .. } => PlanError::BinaryPlan {
                file: Some(file.to_owned()),
            },
            other => other,
        }
    }

    /// `file:line:col: message` (or `file: message` when the error has no single place), the
    /// form editors and CI annotations turn into links.
    pub fn located<'a>(&'a self, file: &'a str) -> impl fmt::Display + 'a {
        Located { error: self, file }
    }
}

struct Located<'a> {
    error: &'a PlanError,
    file: &'a str,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.error.position() {
            Some(position) => write!(f, "{}:{}: {}", self.file, position, self.error),
            None => write!(f, "{}: {}", self.file, self.error),
        }
    }
}

/// `word` as one word of a POSIX shell command: as is when it is plain, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+=:,@%".contains(&b));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The position of byte `offset` in `text`, with the column counted in characters.
pub(crate) fn position_at(text: &[u8], offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |newline| newline + 1);
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_text = before.get(line_start..).unwrap_or_default();
    // Count characters, not bytes: a column an editor can jump to.
    let column = 1 + line_text.iter().filter(|&&b| b & 0xC0 != 0x80).count();
    Position { line, column }
}

/// Turns serde_json's 1-based line and byte column (relative to `text[base..]`) into a
/// [`Position`] in `text`.
pub(crate) fn position_from_serde(text: &[u8], base: usize, error: &serde_json::Error) -> Position {
    let sub = text.get(base..).unwrap_or_default();
    let mut line_start = 0;
    let mut line = 1;
    for (i, &b) in sub.iter().enumerate() {
        if line >= error.line() {
            break;
        }
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    // serde_json counts the column as bytes from the start of the line, pointing just past
    // the offending byte; step back one so the column names the byte itself.
    let offset = base + line_start + error.column().saturating_sub(1);
    position_at(text, offset)
}

/// serde_json appends " at line L column C" to its messages; the position is reported apart.
pub(crate) fn serde_detail(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(detail) => detail.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_characters_not_bytes() {
        let text = "{\n  \"name\": \"Zürich\" x".as_bytes();
        let offset = text.iter().position(|&b| b == b'x').unwrap_or(0);
        assert_eq!(
            position_at(text, offset),
            Position {
                line: 2,
                column: 20
            }
        );
    }

    #[test]
    fn binary_plans_name_the_file_in_the_command() {
        let error = PlanError::BinaryPlan { file: None }.for_file("tfplan");
        assert_eq!(
            error.to_string(),
            "this is a binary plan: run `terraform show -json tfplan > plan.json`"
        );
        let odd = PlanError::BinaryPlan { file: None }.for_file("my plan's.out");
        assert!(
            odd.to_string()
                .contains(r"terraform show -json 'my plan'\''s.out' > plan.json"),
            "{odd}"
        );
    }

    #[test]
    fn located_renders_file_line_column() {
        let error = PlanError::Truncated {
            position: Position { line: 3, column: 7 },
        };
        let rendered = error.located("plan.json").to_string();
        assert!(
            rendered.starts_with("plan.json:3:7: JSON ends early: the file was cut off"),
            "{rendered}"
        );
        assert_eq!(
            PlanError::Empty.located("plan.json").to_string(),
            format!("plan.json: {}", PlanError::Empty)
        );
    }
}

//! Reading configuration files and parsing them with hcl-edit.
//!
//! Files are read through [`read_source`], which holds them to the run's file-size limit (and
//! reads a FIFO once, to its end). hcl-edit rejects an object constructor that writes one key
//! twice, which Terraform accepts (the later value wins): [`parse_hcl`] rewrites such a key in
//! place, with the same byte length so every span stays right, and parses again. A large file
//! is parsed one top-level block at a time ([`top_level_blocks`]), so its syntax tree never
//! exists whole: spans of such a part are offsets into the part, and its `base` says where the
//! part starts in the file.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use hcl_edit::structure::Body;

use crate::settings::Limits;
use crate::InputError;

/// Reads a configuration file whole, refusing one larger than the file-size limit (FIFOs and
/// other streams are read once, to their end).
pub fn read_source(path: &Path, limits: &Limits) -> Result<String, InputError> {
    let file = std::fs::File::open(path).map_err(|error| InputError::io(path, &error))?;
    let mut bytes = Vec::new();
    file.take(limits.file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::io(path, &error))?;
    if bytes.len() as u64 > limits.file_bytes {
        return Err(InputError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: limits.exceeded("file-bytes", "this file is larger"),
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..valid];
        let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
        let column = valid
            - before
                .iter()
                .rposition(|byte| *byte == b'\n')
                .map_or(0, |at| at + 1)
            + 1;
        InputError {
            path: path.to_path_buf(),
            line,
            column,
            message: "this file is not valid UTF-8, which Terraform requires: save it as UTF-8"
                .to_owned(),
        }
    })
}

/// How many duplicate object keys one file may have rewritten: each costs a parse.
const MAX_DUPLICATE_KEYS: usize = 256;

/// Parses HCL as Terraform reads it: a key written twice in an object constructor is accepted
/// (the later value wins); an attribute written twice in a block is an error.
pub fn parse_hcl(text: &str, path: &Path) -> Result<(Body, String), InputError> {
    let mut text = text.to_owned();
    for _ in 0..=MAX_DUPLICATE_KEYS {
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => return Ok((body, text)),
            Err(error) if error.message().contains("redefined object key") => {
                match distinguish_key(&text, error.location().offset()) {
                    Some(rewritten) => text = rewritten,
                    None => return Err(InputError::from_parse(path, &error)),
                }
            }
            Err(error) if error.message().contains("redefined attribute") => {
                let offset = error.location().offset();
                let name = key_end(text.as_bytes(), offset)
                    .and_then(|end| text.get(offset..end))
                    .unwrap_or("this attribute");
                return Err(InputError {
                    path: path.to_path_buf(),
                    line: error.location().line(),
                    column: error.location().column(),
                    message: format!(
                        "`{name}` is set twice in one block, which Terraform rejects too (\"Attribute redefined\"): keep one"
                    ),
                });
            }
            Err(error) => return Err(InputError::from_parse(path, &error)),
        }
    }
    Err(InputError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("more than {MAX_DUPLICATE_KEYS} object keys are written twice in this file: remove the duplicates"),
    })
}

/// Rewrites the object key at `offset` into another spelling of the same key, two bytes
/// longer, taking the two bytes from the blanks around it: `Owner` becomes `"Owner"`, and a
/// quoted or parenthesised key gets parentheses. hcl-edit then sees a different key, the
/// evaluator the same one; spans elsewhere do not move. `None` when there are no blanks to take.
fn distinguish_key(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let end = key_end(bytes, offset)?;
    let before = bytes[..offset]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let after = bytes[end..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let from_before = before.min(2);
    let from_after = 2 - from_before;
    if from_after > after {
        return None;
    }
    let key = &text[offset..end];
    let spelled = if bytes[offset].is_ascii_alphabetic() || bytes[offset] == b'_' {
        format!("\"{key}\"")
    } else {
        format!("({key})")
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..offset - from_before]);
    out.push_str(&spelled);
    out.push_str(&text[end + from_after..]);
    (out.len() == text.len()).then_some(out)
}

/// The end of the object key starting at `start`: an identifier, a quoted string or a
/// parenthesised expression.
fn key_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => {
            let mut at = start + 1;
            while at < bytes.len() {
                match bytes[at] {
                    b'\\' => at += 2,
                    b'"' => return Some(at + 1),
                    b'\n' => return None,
                    _ => at += 1,
                }
            }
            None
        }
        b'(' => {
            let mut depth = 0usize;
            for (index, byte) in bytes.iter().enumerate().skip(start) {
                match byte {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(index + 1);
                        }
                    }
                    b'\n' => return None,
                    _ => {}
                }
            }
            None
        }
        _ => {
            let length = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                .count();
            (length > 0).then_some(start + length)
        }
    }
}

/// Files up to this size are parsed whole; larger ones one top-level block at a time.
const WHOLE_FILE_BYTES: usize = 256 * 1024;

/// One parsed part of a file: its body, its text as parsed (duplicate keys respelled), and
/// where it starts in the file.
pub struct Part {
    pub base: usize,
    pub body: Body,
    pub text: String,
}

/// Parses a `.tf` file's text, handing each part to `take` as soon as it is parsed (so only
/// one part's tree exists at a time): the whole text when it is small, else block by block.
/// `Ok(false)` when a part did not parse although the scan found it: the parts handed over
/// are then to be dropped and the file parsed whole, with [`parse_hcl`], whose error has the
/// right place.
pub fn parse_parts(
    text: &str,
    path: &Path,
    mut take: impl FnMut(Part),
) -> Result<bool, InputError> {
    let blocks = match top_level_blocks(text) {
        Some(blocks) if text.len() > WHOLE_FILE_BYTES => blocks,
        _ => {
            let (body, parsed) = parse_hcl(text, path)?;
            take(Part {
                base: 0,
                body,
                text: parsed,
            });
            return Ok(true);
        }
    };
    for range in blocks {
        match parse_hcl(&text[range.clone()], path) {
            Ok((body, parsed)) => take(Part {
                base: range.start,
                body,
                text: parsed,
            }),
            Err(_) => return Ok(false),
        }
    }
    Ok(true)
}

/// Where a lexical scan is: in code, in a quoted string, or in a template interpolation of
/// one (which is code again, until the brace that closes it).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    String,
    Template { depth: usize },
}

/// The byte ranges of a file's top-level structures, found lexically: brackets are counted in
/// code, while strings (with their escapes and `${…}` interpolations), heredocs and comments
/// are skipped. A range ends where a top-level block's braces balance. `None` when the text
/// does not scan cleanly; the caller then parses it whole.
pub fn top_level_blocks(text: &str) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut frames: Vec<Frame> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let next = bytes.get(at + 1).copied();
        if frames.last() == Some(&Frame::String) {
            match (byte, next) {
                (b'\\', _) => at += 2,
                (b'"', _) => {
                    frames.pop();
                    at += 1;
                }
                (b'$' | b'%', Some(b'{')) if at > 0 && bytes[at - 1] == byte => at += 2,
                (b'$' | b'%', Some(b'{')) => {
                    frames.push(Frame::Template { depth });
                    depth += 1;
                    at += 2;
                }
                (b'\n', _) => return None,
                _ => at += 1,
            }
            continue;
        }
        match (byte, next) {
            (b'#', _) | (b'/', Some(b'/')) => {
                at = bytes[at..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |n| at + n);
            }
            (b'/', Some(b'*')) => {
                let close = text.get(at + 2..)?.find("*/")?;
                at += 2 + close + 2;
            }
            (b'"', _) => {
                frames.push(Frame::String);
                at += 1;
            }
            (b'<', Some(b'<')) => {
                let marker_start = at + 2 + usize::from(bytes.get(at + 2) == Some(&b'-'));
                let marker: String = text
                    .get(marker_start..)?
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if marker.is_empty() {
                    at += 2;
                    continue;
                }
                // The heredoc ends at the first line that holds only its marker.
                let mut line_start = text.get(at..)?.find('\n')? + at + 1;
                loop {
                    let line_end = text
                        .get(line_start..)?
                        .find('\n')
                        .map_or(text.len(), |n| line_start + n);
                    if text[line_start..line_end].trim() == marker {
                        at = line_end;
                        break;
                    }
                    if line_end >= text.len() {
                        return None;
                    }
                    line_start = line_end + 1;
                }
            }
            (b'{' | b'(' | b'[', _) => {
                depth += 1;
                at += 1;
            }
            (b'}' | b')' | b']', _) => {
                depth = depth.checked_sub(1)?;
                at += 1;
                if let Some(Frame::Template { depth: opened }) = frames.last() {
                    if byte == b'}' && depth == *opened {
                        frames.pop();
                    }
                } else if depth == 0 && byte == b'}' {
                    ranges.push(start..at);
                    start = at;
                }
            }
            _ => at += 1,
        }
    }
    if depth != 0 || !frames.is_empty() {
        return None;
    }
    // What follows the last block (blank lines, comments) goes with it.
    match ranges.last_mut() {
        Some(last) => last.end = bytes.len(),
        None => ranges.push(0..bytes.len()),
    }
    Some(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_split_where_their_braces_balance() {
        let text = "# a comment { with a brace\nresource \"a\" \"b\" {\n  x = \"}${var.y[\"}\"]}\"\n  p = <<EOF\n}\nEOF\n}\n\nlocals {\n  m = { a = [1, (2)] } /* } */\n}\n";
        let blocks = top_level_blocks(text).expect("a clean scan");
        let parts: Vec<&str> = blocks
            .iter()
            .map(|range| text[range.clone()].trim())
            .collect();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].starts_with("# a comment") && parts[0].ends_with("EOF\n}"));
        assert!(parts[1].starts_with("locals"));
        assert_eq!(top_level_blocks("resource \"a\" \"b\" {"), None);
        assert_eq!(top_level_blocks("x = \"unterminated\n"), None);
    }

    #[test]
    fn a_large_file_parses_in_parts_with_their_offsets() {
        let block = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n";
        let text = block.repeat(WHOLE_FILE_BYTES / block.len() + 10);
        let mut bases = Vec::new();
        let whole = parse_parts(&text, Path::new("main.tf"), |part| bases.push(part.base));
        assert_eq!(whole, Ok(true));
        assert!(bases.len() > 1);
        // A part starts right after the brace that closed the one before.
        assert_eq!(bases[1], block.len() - 1);
        let broken = format!("{text}resource \"x\" {{\n  a = \n}}\n");
        assert_eq!(
            parse_parts(&broken, Path::new("main.tf"), |_| {}),
            Ok(false)
        );
        let error = parse_hcl(&broken, Path::new("main.tf")).expect_err("an error");
        assert_eq!(error.line, text.lines().count() + 2);
    }
}

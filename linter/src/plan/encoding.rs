//! Byte order marks and UTF-16.
//!
//! `terraform show -json` writes UTF-8, but Windows PowerShell 5 redirection (`> plan.json`)
//! re-encodes it as UTF-16LE with a byte order mark, and editors add a UTF-8 BOM. UTF-8 input is
//! borrowed as is; only UTF-16 is transcoded, once.

use std::borrow::Cow;

use super::error::{position_at, PlanError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// The encoding of `bytes` and the bytes after any byte order mark.
///
/// Without a BOM, a first code unit holding `{`, `[` or whitespace next to a NUL byte is taken
/// as UTF-16 too: no JSON text in UTF-8 starts with a NUL.
pub(crate) fn detect(bytes: &[u8]) -> (Encoding, &[u8]) {
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => (Encoding::Utf8, rest),
        [0xFF, 0xFE, rest @ ..] => (Encoding::Utf16Le, rest),
        [0xFE, 0xFF, rest @ ..] => (Encoding::Utf16Be, rest),
        [first, 0, ..] if *first != 0 => (Encoding::Utf16Le, bytes),
        [0, second, ..] if *second != 0 => (Encoding::Utf16Be, bytes),
        _ => (Encoding::Utf8, bytes),
    }
}

/// The document as UTF-8 bytes (not yet validated when it was UTF-8 already: serde_json checks
/// that as it parses, and reports where).
pub(crate) fn to_utf8(bytes: &[u8]) -> Result<Cow<'_, [u8]>, PlanError> {
    let (encoding, body) = detect(bytes);
    let big_endian = match encoding {
        Encoding::Utf8 => return Ok(Cow::Borrowed(body)),
        Encoding::Utf16Le => false,
        Encoding::Utf16Be => true,
    };
    let units = body.chunks_exact(2).map(|pair| match pair {
        [a, b] if big_endian => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    });
    let mut text = String::with_capacity(body.len() / 2 + body.len() / 8);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(bad) => {
                return Err(PlanError::Encoding {
                    position: Some(position_at(text.as_bytes(), text.len())),
                    detail: format!(
                        "the UTF-16 text holds a lone surrogate {:#06x}, which is no character",
                        bad.unpaired_surrogate()
                    ),
                })
            }
        }
    }
    if body.len() % 2 != 0 {
        return Err(PlanError::Encoding {
            position: Some(position_at(text.as_bytes(), text.len())),
            detail: "the UTF-16 text ends in the middle of a character: the file was cut off"
                .to_owned(),
        });
    }
    Ok(Cow::Owned(text.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    #[test]
    fn utf8_is_borrowed_without_its_bom() {
        let decoded = to_utf8(b"\xEF\xBB\xBF{\"a\":1}").unwrap_or_default();
        assert!(matches!(decoded, Cow::Borrowed(b"{\"a\":1}")));
    }

    #[test]
    fn utf16_both_byte_orders_decode() {
        for big_endian in [false, true] {
            let decoded = to_utf8(&utf16("{\"région\":\"eu-west-1\"}", big_endian))
                .map(Cow::into_owned)
                .unwrap_or_default();
            assert_eq!(decoded, "{\"région\":\"eu-west-1\"}".as_bytes());
        }
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let mut bytes = utf16("{}", false);
        bytes.drain(..2);
        assert_eq!(detect(&bytes).0, Encoding::Utf16Le);
    }

    #[test]
    fn odd_utf16_length_is_an_encoding_error() {
        let mut bytes = utf16("{\n\"a\"", false);
        bytes.push(b'x');
        let error = to_utf8(&bytes).err();
        assert!(
            matches!(&error, Some(PlanError::Encoding { position: Some(p), .. }) if p.line == 2),
            "{error:?}"
        );
    }

    #[test]
    fn lone_surrogate_is_an_encoding_error() {
        let mut bytes = utf16("{\"a\":\"", false);
        bytes.extend([0x00, 0xD8, b'"', 0, b'}', 0]);
        assert!(matches!(to_utf8(&bytes), Err(PlanError::Encoding { .. })));
    }
}

//! `parse_duration` and `format_duration`, `parse_timestamp` and `format_timestamp` (the two
//! text forms drills are recorded in): no input panics, every duration that parses formats to a
//! canonical text that parses back to the same seconds, and every timestamp that parses formats
//! to UTC text that reads back as the same instant.

#![no_main]

use dr_vocab::{format_duration, format_timestamp, parse_duration, parse_timestamp};

/// 9999-12-31T23:59:59Z, the last instant a timestamp may name.
const LAST_INSTANT: i64 = 253_402_300_799;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // Any eight bytes are a number of seconds: formatting round-trips for every u64.
    if let Some(seconds) = bytes.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let seconds = u64::from_le_bytes(seconds);
        let text = format_duration(seconds);
        assert_eq!(parse_duration(&text), Ok(seconds), "{text}");
        let instant = (seconds % (LAST_INSTANT as u64 + 1)) as i64;
        let stamp = format_timestamp(instant);
        assert_eq!(parse_timestamp(&stamp), Ok(instant), "{stamp}");
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(instant) = parse_timestamp(text) {
        // Offsets may move an instant just outside the years written; it still formats and
        // reads back.
        let utc = format_timestamp(instant);
        if (0..=LAST_INSTANT).contains(&instant) {
            assert_eq!(parse_timestamp(&utc), Ok(instant), "{text:?} → {utc}");
        }
    }
    match parse_duration(text) {
        Ok(seconds) => {
            let canonical = format_duration(seconds);
            assert_eq!(
                parse_duration(&canonical),
                Ok(seconds),
                "{text:?} → {canonical}"
            );
            assert_eq!(format_duration(seconds), canonical);
        }
        Err(error) => {
            // The message names the input, so a person can find it.
            assert!(error.to_string().contains(&format!("{text:?}")));
        }
    }
});

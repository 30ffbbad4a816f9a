//! `parse_duration` and `format_duration`: no input panics, and every duration that parses
//! formats to a canonical text that parses back to the same seconds.

#![no_main]

use dr_vocab::{format_duration, parse_duration};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // Any eight bytes are a number of seconds: formatting round-trips for every u64.
    if let Some(seconds) = bytes.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let seconds = u64::from_le_bytes(seconds);
        let text = format_duration(seconds);
        assert_eq!(parse_duration(&text), Ok(seconds), "{text}");
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
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

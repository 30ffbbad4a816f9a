//! How deep a plan may nest, and a stack that is big enough for it.
//!
//! Real plans nest a few tens of levels (a resource, a block, a list of blocks, a map). The
//! JSON grammar has no limit, so a generated or hostile file can nest a million levels in a
//! few megabytes. Before parsing, one cheap pass measures the nesting: beyond
//! [`MAX_NESTING`] the file is refused with its position. Below it, everything that recurses
//! over a value (the parser, the conversion into drlint's values) runs on a thread whose stack
//! is sized for the depth when the depth is beyond what any thread's default stack holds.

use super::error::{position_at, PlanError};

/// The deepest nesting of JSON arrays and objects a plan may have, counted from the document
/// itself (level 1). Terraform writes a few tens of levels; ten thousand leaves room for any
/// machine-made value while keeping the stack needed to read one bounded (see
/// [`stack_size_for`]).
pub const MAX_NESTING: usize = 10_000;

/// Up to this depth, recursion runs on the calling thread: 128 is what `serde_json` itself
/// allows by default on any thread, including 2 MiB test threads in debug builds.
const SHALLOW: usize = 128;

/// Stack bytes one level of nesting may need, measured for the parser and the conversion in
/// unoptimised builds (the heavier case; optimised builds use about a third), with headroom.
const STACK_PER_LEVEL: usize = 4 * 1024;

/// Stack for the frames below the first level.
const STACK_BASE: usize = 1024 * 1024;

/// The deepest nesting in `text`, or the place where it first goes beyond [`MAX_NESTING`].
///
/// Brackets inside strings do not count. The text need not be valid JSON: it is the parser's
/// job to say what else is wrong with it, and a file whose brackets nest too deep is refused
/// either way.
pub(crate) fn measure(text: &[u8]) -> Result<usize, PlanError> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut at = 0usize;
    while let Some(&byte) = text.get(at) {
        match byte {
            b'"' => {
                // Skip the string: only a quote ends it, and a backslash hides the next byte.
                at += 1;
                while let Some(&inside) = text.get(at) {
                    match inside {
                        b'"' => break,
                        b'\\' => at += 2,
                        _ => at += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(PlanError::TooDeep {
                        position: position_at(text, at),
                        limit: MAX_NESTING,
                    });
                }
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    Ok(deepest)
}

/// The stack a thread needs to recurse `depth` levels into a value (at most
/// [`MAX_NESTING`]): what the loader gives its parser, and what a caller that walks the
/// values recursively (rules, renderers) should run on.
pub fn stack_size_for(depth: usize) -> usize {
    STACK_BASE + depth.min(MAX_NESTING) * STACK_PER_LEVEL
}

/// Runs `work` where `depth` levels of recursion fit: on this thread when the depth is
/// shallow, else on a thread with a stack of [`stack_size_for`]`(depth)`. `Err` when that thread
/// cannot be started (the system is out of memory or threads).
pub(crate) fn with_stack_for<T, F>(depth: usize, work: F) -> std::io::Result<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    if depth <= SHALLOW {
        return Ok(work());
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("drlint-deep-value".to_owned())
            .stack_size(stack_size_for(depth))
            .spawn_scoped(scope, work)?;
        match worker.join() {
            Ok(result) => Ok(result),
            // A panic is a bug: let it continue as if it had happened here.
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_strings_do_not_count() {
        assert_eq!(measure(br#"{"a": "[[[{{", "b": [[1]]}"#).ok(), Some(3));
        assert_eq!(measure(br#"["\"[[[", ["\\", [2]]]"#).ok(), Some(3));
        assert_eq!(measure(b"").ok(), Some(0));
        // Unbalanced input is the parser's to report; the scan only measures.
        assert_eq!(measure(b"]]]]{").ok(), Some(1));
    }

    #[test]
    fn beyond_the_limit_is_refused_where_it_happens() {
        let mut text = b"{\n\"a\": ".to_vec();
        text.extend(std::iter::repeat_n(b'[', MAX_NESTING));
        let error = measure(&text).err();
        assert_eq!(
            error.and_then(|error| error.position()),
            Some(super::super::Position {
                line: 2,
                column: 5 + MAX_NESTING
            })
        );
        let mut exactly = vec![b'['; MAX_NESTING];
        exactly.extend(vec![b']'; MAX_NESTING]);
        assert_eq!(measure(&exactly).ok(), Some(MAX_NESTING));
    }

    #[test]
    fn deep_work_runs_on_a_big_stack() {
        fn recurse(level: usize) -> usize {
            // A frame of a few hundred bytes, like a parser's.
            let pad = std::hint::black_box([0u8; 256]);
            if level == 0 {
                usize::from(pad[0])
            } else {
                recurse(level - 1) + 1 + usize::from(pad[1])
            }
        }
        let depth = MAX_NESTING;
        assert_eq!(with_stack_for(depth, || recurse(depth)).ok(), Some(depth));
        assert_eq!(with_stack_for(3, || 7).ok(), Some(7));
    }
}

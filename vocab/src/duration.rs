//! Recovery durations as authors write them: `90s`, `15m`, `4h`, `1h30m`, `90d`.
//!
//! Units go from largest to smallest, each at most once, with whole amounts. That keeps every
//! written form unambiguous, so the seconds we compute are the seconds the author meant.

use std::fmt;

/// A unit a duration may be written in, largest first.
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a duration: {problem}. Write whole amounts with units d, h, m or s, largest first, such as \"90s\", \"15m\", \"4h\" or \"1h30m\"")]
pub struct DurationError {
    pub input: String,
    pub problem: DurationProblem,
}

/// The specific defect in a duration string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationProblem {
    Empty,
    MissingAmount { unit: char },
    MissingUnit { amount: String },
    UnknownUnit { unit: String },
    UnitOutOfOrder { unit: char },
    TooLarge,
}

impl fmt::Display for DurationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "it is empty"),
            Self::MissingAmount { unit } => write!(f, "unit '{unit}' has no amount before it"),
            Self::MissingUnit { amount } => write!(f, "{amount} has no unit after it"),
            Self::UnknownUnit { unit } => write!(f, "unknown unit {unit:?}"),
            Self::UnitOutOfOrder { unit } => {
                write!(f, "unit '{unit}' repeats or comes after a smaller unit")
            }
            Self::TooLarge => write!(f, "it is too large"),
        }
    }
}

/// Parses a duration string into whole seconds.
pub fn parse_duration(input: &str) -> Result<u64, DurationError> {
    let fail = |problem| DurationError {
        input: input.to_owned(),
        problem,
    };
    let text = input.trim();
    if text.is_empty() {
        return Err(fail(DurationProblem::Empty));
    }
    let mut total: u64 = 0;
    // Index into UNITS of the next unit allowed; enforces largest-first, each at most once.
    let mut next_unit = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (amount, after) = rest.split_at(digits);
        let unit_len = after.len() - after.trim_start_matches(|c: char| c.is_alphabetic()).len();
        let (unit, after) = after.split_at(unit_len);
        if amount.is_empty() {
            return Err(match unit.chars().next() {
                Some(c) if unit.len() == 1 => fail(DurationProblem::MissingAmount { unit: c }),
                Some(_) => fail(DurationProblem::UnknownUnit {
                    unit: unit.to_owned(),
                }),
                None => fail(DurationProblem::UnknownUnit {
                    unit: rest.chars().take(1).collect(),
                }),
            });
        }
        if unit.is_empty() {
            if after.is_empty() {
                return Err(fail(DurationProblem::MissingUnit {
                    amount: amount.to_owned(),
                }));
            }
            return Err(fail(DurationProblem::UnknownUnit {
                unit: after.chars().take(1).collect(),
            }));
        }
        let Some(position) = UNITS
            .iter()
            .position(|(c, _)| unit.len() == 1 && unit.starts_with(*c))
        else {
            return Err(fail(DurationProblem::UnknownUnit {
                unit: unit.to_owned(),
            }));
        };
        if position < next_unit {
            return Err(fail(DurationProblem::UnitOutOfOrder {
                unit: UNITS[position].0,
            }));
        }
        next_unit = position + 1;
        let amount: u64 = amount
            .parse()
            .map_err(|_| fail(DurationProblem::TooLarge))?;
        total = amount
            .checked_mul(UNITS[position].1)
            .and_then(|seconds| total.checked_add(seconds))
            .ok_or_else(|| fail(DurationProblem::TooLarge))?;
        rest = after;
    }
    Ok(total)
}

/// Writes seconds in the canonical form `parse_duration` reads: `1h30m`, `15m`, `0s`.
pub fn format_duration(seconds: u64) -> String {
    if seconds == 0 {
        return "0s".to_owned();
    }
    let mut remaining = seconds;
    let mut out = String::new();
    for (unit, size) in UNITS {
        let amount = remaining / size;
        if amount > 0 {
            out.push_str(&format!("{amount}{unit}"));
            remaining -= amount * size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_single_and_combined_units() {
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("15m"), Ok(900));
        assert_eq!(parse_duration("4h"), Ok(14_400));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("90d"), Ok(7_776_000));
        assert_eq!(parse_duration("1d2h3m4s"), Ok(93_784));
        assert_eq!(parse_duration("0s"), Ok(0));
        assert_eq!(parse_duration(" 15m "), Ok(900));
    }

    #[test]
    fn names_the_defect() {
        let problem = |s: &str| parse_duration(s).unwrap_err().problem;
        assert_eq!(problem(""), DurationProblem::Empty);
        assert_eq!(
            problem("15"),
            DurationProblem::MissingUnit {
                amount: "15".into()
            }
        );
        assert_eq!(
            problem("15x"),
            DurationProblem::UnknownUnit { unit: "x".into() }
        );
        assert_eq!(
            problem("15min"),
            DurationProblem::UnknownUnit { unit: "min".into() }
        );
        assert_eq!(problem("h"), DurationProblem::MissingAmount { unit: 'h' });
        assert_eq!(
            problem("30m1h"),
            DurationProblem::UnitOutOfOrder { unit: 'h' }
        );
        assert_eq!(
            problem("1h1h"),
            DurationProblem::UnitOutOfOrder { unit: 'h' }
        );
        assert_eq!(
            problem("1.5h"),
            DurationProblem::UnknownUnit { unit: ".".into() }
        );
        assert_eq!(
            problem("-5m"),
            DurationProblem::UnknownUnit { unit: "-".into() }
        );
        assert_eq!(problem("99999999999999999999d"), DurationProblem::TooLarge);
    }

    #[test]
    fn error_message_says_how_to_fix() {
        let message = parse_duration("15x").unwrap_err().to_string();
        assert!(message.contains("unknown unit \"x\""), "{message}");
        assert!(message.contains("\"1h30m\""), "{message}");
    }

    #[test]
    fn formats_canonically_and_round_trips() {
        for (seconds, text) in [
            (0, "0s"),
            (90, "1m30s"),
            (900, "15m"),
            (5_400, "1h30m"),
            (93_784, "1d2h3m4s"),
        ] {
            assert_eq!(format_duration(seconds), text);
            assert_eq!(parse_duration(text), Ok(seconds));
        }
    }
}

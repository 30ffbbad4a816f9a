//! The Terraform functions real modules use, over [`Value`]s with unknown propagation.
//!
//! One table, [`FUNCTIONS`], maps each name to its implementation. A function drlint does not
//! implement yields `Unknown` rather than an error: a gap in drlint must show up as "cannot be
//! known", never as a verdict. Every call is charged to the run's [`Budget`] by the size of its
//! arguments, and its result is held to the collection and string limits.

mod collections;
mod numbers;
mod strings;

use super::eval::Budget;
use crate::value::Value;

/// Why a function has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Arguments Terraform would reject.
    Invalid(String),
    /// The result would exceed a limit of the run.
    Limit(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Invalid(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Invalid(message.to_owned())
    }
}

pub type Outcome = Result<Value, Failure>;

/// The arguments of one call, and the budget it may draw on.
pub struct Call<'a> {
    pub args: Vec<Value>,
    pub budget: &'a Budget,
}

type Function = fn(Call<'_>) -> Outcome;

/// Every function drlint evaluates. `try` and `can` are the evaluator's (they need their
/// arguments unevaluated).
const FUNCTIONS: &[(&str, Function)] = &[
    ("abs", numbers::abs),
    ("alltrue", collections::alltrue),
    ("anytrue", collections::anytrue),
    ("basename", strings::basename),
    ("ceil", numbers::ceil),
    ("coalesce", collections::coalesce),
    ("coalescelist", collections::coalescelist),
    ("compact", collections::compact),
    ("concat", collections::concat),
    ("contains", collections::contains),
    ("dirname", strings::dirname),
    ("distinct", collections::distinct),
    ("element", collections::element),
    ("endswith", strings::endswith),
    ("flatten", collections::flatten),
    ("floor", numbers::floor),
    ("format", strings::format),
    ("index", collections::index),
    ("join", strings::join),
    ("jsondecode", strings::jsondecode),
    ("jsonencode", strings::jsonencode),
    ("keys", collections::keys),
    ("length", collections::length),
    ("lookup", collections::lookup),
    ("lower", strings::lower),
    ("max", numbers::max),
    ("merge", collections::merge),
    ("min", numbers::min),
    ("one", collections::one),
    ("range", numbers::range),
    ("replace", strings::replace),
    ("reverse", collections::reverse),
    ("setunion", collections::setunion),
    ("slice", collections::slice),
    ("sort", collections::sort),
    ("split", strings::split),
    ("startswith", strings::startswith),
    ("substr", strings::substr),
    ("sum", numbers::sum),
    ("title", strings::title),
    ("tobool", numbers::tobool),
    ("tolist", collections::tolist),
    ("tomap", collections::tomap),
    ("tonumber", numbers::tonumber),
    ("toset", collections::toset),
    ("tostring", strings::tostring),
    ("trimprefix", strings::trimprefix),
    ("trimspace", strings::trimspace),
    ("trimsuffix", strings::trimsuffix),
    ("upper", strings::upper),
    ("values", collections::values),
    ("zipmap", collections::zipmap),
];

/// Functions that look into partial or unknown arguments themselves; for every other one a
/// wholly unknown argument makes the result unknown.
const SEES_UNKNOWN: &[&str] = &["coalesce", "merge", "lookup", "tomap"];

/// Calls function `name` (`provider::aws::…` and any function not in [`FUNCTIONS`] are
/// unknown: values that depend on the machine, the clock or the file system at apply time).
pub fn call(name: &str, args: Vec<Value>, budget: &Budget) -> Outcome {
    let Some((_, function)) = FUNCTIONS.iter().find(|(known, _)| *known == name) else {
        return Ok(Value::Unknown);
    };
    if !SEES_UNKNOWN.contains(&name)
        && args
            .iter()
            .any(|arg| matches!(arg, Value::Unknown | Value::Partial(_)))
    {
        return Ok(Value::Unknown);
    }
    let size: u64 = args
        .iter()
        .map(|arg| match arg {
            Value::List(items) => items.len() as u64,
            Value::Map(entries) | Value::Partial(entries) => entries.len() as u64,
            Value::String(text) => text.len() as u64 / 64,
            _ => 0,
        })
        .sum();
    budget.charge(1 + size).map_err(Failure::Limit)?;
    let value = function(Call { args, budget })?;
    match &value {
        Value::List(items) => budget.collection(items.len()),
        Value::Map(entries) | Value::Partial(entries) => budget.collection(entries.len()),
        Value::String(text) => budget.string(text.len()),
        _ => Ok(()),
    }
    .map_err(Failure::Limit)?;
    Ok(value)
}

impl Call<'_> {
    fn arg(&self, index: usize) -> Result<&Value, Failure> {
        self.args
            .get(index)
            .ok_or_else(|| Failure::Invalid(format!("missing argument {}", index + 1)))
    }

    fn list(&self, index: usize) -> Result<&[Value], Failure> {
        match self.arg(index)? {
            Value::List(items) => Ok(items),
            other => Err(Failure::Invalid(format!(
                "argument {} must be a list, got {}",
                index + 1,
                other.type_name()
            ))),
        }
    }

    fn string(&self, index: usize) -> Result<String, Failure> {
        self.arg(index)?
            .to_string_value()
            .ok_or_else(|| Failure::Invalid(format!("argument {} must be a string", index + 1)))
    }

    fn number(&self, index: usize) -> Result<f64, Failure> {
        self.arg(index)?
            .to_number()
            .ok_or_else(|| Failure::Invalid(format!("argument {} must be a number", index + 1)))
    }

    /// Fails when a result of `len` bytes would exceed the string limit (checked before the
    /// string is built).
    fn fits_string(&self, len: usize) -> Result<(), Failure> {
        self.budget.string(len).map_err(Failure::Limit)
    }

    /// Fails when a result of `len` elements would exceed the collection limit.
    fn fits_collection(&self, len: usize) -> Result<(), Failure> {
        self.budget.collection(len).map_err(Failure::Limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Limits;

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    fn run(name: &str, args: Vec<Value>) -> Outcome {
        call(name, args, &Budget::new(Limits::default()))
    }

    #[test]
    fn the_table_is_sorted_and_unique() {
        let names: Vec<&str> = FUNCTIONS.iter().map(|(name, _)| *name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn unknown_arguments_make_unknown_results() {
        assert_eq!(run("upper", vec![Value::Unknown]), Ok(Value::Unknown));
        assert_eq!(
            run(
                "join",
                vec![s(","), Value::List(vec![s("a"), Value::Unknown])]
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(
            run("length", vec![Value::List(vec![Value::Unknown])]),
            Ok(Value::Number(1.0))
        );
        assert_eq!(
            run(
                "contains",
                vec![Value::List(vec![s("a"), Value::Unknown]), s("a")]
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run(
                "contains",
                vec![Value::List(vec![s("a"), Value::Unknown]), s("b")]
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(run("timestamp", vec![]), Ok(Value::Unknown));
    }

    #[test]
    fn merge_of_known_and_unknown_knows_the_known_keys() {
        let mut known = indexmap::IndexMap::new();
        known.insert("dr-tier".to_owned(), s("1"));
        let merged = run(
            "merge",
            vec![Value::Unknown, Value::Map(known.clone().into())],
        );
        assert_eq!(merged, Ok(Value::Partial(known.into())));
    }

    #[test]
    fn toset_sorts_strings_and_format_reads_verbs() {
        assert_eq!(
            run("toset", vec![Value::List(vec![s("b"), s("a"), s("b")])]),
            Ok(Value::List(vec![s("a"), s("b")]))
        );
        assert_eq!(
            run(
                "format",
                vec![s("%s-%03d %q %%"), s("db"), Value::Number(7.0), s("x")]
            ),
            Ok(s("db-007 \"x\" %"))
        );
        assert_eq!(
            run("coalesce", vec![Value::Null, s(""), s("x")]),
            Ok(s("x"))
        );
        assert_eq!(
            run("coalesce", vec![Value::Unknown, s("x")]),
            Ok(Value::Unknown)
        );
    }

    #[test]
    fn paths_split_as_terraform_splits_them() {
        assert_eq!(
            run("basename", vec![s("/work/examples/complete")]),
            Ok(s("complete"))
        );
        assert_eq!(run("basename", vec![s("main.tf")]), Ok(s("main.tf")));
        assert_eq!(
            run("dirname", vec![s("/work/examples/complete")]),
            Ok(s("/work/examples"))
        );
        assert_eq!(run("dirname", vec![s("main.tf")]), Ok(s(".")));
    }

    #[test]
    fn huge_results_are_refused_before_they_are_built() {
        let limits = Limits {
            string_bytes: 1_000,
            collection: 1_000,
            ..Limits::default()
        };
        let budget = Budget::new(limits);
        let separator = s(&"x".repeat(100));
        let items = Value::List((0..50).map(|i| Value::Number(f64::from(i))).collect());
        let joined = call("join", vec![separator, items], &budget);
        assert!(matches!(joined, Err(Failure::Limit(_))), "{joined:?}");
        let range = call("range", vec![Value::Number(1e300)], &budget);
        assert!(matches!(range, Err(Failure::Limit(_))), "{range:?}");
        let padded = call(
            "format",
            vec![s("%0999999999d"), Value::Number(1.0)],
            &budget,
        );
        assert!(matches!(padded, Err(Failure::Limit(_))), "{padded:?}");
    }

    #[test]
    fn set_functions_scale_to_a_million_strings() {
        let many: Vec<Value> = (0..1_000_000)
            .map(|i| s(&format!("v{}", i % 500_000)))
            .collect();
        let set = run("toset", vec![Value::List(many)]);
        assert!(matches!(&set, Ok(Value::List(items)) if items.len() == 500_000));
    }
}

//! What a run is told from outside its inputs: values for root-module variables, and the
//! limits that keep hostile or runaway input from taking drlint down.
//!
//! Every limit is one row of [`LIMITS`]: its name on the command line (`--limit NAME=N`), its
//! default and what it bounds. The CLI help and the error a limit raises are written from that
//! row, so they cannot drift apart.

use crate::hcl::VariableInputs;

/// Everything one `drlint check` run is configured with.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub inputs: VariableInputs,
    pub limits: Limits,
    /// Where the `.drlint.hcl` settings come from.
    pub config: crate::config::ConfigChoice,
}

/// Bounds on the work one run may do. Exceeding one is an input error that names the place,
/// the limit and the flag that raises it; the rest of the input is still analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Instances of one resource or module call (`count`, `for_each`).
    pub resource_instances: u64,
    /// Resource instances in the whole run.
    pub instances: u64,
    /// Nested module calls.
    pub module_depth: u64,
    /// Elements of one list, set or map.
    pub collection: u64,
    /// Bytes of one string.
    pub string_bytes: u64,
    /// Nesting of expression evaluation, through locals, variables and module outputs too.
    pub depth: u64,
    /// Evaluation steps in the whole run (each expression evaluated, each element copied).
    pub steps: u64,
    /// Bytes of one `.tf`, `.tf.json` or `.tfvars` file.
    pub file_bytes: u64,
}

/// One limit: its command-line name, default and meaning.
pub struct LimitSpec {
    pub name: &'static str,
    pub default: u64,
    /// What it bounds, completing "at most N …".
    pub what: &'static str,
    get: fn(&Limits) -> u64,
    set: fn(&mut Limits, u64),
}

macro_rules! limits {
    ($($field:ident, $name:literal, $default:expr, $what:literal;)*) => {
        /// Every limit, in the order `drlint check --help` lists them.
        pub const LIMITS: &[LimitSpec] = &[$(LimitSpec {
            name: $name,
            default: $default,
            what: $what,
            get: |limits| limits.$field,
            set: |limits, value| limits.$field = value,
        },)*];

        impl Default for Limits {
            fn default() -> Self {
                Limits { $($field: $default,)* }
            }
        }
    };
}

limits! {
    resource_instances, "resource-instances", 10_000, "instances of one resource or module call";
    instances, "instances", 200_000, "resource instances in one run";
    module_depth, "module-depth", 32, "levels of nested module calls";
    collection, "collection", 1_000_000, "elements in one list, set or map";
    string_bytes, "string-bytes", 4 * 1024 * 1024, "bytes in one string";
    depth, "depth", 1_000, "levels of nested evaluation (expressions, locals, variables, outputs)";
    steps, "steps", 20_000_000, "evaluation steps in one run";
    file_bytes, "file-bytes", 32 * 1024 * 1024, "bytes in one .tf, .tf.json or .tfvars file";
}

impl Limits {
    pub fn spec(name: &str) -> Option<&'static LimitSpec> {
        LIMITS.iter().find(|spec| spec.name == name)
    }

    /// The current value of the limit called `name`.
    pub fn get(&self, name: &str) -> Option<u64> {
        Limits::spec(name).map(|spec| (spec.get)(self))
    }

    /// Applies `NAME=N` from the command line.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let names = || {
            LIMITS
                .iter()
                .map(|spec| spec.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(format!(
                "--limit {assignment:?} must be NAME=N, with NAME one of {}",
                names()
            ));
        };
        let Some(spec) = Limits::spec(name.trim()) else {
            return Err(format!(
                "--limit {assignment:?}: no limit named {:?}; the limits are {}",
                name.trim(),
                names()
            ));
        };
        let value: u64 = value
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| format!("--limit {assignment:?}: {value:?} is not a whole number"))?;
        if value == 0 {
            return Err(format!(
                "--limit {assignment:?}: a limit must be at least 1"
            ));
        }
        (spec.set)(self, value);
        Ok(())
    }

    /// The message of an input that exceeds the limit called `name`.
    pub fn exceeded(&self, name: &str, found: &str) -> String {
        match Limits::spec(name) {
            Some(spec) => format!(
                "{found}: more than the limit of {} {} (`--limit {}=N` raises it)",
                (spec.get)(self),
                spec.what,
                spec.name
            ),
            None => found.to_owned(),
        }
    }

    /// The stack a run needs for its evaluation depth: recursion is bounded by `depth`, so the
    /// stack is sized for it rather than left to the platform's default.
    pub fn stack_bytes(&self) -> usize {
        const BASE: u64 = 64 * 1024 * 1024;
        // Measured: about 1.6 KiB per level in a release build and 12.5 KiB without
        // optimisation (the test builds); both with room to spare.
        const PER_LEVEL: u64 = if cfg!(debug_assertions) {
            32 * 1024
        } else {
            4 * 1024
        };
        usize::try_from(BASE.saturating_add(self.depth.saturating_mul(PER_LEVEL)))
            .unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_set_by_name_and_say_how_to_raise_them() {
        let mut limits = Limits::default();
        assert_eq!(limits.get("depth"), Some(1_000));
        limits.set("depth=5_000").expect("a valid assignment");
        assert_eq!(limits.depth, 5_000);
        assert!(limits.set("depth").is_err());
        assert!(limits
            .set("depht=3")
            .unwrap_err()
            .contains("resource-instances"));
        assert!(limits.set("depth=0").is_err());
        let message = limits.exceeded("instances", "module.app");
        assert!(message.contains("200000 resource instances in one run"));
        assert!(message.contains("--limit instances=N"));
    }
}

//! The bounds every evaluation of a run draws on: how deep evaluation nests (through locals,
//! variables and module outputs too, so a chain of thousands of locals cannot overflow the
//! stack), how many steps the run takes, and how large one collection or string may grow.

use std::cell::Cell;

use crate::settings::Limits;
use crate::value::Value;

/// Counters shared by every evaluator of one run.
#[derive(Debug)]
pub struct Budget {
    pub limits: Limits,
    depth: Cell<u64>,
    steps: Cell<u64>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget {
            limits,
            depth: Cell::new(0),
            steps: Cell::new(0),
        }
    }

    /// One level deeper, and one step more.
    pub fn enter(&self) -> Result<(), String> {
        let depth = self.depth.get() + 1;
        if depth > self.limits.depth {
            return Err(self
                .limits
                .exceeded("depth", "this expression nests too deeply to evaluate"));
        }
        self.charge(1)?;
        self.depth.set(depth);
        Ok(())
    }

    pub fn leave(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    /// Takes `steps` from the run's allowance. Once it is spent every evaluation fails at
    /// once, with [`Budget::exhausted_message`].
    pub fn charge(&self, steps: u64) -> Result<(), String> {
        let total = self.steps.get().saturating_add(steps);
        self.steps.set(total);
        if total > self.limits.steps {
            return Err(self.exhausted_message());
        }
        Ok(())
    }

    /// What an evaluation fails with once the run's steps are spent (the same every time, so
    /// it is reported once).
    pub fn exhausted_message(&self) -> String {
        self.limits.exceeded(
            "steps",
            "evaluation of this expression exhausts the run's allowance",
        )
    }

    /// Whether a collection of `len` elements may be built.
    pub fn collection(&self, len: usize) -> Result<(), String> {
        if len as u64 > self.limits.collection {
            return Err(self
                .limits
                .exceeded("collection", &format!("a collection of {len} elements")));
        }
        Ok(())
    }

    /// Whether a string of `len` bytes may be built.
    pub fn string(&self, len: usize) -> Result<(), String> {
        if len as u64 > self.limits.string_bytes {
            return Err(self
                .limits
                .exceeded("string-bytes", &format!("a string of {len} bytes")));
        }
        Ok(())
    }

    pub fn steps(&self) -> u64 {
        self.steps.get()
    }
}

/// What copying `value` costs in steps: one per node, plus one per 64 bytes of text.
pub fn weight(value: &Value) -> u64 {
    let mut total = 0u64;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        total += 1;
        match value {
            Value::String(text) => total += text.len() as u64 / 64,
            Value::List(items) => pending.extend(items),
            Value::Map(entries) | Value::Partial(entries) => {
                for (key, value) in entries {
                    total += key.len() as u64 / 64;
                    pending.push(value);
                }
            }
            _ => {}
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_and_steps_are_bounded() {
        let limits = Limits {
            depth: 2,
            steps: 5,
            ..Limits::default()
        };
        let budget = Budget::new(limits);
        assert!(budget.enter().is_ok());
        assert!(budget.enter().is_ok());
        let deep = budget.enter().unwrap_err();
        assert!(deep.contains("--limit depth=N"), "{deep}");
        budget.leave();
        budget.leave();
        assert!(budget.charge(2).is_ok());
        assert!(budget.charge(10).unwrap_err().contains("--limit steps=N"));
        assert_eq!(
            weight(&Value::List(vec![Value::String("x".repeat(128).into())])),
            4
        );
    }
}

//! Functions over numbers and booleans.

use super::{Call, Failure, Outcome};
use crate::value::Value;

/// `range(end)`, `range(start, end)`, `range(start, end, step)`; its length is computed, and
/// held to the collection limit, before anything is built.
pub fn range(call: Call<'_>) -> Outcome {
    let numbers: Vec<f64> = (0..call.args.len())
        .map(|index| call.number(index))
        .collect::<Result<_, _>>()?;
    let (start, end, step) = match numbers.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("range takes one to three numbers".into()),
    };
    if step == 0.0 || !step.is_finite() || !start.is_finite() {
        return Err("range needs a finite start and a non-zero finite step".into());
    }
    let count = ((end - start) / step).ceil().max(0.0);
    if !count.is_finite() || count > call.budget.limits.collection as f64 {
        return Err(Failure::Limit(
            call.budget
                .limits
                .exceeded("collection", &format!("a range of {count} numbers")),
        ));
    }
    let count = count as usize;
    Ok(Value::List(
        (0..count)
            .map(|index| Value::Number(start + step * index as f64))
            .collect(),
    ))
}

fn fold(call: Call<'_>, pick: fn(f64, f64) -> f64) -> Outcome {
    let numbers: Vec<f64> = (0..call.args.len())
        .map(|index| call.number(index))
        .collect::<Result<_, _>>()?;
    numbers
        .into_iter()
        .reduce(pick)
        .map(Value::Number)
        .ok_or_else(|| "needs at least one number".into())
}

pub fn min(call: Call<'_>) -> Outcome {
    fold(call, f64::min)
}

pub fn max(call: Call<'_>) -> Outcome {
    fold(call, f64::max)
}

pub fn sum(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    if items.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let mut total = 0.0;
    for item in items {
        total += item.to_number().ok_or("sum needs numbers")?;
    }
    Ok(Value::Number(total))
}

pub fn abs(call: Call<'_>) -> Outcome {
    Ok(Value::Number(call.number(0)?.abs()))
}

pub fn ceil(call: Call<'_>) -> Outcome {
    Ok(Value::Number(call.number(0)?.ceil()))
}

pub fn floor(call: Call<'_>) -> Outcome {
    Ok(Value::Number(call.number(0)?.floor()))
}

pub fn tonumber(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::Null => Ok(Value::Null),
        other => other
            .to_number()
            .map(Value::Number)
            .ok_or_else(|| Failure::Invalid(format!("cannot convert {other} to a number"))),
    }
}

pub fn tobool(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::Null => Ok(Value::Null),
        other => other
            .to_bool()
            .map(Value::Bool)
            .ok_or_else(|| Failure::Invalid(format!("cannot convert {other} to a bool"))),
    }
}

//! Functions over lists, sets, maps and objects.

use std::collections::HashSet;

use indexmap::IndexMap;

use super::{Call, Failure, Outcome};
use crate::value::Value;

pub fn merge(call: Call<'_>) -> Outcome {
    Ok(Value::merge(call.args)?)
}

/// `lookup(map, key, default)`. A partial map that lacks the key may still have it: unknown.
pub fn lookup(call: Call<'_>) -> Outcome {
    let mut args = call.args.into_iter();
    let (Some(map), Some(key)) = (args.next(), args.next()) else {
        return Err("needs a map and a key".into());
    };
    let default = args.next();
    if key.is_unknown() {
        return Ok(Value::Unknown);
    }
    let key = key.to_string_value().ok_or("key must be a string")?;
    let (mut entries, partial) = match map {
        Value::Map(entries) => (entries, false),
        Value::Partial(entries) => (entries, true),
        Value::Unknown => return Ok(Value::Unknown),
        other => {
            return Err(Failure::Invalid(format!(
                "first argument must be a map, got {}",
                other.type_name()
            )))
        }
    };
    match (entries.swap_remove(&key), default) {
        (Some(value), _) => Ok(value),
        (None, _) if partial => Ok(Value::Unknown),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(Failure::Invalid(format!(
            "the map has no key {key:?} and no default was given"
        ))),
    }
}

pub fn concat(call: Call<'_>) -> Outcome {
    let total: usize = call
        .args
        .iter()
        .map(|arg| arg.as_list().map_or(0, <[Value]>::len))
        .sum();
    call.fits_collection(total)?;
    let mut out = Vec::with_capacity(total);
    for arg in call.args {
        match arg {
            Value::List(items) => out.extend(items),
            other => {
                return Err(Failure::Invalid(format!(
                    "all arguments must be lists, got {}",
                    other.type_name()
                )))
            }
        }
    }
    Ok(Value::List(out))
}

/// A key that equal values share, for de-duplicating in one pass.
fn identity(value: &Value) -> Option<String> {
    Some(match value {
        Value::String(text) => format!("s{text}"),
        Value::Number(number) => format!("n{}", number.to_bits()),
        Value::Bool(flag) => format!("b{flag}"),
        Value::Null => "z".to_owned(),
        other => format!("j{}", super::strings::canonical_json(other.to_json()?)),
    })
}

/// The distinct items, first occurrence first: linear in the input (hashing), never quadratic.
fn distinct_items(items: impl IntoIterator<Item = Value>) -> Option<Vec<Value>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for item in items {
        if seen.insert(identity(&item)?) {
            out.push(item);
        }
    }
    Some(out)
}

fn set_of(items: Vec<Value>, sort: bool) -> Outcome {
    if items.iter().any(Value::contains_unknown) {
        return Ok(Value::Unknown);
    }
    let Some(mut out) = distinct_items(items) else {
        return Ok(Value::Unknown);
    };
    if sort && out.iter().all(|item| matches!(item, Value::String(_))) {
        // Terraform iterates sets of strings in lexical order.
        out.sort_unstable_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    Ok(Value::List(out))
}

pub fn toset(call: Call<'_>) -> Outcome {
    set_of(call.list(0)?.to_vec(), true)
}

pub fn distinct(call: Call<'_>) -> Outcome {
    set_of(call.list(0)?.to_vec(), false)
}

pub fn setunion(call: Call<'_>) -> Outcome {
    let mut all = Vec::new();
    for arg in &call.args {
        let Value::List(items) = arg else {
            return Err("setunion needs sets".into());
        };
        all.extend(items.iter().cloned());
    }
    call.fits_collection(all.len())?;
    set_of(all, true)
}

pub fn tolist(call: Call<'_>) -> Outcome {
    Ok(Value::List(call.list(0)?.to_vec()))
}

pub fn tomap(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        value @ (Value::Map(_) | Value::Partial(_) | Value::Unknown) => Ok(value.clone()),
        other => Err(Failure::Invalid(format!(
            "cannot convert a {} to a map",
            other.type_name()
        ))),
    }
}

pub fn length(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::List(items) => Ok(Value::Number(items.len() as f64)),
        Value::Map(entries) => Ok(Value::Number(entries.len() as f64)),
        Value::String(text) => Ok(Value::Number(text.chars().count() as f64)),
        other => Err(Failure::Invalid(format!(
            "cannot take the length of a {}",
            other.type_name()
        ))),
    }
}

pub fn coalesce(call: Call<'_>) -> Outcome {
    for arg in call.args {
        match arg {
            Value::Unknown | Value::Partial(_) => return Ok(Value::Unknown),
            Value::Null => continue,
            Value::String(ref text) if text.is_empty() => continue,
            other => return Ok(other),
        }
    }
    Err("no non-null, non-empty argument".into())
}

pub fn coalescelist(call: Call<'_>) -> Outcome {
    for arg in call.args {
        match arg {
            Value::List(ref items) if items.is_empty() => continue,
            other => return Ok(other),
        }
    }
    Ok(Value::List(Vec::new()))
}

pub fn contains(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    let needle = call.arg(1)?;
    if needle.contains_unknown() {
        return Ok(Value::Unknown);
    }
    if items.contains(needle) {
        Ok(Value::Bool(true))
    } else if items.iter().any(Value::contains_unknown) {
        Ok(Value::Unknown)
    } else {
        Ok(Value::Bool(false))
    }
}

pub fn keys(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::Map(entries) => Ok(Value::List(
            entries.keys().map(|k| Value::String(k.clone())).collect(),
        )),
        other => Err(Failure::Invalid(format!(
            "keys needs a map, got {}",
            other.type_name()
        ))),
    }
}

pub fn values(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::Map(entries) => Ok(Value::List(entries.values().cloned().collect())),
        other => Err(Failure::Invalid(format!(
            "values needs a map, got {}",
            other.type_name()
        ))),
    }
}

pub fn flatten(call: Call<'_>) -> Outcome {
    let mut out = Vec::new();
    // Iterative, so no nesting of lists can overflow the stack.
    let mut pending: Vec<std::slice::Iter<'_, Value>> = vec![call.list(0)?.iter()];
    while let Some(top) = pending.last_mut() {
        match top.next() {
            None => {
                pending.pop();
            }
            Some(Value::List(inner)) => pending.push(inner.iter()),
            Some(Value::Unknown) => return Ok(Value::Unknown),
            Some(other) => {
                out.push(other.clone());
                call.fits_collection(out.len())?;
            }
        }
    }
    Ok(Value::List(out))
}

pub fn compact(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    if items.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    Ok(Value::List(
        items
            .iter()
            .filter(|item| !matches!(item, Value::Null) && item.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}

pub fn element(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    let index = call.number(1)?;
    if items.is_empty() {
        return Err("cannot use element on an empty list".into());
    }
    let position = (index.max(0.0) as usize) % items.len();
    Ok(items[position].clone())
}

pub fn index(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    let needle = call.arg(1)?;
    items
        .iter()
        .position(|item| item == needle)
        .map(|position| Value::Number(position as f64))
        .ok_or_else(|| "value not found in list".into())
}

pub fn slice(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    let (start, end) = (call.number(1)?, call.number(2)?);
    if start < 0.0 || start > end || end > items.len() as f64 {
        return Err("slice bounds out of range".into());
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

pub fn reverse(call: Call<'_>) -> Outcome {
    let mut items = call.list(0)?.to_vec();
    items.reverse();
    Ok(Value::List(items))
}

pub fn sort(call: Call<'_>) -> Outcome {
    let items = call.list(0)?;
    if items.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let mut texts: Vec<String> = items
        .iter()
        .map(|item| item.to_string_value().ok_or("sort needs strings"))
        .collect::<Result<_, _>>()?;
    texts.sort_unstable();
    Ok(Value::List(
        texts
            .into_iter()
            .map(|text| Value::String(text.into()))
            .collect(),
    ))
}

pub fn zipmap(call: Call<'_>) -> Outcome {
    let keys = call.list(0)?;
    let values = call.list(1)?;
    if keys.len() != values.len() {
        return Err("keys and values must have the same length".into());
    }
    let mut out = IndexMap::new();
    for (key, value) in keys.iter().zip(values) {
        match key {
            Value::Unknown => return Ok(Value::Unknown),
            key => {
                out.insert(
                    key.to_string_value().ok_or("keys must be strings")?,
                    value.clone(),
                );
            }
        }
    }
    Ok(Value::Map(out.into()))
}

pub fn one(call: Call<'_>) -> Outcome {
    match call.list(0)? {
        [] => Ok(Value::Null),
        [single] => Ok(single.clone()),
        _ => Err("must have no more than one element".into()),
    }
}

fn all_or_any(call: Call<'_>, want_all: bool) -> Outcome {
    let mut unknown = false;
    for item in call.list(0)? {
        match item.to_bool() {
            Some(flag) if flag != want_all => return Ok(Value::Bool(!want_all)),
            Some(_) => {}
            None if item.is_unknown() => unknown = true,
            None => return Err("needs bools".into()),
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(want_all)
    })
}

pub fn alltrue(call: Call<'_>) -> Outcome {
    all_or_any(call, true)
}

pub fn anytrue(call: Call<'_>) -> Outcome {
    all_or_any(call, false)
}

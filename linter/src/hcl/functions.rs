//! The Terraform functions real modules use, over [`Value`]s with unknown propagation.
//!
//! A function we do not implement yields `Unknown` rather than an error: a gap in drlint must
//! show up as "cannot be known", never as a verdict.

use indexmap::IndexMap;

use crate::value::{format_number, Value};

type Result = std::result::Result<Value, String>;

/// Calls function `name`. `try` and `can` are handled by the evaluator (they need lazy arguments).
pub fn call(name: &str, args: Vec<Value>) -> Result {
    // Functions that look inside their arguments handle unknown elements themselves; a wholly
    // unknown argument makes every result unknown.
    if args.iter().any(Value::is_unknown) && name != "coalesce" {
        return Ok(Value::Unknown);
    }
    match name {
        "merge" => merge(args),
        "lookup" => lookup(args),
        "concat" => {
            let mut out = Vec::new();
            for arg in args {
                match arg {
                    Value::List(items) => out.extend(items),
                    other => {
                        return Err(format!(
                            "all arguments must be lists, got {}",
                            other.type_name()
                        ))
                    }
                }
            }
            Ok(Value::List(out))
        }
        "toset" | "distinct" => {
            let items = list_arg(&args, 0)?;
            if items.iter().any(Value::contains_unknown) {
                return Ok(Value::Unknown);
            }
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                if !out.contains(item) {
                    out.push(item.clone());
                }
            }
            if name == "toset" && out.iter().all(|item| matches!(item, Value::String(_))) {
                // Terraform iterates sets of strings in lexical order.
                out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
            Ok(Value::List(out))
        }
        "tolist" => Ok(Value::List(list_arg(&args, 0)?.to_vec())),
        "tomap" => match first(&args)? {
            Value::Map(entries) => Ok(Value::Map(entries.clone())),
            other => Err(format!("cannot convert a {} to a map", other.type_name())),
        },
        "length" => match first(&args)? {
            Value::List(items) => Ok(Value::Number(items.len() as f64)),
            Value::Map(entries) => Ok(Value::Number(entries.len() as f64)),
            Value::String(text) => Ok(Value::Number(text.chars().count() as f64)),
            other => Err(format!("cannot take the length of a {}", other.type_name())),
        },
        "coalesce" => {
            for arg in args {
                match arg {
                    Value::Unknown => return Ok(Value::Unknown),
                    Value::Null => continue,
                    Value::String(ref text) if text.is_empty() => continue,
                    other => return Ok(other),
                }
            }
            Err("no non-null, non-empty argument".to_owned())
        }
        "coalescelist" => {
            for arg in args {
                match arg {
                    Value::List(ref items) if items.is_empty() => continue,
                    other => return Ok(other),
                }
            }
            Ok(Value::List(Vec::new()))
        }
        "contains" => {
            let items = list_arg(&args, 0)?;
            let needle = args.get(1).ok_or("needs a list and a value")?;
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
        "keys" => match first(&args)? {
            Value::Map(entries) => Ok(Value::List(
                entries.keys().map(|k| Value::String(k.clone())).collect(),
            )),
            other => Err(format!("keys needs a map, got {}", other.type_name())),
        },
        "values" => match first(&args)? {
            Value::Map(entries) => Ok(Value::List(entries.values().cloned().collect())),
            other => Err(format!("values needs a map, got {}", other.type_name())),
        },
        "flatten" => {
            let mut out = Vec::new();
            if !flatten_into(list_arg(&args, 0)?, &mut out) {
                return Ok(Value::Unknown);
            }
            Ok(Value::List(out))
        }
        "compact" => {
            let items = list_arg(&args, 0)?;
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
        "format" => format(args),
        "join" => {
            let separator = string_arg(&args, 0)?;
            let mut parts = Vec::new();
            for list in &args[1..] {
                let Value::List(items) = list else {
                    return Err("join needs lists".to_owned());
                };
                for item in items {
                    match item {
                        Value::Unknown => return Ok(Value::Unknown),
                        other => parts.push(other.to_string_value().ok_or("join needs strings")?),
                    }
                }
            }
            Ok(Value::String(parts.join(&separator)))
        }
        "split" => {
            let separator = string_arg(&args, 0)?;
            let text = string_arg(&args, 1)?;
            if text.is_empty() {
                return Ok(Value::List(vec![Value::String(String::new())]));
            }
            Ok(Value::List(
                text.split(separator.as_str())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ))
        }
        "replace" => {
            let text = string_arg(&args, 0)?;
            let search = string_arg(&args, 1)?;
            let replacement = string_arg(&args, 2)?;
            if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
                // Regular-expression replacement: not evaluated.
                return Ok(Value::Unknown);
            }
            Ok(Value::String(text.replace(&search, &replacement)))
        }
        "lower" => Ok(Value::String(string_arg(&args, 0)?.to_lowercase())),
        "upper" => Ok(Value::String(string_arg(&args, 0)?.to_uppercase())),
        "title" => Ok(Value::String(
            string_arg(&args, 0)?
                .split(' ')
                .map(|word| {
                    let mut chars = word.chars();
                    chars
                        .next()
                        .map(|c| c.to_uppercase().chain(chars).collect())
                        .unwrap_or_default()
                })
                .collect::<Vec<String>>()
                .join(" "),
        )),
        "trimspace" => Ok(Value::String(string_arg(&args, 0)?.trim().to_owned())),
        "trimprefix" => {
            let text = string_arg(&args, 0)?;
            let prefix = string_arg(&args, 1)?;
            Ok(Value::String(
                text.strip_prefix(prefix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            ))
        }
        "trimsuffix" => {
            let text = string_arg(&args, 0)?;
            let suffix = string_arg(&args, 1)?;
            Ok(Value::String(
                text.strip_suffix(suffix.as_str())
                    .unwrap_or(&text)
                    .to_owned(),
            ))
        }
        "startswith" => Ok(Value::Bool(
            string_arg(&args, 0)?.starts_with(string_arg(&args, 1)?.as_str()),
        )),
        "endswith" => Ok(Value::Bool(
            string_arg(&args, 0)?.ends_with(string_arg(&args, 1)?.as_str()),
        )),
        "substr" => {
            let text: Vec<char> = string_arg(&args, 0)?.chars().collect();
            let offset = number_arg(&args, 1)? as i64;
            let length = number_arg(&args, 2)? as i64;
            let start = if offset < 0 {
                (text.len() as i64 + offset).max(0)
            } else {
                offset
            } as usize;
            let start = start.min(text.len());
            let end = if length < 0 {
                text.len()
            } else {
                (start + length as usize).min(text.len())
            };
            Ok(Value::String(text[start..end].iter().collect()))
        }
        "element" => {
            let items = list_arg(&args, 0)?;
            let index = number_arg(&args, 1)?;
            if items.is_empty() {
                return Err("cannot use element on an empty list".to_owned());
            }
            let position = (index.max(0.0) as usize) % items.len();
            Ok(items[position].clone())
        }
        "index" => {
            let items = list_arg(&args, 0)?;
            let needle = args.get(1).ok_or("needs a list and a value")?;
            items
                .iter()
                .position(|item| item == needle)
                .map(|position| Value::Number(position as f64))
                .ok_or_else(|| "value not found in list".to_owned())
        }
        "slice" => {
            let items = list_arg(&args, 0)?;
            let start = number_arg(&args, 1)? as usize;
            let end = number_arg(&args, 2)? as usize;
            if start > end || end > items.len() {
                return Err("slice bounds out of range".to_owned());
            }
            Ok(Value::List(items[start..end].to_vec()))
        }
        "reverse" => {
            let mut items = list_arg(&args, 0)?.to_vec();
            items.reverse();
            Ok(Value::List(items))
        }
        "sort" => {
            let items = list_arg(&args, 0)?;
            if items.iter().any(Value::is_unknown) {
                return Ok(Value::Unknown);
            }
            let mut texts: Vec<String> = items
                .iter()
                .map(|item| item.to_string_value().ok_or("sort needs strings"))
                .collect::<std::result::Result<_, _>>()?;
            texts.sort();
            Ok(Value::List(texts.into_iter().map(Value::String).collect()))
        }
        "zipmap" => {
            let keys = list_arg(&args, 0)?;
            let values = list_arg(&args, 1)?;
            if keys.len() != values.len() {
                return Err("keys and values must have the same length".to_owned());
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
            Ok(Value::Map(out))
        }
        "range" => {
            let numbers: Vec<f64> = args
                .iter()
                .map(|arg| arg.to_number().ok_or("range needs numbers"))
                .collect::<std::result::Result<_, _>>()?;
            let (start, end, step) = match numbers.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return Err("range takes one to three numbers".to_owned()),
            };
            if step == 0.0 {
                return Err("range step must not be zero".to_owned());
            }
            let mut out = Vec::new();
            let mut current = start;
            while (step > 0.0 && current < end) || (step < 0.0 && current > end) {
                out.push(Value::Number(current));
                current += step;
                if out.len() > 1_000_000 {
                    return Err("range too large".to_owned());
                }
            }
            Ok(Value::List(out))
        }
        "min" | "max" => {
            let numbers: Vec<f64> = args
                .iter()
                .map(|arg| arg.to_number().ok_or("needs numbers"))
                .collect::<std::result::Result<_, _>>()?;
            let folded =
                numbers
                    .into_iter()
                    .reduce(|a, b| if name == "min" { a.min(b) } else { a.max(b) });
            folded
                .map(Value::Number)
                .ok_or_else(|| "needs at least one number".to_owned())
        }
        "sum" => {
            let items = list_arg(&args, 0)?;
            if items.iter().any(Value::is_unknown) {
                return Ok(Value::Unknown);
            }
            let mut total = 0.0;
            for item in items {
                total += item.to_number().ok_or("sum needs numbers")?;
            }
            Ok(Value::Number(total))
        }
        "abs" => Ok(Value::Number(number_arg(&args, 0)?.abs())),
        "ceil" => Ok(Value::Number(number_arg(&args, 0)?.ceil())),
        "floor" => Ok(Value::Number(number_arg(&args, 0)?.floor())),
        "tostring" => match first(&args)? {
            Value::Null => Ok(Value::Null),
            other => other
                .to_string_value()
                .map(Value::String)
                .ok_or_else(|| format!("cannot convert a {} to a string", other.type_name())),
        },
        "tonumber" => match first(&args)? {
            Value::Null => Ok(Value::Null),
            other => other
                .to_number()
                .map(Value::Number)
                .ok_or_else(|| format!("cannot convert {other} to a number")),
        },
        "tobool" => match first(&args)? {
            Value::Null => Ok(Value::Null),
            other => other
                .to_bool()
                .map(Value::Bool)
                .ok_or_else(|| format!("cannot convert {other} to a bool")),
        },
        "one" => {
            let items = list_arg(&args, 0)?;
            match items {
                [] => Ok(Value::Null),
                [single] => Ok(single.clone()),
                _ => Err("must have no more than one element".to_owned()),
            }
        }
        "alltrue" | "anytrue" => {
            let items = list_arg(&args, 0)?;
            let want_all = name == "alltrue";
            let mut unknown = false;
            for item in items {
                match item.to_bool() {
                    Some(flag) if flag != want_all => return Ok(Value::Bool(!want_all)),
                    Some(_) => {}
                    None if item.is_unknown() => unknown = true,
                    None => return Err("needs bools".to_owned()),
                }
            }
            Ok(if unknown {
                Value::Unknown
            } else {
                Value::Bool(want_all)
            })
        }
        "setunion" => {
            let mut out: Vec<Value> = Vec::new();
            for arg in &args {
                let Value::List(items) = arg else {
                    return Err("setunion needs sets".to_owned());
                };
                for item in items {
                    if !out.contains(item) {
                        out.push(item.clone());
                    }
                }
            }
            Ok(Value::List(out))
        }
        "jsonencode" => match first(&args)?.to_json() {
            Some(json) => Ok(Value::String(sorted_keys(json).to_string())),
            None => Ok(Value::Unknown),
        },
        "jsondecode" => {
            let text = string_arg(&args, 0)?;
            serde_json::from_str::<serde_json::Value>(&text)
                .map(|json| Value::from_json(&json))
                .map_err(|error| format!("invalid JSON: {error}"))
        }
        // Values that depend on the machine, the clock or the file system at apply time, and
        // functions drlint does not implement: honestly unknown.
        _ => Ok(Value::Unknown),
    }
}

fn first(args: &[Value]) -> std::result::Result<&Value, String> {
    args.first().ok_or_else(|| "missing argument".to_owned())
}

fn list_arg(args: &[Value], index: usize) -> std::result::Result<&[Value], String> {
    match args.get(index) {
        Some(Value::List(items)) => Ok(items),
        Some(other) => Err(format!(
            "argument {} must be a list, got {}",
            index + 1,
            other.type_name()
        )),
        None => Err(format!("missing argument {}", index + 1)),
    }
}

fn string_arg(args: &[Value], index: usize) -> std::result::Result<String, String> {
    args.get(index)
        .and_then(Value::to_string_value)
        .ok_or_else(|| format!("argument {} must be a string", index + 1))
}

fn number_arg(args: &[Value], index: usize) -> std::result::Result<f64, String> {
    args.get(index)
        .and_then(Value::to_number)
        .ok_or_else(|| format!("argument {} must be a number", index + 1))
}

fn merge(args: Vec<Value>) -> Result {
    let mut out = IndexMap::new();
    for arg in args {
        match arg {
            Value::Null => {}
            Value::Map(entries) => {
                for (key, value) in entries {
                    out.insert(key, value);
                }
            }
            other => {
                return Err(format!(
                    "arguments must be maps or objects, got {}",
                    other.type_name()
                ))
            }
        }
    }
    Ok(Value::Map(out))
}

fn lookup(args: Vec<Value>) -> Result {
    let mut args = args.into_iter();
    let (Some(map), Some(key)) = (args.next(), args.next()) else {
        return Err("needs a map and a key".to_owned());
    };
    let default = args.next();
    let Value::Map(mut entries) = map else {
        return Err(format!(
            "first argument must be a map, got {}",
            map.type_name()
        ));
    };
    let key = key.to_string_value().ok_or("key must be a string")?;
    match (entries.swap_remove(&key), default) {
        (Some(value), _) => Ok(value),
        (None, Some(default)) => Ok(default),
        (None, None) => Err(format!(
            "the map has no key {key:?} and no default was given"
        )),
    }
}

/// Returns false when an unknown element hides whether it is a list.
fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> bool {
    for item in items {
        match item {
            Value::List(inner) => {
                if !flatten_into(inner, out) {
                    return false;
                }
            }
            Value::Unknown => return false,
            other => out.push(other.clone()),
        }
    }
    true
}

fn format(args: Vec<Value>) -> Result {
    let spec = string_arg(&args, 0)?;
    if args.iter().any(Value::contains_unknown) {
        return Ok(Value::Unknown);
    }
    let mut out = String::new();
    let mut rest = args[1..].iter();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags and width are accepted and ignored, except that the verb decides the form.
        let mut verb = None;
        let mut flags = String::new();
        for next in chars.by_ref() {
            if next.is_ascii_alphabetic() || next == '%' {
                verb = Some(next);
                break;
            }
            flags.push(next);
        }
        match verb {
            Some('%') => out.push('%'),
            Some(verb) => {
                let arg = rest.next().ok_or("too few arguments for the format")?;
                match verb {
                    'd' => {
                        let digits =
                            format_number(arg.to_number().ok_or("%d needs a number")?.trunc());
                        let width = flags
                            .strip_prefix('0')
                            .and_then(|w| w.parse::<usize>().ok())
                            .unwrap_or(0);
                        out.push_str(&format!("{digits:0>width$}"));
                    }
                    'q' => out.push_str(&format!(
                        "{:?}",
                        arg.to_string_value().ok_or("%q needs a string")?
                    )),
                    'v' | 's' => match arg {
                        Value::String(text) => out.push_str(text),
                        other => out
                            .push_str(&other.to_json().map(|j| j.to_string()).unwrap_or_default()),
                    },
                    _ => out.push_str(&arg.to_string_value().unwrap_or_default()),
                }
            }
            None => return Err("format ends in the middle of a verb".to_owned()),
        }
    }
    Ok(Value::String(out))
}

/// Terraform's maps and objects have no order: `jsonencode` writes their keys sorted.
fn sorted_keys(json: serde_json::Value) -> serde_json::Value {
    match json {
        serde_json::Value::Object(entries) => {
            let mut entries: Vec<(String, serde_json::Value)> = entries.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(key, value)| (key, sorted_keys(value)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted_keys).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    #[test]
    fn unknown_arguments_make_unknown_results() {
        assert_eq!(call("upper", vec![Value::Unknown]), Ok(Value::Unknown));
        assert_eq!(
            call(
                "join",
                vec![s(","), Value::List(vec![s("a"), Value::Unknown])]
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(
            call("length", vec![Value::List(vec![Value::Unknown])]),
            Ok(Value::Number(1.0))
        );
        assert_eq!(
            call(
                "contains",
                vec![Value::List(vec![s("a"), Value::Unknown]), s("a")]
            ),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            call(
                "contains",
                vec![Value::List(vec![s("a"), Value::Unknown]), s("b")]
            ),
            Ok(Value::Unknown)
        );
        assert_eq!(call("timestamp", vec![]), Ok(Value::Unknown));
    }

    #[test]
    fn toset_sorts_strings_and_format_reads_verbs() {
        assert_eq!(
            call("toset", vec![Value::List(vec![s("b"), s("a"), s("b")])]),
            Ok(Value::List(vec![s("a"), s("b")]))
        );
        assert_eq!(
            call(
                "format",
                vec![s("%s-%03d %q %%"), s("db"), Value::Number(7.0), s("x")]
            ),
            Ok(s("db-007 \"x\" %"))
        );
        assert_eq!(
            call("coalesce", vec![Value::Null, s(""), s("x")]),
            Ok(s("x"))
        );
        assert_eq!(
            call("coalesce", vec![Value::Unknown, s("x")]),
            Ok(Value::Unknown)
        );
    }
}

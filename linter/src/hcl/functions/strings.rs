//! Functions over strings, and JSON encoding. Results that could grow beyond the string limit
//! (`join`, `format`, `replace`) are measured before they are built.

use super::{Call, Failure, Outcome};
use crate::value::{Text, Value};

pub fn format(call: Call<'_>) -> Outcome {
    let spec = call.string(0)?;
    if call.args.iter().any(Value::contains_unknown) {
        return Ok(Value::Unknown);
    }
    let mut out = String::new();
    let mut rest = call.args[1..].iter();
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
                        let digits = crate::value::format_number(
                            arg.to_number().ok_or("%d needs a number")?.trunc(),
                        );
                        let width = flags
                            .strip_prefix('0')
                            .and_then(|w| w.parse::<usize>().ok())
                            .unwrap_or(0);
                        call.fits_string(out.len().saturating_add(width.max(digits.len())))?;
                        // Built by hand: the standard library's widths stop at 65535.
                        let (sign, digits) = match digits.strip_prefix('-') {
                            Some(rest) => ("-", rest),
                            None => ("", digits.as_str()),
                        };
                        out.push_str(sign);
                        let padding = width.saturating_sub(digits.len() + sign.len());
                        out.extend(std::iter::repeat_n('0', padding));
                        out.push_str(digits);
                    }
                    'q' => out.push_str(&format!(
                        "{:?}",
                        arg.to_string_value().ok_or("%q needs a string")?
                    )),
                    'v' | 's' => match arg {
                        Value::String(text) => out.push_str(text),
                        other => out.push_str(
                            &other
                                .to_json()
                                .map(|json| json.to_string())
                                .unwrap_or_default(),
                        ),
                    },
                    _ => out.push_str(&arg.to_string_value().unwrap_or_default()),
                }
                call.fits_string(out.len())?;
            }
            None => return Err("format ends in the middle of a verb".into()),
        }
    }
    Ok(Value::String(out.into()))
}

pub fn join(call: Call<'_>) -> Outcome {
    let separator = call.string(0)?;
    let mut parts = Vec::new();
    for list in &call.args[1..] {
        let Value::List(items) = list else {
            return Err("join needs lists".into());
        };
        for item in items {
            match item {
                Value::Unknown => return Ok(Value::Unknown),
                other => parts.push(other.to_string_value().ok_or("join needs strings")?),
            }
        }
    }
    let length = parts.iter().map(String::len).sum::<usize>().saturating_add(
        separator
            .len()
            .saturating_mul(parts.len().saturating_sub(1)),
    );
    call.fits_string(length)?;
    Ok(Value::String(parts.join(&separator).into()))
}

pub fn split(call: Call<'_>) -> Outcome {
    let separator = call.string(0)?;
    let text = call.string(1)?;
    if text.is_empty() {
        return Ok(Value::List(vec![Value::String(Text::default())]));
    }
    if separator.is_empty() {
        call.fits_collection(text.chars().count())?;
        return Ok(Value::List(
            text.chars()
                .map(|c| Value::String(c.to_string().into()))
                .collect(),
        ));
    }
    call.fits_collection(text.matches(separator.as_str()).count() + 1)?;
    Ok(Value::List(
        text.split(separator.as_str())
            .map(|s| Value::String(s.into()))
            .collect(),
    ))
}

pub fn replace(call: Call<'_>) -> Outcome {
    let text = call.string(0)?;
    let search = call.string(1)?;
    let replacement = call.string(2)?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        // Regular-expression replacement: not evaluated.
        return Ok(Value::Unknown);
    }
    if search.is_empty() {
        return Ok(Value::String(text.into()));
    }
    let matches = text.matches(search.as_str()).count();
    let length = (text.len() - matches * search.len())
        .saturating_add(matches.saturating_mul(replacement.len()));
    call.fits_string(length)?;
    Ok(Value::String(text.replace(&search, &replacement).into()))
}

/// `basename(path)`: the last part of a path, as Go's `filepath.Base` takes it.
pub fn basename(call: Call<'_>) -> Outcome {
    let path = call.string(0)?;
    let trimmed = path.trim_end_matches('/');
    Ok(Value::String(match trimmed.rsplit('/').next() {
        _ if path.is_empty() => ".".into(),
        _ if trimmed.is_empty() => "/".into(),
        Some(last) => last.into(),
        None => trimmed.into(),
    }))
}

/// `dirname(path)`: all but the last part of a path, as Go's `filepath.Dir` takes it.
pub fn dirname(call: Call<'_>) -> Outcome {
    let path = call.string(0)?;
    let trimmed = path.trim_end_matches('/');
    Ok(Value::String(match trimmed.rfind('/') {
        Some(0) => "/".into(),
        Some(at) => trimmed[..at].into(),
        None if path.starts_with('/') => "/".into(),
        None => ".".into(),
    }))
}

pub fn lower(call: Call<'_>) -> Outcome {
    Ok(Value::String(call.string(0)?.to_lowercase().into()))
}

pub fn upper(call: Call<'_>) -> Outcome {
    Ok(Value::String(call.string(0)?.to_uppercase().into()))
}

pub fn title(call: Call<'_>) -> Outcome {
    Ok(Value::String(
        call.string(0)?
            .split(' ')
            .map(|word| {
                let mut chars = word.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            })
            .collect::<Vec<String>>()
            .join(" ")
            .into(),
    ))
}

pub fn trimspace(call: Call<'_>) -> Outcome {
    Ok(Value::String(call.string(0)?.trim().into()))
}

pub fn trimprefix(call: Call<'_>) -> Outcome {
    let text = call.string(0)?;
    let prefix = call.string(1)?;
    Ok(Value::String(
        text.strip_prefix(prefix.as_str()).unwrap_or(&text).into(),
    ))
}

pub fn trimsuffix(call: Call<'_>) -> Outcome {
    let text = call.string(0)?;
    let suffix = call.string(1)?;
    Ok(Value::String(
        text.strip_suffix(suffix.as_str()).unwrap_or(&text).into(),
    ))
}

pub fn startswith(call: Call<'_>) -> Outcome {
    Ok(Value::Bool(
        call.string(0)?.starts_with(call.string(1)?.as_str()),
    ))
}

pub fn endswith(call: Call<'_>) -> Outcome {
    Ok(Value::Bool(
        call.string(0)?.ends_with(call.string(1)?.as_str()),
    ))
}

pub fn substr(call: Call<'_>) -> Outcome {
    let text: Vec<char> = call.string(0)?.chars().collect();
    let offset = call.number(1)?;
    let length = call.number(2)?;
    let len = text.len() as f64;
    let start = if offset < 0.0 {
        (len + offset).max(0.0)
    } else {
        offset.min(len)
    } as usize;
    let end = if length < 0.0 {
        text.len()
    } else {
        (start as f64 + length).min(len) as usize
    };
    Ok(Value::String(
        text[start.min(end)..end].iter().collect::<String>().into(),
    ))
}

pub fn tostring(call: Call<'_>) -> Outcome {
    match call.arg(0)? {
        Value::Null => Ok(Value::Null),
        other => other
            .to_string_value()
            .map(|text| Value::String(text.into()))
            .ok_or_else(|| {
                Failure::Invalid(format!(
                    "cannot convert a {} to a string",
                    other.type_name()
                ))
            }),
    }
}

pub fn jsonencode(call: Call<'_>) -> Outcome {
    match call.arg(0)?.to_json() {
        Some(json) => Ok(Value::String(canonical_json(json).into())),
        None => Ok(Value::Unknown),
    }
}

pub fn jsondecode(call: Call<'_>) -> Outcome {
    let text = call.string(0)?;
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|json| Value::from_json(&json))
        .map_err(|error| Failure::Invalid(format!("invalid JSON: {error}")))
}

/// JSON as Terraform's `jsonencode` writes it: maps and objects have no order, so their keys
/// are sorted.
pub fn canonical_json(json: serde_json::Value) -> String {
    fn sorted(json: serde_json::Value) -> serde_json::Value {
        match json {
            serde_json::Value::Object(entries) => {
                let mut entries: Vec<(String, serde_json::Value)> = entries.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key, sorted(value)))
                        .collect(),
                )
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sorted).collect())
            }
            other => other,
        }
    }
    sorted(json).to_string()
}

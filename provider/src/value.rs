//! Terraform values on the wire: the cty type system, and its msgpack and JSON encodings.
//!
//! Terraform sends every configuration, plan and state as a `DynamicValue` whose bytes only make
//! sense against a type: an object is a msgpack map that must carry every attribute, a number may
//! arrive as an integer, a float or a decimal string, and a value not yet known is a msgpack
//! extension (type 0 from older Terraform, type 12 with refinements from newer Terraform and
//! OpenTofu). Decoding is therefore type-directed, and unknown is a value of its own.

use std::collections::BTreeMap;
use std::fmt;

/// A cty type, as Terraform describes attributes in schemas (`"string"`, `["set","string"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; values carry their type with them on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A number kept as canonical decimal text, so values beyond 64 bits survive a round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number(String);

/// A Terraform value. `Unknown` is a value not known until apply, of any type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
    /// A value of a `dynamic` attribute, with the concrete type it arrived with.
    Typed(Type, Box<Value>),
}

/// Why bytes from Terraform could not be read as a value of the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode {what}: {problem}")]
pub struct DecodeError {
    pub what: String,
    pub problem: String,
}

fn decode_error(what: impl Into<String>, problem: impl Into<String>) -> DecodeError {
    DecodeError {
        what: what.into(),
        problem: problem.into(),
    }
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// The cty JSON form of this type, as schemas carry it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value as Json};
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(element) => json!(["list", element.to_json()]),
            Type::Set(element) => json!(["set", element.to_json()]),
            Type::Map(element) => json!(["map", element.to_json()]),
            Type::Object(attributes) => {
                let attributes: serde_json::Map<String, Json> = attributes
                    .iter()
                    .map(|(name, ty)| (name.clone(), ty.to_json()))
                    .collect();
                json!(["object", attributes])
            }
            Type::Tuple(elements) => {
                json!([
                    "tuple",
                    elements.iter().map(Type::to_json).collect::<Vec<_>>()
                ])
            }
        }
    }

    /// Reads the cty JSON form of a type.
    pub fn from_json(json: &serde_json::Value) -> Result<Type, DecodeError> {
        use serde_json::Value as Json;
        let bad = || decode_error("type", format!("{json} is not a cty type"));
        match json {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
                (Some("list"), Some(element)) => Ok(Type::list(Type::from_json(element)?)),
                (Some("set"), Some(element)) => Ok(Type::set(Type::from_json(element)?)),
                (Some("map"), Some(element)) => Ok(Type::map(Type::from_json(element)?)),
                (Some("object"), Some(Json::Object(attributes))) => Ok(Type::Object(
                    attributes
                        .iter()
                        .map(|(name, ty)| Ok((name.clone(), Type::from_json(ty)?)))
                        .collect::<Result<_, DecodeError>>()?,
                )),
                (Some("tuple"), Some(Json::Array(elements))) => Ok(Type::Tuple(
                    elements
                        .iter()
                        .map(Type::from_json)
                        .collect::<Result<_, _>>()?,
                )),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

impl Number {
    /// Reads decimal text such as `42`, `-0.5`, `1e3` or `12345678901234567890123`.
    pub fn parse(text: &str) -> Option<Number> {
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i64>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        if !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        // Place the decimal point `exponent` digits to the right of where it was written.
        let digits = format!("{whole}{fraction}");
        let point = i64::try_from(whole.len()).ok()?.checked_add(exponent)?;
        if point.unsigned_abs() > 4096 {
            return None;
        }
        let (integer, decimals) = if point <= 0 {
            (
                String::from("0"),
                format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
            )
        } else if point as usize >= digits.len() {
            (
                format!("{digits}{}", "0".repeat(point as usize - digits.len())),
                String::new(),
            )
        } else {
            (
                digits[..point as usize].to_owned(),
                digits[point as usize..].to_owned(),
            )
        };
        let integer = integer.trim_start_matches('0');
        let decimals = decimals.trim_end_matches('0');
        let integer = if integer.is_empty() { "0" } else { integer };
        let magnitude = if decimals.is_empty() {
            integer.to_owned()
        } else {
            format!("{integer}.{decimals}")
        };
        let negative = negative && magnitude != "0";
        Some(Number(if negative {
            format!("-{magnitude}")
        } else {
            magnitude
        }))
    }

    pub fn from_u64(value: u64) -> Number {
        Number(value.to_string())
    }

    pub fn from_i64(value: i64) -> Number {
        Number(value.to_string())
    }

    /// A float; `None` for NaN and infinities, which Terraform numbers cannot hold.
    pub fn from_f64(value: f64) -> Option<Number> {
        value
            .is_finite()
            .then(|| Number::parse(&format!("{value}")))
            .flatten()
    }

    /// The canonical decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_whole(&self) -> bool {
        !self.0.contains('.')
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    pub fn as_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Value {
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether this value and everything inside it is known.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            Value::Typed(_, inner) => inner.is_wholly_known(),
            _ => true,
        }
    }

    /// An attribute of an object value; `Null` when absent or when this is not an object.
    pub fn attribute(&self, name: &str) -> &Value {
        match self {
            Value::Object(attributes) => attributes.get(name).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }
}

/// How deeply a decoded value may nest. Schemas nest a few levels, but a `dynamic` value
/// carries its own type, which may be `dynamic` again without end: unbounded, decoding (and
/// everything that walks the value afterwards) would recurse until the stack overflows.
pub const MAX_VALUE_DEPTH: usize = 128;

fn too_deep(path: &str) -> DecodeError {
    decode_error(
        path,
        format!(
            "the value nests more than {MAX_VALUE_DEPTH} levels deep (dynamic values inside \
             dynamic values?); Terraform's values nest a few levels, so check what produced it"
        ),
    )
}

// ---- msgpack ----------------------------------------------------------------------------------

/// Reads a msgpack-encoded value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut reader = MsgpackReader {
        bytes,
        at: 0,
        depth: 0,
    };
    let value = reader.value(ty, "value")?;
    if reader.at != bytes.len() {
        return Err(decode_error(
            "value",
            format!("{} trailing bytes after the value", bytes.len() - reader.at),
        ));
    }
    Ok(value)
}

/// Writes `value` as msgpack for type `ty`, the way Terraform expects to read it back.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(64);
    write_msgpack(&mut out, value, ty, "value")?;
    Ok(out)
}

/// The extension Terraform reads as "unknown": fixext1, type 0, payload 0.
const UNKNOWN_MSGPACK: [u8; 3] = [0xd4, 0, 0];

fn write_msgpack(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    path: &str,
) -> Result<(), DecodeError> {
    use rmp::encode;
    // Writes into a Vec cannot fail; rmp's error type only covers I/O.
    let mismatch = || decode_error(path, format!("value {value:?} does not fit type {ty}"));
    match (value, ty) {
        (Value::Null, _) => {
            encode::write_nil(out).ok();
        }
        (Value::Unknown, _) => out.extend_from_slice(&UNKNOWN_MSGPACK),
        (Value::Typed(actual, inner), Type::Dynamic) => {
            encode::write_array_len(out, 2).ok();
            let type_json = actual.to_json().to_string();
            encode::write_bin(out, type_json.as_bytes()).ok();
            write_msgpack(out, inner, actual, path)?;
        }
        (_, Type::Dynamic) => {
            let actual = infer_type(value).ok_or_else(mismatch)?;
            return write_msgpack(
                out,
                &Value::Typed(actual, Box::new(value.clone())),
                ty,
                path,
            );
        }
        (Value::Bool(flag), Type::Bool) => {
            encode::write_bool(out, *flag).ok();
        }
        (Value::Number(number), Type::Number) => {
            if let Some(integer) = number.as_i64() {
                encode::write_sint(out, integer).ok();
            } else if let Some(integer) = number.as_u64() {
                encode::write_uint(out, integer).ok();
            } else if Number::from_f64(number.as_f64()).as_ref() == Some(number) {
                encode::write_f64(out, number.as_f64()).ok();
            } else {
                encode::write_str(out, number.as_str()).ok();
            }
        }
        (Value::String(text), Type::String) => {
            encode::write_str(out, text).ok();
        }
        (Value::List(items), Type::List(element)) | (Value::Set(items), Type::Set(element)) => {
            encode::write_array_len(out, len_u32(items.len())).ok();
            for (index, item) in items.iter().enumerate() {
                write_msgpack(out, item, element, &format!("{path}[{index}]"))?;
            }
        }
        (Value::Tuple(items), Type::Tuple(elements)) if items.len() == elements.len() => {
            encode::write_array_len(out, len_u32(items.len())).ok();
            for (index, (item, element)) in items.iter().zip(elements).enumerate() {
                write_msgpack(out, item, element, &format!("{path}[{index}]"))?;
            }
        }
        (Value::Map(entries), Type::Map(element)) => {
            encode::write_map_len(out, len_u32(entries.len())).ok();
            for (key, item) in entries {
                encode::write_str(out, key).ok();
                write_msgpack(out, item, element, &format!("{path}[{key:?}]"))?;
            }
        }
        (Value::Object(attributes), Type::Object(attribute_types)) => {
            // Terraform requires every attribute of the type, null when absent.
            encode::write_map_len(out, len_u32(attribute_types.len())).ok();
            for (name, attribute_type) in attribute_types {
                encode::write_str(out, name).ok();
                let attribute = attributes.get(name).unwrap_or(&Value::Null);
                write_msgpack(out, attribute, attribute_type, &format!("{path}.{name}"))?;
            }
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The type a value carries when it must travel as `dynamic` without a declared type.
fn infer_type(value: &Value) -> Option<Type> {
    Some(match value {
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::Typed(ty, _) => ty.clone(),
        Value::Object(attributes) => Type::Object(
            attributes
                .iter()
                .map(|(name, v)| Some((name.clone(), infer_type(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Tuple(items) => Type::Tuple(items.iter().map(infer_type).collect::<Option<_>>()?),
        _ => return None,
    })
}

struct MsgpackReader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// How many values enclose the one being read.
    depth: usize,
}

/// One msgpack item header: what kind of item starts here, and its length or inline value.
enum Header {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(usize),
}

impl<'a> MsgpackReader<'a> {
    fn take(&mut self, count: usize, path: &str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| decode_error(path, "msgpack data ends early"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn uint(&mut self, width: usize, path: &str) -> Result<u64, DecodeError> {
        Ok(self
            .take(width, path)?
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)))
    }

    fn length(&mut self, width: usize, path: &str) -> Result<usize, DecodeError> {
        usize::try_from(self.uint(width, path)?)
            .map_err(|_| decode_error(path, "msgpack length too large"))
    }

    fn header(&mut self, path: &str) -> Result<Header, DecodeError> {
        let marker = self.take(1, path)?[0];
        Ok(match marker {
            0x00..=0x7f => Header::Uint(u64::from(marker)),
            0x80..=0x8f => Header::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Header::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => Header::Str(usize::from(marker & 0x1f)),
            0xc0 => Header::Nil,
            0xc2 => Header::Bool(false),
            0xc3 => Header::Bool(true),
            0xc4 => Header::Bin(self.length(1, path)?),
            0xc5 => Header::Bin(self.length(2, path)?),
            0xc6 => Header::Bin(self.length(4, path)?),
            0xc7 => Header::Ext(self.length(1, path)? + 1),
            0xc8 => Header::Ext(self.length(2, path)? + 1),
            0xc9 => Header::Ext(self.length(4, path)? + 1),
            0xca => Header::Float(f64::from(f32::from_bits(self.uint(4, path)? as u32))),
            0xcb => Header::Float(f64::from_bits(self.uint(8, path)?)),
            0xcc => Header::Uint(self.uint(1, path)?),
            0xcd => Header::Uint(self.uint(2, path)?),
            0xce => Header::Uint(self.uint(4, path)?),
            0xcf => Header::Uint(self.uint(8, path)?),
            0xd0 => Header::Int(i64::from(self.uint(1, path)? as u8 as i8)),
            0xd1 => Header::Int(i64::from(self.uint(2, path)? as u16 as i16)),
            0xd2 => Header::Int(i64::from(self.uint(4, path)? as u32 as i32)),
            0xd3 => Header::Int(self.uint(8, path)? as i64),
            0xd4 => Header::Ext(2),
            0xd5 => Header::Ext(3),
            0xd6 => Header::Ext(5),
            0xd7 => Header::Ext(9),
            0xd8 => Header::Ext(17),
            0xd9 => Header::Str(self.length(1, path)?),
            0xda => Header::Str(self.length(2, path)?),
            0xdb => Header::Str(self.length(4, path)?),
            0xdc => Header::Array(self.length(2, path)?),
            0xdd => Header::Array(self.length(4, path)?),
            0xde => Header::Map(self.length(2, path)?),
            0xdf => Header::Map(self.length(4, path)?),
            0xe0..=0xff => Header::Int(i64::from(marker as i8)),
            0xc1 => return Err(decode_error(path, "msgpack marker 0xc1 is never used")),
        })
    }

    fn text(&mut self, len: usize, path: &str) -> Result<String, DecodeError> {
        let bytes = self.take(len, path)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| decode_error(path, "string is not UTF-8"))
    }

    /// Reads a map key, which cty always writes as a string.
    fn key(&mut self, path: &str) -> Result<String, DecodeError> {
        match self.header(path)? {
            Header::Str(len) => self.text(len, path),
            _ => Err(decode_error(path, "map key is not a string")),
        }
    }

    fn value(&mut self, ty: &Type, path: &str) -> Result<Value, DecodeError> {
        self.depth += 1;
        if self.depth > MAX_VALUE_DEPTH {
            return Err(too_deep(path));
        }
        let value = self.value_at_depth(ty, path);
        self.depth -= 1;
        value
    }

    fn value_at_depth(&mut self, ty: &Type, path: &str) -> Result<Value, DecodeError> {
        let header = self.header(path)?;
        let expected = |what: &str| decode_error(path, format!("expected {ty}, found {what}"));
        match header {
            Header::Nil => return Ok(Value::Null),
            Header::Ext(len) => {
                // Any extension is an unknown value; its payload (refinements) narrows it, which
                // changes nothing for a provider that only needs to know it is not known yet.
                self.take(len, path)?;
                return Ok(Value::Unknown);
            }
            _ => {}
        }
        match ty {
            Type::Dynamic => {
                let Header::Array(2) = header else {
                    return Err(expected("a dynamic value that is not a [type, value] pair"));
                };
                let type_json = match self.header(path)? {
                    Header::Str(len) | Header::Bin(len) => self.take(len, path)?,
                    _ => return Err(expected("a dynamic value without its type")),
                };
                let type_json: serde_json::Value =
                    serde_json::from_slice(type_json).map_err(|error| {
                        decode_error(path, format!("dynamic type is not JSON: {error}"))
                    })?;
                let actual = Type::from_json(&type_json)?;
                let inner = self.value(&actual, path)?;
                Ok(Value::Typed(actual, Box::new(inner)))
            }
            Type::Bool => match header {
                Header::Bool(flag) => Ok(Value::Bool(flag)),
                _ => Err(expected("another kind of value")),
            },
            Type::Number => match header {
                Header::Int(integer) => Ok(Value::Number(Number::from_i64(integer))),
                Header::Uint(integer) => Ok(Value::Number(Number::from_u64(integer))),
                Header::Float(float) => Number::from_f64(float)
                    .map(Value::Number)
                    .ok_or_else(|| decode_error(path, "number is not finite")),
                Header::Str(len) => {
                    let text = self.text(len, path)?;
                    Number::parse(&text)
                        .map(Value::Number)
                        .ok_or_else(|| decode_error(path, format!("{text:?} is not a number")))
                }
                _ => Err(expected("another kind of value")),
            },
            Type::String => match header {
                Header::Str(len) => Ok(Value::String(self.text(len, path)?)),
                _ => Err(expected("another kind of value")),
            },
            Type::List(element) | Type::Set(element) => {
                let Header::Array(len) = header else {
                    return Err(expected("a value that is not an array"));
                };
                let mut items = Vec::with_capacity(len.min(4096));
                for index in 0..len {
                    items.push(self.value(element, &format!("{path}[{index}]"))?);
                }
                Ok(if matches!(ty, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(elements) => {
                let Header::Array(len) = header else {
                    return Err(expected("a value that is not an array"));
                };
                if len != elements.len() {
                    return Err(expected(&format!("{len} elements")));
                }
                let mut items = Vec::with_capacity(len);
                for (index, element) in elements.iter().enumerate() {
                    items.push(self.value(element, &format!("{path}[{index}]"))?);
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(element) => {
                let Header::Map(len) = header else {
                    return Err(expected("a value that is not a map"));
                };
                let mut entries = BTreeMap::new();
                for _ in 0..len {
                    let key = self.key(path)?;
                    let item = self.value(element, &format!("{path}[{key:?}]"))?;
                    entries.insert(key, item);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attribute_types) => {
                let Header::Map(len) = header else {
                    return Err(expected("a value that is not a map"));
                };
                let mut attributes = BTreeMap::new();
                for _ in 0..len {
                    let name = self.key(path)?;
                    let attribute_path = format!("{path}.{name}");
                    let Some(attribute_type) = attribute_types.get(&name) else {
                        return Err(decode_error(
                            attribute_path,
                            "attribute is not in the schema",
                        ));
                    };
                    let item = self.value(attribute_type, &attribute_path)?;
                    attributes.insert(name, item);
                }
                if let Some(missing) = attribute_types
                    .keys()
                    .find(|name| !attributes.contains_key(*name))
                {
                    return Err(decode_error(
                        format!("{path}.{missing}"),
                        "attribute is missing from the object",
                    ));
                }
                Ok(Value::Object(attributes))
            }
        }
    }
}

// ---- JSON -------------------------------------------------------------------------------------

/// How strictly a JSON object must match its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonObjects {
    /// Every attribute present, none extra: `DynamicValue.json` from Terraform.
    Exact,
    /// Missing attributes are null and unknown ones are dropped: stored state written by an
    /// older schema, which upgrade must carry forward.
    Lenient,
}

/// Reads the cty JSON encoding of a value of type `ty`.
pub fn decode_json(
    json: &serde_json::Value,
    ty: &Type,
    objects: JsonObjects,
) -> Result<Value, DecodeError> {
    decode_json_at(json, ty, objects, "value", 1)
}

fn decode_json_at(
    json: &serde_json::Value,
    ty: &Type,
    objects: JsonObjects,
    path: &str,
    depth: usize,
) -> Result<Value, DecodeError> {
    use serde_json::Value as Json;
    if depth > MAX_VALUE_DEPTH {
        return Err(too_deep(path));
    }
    let inner = depth + 1;
    let expected = || decode_error(path, format!("expected {ty}, found {json}"));
    if json.is_null() {
        return Ok(Value::Null);
    }
    match (ty, json) {
        (Type::Dynamic, Json::Object(parts)) => {
            let (Some(type_json), Some(inner)) = (parts.get("type"), parts.get("value")) else {
                return Err(expected());
            };
            let actual = Type::from_json(type_json)?;
            let inner = decode_json_at(inner, &actual, objects, path, depth + 1)?;
            Ok(Value::Typed(actual, Box::new(inner)))
        }
        (Type::Bool, Json::Bool(flag)) => Ok(Value::Bool(*flag)),
        (Type::Number, Json::Number(number)) => Number::parse(&number.to_string())
            .map(Value::Number)
            .ok_or_else(expected),
        (Type::Number, Json::String(text)) => {
            Number::parse(text).map(Value::Number).ok_or_else(expected)
        }
        (Type::String, Json::String(text)) => Ok(Value::String(text.clone())),
        (Type::String, Json::Number(number)) => Ok(Value::String(number.to_string())),
        (Type::String, Json::Bool(flag)) => Ok(Value::String(flag.to_string())),
        (Type::List(element), Json::Array(items)) | (Type::Set(element), Json::Array(items)) => {
            let items = items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    decode_json_at(item, element, objects, &format!("{path}[{index}]"), inner)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            })
        }
        (Type::Tuple(elements), Json::Array(items)) if items.len() == elements.len() => {
            Ok(Value::Tuple(
                items
                    .iter()
                    .zip(elements)
                    .enumerate()
                    .map(|(index, (item, element))| {
                        decode_json_at(item, element, objects, &format!("{path}[{index}]"), inner)
                    })
                    .collect::<Result<_, _>>()?,
            ))
        }
        (Type::Map(element), Json::Object(entries)) => Ok(Value::Map(
            entries
                .iter()
                .map(|(key, item)| {
                    Ok((
                        key.clone(),
                        decode_json_at(item, element, objects, &format!("{path}[{key:?}]"), inner)?,
                    ))
                })
                .collect::<Result<_, DecodeError>>()?,
        )),
        (Type::Object(attribute_types), Json::Object(entries)) => {
            if objects == JsonObjects::Exact {
                if let Some(extra) = entries
                    .keys()
                    .find(|name| !attribute_types.contains_key(*name))
                {
                    return Err(decode_error(
                        format!("{path}.{extra}"),
                        "attribute is not in the schema",
                    ));
                }
            }
            let mut attributes = BTreeMap::new();
            for (name, attribute_type) in attribute_types {
                let attribute_path = format!("{path}.{name}");
                let value = match entries.get(name) {
                    Some(item) => {
                        decode_json_at(item, attribute_type, objects, &attribute_path, inner)?
                    }
                    None if objects == JsonObjects::Lenient => Value::Null,
                    None => {
                        return Err(decode_error(
                            attribute_path,
                            "attribute is missing from the object",
                        ))
                    }
                };
                attributes.insert(name.clone(), value);
            }
            Ok(Value::Object(attributes))
        }
        _ => Err(expected()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier_type() -> Type {
        Type::Object(BTreeMap::from([
            ("name".to_owned(), Type::String),
            ("level".to_owned(), Type::Number),
            ("allowed_regions".to_owned(), Type::set(Type::String)),
            ("tags".to_owned(), Type::map(Type::String)),
            ("enabled".to_owned(), Type::Bool),
        ]))
    }

    fn tier_value() -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_owned(), Value::string("critical")),
            ("level".to_owned(), Value::Number(Number::from_u64(1))),
            (
                "allowed_regions".to_owned(),
                Value::Set(vec![Value::string("eu-west-1")]),
            ),
            ("tags".to_owned(), Value::Unknown),
            ("enabled".to_owned(), Value::Null),
        ]))
    }

    #[test]
    fn msgpack_round_trips_objects_with_unknown_and_null() {
        let bytes = encode_msgpack(&tier_value(), &tier_type()).unwrap();
        assert_eq!(decode_msgpack(&bytes, &tier_type()).unwrap(), tier_value());
    }

    #[test]
    fn objects_must_carry_every_attribute() {
        let partial = Value::Object(BTreeMap::from([("name".to_owned(), Value::string("x"))]));
        let bytes = encode_msgpack(&partial, &tier_type()).unwrap();
        // The encoder fills absent attributes with null, so Terraform always gets a whole object.
        let decoded = decode_msgpack(&bytes, &tier_type()).unwrap();
        assert_eq!(decoded.attribute("level"), &Value::Null);

        // A map lacking an attribute is refused by the decoder, naming the attribute.
        let mut short = Vec::new();
        rmp::encode::write_map_len(&mut short, 1).unwrap();
        rmp::encode::write_str(&mut short, "name").unwrap();
        rmp::encode::write_str(&mut short, "x").unwrap();
        let error = decode_msgpack(&short, &tier_type()).unwrap_err();
        assert!(error.what.ends_with(".allowed_regions"), "{error}");
    }

    #[test]
    fn every_extension_type_is_unknown() {
        // Plain unknown (fixext1 type 0), and a refined unknown (ext8, type 12, with a map payload
        // saying "not null"), as newer Terraform and OpenTofu send.
        assert_eq!(
            decode_msgpack(&[0xd4, 0, 0], &Type::String).unwrap(),
            Value::Unknown
        );
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(
            decode_msgpack(&refined, &Type::Number).unwrap(),
            Value::Unknown
        );
        assert_eq!(
            encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
            vec![0xd4, 0, 0]
        );
    }

    #[test]
    fn numbers_arrive_as_int_float_or_string() {
        let decode = |bytes: &[u8]| decode_msgpack(bytes, &Type::Number).unwrap();
        assert_eq!(decode(&[0x05]), Value::Number(Number::from_u64(5)));
        assert_eq!(decode(&[0xd0, 0xfe]), Value::Number(Number::from_i64(-2)));
        assert_eq!(
            decode(&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]),
            Value::Number(Number::parse("1.5").unwrap())
        );
        let big = "123456789012345678901234567890.5";
        let mut bytes = Vec::new();
        rmp::encode::write_str(&mut bytes, big).unwrap();
        assert_eq!(decode(&bytes), Value::Number(Number::parse(big).unwrap()));
        // Written back as text, not rounded through a float.
        assert_eq!(
            encode_msgpack(&decode(&bytes), &Type::Number).unwrap(),
            bytes
        );
    }

    #[test]
    fn numbers_are_canonical() {
        for (text, canonical) in [
            ("1e3", "1000"),
            ("0.250", "0.25"),
            ("-0", "0"),
            ("+7", "7"),
            ("1.5E-2", "0.015"),
            (".5", "0.5"),
        ] {
            assert_eq!(Number::parse(text).unwrap().as_str(), canonical, "{text}");
        }
        for bad in ["", "abc", "1..2", "1e", "--1", "1e99999"] {
            assert!(Number::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let value = Value::Typed(
            Type::list(Type::String),
            Box::new(Value::List(vec![Value::string("a")])),
        );
        let bytes = encode_msgpack(&value, &Type::Dynamic).unwrap();
        assert_eq!(bytes[0], 0x92, "a [type, value] pair");
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), value);
        let json = serde_json::json!({"type": ["list", "string"], "value": ["a"]});
        assert_eq!(
            decode_json(&json, &Type::Dynamic, JsonObjects::Exact).unwrap(),
            value
        );
    }

    #[test]
    fn types_round_trip_through_cty_json() {
        let ty = Type::Object(BTreeMap::from([
            ("a".to_owned(), Type::Tuple(vec![Type::Bool, Type::Dynamic])),
            ("b".to_owned(), Type::map(Type::set(Type::Number))),
        ]));
        assert_eq!(
            ty.to_json(),
            serde_json::json!(["object", {"a": ["tuple", ["bool", "dynamic"]], "b": ["map", ["set", "number"]]}])
        );
        assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }

    #[test]
    fn lenient_json_fills_missing_and_drops_removed_attributes() {
        let json = serde_json::json!({"name": "critical", "level": 1, "retired": true});
        let value = decode_json(&json, &tier_type(), JsonObjects::Lenient).unwrap();
        assert_eq!(value.attribute("name"), &Value::string("critical"));
        assert_eq!(value.attribute("tags"), &Value::Null);
        assert!(decode_json(&json, &tier_type(), JsonObjects::Exact).is_err());
    }

    /// `[type, value]` pairs whose type is `dynamic` again, `levels` deep around a null.
    fn nested_dynamic_msgpack(levels: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..levels {
            bytes.extend([0x92, 0xc4, 9]);
            bytes.extend(b"\"dynamic\"");
        }
        bytes.push(0xc0);
        bytes
    }

    #[test]
    fn dynamic_values_nested_without_end_are_an_error_not_a_stack_overflow() {
        // Reproduced through the value_codec fuzz target: 200,000 levels overflowed the stack.
        let error = decode_msgpack(&nested_dynamic_msgpack(200_000), &Type::Dynamic).unwrap_err();
        assert!(error.problem.contains("more than 128 levels"), "{error}");
        // What Terraform could really send, a few levels, still decodes and round-trips.
        let value =
            decode_msgpack(&nested_dynamic_msgpack(MAX_VALUE_DEPTH - 1), &Type::Dynamic).unwrap();
        let bytes = encode_msgpack(&value, &Type::Dynamic).unwrap();
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic).unwrap(), value);

        let mut json = serde_json::Value::Null;
        for _ in 0..1000 {
            json = serde_json::json!({"type": "dynamic", "value": json});
        }
        let error = decode_json(&json, &Type::Dynamic, JsonObjects::Exact).unwrap_err();
        assert!(error.problem.contains("more than 128 levels"), "{error}");
    }

    #[test]
    fn malformed_msgpack_is_an_error_not_a_panic() {
        for bytes in [
            &[][..],
            &[0xdb, 0xff, 0xff, 0xff, 0xff],
            &[0x92, 0x01],
            &[0xc1],
            &[0x81, 0x01, 0x01],
        ] {
            assert!(decode_msgpack(bytes, &tier_type()).is_err());
        }
    }
}

//! Variable type constraints, and converting values to them as Terraform does: primitive
//! conversions (`"3"` to 3), lists and sets of converted elements, objects cut to their
//! declared attributes, and `optional(type, default)` attributes filled in where the caller
//! leaves them out or sets them to null (at any depth: objects in maps, lists of objects).

use hcl_edit::expr::{Expression, ObjectKey};

use crate::value::{Entries, Value};

/// A type constraint as written in a `variable` block.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(Vec<Attribute>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    /// `optional(type)` or `optional(type, default)`.
    pub optional: bool,
    pub default: Option<Expression>,
}

impl Type {
    /// Reads a type constraint expression; `Err` says what is not a type.
    pub fn parse(expr: &Expression) -> Result<Type, String> {
        match expr {
            Expression::Variable(ident) => match ident.as_str() {
                "any" => Ok(Type::Any),
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
                other => Err(format!("{other:?} is not a type")),
            },
            Expression::Parenthesis(inner) => Type::parse(inner.inner()),
            Expression::FuncCall(call) => {
                let args: Vec<&Expression> = call.args.iter().collect();
                let one = || match args.as_slice() {
                    [single] => Ok(*single),
                    _ => Err(format!("{}() takes one type", call.name.name.as_str())),
                };
                match call.name.name.as_str() {
                    "list" => Ok(Type::List(Box::new(Type::parse(one()?)?))),
                    "set" => Ok(Type::Set(Box::new(Type::parse(one()?)?))),
                    "map" => Ok(Type::Map(Box::new(Type::parse(one()?)?))),
                    "tuple" => match one()? {
                        Expression::Array(items) => Ok(Type::Tuple(
                            items.iter().map(Type::parse).collect::<Result<_, _>>()?,
                        )),
                        _ => Err("tuple() takes a list of types".to_owned()),
                    },
                    "object" => match one()? {
                        Expression::Object(object) => {
                            let mut attributes = Vec::new();
                            for (key, value) in object.iter() {
                                let name = match key {
                                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                                    ObjectKey::Expression(Expression::String(text)) => {
                                        text.value().clone()
                                    }
                                    ObjectKey::Expression(Expression::Variable(ident)) => {
                                        ident.as_str().to_owned()
                                    }
                                    _ => return Err("an object attribute needs a name".into()),
                                };
                                attributes.push(Attribute::parse(name, value.expr())?);
                            }
                            Ok(Type::Object(attributes))
                        }
                        _ => Err("object() takes an object of attribute types".to_owned()),
                    },
                    "optional" => Err("optional() is only allowed for an object attribute".into()),
                    other => Err(format!("{other}() is not a type")),
                }
            }
            _ => Err("this is not a type constraint".to_owned()),
        }
    }

    /// Whether `-var` and `TF_VAR_` values for a variable of this type are read as HCL (for
    /// collections and structures) rather than taken literally.
    pub fn is_complex(&self) -> bool {
        !matches!(self, Type::Any | Type::String | Type::Number | Type::Bool)
    }
}

impl Attribute {
    fn parse(name: String, expr: &Expression) -> Result<Attribute, String> {
        if let Expression::FuncCall(call) = expr {
            if call.name.name.as_str() == "optional" {
                let args: Vec<&Expression> = call.args.iter().collect();
                let (ty, default) = match args.as_slice() {
                    [ty] => (Type::parse(ty)?, None),
                    [ty, default] => (Type::parse(ty)?, Some((*default).clone())),
                    _ => return Err("optional() takes a type and an optional default".into()),
                };
                return Ok(Attribute {
                    name,
                    ty,
                    optional: true,
                    default,
                });
            }
        }
        Ok(Attribute {
            name,
            ty: Type::parse(expr)?,
            optional: false,
            default: None,
        })
    }
}

/// Converts values to types; `default` evaluates an `optional()` default (a constant
/// expression), and problems are collected for the caller to report.
pub struct Converter<'a> {
    pub default: &'a mut dyn FnMut(&Expression) -> Value,
    pub problems: Vec<String>,
}

impl Converter<'_> {
    /// `value` converted to `ty`. What cannot be converted is kept as it is and reported:
    /// drlint would rather judge the value it has than lose it.
    pub fn convert(&mut self, value: Value, ty: &Type, path: &str) -> Value {
        match (ty, value) {
            (Type::Any, value) => value,
            (_, value @ (Value::Unknown | Value::Null)) => value,
            (Type::String, value @ Value::String(_)) => value,
            (Type::String, value @ (Value::Number(_) | Value::Bool(_))) => value
                .to_string_value()
                .map_or(value, |text| Value::String(text.into())),
            (Type::Number, Value::String(text)) => match text.trim().parse::<f64>() {
                Ok(number) => Value::Number(number),
                Err(_) => self.mismatch(Value::String(text), "a number", path),
            },
            (Type::Bool, value @ Value::String(_)) => match value.to_bool() {
                Some(flag) => Value::Bool(flag),
                None => self.mismatch(value, "a bool", path),
            },
            (Type::Number, value @ Value::Number(_)) | (Type::Bool, value @ Value::Bool(_)) => {
                value
            }
            (Type::List(element), Value::List(items)) => {
                Value::List(self.each(items, element, path))
            }
            (Type::Set(element), Value::List(items)) => {
                let items = self.each(items, element, path);
                if items.iter().any(Value::contains_unknown) {
                    Value::List(items)
                } else {
                    let mut unique: Vec<Value> = Vec::with_capacity(items.len());
                    let mut seen = std::collections::HashSet::new();
                    for item in items {
                        if seen.insert(format!("{item:?}")) {
                            unique.push(item);
                        }
                    }
                    if unique.iter().all(|item| matches!(item, Value::String(_))) {
                        unique.sort_unstable_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                    Value::List(unique)
                }
            }
            (Type::Tuple(elements), Value::List(items)) if items.len() == elements.len() => {
                Value::List(
                    items
                        .into_iter()
                        .zip(elements)
                        .enumerate()
                        .map(|(index, (item, ty))| {
                            self.convert(item, ty, &format!("{path}[{index}]"))
                        })
                        .collect(),
                )
            }
            (Type::Map(element), Value::Map(entries)) => {
                Value::Map(self.values(entries, element, path))
            }
            (Type::Map(element), Value::Partial(entries)) => {
                Value::Partial(self.values(entries, element, path))
            }
            (Type::Object(attributes), Value::Map(entries)) => {
                self.object(attributes, entries.into(), false, path)
            }
            (Type::Object(attributes), Value::Partial(entries)) => {
                self.object(attributes, entries.into(), true, path)
            }
            (_, value) => {
                let wanted = match ty {
                    Type::List(_) | Type::Set(_) | Type::Tuple(_) => "a list",
                    Type::Map(_) | Type::Object(_) => "a map or object",
                    Type::String => "a string",
                    Type::Number => "a number",
                    Type::Bool => "a bool",
                    Type::Any => "any value",
                };
                self.mismatch(value, wanted, path)
            }
        }
    }

    /// The values of a map, each converted to `element`.
    fn values(&mut self, entries: Entries, element: &Type, path: &str) -> Entries {
        entries
            .into_iter()
            .map(|(key, value)| {
                let value = self.convert(value, element, &format!("{path}[{key:?}]"));
                (key, value)
            })
            .collect()
    }

    fn each(&mut self, items: Vec<Value>, element: &Type, path: &str) -> Vec<Value> {
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| self.convert(item, element, &format!("{path}[{index}]")))
            .collect()
    }

    /// An object of exactly the declared attributes: extra ones are dropped, missing optional
    /// ones take their default (or null), missing required ones are a problem. In a partial
    /// map a missing attribute may still come: unknown.
    fn object(
        &mut self,
        attributes: &[Attribute],
        mut entries: indexmap::IndexMap<String, Value>,
        partial: bool,
        path: &str,
    ) -> Value {
        let mut out = indexmap::IndexMap::new();
        for attribute in attributes {
            let inner = format!("{path}.{}", attribute.name);
            let value = match entries.swap_remove(&attribute.name) {
                Some(Value::Null) | None if attribute.optional && !partial => {
                    match &attribute.default {
                        Some(default) => {
                            let value = (self.default)(default);
                            self.convert(value, &attribute.ty, &inner)
                        }
                        None => Value::Null,
                    }
                }
                Some(Value::Null) if attribute.optional => match &attribute.default {
                    Some(default) => {
                        let value = (self.default)(default);
                        self.convert(value, &attribute.ty, &inner)
                    }
                    None => Value::Null,
                },
                None if partial => Value::Unknown,
                None => {
                    self.problems.push(format!(
                        "{inner} is required by the variable's type but not given"
                    ));
                    Value::Unknown
                }
                Some(value) => self.convert(value, &attribute.ty, &inner),
            };
            out.insert(attribute.name.clone(), value);
        }
        Value::Map(out.into())
    }

    fn mismatch(&mut self, value: Value, wanted: &str, path: &str) -> Value {
        self.problems.push(format!(
            "{path} should be {wanted} by the variable's type, not {}",
            value.type_name()
        ));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        let expr = hcl_edit::parser::parse_expr(text).expect("a type expression");
        Type::parse(&expr).expect("a type")
    }

    fn value(text: &str) -> Value {
        let expr = hcl_edit::parser::parse_expr(text).expect("an expression");
        constant(&expr)
    }

    /// Literal values only, enough for these tests.
    fn constant(expr: &Expression) -> Value {
        match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(flag) => Value::Bool(*flag.value()),
            Expression::Number(number) => Value::Number(number.value().as_f64().unwrap_or(0.0)),
            Expression::String(text) => Value::String(text.value().as_str().into()),
            Expression::Array(items) => Value::List(items.iter().map(constant).collect()),
            Expression::Object(object) => Value::Map(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                            ObjectKey::Expression(Expression::String(text)) => text.value().clone(),
                            _ => String::new(),
                        };
                        (key, constant(value.expr()))
                    })
                    .collect(),
            ),
            _ => Value::Unknown,
        }
    }

    fn convert(value: Value, ty: &Type) -> (Value, Vec<String>) {
        let mut default = |expr: &Expression| constant(expr);
        let mut converter = Converter {
            default: &mut default,
            problems: Vec::new(),
        };
        let out = converter.convert(value, ty, "var.x");
        (out, converter.problems)
    }

    #[test]
    fn optional_attributes_take_their_defaults_at_any_depth() {
        let databases = ty(r#"map(object({
            engine   = string
            multi_az = optional(bool, true)
            backup   = optional(object({ days = optional(number, 7) }), {})
            replicas = optional(list(string))
        }))"#);
        let given = value(
            r#"{ orders = { engine = "postgres", extra = 1 }, ledger = { engine = "mysql", multi_az = false, backup = { days = 1 } } }"#,
        );
        let (converted, problems) = convert(given, &databases);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            converted,
            value(
                r#"{ orders = { engine = "postgres", multi_az = true, backup = { days = 7 }, replicas = null }, ledger = { engine = "mysql", multi_az = false, backup = { days = 1 }, replicas = null } }"#
            )
        );
    }

    #[test]
    fn primitives_convert_and_sets_are_unique() {
        assert_eq!(convert(value("\"3\""), &ty("number")).0, Value::Number(3.0));
        assert_eq!(
            convert(value("[1, true]"), &ty("list(string)")).0,
            value(r#"["1", "true"]"#)
        );
        assert_eq!(
            convert(value(r#"["b", "a", "b"]"#), &ty("set(string)")).0,
            value(r#"["a", "b"]"#)
        );
        let (_, problems) = convert(value("{}"), &ty("object({ name = string })"));
        assert_eq!(problems.len(), 1);
        assert!(Type::parse(&hcl_edit::parser::parse_expr("optional(string)").unwrap()).is_err());
    }
}

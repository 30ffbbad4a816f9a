//! Terraform's JSON syntax (`*.tf.json`), turned into the same hcl-edit tree `.tf` files give.
//!
//! Strings are templates (`"${var.name}"`), so each is parsed as an HCL template; objects and
//! arrays become object and tuple expressions. Without the provider schema a JSON object cannot
//! be told from a nested block, which is harmless here: rules read nested blocks and object
//! attributes the same way. Only `default_tags` is turned into a block, because provider
//! configuration reads it as one. Expressions built here carry spans of their own text, not of
//! the JSON file, so [`JSON_SPANS`] tells callers to ignore them; findings point at the
//! resource's name in the file instead.

use hcl_edit::expr::{Array, Expression, Object, ObjectKey};
use hcl_edit::structure::{Attribute, Block, Body};
use hcl_edit::Ident;
use serde_json::Value as Json;

/// Spans inside expressions from `.tf.json` files do not point into the file.
pub const JSON_SPANS: bool = false;

/// A JSON value as an expression.
pub fn expression(json: &Json) -> Expression {
    match json {
        Json::Null => Expression::null(),
        Json::Bool(flag) => Expression::from(*flag),
        Json::Number(number) => Expression::from(number.as_f64().unwrap_or(0.0)),
        Json::String(text) => template(text),
        Json::Array(items) => Expression::from(Array::from(
            items.iter().map(expression).collect::<Vec<_>>(),
        )),
        Json::Object(entries) => {
            let mut object = Object::new();
            for (key, value) in entries {
                let key = match Ident::try_from(key.as_str()) {
                    Ok(ident) => ObjectKey::from(ident),
                    Err(_) => ObjectKey::from(Expression::from(key.as_str())),
                };
                object.insert(key, expression(value));
            }
            Expression::from(object)
        }
    }
}

/// A JSON string: a template when it interpolates, else a literal.
fn template(text: &str) -> Expression {
    if !text.contains("${") && !text.contains("%{") {
        return Expression::from(text);
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    hcl_edit::parser::parse_expr(&quoted).unwrap_or_else(|_| Expression::from(text))
}

/// A block from a JSON object: each key an attribute, `default_tags` a nested block.
pub fn block(ident: &str, labels: &[&str], json: &Json) -> Option<Block> {
    let mut builder = Block::builder(Ident::try_from(ident).ok()?);
    for label in labels {
        builder = builder.label(*label);
    }
    let mut block = builder.build();
    block.body = body(json);
    Some(block)
}

fn body(json: &Json) -> Body {
    let mut body = Body::new();
    let Json::Object(entries) = json else {
        return body;
    };
    for (key, value) in entries {
        let Ok(ident) = Ident::try_from(key.as_str()) else {
            continue;
        };
        if key == "default_tags" {
            if let Some(nested) = block(key, &[], first(value)) {
                body.push(nested);
            }
            continue;
        }
        body.push(Attribute::new(ident, expression(value)));
    }
    body
}

/// Terraform allows an object or an array of objects wherever a block goes; the first object.
pub fn first(json: &Json) -> &Json {
    match json {
        Json::Array(items) => items.first().unwrap_or(json),
        other => other,
    }
}

/// Every object of `json` when it is an object or an array of objects.
pub fn objects(json: &Json) -> Vec<&Json> {
    match json {
        Json::Array(items) => items.iter().filter(|item| item.is_object()).collect(),
        Json::Object(_) => vec![json],
        _ => Vec::new(),
    }
}

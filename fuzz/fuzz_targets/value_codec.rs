//! The provider's cty codec: a type built from the first input bytes, the rest decoded against
//! it as msgpack or as JSON. Nothing may panic, and whatever decodes must encode to msgpack
//! and decode back to the same value (what Terraform sends, the provider must return intact).

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use terraform_provider_dr::value::{
    decode_json, decode_msgpack, encode_msgpack, JsonObjects, Type, Value,
};

/// Types nest at most this deep; deeper values come only through `dynamic`.
const TYPE_DEPTH: usize = 4;

/// A type read off the front of `bytes`.
fn read_type(bytes: &mut &[u8], depth: usize) -> Type {
    let Some((&tag, rest)) = bytes.split_first() else {
        return Type::String;
    };
    *bytes = rest;
    let kinds = if depth >= TYPE_DEPTH { 4 } else { 9 };
    match tag % kinds {
        0 => Type::Bool,
        1 => Type::Number,
        2 => Type::String,
        3 => Type::Dynamic,
        4 => Type::list(read_type(bytes, depth + 1)),
        5 => Type::set(read_type(bytes, depth + 1)),
        6 => Type::map(read_type(bytes, depth + 1)),
        kind => {
            let count = usize::from(tag / 9 % 4);
            let elements: Vec<Type> = (0..count).map(|_| read_type(bytes, depth + 1)).collect();
            if kind == 7 {
                Type::Object(
                    elements
                        .into_iter()
                        .enumerate()
                        .map(|(index, element)| (format!("a{index}"), element))
                        .collect::<BTreeMap<_, _>>(),
                )
            } else {
                Type::Tuple(elements)
            }
        }
    }
}

fn round_trip(value: &Value, ty: &Type) {
    let encoded = match encode_msgpack(value, ty) {
        Ok(encoded) => encoded,
        Err(error) => panic!("decoded value does not encode: {error}\n{value:?}\n{ty}"),
    };
    assert_eq!(decode_msgpack(&encoded, ty).as_ref(), Ok(value), "{ty}");
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&mode, mut rest)) = bytes.split_first() else {
        return;
    };
    let ty = read_type(&mut rest, 0);
    match mode % 3 {
        0 => {
            if let Ok(value) = decode_msgpack(rest, &ty) {
                round_trip(&value, &ty);
            }
        }
        strictness => {
            let Ok(json) = serde_json::from_slice::<serde_json::Value>(rest) else {
                return;
            };
            let objects = if strictness == 1 {
                JsonObjects::Exact
            } else {
                JsonObjects::Lenient
            };
            if let Ok(value) = decode_json(&json, &ty, objects) {
                round_trip(&value, &ty);
            }
        }
    }
});

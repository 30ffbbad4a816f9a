//! Encodings, format versions and broken input: every bad file gets a message with its place
//! and its fix, and no input makes the loader panic.

use std::path::PathBuf;

use drlint::plan::{Json, PlanDocument, PlanError, PlanValue, Position};
use serde_json::{json, Value};

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plans")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn utf16(text: &[u8], big_endian: bool) -> Vec<u8> {
    let text = std::str::from_utf8(text).unwrap_or_else(|error| panic!("{error}"));
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// What a rule would see of a plan: every address with a few attribute readings.
fn summary(plan: &PlanDocument) -> Vec<(String, String, String)> {
    plan.resources
        .iter()
        .map(|resource| {
            (
                resource.address.clone(),
                format!("{:?}", resource.tag("dr-tier")),
                format!("{:?}", resource.attribute("tags")),
            )
        })
        .collect()
}

fn parse_err(bytes: &[u8]) -> PlanError {
    match PlanDocument::parse(bytes) {
        Ok(plan) => panic!("parsed as a plan with {} resources", plan.resources.len()),
        Err(error) => error,
    }
}

#[test]
fn utf16_and_utf8_bom_read_like_utf8() {
    let utf8 = fixture_bytes("plan_v1_2.json");
    let expected = PlanDocument::parse(&utf8).map(|plan| summary(&plan));
    assert!(matches!(&expected, Ok(resources) if resources.len() == 11));

    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend(&utf8);
    for (name, bytes) in [
        ("UTF-8 BOM", with_bom),
        ("UTF-16LE", utf16(&utf8, false)),
        ("UTF-16BE", utf16(&utf8, true)),
    ] {
        assert_eq!(
            PlanDocument::parse(&bytes).map(|plan| summary(&plan)),
            expected,
            "{name}"
        );
    }
}

#[test]
fn powershell_utf16le_file_reads_like_its_utf8_twin() {
    let bytes = fixture_bytes("plan_v1_0_utf16le.json");
    assert_eq!(
        bytes.get(..2),
        Some(&[0xFF, 0xFE][..]),
        "the fixture keeps its BOM"
    );
    let from_utf16 = PlanDocument::parse(&bytes).map(|plan| summary(&plan));
    let from_utf8 =
        PlanDocument::parse(&fixture_bytes("plan_v1_0.json")).map(|plan| summary(&plan));
    assert!(matches!(&from_utf16, Ok(resources) if resources.len() == 3));
    assert_eq!(from_utf16, from_utf8);
}

#[test]
fn every_format_version_from_0_1_is_read() {
    let mut plan: Value = serde_json::from_slice(&fixture_bytes("plan_v0_2.json"))
        .unwrap_or_else(|error| panic!("{error}"));
    for version in ["0.1", "0.2", "1.0", "1.1", "1.2", "1.9"] {
        plan["format_version"] = json!(version);
        let parsed = PlanDocument::parse(plan.to_string().as_bytes());
        assert!(
            matches!(&parsed, Ok(doc) if doc.format_version == version && doc.resources.len() == 2),
            "{version}: {parsed:?}"
        );
    }
}

#[test]
fn a_new_major_format_is_refused_with_its_place() {
    let text = "{\n  \"terraform_version\": \"2.0.0\",\n  \"format_version\": \"2.0\",\n  \
                \"resource_changes\": []\n}";
    let error = parse_err(text.as_bytes());
    assert_eq!(error.position(), Some(Position { line: 3, column: 3 }));
    let message = error.to_string();
    assert!(
        message.starts_with("unsupported format_version 2.0") && message.contains("0.1 to 1.x"),
        "{message}"
    );
    // Even when the new format reshapes a field the loader reads.
    let reshaped = br#"{"format_version": "2.1", "resource_changes": {"by_address": {}}}"#;
    assert!(matches!(
        parse_err(reshaped),
        PlanError::UnsupportedFormat { version, .. } if version == "2.1"
    ));
    assert!(matches!(
        parse_err(br#"{"format_version": "one", "resource_changes": []}"#),
        PlanError::UnsupportedFormat { .. }
    ));
}

#[test]
fn cut_off_json_says_where_it_ends() {
    let plan = fixture_bytes("plan_v1_2.json");
    let cut = plan.get(..plan.len() / 2).unwrap_or_default();
    let lines = cut.iter().filter(|&&b| b == b'\n').count() + 1;
    let error = parse_err(cut);
    assert!(matches!(error, PlanError::Truncated { .. }), "{error:?}");
    assert_eq!(error.position().map(|p| p.line), Some(lines));
    let rendered = error.located("plan.json").to_string();
    assert!(
        rendered.starts_with(&format!("plan.json:{lines}:"))
            && rendered.contains("JSON ends early")
            && rendered.contains("terraform show -json"),
        "{rendered}"
    );
}

#[test]
fn a_syntax_error_names_line_and_column() {
    let text = "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {\"address\": 'x'}\n  ]\n}";
    let error = parse_err(text.as_bytes());
    assert!(matches!(error, PlanError::Syntax { .. }), "{error:?}");
    assert_eq!(
        error.position(),
        Some(Position {
            line: 4,
            column: 17
        })
    );
    assert!(error.to_string().contains("invalid JSON"), "{error}");
}

#[test]
fn positions_count_characters_in_utf16_files() {
    let text = "{\"format_version\": \"1.2\", \"variables\": {\"région\": {\"value\": x}}}";
    let error = parse_err(&utf16(text.as_bytes(), false));
    let column = text.chars().position(|c| c == 'x').map(|i| i + 1);
    assert_eq!(error.position().map(|p| p.column), column);
}

#[test]
fn a_field_of_the_wrong_shape_is_a_shape_error() {
    let text = "{\"format_version\": \"1.2\",\n\"resource_changes\": [{\"address\": 1}]}";
    let error = parse_err(text.as_bytes());
    assert!(matches!(error, PlanError::Shape { .. }), "{error:?}");
    assert_eq!(error.position().map(|p| p.line), Some(2));
    // Inside `planned_values`, parsed apart, the place is still the file's.
    let text = "{\"format_version\": \"1.2\",\n\"planned_values\": {\"root_module\":\n {\"resources\": 7}}}";
    let error = parse_err(text.as_bytes());
    assert!(matches!(error, PlanError::Shape { .. }), "{error:?}");
    assert_eq!(error.position().map(|p| p.line), Some(3));
}

#[test]
fn other_json_is_not_a_plan() {
    let raw_state = parse_err(&fixture_bytes("terraform.tfstate.json"));
    assert!(
        matches!(&raw_state, PlanError::NotAPlan { reason, .. } if reason.contains("raw state file")),
        "{raw_state:?}"
    );
    assert!(raw_state.to_string().contains("terraform show -json"));

    let log = b"{\"@level\":\"info\",\"@message\":\"Terraform 1.9.5\",\"type\":\"version\"}\n\
                {\"@level\":\"info\",\"@message\":\"Plan: 1 to add\",\"type\":\"change_summary\"}\n";
    assert!(matches!(
        parse_err(log),
        PlanError::NotAPlan { reason, .. } if reason.contains("terraform plan -out")
    ));

    let package = br#"{"name": "web", "version": "1.0.0", "dependencies": {}}"#;
    assert!(matches!(parse_err(package), PlanError::NotAPlan { .. }));
    assert!(matches!(
        parse_err(b"[{\"format_version\": \"1.0\"}]"),
        PlanError::NotAPlan { reason, .. } if reason.contains("array")
    ));
    assert!(matches!(
        parse_err(br#"{"format_version": "1.0", "provider_schemas": {}}"#),
        PlanError::NotAPlan { .. }
    ));
}

#[test]
fn empty_files_are_named_empty() {
    for bytes in [&b""[..], b"  \r\n", b"\xEF\xBB\xBF", b"\xFF\xFE"] {
        assert_eq!(
            PlanDocument::parse(bytes).err(),
            Some(PlanError::Empty),
            "{bytes:?}"
        );
    }
}

#[test]
fn invalid_utf8_is_an_encoding_error() {
    let latin1 =
        b"{\"format_version\": \"1.2\", \"variables\": {\"r\": {\"value\": \"Z\xfcrich\"}}}";
    assert!(matches!(
        parse_err(latin1),
        PlanError::Encoding {
            position: Some(_),
            ..
        }
    ));
}

#[test]
fn the_empty_state_is_an_empty_document() {
    let plan = PlanDocument::parse(br#"{"format_version":"1.0"}"#);
    assert!(matches!(plan, Ok(doc) if doc.resources.is_empty() && doc.format_version == "1.0"));
}

#[test]
fn no_input_makes_the_loader_panic() {
    let plan = fixture_bytes("plan_v0_2.json");
    // Every prefix: cut-off files of every length.
    for end in 0..plan.len() {
        let _ = PlanDocument::parse(plan.get(..end).unwrap_or_default());
        let _ = PlanDocument::looks_like_plan(plan.get(..end).unwrap_or_default());
    }
    // Bytes replaced at pseudo-random places, by JSON punctuation and by arbitrary bytes.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let punctuation = b"{}[]\",:0-tn\\\x00\xff";
    let mut parsed = 0;
    for _ in 0..400 {
        let mut bytes = plan.clone();
        for _ in 0..3 {
            let at = (next() % bytes.len() as u64) as usize;
            let pick = next() as usize;
            let byte = match punctuation.get(pick % (punctuation.len() * 2)) {
                Some(byte) => *byte,
                None => (pick >> 8) as u8,
            };
            if let Some(slot) = bytes.get_mut(at) {
                *slot = byte;
            }
        }
        if PlanDocument::parse(&bytes).is_ok() {
            parsed += 1;
        }
        let _ = PlanDocument::parse(&utf16(
            &String::from_utf8_lossy(&bytes).into_owned().into_bytes(),
            true,
        ));
    }
    // Some mutations land inside strings and leave a valid plan: both outcomes are exercised.
    assert!(parsed > 0 && parsed < 400, "{parsed}");
}

#[test]
fn unknown_actions_from_later_terraform_are_kept() {
    let plan = json!({
        "format_version": "1.2",
        "resource_changes": [
            {"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket",
             "name": "logs", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["create"], "before": null,
                        "after": {"bucket": "logs"}, "after_unknown": {"id": true}}},
            {"address": "aws_s3_bucket.old", "mode": "managed", "type": "aws_s3_bucket",
             "name": "old", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["forget"], "before": {"bucket": "old"}, "after": null}},
            {"address": "aws_s3_bucket.next", "mode": "managed", "type": "aws_s3_bucket",
             "name": "next", "provider_name": "registry.terraform.io/hashicorp/aws",
             "change": {"actions": ["transmogrify"], "before": null, "after": {"bucket": "next"}}}
        ]
    });
    let parsed = PlanDocument::parse(plan.to_string().as_bytes());
    let plan = parsed.unwrap_or_else(|error| panic!("{error}"));
    let kept: Vec<_> = plan.resources.iter().map(|r| &*r.address).collect();
    assert_eq!(kept, ["aws_s3_bucket.logs", "aws_s3_bucket.next"]);
    let next = plan.resource("aws_s3_bucket.next");
    // No `after_unknown` recorded and nothing in the configuration: plain values.
    assert_eq!(
        next.map(|r| r.attribute("bucket")),
        Some(PlanValue::Known(&Json::from(json!("next"))))
    );
    assert_eq!(next.map(|r| r.attribute("arn")), Some(PlanValue::Absent));
}

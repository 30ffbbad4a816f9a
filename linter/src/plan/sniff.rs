//! Telling a plan from other JSON by its top-level keys, without parsing the document.
//!
//! Terraform writes `format_version` first and `planned_values` or `resource_changes` within
//! the first few keys, so on real plans the scan stops after a few hundred bytes whatever the
//! size of the file. Values are skipped, not validated: a broken file is the parser's to report.

use super::encoding::{detect, Encoding};

/// What the top-level keys say about a document.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TopLevel {
    pub(crate) shape: Shape,
    pub(crate) format_version: bool,
    pub(crate) changes_or_planned_values: bool,
    /// `values`, `prior_state` or `configuration`: plan-like only next to `format_version`.
    pub(crate) plan_sections: bool,
    /// A key Terraform never writes at the top of a plan or state.
    pub(crate) foreign: bool,
    pub(crate) raw_state: bool,
    pub(crate) log_stream: bool,
    pub(crate) provider_schemas: bool,
    pub(crate) hcl_json: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    #[default]
    Empty,
    Object,
    /// The first value is not an object: an array, a string, a number…
    NotObject(&'static str),
}

impl TopLevel {
    pub(crate) fn is_plan(&self) -> bool {
        self.shape == Shape::Object
            && !self.log_stream
            && !self.raw_state
            && !self.provider_schemas
            && (self.changes_or_planned_values
                || (self.format_version && (self.plan_sections || !self.foreign)))
    }

    /// Why a document that [`is_plan`](Self::is_plan) rejects is not a plan, for the message.
    pub(crate) fn reason(&self) -> String {
        let reason = match self.shape {
            Shape::Empty => "the file holds no JSON value",
            Shape::NotObject(kind) => {
                return format!("the document is {kind}, but a plan is a JSON object")
            }
            Shape::Object if self.log_stream => {
                "this is the streaming log of `terraform plan -json`; save the plan with \
                 `terraform plan -out=PLANFILE` and convert it"
            }
            Shape::Object if self.raw_state => {
                "this is a raw state file (terraform.tfstate); drlint reads the JSON that \
                 `terraform show -json` prints, for a saved plan or for the state"
            }
            Shape::Object if self.provider_schemas => {
                "this is the output of `terraform providers schema -json`"
            }
            Shape::Object if self.hcl_json => {
                "this is Terraform configuration in JSON syntax (.tf.json); lint its directory \
                 instead, or lint its plan"
            }
            Shape::Object => {
                "the object has none of `format_version`, `planned_values` and \
                 `resource_changes`"
            }
        };
        reason.to_owned()
    }

    fn note_key(&mut self, key: &[u8]) -> bool {
        match key {
            b"format_version" => self.format_version = true,
            b"resource_changes" | b"planned_values" => self.changes_or_planned_values = true,
            b"values" | b"prior_state" | b"configuration" => self.plan_sections = true,
            b"terraform_version"
            | b"variables"
            | b"resource_drift"
            | b"output_changes"
            | b"relevant_attributes"
            | b"checks"
            | b"timestamp"
            | b"errored"
            | b"complete"
            | b"applyable"
            | b"deferred_changes" => {}
            b"lineage" | b"serial" => {
                self.raw_state = true;
                self.foreign = true;
            }
            b"@level" | b"@message" => {
                self.log_stream = true;
                self.foreign = true;
            }
            b"provider_schemas" => {
                self.provider_schemas = true;
                self.foreign = true;
            }
            b"resource" | b"provider" | b"module" | b"variable" | b"terraform" | b"data" => {
                self.hcl_json = true;
                self.foreign = true;
            }
            _ => self.foreign = true,
        }
        // Decided: further keys cannot change the answer.
        self.log_stream
            || self.raw_state
            || self.provider_schemas
            || self.changes_or_planned_values
            || (self.format_version && self.plan_sections)
    }
}

/// Scans the top-level keys of `bytes` (any supported encoding), stopping once they decide.
pub(crate) fn top_level(bytes: &[u8]) -> TopLevel {
    let (encoding, body) = detect(bytes);
    let mut units = Units {
        encoding,
        body,
        at: 0,
    }
    .peekable();
    scan(&mut units)
}

/// The text as one byte per character: ASCII as itself, anything else as `0x80`. Keys and
/// structure are ASCII, so this is all a key scan needs, and UTF-16 is never transcoded.
struct Units<'a> {
    encoding: Encoding,
    body: &'a [u8],
    at: usize,
}

impl Iterator for Units<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        match self.encoding {
            Encoding::Utf8 => {
                let byte = *self.body.get(self.at)?;
                self.at += 1;
                Some(byte)
            }
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let pair = self.body.get(self.at..self.at + 2)?;
                self.at += 2;
                let (high, low) = match (self.encoding, pair) {
                    (Encoding::Utf16Be, [high, low]) => (*high, *low),
                    (_, [low, high]) => (*high, *low),
                    _ => return None,
                };
                Some(if high == 0 && low < 0x80 { low } else { 0x80 })
            }
        }
    }
}

type Peek<'a> = std::iter::Peekable<Units<'a>>;

fn scan(units: &mut Peek<'_>) -> TopLevel {
    let mut top = TopLevel::default();
    skip_whitespace(units);
    match units.next() {
        None => return top,
        Some(b'{') => top.shape = Shape::Object,
        Some(b'[') => {
            top.shape = Shape::NotObject("an array");
            return top;
        }
        Some(b'"') => {
            top.shape = Shape::NotObject("a string");
            return top;
        }
        Some(_) => {
            top.shape = Shape::NotObject("not an object");
            return top;
        }
    }
    let mut key = Vec::with_capacity(32);
    loop {
        skip_whitespace(units);
        match units.next() {
            Some(b'"') => {}
            // `}` (the end), or a malformed object: either way, no more keys.
            _ => return top,
        }
        if !read_key(units, &mut key) {
            return top;
        }
        if top.note_key(&key) {
            return top;
        }
        skip_whitespace(units);
        if units.next() != Some(b':') || !skip_value(units) {
            return top;
        }
        skip_whitespace(units);
        if units.next() != Some(b',') {
            return top;
        }
    }
}

fn skip_whitespace(units: &mut Peek<'_>) {
    while units
        .next_if(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some()
    {}
}

/// Reads a key whose opening quote is consumed. Keys longer than any Terraform writes are kept
/// truncated: they only need to differ from the known ones.
fn read_key(units: &mut Peek<'_>, key: &mut Vec<u8>) -> bool {
    key.clear();
    loop {
        match units.next() {
            None => return false,
            Some(b'"') => return true,
            Some(b'\\') => {
                units.next();
                key.push(0x80);
            }
            Some(byte) => {
                if key.len() < 64 {
                    key.push(byte);
                }
            }
        }
    }
}

fn skip_string(units: &mut Peek<'_>) -> bool {
    loop {
        match units.next() {
            None => return false,
            Some(b'"') => return true,
            Some(b'\\') => {
                units.next();
            }
            Some(_) => {}
        }
    }
}

fn skip_value(units: &mut Peek<'_>) -> bool {
    skip_whitespace(units);
    match units.peek() {
        None => false,
        Some(b'"') => {
            units.next();
            skip_string(units)
        }
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            while let Some(byte) = units.next() {
                match byte {
                    b'"' if !skip_string(units) => return false,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return true;
                        }
                    }
                    _ => {}
                }
            }
            false
        }
        Some(_) => {
            while units
                .next_if(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .is_some()
            {}
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decides_on_the_first_plan_key() {
        // Everything after `planned_values` is garbage: the scan must not reach it.
        let top = top_level(br#"{"format_version":"1.2","planned_values":{ garbage"#);
        assert!(top.is_plan());
    }

    #[test]
    fn sorted_keys_still_decide() {
        let top = top_level(
            br#"{"configuration":{"root_module":{"x":"}{\"]"}},"format_version":"1.0","z":1}"#,
        );
        assert!(top.is_plan());
    }

    #[test]
    fn empty_state_is_a_plan_document() {
        assert!(top_level(br#" {"format_version":"1.0"} "#).is_plan());
    }

    #[test]
    fn other_json_is_not() {
        for (json, expected_flag) in [
            (
                &br#"{"version":4,"terraform_version":"1.5.0","serial":3,"lineage":"x"}"#[..],
                "raw",
            ),
            (
                br#"{"@level":"info","@message":"Terraform 1.9.0","type":"version"}"#,
                "log",
            ),
            (
                br#"{"format_version":"1.0","provider_schemas":{}}"#,
                "schemas",
            ),
            (br#"{"resource":{"aws_s3_bucket":{"b":{}}}}"#, "hcl"),
            (br#"{"name":"my-package","version":"1.0.0"}"#, "other"),
        ] {
            let top = top_level(json);
            assert!(!top.is_plan(), "{expected_flag}");
            let flag = match expected_flag {
                "raw" => top.raw_state,
                "log" => top.log_stream,
                "schemas" => top.provider_schemas,
                "hcl" => top.hcl_json,
                _ => top.foreign,
            };
            assert!(flag, "{expected_flag}: {top:?}");
        }
        assert_eq!(top_level(b"[1,2]").shape, Shape::NotObject("an array"));
        assert_eq!(top_level(b"   ").shape, Shape::Empty);
    }

    #[test]
    fn utf16_is_scanned_without_decoding() {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in r#"{"format_version":"0.1","resource_changes":[]}"#.encode_utf16() {
            bytes.extend(unit.to_be_bytes());
        }
        assert!(top_level(&bytes).is_plan());
    }
}

//! Where each attribute of a resource block is written, found again from the block's text
//! when a finding needs it: keeping the span of every attribute of every instance would cost
//! more than the text itself.
//!
//! Paths are as the rules name them: `multi_az`, `cluster_config.zone_awareness_enabled`; a
//! `dynamic "replica"` block's content answers for `replica.region`.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;

use super::parse::parse_hcl;

/// The spans (in the file, with `base` where `text` starts) of the attributes and nested
/// blocks of the one block `text` holds, by path; the first written wins.
pub fn attribute_spans(text: &str, base: usize) -> HashMap<String, Range<usize>> {
    let mut out = HashMap::new();
    let Ok((body, _)) = parse_hcl(text, Path::new("")) else {
        return out;
    };
    if let Some(block) = body.into_blocks().next() {
        walk(&block.body, "", base, &mut out);
    }
    out
}

fn walk(body: &Body, prefix: &str, base: usize, out: &mut HashMap<String, Range<usize>>) {
    let mut note = |path: String, span: Option<Range<usize>>| {
        if let Some(span) = span {
            out.entry(path)
                .or_insert(span.start + base..span.end + base);
        }
    };
    let mut nested = Vec::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                note(
                    format!("{prefix}{}", attribute.key.as_str()),
                    attribute.value.span(),
                );
            }
            Structure::Block(block) if block.ident.as_str() == "dynamic" => {
                let Some(label) = block.labels.first() else {
                    continue;
                };
                let path = format!("{prefix}{}", label.as_str());
                note(path.clone(), block.span());
                if let Some(content) = block.body.get_blocks("content").next() {
                    nested.push((&content.body, path));
                }
            }
            Structure::Block(block) => {
                let path = format!("{prefix}{}", block.ident.as_str());
                note(path.clone(), block.span());
                nested.push((&block.body, path));
            }
        }
    }
    for (body, path) in nested {
        walk(body, &format!("{path}."), base, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_reach_nested_and_dynamic_blocks() {
        let text = "resource \"aws_secretsmanager_secret\" \"s\" {\n  name = \"x\"\n  dynamic \"replica\" {\n    for_each = var.regions\n    content {\n      region = replica.value\n    }\n  }\n}";
        let spans = attribute_spans(text, 100);
        assert_eq!(
            &text[spans["name"].start - 100..spans["name"].end - 100],
            "\"x\""
        );
        let region = &spans["replica.region"];
        assert_eq!(&text[region.start - 100..region.end - 100], "replica.value");
        assert!(spans.contains_key("replica"));
    }
}

//! Registry-layout documentation (`docs/index.md`, `docs/resources/<name>.md`), generated from
//! the schemas and the example configurations, so the docs say what Terraform is told.

use std::io;
use std::path::{Path, PathBuf};

use crate::schema::{AttributeSchema, BlockSchema, Presence};
use crate::value::Type;
use crate::wire::provider_schema;

/// The example each page shows, from `examples/` (the resource examples also show how an AWS
/// stack uses the tier, so they are not applied offline; `examples/quickstart` is).
const PROVIDER_EXAMPLE: &str = include_str!("../../examples/provider/provider.tf");
const RESOURCE_EXAMPLES: &[(&str, &str)] = &[
    (
        "dr_tier",
        include_str!("../../examples/resources/dr_tier/resource.tf"),
    ),
    (
        "dr_failover_policy",
        include_str!("../../examples/resources/dr_failover_policy/resource.tf"),
    ),
    (
        "dr_drill",
        include_str!("../../examples/resources/dr_drill/resource.tf"),
    ),
];

/// Every docs page: its path under the docs directory and its text.
pub fn pages() -> Vec<(PathBuf, String)> {
    let mut pages = vec![(PathBuf::from("index.md"), index_page())];
    for resource in crate::resources::all() {
        let schema = resource.schema();
        let short_name = schema
            .type_name
            .strip_prefix("dr_")
            .unwrap_or(schema.type_name);
        pages.push((
            PathBuf::from("resources").join(format!("{short_name}.md")),
            resource_page(schema),
        ));
    }
    pages
}

/// Writes every page under `dir` and returns the paths written.
pub fn write(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for (relative, text) in pages() {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

fn index_page() -> String {
    let schema = provider_schema();
    let mut page = String::from("---\npage_title: \"dr Provider\"\ndescription: |-\n  Disaster-recovery tiers, failover policies and drills as Terraform resources.\n---\n\n# dr Provider\n\n");
    page.push_str(schema.description);
    page.push_str("\n\n## Example Usage\n\n```terraform\n");
    page.push_str(PROVIDER_EXAMPLE.trim_end());
    page.push_str("\n```\n\n");
    page.push_str(&schema_section(&schema));
    page
}

fn resource_page(schema: &BlockSchema) -> String {
    let mut page = format!(
        "---\npage_title: \"{name} Resource - dr\"\nsubcategory: \"\"\ndescription: |-\n  {first}\n---\n\n# {name} (Resource)\n\n{description}\n\n",
        name = schema.type_name,
        first = first_sentence(schema.description),
        description = schema.description,
    );
    if let Some((_, example)) = RESOURCE_EXAMPLES
        .iter()
        .find(|(name, _)| *name == schema.type_name)
    {
        page.push_str("## Example Usage\n\n```terraform\n");
        page.push_str(example.trim_end());
        page.push_str("\n```\n\n");
    }
    page.push_str(&schema_section(schema));
    page
}

fn first_sentence(text: &str) -> &str {
    text.split_once(". ")
        .map(|(first, _)| first)
        .unwrap_or(text)
        .trim_end_matches('.')
}

fn schema_section(schema: &BlockSchema) -> String {
    let mut section = String::from("<!-- generated from the provider schema: run `terraform-provider-dr docs provider/docs` -->\n## Schema\n");
    if schema.attributes.is_empty() && schema.blocks.is_empty() {
        section.push_str("\nThis block has no arguments.\n");
        return section;
    }
    attribute_lists(&mut section, &schema.attributes, &schema.blocks, "###");
    for block in &schema.blocks {
        section.push_str(&format!(
            "\n<a id=\"nestedblock--{name}\"></a>\n### Nested Schema for `{name}`\n\n{description}\n",
            name = block.name,
            description = block.description
        ));
        attribute_lists(&mut section, &block.attributes, &[], "####");
    }
    section
}

/// The Required, Optional and Read-Only lists of a block's attributes and nested blocks.
fn attribute_lists(
    section: &mut String,
    attributes: &[AttributeSchema],
    blocks: &[crate::schema::NestedBlock],
    heading_level: &str,
) {
    for (heading, presences) in [
        ("Required", &[Presence::Required][..]),
        (
            "Optional",
            &[Presence::Optional, Presence::OptionalComputed][..],
        ),
        ("Read-Only", &[Presence::Computed][..]),
    ] {
        let listed: Vec<_> = attributes
            .iter()
            .filter(|a| presences.contains(&a.presence))
            .collect();
        let nested = if heading == "Optional" { blocks } else { &[] };
        if listed.is_empty() && nested.is_empty() {
            continue;
        }
        section.push_str(&format!("\n{heading_level} {heading}\n\n"));
        for attribute in listed {
            let replaces = if attribute.forces_replacement {
                " Changing it forces a new resource."
            } else {
                ""
            };
            section.push_str(&format!(
                "- `{}` ({}) {}{}\n",
                attribute.name,
                type_label(&attribute.ty),
                attribute.description,
                replaces
            ));
        }
        for block in nested {
            section.push_str(&format!(
                "- `{name}` (Block, at most one) {description} (see [below for nested schema](#nestedblock--{name}))\n",
                name = block.name,
                description = block.description
            ));
        }
    }
}

fn type_label(ty: &Type) -> String {
    match ty {
        Type::Bool => "Boolean".into(),
        Type::Number => "Number".into(),
        Type::String => "String".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(element) => format!("List of {}", type_label(element)),
        Type::Set(element) => format!("Set of {}", type_label(element)),
        Type::Map(element) => format!("Map of {}", type_label(element)),
        Type::Object(attributes) => format!(
            "Object: {}",
            attributes
                .keys()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::Tuple(_) => "Tuple".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed docs must be what the generator writes today.
    #[test]
    fn committed_docs_are_current() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
        for (relative, expected) in pages() {
            let path = docs.join(&relative);
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == expected,
                "{} is stale: run `cargo run -p terraform-provider-dr -- docs provider/docs`",
                path.display()
            );
        }
    }

    #[test]
    fn every_attribute_is_described_and_listed() {
        for resource in crate::resources::all() {
            let page = resource_page(resource.schema());
            for attribute in &resource.schema().attributes {
                assert!(
                    !attribute.description.is_empty(),
                    "{} has no description",
                    attribute.name
                );
                assert!(
                    page.contains(&format!("- `{}` (", attribute.name)),
                    "{} missing from docs",
                    attribute.name
                );
            }
        }
    }
}

use super::missing_tier_tag::is_taggable;
use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports a `dr-tier` tag whose value is not a tier in force: the defaults `1`, `2`, `3`,
    /// or a level declared by a `dr_tier` resource in the input.
    ///
    /// ## Why is this bad?
    /// A typo such as `"tier-1"` or `"critical"` reads as a promise but binds to nothing: no
    /// rule can hold the resource to it. drlint judges such a resource as tier 1.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name = "carts"
    ///   tags = { "dr-tier" = "critical" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name = "carts"
    ///   tags = { "dr-tier" = "1" }
    /// }
    /// ```
    pub struct InvalidTierTag;
}

impl Rule for InvalidTierTag {
    fn examines(&self, resource: &Resource) -> bool {
        is_taggable(resource)
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let tier_tag = &*cx.tiers.tags().tier;
        if !is_taggable(resource) {
            return;
        }
        let Fact::Known(value) = resource.tag(tier_tag) else {
            return;
        };
        let text = value.to_string_value().unwrap_or_else(|| value.to_string());
        let known = text
            .trim()
            .parse::<u8>()
            .ok()
            .and_then(|level| cx.tiers.get(level));
        if known.is_some() {
            return;
        }
        let levels: Vec<String> = cx
            .tiers
            .levels()
            .map(|tier| format!("\"{}\"", tier.level))
            .collect();
        report.report(
            resource,
            &["tags", tier_tag],
            None,
            Verdict {
                severity: Severity::Error,
                certainty: Certainty::Definite,
            },
            format!(
                "{} has {tier_tag} = {text:?}, which is not a known tier; judged as tier 1",
                resource.address
            ),
            format!("use one of {}", levels.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR102",
            &[
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "3" } }"#,
                r#"resource "dr_tier" "gold" {
                 name = "gold"
                 level = 4
                 rto = "8h"
                 rpo = "1d"
               }
               resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "4" } }"#,
            ],
        );
        assert_fail(
            "DR102",
            &[
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "critical" } }"#,
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "7" } }"#,
            ],
        );
    }
}

use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::aws::{self, ModuleCreates, TagStyle};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::{Fact, Lookup};

declare_rule! {
    /// ## What it does
    /// Reports AWS resources that can carry tags but have no `dr-tier` tag, neither in `tags`
    /// nor through the provider's `default_tags` (inherited by child modules).
    ///
    /// A resource counts as taggable when it sets `tags` (or, for an Auto Scaling group, `tag`
    /// blocks) or is one of the stateful types the other rules judge. Resources whose tags
    /// cannot be known before apply are reported with certainty `unknown`, and so is every
    /// module call whose source is not on disk (a registry or git module before `terraform
    /// init`): nothing it creates can be read, so neither can its resources' tiers. Run
    /// `terraform init` first, so `.terraform/modules` holds the module, and drlint reads it
    /// like a local one.
    ///
    /// A few public registry modules are known without their code (`drlint` keeps what they
    /// create in one table): a label module that creates nothing is not reported, and a
    /// module known to create no data stores and to tag everything with one argument (such as
    /// `terraform-aws-modules/vpc/aws` with `tags`) is judged by that argument.
    ///
    /// ## Why is this bad?
    /// The tier is the promise every other rule checks against. Without it nobody knows how fast
    /// the resource must come back, so drlint judges it as tier 1: unknown criticality is
    /// critical until declared.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine = "postgres"
    ///   tags   = { team = "payments" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine = "postgres"
    ///   tags   = { team = "payments", "dr-tier" = "2", "rto-hours" = "1" }
    /// }
    /// ```
    pub struct MissingTierTag;
}

/// Whether the tag rules apply: AWS resources that take tags (stateful types, and any that
/// writes tags in the form its type carries them).
pub(super) fn is_taggable(resource: &Resource) -> bool {
    let written = match aws::tag_style(&resource.resource_type) {
        TagStyle::Map => "tags",
        TagStyle::Blocks { block } => block,
    };
    resource.resource_type.starts_with("aws_")
        && (aws::is_stateful(&resource.resource_type) || !resource.get(&[written]).is_absent())
}

impl Rule for MissingTierTag {
    fn examines(&self, resource: &Resource) -> bool {
        is_taggable(resource)
    }

    fn check_model(&self, cx: &Context<'_>, report: &mut Reporter<'_>) {
        let tier_tag = &*cx.tiers.tags().tier;
        let init = "run `terraform init` so .terraform/modules holds the module (drlint reads it from there), or lint the plan from `terraform show -json`";
        for call in &cx.unresolved_modules {
            match (aws::registry_module(&call.source), &call.tags) {
                (Some(ModuleCreates::NothingJudged), _) => continue,
                (Some(ModuleCreates::NoDataStores { tags: argument }), Some(tags)) => {
                    match Lookup::walk(tags, &[tier_tag]) {
                        Fact::Known(_) => continue,
                        Fact::Absent => report.report_module(
                            call,
                            Severity::Error,
                            Certainty::Definite,
                            format!(
                                "{} (source {:?}) is not on disk, but that module creates no data stores and tags everything it creates with its `{argument}` argument, which has no {tier_tag} tag (nor do the provider's default_tags); judged as tier 1",
                                call.address, call.source
                            ),
                            format!("add `\"{tier_tag}\" = \"1\"`, \"2\" or \"3\" to the module's `{argument}` (or to the provider's default_tags)"),
                        ),
                        Fact::Unknown => report.report_module(
                            call,
                            Severity::Error,
                            Certainty::Unknown,
                            format!(
                                "{} (source {:?}) is not on disk; it tags what it creates with its `{argument}` argument, whose {tier_tag} tag cannot be known before apply",
                                call.address, call.source
                            ),
                            init.to_owned(),
                        ),
                    }
                }
                _ => report.report_module(
                    call,
                    Severity::Error,
                    Certainty::Unknown,
                    format!(
                        "{} (source {:?}) is not on disk: the {tier_tag} tags and DR settings of everything it creates cannot be known",
                        call.address, call.source
                    ),
                    init.to_owned(),
                ),
            }
        }
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let tier_tag = &*cx.tiers.tags().tier;
        if !is_taggable(resource) {
            return;
        }
        let certainty = match resource.tag(tier_tag) {
            Fact::Known(_) => return,
            Fact::Unknown => Certainty::Unknown,
            Fact::Absent => Certainty::Definite,
        };
        let message = match certainty {
            Certainty::Unknown => format!(
                "the {tier_tag} tag of {} cannot be known before apply; judged as tier 1",
                resource.address
            ),
            Certainty::Definite => format!(
                "{} has no {tier_tag} tag; judged as tier 1",
                resource.address
            ),
        };
        report.report(
            resource,
            &["tags"],
            None,
            Verdict { severity: Severity::Error, certainty },
            message,
            format!("add `\"{tier_tag}\" = \"1\"`, \"2\" or \"3\" to tags (or to the provider's default_tags)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass, findings};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR101",
            &[
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "3" } }"#,
                r#"provider "aws" {
                 default_tags {
                   tags = { "dr-tier" = "2" }
                 }
               }
               resource "aws_s3_bucket" "b" { tags = { team = "x" } }"#,
                r#"resource "aws_iam_role" "r" { name = "not taggable here" }"#,
                r#"resource "aws_s3_bucket" "b" { count = 0 }"#,
            ],
        );
        assert_fail(
            "DR101",
            &[
                r#"resource "aws_s3_bucket" "b" {}"#,
                r#"resource "aws_vpc" "v" { tags = { Name = "main" } }"#,
            ],
        );
    }

    #[test]
    fn unknown_tags_are_unknown_not_missing() {
        let found = findings(
            "DR101",
            r#"
            variable "tags" {}
            resource "aws_s3_bucket" "b" { tags = var.tags }
        "#,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].certainty, crate::tiers::Certainty::Unknown);
    }
}

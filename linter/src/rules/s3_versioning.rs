use super::{
    declare_rule, has_unknown_relation, needed, related, report_switch, Context, Reporter, Rule,
};
use crate::aws;
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `aws_s3_bucket` resources without versioning when the tier needs it: no
    /// `aws_s3_bucket_versioning` whose `bucket` refers to the bucket (by reference or the same
    /// literal name) with `versioning_configuration { status = "Enabled" }`, and no legacy inline
    /// `versioning { enabled = true }`.
    ///
    /// ## Why is this bad?
    /// Without versioning an overwrite or delete is final, and S3 replication (the bucket's
    /// cross-region copy) cannot be configured at all.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_s3_bucket" "invoices" {
    ///   bucket = "acme-invoices"
    /// }
    ///
    /// resource "aws_s3_bucket_versioning" "invoices" {
    ///   bucket = aws_s3_bucket.invoices.id
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    /// ```
    pub struct S3Versioning;
}

impl Rule for S3Versioning {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_s3_bucket"]
    }

    fn check_resource(&self, cx: &Context<'_>, bucket: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, bucket, |r| r.versioning) else {
            return;
        };
        let inline = bucket
            .get(&["versioning", "enabled"])
            .flag()
            .or_default(false);
        if inline == Some(true) {
            return;
        }
        let mut state = inline;
        for versioning in related(cx, bucket, &aws::BUCKET_VERSIONING) {
            match versioning.get(&["versioning_configuration", "status"]) {
                Fact::Known(status) if status.as_str() == Some("Enabled") => {
                    if !versioning.expansion_unknown {
                        return;
                    }
                    state = None;
                }
                Fact::Unknown => state = None,
                _ => {}
            }
        }
        if state == Some(false) && has_unknown_relation(cx, &aws::BUCKET_VERSIONING) {
            state = None;
        }
        report_switch(
            report,
            bucket,
            &judgement,
            severity,
            &["bucket"],
            state,
            format!("{} has no versioning", bucket.address),
            "add an aws_s3_bucket_versioning for this bucket with `status = \"Enabled\"`"
                .to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR504",
            &[
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }
               resource "aws_s3_bucket_versioning" "v" {
                 bucket = aws_s3_bucket.b.id
                 versioning_configuration { status = "Enabled" }
               }"#,
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }
               resource "aws_s3_bucket_versioning" "v" {
                 bucket = "x"
                 versioning_configuration { status = "Enabled" }
               }"#,
            ],
        );
        assert_fail(
            "DR504",
            &[
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }"#,
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }
               resource "aws_s3_bucket_versioning" "v" {
                 bucket = aws_s3_bucket.b.id
                 versioning_configuration { status = "Suspended" }
               }"#,
            ],
        );
    }
}

use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports storage pinned to one Availability Zone: `aws_efs_file_system` with
    /// `availability_zone_name` set (EFS One Zone), every `aws_ebs_volume` (a volume lives in
    /// exactly one zone) and every `aws_fsx_lustre_file_system` (Lustre has no Multi-AZ
    /// deployment type: scratch and persistent file systems alike live in the zone of their
    /// one subnet).
    ///
    /// ## Why is this bad?
    /// Data pinned to a zone is unreachable while that zone is down, and only as recent as its
    /// last snapshot when it has to be rebuilt elsewhere.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_efs_file_system" "uploads" {
    ///   availability_zone_name = "eu-west-1a"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_efs_file_system" "uploads" {
    ///   encrypted = true
    /// }
    /// ```
    pub struct OneZoneStorage;
}

impl Rule for OneZoneStorage {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_efs_file_system",
            "aws_ebs_volume",
            "aws_fsx_lustre_file_system",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        if resource.resource_type == "aws_ebs_volume" {
            report_switch(
                report,
                resource,
                &judgement,
                severity,
                &["availability_zone"],
                Some(false),
                format!("{} is an EBS volume: its data lives in one Availability Zone", resource.address),
                "keep tier data in a Multi-AZ service (EFS Regional, RDS, S3), or snapshot the volume to another zone and region with AWS Backup".to_owned(),
            );
            return;
        }
        if resource.resource_type == "aws_fsx_lustre_file_system" {
            report_switch(
                report,
                resource,
                &judgement,
                severity,
                &["subnet_ids"],
                Some(false),
                format!("{} is an FSx for Lustre file system: it lives in one Availability Zone", resource.address),
                "keep the data of record in S3 (a Lustre data repository association, with S3 replication), or move it to a Multi-AZ FSx type (OpenZFS or ONTAP `MULTI_AZ_1`)".to_owned(),
            );
            return;
        }
        let state = match resource.get(&["availability_zone_name"]) {
            Fact::Absent => Some(true),
            Fact::Unknown => None,
            Fact::Known(_) => Some(false),
        };
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["availability_zone_name"],
            state,
            format!("{} is EFS One Zone", resource.address),
            "remove `availability_zone_name` to use Regional (multi-AZ) EFS".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR303",
            &[r#"resource "aws_efs_file_system" "f" { encrypted = true }"#],
        );
        assert_fail(
            "DR303",
            &[
                r#"resource "aws_efs_file_system" "f" { availability_zone_name = "eu-west-1a" }"#,
                r#"resource "aws_ebs_volume" "v" { availability_zone = "eu-west-1a" }"#,
                r#"resource "aws_fsx_lustre_file_system" "scratch" {
                 storage_capacity = 1200
                 subnet_ids       = ["subnet-0abc"]
                 deployment_type  = "PERSISTENT_2"
               }"#,
            ],
        );
    }
}

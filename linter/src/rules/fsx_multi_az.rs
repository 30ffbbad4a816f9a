use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports FSx file systems with a single-AZ `deployment_type`:
    /// `aws_fsx_windows_file_system` (default `SINGLE_AZ_1`), `aws_fsx_ontap_file_system` and
    /// `aws_fsx_openzfs_file_system` (`SINGLE_AZ_*`). Lustre has no Multi-AZ deployment type
    /// to switch on: it is judged as one-zone storage (DR303).
    ///
    /// ## Why is this bad?
    /// A single-AZ file system is served from one zone; when the zone fails, every share on it
    /// is unavailable until a backup is restored elsewhere.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_fsx_windows_file_system" "shares" {
    ///   storage_capacity    = 300
    ///   throughput_capacity = 32
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_fsx_windows_file_system" "shares" {
    ///   storage_capacity    = 300
    ///   throughput_capacity = 32
    ///   deployment_type     = "MULTI_AZ_1"
    /// }
    /// ```
    pub struct FsxMultiAz;
}

impl Rule for FsxMultiAz {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_fsx_windows_file_system",
            "aws_fsx_ontap_file_system",
            "aws_fsx_openzfs_file_system",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        // Windows defaults to SINGLE_AZ_1; ONTAP and OpenZFS require the argument.
        let state = resource
            .get(&["deployment_type"])
            .string()
            .or_default(String::new())
            .map(|mode| mode.starts_with("MULTI_AZ"));
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["deployment_type"],
            state,
            format!("{} is a single-AZ file system", resource.address),
            "use a MULTI_AZ deployment type (`MULTI_AZ_1`, or `MULTI_AZ_2` for ONTAP) with a preferred and a standby subnet".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR206",
            &[
                r#"resource "aws_fsx_windows_file_system" "f" { deployment_type = "MULTI_AZ_1" }"#,
                r#"resource "aws_fsx_lustre_file_system" "f" {}"#,
            ],
        );
        assert_fail(
            "DR206",
            &[
                r#"resource "aws_fsx_windows_file_system" "f" {}"#,
                r#"resource "aws_fsx_ontap_file_system" "f" { deployment_type = "SINGLE_AZ_1" }"#,
                r#"resource "aws_fsx_openzfs_file_system" "f" { deployment_type = "SINGLE_AZ_2" }"#,
            ],
        );
    }
}

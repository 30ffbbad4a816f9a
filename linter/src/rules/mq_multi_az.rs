use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports `aws_mq_broker` resources whose `deployment_mode` is `SINGLE_INSTANCE` or unset
    /// (the default). `ACTIVE_STANDBY_MULTI_AZ` and `CLUSTER_MULTI_AZ` pass.
    ///
    /// ## Why is this bad?
    /// A single-instance broker loses every queue it holds with its zone, and messages in
    /// flight are gone with it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_mq_broker" "events" {
    ///   broker_name = "events"
    ///   engine_type = "ActiveMQ"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_mq_broker" "events" {
    ///   broker_name     = "events"
    ///   engine_type     = "ActiveMQ"
    ///   deployment_mode = "ACTIVE_STANDBY_MULTI_AZ"
    /// }
    /// ```
    pub struct MqMultiAz;
}

impl Rule for MqMultiAz {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_mq_broker"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let mode = resource.get(&["deployment_mode"]).string();
        let state = mode.or_default(String::new()).map(|mode| {
            matches!(
                mode.as_str(),
                "ACTIVE_STANDBY_MULTI_AZ" | "CLUSTER_MULTI_AZ"
            )
        });
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["deployment_mode"],
            state,
            format!("{} is a single-instance broker", resource.address),
            "set `deployment_mode = \"ACTIVE_STANDBY_MULTI_AZ\"` (ActiveMQ) or `\"CLUSTER_MULTI_AZ\"` (RabbitMQ)".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR205",
            &[r#"resource "aws_mq_broker" "b" { deployment_mode = "CLUSTER_MULTI_AZ" }"#],
        );
        assert_fail(
            "DR205",
            &[
                r#"resource "aws_mq_broker" "b" {}"#,
                r#"resource "aws_mq_broker" "b" { deployment_mode = "SINGLE_INSTANCE" }"#,
            ],
        );
    }
}

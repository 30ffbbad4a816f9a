use std::collections::BTreeSet;

use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::{Lookup, Value};

declare_rule! {
    /// ## What it does
    /// Reports `aws_msk_cluster` (`broker_node_group_info.client_subnets`),
    /// `aws_autoscaling_group` (`vpc_zone_identifier` or `availability_zones`) and `aws_lb`
    /// (`subnets` or `subnet_mapping`) whose subnets all resolve to one Availability Zone.
    /// A subnet resolves through the `aws_subnet` resources the argument refers to (their
    /// `availability_zone`), and a list of exactly one subnet is one zone by definition.
    ///
    /// Subnet IDs from variables or data sources cannot be resolved to zones; the rule stays
    /// silent on them rather than guessing.
    ///
    /// ## Why is this bad?
    /// Brokers, instances or load balancer nodes placed in one zone all go down with it: the
    /// service is single-AZ however many nodes it has.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_autoscaling_group" "workers" {
    ///   min_size            = 2
    ///   max_size            = 6
    ///   vpc_zone_identifier = [aws_subnet.private_a.id]
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_autoscaling_group" "workers" {
    ///   min_size            = 2
    ///   max_size            = 6
    ///   vpc_zone_identifier = [aws_subnet.private_a.id, aws_subnet.private_b.id]
    /// }
    /// ```
    pub struct SubnetsOneZone;
}

/// Where the subnets or zones are written, per resource type.
fn placement(resource: &Resource) -> Option<(&'static [&'static str], &'static str)> {
    match resource.resource_type.as_str() {
        "aws_msk_cluster" => Some((
            &["broker_node_group_info", "client_subnets"],
            "broker_node_group_info",
        )),
        "aws_lb" => match resource.get(&["subnet_mapping"]) {
            Lookup::NotSet => Some((&["subnets"], "subnets")),
            _ => Some((&["subnet_mapping"], "subnet_mapping")),
        },
        "aws_autoscaling_group" => match resource.get(&["vpc_zone_identifier"]) {
            Lookup::NotSet => Some((&["availability_zones"], "availability_zones")),
            _ => Some((&["vpc_zone_identifier"], "vpc_zone_identifier")),
        },
        _ => None,
    }
}

/// The zones the resource is placed in, when they can be resolved.
fn zones(
    cx: &Context<'_>,
    resource: &Resource,
    path: &[&str],
    reference_key: &str,
) -> Option<BTreeSet<String>> {
    if path == ["availability_zones"] {
        let Lookup::Known(Value::List(items)) = resource.get(path) else {
            return None;
        };
        return items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect();
    }
    let count = match resource.get(path) {
        Lookup::Known(Value::List(items)) => Some(items.len()),
        _ => None,
    };
    let no_targets = Vec::new();
    let targets = resource
        .references
        .get(reference_key)
        .unwrap_or(&no_targets);
    let mut found = BTreeSet::new();
    let mut subnets = 0;
    for subnet in targets
        .iter()
        .flat_map(|key| cx.instances(key))
        .filter(|candidate| candidate.resource_type == "aws_subnet")
    {
        subnets += 1;
        match subnet.get(&["availability_zone"]) {
            Lookup::Known(zone) => {
                found.insert(zone.to_string_value()?);
            }
            _ => return None,
        }
    }
    if subnets == 0 {
        return (count == Some(1)).then(|| BTreeSet::from(["(one subnet)".to_owned()]));
    }
    Some(found)
}

impl Rule for SubnetsOneZone {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_msk_cluster", "aws_autoscaling_group", "aws_lb"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((path, reference_key)) = placement(resource) else {
            return;
        };
        let Some(zones) = zones(cx, resource, path, reference_key) else {
            return;
        };
        if zones.len() != 1 {
            return;
        }
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let zone = zones.iter().next().cloned().unwrap_or_default();
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            path,
            Some(false),
            format!(
                "{} is placed in one Availability Zone ({zone})",
                resource.address
            ),
            "spread it over subnets in at least two Availability Zones".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR305",
            &[
                r#"resource "aws_subnet" "a" { availability_zone = "eu-west-1a" }
               resource "aws_subnet" "b" { availability_zone = "eu-west-1b" }
               resource "aws_lb" "web" { subnets = [aws_subnet.a.id, aws_subnet.b.id] }"#,
                r#"variable "subnets" { type = list(string) }
               resource "aws_autoscaling_group" "w" { vpc_zone_identifier = var.subnets }"#,
            ],
        );
        assert_fail(
            "DR305",
            &[
                r#"resource "aws_subnet" "a" {
                 count = 2
                 availability_zone = "eu-west-1a"
               }
               resource "aws_autoscaling_group" "w" { vpc_zone_identifier = aws_subnet.a[*].id }"#,
                r#"resource "aws_autoscaling_group" "w" { availability_zones = ["eu-west-1a"] }"#,
                r#"resource "aws_msk_cluster" "k" {
                 broker_node_group_info { client_subnets = ["subnet-0abc"] }
               }"#,
            ],
        );
    }
}

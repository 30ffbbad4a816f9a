use std::collections::BTreeSet;

use super::{declare_rule, needed, report_switch, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::{Fact, Value};

declare_rule! {
    /// ## What it does
    /// Reports `aws_msk_cluster` (`broker_node_group_info.client_subnets`),
    /// `aws_autoscaling_group` (`vpc_zone_identifier` or `availability_zones`) and `aws_lb`
    /// (`subnets` or `subnet_mapping`) whose subnets all resolve to one Availability Zone.
    /// A subnet resolves through the `aws_subnet` resources the argument refers to (their
    /// `availability_zone`), and a list of exactly one subnet is one zone by definition.
    ///
    /// Subnet IDs that come from variables, data sources or modules drlint cannot read, and
    /// subnets whose zone is itself unknown, cannot be resolved to zones: unless two zones are
    /// certain anyway, the rule reports them with certainty `unknown` rather than guessing
    /// either way.
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
            Fact::Absent => Some((&["subnets"], "subnets")),
            _ => Some((&["subnet_mapping"], "subnet_mapping")),
        },
        "aws_autoscaling_group" => match resource.get(&["vpc_zone_identifier"]) {
            Fact::Absent => Some((&["availability_zones"], "availability_zones")),
            _ => Some((&["vpc_zone_identifier"], "vpc_zone_identifier")),
        },
        _ => None,
    }
}

/// Where a resource's subnets or zones put it.
enum Spread {
    /// Two zones or more are certain.
    ManyZones,
    /// Everything resolves to this one zone.
    OneZone(String),
    /// The zones cannot be told before apply; `known` holds those that can.
    Unknown { known: BTreeSet<String> },
    /// Nothing is written to judge.
    NotWritten,
}

/// The zones the resource is placed in.
fn spread(cx: &Context<'_>, resource: &Resource, path: &[&str], reference_key: &str) -> Spread {
    let written = resource.get(path);
    if matches!(written, Fact::Absent) && !resource.references.contains_key(reference_key) {
        return Spread::NotWritten;
    }
    let mut known = BTreeSet::new();
    let mut unresolved = false;
    if path == ["availability_zones"] {
        match written {
            Fact::Known(Value::List(items)) => {
                for item in items {
                    match item.as_str() {
                        Some(zone) => {
                            known.insert(zone.to_owned());
                        }
                        None => unresolved = true,
                    }
                }
            }
            _ => unresolved = true,
        }
    } else {
        // Subnets resolve through the aws_subnet resources the argument refers to; anything
        // else in the list (a variable, a data source, another module's output) has a zone
        // that cannot be known here.
        let no_targets = Vec::new();
        let targets = resource
            .references
            .get(reference_key)
            .unwrap_or(&no_targets);
        let mut subnets = 0;
        for subnet in targets
            .iter()
            .flat_map(|key| cx.instances(key))
            .filter(|candidate| candidate.resource_type == "aws_subnet")
        {
            subnets += 1;
            match subnet.get(&["availability_zone"]) {
                Fact::Known(zone) => match zone.to_string_value() {
                    Some(zone) => {
                        known.insert(zone);
                    }
                    None => unresolved = true,
                },
                // A subnet without a zone gets one AWS picks, or `availability_zone_id`.
                _ => unresolved = true,
            }
        }
        match written {
            Fact::Known(Value::List(items)) => {
                if subnets == 0 && items.len() == 1 {
                    // One subnet is one zone, whichever it is.
                    return Spread::OneZone("one subnet".to_owned());
                }
                if items.len() > subnets {
                    unresolved = true;
                }
            }
            // `subnet_mapping` blocks or a computed list: every subnet must be resolved.
            _ => {
                if subnets == 0 {
                    unresolved = true;
                }
            }
        }
    }
    if known.len() >= 2 {
        Spread::ManyZones
    } else if unresolved || known.is_empty() {
        Spread::Unknown { known }
    } else {
        Spread::OneZone(known.into_iter().next().unwrap_or_default())
    }
}

impl Rule for SubnetsOneZone {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_msk_cluster", "aws_autoscaling_group", "aws_lb"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((path, reference_key)) = placement(resource) else {
            return;
        };
        let spread = spread(cx, resource, path, reference_key);
        let (state, what) = match spread {
            Spread::ManyZones | Spread::NotWritten => return,
            Spread::OneZone(zone) => (
                Some(false),
                format!(
                    "{} is placed in one Availability Zone ({zone})",
                    resource.address
                ),
            ),
            Spread::Unknown { known } => (
                None,
                match known.iter().next() {
                    Some(zone) => format!(
                        "{} is placed in {zone} and in subnets whose zone cannot be known before apply",
                        resource.address
                    ),
                    None => format!(
                        "the Availability Zones of {}'s subnets cannot be known before apply",
                        resource.address
                    ),
                },
            ),
        };
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let help = "spread it over subnets in at least two Availability Zones".to_owned();
        if state.is_none() {
            report.report(
                resource,
                path,
                Some(&judgement),
                Verdict {
                    severity,
                    certainty: Certainty::Unknown,
                },
                format!("{what}; {} requires two zones", tier_phrase(&judgement)),
                help,
            );
            return;
        }
        report_switch(
            report, resource, &judgement, severity, path, state, what, help,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass, findings};
    use crate::tiers::Certainty;

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR305",
            &[
                r#"resource "aws_subnet" "a" { availability_zone = "eu-west-1a" }
               resource "aws_subnet" "b" { availability_zone = "eu-west-1b" }
               resource "aws_lb" "web" { subnets = [aws_subnet.a.id, aws_subnet.b.id] }"#,
                // Two zones are certain, whatever the third subnet is.
                r#"variable "extra" { type = string }
               resource "aws_subnet" "a" { availability_zone = "eu-west-1a" }
               resource "aws_subnet" "b" { availability_zone = "eu-west-1b" }
               resource "aws_lb" "web" { subnets = [aws_subnet.a.id, aws_subnet.b.id, var.extra] }"#,
                // Nothing written, nothing to judge.
                r#"resource "aws_lb" "web" { name = "web" }"#,
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
                // One instance of a for_each block of subnets is one zone, however many zones
                // the block's other instances are in.
                r#"resource "aws_subnet" "private" {
                 for_each          = { a = "eu-west-1a", b = "eu-west-1b" }
                 availability_zone = each.value
               }
               resource "aws_lb" "web" { subnets = [aws_subnet.private["a"].id] }"#,
            ],
        );
    }

    #[test]
    fn subnets_whose_zones_cannot_be_known_are_unknown_not_passed() {
        for hcl in [
            // A required variable with no value.
            r#"variable "subnets" { type = list(string) }
               resource "aws_autoscaling_group" "w" { vpc_zone_identifier = var.subnets }"#,
            // A data source: its IDs (and their zones) exist only at apply.
            r#"data "aws_subnets" "private" {}
               resource "aws_lb" "web" { subnets = data.aws_subnets.private.ids }"#,
            // Subnet IDs given literally: drlint cannot tell their zones.
            r#"variable "subnets" { default = ["subnet-0abc", "subnet-0def"] }
               resource "aws_msk_cluster" "k" {
                 broker_node_group_info { client_subnets = var.subnets }
               }"#,
            // One known zone, and a subnet whose zone comes from a data source.
            r#"data "aws_availability_zones" "all" {}
               resource "aws_subnet" "a" { availability_zone = "eu-west-1a" }
               resource "aws_subnet" "b" { availability_zone = data.aws_availability_zones.all.names[1] }
               resource "aws_lb" "web" { subnets = [aws_subnet.a.id, aws_subnet.b.id] }"#,
            // A registry module not on disk.
            r#"module "vpc" { source = "terraform-aws-modules/vpc/aws" }
               resource "aws_autoscaling_group" "w" {
                 vpc_zone_identifier = module.vpc.private_subnets
               }"#,
        ] {
            let found = findings("DR305", hcl);
            assert_eq!(found.len(), 1, "{hcl}\n{found:#?}");
            assert_eq!(found[0].certainty, Certainty::Unknown, "{hcl}");
        }
    }
}

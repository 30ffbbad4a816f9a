//! The failover and failback runbook a `dr_failover_policy` computes: the steps responders
//! follow, with the policy's regions, strategy, mode and objectives written in, so the page on
//! the wiki is never older than the infrastructure.

use std::fmt::Write;

use dr_vocab::{format_duration, Mode, RecoveryObjective, Strategy};

/// Everything the runbook states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunbookFacts<'a> {
    pub name: &'a str,
    pub tier_name: &'a str,
    pub tier_level: u8,
    pub objective: RecoveryObjective,
    pub strategy: Strategy,
    pub primary_region: &'a str,
    pub secondary_region: &'a str,
    pub mode: Mode,
    /// Where the health check points, its interval in seconds and its failure threshold.
    pub health_check: Option<(&'a str, u64, u64)>,
    pub max_replication_lag: Option<u64>,
    pub recovery_role_arn: Option<&'a str>,
}

/// What bringing up the secondary means for each strategy.
fn promotion_steps(strategy: Strategy, secondary: &str) -> [String; 2] {
    match strategy {
        Strategy::BackupRestore => [
            format!("Restore the latest backups into {secondary} (databases from their most recent cross-region snapshot or recovery point, object stores from their replica or backup vault)."),
            format!("Deploy the application stack in {secondary} from the same Terraform configuration with the recovery region's variables, pointing it at the restored data."),
        ],
        Strategy::PilotLight => [
            format!("Promote the replicated data stores in {secondary} to primaries (promote the read replica or fail over the global cluster)."),
            format!("Start the compute that is kept off in {secondary}: scale the auto scaling groups and services from zero to production capacity."),
        ],
        Strategy::WarmStandby => [
            format!("Promote the replicated data stores in {secondary} to primaries."),
            format!("Scale the scaled-down stack in {secondary} up to production capacity before moving traffic."),
        ],
        Strategy::ActiveActive => [
            format!("Confirm {secondary} is already serving and its data stores accept writes (global tables or a multi-writer cluster)."),
            format!("Raise {secondary}'s capacity to carry the full load alone."),
        ],
    }
}

/// The runbook in Markdown.
pub fn runbook(facts: &RunbookFacts<'_>) -> String {
    let RunbookFacts {
        name,
        tier_name,
        tier_level,
        objective,
        strategy,
        primary_region: primary,
        secondary_region: secondary,
        mode,
        ..
    } = *facts;
    let rto = format_duration(objective.rto_seconds);
    let rpo = format_duration(objective.rpo_seconds);
    let mut page = String::new();
    let mut line = |text: String| {
        page.push_str(&text);
        page.push('\n');
    };
    line(format!("# Failover runbook: {name}"));
    line(String::new());
    line(format!("- Tier: {tier_name} (level {tier_level}): recover within {rto}, lose at most {rpo} of data"));
    line(format!(
        "- Strategy: {strategy} ({})",
        strategy.profile().summary
    ));
    line(format!(
        "- Primary region: {primary}; recovery region: {secondary}"
    ));
    line(format!(
        "- Failover: {}",
        match mode {
            Mode::Manual => "manual: the incident lead decides, then follows this runbook",
            Mode::Automatic => "automatic: triggered by the health check; follow this runbook to verify and to fail back",
        }
    ));
    if let Some((target, interval, threshold)) = facts.health_check {
        line(format!("- Health check: {target}, every {interval}s, down after {threshold} consecutive failures"));
    }
    if let Some(lag) = facts.max_replication_lag {
        line(format!(
            "- Replication lag allowed: {}",
            format_duration(lag)
        ));
    }
    if let Some(role) = facts.recovery_role_arn {
        line(format!(
            "- Recovery role: {role} (assume it in {secondary})"
        ));
    }
    line(String::new());

    let mut step = 0;
    let mut numbered = |page: &mut String, text: String| {
        step += 1;
        let _ = writeln!(page, "{step}. {text}");
    };
    page.push_str("## 1. Pre-checks\n\n");
    numbered(
        &mut page,
        format!("Declare the incident and note the time: the {rto} recovery clock starts now."),
    );
    numbered(&mut page, format!("Confirm {primary} is impaired (AWS Health Dashboard, the workload's alarms{}) and not just one dependency.", if facts.health_check.is_some() { ", the health check" } else { "" }));
    match facts.recovery_role_arn {
        Some(role) => numbered(&mut page, format!("Assume {role} in {secondary} and confirm the console and CLI answer.")),
        None => numbered(&mut page, format!("Confirm responders can sign in to {secondary} with rights to promote data stores and shift traffic.")),
    }
    numbered(&mut page, format!("Check replication into {secondary}: the lag must be under {}, or the failover loses more than the tier allows; record the lag you see.", facts.max_replication_lag.map_or(rpo.clone(), format_duration)));
    page.push('\n');

    page.push_str("## 2. Promotion\n\n");
    for text in promotion_steps(strategy, secondary) {
        numbered(&mut page, text);
    }
    numbered(&mut page, format!("Fence {primary}: stop writers there (scale to zero, revoke the database endpoint) so the two regions cannot both accept writes."));
    page.push('\n');

    page.push_str("## 3. Traffic shift\n\n");
    numbered(&mut page, format!("Point DNS (Route 53 failover or weighted records) or the global accelerator at {secondary}; keep TTLs short."));
    numbered(&mut page, format!("Update configuration that names {primary} explicitly: queues, webhooks, partner allow-lists."));
    page.push('\n');

    page.push_str("## 4. Validation\n\n");
    numbered(&mut page, format!("Run the smoke tests against {secondary} and watch error rates and latency for 15 minutes."));
    numbered(&mut page, format!("Record how long recovery took and how much data was lost; the tier promises {rto} and {rpo}. Put them in the dr_drill of this policy as observed_rto and observed_rpo."));
    numbered(
        &mut page,
        "Tell stakeholders the service is running in the recovery region.".to_owned(),
    );
    page.push('\n');

    page.push_str("## 5. Failback\n\n");
    numbered(&mut page, format!("When {primary} is healthy again, re-establish replication from {secondary} back to {primary} and wait until it has caught up."));
    numbered(&mut page, format!("Schedule the failback in a quiet hour; repeat promotion and traffic shift in the other direction, {secondary} → {primary}."));
    numbered(
        &mut page,
        format!(
            "Restore the normal roles: {primary} primary, {secondary} {}.",
            match strategy {
                Strategy::BackupRestore => "holding backups only",
                Strategy::PilotLight => "with its compute off again",
                Strategy::WarmStandby => "scaled down again",
                Strategy::ActiveActive => "serving its share",
            }
        ),
    );
    numbered(&mut page, "Write the post-incident review and update this policy if anything in the runbook was wrong.".to_owned());
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RunbookFacts<'static> {
        RunbookFacts {
            name: "payments",
            tier_name: "critical",
            tier_level: 1,
            objective: RecoveryObjective {
                rto_seconds: 900,
                rpo_seconds: 60,
            },
            strategy: Strategy::WarmStandby,
            primary_region: "eu-west-1",
            secondary_region: "eu-central-1",
            mode: Mode::Automatic,
            health_check: Some(("https://payments.example.com/healthz", 30, 3)),
            max_replication_lag: Some(30),
            recovery_role_arn: Some("arn:aws:iam::123456789012:role/dr-recovery"),
        }
    }

    #[test]
    fn fills_in_regions_strategy_and_objectives() {
        let page = runbook(&facts());
        for expected in [
            "# Failover runbook: payments",
            "critical (level 1): recover within 15m, lose at most 1m of data",
            "Strategy: warm_standby",
            "Primary region: eu-west-1; recovery region: eu-central-1",
            "automatic: triggered by the health check",
            "https://payments.example.com/healthz, every 30s, down after 3",
            "Assume arn:aws:iam::123456789012:role/dr-recovery in eu-central-1",
            "the lag must be under 30s",
            "Scale the scaled-down stack in eu-central-1 up",
            "eu-central-1 → eu-west-1",
        ] {
            assert!(page.contains(expected), "missing {expected:?} in:\n{page}");
        }
        for section in [
            "## 1. Pre-checks",
            "## 2. Promotion",
            "## 3. Traffic shift",
            "## 4. Validation",
            "## 5. Failback",
        ] {
            assert!(page.contains(section), "missing {section}");
        }
    }

    #[test]
    fn steps_follow_the_strategy_and_number_on() {
        let restore = runbook(&RunbookFacts {
            strategy: Strategy::BackupRestore,
            mode: Mode::Manual,
            health_check: None,
            max_replication_lag: None,
            recovery_role_arn: None,
            ..facts()
        });
        assert!(restore.contains("Restore the latest backups into eu-central-1"));
        assert!(restore.contains("the incident lead decides"));
        assert!(restore.contains("the lag must be under 1m"));
        assert!(!restore.contains("Health check:"));
        let numbers: Vec<u32> = restore
            .lines()
            .filter_map(|line| line.split_once(". ")?.0.parse().ok())
            .collect();
        assert_eq!(numbers, (1..=numbers.len() as u32).collect::<Vec<_>>());
    }
}

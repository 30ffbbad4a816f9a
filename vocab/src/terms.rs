//! The `dr` provider's resources as both halves name them: each resource type, each attribute's
//! name in HCL, plans and state, and what it means.
//!
//! The provider builds its schema (and so its docs) from these terms; the linter reads plans and
//! HCL through the same constants. Renaming an attribute here renames it for both, so the
//! linter can never look for an attribute the provider no longer writes.

use std::ops::RangeInclusive;

/// One attribute: its name and its meaning (Markdown, shown in docs and editors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub name: &'static str,
    pub meaning: &'static str,
}

const fn term(name: &'static str, meaning: &'static str) -> Term {
    Term { name, meaning }
}

/// Tier levels: 1 is the most critical.
pub const TIER_LEVELS: RangeInclusive<u8> = 1..=9;

/// The `dr_tier` resource.
pub mod tier {
    use super::{term, Term};

    pub const TYPE: &str = "dr_tier";
    pub const SUMMARY: &str = "Declares a DR tier: the recovery time (RTO) and recovery point (RPO) a class of workloads is promised, and where its data may live. Plan-time validation catches malformed durations, levels and region names; computed attributes give the recommended strategy and the tags that mark resources as belonging to the tier.";

    pub const NAME: Term = term(
        "name",
        "Name of the tier, such as `critical`. It is the tier's id, so changing it replaces the tier.",
    );
    pub const LEVEL: Term = term(
        "level",
        "Criticality, a whole number from 1 (most critical) to 9. Resources of this tier carry it in their `dr-tier` tag.",
    );
    pub const RTO: Term = term(
        "rto",
        "Recovery time objective: the longest the service may be down after a disaster, as a duration with units `s`, `m`, `h`, `d`, largest first: `15m`, `4h`, `1h30m`, `90d`.",
    );
    pub const RPO: Term = term(
        "rpo",
        "Recovery point objective: the most data, measured in time, that may be lost, written like `rto`: `90s`, `15m`, `24h`.",
    );
    pub const DESCRIPTION: Term = term("description", "What the tier is for, shown in reviews.");
    pub const ALLOWED_REGIONS: Term = term(
        "allowed_regions",
        "AWS regions where workloads of this tier may run and keep data (data residency). Failover policies of this tier must keep both their regions in this set. Unset means any region.",
    );
    pub const ID: Term = term("id", "The tier's name.");
    pub const RTO_SECONDS: Term = term("rto_seconds", "`rto` in seconds.");
    pub const RPO_SECONDS: Term = term("rpo_seconds", "`rpo` in seconds.");
    pub const RECOMMENDED_STRATEGY: Term = term(
        "recommended_strategy",
        "The cheapest DR strategy whose slowest recovery still meets both `rto` and `rpo`: `backup_restore`, `pilot_light`, `warm_standby` or `active_active` (or `active_active` when none is that fast).",
    );
    pub const TAGS: Term = term(
        "tags",
        "Tags marking a resource as belonging to this tier, to merge into its `tags` or into the AWS provider's `default_tags`: `dr-tier` (the level) and `rto-hours` (the RTO in hours, such as `0.25` for `15m`).",
    );
}

/// The `dr_failover_policy` resource.
pub mod policy {
    use super::{term, Term};

    pub const TYPE: &str = "dr_failover_policy";
    pub const SUMMARY: &str = "Declares how a workload fails over: the tier it answers to, its strategy, its primary and recovery regions, whether failover is manual or automatic, and the role responders assume in the recovery region. Plan-time validation checks the regions against the tier's data residency, the strategy against the tier's objectives and the replication lag against its RPO; the computed `runbook` is the failover and failback procedure with all of it filled in.";

    pub const NAME: Term = term(
        "name",
        "Name of the workload or service the policy is for, such as `payments`. It is the policy's id, so changing it replaces the policy.",
    );
    pub const TIER: Term = term(
        "tier",
        "The tier the workload answers to: write the whole tier resource, `tier = dr_tier.critical`. Any object with `name`, `level`, `rto`, `rpo` and `allowed_regions` will do; other attributes are ignored.",
    );
    pub const STRATEGY: Term = term(
        "strategy",
        "How the workload is prepared to recover: `backup_restore`, `pilot_light`, `warm_standby` or `active_active`. A strategy that cannot meet the tier's RTO and RPO even at its best is an error; one that meets them only at its best is a warning asking for a drill to prove it.",
    );
    pub const PRIMARY_REGION: Term = term(
        "primary_region",
        "The AWS region the workload normally runs in, such as `eu-west-1`. It must be in the tier's `allowed_regions` when the tier has any.",
    );
    pub const SECONDARY_REGION: Term = term(
        "secondary_region",
        "The AWS region the workload fails over to. It must differ from `primary_region` and be in the tier's `allowed_regions` when the tier has any.",
    );
    pub const MODE: Term = term(
        "mode",
        "`manual` (a responder decides and follows the runbook) or `automatic` (failover follows the health check, which is then required). Defaults to `manual`.",
    );
    pub const HEALTH_CHECK: Term = term(
        "health_check",
        "How the primary is judged healthy; required when `mode` is `automatic`.",
    );
    pub const HEALTH_CHECK_PATH: Term = term(
        "path",
        "An HTTP path on the workload's endpoint that answers 200 when healthy, such as `/healthz`. Give `path` or `url`, not both.",
    );
    pub const HEALTH_CHECK_URL: Term = term(
        "url",
        "A full `http://` or `https://` URL that answers 200 when the workload is healthy. Give `path` or `url`, not both.",
    );
    pub const HEALTH_CHECK_INTERVAL: Term = term(
        "interval_seconds",
        "Seconds between checks, 10 to 300. Defaults to 30.",
    );
    pub const HEALTH_CHECK_FAILURE_THRESHOLD: Term = term(
        "failure_threshold",
        "Consecutive failed checks, 1 to 10, before the primary counts as down. Defaults to 3.",
    );
    pub const MAX_REPLICATION_LAG: Term = term(
        "max_replication_lag",
        "The most the secondary's data may trail the primary's, as a duration such as `30s`. It must not exceed the tier's RPO: a lag beyond the RPO loses more data than the tier allows.",
    );
    pub const RECOVERY_ROLE_ARN: Term = term(
        "recovery_role_arn",
        "ARN of the IAM role responders assume in the secondary region to carry out the failover. A `recovery_access` drill proves it can be assumed.",
    );
    pub const ID: Term = term("id", "The policy's name.");
    pub const ACCOUNT_ID: Term = term(
        "account_id",
        "The AWS account the provider's credentials belong to, from STS; null when the provider runs without credentials.",
    );
    pub const RUNBOOK: Term = term(
        "runbook",
        "The failover and failback runbook in Markdown (pre-checks, promotion, traffic shift, validation, failback) with this policy's regions, strategy, mode and objectives filled in. Publish it with a `local_file` or a wiki resource.",
    );
}

/// The `dr_drill` resource.
pub mod drill {
    use super::{term, Term};

    pub const TYPE: &str = "dr_drill";
    pub const SUMMARY: &str = "Records a DR drill of a failover policy: what it rehearses, how often it must run, when it last ran and what recovery it observed. The status is computed at every plan against the policy's tier, so a drill that failed or fell due shows up in the plan a CI gate reads. The `recovery_access` scenario is carried out by the provider: it assumes the policy's recovery role in the secondary region.";

    pub const POLICY: Term = term(
        "policy",
        "The failover policy the drill exercises: write the whole policy resource, `policy = dr_failover_policy.payments`.",
    );
    pub const SCENARIO: Term = term(
        "scenario",
        "What the drill rehearses: `region_outage`, `az_outage`, `database_failover`, `replication_lag`, `missing_secret`, `duplicate_replay` or `recovery_access`. Changing it replaces the drill. `recovery_access` is run by the provider on create and whenever `triggers` change.",
    );
    pub const FREQUENCY: Term = term(
        "frequency",
        "How often the drill must run, as a duration such as `90d`. Defaults by the policy's tier: `90d` for tier 1, `180d` for tier 2, `365d` below.",
    );
    pub const EXECUTED_AT: Term = term(
        "executed_at",
        "When the drill last ran, as an RFC 3339 timestamp such as `2026-11-02T09:00:00Z`. Unset while it has never run.",
    );
    pub const OBSERVED_RTO: Term = term(
        "observed_rto",
        "How long recovery took in the last run, as a duration such as `12m`; judged against the tier's RTO.",
    );
    pub const OBSERVED_RPO: Term = term(
        "observed_rpo",
        "How much data, measured in time, the last run lost, as a duration such as `30s`; judged against the tier's RPO.",
    );
    pub const TRIGGERS: Term = term(
        "triggers",
        "Arbitrary strings; a change re-runs an active scenario (`recovery_access`), for instance `{ role = aws_iam_role.recovery.arn }`.",
    );
    pub const ID: Term = term("id", "`POLICY/SCENARIO`, such as `payments/region_outage`.");
    pub const DECLARED_AT: Term = term(
        "declared_at",
        "When the drill was first planned (RFC 3339). A drill never executed falls due one `frequency` after it.",
    );
    pub const NEXT_DUE_AT: Term = term(
        "next_due_at",
        "When the drill must next run (RFC 3339): `executed_at` (or `declared_at`) plus `frequency`.",
    );
    pub const STATUS: Term = term(
        "status",
        "`scheduled` (never executed and not yet due), `overdue` (`next_due_at` is past; takes precedence), `passed` (no observed value missed the tier) or `failed` (`observed_rto` or `observed_rpo` missed the tier). Computed at every plan.",
    );
    pub const RTO_MET: Term = term(
        "rto_met",
        "Whether `observed_rto` is within the tier's RTO; null when not observed.",
    );
    pub const RPO_MET: Term = term(
        "rpo_met",
        "Whether `observed_rpo` is within the tier's RPO; null when not observed.",
    );
    pub const ACCESS_VERIFIED_AT: Term = term(
        "access_verified_at",
        "`recovery_access` drills: when the provider last assumed the recovery role in the secondary region (RFC 3339); null for other scenarios.",
    );
    pub const ACCESS_SECONDS: Term = term(
        "access_seconds",
        "`recovery_access` drills: how long assuming the recovery role took, in seconds; null for other scenarios.",
    );
}

/// The provider block.
pub mod provider {
    use super::{term, Term};

    pub const SUMMARY: &str = "The `dr` provider declares disaster-recovery tiers, failover policies and drills as Terraform resources. Every argument is optional: without AWS credentials it works offline (tiers, policies and drills are computed locally) and says so once in its log. With credentials it asks STS who it is once per run, exposes the account id on failover policies, enforces the account guards, and carries out `recovery_access` drills.";

    pub const REGION: Term = term(
        "region",
        "AWS region for STS calls. Defaults to the standard chain (`AWS_REGION`, the profile), else `us-east-1`.",
    );
    pub const PROFILE: Term = term(
        "profile",
        "Named profile from the shared AWS config and credentials files. Defaults to `AWS_PROFILE`, else `default`.",
    );
    pub const STS_ENDPOINT: Term = term(
        "sts_endpoint",
        "URL of the STS endpoint, for VPC endpoints, FIPS endpoints or a local test endpoint. Defaults to `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, else the regional endpoint.",
    );
    pub const ASSUME_ROLE: Term = term(
        "assume_role",
        "A role to assume with the resolved credentials before anything else; the account id is then the role's.",
    );
    pub const ASSUME_ROLE_ARN: Term = term("role_arn", "ARN of the role to assume.");
    pub const ASSUME_ROLE_SESSION_NAME: Term = term(
        "session_name",
        "Session name recorded in CloudTrail. Defaults to `terraform-provider-dr`.",
    );
    pub const ASSUME_ROLE_EXTERNAL_ID: Term = term(
        "external_id",
        "External id the role's trust policy requires, if any.",
    );
    pub const ALLOWED_ACCOUNT_IDS: Term = term(
        "allowed_account_ids",
        "AWS account ids the provider may run against; any other account is an error before anything is planned. Needs credentials.",
    );
    pub const FORBIDDEN_ACCOUNT_IDS: Term = term(
        "forbidden_account_ids",
        "AWS account ids the provider must not run against. Needs credentials.",
    );
    pub const SKIP_CREDENTIALS_VALIDATION: Term = term(
        "skip_credentials_validation",
        "Do not call STS GetCallerIdentity when configuring; `account_id` is then null and account guards cannot be used. Defaults to `false`.",
    );
}

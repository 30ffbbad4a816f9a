use super::{declare_rule, needed, presence, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Checks `backup_retention_period` of `aws_db_instance`, `aws_rds_cluster`,
    /// `aws_docdb_cluster` and `aws_neptune_cluster` against the tier's minimum retention
    /// (7 days by default for tiers 1–3). Unset means the AWS default of 1 day. Read replicas
    /// (`replicate_source_db`) are skipped.
    ///
    /// ## Why is this bad?
    /// Retention 0 disables automated backups and point-in-time recovery altogether; a short
    /// retention means corruption noticed after a long weekend can no longer be rolled back.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   engine                  = "aurora-postgresql"
    ///   backup_retention_period = 1
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   engine                  = "aurora-postgresql"
    ///   backup_retention_period = 14
    /// }
    /// ```
    pub struct DbBackupRetention;
}

/// AWS applies one day of retention when none is given.
const DEFAULT_RETENTION_DAYS: f64 = 1.0;

impl Rule for DbBackupRetention {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_neptune_cluster",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        // A read replica's backups are its source's.
        let may_be_replica = match presence(resource, "replicate_source_db") {
            Fact::Known(()) => return,
            Fact::Absent => false,
            Fact::Unknown => true,
        };
        let Some((judgement, severity)) = needed(cx, resource, |r| r.backups) else {
            return;
        };
        let mark = report.mark();
        self.check_retention(resource, &judgement, severity, report);
        if may_be_replica {
            report.uncertain_since(
                mark,
                "it is no read replica: replicate_source_db is unknown before apply",
            );
        }
    }
}

impl DbBackupRetention {
    fn check_retention(
        &self,
        resource: &Resource,
        judgement: &crate::tiers::Judgement<'_>,
        severity: crate::tiers::Severity,
        report: &mut Reporter<'_>,
    ) {
        let minimum = judgement.tier.requirements.min_backup_retention_days;
        let phrase = tier_phrase(judgement);
        match resource.get(&["backup_retention_period"]).number() {
            Fact::Unknown => report.report(
                resource,
                &["backup_retention_period"],
                Some(judgement),
                Verdict { severity, certainty: Certainty::Unknown },
                format!("backup retention of {} cannot be known before apply; {phrase} needs at least {minimum} days", resource.address),
                format!("set `backup_retention_period = {minimum}` or more"),
            ),
            known => {
                let (days, written) = match known {
                    Fact::Known(days) => (days, format!("{days} days")),
                    _ => (DEFAULT_RETENTION_DAYS, "the default of 1 day".to_owned()),
                };
                if days >= f64::from(minimum) {
                    return;
                }
                let what = if days <= 0.0 {
                    format!("{} has automated backups disabled (retention 0)", resource.address)
                } else {
                    format!("{} keeps backups for {written}", resource.address)
                };
                report.report(
                    resource,
                    &["backup_retention_period"],
                    Some(judgement),
                    Verdict { severity, certainty: Certainty::Definite },
                    format!("{what}; {phrase} needs at least {minimum} days"),
                    format!("set `backup_retention_period = {minimum}` or more"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR501",
            &[
                r#"resource "aws_rds_cluster" "c" { backup_retention_period = 7 }"#,
                r#"resource "aws_db_instance" "r" { replicate_source_db = "x" }"#,
            ],
        );
        assert_fail(
            "DR501",
            &[
                r#"resource "aws_rds_cluster" "c" {}"#,
                r#"resource "aws_db_instance" "d" { backup_retention_period = 0 }"#,
                r#"resource "aws_docdb_cluster" "d" { backup_retention_period = 3 }"#,
            ],
        );
    }
}

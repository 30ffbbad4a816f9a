//! Drills: what a failover policy is exercised against, how often, and whether the last run
//! proved the tier. The provider computes a drill's status at plan time with [`assess`]; the
//! linter reads the status from plans and computes it with the same function from HCL.

use std::fmt;
use std::str::FromStr;

use crate::tier::RecoveryObjective;
use crate::time::UnixSeconds;

const DAY: u64 = 86_400;

/// What a drill rehearses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    RegionOutage,
    AzOutage,
    DatabaseFailover,
    ReplicationLag,
    MissingSecret,
    DuplicateReplay,
    /// The one scenario the provider runs itself: it assumes the policy's recovery role in the
    /// secondary region, proving the people on call can reach it.
    RecoveryAccess,
}

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::RegionOutage,
        Scenario::AzOutage,
        Scenario::DatabaseFailover,
        Scenario::ReplicationLag,
        Scenario::MissingSecret,
        Scenario::DuplicateReplay,
        Scenario::RecoveryAccess,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::RegionOutage => "region_outage",
            Scenario::AzOutage => "az_outage",
            Scenario::DatabaseFailover => "database_failover",
            Scenario::ReplicationLag => "replication_lag",
            Scenario::MissingSecret => "missing_secret",
            Scenario::DuplicateReplay => "duplicate_replay",
            Scenario::RecoveryAccess => "recovery_access",
        }
    }

    /// Whether the provider carries the scenario out (rather than recording a drill people ran).
    pub fn is_active(self) -> bool {
        self == Scenario::RecoveryAccess
    }
}

/// Whether failover waits for a person or follows a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Manual,
    Automatic,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Manual, Mode::Automatic];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Manual => "manual",
            Mode::Automatic => "automatic",
        }
    }
}

/// Where a drill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DrillStatus {
    /// Declared but never executed, and not yet due.
    Scheduled,
    /// Its next run is past due. Takes precedence over the last result: an old pass proves
    /// nothing about today.
    Overdue,
    /// Executed within its frequency, and nothing observed missed the tier.
    Passed,
    /// Executed within its frequency, and an observed recovery missed the tier.
    Failed,
}

impl DrillStatus {
    pub const ALL: [DrillStatus; 4] = [
        DrillStatus::Scheduled,
        DrillStatus::Overdue,
        DrillStatus::Passed,
        DrillStatus::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DrillStatus::Scheduled => "scheduled",
            DrillStatus::Overdue => "overdue",
            DrillStatus::Passed => "passed",
            DrillStatus::Failed => "failed",
        }
    }

    /// Whether the status breaks the tier's promise (what the linter reports).
    pub fn is_a_gap(self) -> bool {
        matches!(self, DrillStatus::Overdue | DrillStatus::Failed)
    }
}

macro_rules! named_enum {
    ($type:ident, $what:literal) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $type {
            type Err = UnknownName;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $type::ALL
                    .into_iter()
                    .find(|value| value.name() == text)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        given: text.chars().take(64).collect(),
                        expected: $type::ALL.iter().map(|value| value.name()).collect(),
                    })
            }
        }
    };
}

named_enum!(Scenario, "drill scenario");
named_enum!(Mode, "failover mode");
named_enum!(DrillStatus, "drill status");

/// A name that is not one of its kind's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not a {what}: use one of {}", expected.join(", "))]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub expected: Vec<&'static str>,
}

/// How often a drill of a tier runs unless its `frequency` says otherwise: quarterly for
/// tier 1, twice a year for tier 2, yearly below that.
pub fn default_frequency_seconds(tier_level: u8) -> u64 {
    match tier_level {
        0 | 1 => 90 * DAY,
        2 => 180 * DAY,
        _ => 365 * DAY,
    }
}

/// What is known of one drill when it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillRecord {
    /// When the drill was first declared; a drill never executed falls due a frequency later.
    pub declared_at: UnixSeconds,
    pub executed_at: Option<UnixSeconds>,
    pub frequency_seconds: u64,
    pub observed_rto_seconds: Option<u64>,
    pub observed_rpo_seconds: Option<u64>,
}

/// A drill judged against its tier at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrillAssessment {
    pub status: DrillStatus,
    pub next_due_at: UnixSeconds,
    /// Whether the observed recovery time met the tier's RTO; `None` when none was observed.
    pub rto_met: Option<bool>,
    pub rpo_met: Option<bool>,
}

/// Judges `drill` against `objective` at `now`.
pub fn assess(
    drill: &DrillRecord,
    objective: RecoveryObjective,
    now: UnixSeconds,
) -> DrillAssessment {
    let last = drill.executed_at.unwrap_or(drill.declared_at);
    let frequency = i64::try_from(drill.frequency_seconds).unwrap_or(i64::MAX);
    let next_due_at = last.saturating_add(frequency);
    let rto_met = drill
        .observed_rto_seconds
        .map(|observed| observed <= objective.rto_seconds);
    let rpo_met = drill
        .observed_rpo_seconds
        .map(|observed| observed <= objective.rpo_seconds);
    let status = if now > next_due_at {
        DrillStatus::Overdue
    } else if drill.executed_at.is_none() {
        DrillStatus::Scheduled
    } else if rto_met == Some(false) || rpo_met == Some(false) {
        DrillStatus::Failed
    } else {
        DrillStatus::Passed
    };
    DrillAssessment {
        status,
        next_due_at,
        rto_met,
        rpo_met,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIER_ONE: RecoveryObjective = RecoveryObjective {
        rto_seconds: 900,
        rpo_seconds: 60,
    };

    fn drill(executed_at: Option<i64>, rto: Option<u64>, rpo: Option<u64>) -> DrillRecord {
        DrillRecord {
            declared_at: 0,
            executed_at,
            frequency_seconds: 90 * DAY,
            observed_rto_seconds: rto,
            observed_rpo_seconds: rpo,
        }
    }

    #[test]
    fn status_follows_the_clock_and_the_observations() {
        let day = DAY as i64;
        let never = drill(None, None, None);
        assert_eq!(assess(&never, TIER_ONE, day).status, DrillStatus::Scheduled);
        assert_eq!(
            assess(&never, TIER_ONE, 91 * day).status,
            DrillStatus::Overdue
        );

        let good = drill(Some(10 * day), Some(600), Some(30));
        let judged = assess(&good, TIER_ONE, 20 * day);
        assert_eq!(judged.status, DrillStatus::Passed);
        assert_eq!(judged.next_due_at, 100 * day);
        assert_eq!((judged.rto_met, judged.rpo_met), (Some(true), Some(true)));
        assert_eq!(
            assess(&good, TIER_ONE, 100 * day).status,
            DrillStatus::Passed
        );
        assert_eq!(
            assess(&good, TIER_ONE, 100 * day + 1).status,
            DrillStatus::Overdue
        );

        let slow = drill(Some(10 * day), Some(2_700), None);
        let judged = assess(&slow, TIER_ONE, 20 * day);
        assert_eq!(judged.status, DrillStatus::Failed);
        assert_eq!((judged.rto_met, judged.rpo_met), (Some(false), None));
        // Overdue wins over failed: the failure is old news, the missing re-run is today's.
        assert_eq!(
            assess(&slow, TIER_ONE, 200 * day).status,
            DrillStatus::Overdue
        );
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_choices() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.name().parse::<Scenario>(), Ok(scenario));
        }
        for status in DrillStatus::ALL {
            assert_eq!(status.name().parse::<DrillStatus>(), Ok(status));
        }
        let error = "semi_automatic".parse::<Mode>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"semi_automatic\" is not a failover mode: use one of manual, automatic"
        );
    }

    #[test]
    fn default_frequency_tightens_with_the_tier() {
        assert!(default_frequency_seconds(1) < default_frequency_seconds(2));
        assert!(default_frequency_seconds(2) < default_frequency_seconds(3));
        assert_eq!(default_frequency_seconds(9), default_frequency_seconds(3));
    }
}

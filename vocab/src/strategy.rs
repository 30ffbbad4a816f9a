//! DR strategies and the recovery each can deliver: one table, cheapest first.

use std::fmt;
use std::str::FromStr;

use crate::tier::RecoveryObjective;

const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;

/// How a workload is prepared to recover in another place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Strategy {
    BackupRestore,
    PilotLight,
    WarmStandby,
    ActiveActive,
}

/// The span of recovery a strategy delivers, in seconds: `fastest` when everything goes to plan,
/// `slowest` at the far end of what it is known to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryRange {
    pub fastest: u64,
    pub slowest: u64,
}

/// One row of the strategy table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StrategyProfile {
    pub strategy: Strategy,
    pub rto: RecoveryRange,
    pub rpo: RecoveryRange,
    /// Relative cost, 1 (cheapest) to 4.
    pub cost: u8,
    pub summary: &'static str,
}

/// The strategy table, cheapest first.
pub const STRATEGIES: [StrategyProfile; 4] = [
    StrategyProfile {
        strategy: Strategy::BackupRestore,
        rto: RecoveryRange {
            fastest: HOUR,
            slowest: 72 * HOUR,
        },
        rpo: RecoveryRange {
            fastest: HOUR,
            slowest: 24 * HOUR,
        },
        cost: 1,
        summary: "restore from backups into the recovery region when disaster strikes",
    },
    StrategyProfile {
        strategy: Strategy::PilotLight,
        rto: RecoveryRange {
            fastest: HOUR,
            slowest: 4 * HOUR,
        },
        rpo: RecoveryRange {
            fastest: MINUTE,
            slowest: 4 * HOUR,
        },
        cost: 2,
        summary: "data replicated live, compute kept off until failover",
    },
    StrategyProfile {
        strategy: Strategy::WarmStandby,
        rto: RecoveryRange {
            fastest: MINUTE,
            slowest: HOUR,
        },
        rpo: RecoveryRange {
            fastest: 1,
            slowest: 15 * MINUTE,
        },
        cost: 3,
        summary: "a scaled-down full copy running in the recovery region",
    },
    StrategyProfile {
        strategy: Strategy::ActiveActive,
        rto: RecoveryRange {
            fastest: 0,
            slowest: MINUTE,
        },
        rpo: RecoveryRange {
            fastest: 0,
            slowest: MINUTE,
        },
        cost: 4,
        summary: "full capacity serving traffic in both regions",
    },
];

/// How well a strategy fits a recovery objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Even its slowest recovery is within the objective.
    Meets,
    /// Only its fastest recovery is within the objective: a drill must prove it.
    MeetsOnlyAtBest,
    /// Even its fastest recovery misses the objective.
    CannotMeet,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [
        Strategy::BackupRestore,
        Strategy::PilotLight,
        Strategy::WarmStandby,
        Strategy::ActiveActive,
    ];

    /// The name used in HCL and reports: `backup_restore`, `pilot_light`, ...
    pub fn name(self) -> &'static str {
        match self {
            Strategy::BackupRestore => "backup_restore",
            Strategy::PilotLight => "pilot_light",
            Strategy::WarmStandby => "warm_standby",
            Strategy::ActiveActive => "active_active",
        }
    }

    /// This strategy's row of the table.
    pub fn profile(self) -> &'static StrategyProfile {
        &STRATEGIES[self as usize]
    }

    /// How this strategy fits `objective`, judging RTO and RPO together.
    pub fn fit(self, objective: RecoveryObjective) -> Fit {
        let profile = self.profile();
        let rto_seconds = objective.rto_seconds;
        let rpo_seconds = objective.rpo_seconds;
        if profile.rto.fastest > rto_seconds || profile.rpo.fastest > rpo_seconds {
            Fit::CannotMeet
        } else if profile.rto.slowest > rto_seconds || profile.rpo.slowest > rpo_seconds {
            Fit::MeetsOnlyAtBest
        } else {
            Fit::Meets
        }
    }

    /// The cheapest strategy whose slowest recovery meets `objective`; when none does, the
    /// fastest strategy there is, since nothing cheaper comes closer.
    pub fn recommended_for(objective: RecoveryObjective) -> Strategy {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.fit(objective) == Fit::Meets)
            .unwrap_or(Strategy::ActiveActive)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A strategy name that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a DR strategy: use one of backup_restore, pilot_light, warm_standby, active_active")]
pub struct UnknownStrategy(pub String);

impl FromStr for Strategy {
    type Err = UnknownStrategy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Strategy::ALL
            .into_iter()
            .find(|strategy| strategy.name() == text)
            .ok_or_else(|| UnknownStrategy(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objective(rto_seconds: u64, rpo_seconds: u64) -> RecoveryObjective {
        RecoveryObjective {
            rto_seconds,
            rpo_seconds,
        }
    }

    #[test]
    fn table_rows_are_in_enum_order_and_cheapest_first() {
        for (index, profile) in STRATEGIES.iter().enumerate() {
            assert_eq!(profile.strategy as usize, index);
            assert_eq!(usize::from(profile.cost), index + 1);
        }
    }

    #[test]
    fn recommends_cheapest_that_meets_at_its_slow_end() {
        assert_eq!(
            Strategy::recommended_for(objective(15 * MINUTE, MINUTE)),
            Strategy::ActiveActive
        );
        assert_eq!(
            Strategy::recommended_for(objective(HOUR, 15 * MINUTE)),
            Strategy::WarmStandby
        );
        assert_eq!(
            Strategy::recommended_for(objective(4 * HOUR, 4 * HOUR)),
            Strategy::PilotLight
        );
        assert_eq!(
            Strategy::recommended_for(objective(4 * HOUR, 24 * HOUR)),
            Strategy::PilotLight
        );
        assert_eq!(
            Strategy::recommended_for(objective(72 * HOUR, 24 * HOUR)),
            Strategy::BackupRestore
        );
        assert_eq!(
            Strategy::recommended_for(objective(30, 0)),
            Strategy::ActiveActive
        );
    }

    #[test]
    fn fit_distinguishes_best_case_from_impossible() {
        let tier_one = objective(15 * MINUTE, MINUTE);
        assert_eq!(Strategy::BackupRestore.fit(tier_one), Fit::CannotMeet);
        assert_eq!(Strategy::PilotLight.fit(tier_one), Fit::CannotMeet);
        assert_eq!(Strategy::WarmStandby.fit(tier_one), Fit::MeetsOnlyAtBest);
        assert_eq!(Strategy::ActiveActive.fit(tier_one), Fit::Meets);
    }

    #[test]
    fn names_round_trip() {
        for strategy in Strategy::ALL {
            assert_eq!(strategy.name().parse::<Strategy>(), Ok(strategy));
        }
        assert!("hot_standby".parse::<Strategy>().is_err());
    }
}

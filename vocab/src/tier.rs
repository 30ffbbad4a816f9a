//! Tiers: what each level of criticality promises and demands of stateful resources.

use crate::strategy::Strategy;

/// The recovery a tier promises: back within `rto_seconds`, losing at most `rpo_seconds` of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryObjective {
    pub rto_seconds: u64,
    pub rpo_seconds: u64,
}

/// How strongly a tier asks for a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Missing it breaks the tier: an error.
    Required,
    /// Missing it weakens the tier: a warning.
    Recommended,
    /// The tier does not ask for it.
    NotNeeded,
}

/// What a tier requires of the stateful resources in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRequirements {
    pub multi_az: Need,
    /// A copy of the data in another region (global cluster, cross-region replica, CRR).
    pub cross_region_copy: Need,
    /// Secrets replicated to the recovery region.
    pub secret_replication: Need,
    /// Multi-region KMS keys behind replicated data.
    pub multi_region_kms: Need,
    pub backups: Need,
    /// Point-in-time recovery (continuous backups).
    pub point_in_time_recovery: Need,
    /// Backups copied to another region.
    pub backup_cross_region_copy: Need,
    pub deletion_protection: Need,
    /// Object versioning for object stores.
    pub versioning: Need,
    /// The shortest backup retention the tier accepts, in days.
    pub min_backup_retention_days: u32,
}

/// A tier as declared by default or by a `dr_tier` resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierDefinition {
    pub level: u8,
    pub name: &'static str,
    pub objective: RecoveryObjective,
    pub requirements: TierRequirements,
}

impl TierDefinition {
    /// The cheapest strategy that meets this tier's objective.
    pub fn recommended_strategy(&self) -> Strategy {
        Strategy::recommended_for(self.objective)
    }
}

/// The tiers that apply until configuration or `dr_tier` resources say otherwise.
pub const DEFAULT_TIERS: [TierDefinition; 3] = [
    TierDefinition {
        level: 1,
        name: "mission critical",
        objective: RecoveryObjective {
            rto_seconds: 15 * 60,
            rpo_seconds: 60,
        },
        requirements: TierRequirements {
            multi_az: Need::Required,
            cross_region_copy: Need::Required,
            secret_replication: Need::Required,
            multi_region_kms: Need::Required,
            backups: Need::Required,
            point_in_time_recovery: Need::Required,
            backup_cross_region_copy: Need::NotNeeded,
            deletion_protection: Need::Required,
            versioning: Need::Required,
            min_backup_retention_days: 7,
        },
    },
    TierDefinition {
        level: 2,
        name: "business critical",
        objective: RecoveryObjective {
            rto_seconds: 3_600,
            rpo_seconds: 15 * 60,
        },
        requirements: TierRequirements {
            multi_az: Need::Required,
            cross_region_copy: Need::NotNeeded,
            secret_replication: Need::Required,
            multi_region_kms: Need::NotNeeded,
            backups: Need::Required,
            point_in_time_recovery: Need::NotNeeded,
            backup_cross_region_copy: Need::Required,
            deletion_protection: Need::NotNeeded,
            versioning: Need::Required,
            min_backup_retention_days: 7,
        },
    },
    TierDefinition {
        level: 3,
        name: "business operational",
        objective: RecoveryObjective {
            rto_seconds: 4 * 3_600,
            rpo_seconds: 24 * 3_600,
        },
        requirements: TierRequirements {
            multi_az: Need::Recommended,
            cross_region_copy: Need::NotNeeded,
            secret_replication: Need::NotNeeded,
            multi_region_kms: Need::NotNeeded,
            backups: Need::Required,
            point_in_time_recovery: Need::NotNeeded,
            backup_cross_region_copy: Need::NotNeeded,
            deletion_protection: Need::NotNeeded,
            versioning: Need::NotNeeded,
            min_backup_retention_days: 1,
        },
    },
];

/// The default tier at `level`, if there is one.
pub fn default_tier(level: u8) -> Option<&'static TierDefinition> {
    DEFAULT_TIERS.iter().find(|tier| tier.level == level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_tiers_recommend_strategies_that_meet_them() {
        let names: Vec<_> = DEFAULT_TIERS
            .iter()
            .map(|t| t.recommended_strategy().name())
            .collect();
        assert_eq!(names, ["active_active", "warm_standby", "pilot_light"]);
    }

    #[test]
    fn looks_up_by_level() {
        assert_eq!(
            default_tier(2).map(|t| t.objective.rto_seconds),
            Some(3_600)
        );
        assert!(default_tier(4).is_none());
    }
}

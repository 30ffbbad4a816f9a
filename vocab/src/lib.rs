//! The disaster-recovery vocabulary both halves of the toolkit speak.
//!
//! The provider (`terraform-provider-dr`) validates what authors declare and the linter (`drlint`)
//! judges what the HCL builds; both must agree on what a tier demands, what a strategy can
//! deliver and how a duration is written. Every table here is the single source of that
//! knowledge: docs, diagnostics and reports are generated from it.

pub mod duration;
pub mod region;
pub mod strategy;
pub mod tags;
pub mod tier;

pub use duration::{format_duration, parse_duration, DurationError};
pub use region::{is_aws_region, AWS_REGIONS};
pub use strategy::{Fit, RecoveryRange, Strategy, STRATEGIES};
pub use tags::{format_hours, tier_tags, TAG_DR_TIER, TAG_RTO_HOURS};
pub use tier::{
    default_tier, Need, RecoveryObjective, TierDefinition, TierRequirements, DEFAULT_TIERS,
};

//! The disaster-recovery vocabulary both halves of the toolkit speak.
//!
//! The provider (`terraform-provider-dr`) validates what authors declare and the linter (`drlint`)
//! judges what the HCL builds; both must agree on what a tier demands, what a strategy can
//! deliver, how a duration or a timestamp is written, what each `dr_*` attribute is called and
//! means, and when a drill has failed or fallen due. Every table here is the single source of
//! that knowledge: schemas, docs, diagnostics and reports are generated from it.

pub mod drill;
pub mod duration;
pub mod region;
pub mod strategy;
pub mod tags;
pub mod terms;
pub mod tier;
pub mod time;

pub use drill::{assess, DrillAssessment, DrillRecord, DrillStatus, Mode, Scenario};
pub use duration::{format_duration, parse_duration, DurationError};
pub use region::{is_aws_region, AWS_REGIONS};
pub use strategy::{Fit, RecoveryRange, Strategy, STRATEGIES};
pub use tags::{format_hours, tier_tags, TAG_DR_TIER, TAG_RTO_HOURS};
pub use terms::{Term, TIER_LEVELS};
pub use tier::{
    default_tier, Need, RecoveryObjective, TierDefinition, TierRequirements, DEFAULT_TIERS,
};
pub use time::{format_timestamp, parse_timestamp, UnixSeconds};

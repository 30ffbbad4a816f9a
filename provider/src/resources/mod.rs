//! The resource types this provider serves, one file each.

pub mod tier;

use crate::schema::Resource;

/// Every resource type, in the order docs list them.
pub fn all() -> Vec<Box<dyn Resource>> {
    vec![Box::new(tier::TierResource::new())]
}

//! The resource types this provider serves, one file each.

pub mod drill;
pub mod policy;
pub mod runbook;
pub mod tier;

use crate::schema::Resource;

/// Every resource type, in the order docs list them.
pub fn all() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(tier::TierResource::new()),
        Box::new(policy::PolicyResource::new()),
        Box::new(drill::DrillResource::new()),
    ]
}

#[cfg(test)]
pub mod test_support {
    use crate::context::Context;

    /// 2026-11-02T09:00:00Z, the instant unit tests plan at.
    pub const NOW: i64 = 1_793_610_000;

    pub fn offline() -> Context {
        Context::offline(NOW)
    }

    /// Runs an async resource method to completion.
    pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a test runtime starts")
            .block_on(future)
    }
}

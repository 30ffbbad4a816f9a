//! What resources consult besides their configuration: the clock, and the cloud the provider
//! was configured for.
//!
//! Both are injected so plans are reproducible: tests move the clock to watch a drill fall due,
//! and resources never reach for AWS themselves.

use std::sync::Arc;
use std::time::Duration;

use dr_proto::tonic::async_trait;
use dr_vocab::{parse_timestamp, UnixSeconds};

/// The environment variable that fixes the provider's clock, as an RFC 3339 timestamp. For
/// rehearsing "what will the plan say on that day" and for tests; unset, the system clock is used.
pub const CLOCK_VARIABLE: &str = "DR_PROVIDER_NOW";

/// Where the current time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(UnixSeconds),
}

impl Clock {
    /// The clock the environment asks for; a malformed override is an error naming it.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(CLOCK_VARIABLE) {
            Ok(text) if !text.trim().is_empty() => parse_timestamp(&text)
                .map(Clock::Fixed)
                .map_err(|error| format!("{CLOCK_VARIABLE}: {error}")),
            _ => Ok(Clock::System),
        }
    }

    pub fn now(self) -> UnixSeconds {
        match self {
            Clock::System => dr_vocab::time::unix_now(),
            Clock::Fixed(at) => at,
        }
    }
}

/// Proof that the recovery role could be assumed. The credentials themselves are never kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessProof {
    pub succeeded_at: UnixSeconds,
    pub took: Duration,
}

/// The AWS side of the provider, as resources see it.
#[async_trait]
pub trait Cloud: Send + Sync {
    /// The account the provider's credentials belong to; `None` offline or unvalidated.
    fn account_id(&self) -> Option<&str>;

    /// Assumes `role_arn` through STS in `region`, as a `recovery_access` drill does.
    async fn assume_recovery_role(
        &self,
        role_arn: &str,
        region: &str,
        session_name: &str,
    ) -> Result<AccessProof, String>;
}

/// No AWS credentials: everything that is computed locally works, AWS calls are refused.
#[derive(Debug, Clone, Default)]
pub struct Offline {
    /// Why the provider is offline, to repeat when an AWS call is refused.
    pub reason: String,
}

#[async_trait]
impl Cloud for Offline {
    fn account_id(&self) -> Option<&str> {
        None
    }

    async fn assume_recovery_role(
        &self,
        role_arn: &str,
        _region: &str,
        _session_name: &str,
    ) -> Result<AccessProof, String> {
        Err(format!(
            "cannot assume {role_arn}: the provider has no AWS credentials ({}). Configure credentials (environment, profile or assume_role) for the dr provider.",
            self.reason
        ))
    }
}

/// What a resource may consult while planning and applying.
#[derive(Clone)]
pub struct Context {
    pub now: UnixSeconds,
    pub cloud: Arc<dyn Cloud>,
}

impl Context {
    /// A context offline at `now`, for unit tests and for resources used before configuration.
    pub fn offline(now: UnixSeconds) -> Context {
        Context {
            now,
            cloud: Arc::new(Offline {
                reason: "not configured".to_owned(),
            }),
        }
    }
}

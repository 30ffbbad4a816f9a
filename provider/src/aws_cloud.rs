//! The provider's AWS connection as resources use it.

use std::sync::Arc;

use crate::config::ProviderConfig;
use crate::context::{Cloud, Offline};
use crate::log;
use crate::schema::Diagnostic;

/// Connects as `settings` asks.
pub async fn connect(settings: &ProviderConfig) -> Result<Arc<dyn Cloud>, Vec<Diagnostic>> {
    let reason = "no AWS credentials were looked for".to_owned();
    if settings.has_account_guard() {
        return Err(vec![Diagnostic::error(
            "Account guard without an AWS identity",
            format!("allowed_account_ids and forbidden_account_ids need the provider's AWS identity, but {reason}."),
        )]);
    }
    log::info(
        "working offline: tiers, policies and drills are computed locally; account_id is null and recovery_access drills cannot run",
        &[("reason", &reason)],
    );
    Ok(Arc::new(Offline { reason }))
}

//! The provider's AWS connection as resources use it: the `aws` layer behind the [`Cloud`]
//! seam, connected once per ConfigureProvider.

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use dr_proto::tonic::async_trait;

use crate::aws::{self, Aws, AwsSettings};
use crate::config::ProviderConfig;
use crate::context::{AccessProof, Cloud};
use crate::log;
use crate::schema::Diagnostic;

/// The provider's AWS identity, or the lack of one.
struct AwsCloud {
    aws: Aws,
}

#[async_trait]
impl Cloud for AwsCloud {
    fn account_id(&self) -> Option<&str> {
        self.aws
            .identity()
            .map(|identity| identity.account_id.as_str())
    }

    async fn assume_recovery_role(
        &self,
        role_arn: &str,
        region: &str,
        session_name: &str,
    ) -> Result<AccessProof, String> {
        let access = self
            .aws
            .probe_assume_role(role_arn, region, session_name)
            .await
            .map_err(|error| error.to_string())?;
        let succeeded_at = access
            .succeeded_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            });
        Ok(AccessProof {
            succeeded_at,
            took: access.took,
        })
    }
}

/// Connects as `settings` asks and enforces the account guards. Without credentials (and
/// without a guard) the provider works offline and says so once.
pub async fn connect(settings: &ProviderConfig) -> Result<Arc<dyn Cloud>, Vec<Diagnostic>> {
    let aws_settings = AwsSettings {
        region: settings.region.clone(),
        profile: settings.profile.clone(),
        sts_endpoint: settings.sts_endpoint.clone(),
        assume_role: settings.assume_role.as_ref().map(|role| aws::AssumeRole {
            role_arn: role.role_arn.clone(),
            session_name: role.session_name.clone(),
            external_id: role.external_id.clone(),
        }),
        skip_credentials_validation: settings.skip_credentials_validation,
        static_credentials: None,
    };
    let aws = aws::connect(&aws_settings).await.map_err(|error| {
        vec![Diagnostic::error(
            "Cannot establish the provider's AWS identity",
            error.to_string(),
        )]
    })?;
    aws.check_account(
        &settings.allowed_account_ids,
        &settings.forbidden_account_ids,
    )
    .map_err(|error| vec![Diagnostic::error("AWS account refused", error.to_string())])?;
    match aws.connection() {
        aws::Connection::Offline { reason } => log::info(
            "working offline: tiers, policies and drills are computed locally; account_id is null and recovery_access drills cannot run",
            &[("reason", reason)],
        ),
        aws::Connection::Online { identity: Some(identity) } => log::info(
            "connected to AWS",
            &[("account_id", &identity.account_id), ("region", aws.region())],
        ),
        aws::Connection::Online { identity: None } => log::info(
            "AWS credentials found; account not checked (skip_credentials_validation)",
            &[("region", aws.region())],
        ),
    }
    Ok(Arc::new(AwsCloud { aws }))
}

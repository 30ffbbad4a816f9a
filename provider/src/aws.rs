//! The provider's AWS identity: which credentials it runs with, which account they belong to,
//! and whether a failover policy's recovery role can be assumed.
//!
//! Credentials come from the AWS SDK's standard chain (`aws-config`): environment variables,
//! the shared config and credentials files (honouring `profile`), a web identity token,
//! container credentials and EC2 instance metadata; or from keys given in [`AwsSettings`].
//! [`connect`] resolves them once, asks STS once who they belong to (GetCallerIdentity) and
//! keeps the answer. Finding no credentials at all is not an error but
//! [`Connection::Offline`], so that validating and planning work on a machine with no AWS
//! access; credentials that STS refuses are an [`AwsError`] carrying AWS's code and message.
//!
//! Secrets stay inside the SDK's own types: nothing here logs, displays or debug-prints an
//! access key, secret key or session token, and the credentials a recovery probe obtains are
//! dropped as soon as STS has answered. The SDK logs through `tracing`, and at debug level it
//! names access key ids; the provider installs no `tracing` subscriber, so those events go
//! nowhere. Keep it that way, or filter the `aws_*` targets out of any subscriber added later.

mod error;

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::imds;
use aws_config::imds::region::ImdsRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::region::ProfileFileRegionProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use error::error_chain;
pub use error::{AwsError, StsCall};

/// The region STS is called in when neither the settings nor the environment name one.
const FALLBACK_REGION: &str = "us-east-1";
/// The session name of the role [`AwsSettings::assume_role`] assumes, when it names none.
const DEFAULT_SESSION_NAME: &str = "terraform-provider-dr";
/// How long EC2 instance metadata may take to accept a connection. On EC2 it answers within
/// milliseconds; elsewhere nothing answers, and each lookup (the region, then credentials)
/// waits this long once, since the SDK does not retry a timeout to instance metadata.
const IMDS_CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
/// How long instance metadata may take to answer once connected. Shorter than the attempt
/// timeout below, so that a metadata address that accepts and never answers is "no instance
/// metadata" (a connection failure) rather than a failing credential source.
const IMDS_READ_TIMEOUT: Duration = Duration::from_secs(1);
/// Bound of one attempt of an instance-metadata lookup.
const IMDS_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// Bound of one instance-metadata lookup, its retries included.
const IMDS_OPERATION_TIMEOUT: Duration = Duration::from_secs(3);
/// Attempts per instance-metadata lookup (the SDK's default is 4): one retry for a throttled or
/// briefly failing metadata service, none for a network where it does not exist.
const IMDS_ATTEMPTS: u32 = 2;
/// Bound of resolving credentials: a `credential_process` that never exits must not hang
/// Terraform.
const CREDENTIALS_DEADLINE: Duration = Duration::from_secs(60);
/// Bound of one STS call, its retries included.
const STS_DEADLINE: Duration = Duration::from_secs(30);

/// How the provider reaches AWS: what its configuration says, each field optional as in the
/// Terraform AWS provider. `Default` is "the standard credential chain, nothing overridden".
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// The region STS is called in. Unset: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
    /// region or instance metadata, else `us-east-1`.
    pub region: Option<String>,
    /// The shared config profile. Unset: `AWS_PROFILE`, else `default`.
    pub profile: Option<String>,
    /// The STS endpoint URL. Unset: `AWS_ENDPOINT_URL_STS`, the profile's `endpoint_url`, else
    /// STS's regional endpoint. Set, it wins over both.
    pub sts_endpoint: Option<String>,
    /// A role to assume with the resolved credentials; the provider then acts as that role.
    pub assume_role: Option<AssumeRole>,
    /// Do not call GetCallerIdentity: the provider is online with an unknown account.
    pub skip_credentials_validation: bool,
    /// Keys given in the provider configuration. Set, the credential chain is not consulted.
    pub static_credentials: Option<StaticCredentials>,
}

/// The role [`AwsSettings::assume_role`] names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    /// Unset: `terraform-provider-dr`.
    pub session_name: Option<String>,
    /// The external id the role's trust policy requires, if any. AWS does not treat it as a
    /// secret.
    pub external_id: Option<String>,
}

/// Keys given directly rather than found by the credential chain. `Debug` shows none of them.
#[derive(Clone, PartialEq, Eq)]
pub struct StaticCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticCredentials { .. }")
    }
}

/// Who the credentials belong to, as STS GetCallerIdentity answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
}

/// What [`connect`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Credentials resolved. `identity` is `None` only when credential validation is skipped.
    Online { identity: Option<Identity> },
    /// No credentials anywhere in the chain; `reason` is one line saying where it looked.
    Offline { reason: String },
}

/// Proof that a recovery role can be assumed, from [`Aws::probe_assume_role`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryAccess {
    /// When STS granted the role, by the clock the SDK signs requests with.
    pub succeeded_at: SystemTime,
    /// How long the AssumeRole call took.
    pub took: Duration,
    /// The assumed-role ARN STS answered with (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`).
    pub assumed_role_arn: String,
}

/// The provider's connection to AWS, made once by [`connect`].
pub struct Aws {
    connection: Connection,
    region: Region,
    sts_endpoint: Option<String>,
    /// The SDK configuration with the provider's credentials; `None` when offline.
    sdk_config: Option<SdkConfig>,
}

impl fmt::Debug for Aws {
    // The SDK configuration holds the credentials provider, whose `Debug` would name access
    // key ids; only what is safe to show is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aws")
            .field("connection", &self.connection)
            .field("region", &self.region.as_ref())
            .field("sts_endpoint", &self.sts_endpoint)
            .finish_non_exhaustive()
    }
}

/// Resolves credentials and, unless validation is skipped, the account they belong to.
pub async fn connect(settings: &AwsSettings) -> Result<Aws, AwsError> {
    if let Some(profile) = &settings.profile {
        profile_exists(profile).await?;
    }
    let imds = bounded_imds_client();
    let region = match &settings.region {
        Some(region) => Region::new(region.clone()),
        None => default_region(settings.profile.as_deref(), imds.clone()).await,
    };
    let chain = credential_chain(settings, &region, imds).await;
    let Some(first) = first_credentials(&chain).await? else {
        return Ok(Aws {
            connection: Connection::Offline {
                reason: offline_reason(settings.profile.as_deref()),
            },
            region,
            sts_endpoint: settings.sts_endpoint.clone(),
            sdk_config: None,
        });
    };

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region.clone())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(STS_DEADLINE)
                .build(),
        )
        .credentials_provider(Primed::shared(first, chain));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    let mut aws = Aws {
        connection: Connection::Online { identity: None },
        region,
        sts_endpoint: settings.sts_endpoint.clone(),
        sdk_config: Some(loader.load().await),
    };
    if let Some(role) = &settings.assume_role {
        aws.act_as(role).await?;
    }
    if !settings.skip_credentials_validation {
        let identity = aws.caller_identity().await?;
        aws.connection = Connection::Online {
            identity: Some(identity),
        };
    }
    Ok(aws)
}

impl Aws {
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Who the credentials belong to; `None` when offline or validation was skipped.
    pub fn identity(&self) -> Option<&Identity> {
        match &self.connection {
            Connection::Online { identity } => identity.as_ref(),
            Connection::Offline { .. } => None,
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self.connection, Connection::Offline { .. })
    }

    /// The region STS is called in.
    pub fn region(&self) -> &str {
        self.region.as_ref()
    }

    /// The account guard: the account must be among `allowed` (when any are given) and not
    /// among `forbidden`. With either list non-empty, an unknown account is an error too.
    pub fn check_account(&self, allowed: &[String], forbidden: &[String]) -> Result<(), AwsError> {
        if allowed.is_empty() && forbidden.is_empty() {
            return Ok(());
        }
        let Some(identity) = self.identity() else {
            return Err(AwsError::NeedsCredentials {
                needed_for: "checking the allowed and forbidden account ids needs the account"
                    .to_string(),
                reason: self.why_no_identity(),
            });
        };
        if !allowed.is_empty() && !allowed.contains(&identity.account_id) {
            return Err(AwsError::AccountNotAllowed {
                account_id: identity.account_id.clone(),
                arn: identity.arn.clone(),
                allowed: allowed.to_vec(),
            });
        }
        if forbidden.contains(&identity.account_id) {
            return Err(AwsError::AccountForbidden {
                account_id: identity.account_id.clone(),
                arn: identity.arn.clone(),
                forbidden: forbidden.to_vec(),
            });
        }
        Ok(())
    }

    /// Proves that `role_arn` can be assumed: AssumeRole through STS in `region` (the policy's
    /// secondary region; an STS endpoint override still applies). The credentials STS grants
    /// are dropped at once, never returned, stored or logged; the SDK's `Credentials` they are
    /// moved into zero their memory when dropped.
    pub async fn probe_assume_role(
        &self,
        role_arn: &str,
        region: &str,
        session_name: &str,
    ) -> Result<RecoveryAccess, AwsError> {
        let region = Region::new(region.to_string());
        let session = RoleSession {
            client: self.sts_client(&region, "probing a recovery role")?,
            region,
            sts_endpoint: self.sts_endpoint.clone(),
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
            external_id: None,
        };
        let started = Instant::now();
        let Granted {
            credentials,
            assumed_role_arn,
        } = session.assume().await?;
        let took = started.elapsed();
        drop(credentials);
        Ok(RecoveryAccess {
            succeeded_at: self.now(),
            took,
            assumed_role_arn,
        })
    }

    /// From now on, acts as `role`, assumed with the credentials so far.
    async fn act_as(&mut self, role: &AssumeRole) -> Result<(), AwsError> {
        let session = RoleSession {
            client: self.sts_client(&self.region, "assuming the assume_role role")?,
            region: self.region.clone(),
            sts_endpoint: self.sts_endpoint.clone(),
            role_arn: role.role_arn.clone(),
            session_name: role
                .session_name
                .clone()
                .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string()),
            external_id: role.external_id.clone(),
        };
        let first = session.assume().await?.credentials;
        self.sdk_config = self.sdk_config.take().map(|config| {
            config
                .into_builder()
                .credentials_provider(Primed::shared(
                    first,
                    SharedCredentialsProvider::new(session),
                ))
                .build()
        });
        Ok(())
    }

    async fn caller_identity(&self) -> Result<Identity, AwsError> {
        let call = StsCall::GetCallerIdentity;
        let answer = self
            .sts_client(&self.region, "asking STS for the caller's identity")?
            .get_caller_identity()
            .send()
            .await
            .map_err(|error| {
                AwsError::sts(call.clone(), &self.region, &self.sts_endpoint, error)
            })?;
        match (answer.account, answer.arn) {
            (Some(account_id), Some(arn)) => Ok(Identity { account_id, arn }),
            _ => Err(AwsError::sts_answer(
                call,
                &self.region,
                &self.sts_endpoint,
                "the answer named no account or ARN",
            )),
        }
    }

    /// An STS client in `region` with the provider's credentials and endpoint override; an
    /// error naming `purpose` when the provider has no credentials.
    fn sts_client(&self, region: &Region, purpose: &str) -> Result<aws_sdk_sts::Client, AwsError> {
        let Some(sdk_config) = &self.sdk_config else {
            return Err(AwsError::NeedsCredentials {
                needed_for: format!("{purpose} needs AWS credentials"),
                reason: self.why_no_identity(),
            });
        };
        let mut config = aws_sdk_sts::config::Builder::from(sdk_config).region(region.clone());
        if let Some(endpoint) = &self.sts_endpoint {
            config = config.endpoint_url(endpoint);
        }
        Ok(aws_sdk_sts::Client::from_conf(config.build()))
    }

    fn why_no_identity(&self) -> String {
        match &self.connection {
            Connection::Offline { reason } => format!("the provider is offline: {reason}"),
            Connection::Online { .. } => {
                "skip_credentials_validation is set, so the account was never asked for".to_string()
            }
        }
    }

    /// Now, by the clock the SDK signs requests with, so that what the provider records and
    /// what AWS saw agree.
    fn now(&self) -> SystemTime {
        self.sdk_config
            .as_ref()
            .and_then(SdkConfig::time_source)
            .map_or_else(SystemTime::now, |clock| clock.now())
    }
}

/// Instance metadata with bounded waits, so that a machine without it goes offline within about
/// two seconds (two lookups, the region and credentials), not after the SDK's defaults.
fn bounded_imds_client() -> imds::Client {
    imds::Client::builder()
        .connect_timeout(IMDS_CONNECT_TIMEOUT)
        .read_timeout(IMDS_READ_TIMEOUT)
        .operation_attempt_timeout(IMDS_ATTEMPT_TIMEOUT)
        .operation_timeout(IMDS_OPERATION_TIMEOUT)
        .max_attempts(IMDS_ATTEMPTS)
        .build()
}

/// The SDK's default region chain (environment, profile, instance metadata), with the bounded
/// instance-metadata client, falling back to [`FALLBACK_REGION`].
async fn default_region(profile: Option<&str>, imds: imds::Client) -> Region {
    let mut profile_region = ProfileFileRegionProvider::builder();
    if let Some(profile) = profile {
        profile_region = profile_region.profile_name(profile);
    }
    RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(profile_region.build())
        .or_else(ImdsRegionProvider::builder().imds_client(imds).build())
        .region()
        .await
        .unwrap_or_else(|| Region::from_static(FALLBACK_REGION))
}

/// Where credentials come from: the keys in the settings, else the SDK's default chain with the
/// bounded instance-metadata client.
async fn credential_chain(
    settings: &AwsSettings,
    region: &Region,
    imds: imds::Client,
) -> SharedCredentialsProvider {
    if let Some(keys) = &settings.static_credentials {
        return SharedCredentialsProvider::new(Credentials::new(
            keys.access_key_id.clone(),
            keys.secret_access_key.clone(),
            keys.session_token.clone(),
            None,
            "provider configuration",
        ));
    }
    let mut chain = DefaultCredentialsChain::builder()
        .region(region.clone())
        .imds_client(imds);
    if let Some(profile) = &settings.profile {
        chain = chain.profile_name(profile);
    }
    SharedCredentialsProvider::new(chain.build().await)
}

/// An explicit `profile` must exist. The SDK takes a missing one as "no credentials here" and
/// goes on down the chain, which would turn a misspelt name into running offline, or with the
/// environment's credentials.
async fn profile_exists(profile: &str) -> Result<(), AwsError> {
    let profiles =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .map_err(|error| AwsError::Credentials {
                message: error_chain(&error),
            })?;
    match profiles.get_profile(profile) {
        Some(_) => Ok(()),
        None => Err(AwsError::MissingProfile {
            profile: profile.to_string(),
        }),
    }
}

/// The chain's first answer: `None` when no source has credentials, an error when one has
/// them but cannot produce them (a broken profile, a failing credential process, …).
async fn first_credentials(
    chain: &SharedCredentialsProvider,
) -> Result<Option<Credentials>, AwsError> {
    match tokio::time::timeout(CREDENTIALS_DEADLINE, chain.provide_credentials()).await {
        Err(_) => Err(AwsError::CredentialsTimedOut {
            after: CREDENTIALS_DEADLINE,
        }),
        Ok(Ok(credentials)) => Ok(Some(credentials)),
        Ok(Err(CredentialsError::CredentialsNotLoaded(_))) => Ok(None),
        // Instance metadata is the chain's last resort: a machine whose metadata service
        // refuses or fails (a container with IMDS blocked answers 403) has no credentials
        // there, like a machine without one.
        Ok(Err(error)) if from_instance_metadata(&error) => Ok(None),
        Ok(Err(error)) => Err(AwsError::Credentials {
            message: error_chain(&error),
        }),
    }
}

/// Whether `error` (or what caused it) is the instance-metadata client's.
fn from_instance_metadata(error: &CredentialsError) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<imds::client::error::ImdsError>() {
            return true;
        }
        cause = current.source();
    }
    false
}

fn offline_reason(profile: Option<&str>) -> String {
    let files = match profile {
        Some(profile) => format!("the shared config and credentials files (profile {profile:?})"),
        None => "the shared config and credentials files".to_string(),
    };
    format!(
        "no AWS credentials found in the environment, {files}, a web identity token, \
         container credentials or EC2 instance metadata"
    )
}

/// A credentials source whose first answer is already known: [`connect`] resolved it to find
/// out whether there are credentials at all, and asking again would repeat the work (run a
/// `credential_process`, exchange an SSO or web identity token, assume a role). Later answers,
/// when the SDK's cache finds the credentials expiring, come from the source itself.
struct Primed {
    first: Mutex<Option<Credentials>>,
    source: SharedCredentialsProvider,
}

impl Primed {
    fn shared(first: Credentials, source: SharedCredentialsProvider) -> SharedCredentialsProvider {
        SharedCredentialsProvider::new(Primed {
            first: Mutex::new(Some(first)),
            source,
        })
    }
}

impl fmt::Debug for Primed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Primed { .. }")
    }
}

impl ProvideCredentials for Primed {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let first = match self.first.lock() {
            Ok(mut first) => first.take(),
            Err(_) => None,
        };
        match first {
            Some(credentials) => future::ProvideCredentials::ready(Ok(credentials)),
            None => self.source.provide_credentials(),
        }
    }
}

/// One role to assume through one STS client: the provider's own `assume_role` setting, or a
/// recovery probe.
struct RoleSession {
    client: aws_sdk_sts::Client,
    region: Region,
    sts_endpoint: Option<String>,
    role_arn: String,
    session_name: String,
    external_id: Option<String>,
}

impl fmt::Debug for RoleSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RoleSession")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .finish_non_exhaustive()
    }
}

/// What STS granted: the role's temporary credentials and the session's ARN.
struct Granted {
    credentials: Credentials,
    assumed_role_arn: String,
}

impl RoleSession {
    async fn assume(&self) -> Result<Granted, AwsError> {
        let call = StsCall::AssumeRole {
            role_arn: self.role_arn.clone(),
        };
        let answer = self
            .client
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|error| {
                AwsError::sts(call.clone(), &self.region, &self.sts_endpoint, error)
            })?;
        let (Some(keys), Some(user)) = (answer.credentials, answer.assumed_role_user) else {
            return Err(AwsError::sts_answer(
                call,
                &self.region,
                &self.sts_endpoint,
                "the answer carried no credentials or no assumed-role user",
            ));
        };
        Ok(Granted {
            credentials: Credentials::new(
                keys.access_key_id,
                keys.secret_access_key,
                Some(keys.session_token),
                SystemTime::try_from(keys.expiration).ok(),
                "AssumeRole",
            ),
            assumed_role_arn: user.arn,
        })
    }
}

impl ProvideCredentials for RoleSession {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.assume()
                .await
                .map(|granted| granted.credentials)
                .map_err(CredentialsError::provider_error)
        })
    }
}

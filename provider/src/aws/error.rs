//! What can go wrong reaching AWS, said so that a person can act on it: AWS's own code and
//! message where STS answered, and what to check.

use std::error::Error;
use std::fmt;
use std::time::Duration;

use aws_config::Region;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_xml::decode::{try_data, Document};

/// The STS operation a failure happened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsCall {
    GetCallerIdentity,
    AssumeRole { role_arn: String },
}

impl fmt::Display for StsCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StsCall::GetCallerIdentity => f.write_str("GetCallerIdentity"),
            StsCall::AssumeRole { role_arn } => write!(f, "AssumeRole of {role_arn}"),
        }
    }
}

/// Why the provider's AWS identity could not be established or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AwsError {
    /// A credential source has credentials but cannot produce them: a broken profile, a
    /// failing `credential_process`, a web identity token file that cannot be read, ….
    #[error(
        "cannot load AWS credentials: {message}. Check the profile, the shared config and \
         credentials files, and the AWS_* environment variables"
    )]
    Credentials { message: String },
    /// The `profile` setting names a profile that no shared config file defines.
    #[error(
        "the AWS profile {profile:?} is in neither the shared config file nor the shared \
         credentials file (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, by default ~/.aws/config \
         and ~/.aws/credentials): check its name, or define it there"
    )]
    MissingProfile { profile: String },
    /// No credential source answered in time.
    #[error(
        "no AWS credential source answered within {} s: check for a credential_process or \
         login that waits, and the profile and AWS_* environment variables",
        after.as_secs()
    )]
    CredentialsTimedOut { after: Duration },
    /// STS refused a call or did not answer it.
    #[error(
        "{}",
        describe_sts(call, region, endpoint.as_deref(), *status, code.as_deref(), message)
    )]
    Sts {
        call: StsCall,
        region: String,
        /// The endpoint override in force, if the settings named one.
        endpoint: Option<String>,
        /// The HTTP status of the answer; `None` when none came.
        status: Option<u16>,
        /// AWS's error code (`AccessDenied`, `InvalidClientTokenId`, …); `None` when no AWS
        /// error came back.
        code: Option<String>,
        /// AWS's message, or what went wrong on the way to it.
        message: String,
    },
    /// The account is not among the allowed ones.
    #[error(
        "the AWS credentials belong to account {account_id} ({arn}), which is not among the \
         allowed account ids ({}): use credentials for one of those accounts, or allow \
         {account_id}",
        allowed.join(", ")
    )]
    AccountNotAllowed {
        account_id: String,
        arn: String,
        allowed: Vec<String>,
    },
    /// The account is among the forbidden ones.
    #[error(
        "the AWS credentials belong to account {account_id} ({arn}), which is among the \
         forbidden account ids ({}): use credentials for another account",
        forbidden.join(", ")
    )]
    AccountForbidden {
        account_id: String,
        arn: String,
        forbidden: Vec<String>,
    },
    /// Something needs credentials or the account, and the provider has neither.
    #[error("{needed_for}, but {reason}")]
    NeedsCredentials { needed_for: String, reason: String },
}

impl AwsError {
    /// AWS's error code, when STS answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Sts { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// A failed STS call, with AWS's code and message when it answered with them.
    ///
    /// Only an error answer's body is read, never a successful one's: a successful AssumeRole
    /// answer that the SDK failed to read still holds credentials. For the same reason the
    /// message is built from each error's `Display`, never from the SDK's `Debug`, which shows
    /// bodies.
    pub(super) fn sts<E>(
        call: StsCall,
        region: &Region,
        endpoint: &Option<String>,
        error: SdkError<E, HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    {
        let status = error.raw_response().map(|answer| answer.status().as_u16());
        let (code, message) = match (error.code(), &error) {
            (Some(code), _) => (
                Some(code.to_string()),
                error.message().unwrap_or_default().to_string(),
            ),
            (None, SdkError::ServiceError(_) | SdkError::ResponseError(_)) => {
                let wrapped = error
                    .raw_response()
                    .filter(|answer| !answer.status().is_success())
                    .and_then(|answer| answer.body().bytes())
                    .and_then(wrapped_error);
                match wrapped {
                    Some((code, message)) => (Some(code), message),
                    None => (
                        None,
                        format!(
                            "the endpoint answered HTTP {} with a body that is not an AWS error",
                            status.unwrap_or_default()
                        ),
                    ),
                }
            }
            (None, _) => (None, error_chain(&error)),
        };
        AwsError::Sts {
            call,
            region: region.to_string(),
            endpoint: endpoint.clone(),
            status,
            code,
            message,
        }
    }

    /// An STS answer that lacks what the call is for.
    pub(super) fn sts_answer(
        call: StsCall,
        region: &Region,
        endpoint: &Option<String>,
        message: &str,
    ) -> AwsError {
        AwsError::Sts {
            call,
            region: region.to_string(),
            endpoint: endpoint.clone(),
            status: Some(200),
            code: None,
            message: message.to_string(),
        }
    }
}

/// An error and its sources, each by its `Display`, as one line.
pub(super) fn error_chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors repeat their source in their own text.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// AWS's code and message from an error answer the SDK could not read. STS writes
/// `<ErrorResponse><Error>`; STS-compatible endpoints built on moto (moto itself, LocalStack)
/// answer their access-control errors (AccessDenied, InvalidClientTokenId, …) as
/// `<ErrorResponse><Errors><Error>`, the form EC2 uses, which the SDK's STS client does not
/// look into.
fn wrapped_error(body: &[u8]) -> Option<(String, String)> {
    let mut document = Document::try_from(body).ok()?;
    let mut root = document.root_element().ok()?;
    if !root.start_el().matches("ErrorResponse") {
        return None;
    }
    while let Some(mut errors) = root.next_tag() {
        if !errors.start_el().matches("Errors") {
            continue;
        }
        while let Some(mut error) = errors.next_tag() {
            if !error.start_el().matches("Error") {
                continue;
            }
            let (mut code, mut message) = (None, String::new());
            while let Some(mut field) = error.next_tag() {
                let local = field.start_el().local().to_string();
                let Ok(data) = try_data(&mut field) else {
                    continue;
                };
                match local.as_str() {
                    "Code" => code = Some(data.into_owned()),
                    "Message" => message = data.into_owned(),
                    _ => {}
                }
            }
            return code.map(|code| (code, message));
        }
    }
    None
}

fn describe_sts(
    call: &StsCall,
    region: &str,
    endpoint: Option<&str>,
    status: Option<u16>,
    code: Option<&str>,
    message: &str,
) -> String {
    let place = match endpoint {
        Some(endpoint) => format!("in {region} at {endpoint}"),
        None => format!("in {region}"),
    };
    let answer = match code {
        Some(code) => format!("{code}: {message}"),
        None => message.to_string(),
    };
    // AWS's messages end with a full stop, or not.
    let stop = if answer.ends_with('.') { "" } else { "." };
    format!(
        "STS {call} {place} failed: {answer}{stop} {}",
        what_to_check(call, region, status, code)
    )
}

/// What a person should look at, by AWS's error code.
fn what_to_check(call: &StsCall, region: &str, status: Option<u16>, code: Option<&str>) -> String {
    match (code, call) {
        (None, _) if status.is_none() => "No answer came from STS: check that its endpoint is \
                                          reachable (network, proxy, sts_endpoint or \
                                          AWS_ENDPOINT_URL_STS)"
            .to_string(),
        (None, _) => "The endpoint did not answer as STS does: check that sts_endpoint or \
                      AWS_ENDPOINT_URL_STS names STS, and for a proxy in between"
            .to_string(),
        (Some("InvalidClientTokenId" | "UnrecognizedClientException"), _) => {
            "AWS does not know the access key: check which credentials the provider found \
             (AWS_ACCESS_KEY_ID, the profile, the shared credentials file)"
                .to_string()
        }
        (Some("SignatureDoesNotMatch"), _) => {
            "The secret key does not belong to the access key: check the credentials' secret \
             access key"
                .to_string()
        }
        (Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired"), _) => {
            "The credentials have expired: refresh them (for example with `aws sso login`) and \
             run again"
                .to_string()
        }
        (Some("RegionDisabledException"), _) => format!(
            "STS is not activated in {region}: activate it in the account's IAM settings, or \
             use another region"
        ),
        (Some("AccessDenied"), StsCall::AssumeRole { role_arn }) => format!(
            "Check that the trust policy of {role_arn} allows the caller to assume it, that \
             the caller's IAM policies allow sts:AssumeRole on it, and that any external id it \
             requires is given"
        ),
        (Some("ValidationError"), StsCall::AssumeRole { .. }) => {
            "Check the role ARN and the session name (2 to 64 letters, digits or =,.@_-)"
                .to_string()
        }
        _ => "Check the provider's AWS settings (region, profile, sts_endpoint, assume_role)"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_error_reads_the_errors_form() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole</Message><Type>Sender</Type></Error></Errors></ErrorResponse>"#;
        assert_eq!(
            wrapped_error(body),
            Some((
                "AccessDenied".to_string(),
                "User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole"
                    .to_string()
            ))
        );
    }

    #[test]
    fn wrapped_error_reads_nothing_else() {
        // STS's own form is the SDK's to read; anything that is not an AWS error is nobody's.
        let sts = br#"<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"#;
        assert_eq!(wrapped_error(sts), None);
        assert_eq!(
            wrapped_error(b"<html><body>Proxy login</body></html>"),
            None
        );
        assert_eq!(wrapped_error(b"not xml at all"), None);
        assert_eq!(
            wrapped_error(b"<ErrorResponse><Errors><Error><Message>no code</Message></Error></Errors></ErrorResponse>"),
            None
        );
    }

    #[test]
    fn sts_failures_say_what_to_check() {
        let refused = AwsError::Sts {
            call: StsCall::AssumeRole {
                role_arn: "arn:aws:iam::123456789012:role/recovery".to_string(),
            },
            region: "eu-west-1".to_string(),
            endpoint: None,
            status: Some(403),
            code: Some("AccessDenied".to_string()),
            message: "User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole".to_string(),
        };
        assert_eq!(
            refused.to_string(),
            "STS AssumeRole of arn:aws:iam::123456789012:role/recovery in eu-west-1 failed: \
             AccessDenied: User: arn:aws:iam::123456789012:user/a is not authorized to perform: \
             sts:AssumeRole. Check that the trust policy of arn:aws:iam::123456789012:role/recovery \
             allows the caller to assume it, that the caller's IAM policies allow sts:AssumeRole \
             on it, and that any external id it requires is given"
        );
        let proxy = AwsError::Sts {
            call: StsCall::GetCallerIdentity,
            region: "us-east-1".to_string(),
            endpoint: Some("https://sts.example.test".to_string()),
            status: Some(407),
            code: None,
            message: "the endpoint answered HTTP 407 with a body that is not an AWS error"
                .to_string(),
        };
        assert!(
            proxy.to_string().contains("did not answer as STS does"),
            "{proxy}"
        );
    }
}

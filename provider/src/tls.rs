//! AutoMTLS as go-plugin does it: Terraform hands the plugin its client certificate in
//! `PLUGIN_CLIENT_CERT`; the plugin answers with a fresh self-signed server certificate in the
//! handshake line and accepts only connections that present exactly Terraform's certificate.
//!
//! Terraform's certificate is ECDSA P-521, which is why the crypto backend is aws-lc-rs: ring
//! cannot verify P-521 signatures.

use std::sync::Arc;

use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::ParsedCertificate;
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// Why AutoMTLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error(
        "PLUGIN_CLIENT_CERT is not a valid certificate: {problem}. It should hold one PEM-encoded \
         X.509 certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----), the one \
         Terraform or OpenTofu generates for AutoMTLS. Started by hand, unset PLUGIN_CLIENT_CERT \
         or set TF_DISABLE_PLUGIN_TLS=1 to serve without TLS."
    )]
    ClientCertificate { problem: String },
    #[error("cannot create the server certificate: {0}")]
    ServerCertificate(#[from] rcgen::Error),
    #[error("cannot set up TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// A TLS server setup that admits only the host that started this plugin.
pub struct AutoMtls {
    pub config: Arc<ServerConfig>,
    /// The server certificate, DER in unpadded standard base64, for the handshake line.
    pub certificate_base64: String,
}

/// Reads the host's client certificate from `PLUGIN_CLIENT_CERT`'s PEM.
///
/// The certificate is parsed as X.509 here, at startup, because the verifier below only compares
/// bytes: a block that is not a certificate would otherwise be accepted, the handshake line
/// printed, and every connection of the host refused later with an opaque TLS error.
pub fn client_certificate_from_pem(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    let problem = |problem: String| TlsError::ClientCertificate { problem };
    let certificate =
        CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|error| match error {
            pem::Error::NoItemsFound => {
                problem("it holds no -----BEGIN CERTIFICATE----- block".into())
            }
            other => problem(format!("its PEM cannot be read ({other})")),
        })?;
    ParsedCertificate::try_from(&certificate).map_err(|error| {
        problem(format!(
            "its CERTIFICATE block does not hold an X.509 certificate ({error})"
        ))
    })?;
    Ok(certificate.into_owned())
}

/// Builds the server side of AutoMTLS for the host's client certificate.
pub fn auto_mtls(client_certificate: CertificateDer<'static>) -> Result<AutoMtls, TlsError> {
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "terraform-provider-dr");
    // The client trusts this certificate as its own root, as go-plugin's hosts expect.
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let certificate = params.self_signed(&key_pair)?;
    let certificate_der = certificate.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = ExactClientCertificate {
        expected: client_certificate,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![certificate_der.clone()], key)?;
    config.alpn_protocols = vec![b"h2".to_vec()];

    Ok(AutoMtls {
        config: Arc::new(config),
        certificate_base64: base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(certificate_der.as_ref()),
    })
}

/// Admits a client only if it presents, byte for byte, the certificate the host announced.
#[derive(Debug)]
struct ExactClientCertificate {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for ExactClientCertificate {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: a Go client with one certificate then sends it whatever its issuer.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The crypto provider this crate uses, for clients in tests and benches.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(pem: &str) -> String {
        match client_certificate_from_pem(pem) {
            Ok(_) => panic!("{pem:?} was taken for a certificate"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn reads_a_certificate_like_the_one_terraform_sends() {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
            .expect("aws-lc-rs makes P-521 keys");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .expect("localhost is a valid subject name");
        let certificate = params
            .self_signed(&key_pair)
            .expect("a self-signed certificate can be made");
        let read = client_certificate_from_pem(&certificate.pem())
            .unwrap_or_else(|error| panic!("a real certificate is refused: {error}"));
        assert_eq!(read.as_ref(), certificate.der().as_ref());
        assert!(auto_mtls(read).is_ok());
    }

    #[test]
    fn says_what_is_wrong_with_anything_else() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .expect("aws-lc-rs makes P-256 keys")
            .serialize_pem();
        let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        let unterminated = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n";
        for (pem, says) in [
            ("not a certificate", "no -----BEGIN CERTIFICATE----- block"),
            (key.as_str(), "no -----BEGIN CERTIFICATE----- block"),
            (not_der, "does not hold an X.509 certificate"),
            (unterminated, "PEM cannot be read"),
        ] {
            let message = problem(pem);
            assert!(
                message.starts_with("PLUGIN_CLIENT_CERT is not a valid certificate: ")
                    && message.contains(says)
                    && message.contains("TF_DISABLE_PLUGIN_TLS=1"),
                "for {pem:?}: {message}"
            );
        }
    }
}

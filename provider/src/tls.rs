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
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

/// Why AutoMTLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCertificate(String),
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

/// Builds the server side of AutoMTLS for a client certificate given as PEM.
pub fn auto_mtls(client_certificate_pem: &str) -> Result<AutoMtls, TlsError> {
    let client_certificate = CertificateDer::from_pem_slice(client_certificate_pem.as_bytes())
        .map_err(|error| TlsError::ClientCertificate(error.to_string()))?;

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
        expected: client_certificate.into_owned(),
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

//! The TLS client configuration: the CA (a file, PEM text from the values, or the system's roots),
//! an optional client certificate and key, verification on unless `--tls-insecure`.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::core::read::{self, Limit};
use crate::core::Fatal;

/// PEM from a file, or the text itself (the platform's `redis.tls.ca` may hold either).
#[derive(Clone, Debug)]
pub enum Pem {
    File(PathBuf),
    Text(String),
}

impl Pem {
    fn describe(&self, what: &str) -> String {
        match self {
            Pem::File(path) => format!("{what} {}", path.display()),
            Pem::Text(_) => format!("the {what} written in the values"),
        }
    }

    fn bytes(&self, what: &str) -> Result<Vec<u8>, Fatal> {
        match self {
            Pem::File(path) => read::read_file(path, Limit::PEM).map_err(|failure| {
                let why = match failure {
                    read::Failure::Io(e) => super::resp::describe_io(&e),
                    refused => refused.reason(),
                };
                Fatal(format!("{}: {why}", self.describe(what)))
            }),
            Pem::Text(text) => Ok(text.as_bytes().to_vec()),
        }
    }

    fn certificates(&self, what: &str) -> Result<Vec<CertificateDer<'static>>, Fatal> {
        let bytes = self.bytes(what)?;
        let certs: Vec<_> = CertificateDer::pem_slice_iter(&bytes)
            .collect::<Result<_, _>>()
            .map_err(|_| Fatal(format!("{}: not a PEM certificate", self.describe(what))))?;
        if certs.is_empty() {
            return Err(Fatal(format!(
                "{}: holds no PEM certificate",
                self.describe(what)
            )));
        }
        Ok(certs)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub fn client_config(
    ca: Option<Pem>,
    cert: Option<Pem>,
    key: Option<Pem>,
    insecure: bool,
) -> Result<Arc<rustls::ClientConfig>, Fatal> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Fatal(format!("TLS: {e}")))?;
    let builder = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(super::resp::AcceptAnyCertificate(provider)))
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &ca {
            Some(ca) => {
                for cert in ca.certificates("CA")? {
                    roots
                        .add(cert)
                        .map_err(|e| Fatal(format!("{}: {e}", ca.describe("CA"))))?;
                }
            }
            None => {
                // The system's roots, as the platform's Go client uses them when no CA is given.
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
        builder.with_root_certificates(roots)
    };
    let config = match (cert, key) {
        (Some(cert), Some(key)) => {
            let chain = cert.certificates("client certificate")?;
            let cert_name = cert.describe("client certificate");
            let key_bytes = key.bytes("client key")?;
            let key_der = PrivateKeyDer::from_pem_slice(&key_bytes)
                .map_err(|_| Fatal(format!("{}: not a PEM private key", key.describe("client key"))))?;
            builder
                .with_client_auth_cert(chain, key_der)
                .map_err(|e| {
                    if format!("{e:?}").contains("UnsupportedCertVersion") {
                        Fatal(format!(
                            "{}: an X.509 v1 certificate, which TLS clients refuse: make a v3 certificate (sign it with an extension, e.g. extendedKeyUsage=clientAuth)",
                            cert_name
                        ))
                    } else {
                        Fatal(format!("the client certificate and key do not fit together: {e}"))
                    }
                })?
        }
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => return Err(Fatal("a client certificate needs its key: give --tls-key".into())),
        (None, Some(_)) => {
            return Err(Fatal(
                "a client key needs its certificate: give --tls-cert".into(),
            ))
        }
    };
    Ok(Arc::new(config))
}

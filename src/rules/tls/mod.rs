//! TLS between the platform and Redis: both ends agree, client certificates where the cluster demands
//! them, the chart's own TLS requirements, and verification left on; live, the handshake works.

pub mod tls_client_cert_missing;
pub mod tls_handshake_failed;
pub mod tls_mismatch;
pub mod tls_secret_incomplete;
pub mod tls_verify_disabled;

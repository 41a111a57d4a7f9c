//! The HTTPS listener: a self-signed certificate (rcgen), TLS via tokio-rustls with the
//! aws-lc-rs provider, HTTP/1.1 and HTTP/2 via hyper-util, a random bearer token and a
//! kubeconfig for kubectl and other clients.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

use crate::store::Store;

use super::auth::BearerToken;
use super::kubeconfig;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "cannot listen on {addr}: {source} (is another server using the port? use port 0 for any free port)"
    )]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot create the self-signed TLS certificate: {0}")]
    Certificate(String),
    #[error("cannot configure TLS: {0}")]
    Tls(String),
    #[error("cannot write the kubeconfig {path}: {source}")]
    Kubeconfig {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A running server; dropping it does not stop it, call [`ServerHandle::shutdown`].
pub struct ServerHandle {
    addr: SocketAddr,
    token: BearerToken,
    certificate_pem: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl ServerHandle {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn token(&self) -> &BearerToken {
        &self.token
    }
    /// `https://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
    /// The server certificate, for clients that want to pin it instead of skipping verification.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }
    /// Stops accepting, lets in-flight requests finish (open watches get two seconds), then returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

struct Tls {
    acceptor: TlsAcceptor,
    certificate_pem: String,
}

fn tls_config() -> Result<Tls, ServeError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| ServeError::Certificate(e.to_string()))?;
    let cert = CertificateDer::from(certified.cert.der().to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem: certified.cert.pem(),
    })
}

/// Serves the store over HTTPS on `listen` (port 0 picks a free port) and, if asked, writes a
/// kubeconfig pointing at it with a fresh bearer token.
pub async fn serve(
    store: Store,
    listen: SocketAddr,
    kubeconfig_out: Option<&Path>,
) -> Result<ServerHandle, ServeError> {
    let tls = tls_config()?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: listen,
        source,
    })?;
    let token = BearerToken::generate();
    if let Some(path) = kubeconfig_out {
        kubeconfig::write(path, &format!("https://{addr}"), &token).map_err(|source| {
            ServeError::Kubeconfig {
                path: path.to_path_buf(),
                source,
            }
        })?;
    }
    let app = super::router(store, Some(token.clone()));
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, tls.acceptor, app, stopped));
    Ok(ServerHandle {
        addr,
        token,
        certificate_pem: tls.certificate_pem,
        stop,
        task,
    })
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
    mut stopped: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((tcp, peer)) = accepted else { continue };
                let acceptor = acceptor.clone();
                let app = app.clone();
                let stopped = stopped.clone();
                connections.spawn(async move {
                    match acceptor.accept(tcp).await {
                        Ok(stream) => serve_connection(stream, app, stopped).await,
                        Err(e) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                    }
                });
            }
            // Reap finished connections so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(Duration::from_secs(2), drain)
        .await
        .is_err()
    {
        connections.abort_all();
    }
}

async fn serve_connection<S>(stream: S, app: axum::Router, mut stopped: watch::Receiver<bool>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let builder = Builder::new(TokioExecutor::new());
    let connection =
        builder.serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(app));
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result { tracing::debug!("connection ended with an error: {e}"); }
        }
        _ = stopped.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

//! The loopback artifact server: `GET /<kind>/<ns>/<name>/<file>` from the storage root, as
//! source-controller's storage endpoint does. Binds 127.0.0.1 only.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::task::JoinHandle;

use super::Storage;

/// A running server; dropping it stops serving.
pub struct ArtifactServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for ArtifactServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ArtifactServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn serve_file(State(root): State<Arc<PathBuf>>, UrlPath(rel): UrlPath<String>) -> Response {
    let storage = Storage::new(root.as_ref().clone(), String::new());
    let Some(path) = storage.local_path(&rel) else {
        return (StatusCode::BAD_REQUEST, "invalid artifact path").into_response();
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [(header::CONTENT_TYPE, "application/x-gzip")],
            Body::from(bytes),
        )
            .into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "artifact not found").into_response(),
    }
}

/// Serve `root` on `127.0.0.1:port` (0 = any free port).
pub async fn start(root: PathBuf, port: u16) -> std::io::Result<ArtifactServer> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/{*path}", get(serve_file))
        .with_state(Arc::new(root));
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!("artifact server stopped: {e}");
        }
    });
    Ok(ArtifactServer { addr, task })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serves_stored_artifacts_over_http_and_404s_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let server = start(dir.path().to_path_buf(), 0).await.unwrap();
        let storage = Storage::new(dir.path().to_path_buf(), server.base_url());
        let a = storage
            .store(
                "GitRepository",
                "ns",
                "r",
                "c.tar.gz",
                "main@sha1:c",
                b"payload",
            )
            .unwrap();
        let http = reqwest::Client::new();
        let url = a["url"].as_str().unwrap();
        // Without the storage handle the consumer downloads over HTTP.
        let bytes = super::super::fetch(None, &http, url, a["digest"].as_str().unwrap())
            .await
            .unwrap();
        assert_eq!(bytes, b"payload");
        let missing = http
            .get(format!(
                "{}/gitrepository/ns/r/none.tar.gz",
                server.base_url()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
    }
}

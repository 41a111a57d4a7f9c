//! The embedded demo's image registry: a tiny read-only OCI distribution server on loopback
//! that serves the tag list of one fixed repository (`demo/podinfo`), so the demo fleet's
//! ImageRepository has something real to scan over HTTP and a newcomer sees an image update
//! waiting in the Approvals pane seconds after `fluxdeck --embedded`. Only the endpoints a
//! tag scan uses exist: `GET /v2/` and `GET /v2/<name>/tags/list`; everything else answers
//! the distribution spec's error JSON.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The one repository served.
pub const REPOSITORY: &str = "demo/podinfo";
/// Its tags: the demo fleet runs 6.7.0 and its policy (`6.7.x`) selects 6.7.1.
pub const TAGS: &[&str] = &[
    "6.5.4",
    "6.6.0",
    "6.6.1",
    "6.7.0",
    "6.7.1",
    "6.8.0-rc.1",
    "latest",
];
/// The ConfigMap (flux-system) the demo's flux-system Kustomization substitutes from.
pub const CONFIGMAP: &str = "fluxdeck-demo";
/// Its key holding `host:port` of the registry.
pub const ADDRESS_KEY: &str = "demo_registry";
/// Where the demo fleet looks when fluxdeck did not start the registry (see the hint in the
/// ImageRepository's condition).
pub const FALLBACK: &str = "127.0.0.1:5000";

/// Status and JSON body for a GET of `path` (below `/v2/`): pure, so it is tested directly.
pub fn answer(path: &str) -> (StatusCode, Value) {
    let path = path.trim_matches('/');
    if path.is_empty() {
        return (StatusCode::OK, json!({}));
    }
    let error = |status: StatusCode, code: &str, message: String| {
        (
            status,
            json!({"errors": [{"code": code, "message": message, "detail": {"name": path}}]}),
        )
    };
    match path.strip_suffix("/tags/list") {
        Some(REPOSITORY) => (StatusCode::OK, json!({"name": REPOSITORY, "tags": TAGS})),
        Some(other) => error(
            StatusCode::NOT_FOUND,
            "NAME_UNKNOWN",
            format!(
                "repository name not known to registry: {other} (this demo registry serves only {REPOSITORY})"
            ),
        ),
        None => error(
            StatusCode::NOT_FOUND,
            "UNSUPPORTED",
            "the demo registry serves tag lists only (GET /v2/<name>/tags/list)".into(),
        ),
    }
}

fn respond((status, body): (StatusCode, Value)) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    r.headers_mut().insert(
        "Docker-Distribution-API-Version",
        HeaderValue::from_static("registry/2.0"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn router() -> Router {
    Router::new()
        .route("/v2/", get(|| async { respond(answer("")) }))
        .route(
            "/v2/{*rest}",
            get(|Path(rest): Path<String>| async move { respond(answer(&rest)) }),
        )
}

/// Serve on a free loopback port for the life of the process; returns the address.
pub async fn start() -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router()).await {
            tracing::warn!("the demo registry on {addr} stopped: {e}");
        }
    });
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_the_demo_tags_and_distribution_errors() {
        assert_eq!(answer("").0, StatusCode::OK);
        let (s, body) = answer("demo/podinfo/tags/list");
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["name"], REPOSITORY);
        assert_eq!(body["tags"].as_array().map(Vec::len), Some(TAGS.len()));
        let (s, body) = answer("other/app/tags/list");
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(body["errors"][0]["code"], "NAME_UNKNOWN");
        assert_eq!(
            answer("demo/podinfo/manifests/6.7.1").0,
            StatusCode::NOT_FOUND
        );
    }

    #[tokio::test]
    async fn answers_over_real_http() {
        let addr = start().await.unwrap();
        let body: Value = reqwest::get(format!("http://{addr}/v2/demo/podinfo/tags/list?n=1000"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["tags"][4], "6.7.1");
        let ping = reqwest::get(format!("http://{addr}/v2/")).await.unwrap();
        assert_eq!(ping.status().as_u16(), 200);
        assert_eq!(
            ping.headers()["docker-distribution-api-version"],
            "registry/2.0"
        );
    }
}

//! The Kubernetes REST API over the embedded [`Store`]: one axum Router used in-process by
//! `kube::Client` (no socket) and over HTTPS ([`serve`]) by kubectl and other clients.
//!
//! Layout: `route` splits paths, `handlers` maps methods onto Store operations, `watch` streams
//! events, `table` renders `kubectl get` columns (cells from `store::columns`), `discovery`/`openapi` describe the
//! served types, `meta_endpoints` answers the rest, `serve`/`auth`/`kubeconfig` are the HTTPS side.
//! `protobuf` reads the protobuf bodies of kubectl's typed creates, `token` answers
//! `serviceaccounts/token`, `scale` the scale subresource of apps workloads.

pub mod auth;
mod discovery;
mod handlers;
mod kubeconfig;
mod meta_endpoints;
mod negotiate;
mod openapi;
mod protobuf;
mod query;
mod route;
mod scale;
mod serve;
mod status;
mod table;
mod token;
mod watch;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};

use crate::store::Store;
use crate::store::types::ResourceType;

pub use auth::BearerToken;
pub use serve::{ServeError, ServerHandle, serve};

/// The Kubernetes version the server reports (`/version`, OpenAPI info).
pub const VERSION_GIT: &str = "v1.33.0";

/// Request bodies up to this size are accepted (kube-apiserver's limit is 3 MiB per object;
/// large CRDs sent by client-side apply carry a second copy in an annotation).
const BODY_LIMIT: usize = 16 * 1024 * 1024;

#[derive(Clone)]
pub(crate) struct AppState {
    store: Arc<Store>,
    /// Signs `serviceaccounts/token` answers (see `token`).
    tokens: token::TokenIssuer,
}

impl AppState {
    fn resolve(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.store.resolve(group, version, plural)
    }
}

/// The REST API as a Router; with `auth`, every request but health probes needs the token.
pub fn router(store: Store, auth: Option<BearerToken>) -> Router {
    let tokens = match &auth {
        Some(bearer) => token::TokenIssuer::from_secret(bearer.as_str()),
        None => token::TokenIssuer::from_secret(auth::BearerToken::generate().as_str()),
    };
    let state = AppState {
        store: Arc::new(store),
        tokens,
    };
    let routes = Router::new()
        .route("/version", get(meta_endpoints::version))
        .route("/healthz", get(meta_endpoints::healthy))
        .route("/livez", get(meta_endpoints::healthy))
        .route("/readyz", get(meta_endpoints::healthy))
        .route("/openapi/v3", get(meta_endpoints::openapi_root))
        .route(
            "/openapi/v3/{*path}",
            get(meta_endpoints::openapi_group_version),
        )
        .route("/openapi/v2", any(meta_endpoints::openapi_v2))
        .fallback(handlers::dispatch)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state);
    match auth {
        Some(token) => routes.layer(axum::middleware::from_fn_with_state(
            auth::AuthState::new(token),
            auth::require_token,
        )),
        None => routes,
    }
}

/// A kube Client talking to the store through the Router in memory (no socket, no auth).
/// kube wraps the service in a tower Buffer, so this must be called inside a Tokio runtime.
pub fn in_process_client(store: Store) -> kube::Client {
    kube::Client::new(router(store, None), "default")
}

//! The Kubernetes REST API over the embedded [`Store`](crate::store::Store): one axum Router used
//! in-process by `kube::Client` (no socket) and over HTTPS by kubectl and other clients.

pub mod auth;
mod discovery;
mod jsonpath;
mod kubeconfig;
mod negotiate;
mod openapi;
mod query;
mod status;
mod table;

pub use auth::BearerToken;

/// The Kubernetes version the server reports (`/version`, OpenAPI info).
pub const VERSION_GIT: &str = "v1.33.0";

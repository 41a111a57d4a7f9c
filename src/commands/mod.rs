//! Headless subcommands: thin adapters from CLI arguments to the cluster layer (intents, kind
//! resolution) and the pure renderers. Each returns the process exit code.

pub mod actions;
pub mod bench;
pub mod build;
pub mod desired_tree;
pub mod diff;
pub mod diff_fleet;
pub mod events;
pub mod export;
pub mod fleet_sources;
pub mod get;
pub mod images;
pub mod kustomize;
pub mod table;
pub mod trace;
pub mod tree;

use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use serde_json::Value;

use crate::cluster::connect::Mode;
use crate::cluster::intents::IntentError;
use crate::cluster::kinds::{KindError, Served};

/// What every headless command needs: a client and the user's scope.
pub struct Ctx {
    pub client: kube::Client,
    /// The namespace commands default to (`-n`, else flux-system).
    pub namespace: String,
    pub context: String,
    pub mode: Mode,
    pub read_only: bool,
    pub actor: String,
    pub ascii: bool,
    /// The embedded store, when this command runs on it (kept alive for the command's life).
    pub embedded: Option<crate::app::embedded::Embedded>,
    /// In-process controllers started for this command (embedded store only).
    pub controllers: Option<crate::controllers::ControllersHandle>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Kind(#[from] KindError),
    #[error(transparent)]
    Intent(#[from] IntentError),
    #[error("API request failed: {0}")]
    Api(#[from] kube::Error),
    #[error("{0}")]
    Usage(String),
    #[error("read-only mode: {0} is a write (drop --read-only to allow it)")]
    ReadOnly(&'static str),
    #[error("cannot render output: {0}")]
    Render(String),
}

impl Ctx {
    pub fn glyph_fail(&self) -> &'static str {
        if self.ascii { "x" } else { "✗" }
    }

    pub async fn served(&self) -> Result<Served, CommandError> {
        Ok(Served::discover(&self.client).await?)
    }

    pub fn api(
        &self,
        ar: &ApiResource,
        namespaced: bool,
        all_namespaces: bool,
    ) -> Api<DynamicObject> {
        if !namespaced || all_namespaces {
            Api::all_with(self.client.clone(), ar)
        } else {
            Api::namespaced_with(self.client.clone(), &self.namespace, ar)
        }
    }

    /// List objects as JSON values (empty when the kind is not readable is an error upstream).
    pub async fn list(
        &self,
        api: &Api<DynamicObject>,
        params: &ListParams,
    ) -> Result<Vec<Value>, CommandError> {
        let list = api.list(params).await?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|o| serde_json::to_value(o).ok())
            .collect())
    }

    pub fn require_writable(&self, what: &'static str) -> Result<(), CommandError> {
        if self.read_only {
            Err(CommandError::ReadOnly(what))
        } else {
            Ok(())
        }
    }
}

pub fn obj_name(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn obj_namespace(obj: &Value) -> &str {
    obj.pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
}

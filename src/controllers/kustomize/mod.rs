//! Kustomization (`kustomize.toolkit.fluxcd.io/v1`): the pipeline of SPEC §6 in the runtime's
//! shape. `pipeline` holds the steps in order (source → dependencies → fetch → path →
//! generate → build → decrypt check → substitute → normalise → dry-run → staged apply →
//! inventory → prune → health); `triggers` re-queues Kustomizations when their source
//! revision, a dependency's readiness or a watched ConfigMap/Secret changes.

pub mod apply;
pub mod desired;
pub mod generate;
pub mod health;
pub mod impersonate;
mod memtree;
mod overlay;
mod pipeline;
mod postbuild;
pub mod prune;
pub mod remote;
pub mod spec;
mod trees;
pub(crate) mod triggers;

use std::sync::Arc;
use std::time::Duration;

use kube::api::ApiResource;
use serde_json::Value;

use crate::controllers::artifact::Storage;
use crate::controllers::runtime::{
    self, Attempt, Bus, Failure, KindInfo, Outcome, Reconciler, RetryPolicy, Running,
};

pub fn resource() -> ApiResource {
    ApiResource {
        group: spec::GROUP.into(),
        version: "v1".into(),
        api_version: format!("{}/v1", spec::GROUP),
        kind: "Kustomization".into(),
        plural: "kustomizations".into(),
    }
}

/// The source kinds a Kustomization can point at.
pub fn source_resource(kind: &str) -> Option<ApiResource> {
    let plural = match kind {
        "GitRepository" => "gitrepositories",
        "OCIRepository" => "ocirepositories",
        "Bucket" => "buckets",
        "ExternalArtifact" => "externalartifacts",
        _ => return None,
    };
    Some(ApiResource {
        group: "source.toolkit.fluxcd.io".into(),
        version: "v1".into(),
        api_version: "source.toolkit.fluxcd.io/v1".into(),
        kind: kind.into(),
        plural: plural.into(),
    })
}

/// Tunables of the Kustomization controller.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requeue while a dependency or the source artifact is not ready (`--requeue-dependency`).
    pub dependency_requeue: Duration,
    /// Post-build substitution fails on undefined variables (Flux ≥ 2.9 default).
    pub strict_substitution: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dependency_requeue: spec::DEPENDENCY_REQUEUE,
            strict_substitution: true,
        }
    }
}

/// The Kustomization reconciler.
pub struct Kustomizations {
    info: KindInfo,
    storage: Option<Storage>,
    http: reqwest::Client,
    resolver: apply::Resolver,
    trees: trees::Trees,
    options: Options,
}

impl Kustomizations {
    /// `storage`: the local artifact storage, read directly (digest-checked) for its URLs.
    pub fn new(client: &kube::Client, storage: Option<Storage>, options: Options) -> Self {
        Kustomizations {
            info: KindInfo {
                resource: resource(),
                controller: "kustomize-controller",
                status_manager: "gotk-kustomize-controller",
                finalizer: true,
            },
            storage,
            http: reqwest::Client::new(),
            resolver: apply::Resolver::new(client.clone()),
            trees: trees::Trees::default(),
            options,
        }
    }
}

impl Reconciler for Kustomizations {
    fn info(&self) -> &KindInfo {
        &self.info
    }

    fn interval(&self, obj: &Value) -> Duration {
        spec::interval(obj)
    }

    fn retry_policy(&self, obj: &Value) -> RetryPolicy {
        RetryPolicy::Fixed(spec::retry_interval(obj))
    }

    fn reconcile<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Outcome> + Send + 'a {
        pipeline::run(self, at)
    }

    fn finalize<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Result<(), Failure>> + Send + 'a {
        pipeline::finalize(self, at)
    }
}

/// Start the Kustomization controller with its watch triggers.
pub fn start(
    client: kube::Client,
    bus: Bus,
    storage: Option<Storage>,
    options: Options,
    concurrency: u16,
) -> Running {
    let ctl = Kustomizations::new(&client, storage, options);
    let mut running = runtime::spawn(client.clone(), bus, Arc::new(ctl), concurrency);
    for task in triggers::spawn_all(&client, &running) {
        running.attach(task);
    }
    running
}

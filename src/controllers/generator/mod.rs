//! ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`, Flux's source-watcher): compose
//! or split source artifacts into ExternalArtifacts. For each `spec.artifacts[]` entry the
//! `copy` rules (`@alias/glob` → `@artifact/dir/`, the same rules `fluxdeck diff fleet`
//! resolves offline) run over the unpacked sources; the result is packed deterministically,
//! stored, and published as an ExternalArtifact whose `status.artifact` a Kustomization can
//! consume. The revision is `latest@sha256:<digest of the content>` unless `revision: @alias`
//! names a source; `originRevision: @alias` is recorded as the OCI origin revision.

use std::collections::BTreeMap;
use std::time::Duration;

use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::artifact::{self, Storage};
use super::kustomize::{self, triggers};
use super::runtime::{
    self, Attempt, Bus, CondStatus, EventType, Failure, KindInfo, Outcome, Reconciler, Running,
    conditions,
};

pub const GROUP: &str = "source.extensions.fluxcd.io";
const MANAGER: &str = "source-watcher";
const ORIGIN_REVISION: &str = "org.opencontainers.image.revision";
/// How long to wait for a source that has no artifact yet (source changes also trigger).
mod compose;

use compose::{Output, generate};

const SOURCE_REQUEUE: Duration = Duration::from_secs(10);

pub fn resource() -> ApiResource {
    ApiResource {
        group: GROUP.into(),
        version: "v1beta1".into(),
        api_version: format!("{GROUP}/v1beta1"),
        kind: "ArtifactGenerator".into(),
        plural: "artifactgenerators".into(),
    }
}

fn external_artifacts(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    let ar = kustomize::source_resource("ExternalArtifact").unwrap_or_else(resource);
    Api::namespaced_with(client.clone(), ns, &ar)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn items<'a>(v: &'a Value, ptr: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// One `spec.sources[]` entry with its artifact.
struct Input {
    alias: String,
    revision: String,
    url: String,
    digest: String,
}

pub struct ArtifactGenerators {
    info: KindInfo,
    storage: Storage,
    http: reqwest::Client,
}

impl ArtifactGenerators {
    pub fn new(storage: Storage) -> ArtifactGenerators {
        ArtifactGenerators {
            info: KindInfo {
                resource: resource(),
                controller: MANAGER,
                status_manager: MANAGER,
                finalizer: true,
            },
            storage,
            http: reqwest::Client::new(),
        }
    }

    async fn inputs(&self, at: &Attempt) -> Result<Vec<Input>, Outcome> {
        let ns = at.namespace().to_string();
        let mut out = Vec::new();
        for (i, s) in items(&at.object, "/spec/sources").enumerate() {
            let (alias, kind, name) = (text(s, "alias"), text(s, "kind"), text(s, "name"));
            let src_ns = Some(text(s, "namespace"))
                .filter(|n| !n.is_empty())
                .unwrap_or(&ns);
            let id = format!("{kind}/{src_ns}/{name}");
            let Some(ar) = kustomize::source_resource(kind) else {
                return Err(Outcome::Stalled(Failure::new(
                    "SourceFetchFailed",
                    format!(
                        "spec.sources[{i}] (@{alias}): kind '{kind}' is not supported: expected GitRepository, OCIRepository, Bucket or ExternalArtifact"
                    ),
                )));
            };
            let api: Api<DynamicObject> = Api::namespaced_with(at.client.clone(), src_ns, &ar);
            let obj = api.get_opt(name).await.map_err(|e| {
                Outcome::Retry(Failure::new(
                    "SourceFetchFailed",
                    format!("cannot get source '{id}' (@{alias}): {e}"),
                ))
            })?;
            let Some(obj) = obj.and_then(|o| serde_json::to_value(o).ok()) else {
                return Err(Outcome::waiting(
                    SOURCE_REQUEUE,
                    "SourceFetchFailed",
                    format!("source '{id}' (spec.sources[{i}], @{alias}) not found"),
                ));
            };
            let Some(art) = obj.pointer("/status/artifact") else {
                return Err(Outcome::waiting(
                    SOURCE_REQUEUE,
                    "SourceFetchFailed",
                    format!("source '{id}' (@{alias}) has no artifact yet"),
                ));
            };
            out.push(Input {
                alias: alias.to_string(),
                revision: text(art, "revision").to_string(),
                url: text(art, "url").to_string(),
                digest: text(art, "digest").to_string(),
            });
        }
        Ok(out)
    }

    /// Publish one output as the ExternalArtifact `name` (object, then status).
    async fn publish(&self, at: &Attempt, out: &Output) -> Result<bool, Failure> {
        let ns = at.namespace();
        let api = external_artifacts(&at.client, ns);
        let current = api
            .get_opt(&out.name)
            .await
            .ok()
            .flatten()
            .and_then(|o| serde_json::to_value(o).ok());
        let digest = artifact::digest(&out.bytes);
        let existing = current.as_ref().and_then(|c| c.pointer("/status/artifact"));
        let unchanged = existing.is_some_and(|a| {
            text(a, "digest") == digest
                && text(a, "revision") == out.revision
                && self.storage.verify(a)
        });
        let storage_err = |e: artifact::ArtifactError| {
            Failure::new(
                "StorageOperationFailed",
                format!("ExternalArtifact/{ns}/{}: {e}", out.name),
            )
        };
        let mut stored = match (unchanged, existing) {
            (true, Some(a)) => a.clone(),
            _ => {
                let hex = digest.trim_start_matches("sha256:");
                self.storage
                    .store(
                        "ExternalArtifact",
                        ns,
                        &out.name,
                        &format!("{hex}.tar.gz"),
                        &out.revision,
                        &out.bytes,
                    )
                    .map_err(storage_err)?
            }
        };
        if let Some(origin) = &out.origin {
            stored["metadata"] = json!({ORIGIN_REVISION: origin});
        }
        let mut labels = at
            .object
            .pointer("/spec/commonMetadata/labels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        labels[format!("{GROUP}/generator-name")] = json!(at.name());
        labels[format!("{GROUP}/generator-namespace")] = json!(ns);
        let mut meta = json!({"name": out.name, "namespace": ns, "labels": labels});
        if let Some(a) = at.object.pointer("/spec/commonMetadata/annotations") {
            meta["annotations"] = a.clone();
        }
        let body = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact",
            "metadata": meta,
            "spec": {"sourceRef": {"apiVersion": format!("{GROUP}/v1beta1"),
                     "kind": "ArtifactGenerator", "name": at.name(), "namespace": ns}},
        });
        let params = PatchParams::apply(MANAGER).force();
        let werr = |what: &str, e: kube::Error| {
            Failure::new(
                "ReconciliationFailed",
                format!(
                    "cannot write {what} of ExternalArtifact/{ns}/{}: {e}",
                    out.name
                ),
            )
        };
        let applied = api
            .patch(&out.name, &params, &Patch::Apply(&body))
            .await
            .map_err(|e| werr("the object", e))?;
        let generation = applied.metadata.generation.unwrap_or(1);
        let mut status = current
            .as_ref()
            .and_then(|c| c.get("status").cloned())
            .unwrap_or_else(|| json!({}));
        let message = format!("stored artifact for revision '{}'", out.revision);
        conditions::set(
            &mut status,
            "Ready",
            CondStatus::True,
            "Succeeded",
            &message,
            generation,
            jiff::Timestamp::now(),
        );
        status["artifact"] = stored;
        status["observedGeneration"] = json!(generation);
        let status_body = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "ExternalArtifact",
            "metadata": {"name": out.name, "namespace": ns}, "status": status});
        api.patch_status(&out.name, &params, &Patch::Apply(&status_body))
            .await
            .map_err(|e| werr("the status", e))?;
        Ok(!unchanged)
    }

    async fn run(&self, at: &mut Attempt) -> Outcome {
        let inputs = match self.inputs(at).await {
            Ok(i) => i,
            Err(o) => return o,
        };
        let mut blobs = Vec::new();
        for i in &inputs {
            match artifact::fetch(Some(&self.storage), &self.http, &i.url, &i.digest).await {
                Ok(b) => blobs.push(b),
                Err(e) => {
                    return Outcome::Retry(Failure::new(
                        "SourceFetchFailed",
                        format!("cannot fetch the artifact of @{}: {e}", i.alias),
                    ));
                }
            }
        }
        let spec = at.object.get("spec").cloned().unwrap_or(Value::Null);
        let revisions: BTreeMap<String, String> = inputs
            .iter()
            .map(|i| (i.alias.clone(), i.revision.clone()))
            .collect();
        let aliases: Vec<String> = inputs.iter().map(|i| i.alias.clone()).collect();
        let built =
            tokio::task::spawn_blocking(move || generate(&spec, &aliases, &blobs, &revisions))
                .await;
        let outputs = match built {
            Ok(Ok(o)) => o,
            Ok(Err(f)) => return Outcome::Retry(f),
            Err(e) => {
                return Outcome::Retry(Failure::new(
                    "BuildFailed",
                    format!("generator worker failed: {e}"),
                ));
            }
        };
        let mut changed = Vec::new();
        for out in &outputs {
            match self.publish(at, out).await {
                Ok(true) => changed.push(format!(
                    "ExternalArtifact/{}/{} {}",
                    at.namespace(),
                    out.name,
                    out.revision
                )),
                Ok(false) => {}
                Err(f) => return Outcome::Retry(f),
            }
        }
        self.prune_stale(at, &outputs).await;
        let inventory: Vec<Value> = outputs
            .iter()
            .map(|o| json!({"name": o.name, "namespace": at.namespace(), "digest": artifact::digest(&o.bytes)}))
            .collect();
        at.set_status("inventory", Some(Value::Array(inventory)));
        if !changed.is_empty() {
            at.event(
                EventType::Normal,
                "ArtifactGenerated",
                changed.join("\n"),
                BTreeMap::new(),
            );
        }
        Outcome::ready(
            "Succeeded",
            format!(
                "reconciliation succeeded, generated {} artifact(s)",
                outputs.len()
            ),
        )
    }

    /// Delete ExternalArtifacts this generator made before that are no longer in its spec.
    async fn prune_stale(&self, at: &Attempt, outputs: &[Output]) {
        for old in items(&at.status, "/inventory") {
            let name = text(old, "name");
            if outputs.iter().any(|o| o.name == name) {
                continue;
            }
            let _ = external_artifacts(&at.client, at.namespace())
                .delete(name, &DeleteParams::default())
                .await;
            self.storage
                .remove_all("ExternalArtifact", at.namespace(), name);
        }
    }
}

impl Reconciler for ArtifactGenerators {
    fn info(&self) -> &KindInfo {
        &self.info
    }

    fn reconcile<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Outcome> + Send + 'a {
        self.run(at)
    }

    fn finalize<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Result<(), Failure>> + Send + 'a {
        async move {
            self.prune_stale(at, &[]).await;
            Ok(())
        }
    }
}

/// Generators whose `spec.sources` name `kind`/`ns`/`name` (pure).
pub fn using_source(
    generators: &[Value],
    kind: &str,
    ns: &str,
    name: &str,
) -> Vec<(String, String)> {
    generators
        .iter()
        .filter(|g| {
            let own = g
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            items(g, "/spec/sources").any(|s| {
                let s_ns = Some(text(s, "namespace"))
                    .filter(|n| !n.is_empty())
                    .unwrap_or(own);
                text(s, "kind") == kind && text(s, "name") == name && s_ns == ns
            })
        })
        .map(triggers::id)
        .collect()
}

/// Start the controller and the watches that re-run a generator when a source's revision
/// changes.
pub fn start(client: kube::Client, bus: Bus, storage: Storage, concurrency: u16) -> Running {
    let mut running = runtime::spawn(
        client.clone(),
        bus,
        std::sync::Arc::new(ArtifactGenerators::new(storage)),
        concurrency,
    );
    for task in source_watches(&client, &running) {
        running.attach(task);
    }
    running
}

fn source_watches(client: &kube::Client, running: &Running) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for kind in [
        "GitRepository",
        "OCIRepository",
        "Bucket",
        "ExternalArtifact",
    ] {
        let Some(ar) = kustomize::source_resource(kind) else {
            continue;
        };
        let (reader, trigger) = (running.reader.clone(), running.trigger.clone());
        tasks.push(triggers::watch_changes(
            client,
            ar,
            None,
            triggers::revision_fp,
            triggers::FirstSight::Fire,
            move |src| {
                let (ns, name) = triggers::id(src);
                let all = triggers::values(&reader, |_| true);
                for (g_ns, g_name) in using_source(&all, kind, &ns, &name) {
                    trigger.reconcile(Some(&g_ns), &g_name);
                }
            },
        ));
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_found_by_their_sources() {
        let g = json!({"metadata": {"namespace": "flux-system", "name": "g"},
            "spec": {"sources": [{"alias": "m", "kind": "GitRepository", "name": "flux-system"}]}});
        assert_eq!(
            using_source(&[g.clone()], "GitRepository", "flux-system", "flux-system"),
            [("flux-system".to_string(), "g".to_string())]
        );
        assert!(using_source(&[g], "GitRepository", "other", "flux-system").is_empty());
    }
}

//! ArtifactGenerator (`source.extensions.fluxcd.io/v1beta1`, Flux's source-watcher): compose
//! or split source artifacts into ExternalArtifacts. For each `spec.artifacts[]` entry the
//! `copy` rules (`@alias/glob` → `@artifact/dir/`, the same rules `fluxdeck diff fleet`
//! resolves offline) run over the unpacked sources; the result is packed deterministically,
//! stored, and published as an ExternalArtifact whose `status.artifact` a Kustomization can
//! consume. The revision is `latest@sha256:<digest of the content>` unless `revision: @alias`
//! names a source; `originRevision: @alias` is recorded as the OCI origin revision.

use std::collections::BTreeMap;
use std::path::Path;
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
use crate::commands::fleet_sources::{copy_matching, split_alias};

pub const GROUP: &str = "source.extensions.fluxcd.io";
const MANAGER: &str = "source-watcher";
const ORIGIN_REVISION: &str = "org.opencontainers.image.revision";
/// How long to wait for a source that has no artifact yet (source changes also trigger).
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

/// What one `spec.artifacts[]` entry produced.
struct Output {
    name: String,
    bytes: Vec<u8>,
    revision: String,
    origin: Option<String>,
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

/// A scratch directory removed on drop.
struct WorkDir(std::path::PathBuf);

impl WorkDir {
    fn new() -> std::io::Result<WorkDir> {
        let dir = std::env::temp_dir().join(format!("fluxdeck-generate-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(WorkDir(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Unpack the sources, run every artifact's copy rules and pack the results (pure file work).
fn generate(
    spec: &Value,
    aliases: &[String],
    blobs: &[Vec<u8>],
    revisions: &BTreeMap<String, String>,
) -> Result<Vec<Output>, Failure> {
    let fail = |m: String| Failure::new("BuildFailed", m);
    let work = WorkDir::new().map_err(|e| fail(format!("cannot create a work directory: {e}")))?;
    for (alias, bytes) in aliases.iter().zip(blobs) {
        let dir = work.path().join("sources").join(alias);
        std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
        artifact::extract(bytes, &dir, alias).map_err(|e| fail(format!("@{alias}: {e}")))?;
    }
    let mut outputs = Vec::new();
    for (i, a) in items(spec, "/artifacts").enumerate() {
        let name = text(a, "name").to_string();
        let dest = work.path().join("out").join(&name);
        std::fs::create_dir_all(&dest).map_err(|e| fail(e.to_string()))?;
        for (j, rule) in items(a, "/copy").enumerate() {
            let at = format!("spec.artifacts[{i}].copy[{j}]");
            let strategy = text(rule, "strategy");
            if !strategy.is_empty() && strategy != "Overwrite" {
                return Err(fail(format!(
                    "{at}: strategy '{strategy}' is not supported (only Overwrite)"
                )));
            }
            let (from, to) = (text(rule, "from"), text(rule, "to"));
            let (alias, pattern) = split_alias(from)
                .ok_or_else(|| fail(format!("{at}: from {from:?} must start with @<alias>/")))?;
            if !revisions.contains_key(alias) {
                return Err(fail(format!("{at}: unknown source alias @{alias}")));
            }
            let to_rel = match split_alias(to) {
                Some(("artifact", p)) => p,
                _ => return Err(fail(format!("{at}: to {to:?} must start with @artifact/"))),
            };
            if pattern.split('/').any(|c| c == "..") || to_rel.split('/').any(|c| c == "..") {
                return Err(fail(format!("{at}: paths may not contain '..'")));
            }
            let excludes: Vec<String> = items(rule, "/exclude")
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            let root = work.path().join("sources").join(alias);
            copy_matching(&root, pattern, &excludes, &dest, to_rel)
                .map_err(|e| fail(format!("{at}: {e}")))?;
        }
        let bytes = pack(&dest).map_err(|e| fail(format!("spec.artifacts[{i}] ({name}): {e}")))?;
        let pick = |field: &str| -> Result<Option<String>, Failure> {
            let v = text(a, field);
            if v.is_empty() {
                return Ok(None);
            }
            let alias = v.trim_start_matches('@');
            revisions.get(alias).cloned().map(Some).ok_or_else(|| {
                fail(format!(
                    "spec.artifacts[{i}].{field}: unknown source alias {v}"
                ))
            })
        };
        let revision =
            pick("revision")?.unwrap_or_else(|| format!("latest@{}", artifact::digest(&bytes)));
        let origin = pick("originRevision")?;
        outputs.push(Output {
            name,
            bytes,
            revision,
            origin,
        });
    }
    Ok(outputs)
}

/// A tar.gz of `dir` with sorted entries and fixed metadata, so equal content gives an equal
/// digest (and so an unchanged revision).
fn pack(dir: &Path) -> Result<Vec<u8>, String> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for e in files {
        let rel = e.path().strip_prefix(dir).map_err(|e| e.to_string())?;
        let data = std::fs::read(e.path()).map_err(|e| e.to_string())?;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, rel, data.as_slice())
            .map_err(|e| e.to_string())?;
    }
    let gz = tar.into_inner().map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
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

    fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        pack(dir.path()).unwrap()
    }

    fn listing(bytes: &[u8]) -> Vec<String> {
        let mut a = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        a.entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn splits_a_monorepo_like_the_helm_example() {
        let repo = tarball(&[
            ("infrastructure/controllers/kustomization.yaml", "a"),
            ("infrastructure/configs/issuers.yaml", "b"),
            ("apps/base/podinfo/release.yaml", "c"),
            ("apps/staging/kustomization.yaml", "d"),
            ("apps/production/kustomization.yaml", "e"),
        ]);
        let spec = json!({"artifacts": [
            {"name": "infrastructure", "originRevision": "@monorepo",
             "copy": [{"from": "@monorepo/infrastructure/**", "to": "@artifact/"}]},
            {"name": "apps", "copy": [
                {"from": "@monorepo/apps/base/**", "to": "@artifact/base/"},
                {"from": "@monorepo/apps/staging/**", "to": "@artifact/staging/"}]}]});
        let revs = BTreeMap::from([("monorepo".to_string(), "main@sha1:abc".to_string())]);
        let out = generate(&spec, &["monorepo".into()], &[repo], &revs).unwrap();
        assert_eq!(
            listing(&out[0].bytes),
            ["configs/issuers.yaml", "controllers/kustomization.yaml"]
        );
        assert_eq!(out[0].origin.as_deref(), Some("main@sha1:abc"));
        assert_eq!(
            out[0].revision,
            format!("latest@{}", artifact::digest(&out[0].bytes))
        );
        assert_eq!(
            listing(&out[1].bytes),
            ["base/podinfo/release.yaml", "staging/kustomization.yaml"]
        );
        // Same content, same bytes: the revision only moves when the files do.
        let again = generate(
            &spec,
            &["monorepo".into()],
            &[tarball(&[
                ("infrastructure/controllers/kustomization.yaml", "a"),
                ("infrastructure/configs/issuers.yaml", "b"),
            ])],
            &revs,
        )
        .unwrap();
        assert_eq!(again[0].revision, out[0].revision);
    }

    #[test]
    fn bad_rules_name_the_field() {
        let revs = BTreeMap::from([("m".to_string(), "r".to_string())]);
        let spec = |rule: Value| json!({"artifacts": [{"name": "x", "copy": [rule]}]});
        let err = |rule: Value| {
            generate(&spec(rule), &["m".into()], &[tarball(&[("a", "1")])], &revs)
                .err()
                .unwrap()
                .message
        };
        assert!(
            err(json!({"from": "@other/**", "to": "@artifact/"}))
                .contains("spec.artifacts[0].copy[0]: unknown source alias @other")
        );
        assert!(
            err(json!({"from": "@m/**", "to": "elsewhere/"}))
                .contains("must start with @artifact/")
        );
        assert!(
            err(json!({"from": "@m/**", "to": "@artifact/", "strategy": "Merge"}))
                .contains("'Merge' is not supported")
        );
        assert!(err(json!({"from": "@m/../x", "to": "@artifact/"})).contains("'..'"));
    }

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

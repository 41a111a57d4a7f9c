//! `fluxdeck bench controllers [--count N] [--objects M]` (and tests/controllers_bench.rs): N
//! Kustomizations × M ConfigMaps each, from one real Git repository, reconciled to Ready in a
//! fresh in-memory embedded store, with per-phase timings from the telemetry bus.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::runtime::Telemetry;
use super::{ControllerOptions, kustomize, run_all, source_git};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("benchmark setup failed: {0}")]
    Setup(String),
    #[error("timed out after {waited:?}: {ready} of {total} Kustomizations Ready")]
    Timeout {
        waited: Duration,
        ready: usize,
        total: usize,
    },
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct BenchReport {
    pub kustomizations: usize,
    pub objects_each: usize,
    /// From creating the Kustomizations until all are Ready.
    pub total: Duration,
    /// From creating the Kustomizations until the first is Ready.
    pub first_ready: Duration,
    /// Sum over all reconciles, per phase (fetch, build, apply, prune, health).
    pub phases: BTreeMap<&'static str, Duration>,
    pub reconciles: usize,
    /// Reconciles per outcome (Ready, Waiting for the source artifact, Retry, ...).
    pub outcomes: BTreeMap<&'static str, usize>,
}

impl std::fmt::Display for BenchReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} Kustomizations x {} objects Ready in {:.2}s ({} reconciles)",
            self.kustomizations,
            self.objects_each,
            self.total.as_secs_f64(),
            self.reconciles
        )?;
        let outcomes: Vec<String> = self
            .outcomes
            .iter()
            .map(|(o, n)| format!("{o} {n}"))
            .collect();
        writeln!(
            f,
            "  first Ready after {:.2}s; outcomes: {}",
            self.first_ready.as_secs_f64(),
            outcomes.join(", ")
        )?;
        for (phase, d) in &self.phases {
            let per = d.as_secs_f64() * 1000.0 / self.reconciles.max(1) as f64;
            writeln!(
                f,
                "  {phase:<8} total {:>8.2}s  mean {per:>7.2}ms",
                d.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

fn setup(e: impl std::fmt::Display) -> BenchError {
    BenchError::Setup(e.to_string())
}

fn write_repo(dir: &Path, n: usize, m: usize) -> Result<String, BenchError> {
    for i in 0..n {
        let d = dir.join(format!("apps/app-{i}"));
        std::fs::create_dir_all(&d).map_err(setup)?;
        let mut text = String::new();
        for j in 0..m {
            text.push_str(&format!(
                "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i}-cm-{j}\n  namespace: default\ndata:\n  index: \"{j}\"\n"
            ));
        }
        std::fs::write(d.join("objects.yaml"), text).map_err(setup)?;
    }
    let repo =
        git2::Repository::init_opts(dir, git2::RepositoryInitOptions::new().initial_head("main"))
            .map_err(setup)?;
    let mut index = repo.index().map_err(setup)?;
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .map_err(setup)?;
    index.write().map_err(setup)?;
    let tree = repo
        .find_tree(index.write_tree().map_err(setup)?)
        .map_err(setup)?;
    let sig = git2::Signature::now("bench", "bench@localhost").map_err(setup)?;
    repo.commit(Some("HEAD"), &sig, &sig, "bench", &tree, &[])
        .map_err(setup)?;
    Ok(format!("file://{}", dir.display()))
}

async fn create(
    client: &kube::Client,
    ar: &kube::api::ApiResource,
    obj: Value,
) -> Result<(), BenchError> {
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
        .to_string();
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, ar);
    api.patch(
        &name,
        &PatchParams::apply("bench").force(),
        &Patch::Apply(&obj),
    )
    .await
    .map_err(setup)?;
    Ok(())
}

fn crd_resource() -> kube::api::ApiResource {
    kube::api::ApiResource {
        group: "apiextensions.k8s.io".into(),
        version: "v1".into(),
        api_version: "apiextensions.k8s.io/v1".into(),
        kind: "CustomResourceDefinition".into(),
        plural: "customresourcedefinitions".into(),
    }
}

/// Run the benchmark in `work_dir` (must be empty and writable).
pub async fn run(
    work_dir: &Path,
    n: usize,
    m: usize,
    timeout: Duration,
) -> Result<BenchReport, BenchError> {
    let store = Store::in_memory();
    let client = crate::store::http::in_process_client(store);
    let crds: Api<DynamicObject> = Api::all_with(client.clone(), &crd_resource());
    for crd in crate::api::crds::embedded() {
        let obj: DynamicObject = serde_json::from_value(crd).map_err(setup)?;
        crds.create(&PostParams::default(), &obj)
            .await
            .map_err(setup)?;
    }
    let url = write_repo(&work_dir.join("repo"), n, m)?;
    let mut opts = ControllerOptions::new(work_dir.join("data"), true);
    opts.rollout_delay = Duration::ZERO;
    opts.concurrency = 16;
    let handle = run_all(client.clone(), opts).await.map_err(setup)?;
    let mut telemetry = handle.bus.subscribe();
    create(
        &client,
        &source_git::resource(),
        json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "bench", "namespace": "default"},
        "spec": {"interval": "1h", "url": url, "ref": {"branch": "main"}}}),
    )
    .await?;
    let started = Instant::now();
    for i in 0..n {
        create(&client, &kustomize::resource(), json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": format!("app-{i}"), "namespace": "default"},
            "spec": {"interval": "1h", "prune": true, "wait": true, "path": format!("./apps/app-{i}"),
                     "sourceRef": {"kind": "GitRepository", "name": "bench"}}})).await?;
    }
    let mut phases: BTreeMap<&'static str, Duration> = BTreeMap::new();
    let mut ready = std::collections::HashSet::new();
    let mut reconciles = 0;
    let mut first_ready = Duration::ZERO;
    let mut outcomes: BTreeMap<&'static str, usize> = BTreeMap::new();
    let deadline = started + timeout;
    while ready.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, telemetry.recv()).await {
            Err(_) => {
                return Err(BenchError::Timeout {
                    waited: timeout,
                    ready: ready.len(),
                    total: n,
                });
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            Ok(Err(_)) => return Err(setup("telemetry bus closed")),
            Ok(Ok(Telemetry::Finished {
                controller: "kustomize-controller",
                object,
                outcome,
                phases: p,
                ..
            })) => {
                reconciles += 1;
                *outcomes.entry(outcome).or_default() += 1;
                for (name, d) in p {
                    *phases.entry(name).or_default() += d;
                }
                if outcome == "Ready" {
                    if ready.is_empty() {
                        first_ready = started.elapsed();
                    }
                    ready.insert(object.name);
                }
            }
            Ok(Ok(_)) => {}
        }
    }
    Ok(BenchReport {
        kustomizations: n,
        objects_each: m,
        total: started.elapsed(),
        first_ready,
        phases,
        reconciles,
        outcomes,
    })
}

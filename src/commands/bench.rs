//! `fluxdeck bench …`: benchmark helpers that print figures (never timed tests). `seed` fills
//! the connected cluster with Flux objects in realistic status shapes, through the API, so the
//! CLI and the console can be measured against a `fluxdeck server` side by side with other tools.

use std::time::Instant;

use futures::{StreamExt, stream};
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::{CommandError, Ctx};
use crate::cluster::kinds::KindName;

/// Kinds seeded, in rotation.
const KINDS: &[(&str, &str)] = &[
    ("kustomize.toolkit.fluxcd.io", "Kustomization"),
    ("source.toolkit.fluxcd.io", "GitRepository"),
    ("helm.toolkit.fluxcd.io", "HelmRelease"),
    ("source.toolkit.fluxcd.io", "HelmRepository"),
];

/// A Flux object of `kind` with spec and status as its controller would leave them.
pub fn seed_object(kind: &str, api_version: &str, ns: &str, i: usize) -> (Value, Value) {
    let name = format!("{}-{i:05}", kind.to_ascii_lowercase());
    let failing = i % 17 == 0;
    let rev = format!("main@sha1:{:040x}", i as u128 * 7919);
    let spec = match kind {
        "Kustomization" => json!({"interval": "10m", "path": format!("./apps/{i}"), "prune": true,
                                  "sourceRef": {"kind": "GitRepository", "name": format!("gitrepository-{:05}", i + 1)}}),
        "GitRepository" => {
            json!({"interval": "1m", "url": format!("https://git.example/team/{i}"), "ref": {"branch": "main"}})
        }
        "HelmRelease" => {
            json!({"interval": "10m", "chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}})
        }
        _ => json!({"interval": "1h", "url": "https://charts.example"}),
    };
    let ready = if failing {
        json!({"type": "Ready", "status": "False", "reason": "BuildFailed", "message": format!("kustomize build failed: accumulating resources from './apps/{i}'"), "observedGeneration": 1, "lastTransitionTime": "2026-01-01T00:00:00Z"})
    } else {
        json!({"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": format!("Applied revision: {rev}"), "observedGeneration": 1, "lastTransitionTime": "2026-01-01T00:00:00Z"})
    };
    let status = json!({"observedGeneration": 1, "lastAppliedRevision": rev, "lastAttemptedRevision": rev,
        "artifact": {"revision": rev, "path": "x", "url": "http://x", "digest": "sha256:00", "lastUpdateTime": "2026-01-01T00:00:00Z"},
        "conditions": [ready]});
    let obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": ns}, "spec": spec});
    (obj, status)
}

/// Create `count` Flux objects spread over `namespaces` namespaces, 64 writes in flight.
pub async fn seed(ctx: &Ctx, count: usize, namespaces: usize) -> Result<i32, CommandError> {
    let served = ctx.served().await?;
    let started = Instant::now();
    let ns_api: Api<DynamicObject> = Api::all_with(
        ctx.client.clone(),
        &served
            .resolve(&KindName {
                group: String::new(),
                kind: "Namespace".into(),
            })?
            .0,
    );
    for n in 0..namespaces {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": format!("bench-{n:02}")}});
        let obj: DynamicObject =
            serde_json::from_value(ns).map_err(|e| CommandError::Render(e.to_string()))?;
        let _ = ns_api.create(&PostParams::default(), &obj).await;
    }
    let mut resources = Vec::new();
    for (group, kind) in KINDS {
        resources.push(
            served
                .resolve(&KindName {
                    group: group.to_string(),
                    kind: kind.to_string(),
                })?
                .0,
        );
    }
    let client = ctx.client.clone();
    let results: Vec<Result<(), kube::Error>> = stream::iter(0..count)
        .map(|i| {
            let ar = resources[i % resources.len()].clone();
            let ns = format!("bench-{:02}", i % namespaces.max(1));
            let client = client.clone();
            async move {
                let (obj, status) = seed_object(&ar.kind, &ar.api_version, &ns, i);
                let api: Api<DynamicObject> = Api::namespaced_with(client, &ns, &ar);
                let name = obj
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                api.patch(
                    &name,
                    &PatchParams::apply("fluxdeck-bench").force(),
                    &Patch::Apply(&obj),
                )
                .await?;
                api.patch_status(
                    &name,
                    &PatchParams::default(),
                    &Patch::Merge(&json!({ "status": status })),
                )
                .await?;
                Ok(())
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
        eprintln!("first failure: {e}");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "seeded {} Flux objects in {namespaces} namespaces in {secs:.2}s ({:.0} objects/s), {failed} failed",
        count - failed,
        (count - failed) as f64 / secs
    );
    Ok(if failed == 0 { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_objects_have_flux_status_shapes() {
        let (obj, status) = seed_object(
            "Kustomization",
            "kustomize.toolkit.fluxcd.io/v1",
            "bench-00",
            3,
        );
        assert_eq!(obj["metadata"]["name"], "kustomization-00003");
        assert_eq!(status["conditions"][0]["type"], "Ready");
        let (_, failing) = seed_object(
            "GitRepository",
            "source.toolkit.fluxcd.io/v1",
            "bench-00",
            17,
        );
        assert_eq!(failing["conditions"][0]["status"], "False");
    }
}

/// `fluxdeck bench drift`: compare `n` live/dry-run object pairs (Deployments, a tenth of them
/// drifted, plus Secrets), render the text report and the diff-pane view, and report the time.
pub fn drift(n: usize) -> String {
    use crate::engine::diff::{self, Report, render, unified};
    let pairs: Vec<(Value, Value)> = (0..n)
        .map(|i| {
            let obj = |image: &str, rv: &str| {
                json!({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": format!("app-{i:05}"), "namespace": format!("team-{}", i % 10),
                        "resourceVersion": rv, "uid": format!("uid-{i}"), "generation": 3,
                        "labels": {"app": format!("app-{i}"), "kustomize.toolkit.fluxcd.io/name": "apps"},
                        "managedFields": [{"manager": "kustomize-controller", "operation": "Apply"}]},
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": format!("app-{i}")}},
                        "template": {"metadata": {"labels": {"app": format!("app-{i}")}},
                            "spec": {"containers": [{"name": "app", "image": image,
                                "ports": [{"name": "http", "containerPort": 8080}],
                                "env": [{"name": "MODE", "value": "prod"}, {"name": "LEVEL", "value": "info"}]}]}}},
                    "status": {"replicas": 2, "readyReplicas": 2}})
            };
            let live = obj("ghcr.io/example/app:1.0.0", "7");
            let dry = if i % 10 == 0 { obj("ghcr.io/example/app:1.1.0", "7") } else { obj("ghcr.io/example/app:1.0.0", "7") };
            (live, dry)
        })
        .collect();
    let started = Instant::now();
    let report = Report {
        objects: pairs
            .iter()
            .map(|(live, dry)| diff::compare(dry, Some(dry), Some(live)))
            .collect(),
    };
    let text = render::text(&report);
    let view = unified::view(&report, 3, false);
    let took = started.elapsed();
    let c = report.counts();
    format!(
        "drift: {n} objects compared in {:.1} ms ({} drifted, {} unchanged; {} bytes of report, {} pane entries)",
        took.as_secs_f64() * 1000.0,
        c.drifted,
        c.unchanged,
        text.len(),
        view.len()
    )
}

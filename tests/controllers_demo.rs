//! End to end: the demo fleet (a real Git repository from src/app/demo.rs plus the bootstrap
//! objects) reconciles to Ready in the embedded store, except the checkout app, whose
//! simulated rollout fails on purpose.

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::app::demo;
use fluxdeck::controllers::{ControllerOptions, kustomize, run_all, source_git};
use fluxdeck::engine::kstatus::Status;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(90);

fn resource_of(obj: &Value) -> ApiResource {
    let api_version = obj["apiVersion"].as_str().unwrap();
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let kind = obj["kind"].as_str().unwrap();
    let plural = match kind {
        "GitRepository" => "gitrepositories".to_string(),
        other => format!("{}s", other.to_lowercase()),
    };
    ar(group, version, kind, &plural)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fleet_reconciles_except_the_failing_drill() {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::from_millis(50);
    let _handle = run_all(client.clone(), opts).await.unwrap();
    let url = demo::create_repo(&data.path().join("demo-fleet")).unwrap();
    for obj in demo::bootstrap_objects(&url).unwrap() {
        let r = resource_of(&obj);
        let name = obj["metadata"]["name"].as_str().unwrap().to_string();
        let api: Api<DynamicObject> = match obj["metadata"]["namespace"].as_str() {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &r),
            None => Api::all_with(client.clone(), &r),
        };
        api.patch(
            &name,
            &PatchParams::apply("fluxdeck-bootstrap").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap();
    }
    let repo = wait_for(
        &client,
        &source_git::resource(),
        "flux-system",
        "flux-system",
        WAIT,
        |o| ready_status(o) == Some("True"),
    )
    .await;
    assert_eq!(kstatus(&repo), Status::Current);
    let r = kustomize::resource();
    for name in ["flux-system", "infra-controllers", "infra-configs", "apps"] {
        let ks = wait_for(&client, &r, "flux-system", name, WAIT, |o| {
            ready_status(o) == Some("True")
        })
        .await;
        assert_eq!(kstatus(&ks), Status::Current, "{name}");
        assert_eq!(
            ks["status"]["lastAppliedRevision"],
            repo["status"]["artifact"]["revision"]
        );
    }
    let checkout = wait_for(&client, &r, "flux-system", "checkout", WAIT, |o| {
        condition(o, "Ready").is_some_and(|c| c["reason"] == "HealthCheckFailed")
    })
    .await;
    let msg = condition(&checkout, "Ready").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains("Deployment/checkout/checkout"), "{msg}");
    assert_eq!(kstatus(&checkout), Status::InProgress);
    // Substitution from the cluster-vars ConfigMap and inline vars reached the objects.
    let deploy = get(
        &client,
        &ar("apps", "v1", "Deployment", "deployments"),
        "podinfo",
        "podinfo",
    )
    .await
    .unwrap();
    assert_eq!(deploy["spec"]["replicas"], 2);
    assert_eq!(deploy["metadata"]["labels"]["environment"], "demo");
    assert_eq!(kstatus(&deploy), Status::Current);
    let ingress = get(
        &client,
        &ar("networking.k8s.io", "v1", "Ingress", "ingresses"),
        "podinfo",
        "podinfo",
    )
    .await
    .unwrap();
    assert_eq!(
        ingress["spec"]["rules"][0]["host"],
        "podinfo.demo.fluxdeck.local"
    );
}

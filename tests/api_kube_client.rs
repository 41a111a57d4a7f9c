//! `kube::Api<K>` works with the typed Flux structs: request paths come from their
//! `kube::Resource` impls and responses decode into them (an in-memory tower service stands
//! in for the API server).

use fluxdeck::api::helm::HelmRelease;
use fluxdeck::api::kustomize::Kustomization;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

fn kustomization() -> Value {
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": "apps", "namespace": "flux-system", "resourceVersion": "7"},
           "spec": {"interval": "10m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                    "futureField": {"kept": true}},
           "status": {"observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True",
                      "lastTransitionTime": "2024-01-01T00:00:00Z", "reason": "ReconciliationSucceeded", "message": "ok"}]}})
}

/// Answers every request with `reply` and records `METHOD path?query`.
fn client(reply: Value, seen: Arc<Mutex<Vec<String>>>) -> kube::Client {
    let service = tower::service_fn(move |req: http::Request<kube::client::Body>| {
        let reply = reply.clone();
        let seen = seen.clone();
        async move {
            seen.lock()
                .unwrap()
                .push(format!("{} {}", req.method(), req.uri()));
            let body = serde_json::to_vec(&reply).unwrap();
            Ok::<_, std::convert::Infallible>(
                http::Response::builder()
                    .header("content-type", "application/json")
                    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                    .unwrap(),
            )
        }
    });
    kube::Client::new(service, "default")
}

#[tokio::test]
async fn typed_get_list_and_patch_go_to_the_flux_paths() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let api: Api<Kustomization> =
        Api::namespaced(client(kustomization(), seen.clone()), "flux-system");
    let ks = api.get("apps").await.unwrap();
    assert!(ks.spec.prune);
    assert_eq!(ks.spec.extra["futureField"], json!({"kept": true}));
    assert!(fluxdeck::api::meta::conditions::is_true(
        ks.status.as_ref().unwrap().conditions.as_deref().unwrap(),
        "Ready"
    ));

    let patch = json!({"spec": {"suspend": true}});
    api.patch("apps", &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .unwrap();

    let list = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "KustomizationList",
                      "metadata": {"resourceVersion": "9"}, "items": [kustomization()]});
    let all: Api<Kustomization> = Api::all(client(list, seen.clone()));
    let items = all.list(&ListParams::default()).await.unwrap();
    assert_eq!(items.items.len(), 1);

    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0],
        "GET /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps"
    );
    assert!(seen[1].starts_with(
        "PATCH /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps"
    ));
    assert!(seen[2].starts_with("GET /apis/kustomize.toolkit.fluxcd.io/v1/kustomizations"));
}

#[tokio::test]
async fn helm_releases_use_the_v2_path() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hr = json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                    "metadata": {"name": "podinfo", "namespace": "apps"},
                    "spec": {"interval": "5m", "chartRef": {"kind": "OCIRepository", "name": "podinfo"}}});
    let api: Api<HelmRelease> = Api::namespaced(client(hr, seen.clone()), "apps");
    let got = api.get("podinfo").await.unwrap();
    assert_eq!(got.spec.chart_ref.unwrap().kind, "OCIRepository");
    assert_eq!(
        seen.lock().unwrap()[0],
        "GET /apis/helm.toolkit.fluxcd.io/v2/namespaces/apps/helmreleases/podinfo"
    );
}

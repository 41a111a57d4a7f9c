//! CRD objects are pruned, defaulted and validated against their schema (the Flux CRDs).

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::{Value, json};

fn wo(validation: Option<&str>) -> WriteOptions {
    WriteOptions {
        field_manager: Some("t".into()),
        field_validation: validation.map(str::to_string),
        ..Default::default()
    }
}

async fn flux_store() -> Store {
    let s = Store::in_memory();
    let crds = s
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .unwrap();
    for crd in fluxdeck::api::crds::embedded() {
        let made = s.create(&crds, None, crd, &wo(None)).await.unwrap();
        let established = made["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True");
        assert!(established, "{} not established", made["metadata"]["name"]);
    }
    s
}

fn kustomization(spec: Value) -> Value {
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "apps"}, "spec": spec})
}

#[tokio::test]
async fn flux_objects_are_validated_pruned_and_defaulted() {
    let s = flux_store().await;
    let ks = s
        .resolve("kustomize.toolkit.fluxcd.io", "v1", "kustomizations")
        .unwrap();
    assert!(ks.short_names.contains(&"ks".to_string()));
    assert!(ks.printer_columns.iter().any(|c| c.name == "Ready"));

    let err = s
        .create(
            &ks,
            Some("default"),
            kustomization(
                json!({"interval": "5m", "sourceRef": {"kind": "GitRepository", "name": "repo"}}),
            ),
            &wo(Some("Strict")),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 422);
    assert!(
        err.to_string().contains("spec.prune: Required value"),
        "{err}"
    );
    let StoreError::Invalid { causes, .. } = &err else {
        panic!("expected Invalid")
    };
    assert_eq!(causes[0].field, "spec.prune");

    let spec = json!({"interval": "5m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "repo"}, "bogus": 1});
    let err = s
        .create(
            &ks,
            Some("default"),
            kustomization(spec.clone()),
            &wo(Some("Strict")),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 422);
    assert!(err.to_string().contains("bogus"), "{err}");

    let made = s
        .create(&ks, Some("default"), kustomization(spec), &wo(Some("Warn")))
        .await
        .unwrap();
    assert!(
        made["spec"].get("bogus").is_none(),
        "unknown fields are pruned under Warn"
    );
    assert_eq!(made["spec"]["force"], false, "schema defaults are applied");
    assert_eq!(
        made["status"]["observedGeneration"], -1,
        "status defaults show as on a real cluster"
    );
    assert_eq!(made["metadata"]["name"], "apps");

    let bad = s
        .create(
            &ks,
            Some("default"),
            json!({"metadata": {"name": "x"}}),
            &wo(Some("Sometimes")),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), 400);
}

//! Cross-cutting semantics: multi-version CRDs, optimistic concurrency under contention,
//! access reviews, immutable metadata, request body checks.

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::json;

fn wo() -> WriteOptions {
    WriteOptions {
        field_manager: Some("t".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn crd_versions_share_objects() {
    let s = Store::in_memory();
    let crds = s
        .resolve("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .unwrap();
    let crd = json!({"metadata": {"name": "gitrepositories.source.toolkit.fluxcd.io"}, "spec": {"group": "source.toolkit.fluxcd.io",
        "scope": "Namespaced", "names": {"plural": "gitrepositories", "kind": "GitRepository", "shortNames": ["gitrepo"], "categories": ["flux"]},
        "versions": [
            {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}}},
            {"name": "v1beta2", "served": true, "storage": false, "subresources": {"status": {}}}]}});
    s.create(&crds, None, crd, &wo()).await.unwrap();
    let v1 = s
        .resolve("source.toolkit.fluxcd.io", "v1", "gitrepositories")
        .unwrap();
    let beta = s
        .resolve("source.toolkit.fluxcd.io", "v1beta2", "gitrepositories")
        .unwrap();
    assert_eq!(v1.categories, ["flux"]);
    assert!(
        s.resource_types()
            .iter()
            .any(|t| t.version == "v1beta2" && t.plural == "gitrepositories")
    );
    let made = s
        .create(
            &beta,
            Some("default"),
            json!({"apiVersion": "source.toolkit.fluxcd.io/v1beta2", "kind": "GitRepository",
        "metadata": {"name": "repo"}, "spec": {"interval": "1m"}}),
            &wo(),
        )
        .await
        .unwrap();
    assert_eq!(made["apiVersion"], "source.toolkit.fluxcd.io/v1beta2");
    let as_v1 = s.get(&v1, Some("default"), "repo").unwrap();
    assert_eq!(as_v1["apiVersion"], "source.toolkit.fluxcd.io/v1");
    assert_eq!(as_v1["spec"]["interval"], "1m");
    assert_eq!(
        s.list(&v1, None, &ListOptions::default())
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        s.resolve_kind("source.toolkit.fluxcd.io", "v1", "GitRepository")
            .unwrap()
            .plural,
        "gitrepositories"
    );
    // a CRD update that stops serving v1beta2 takes that version out of the catalog
    let mut crd = s
        .get(&crds, None, "gitrepositories.source.toolkit.fluxcd.io")
        .unwrap();
    crd["spec"]["versions"][1]["served"] = json!(false);
    let mut changes = s.catalog_changes();
    changes.borrow_and_update();
    s.replace(
        &crds,
        None,
        "gitrepositories.source.toolkit.fluxcd.io",
        crd,
        Subresource::Main,
        &wo(),
    )
    .await
    .unwrap();
    assert!(changes.has_changed().unwrap());
    assert!(
        s.resolve("source.toolkit.fluxcd.io", "v1beta2", "gitrepositories")
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimistic_concurrency_under_contention() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    s.create(
        &cms,
        Some("default"),
        json!({"metadata": {"name": "counter"}, "data": {"n": "0"}}),
        &wo(),
    )
    .await
    .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (s, cms) = (s.clone(), cms.clone());
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0;
            let mut done = 0;
            while done < 10 {
                let mut cur = s.get(&cms, Some("default"), "counter").unwrap();
                let n: u64 = cur["data"]["n"].as_str().unwrap().parse().unwrap();
                cur["data"]["n"] = json!((n + 1).to_string());
                match s
                    .replace(
                        &cms,
                        Some("default"),
                        "counter",
                        cur,
                        Subresource::Main,
                        &wo(),
                    )
                    .await
                {
                    Ok(_) => done += 1,
                    Err(e) if e.code() == 409 => conflicts += 1,
                    Err(e) => panic!("{e}"),
                }
                tokio::task::yield_now().await;
            }
            conflicts
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // every successful read-modify-write counted exactly once
    assert_eq!(
        s.get(&cms, Some("default"), "counter").unwrap()["data"]["n"],
        "160"
    );
}

#[tokio::test]
async fn access_reviews_are_allowed_and_not_stored() {
    let s = Store::in_memory();
    let ssar = s
        .resolve("authorization.k8s.io", "v1", "selfsubjectaccessreviews")
        .unwrap();
    assert_eq!(ssar.verbs, ["create"]);
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "patch", "resource": "kustomizations", "group": "kustomize.toolkit.fluxcd.io"}}});
    let out = s.create(&ssar, None, body, &wo()).await.unwrap();
    assert_eq!(out["status"]["allowed"], true);
    assert_eq!(out["spec"]["resourceAttributes"]["verb"], "patch");
}

#[tokio::test]
async fn server_owned_metadata_cannot_be_rewritten() {
    let s = Store::in_memory();
    let cms = s.resolve("", "v1", "configmaps").unwrap();
    let made = s
        .create(
            &cms,
            Some("default"),
            json!({"metadata": {"name": "m", "uid": "mine", "resourceVersion": "999",
        "creationTimestamp": "2000-01-01T00:00:00Z"}}),
            &wo(),
        )
        .await
        .unwrap();
    assert_ne!(made["metadata"]["uid"], "mine");
    assert_ne!(
        made["metadata"]["creationTimestamp"],
        "2000-01-01T00:00:00Z"
    );
    let mut edit = made.clone();
    edit["metadata"]["creationTimestamp"] = json!("2000-01-01T00:00:00Z");
    edit["metadata"]["generation"] = json!(40);
    edit["data"] = json!({"a": "b"});
    let after = s
        .replace(&cms, Some("default"), "m", edit, Subresource::Main, &wo())
        .await
        .unwrap();
    assert_eq!(
        after["metadata"]["creationTimestamp"],
        made["metadata"]["creationTimestamp"]
    );
    assert_eq!(after["metadata"]["generation"], 2);
    // a different uid in the body is a failed precondition
    let mut other = after.clone();
    other["metadata"]["uid"] = json!("someone-else");
    assert_eq!(
        s.replace(&cms, Some("default"), "m", other, Subresource::Main, &wo())
            .await
            .unwrap_err()
            .code(),
        409
    );
    // wrong kind or name in the body
    let wrong = json!({"kind": "Secret", "metadata": {"name": "m"}});
    assert_eq!(
        s.replace(&cms, Some("default"), "m", wrong, Subresource::Main, &wo())
            .await
            .unwrap_err()
            .code(),
        400
    );
    let renamed = json!({"metadata": {"name": "other"}});
    assert_eq!(
        s.replace(
            &cms,
            Some("default"),
            "m",
            renamed,
            Subresource::Main,
            &wo()
        )
        .await
        .unwrap_err()
        .code(),
        400
    );
    let mismatched_ns = json!({"metadata": {"name": "z", "namespace": "kube-system"}});
    assert_eq!(
        s.create(&cms, Some("default"), mismatched_ns, &wo())
            .await
            .unwrap_err()
            .code(),
        400
    );
}

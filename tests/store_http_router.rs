//! The Router answered directly (tower oneshot): discovery content negotiation, Tables,
//! OpenAPI, protobuf Accept fallback, Status errors, watch framing, SelfSubjectAccessReview.

use crate::store_http_support;

use axum::body::Body;
use fluxdeck::store::Store;
use fluxdeck::store::http::{BearerToken, router};
use http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Value,
    text: String,
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let body = match body {
        Some(v) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        body,
        text,
    }
}

async fn app_with_kustomizations() -> axum::Router {
    let app = router(Store::in_memory(), None);
    let text = std::fs::read_to_string(store_http_support::shared(
        store_http_support::KUSTOMIZATION_CRD,
    ))
    .unwrap();
    let crd = fluxdeck::engine::yaml::parse_documents(&text)
        .unwrap()
        .remove(0);
    let created = call(
        &app,
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &[],
        Some(crd),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let ns = call(
        &app,
        "POST",
        "/api/v1/namespaces",
        &[],
        Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}})),
    )
    .await;
    assert_eq!(ns.status, StatusCode::CREATED, "{}", ns.text);
    app
}

const V2: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

#[tokio::test]
async fn aggregated_discovery_reflects_new_crds_with_exact_content_type() {
    let app = router(Store::in_memory(), None);
    let before = call(&app, "GET", "/apis", &[("accept", V2)], None).await;
    assert_eq!(
        before.content_type,
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    );
    assert!(!before.text.contains("kustomize.toolkit.fluxcd.io"));
    let app = app_with_kustomizations().await;
    let after = call(&app, "GET", "/apis", &[("accept", V2)], None).await;
    let group = after.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["metadata"]["name"] == "kustomize.toolkit.fluxcd.io")
        .expect("Flux group listed");
    let resource = &group["versions"][0]["resources"][0];
    assert_eq!(resource["resource"], "kustomizations");
    assert_eq!(resource["shortNames"], json!(["ks"]));
    let beta = call(&app, "GET", "/api", &[("accept", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")], None).await;
    assert_eq!(
        beta.content_type,
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
    );
    assert_eq!(beta.body["items"][0]["metadata"]["name"], "");
    let legacy = call(
        &app,
        "GET",
        "/apis/kustomize.toolkit.fluxcd.io/v1",
        &[],
        None,
    )
    .await;
    assert_eq!(legacy.body["kind"], "APIResourceList");
    assert_eq!(
        call(&app, "GET", "/api", &[], None).await.body["versions"],
        json!(["v1"])
    );
    assert_eq!(
        call(&app, "GET", "/apis/nope.example.com", &[], None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn tables_for_flux_objects_and_protobuf_first_accept() {
    let app = app_with_kustomizations().await;
    let ks = json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "apps"},
        "spec": {"interval": "5m", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}});
    let base = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations";
    assert_eq!(
        call(&app, "POST", base, &[], Some(ks)).await.status,
        StatusCode::CREATED
    );
    let table = call(&app, "GET", base, &[("accept", TABLE)], None).await;
    assert_eq!(table.body["kind"], "Table");
    let columns: Vec<&str> = table.body["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(columns, ["Name", "Age", "Ready", "Status"]);
    assert_eq!(table.body["rows"][0]["cells"][0], "apps");
    assert_eq!(
        table.body["rows"][0]["object"]["kind"],
        "PartialObjectMetadata"
    );
    let full = call(
        &app,
        "GET",
        &format!("{base}?includeObject=Object"),
        &[("accept", TABLE)],
        None,
    )
    .await;
    assert_eq!(full.body["rows"][0]["object"]["spec"]["interval"], "5m");
    let proto = call(
        &app,
        "GET",
        &format!("{base}/apps"),
        &[(
            "accept",
            "application/vnd.kubernetes.protobuf,application/json",
        )],
        None,
    )
    .await;
    assert_eq!(proto.content_type, "application/json");
    assert_eq!(proto.body["kind"], "Kustomization");
    let meta = call(
        &app,
        "GET",
        base,
        &[(
            "accept",
            "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
        )],
        None,
    )
    .await;
    assert_eq!(meta.body["kind"], "PartialObjectMetadataList");
    assert!(meta.body["items"][0].get("spec").is_none());
}

#[tokio::test]
async fn errors_are_status_objects() {
    let app = app_with_kustomizations().await;
    let missing = call(
        &app,
        "GET",
        "/api/v1/namespaces/default/configmaps/nope",
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body["kind"], "Status");
    assert_eq!(missing.body["reason"], "NotFound");
    assert_eq!(missing.body["details"]["name"], "nope");
    let unknown = call(&app, "GET", "/apis/example.com/v1/widgets", &[], None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let mismatch = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "other"}});
    let bad = call(
        &app,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        &[],
        Some(mismatch),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    let wrong_type = call(
        &app,
        "PATCH",
        "/api/v1/namespaces/default/configmaps/x",
        &[("content-type", "text/plain")],
        None,
    )
    .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let not_allowed = call(
        &app,
        "PUT",
        "/api/v1/namespaces/default/configmaps",
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(not_allowed.status, StatusCode::METHOD_NOT_ALLOWED);
    let in_namespace = call(
        &app,
        "GET",
        "/api/v1/namespaces/default/namespaces",
        &[],
        None,
    )
    .await;
    assert_eq!(in_namespace.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn openapi_v3_lists_field_validation_for_every_write() {
    let app = app_with_kustomizations().await;
    let root = call(&app, "GET", "/openapi/v3", &[], None).await;
    let url = root.body["paths"]["apis/kustomize.toolkit.fluxcd.io/v1"]["serverRelativeURL"]
        .as_str()
        .unwrap()
        .to_string();
    let doc = call(&app, "GET", &url, &[], None).await.body;
    let mut writes = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for method in ["post", "put", "patch"] {
            if let Some(op) = item.get(method) {
                writes += 1;
                assert!(
                    op["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["name"] == "fieldValidation")
                );
                assert_eq!(
                    op["x-kubernetes-group-version-kind"]["kind"],
                    "Kustomization"
                );
            }
        }
    }
    assert_eq!(writes, 5);
    let schema = &doc["components"]["schemas"]["io.fluxcd.toolkit.kustomize.v1.Kustomization"];
    assert!(
        schema["properties"]["spec"]["properties"]["interval"].is_object(),
        "the CRD schema is published"
    );
    assert!(
        call(&app, "GET", "/openapi/v3/api/v1", &[], None)
            .await
            .body["paths"]
            .is_object()
    );
    assert_eq!(
        call(&app, "GET", "/openapi/v2", &[], None).await.status,
        StatusCode::NOT_FOUND
    );
    let version = call(&app, "GET", "/version", &[], None).await;
    assert_eq!(
        version.body["gitVersion"],
        fluxdeck::store::http::VERSION_GIT
    );
    assert_eq!(call(&app, "GET", "/healthz", &[], None).await.text, "ok");
}

#[tokio::test]
async fn watch_streams_json_lines_and_ends_at_timeout() {
    let app = router(Store::in_memory(), None);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w"}, "data": {"a": "1"}});
    assert_eq!(
        call(
            &app,
            "POST",
            "/api/v1/namespaces/default/configmaps",
            &[],
            Some(cm)
        )
        .await
        .status,
        StatusCode::CREATED
    );
    let watch = call(
        &app,
        "GET",
        "/api/v1/namespaces/default/configmaps?&watch=true&timeoutSeconds=1",
        &[],
        None,
    )
    .await;
    let events: Vec<Value> = watch
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 1, "{}", watch.text);
    assert_eq!(events[0]["type"], "ADDED");
    assert_eq!(events[0]["object"]["metadata"]["name"], "w");
    let table = call(
        &app,
        "GET",
        "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1",
        &[("accept", TABLE)],
        None,
    )
    .await;
    let event: Value = serde_json::from_str(table.text.lines().next().unwrap()).unwrap();
    assert_eq!(event["object"]["kind"], "Table");
    assert_eq!(
        event["object"]["rows"][0]["cells"][1], 1,
        "the DATA column counts keys"
    );
}

#[tokio::test]
async fn self_subject_access_review_allows_everything_and_token_is_enforced() {
    let token = BearerToken::generate();
    let app = router(Store::in_memory(), Some(token.clone()));
    let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {"verb": "delete", "resource": "kustomizations", "namespace": "flux-system"}}});
    let auth = format!("Bearer {}", token.as_str());
    let allowed = call(
        &app,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        &[("authorization", &auth)],
        Some(review.clone()),
    )
    .await;
    assert_eq!(allowed.status, StatusCode::CREATED);
    assert_eq!(allowed.body["status"]["allowed"], true);
    let refused = call(
        &app,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        &[],
        Some(review),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.body["reason"], "Unauthorized");
    assert_eq!(
        call(
            &app,
            "GET",
            "/api/v1/namespaces",
            &[("authorization", "Bearer wrong")],
            None
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "GET", "/version", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&app, "GET", "/readyz", &[], None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn watch_from_a_compacted_version_gets_410_expired_event() {
    let config = fluxdeck::store::StoreConfig {
        event_window: 2,
        ..Default::default()
    };
    let app = router(Store::in_memory_with(config), None);
    for i in 0..6 {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm{i}")}});
        assert_eq!(
            call(
                &app,
                "POST",
                "/api/v1/namespaces/default/configmaps",
                &[],
                Some(cm)
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let watch = call(
        &app,
        "GET",
        "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=2",
        &[],
        None,
    )
    .await;
    assert_eq!(watch.status, StatusCode::OK);
    let events: Vec<Value> = watch
        .text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = events.last().expect("an ERROR event");
    assert_eq!(last["type"], "ERROR", "{}", watch.text);
    assert_eq!(last["object"]["kind"], "Status");
    assert_eq!(last["object"]["code"], 410);
    assert_eq!(last["object"]["reason"], "Expired");
}

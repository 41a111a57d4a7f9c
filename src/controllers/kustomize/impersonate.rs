//! `spec.serviceAccountName` (SPEC §6.7): the apply, prune and health checks of a
//! Kustomization go out as its ServiceAccount, with `Impersonate-User:
//! system:serviceaccount:NS:NAME` on every request, so a real API server enforces that
//! account's RBAC. The ServiceAccount must exist: a missing one is reported by name instead of
//! surfacing later as an opaque 403 (or, in the embedded store, being silently ignored).

use http::HeaderValue;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use serde_json::Value;

use crate::controllers::runtime::Failure;

/// The user name Kubernetes gives a ServiceAccount.
pub fn service_account_user(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// A client sending every request through `base` with `Impersonate-User: user`.
pub fn impersonating(base: &kube::Client, user: &str) -> Result<kube::Client, Failure> {
    let value = HeaderValue::from_str(user).map_err(|e| {
        Failure::new(
            "ReconciliationFailed",
            format!("spec.serviceAccountName: '{user}' is not a valid user name: {e}"),
        )
    })?;
    let inner = base.clone();
    let service = tower::service_fn(move |mut req: http::Request<kube::client::Body>| {
        let inner = inner.clone();
        let value = value.clone();
        async move {
            req.headers_mut().insert("Impersonate-User", value);
            inner.send(req).await
        }
    });
    Ok(kube::Client::new(
        service,
        base.default_namespace().to_string(),
    ))
}

/// The client the apply of `ks` uses: impersonating its ServiceAccount when one is named.
pub async fn applier(
    base: &kube::Client,
    ks: &Value,
    namespace: &str,
) -> Result<kube::Client, Failure> {
    let Some(name) = ks
        .pointer("/spec/serviceAccountName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Ok(base.clone());
    };
    let found = Api::<ServiceAccount>::namespaced(base.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| {
            Failure::new(
                "ReconciliationFailed",
                format!(
                    "cannot get ServiceAccount '{namespace}/{name}' (spec.serviceAccountName): {e}"
                ),
            )
        })?;
    if found.is_none() {
        return Err(Failure::new(
            "ReconciliationFailed",
            format!(
                "ServiceAccount '{namespace}/{name}' not found (spec.serviceAccountName): create it in namespace '{namespace}' or remove spec.serviceAccountName"
            ),
        ));
    }
    impersonating(base, &service_account_user(namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn every_request_carries_the_impersonation_header() {
        let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
        let record = seen.clone();
        let api = tower::service_fn(move |req: http::Request<kube::client::Body>| {
            let record = record.clone();
            async move {
                let user = req
                    .headers()
                    .get("Impersonate-User")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                record.lock().unwrap().push(user);
                Ok::<_, std::convert::Infallible>(
                    http::Response::builder()
                        .header("content-type", "application/json")
                        .body(kube::client::Body::from(b"{}".to_vec()))
                        .unwrap(),
                )
            }
        });
        let base = kube::Client::new(api, "default");
        let user = service_account_user("apps", "deployer");
        let client = impersonating(&base, &user).unwrap();
        for _ in 0..2 {
            let req = http::Request::get("/api/v1/namespaces/apps/configmaps/x")
                .body(Vec::new())
                .unwrap();
            client.request_text(req).await.unwrap();
        }
        base.request_text(http::Request::get("/version").body(Vec::new()).unwrap())
            .await
            .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                Some("system:serviceaccount:apps:deployer".to_string()),
                Some("system:serviceaccount:apps:deployer".to_string()),
                None
            ]
        );
    }
}

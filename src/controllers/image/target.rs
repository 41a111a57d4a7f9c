//! Where an ImageUpdateAutomation reads and writes Git: the GitRepository of spec.sourceRef
//! (URL, credentials from its secretRef), the checkout branch (spec.git.checkout.ref.branch,
//! else the GitRepository's branch) and the push branch (spec.git.push.branch, else the
//! checkout branch). Shared by the controller and the console's push-branch approvals.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::gitwork::GitTarget;
use crate::controllers::runtime::{Failure, Outcome};
use crate::controllers::source_git::auth::GitAuth;

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn source_failure(message: String) -> Outcome {
    Outcome::Retry(Failure::new("SourceManagerFailed", message))
}

/// Resolve the Git target of the automation `spec` in namespace `namespace`.
pub async fn resolve(
    client: &kube::Client,
    namespace: &str,
    spec: &Value,
) -> Result<GitTarget, Outcome> {
    let kind = text(spec, "/sourceRef/kind").unwrap_or("GitRepository");
    if kind != "GitRepository" {
        return Err(Outcome::Stalled(Failure::new(
            "InvalidSourceConfiguration",
            format!("spec.sourceRef.kind '{kind}' is not supported: only GitRepository"),
        )));
    }
    let name = text(spec, "/sourceRef/name").unwrap_or("");
    let ns = text(spec, "/sourceRef/namespace")
        .unwrap_or(namespace)
        .to_string();
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        &ns,
        &crate::controllers::source_git::resource(),
    );
    let repo = match api.get_opt(name).await {
        Ok(Some(r)) => serde_json::to_value(r).unwrap_or(Value::Null),
        Ok(None) => {
            return Err(source_failure(format!(
                "failed configuring source manager: GitRepository '{ns}/{name}' (spec.sourceRef) not found"
            )));
        }
        Err(e) => {
            return Err(source_failure(format!(
                "failed configuring source manager: cannot read GitRepository '{ns}/{name}': {e}"
            )));
        }
    };
    let url = text(&repo, "/spec/url").unwrap_or("").to_string();
    let mut auth = GitAuth::default();
    if let Some(secret) = text(&repo, "/spec/secretRef/name") {
        let api: Api<Secret> = Api::namespaced(client.clone(), &ns);
        let s = api.get(secret).await.map_err(|e| {
            source_failure(format!(
                "failed configuring source manager: failed to get secret '{ns}/{secret}': {e}"
            ))
        })?;
        let data: BTreeMap<String, Vec<u8>> = s
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect();
        auth = GitAuth::from_secret_data(&data);
    }
    let checkout = if spec.pointer("/git/checkout").is_some() {
        text(spec, "/git/checkout/ref/branch")
    } else {
        text(&repo, "/spec/ref/branch")
    };
    let push = text(spec, "/git/push/branch").or(checkout);
    let Some(push) = push else {
        return Err(source_failure(
            "failed configuring source manager: push spec not provided, and cannot be inferred from .spec.git.checkout.ref or GitRepository .spec.ref".into(),
        ));
    };
    Ok(GitTarget {
        url,
        auth,
        checkout_branch: checkout.unwrap_or(push).to_string(),
        push_branch: push.to_string(),
    })
}

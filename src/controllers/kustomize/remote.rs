//! `spec.kubeConfig` (SPEC §6.1, §6.3 step 5): a Kustomization may apply, prune and
//! health-check its objects in another cluster, reached through a kubeconfig kept in a Secret
//! of the Kustomization's namespace. Sources, dependencies, `postBuild.substituteFrom` and
//! decryption keys are still read from the cluster the controller runs in.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::config::Kubeconfig;
use serde_json::Value;

use super::apply::Resolver;
use super::impersonate;
use crate::controllers::runtime::Failure;

/// Where one reconcile writes: a client and the resolver of that cluster's API resources.
pub struct Target {
    pub client: kube::Client,
    pub resolver: Resolver,
}

fn failure(message: String) -> Failure {
    Failure::new("ReconciliationFailed", message)
}

/// The kubeconfig text from the Secret's data: `key` when given, else `value`, else
/// `value.yaml` (kustomize-controller's defaults).
pub fn kubeconfig_text(
    data: &BTreeMap<String, Vec<u8>>,
    secret_id: &str,
    key: Option<&str>,
) -> Result<String, String> {
    let bytes = match key {
        Some(k) => data.get(k).ok_or_else(|| {
            format!(
                "KubeConfig Secret '{secret_id}' does not contain a '{k}' key with a kubeconfig (spec.kubeConfig.secretRef.key)"
            )
        })?,
        None => data.get("value").or_else(|| data.get("value.yaml")).ok_or_else(|| {
            format!(
                "KubeConfig Secret '{secret_id}' does not contain a 'value' key with a kubeconfig (spec.kubeConfig.secretRef): add one or set spec.kubeConfig.secretRef.key"
            )
        })?,
    };
    String::from_utf8(bytes.clone())
        .map_err(|_| format!("KubeConfig Secret '{secret_id}': the kubeconfig is not UTF-8 text"))
}

async fn remote_client(
    base: &kube::Client,
    kc: &Value,
    namespace: &str,
) -> Result<kube::Client, Failure> {
    if kc.get("configMapRef").is_some() {
        return Err(failure(
            "spec.kubeConfig.configMapRef (cloud workload identity) is not supported: use spec.kubeConfig.secretRef".to_string(),
        ));
    }
    let name = kc
        .pointer("/secretRef/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| failure("spec.kubeConfig.secretRef.name is required".to_string()))?;
    let key = kc
        .pointer("/secretRef/key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty());
    let id = format!("{namespace}/{name}");
    let secret = Api::<Secret>::namespaced(base.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| {
            failure(format!(
                "cannot get KubeConfig Secret '{id}' (spec.kubeConfig.secretRef): {e}"
            ))
        })?
        .ok_or_else(|| {
            failure(format!(
                "KubeConfig Secret '{id}' not found (spec.kubeConfig.secretRef): create it in namespace '{namespace}' with the kubeconfig under key 'value'"
            ))
        })?;
    let data: BTreeMap<String, Vec<u8>> = secret
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.0))
        .chain(
            secret
                .string_data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes())),
        )
        .collect();
    let text = kubeconfig_text(&data, &id, key).map_err(failure)?;
    let parsed = Kubeconfig::from_yaml(&text).map_err(|e| {
        failure(format!(
            "KubeConfig Secret '{id}': the kubeconfig cannot be parsed: {e}"
        ))
    })?;
    let label = format!("Secret {id}");
    let (client, _, _) = crate::cluster::connect::kubeconfig_client(&label, parsed, None)
        .await
        .map_err(|e| {
            failure(format!(
                "failed to build a client from KubeConfig Secret '{id}': {e}"
            ))
        })?;
    Ok(client)
}

/// The cluster `ks` writes to: the remote one of `spec.kubeConfig` or `base`, as
/// `spec.serviceAccountName` when set (impersonated in the target cluster, as Flux does).
pub async fn target(
    base: &kube::Client,
    base_resolver: &Resolver,
    ks: &Value,
    namespace: &str,
) -> Result<Target, Failure> {
    let (cluster, resolver) = match ks.pointer("/spec/kubeConfig").filter(|v| !v.is_null()) {
        Some(kc) => {
            let client = remote_client(base, kc, namespace).await?;
            let resolver = Resolver::new(client.clone());
            (client, resolver)
        }
        None => (base.clone(), base_resolver.clone()),
    };
    let client = impersonate::applier(&cluster, ks, namespace).await?;
    Ok(Target { client, resolver })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_keys_follow_flux_defaults() {
        let data = |pairs: &[(&str, &str)]| -> BTreeMap<String, Vec<u8>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect()
        };
        assert_eq!(
            kubeconfig_text(&data(&[("value", "a"), ("value.yaml", "b")]), "ns/s", None).unwrap(),
            "a"
        );
        assert_eq!(
            kubeconfig_text(&data(&[("value.yaml", "b")]), "ns/s", None).unwrap(),
            "b"
        );
        assert_eq!(
            kubeconfig_text(&data(&[("custom", "c")]), "ns/s", Some("custom")).unwrap(),
            "c"
        );
        let e = kubeconfig_text(&data(&[("other", "x")]), "ns/s", None).unwrap_err();
        assert!(e.contains("'ns/s'") && e.contains("'value'"), "{e}");
        let e = kubeconfig_text(&data(&[("value", "x")]), "ns/s", Some("custom")).unwrap_err();
        assert!(e.contains("'custom'"), "{e}");
    }
}

//! The builtin IAMPolicyGenerator: a ServiceAccount bound to a cloud identity. Only GKE
//! Workload Identity exists upstream: the account gets the `iam.gke.io/gcp-service-account`
//! annotation naming `NAME@PROJECT.iam.gserviceaccount.com`.

use super::resource::Resource;
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IamPolicyConfig {
    #[serde(default)]
    cloud: String,
    #[serde(default)]
    kubernetes_service: KubernetesService,
    #[serde(default)]
    service_account: CloudServiceAccount,
}

#[derive(Debug, Default, Deserialize)]
struct KubernetesService {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CloudServiceAccount {
    #[serde(default)]
    name: String,
    #[serde(default)]
    project_id: String,
}

/// Generate the ServiceAccount an IAMPolicyGenerator configuration describes.
pub fn generate(config: &Value) -> Result<Resource, String> {
    let c: IamPolicyConfig = serde_json::from_value(config.clone()).map_err(|e| e.to_string())?;
    if c.cloud != "gke" {
        return Err(format!(
            "cloud '{}' is not supported: IAMPolicyGenerator knows only 'gke'",
            c.cloud
        ));
    }
    if c.kubernetes_service.name.is_empty() {
        return Err("kubernetesService.name is required".into());
    }
    if c.service_account.name.is_empty() || c.service_account.project_id.is_empty() {
        return Err("serviceAccount.name and serviceAccount.projectId are required".into());
    }
    let mut metadata = Map::new();
    metadata.insert(
        "annotations".into(),
        json!({"iam.gke.io/gcp-service-account": format!(
            "{}@{}.iam.gserviceaccount.com",
            c.service_account.name, c.service_account.project_id
        )}),
    );
    metadata.insert("name".into(), json!(c.kubernetes_service.name));
    if !c.kubernetes_service.namespace.is_empty() {
        metadata.insert("namespace".into(), json!(c.kubernetes_service.namespace));
    }
    Ok(Resource::new(json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": metadata,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gke_account_is_annotated_with_its_cloud_identity() {
        let config = json!({
            "cloud": "gke",
            "kubernetesService": {"name": "app", "namespace": "ns"},
            "serviceAccount": {"name": "gsa", "projectId": "proj"},
        });
        let r = generate(&config).unwrap();
        assert_eq!(
            r.obj["metadata"]["annotations"]["iam.gke.io/gcp-service-account"],
            "gsa@proj.iam.gserviceaccount.com"
        );
        assert_eq!(r.obj["metadata"]["namespace"], "ns");
    }

    #[test]
    fn other_clouds_are_rejected() {
        assert!(generate(&json!({"cloud": "aws"})).is_err());
    }
}

//! The approval gate's proposals. An ImageUpdateAutomation annotated
//! `fluxdeck.io/approval: required` does not push; it records what it would commit in a
//! ConfigMap `fluxdeck-proposal-<automation>` in the automation's namespace, owned by the
//! automation. A ConfigMap because it is durable, visible to kubectl and other tools, is
//! garbage-collected with its owner, and holds a full diff (annotations are capped at 256 KiB
//! in total and status is overwritten on every reconcile).
//!
//! Decisions arrive as annotations on the automation (written by `fluxdeck approve|reject`
//! through the API): `fluxdeck.io/approve: <id>` or `fluxdeck.io/reject: <id>`, with
//! `fluxdeck.io/decided-by: <who>`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::engine::setters::Change;

pub const APPROVAL_ANNOTATION: &str = "fluxdeck.io/approval";
pub const APPROVE_ANNOTATION: &str = "fluxdeck.io/approve";
pub const REJECT_ANNOTATION: &str = "fluxdeck.io/reject";
pub const DECIDED_BY_ANNOTATION: &str = "fluxdeck.io/decided-by";
/// Label on every proposal ConfigMap; its value is the automation's name.
pub const PROPOSAL_LABEL: &str = "fluxdeck.io/proposal-for";

pub fn configmap_name(automation: &str) -> String {
    format!("fluxdeck-proposal-{automation}")
}

/// One proposed value change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedChange {
    pub file: String,
    pub object: String,
    pub setter: String,
    pub old: String,
    pub new: String,
}

impl From<&Change> for ProposedChange {
    fn from(c: &Change) -> ProposedChange {
        ProposedChange {
            file: c.file.clone(),
            object: c.object.to_string(),
            setter: c.setter.clone(),
            old: c.old_value.clone(),
            new: c.new_value.clone(),
        }
    }
}

/// What the automation would commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    /// The commit the change was computed on.
    pub base: String,
    pub branch: String,
    pub message: String,
    pub diff: String,
    pub changes: Vec<ProposedChange>,
    /// The policies' images the change applies (`namespace/name` → `name:tag[@digest]`).
    pub images: BTreeMap<String, String>,
    /// Why an approval could not be carried out (the proposal stays pending).
    pub blocked: Option<String>,
    /// When this change set was first proposed (RFC 3339; the pane's age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

/// The id of a change set: stable across a moving head, new when any new value differs.
pub fn proposal_id(changes: &[ProposedChange]) -> String {
    let mut keys: Vec<String> = changes
        .iter()
        .map(|c| format!("{}\0{}\0{}", c.file, c.setter, c.new))
        .collect();
    keys.sort();
    keys.dedup();
    let mut h = Sha256::new();
    for k in &keys {
        h.update(k.as_bytes());
        h.update(b"\n");
    }
    format!("{:x}", h.finalize())[..12].to_string()
}

/// A unified diff of every changed file (`a/<path>` → `b/<path>`).
pub fn unified_diff(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, text) in new {
        let before = old.get(path).map(String::as_str).unwrap_or("");
        let diff = similar::TextDiff::from_lines(before, text.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
    }
    out
}

/// The proposal ConfigMap's contents as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    pub pending: Option<Proposal>,
    /// Ids of rejected change sets (not proposed again).
    pub rejected: Vec<String>,
}

pub async fn load(
    client: &kube::Client,
    ns: &str,
    automation: &str,
) -> Result<Stored, kube::Error> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let Some(cm) = api.get_opt(&configmap_name(automation)).await? else {
        return Ok(Stored::default());
    };
    Ok(from_configmap(&cm))
}

pub fn from_configmap(cm: &ConfigMap) -> Stored {
    let data = cm.data.clone().unwrap_or_default();
    let pending = data
        .get("proposal")
        .and_then(|p| serde_json::from_str(p).ok());
    let rejected = data
        .get("rejected")
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    Stored { pending, rejected }
}

/// Write the proposal ConfigMap (created owned by the automation).
pub async fn save(
    client: &kube::Client,
    automation: &Value,
    stored: &Stored,
) -> Result<(), kube::Error> {
    let ns = automation
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let name = automation
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), ns);
    let mut data = BTreeMap::new();
    data.insert(
        "rejected".to_string(),
        serde_json::to_string(&stored.rejected).unwrap_or_default(),
    );
    if let Some(p) = &stored.pending {
        data.insert(
            "proposal".to_string(),
            serde_json::to_string(p).unwrap_or_default(),
        );
        data.insert("id".to_string(), p.id.clone());
        data.insert("message".to_string(), p.message.clone());
        data.insert("diff".to_string(), p.diff.clone());
    }
    let cm_name = configmap_name(name);
    let body: ConfigMap = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {
            "name": cm_name, "namespace": ns,
            "labels": {PROPOSAL_LABEL: name},
            "ownerReferences": [{
                "apiVersion": automation.get("apiVersion").cloned().unwrap_or(json!("image.toolkit.fluxcd.io/v1")),
                "kind": "ImageUpdateAutomation", "name": name,
                "uid": automation.pointer("/metadata/uid").cloned().unwrap_or(json!("")),
            }],
        },
        "data": data,
    }))
    .map_err(kube::Error::SerdeError)?;
    match api.get_opt(&cm_name).await? {
        None => api.create(&PostParams::default(), &body).await.map(|_| ()),
        Some(_) => {
            // Replace the data wholesale: a merge would keep a stale `proposal` key.
            let patch =
                json!({"data": {"proposal": null, "id": null, "message": null, "diff": null}});
            api.patch(&cm_name, &PatchParams::default(), &Patch::Merge(&patch))
                .await?;
            api.patch(
                &cm_name,
                &PatchParams::default(),
                &Patch::Merge(&json!({"data": body.data})),
            )
            .await
            .map(|_| ())
        }
    }
}

/// Who decided, from the annotation the CLI writes.
pub fn decided_by(automation: &Value) -> String {
    automation
        .pointer(&format!(
            "/metadata/annotations/{}",
            DECIDED_BY_ANNOTATION.replace('/', "~1")
        ))
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string()
}

pub fn annotation<'a>(automation: &'a Value, key: &str) -> Option<&'a str> {
    automation
        .pointer(&format!("/metadata/annotations/{}", key.replace('/', "~1")))
        .and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pc(file: &str, new: &str) -> ProposedChange {
        ProposedChange {
            file: file.into(),
            object: "o".into(),
            setter: "ns:p".into(),
            old: "x".into(),
            new: new.into(),
        }
    }

    #[test]
    fn ids_depend_on_the_new_values_only() {
        let a = proposal_id(&[pc("a.yaml", "1.1"), pc("b.yaml", "1.1")]);
        let b = proposal_id(&[pc("b.yaml", "1.1"), pc("a.yaml", "1.1")]);
        assert_eq!(a, b);
        assert_ne!(a, proposal_id(&[pc("a.yaml", "1.2"), pc("b.yaml", "1.1")]));
        assert_eq!(a.len(), 12);
    }

    #[test]
    fn diffs_name_both_sides() {
        let old = BTreeMap::from([("d.yaml".to_string(), "image: a:1\n".to_string())]);
        let new = BTreeMap::from([("d.yaml".to_string(), "image: a:2\n".to_string())]);
        let d = unified_diff(&old, &new);
        assert!(
            d.contains("--- a/d.yaml")
                && d.contains("+++ b/d.yaml")
                && d.contains("-image: a:1")
                && d.contains("+image: a:2"),
            "{d}"
        );
    }
}

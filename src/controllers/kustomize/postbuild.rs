//! After the build (SPEC §6.5): the SOPS check, post-build substitution from
//! `postBuild.substitute`/`substituteFrom`, and normalisation (ownership labels,
//! commonMetadata, identity fields, no status).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;
use serde_json::{Value, json};

use super::apply;
use super::spec::{NAME_LABEL, NAMESPACE_LABEL};
use crate::controllers::runtime::Failure;
use crate::engine::substitute;

fn fail(reason: &str, message: impl Into<String>) -> Failure {
    Failure::new(reason, message)
}

pub(super) async fn substitute_all(
    client: &kube::Client,
    ks: &Value,
    ns: &str,
    docs: Vec<Value>,
    strict: bool,
) -> Result<Vec<Value>, Failure> {
    let decrypt = ks
        .pointer("/spec/decryption/provider")
        .and_then(Value::as_str)
        == Some("sops");
    for d in &docs {
        let encrypted = d
            .pointer("/sops/mac")
            .and_then(Value::as_str)
            .is_some_and(|m| !m.is_empty());
        let id = format!(
            "{}/{}",
            d["kind"].as_str().unwrap_or(""),
            d.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
        );
        if encrypted && !apply::has_flag(d, "decrypt", "disabled") {
            return Err(fail(
                "BuildFailed",
                if decrypt {
                    format!(
                        "decryption failed for '{id}': SOPS decryption is not available in this build of fluxdeck"
                    )
                } else {
                    format!(
                        "{id} is SOPS encrypted, configuring decryption is required for this secret to be reconciled"
                    )
                },
            ));
        }
    }
    let Some(post) = ks.pointer("/spec/postBuild") else {
        return Ok(docs);
    };
    let mut sources = Vec::new();
    for r in post
        .get("substituteFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = r.get("name").and_then(Value::as_str).unwrap_or("");
        let optional = r.get("optional").and_then(Value::as_bool).unwrap_or(false);
        let got = match kind {
            "ConfigMap" => Api::<ConfigMap>::namespaced(client.clone(), ns)
                .get_opt(name)
                .await
                .map(|o| o.map(|c| serde_json::to_value(c).unwrap_or(Value::Null))),
            "Secret" => Api::<Secret>::namespaced(client.clone(), ns)
                .get_opt(name)
                .await
                .map(|o| o.map(|c| serde_json::to_value(c).unwrap_or(Value::Null))),
            other => {
                return Err(fail(
                    "BuildFailed",
                    format!(
                        "substitute from '{other}/{name}' error: unsupported kind, expected ConfigMap or Secret"
                    ),
                ));
            }
        };
        match got {
            Ok(Some(mut v)) => {
                v["kind"] = json!(kind);
                sources.push(v);
            }
            Ok(None) if optional => {}
            Ok(None) => {
                return Err(fail(
                    "BuildFailed",
                    format!(
                        "substitute from '{kind}/{name}' error: {}s \"{name}\" not found",
                        kind.to_lowercase()
                    ),
                ));
            }
            Err(e) => {
                return Err(fail(
                    "BuildFailed",
                    format!("substitute from '{kind}/{name}' error: {e}"),
                ));
            }
        }
    }
    let refs: Vec<&Value> = sources.iter().collect();
    let vars = substitute::collect_vars(&refs, post.get("substitute"))
        .map_err(|e| fail("BuildFailed", e.to_string()))?;
    let always = post.get("substituteStrategy").and_then(Value::as_str) == Some("Always");
    if vars.is_empty() && !always {
        return Ok(docs);
    }
    docs.iter()
        .map(|d| {
            substitute::substitute_resource(d, &vars, strict)
                .map_err(|e| fail("BuildFailed", e.to_string()))
        })
        .collect()
}

/// Ownership labels, commonMetadata, required identity fields, no status (except CRDs).
pub(super) fn normalise(
    ks: &Value,
    docs: Vec<Value>,
    name: &str,
    ns: &str,
) -> Result<Vec<Value>, Failure> {
    let common = ks
        .pointer("/spec/commonMetadata")
        .cloned()
        .unwrap_or(Value::Null);
    docs.into_iter()
        .map(|mut d| {
            let ok = ["/apiVersion", "/kind", "/metadata/name"].iter().all(|p| {
                d.pointer(p)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            });
            if !ok {
                return Err(fail(
                    "BuildFailed",
                    format!(
                        "failed to decode Kubernetes apiVersion, kind and name from: {}",
                        crate::engine::yaml::to_string(&d).unwrap_or_default()
                    ),
                ));
            }
            if d["kind"] != "CustomResourceDefinition"
                && let Some(m) = d.as_object_mut()
            {
                m.remove("status");
            }
            for field in ["labels", "annotations"] {
                if let Some(extra) = common.get(field).and_then(Value::as_object) {
                    for (key, v) in extra {
                        d["metadata"][field][key] = v.clone();
                    }
                }
            }
            d["metadata"]["labels"][NAME_LABEL] = json!(name);
            d["metadata"]["labels"][NAMESPACE_LABEL] = json!(ns);
            Ok(d)
        })
        .collect()
}

//! After the build (SPEC §6.5): the SOPS check, post-build substitution from
//! `postBuild.substitute`/`substituteFrom`, and normalisation (ownership labels,
//! commonMetadata, identity fields, no status).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::api::Api;
use serde_json::{Value, json};

use super::spec::{NAME_LABEL, NAMESPACE_LABEL};
use crate::controllers::runtime::Failure;
use crate::engine::{sops, substitute};

fn fail(reason: &str, message: impl Into<String>) -> Failure {
    Failure::new(reason, message)
}

/// Post-build SOPS decryption with the age keys of `decryption.secretRef` (SPEC §6.5): whole
/// documents carrying `sops` metadata, and Secret `data` values that are SOPS files. Without
/// decryption configured, an encrypted Secret must not reach the cluster. The key Secret is
/// read only when something needs decrypting.
async fn decrypt_all(
    client: &kube::Client,
    ks: &Value,
    ns: &str,
    docs: Vec<Value>,
) -> Result<Vec<Value>, Failure> {
    let configured = ks
        .pointer("/spec/decryption/provider")
        .and_then(Value::as_str)
        == Some("sops");
    if !configured {
        for d in &docs {
            sops::check_not_encrypted_secret(d).map_err(|e| fail("BuildFailed", e))?;
        }
        return Ok(docs);
    }
    let mut keys: Option<sops::AgeKeys> = None;
    let mut out = Vec::with_capacity(docs.len());
    for d in docs {
        if sops::decryption_disabled(&d) {
            out.push(d);
            continue;
        }
        let whole = sops::is_sops_document(&d);
        let secret = d.get("kind").and_then(Value::as_str) == Some("Secret");
        if !whole && !secret {
            out.push(d);
            continue;
        }
        if keys.is_none() {
            keys = Some(age_keys(client, ks, ns).await?);
        }
        let Some(k) = keys.as_ref() else { continue };
        let id = format!(
            "{}/{}",
            d.get("kind").and_then(Value::as_str).unwrap_or(""),
            d.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
        );
        let wrap =
            |e: sops::SopsError| fail("BuildFailed", format!("decryption failed for '{id}': {e}"));
        let plain = if whole {
            sops::decrypt_document(&d, k).map_err(wrap)?
        } else {
            d
        };
        out.push(sops::decrypt_secret_values(&plain, k).map_err(wrap)?);
    }
    Ok(out)
}

async fn age_keys(client: &kube::Client, ks: &Value, ns: &str) -> Result<sops::AgeKeys, Failure> {
    let Some(name) = ks
        .pointer("/spec/decryption/secretRef/name")
        .and_then(Value::as_str)
    else {
        return Ok(sops::AgeKeys::default());
    };
    let secret = Api::<Secret>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .map_err(|e| {
            fail(
                "BuildFailed",
                format!(
                    "cannot get decryption Secret '{ns}/{name}' (spec.decryption.secretRef): {e}"
                ),
            )
        })?;
    let mut value = serde_json::to_value(secret).unwrap_or(Value::Null);
    // Stores that keep stringData un-normalised: fold it into data as an API server would.
    if let Some(sd) = value.get("stringData").and_then(Value::as_object).cloned() {
        for (k, v) in sd {
            let b64 = base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                v.as_str().unwrap_or(""),
            );
            value["data"][k] = Value::from(b64);
        }
    }
    sops::AgeKeys::from_secret(&value).map_err(|e| {
        fail(
            "BuildFailed",
            format!("decryption Secret '{ns}/{name}': {e}"),
        )
    })
}

pub(super) async fn substitute_all(
    client: &kube::Client,
    ks: &Value,
    ns: &str,
    docs: Vec<Value>,
    strict: bool,
) -> Result<Vec<Value>, Failure> {
    let docs = decrypt_all(client, ks, ns, docs).await?;
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
    substitute_with(post, &sources, docs, strict)
}

/// Substitute the variables of `postBuild.substitute` and of `sources` (the ConfigMaps and
/// Secrets of `substituteFrom`, each with its `kind`) into every document.
fn substitute_with(
    post: &Value,
    sources: &[Value],
    docs: Vec<Value>,
    strict: bool,
) -> Result<Vec<Value>, Failure> {
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

/// Offline post-build: `substituteFrom` looked up among `objects` (what the fleet defines),
/// non-strict, no decryption. Returns the documents and the references not found.
pub(super) fn substitute_offline(
    ks: &Value,
    ns: &str,
    docs: Vec<Value>,
    objects: &[Value],
) -> Result<(Vec<Value>, Vec<String>), Failure> {
    let Some(post) = ks.pointer("/spec/postBuild") else {
        return Ok((docs, Vec::new()));
    };
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    let text = |o: &Value, p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    for r in post
        .get("substituteFrom")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (kind, name) = (text(r, "/kind"), text(r, "/name"));
        let found = objects.iter().find(|o| {
            text(o, "/kind") == kind
                && text(o, "/metadata/name") == name
                && text(o, "/metadata/namespace") == ns
        });
        match found {
            Some(o) => sources.push(o.clone()),
            None if r.get("optional").and_then(Value::as_bool) == Some(true) => {}
            None => missing.push(format!("{kind}/{ns}/{name}")),
        }
    }
    Ok((substitute_with(post, &sources, docs, false)?, missing))
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

//! Object metadata rules of kube-apiserver: name formats, generateName, timestamps, uids and
//! the generation counter. Pure functions over `serde_json::Value`.

use rand::Rng;
use serde_json::{Map, Value};

use super::types::{FieldCause, ResourceType, StoreError};

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// The current time as kube writes metadata timestamps: RFC 3339, whole seconds, UTC.
pub fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    match jiff::Timestamp::from_second(now.as_second()) {
        Ok(ts) => ts.to_string(),
        Err(_) => now.to_string(),
    }
}

pub fn new_uid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The random suffix kube appends to generateName (5 characters without vowels or look-alikes).
pub fn generated_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    // kube trims the prefix so the result stays within 63 characters
    let keep = prefix.len().min(58);
    format!("{}{}", &prefix[..keep], suffix)
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(is_label_char)
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Which name rule a kind follows (kube's per-kind ValidateObjectMeta name function).
fn name_problem(rt: &ResourceType, name: &str) -> Option<String> {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Namespace") | ("", "Service") => {
            if is_dns1123_label(name) {
                None
            } else if name.len() > 63 {
                Some("must be no more than 63 characters".to_string())
            } else {
                Some(DNS1123_LABEL_MSG.to_string())
            }
        }
        ("rbac.authorization.k8s.io", _) => {
            if name == "." || name == ".." {
                Some(format!("may not be '{name}'"))
            } else if name.contains('/') || name.contains('%') {
                Some(format!(
                    "may not contain '{}'",
                    if name.contains('/') { "/" } else { "%" }
                ))
            } else {
                None
            }
        }
        _ => {
            if is_dns1123_subdomain(name) {
                None
            } else if name.len() > 253 {
                Some("must be no more than 253 characters".to_string())
            } else {
                Some(DNS1123_SUBDOMAIN_MSG.to_string())
            }
        }
    }
}

/// A 422 Invalid with one field cause, formatted like kube-apiserver.
pub fn invalid(
    rt: &ResourceType,
    name: &str,
    field: &str,
    reason: &str,
    detail: String,
) -> StoreError {
    let message = match reason {
        "FieldValueRequired" => format!("{field}: Required value: {detail}"),
        _ => format!("{field}: Invalid value: {detail}"),
    };
    StoreError::Invalid {
        kind: rt.kind.clone(),
        name: name.to_string(),
        message: message.clone(),
        causes: vec![FieldCause {
            reason: reason.to_string(),
            message,
            field: field.to_string(),
        }],
    }
}

/// Checks metadata.name (already resolved from generateName) against the kind's rule.
pub fn validate_name(rt: &ResourceType, name: &str) -> Result<(), StoreError> {
    if name.is_empty() {
        return Err(invalid(
            rt,
            name,
            "metadata.name",
            "FieldValueRequired",
            "name or generateName is required".into(),
        ));
    }
    match name_problem(rt, name) {
        None => Ok(()),
        Some(problem) => Err(invalid(
            rt,
            name,
            "metadata.name",
            "FieldValueInvalid",
            format!("{name:?}: {problem}"),
        )),
    }
}

/// Checks label keys and values (qualified names and label values).
pub fn validate_labels(rt: &ResourceType, name: &str, obj: &Value) -> Result<(), StoreError> {
    let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) else {
        return Ok(());
    };
    for (key, value) in labels {
        let (prefix, local) = match key.rsplit_once('/') {
            Some((p, l)) => (Some(p), l),
            None => (None, key.as_str()),
        };
        let local_ok = !local.is_empty() && local.len() <= 63 && is_qualified_part(local);
        let prefix_ok = prefix.is_none_or(is_dns1123_subdomain);
        if !local_ok || !prefix_ok {
            return Err(invalid(
                rt,
                name,
                "metadata.labels",
                "FieldValueInvalid",
                format!(
                    "{key:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                ),
            ));
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => {
                return Err(invalid(
                    rt,
                    name,
                    &format!("metadata.labels.{key}"),
                    "FieldValueInvalid",
                    format!("{other}: label values must be strings"),
                ));
            }
        };
        if text.len() > 63 || !(text.is_empty() || is_qualified_part(&text)) {
            return Err(invalid(
                rt,
                name,
                "metadata.labels",
                "FieldValueInvalid",
                format!(
                    "{text:?}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
                ),
            ));
        }
    }
    Ok(())
}

fn is_qualified_part(s: &str) -> bool {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.';
    s.chars().all(ok_char)
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// `metadata` of an object as a mutable map, created when missing.
pub fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    if !obj.is_object() {
        *obj = Value::Object(Map::new());
    }
    let Value::Object(root) = obj else {
        unreachable_object()
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    match meta {
        Value::Object(m) => m,
        _ => unreachable_object(),
    }
}

// Both call sites have just made the value an object, so this branch cannot run.
fn unreachable_object() -> ! {
    unreachable!("the value was made an object just before")
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
}

pub fn name_of(obj: &Value) -> &str {
    meta_str(obj, "name").unwrap_or("")
}

pub fn finalizers(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
}

/// Whether the generation must advance: anything outside metadata changed, and outside status
/// too when status is a separate subresource.
pub fn spec_changed(rt: &ResourceType, old: &Value, new: &Value) -> bool {
    let skip = |k: &str| {
        k == "metadata"
            || (rt.status_subresource && k == "status")
            || k == "apiVersion"
            || k == "kind"
    };
    let empty = Map::new();
    let o = old.as_object().unwrap_or(&empty);
    let n = new.as_object().unwrap_or(&empty);
    let keys: std::collections::BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    keys.into_iter()
        .filter(|k| !skip(k))
        .any(|k| o.get(k.as_str()) != n.get(k.as_str()))
}

pub fn generation(obj: &Value) -> i64 {
    obj.pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::builtin::builtin_types;
    use serde_json::json;

    fn rt(kind: &str) -> ResourceType {
        builtin_types()
            .into_iter()
            .find(|t| t.kind == kind)
            .unwrap()
    }

    #[test]
    fn name_rules_follow_the_kind() {
        assert!(validate_name(&rt("ConfigMap"), "a.b-c").is_ok());
        assert!(validate_name(&rt("Namespace"), "a.b").is_err());
        assert!(validate_name(&rt("ClusterRole"), "system:controller:x").is_ok());
        let err = validate_name(&rt("ConfigMap"), "Bad_Name").unwrap_err();
        assert_eq!(err.code(), 422);
        assert!(
            err.to_string().contains(
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"
            ),
            "{err}"
        );
        assert!(
            validate_name(&rt("ConfigMap"), "")
                .unwrap_err()
                .to_string()
                .contains("Required value")
        );
    }

    #[test]
    fn generated_names_keep_the_prefix() {
        let n = generated_name("web-");
        assert!(n.starts_with("web-") && n.len() == 9 && is_dns1123_label(&n));
    }

    #[test]
    fn generation_ignores_metadata_and_status_subresource() {
        let d = rt("Deployment");
        let a = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}, "status": {}});
        let mut b = a.clone();
        b["metadata"]["labels"]["a"] = json!("2");
        b["status"] = json!({"replicas": 1});
        assert!(!spec_changed(&d, &a, &b));
        b["spec"]["replicas"] = json!(2);
        assert!(spec_changed(&d, &a, &b));
        let cm = rt("ConfigMap");
        assert!(spec_changed(
            &cm,
            &json!({"data": {}}),
            &json!({"data": {"k": "v"}})
        ));
    }

    #[test]
    fn label_values_are_checked() {
        let cm = rt("ConfigMap");
        assert!(
            validate_labels(
                &cm,
                "x",
                &json!({"metadata": {"labels": {"app.kubernetes.io/name": "web"}}})
            )
            .is_ok()
        );
        assert!(
            validate_labels(&cm, "x", &json!({"metadata": {"labels": {"a": "not ok"}}})).is_err()
        );
        assert!(validate_labels(&cm, "x", &json!({"metadata": {"labels": {"-a": "x"}}})).is_err());
    }
}

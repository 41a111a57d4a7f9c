//! Decoding of Kubernetes protobuf request bodies. kubectl ≥ 1.33 sends the typed
//! `kubectl create …` requests (and `auth can-i`, `run`, `expose`) as
//! `application/vnd.kubernetes.protobuf` without falling back to JSON on 415, so the server
//! reads the `k8s\0` envelope (runtime.Unknown) and the built-in messages those commands
//! send, turning them into the JSON objects the store keeps.
//!
//! The decoder is driven by tables of field numbers taken from k8s.io/api generated.proto,
//! one file per API group. A field missing from the tables is refused (415 naming the message
//! and field number) unless it holds Go's zero value, so no object is stored truncated.

mod apps;
mod auth;
mod batch;
mod core;
mod meta;
mod networking;
mod pod;
mod policy;
mod rbac;
mod wire;

use serde_json::{Map, Value, json};

use wire::Message;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProtobufError {
    #[error("the protobuf body does not start with the Kubernetes envelope (k8s\\0)")]
    NoEnvelope,
    #[error("malformed protobuf body: {0}")]
    Malformed(&'static str),
    #[error(
        "protobuf bodies for {0} are not supported by the embedded store; send JSON (application/json) instead"
    )]
    UnsupportedKind(String),
    #[error(
        "protobuf field number {number} of {message} is not known to the embedded store, which will not store the object without it; send it as JSON instead (e.g. kubectl create … --dry-run=client -o json | kubectl create -f -)"
    )]
    UnknownField { message: &'static str, number: u64 },
    #[error("malformed protobuf body: field {field} of {message} has an unexpected wire type")]
    WireType {
        message: &'static str,
        field: &'static str,
    },
}

impl ProtobufError {
    /// Errors that mean "this server cannot read what you sent" (HTTP 415), as opposed to a
    /// broken body (400).
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            ProtobufError::UnsupportedKind(_) | ProtobufError::UnknownField { .. }
        )
    }
}

fn schema_for(api_version: &str, kind: &str) -> Option<&'static Message> {
    Some(match (api_version, kind) {
        ("v1", "Namespace") => &core::NAMESPACE,
        ("v1", "ConfigMap") => &core::CONFIG_MAP,
        ("v1", "Secret") => &core::SECRET,
        ("v1", "ServiceAccount") => &core::SERVICE_ACCOUNT,
        ("v1", "Service") => &core::SERVICE,
        ("v1", "ResourceQuota") => &core::RESOURCE_QUOTA,
        ("v1", "Pod") => &pod::POD,
        ("apps/v1", "Deployment") => &apps::DEPLOYMENT,
        ("batch/v1", "Job") => &batch::JOB,
        ("batch/v1", "CronJob") => &batch::CRON_JOB,
        ("rbac.authorization.k8s.io/v1", "Role") => &rbac::ROLE,
        ("rbac.authorization.k8s.io/v1", "ClusterRole") => &rbac::CLUSTER_ROLE,
        ("rbac.authorization.k8s.io/v1", "RoleBinding") => &rbac::ROLE_BINDING,
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding") => &rbac::CLUSTER_ROLE_BINDING,
        ("networking.k8s.io/v1", "Ingress") => &networking::INGRESS,
        ("policy/v1", "PodDisruptionBudget") => &policy::POD_DISRUPTION_BUDGET,
        ("scheduling.k8s.io/v1", "PriorityClass") => &policy::PRIORITY_CLASS,
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => &auth::SELF_SUBJECT_ACCESS_REVIEW,
        ("authentication.k8s.io/v1", "TokenRequest") => &auth::TOKEN_REQUEST,
        _ => return None,
    })
}

/// Decodes an enveloped protobuf body into the JSON object it encodes.
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    let message = body
        .strip_prefix(b"k8s\0")
        .ok_or(ProtobufError::NoEnvelope)?;
    let mut type_meta = (String::new(), String::new());
    let mut raw: &[u8] = &[];
    for (number, field) in wire::fields(message)? {
        match (number, field) {
            (1, wire::Wire::Len(b)) => {
                let decoded = wire::decode_message(b, &meta::TYPE_META)?;
                let text = |key: &str| decoded.get(key).and_then(Value::as_str).unwrap_or("");
                type_meta = (text("apiVersion").to_string(), text("kind").to_string());
            }
            (2, wire::Wire::Len(b)) => raw = b,
            (3, wire::Wire::Len(b)) if !b.is_empty() => {
                return Err(ProtobufError::Malformed(
                    "content encodings (contentEncoding) are not supported",
                ));
            }
            (3 | 4, wire::Wire::Len(_)) => {}
            _ => return Err(ProtobufError::Malformed("runtime.Unknown envelope")),
        }
    }
    let (api_version, kind) = type_meta;
    let schema = schema_for(&api_version, &kind)
        .ok_or_else(|| ProtobufError::UnsupportedKind(format!("{api_version} {kind}")))?;
    let mut object = Map::new();
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    object.extend(wire::decode_message(raw, schema)?);
    Ok(Value::Object(object))
}

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn len_field(number: u64, payload: &[u8], out: &mut Vec<u8>) {
        varint(number << 3 | 2, out);
        varint(payload.len() as u64, out);
        out.extend_from_slice(payload);
    }
    fn entry(k: &str, v: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        len_field(1, k.as_bytes(), &mut e);
        len_field(2, v, &mut e);
        e
    }
    fn envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
        let mut type_meta = Vec::new();
        len_field(1, api_version.as_bytes(), &mut type_meta);
        len_field(2, kind.as_bytes(), &mut type_meta);
        let mut unknown = b"k8s\0".to_vec();
        len_field(1, &type_meta, &mut unknown);
        len_field(2, raw, &mut unknown);
        len_field(4, b"application/vnd.kubernetes.protobuf", &mut unknown);
        unknown
    }

    #[test]
    fn decodes_a_config_map() {
        let mut meta = Vec::new();
        len_field(1, b"settings", &mut meta);
        len_field(3, b"default", &mut meta);
        len_field(11, &entry("app", b"web"), &mut meta);
        let mut raw = Vec::new();
        len_field(1, &meta, &mut raw);
        len_field(2, &entry("a", b"1"), &mut raw);
        len_field(2, &entry("b", b"2"), &mut raw);
        len_field(3, &entry("bin", &[0, 1, 2]), &mut raw);
        varint(4 << 3, &mut raw);
        varint(1, &mut raw);
        let object = decode(&envelope("v1", "ConfigMap", &raw)).unwrap();
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "default", "labels": {"app": "web"}},
                "data": {"a": "1", "b": "2"}, "binaryData": {"bin": "AAEC"}, "immutable": true})
        );
    }

    #[test]
    fn decodes_a_namespace_with_finalizers_and_time() {
        let mut time = Vec::new();
        varint(1 << 3, &mut time);
        varint(1_767_225_600, &mut time);
        let mut meta = Vec::new();
        len_field(1, b"flux-system", &mut meta);
        len_field(8, &time, &mut meta);
        len_field(14, b"example.com/hold", &mut meta);
        len_field(2, b"", &mut meta); // an empty generateName, as Go always marshals it
        len_field(9, b"", &mut meta); // the zero deletionTimestamp
        let mut raw = Vec::new();
        len_field(1, &meta, &mut raw);
        let object = decode(&envelope("v1", "Namespace", &raw)).unwrap();
        assert!(object["metadata"].get("generateName").is_none());
        // present on the wire means a non-nil *Time: Go prints the zero time as null
        assert_eq!(
            object["metadata"].get("deletionTimestamp"),
            Some(&Value::Null)
        );
        assert_eq!(
            object["metadata"]["finalizers"],
            json!(["example.com/hold"])
        );
        assert_eq!(
            object["metadata"]["creationTimestamp"],
            "2026-01-01T00:00:00Z"
        );
    }

    #[test]
    fn rejects_unknown_kinds_and_garbage() {
        assert_eq!(
            decode(&envelope("apps/v1", "StatefulSet", &[])).unwrap_err(),
            ProtobufError::UnsupportedKind("apps/v1 StatefulSet".into())
        );
        assert_eq!(decode(b"{}").unwrap_err(), ProtobufError::NoEnvelope);
        assert!(matches!(
            decode(b"k8s\0\x0a\x05ab").unwrap_err(),
            ProtobufError::Malformed(_)
        ));
    }
}

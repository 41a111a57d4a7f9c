//! Decoding of Kubernetes protobuf request bodies. kubectl ≥ 1.33 sends typed creates
//! (`create namespace|configmap|secret|serviceaccount`, `auth can-i`) as
//! `application/vnd.kubernetes.protobuf` without falling back to JSON on 415, so the server
//! reads the `k8s\0` envelope (runtime.Unknown) and the few built-in messages those commands
//! send, turning them into the JSON objects the store keeps. Field numbers are the ones in
//! k8s.io/api generated.proto.

use base64::Engine;
use serde_json::{Map, Value, json};

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
}

#[derive(Clone, Copy)]
enum Kind {
    Str,
    /// bytes, base64 in JSON
    Bytes,
    Int,
    Bool,
    Time,
    Msg(&'static [Field]),
    StrMap,
    BytesMap,
}

#[derive(Clone, Copy)]
struct Field {
    number: u64,
    name: &'static str,
    kind: Kind,
    repeated: bool,
}

const fn f(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        number,
        name,
        kind,
        repeated: false,
    }
}
const fn r(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        number,
        name,
        kind,
        repeated: true,
    }
}

const OWNER_REFERENCE: &[Field] = &[
    f(1, "kind", Kind::Str),
    f(3, "name", Kind::Str),
    f(4, "uid", Kind::Str),
    f(5, "apiVersion", Kind::Str),
    f(6, "controller", Kind::Bool),
    f(7, "blockOwnerDeletion", Kind::Bool),
];
const OBJECT_META: &[Field] = &[
    f(1, "name", Kind::Str),
    f(2, "generateName", Kind::Str),
    f(3, "namespace", Kind::Str),
    f(5, "uid", Kind::Str),
    f(6, "resourceVersion", Kind::Str),
    f(7, "generation", Kind::Int),
    f(8, "creationTimestamp", Kind::Time),
    f(9, "deletionTimestamp", Kind::Time),
    f(10, "deletionGracePeriodSeconds", Kind::Int),
    f(11, "labels", Kind::StrMap),
    f(12, "annotations", Kind::StrMap),
    r(13, "ownerReferences", Kind::Msg(OWNER_REFERENCE)),
    r(14, "finalizers", Kind::Str),
];
const TYPE_META: &[Field] = &[f(1, "apiVersion", Kind::Str), f(2, "kind", Kind::Str)];
const UNKNOWN: &[Field] = &[
    f(1, "typeMeta", Kind::Msg(TYPE_META)),
    f(2, "raw", Kind::Bytes),
    f(3, "contentEncoding", Kind::Str),
    f(4, "contentType", Kind::Str),
];

const NAMESPACE: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "spec", Kind::Msg(&[r(1, "finalizers", Kind::Str)])),
    f(3, "status", Kind::Msg(&[f(1, "phase", Kind::Str)])),
];
const CONFIG_MAP: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "data", Kind::StrMap),
    f(3, "binaryData", Kind::BytesMap),
    f(4, "immutable", Kind::Bool),
];
const SECRET: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(2, "data", Kind::BytesMap),
    f(3, "type", Kind::Str),
    f(4, "stringData", Kind::StrMap),
    f(5, "immutable", Kind::Bool),
];
const OBJECT_REFERENCE: &[Field] = &[
    f(1, "kind", Kind::Str),
    f(2, "namespace", Kind::Str),
    f(3, "name", Kind::Str),
    f(4, "uid", Kind::Str),
    f(5, "apiVersion", Kind::Str),
    f(6, "resourceVersion", Kind::Str),
    f(7, "fieldPath", Kind::Str),
];
const SERVICE_ACCOUNT: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    r(2, "secrets", Kind::Msg(OBJECT_REFERENCE)),
    r(3, "imagePullSecrets", Kind::Msg(&[f(1, "name", Kind::Str)])),
    f(4, "automountServiceAccountToken", Kind::Bool),
];
const RESOURCE_ATTRIBUTES: &[Field] = &[
    f(1, "namespace", Kind::Str),
    f(2, "verb", Kind::Str),
    f(3, "group", Kind::Str),
    f(4, "version", Kind::Str),
    f(5, "resource", Kind::Str),
    f(6, "subresource", Kind::Str),
    f(7, "name", Kind::Str),
];
const SELF_SUBJECT_ACCESS_REVIEW: &[Field] = &[
    f(1, "metadata", Kind::Msg(OBJECT_META)),
    f(
        2,
        "spec",
        Kind::Msg(&[
            f(1, "resourceAttributes", Kind::Msg(RESOURCE_ATTRIBUTES)),
            f(
                2,
                "nonResourceAttributes",
                Kind::Msg(&[f(1, "path", Kind::Str), f(2, "verb", Kind::Str)]),
            ),
        ]),
    ),
];

fn schema_for(api_version: &str, kind: &str) -> Option<&'static [Field]> {
    match (api_version, kind) {
        ("v1", "Namespace") => Some(NAMESPACE),
        ("v1", "ConfigMap") => Some(CONFIG_MAP),
        ("v1", "Secret") => Some(SECRET),
        ("v1", "ServiceAccount") => Some(SERVICE_ACCOUNT),
        ("authorization.k8s.io/v1", "SelfSubjectAccessReview") => Some(SELF_SUBJECT_ACCESS_REVIEW),
        _ => None,
    }
}

/// Decodes an enveloped protobuf body into the JSON object it encodes.
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    let message = body
        .strip_prefix(b"k8s\0")
        .ok_or(ProtobufError::NoEnvelope)?;
    let unknown = decode_message(message, UNKNOWN)?;
    let api_version = unknown
        .pointer("/typeMeta/apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let kind = unknown
        .pointer("/typeMeta/kind")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let schema = schema_for(&api_version, &kind)
        .ok_or_else(|| ProtobufError::UnsupportedKind(format!("{api_version} {kind}")))?;
    let raw = unknown.get("raw").and_then(Value::as_str).unwrap_or("");
    let raw = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .map_err(|_| ProtobufError::Malformed("raw bytes"))?;
    let mut object = Map::new();
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    if let Value::Object(fields) = decode_message(&raw, schema)? {
        object.extend(fields);
    }
    Ok(Value::Object(object))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or(ProtobufError::Malformed("truncated varint"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::Malformed("varint too long"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtobufError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or(ProtobufError::Malformed("truncated field"))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }
}

enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    Skipped,
}

fn fields(bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, ProtobufError> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut out = Vec::new();
    while reader.pos < bytes.len() {
        let key = reader.varint()?;
        let wire = match key & 7 {
            0 => Wire::Varint(reader.varint()?),
            1 => {
                reader.take(8)?;
                Wire::Skipped
            }
            2 => {
                let len = usize::try_from(reader.varint()?)
                    .map_err(|_| ProtobufError::Malformed("length"))?;
                Wire::Len(reader.take(len)?)
            }
            5 => {
                reader.take(4)?;
                Wire::Skipped
            }
            _ => return Err(ProtobufError::Malformed("unsupported wire type")),
        };
        out.push((key >> 3, wire));
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Result<String, ProtobufError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ProtobufError::Malformed("string is not UTF-8"))
}

fn decode_message(bytes: &[u8], schema: &[Field]) -> Result<Value, ProtobufError> {
    let mut object = Map::new();
    for (number, wire) in fields(bytes)? {
        // Unknown fields (e.g. managedFields) are skipped, as an older server would.
        let Some(field) = schema.iter().find(|f| f.number == number) else {
            continue;
        };
        let value = match (field.kind, wire) {
            (Kind::Str, Wire::Len(b)) => json!(text(b)?),
            (Kind::Bytes, Wire::Len(b)) => {
                json!(base64::engine::general_purpose::STANDARD.encode(b))
            }
            (Kind::Int, Wire::Varint(v)) => json!(v as i64),
            (Kind::Bool, Wire::Varint(v)) => json!(v != 0),
            (Kind::Time, Wire::Len(b)) => time(b)?,
            (Kind::Msg(inner), Wire::Len(b)) => decode_message(b, inner)?,
            (Kind::StrMap | Kind::BytesMap, Wire::Len(b)) => {
                let (key, value) = map_entry(b, matches!(field.kind, Kind::BytesMap))?;
                let entry = object.entry(field.name).or_insert_with(|| json!({}));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
                continue;
            }
            _ => {
                return Err(ProtobufError::Malformed(
                    "field has an unexpected wire type",
                ));
            }
        };
        // Go marshals every non-pointer field, so zero values arrive for fields the client
        // never set; JSON's omitempty is the right reading of them.
        if is_zero(&value) && !field.repeated {
            continue;
        }
        if field.repeated {
            let entry = object.entry(field.name).or_insert_with(|| json!([]));
            if let Value::Array(items) = entry {
                items.push(value);
            }
        } else {
            object.insert(field.name.to_string(), value);
        }
    }
    Ok(Value::Object(object))
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        _ => false,
    }
}

fn map_entry(bytes: &[u8], bytes_value: bool) -> Result<(String, Value), ProtobufError> {
    let (mut key, mut value) = (String::new(), json!(""));
    for (number, wire) in fields(bytes)? {
        match (number, wire) {
            (1, Wire::Len(b)) => key = text(b)?,
            (2, Wire::Len(b)) if bytes_value => {
                value = json!(base64::engine::general_purpose::STANDARD.encode(b))
            }
            (2, Wire::Len(b)) => value = json!(text(b)?),
            _ => {}
        }
    }
    Ok((key, value))
}

fn time(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut seconds = 0i64;
    for (number, wire) in fields(bytes)? {
        if let (1, Wire::Varint(v)) = (number, wire) {
            seconds = v as i64;
        }
    }
    if seconds == 0 {
        return Ok(Value::Null); // the zero metav1.Time: unset
    }
    let ts = jiff::Timestamp::from_second(seconds)
        .map_err(|_| ProtobufError::Malformed("timestamp out of range"))?;
    Ok(json!(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

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
        assert!(object["metadata"].get("deletionTimestamp").is_none());
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
            decode(&envelope("apps/v1", "Deployment", &[])).unwrap_err(),
            ProtobufError::UnsupportedKind("apps/v1 Deployment".into())
        );
        assert_eq!(decode(b"{}").unwrap_err(), ProtobufError::NoEnvelope);
        assert!(matches!(
            decode(b"k8s\0\x0a\x05ab").unwrap_err(),
            ProtobufError::Malformed(_)
        ));
    }
}

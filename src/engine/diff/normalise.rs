//! Remove what the server owns so only intent is compared: managedFields, status and the
//! server-set metadata. Secrets get `stringData` folded into `data` (as the API server does).

use base64::Engine;
use serde_json::Value;

const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
];

/// A copy of `obj` without server-set fields; empty label/annotation maps are dropped so an
/// absent map and `{}` compare equal.
pub fn normalise(obj: &Value) -> Value {
    let mut o = obj.clone();
    let Some(m) = o.as_object_mut() else {
        return o;
    };
    m.remove("status");
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in SERVER_METADATA {
            meta.remove(*f);
        }
        for f in ["labels", "annotations"] {
            if meta
                .get(f)
                .is_some_and(|v| v.is_null() || v.as_object().is_some_and(|x| x.is_empty()))
            {
                meta.remove(f);
            }
        }
    }
    if m.get("kind").and_then(Value::as_str) == Some("Secret")
        && let Some(Value::Object(sd)) = m.remove("stringData")
    {
        let data = m
            .entry("data")
            .or_insert_with(|| Value::Object(Default::default()));
        if !data.is_object() {
            *data = Value::Object(Default::default());
        }
        if let Some(d) = data.as_object_mut() {
            for (k, v) in sd {
                let plain = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                d.insert(
                    k,
                    Value::String(base64::engine::general_purpose::STANDARD.encode(plain)),
                );
            }
        }
    }
    o
}

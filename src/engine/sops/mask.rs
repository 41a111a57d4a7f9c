//! Display helpers: never show Secret data or SOPS ciphertext in full.

use serde_json::Value;

pub const MASK: &str = "********";

/// A copy of a Secret with every `data`/`stringData` value replaced by a mask; other kinds are
/// returned unchanged. Keys stay visible so the user can see what the Secret holds.
pub fn mask_secret_data(obj: &Value) -> Value {
    let mut out = obj.clone();
    if obj.get("kind").and_then(Value::as_str) != Some("Secret") {
        return out;
    }
    for field in ["data", "stringData"] {
        if let Some(map) = out.get_mut(field).and_then(Value::as_object_mut) {
            for v in map.values_mut() {
                *v = Value::String(MASK.to_string());
            }
        }
    }
    out
}

/// A copy with each `ENC[AES256_GCM,…,type:T]` value shortened to `ENC[…type:T]`.
pub fn mask_encrypted_values(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), mask_encrypted_values(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_encrypted_values).collect()),
        Value::String(s) if super::crypto::is_encrypted_text(s) => {
            let kind = s
                .rsplit_once("type:")
                .map(|(_, t)| t.trim_end_matches(']'))
                .unwrap_or("str");
            Value::String(format!("ENC[…type:{kind}]"))
        }
        other => other.clone(),
    }
}

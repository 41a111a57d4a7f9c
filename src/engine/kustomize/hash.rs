//! Content hashes of generated ConfigMaps and Secrets, computed as kustomize does: Go's
//! `json.Marshal` of {kind, name, data, ...} with sorted keys and HTML escaping, sha256, and the
//! first ten hex digits with vowel-free substitutions.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Go's JSON string encoding (escapes `<`, `>`, `&`, U+2028 and U+2029 like encoding/json).
pub fn go_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go `json.Marshal` of a value whose maps are encoded with sorted keys.
pub fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => go_json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push('{');
            for (i, (k, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                go_json(val, out);
            }
            out.push('}');
        }
    }
}

/// String-valued map as Go's `map[string]string` (non-strings become their text).
fn string_map(v: Option<&Value>) -> Value {
    match v {
        Some(Value::Object(m)) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k.clone(), Value::String(s))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn non_empty(v: &Value) -> bool {
    v.as_object().is_some_and(|m| !m.is_empty())
}

/// kubectl 1.33's kustomize encodes an absent or empty data map as an empty string.
fn data_field(v: Option<&Value>) -> Value {
    let m = string_map(v);
    if non_empty(&m) {
        m
    } else {
        Value::String(String::new())
    }
}

/// The text kustomize hashes for a resource.
pub fn hash_input(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    // The reference hashes with an empty name (checked against kubectl 1.33 output), so a
    // prefix or suffix does not change the hash.
    let name = Value::String(String::new());
    let mut m = serde_json::Map::new();
    match kind {
        "ConfigMap" => {
            m.insert("kind".into(), Value::String("ConfigMap".into()));
            m.insert("name".into(), name);
            m.insert("data".into(), data_field(obj.get("data")));
            let binary = string_map(obj.get("binaryData"));
            if non_empty(&binary) {
                m.insert("binaryData".into(), binary);
            }
        }
        "Secret" => {
            m.insert("kind".into(), Value::String("Secret".into()));
            let t = obj.get("type").and_then(Value::as_str).unwrap_or("");
            m.insert("type".into(), Value::String(t.into()));
            m.insert("name".into(), name);
            m.insert("data".into(), data_field(obj.get("data")));
            let string_data = string_map(obj.get("stringData"));
            if non_empty(&string_data) {
                m.insert("stringData".into(), string_data);
            }
        }
        _ => {
            let mut out = String::new();
            go_json(obj, &mut out);
            return out;
        }
    }
    let mut out = String::new();
    go_json(&Value::Object(m), &mut out);
    out
}

/// The ten-character suffix kustomize appends to generated names.
pub fn content_hash(obj: &Value) -> String {
    let digest = Sha256::digest(hash_input(obj).as_bytes());
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

//! YAML for display and editing: managedFields dropped, Secret values masked as `***`
//! (never shown, never copied), through the crate's one YAML module.

use crate::engine::yaml;
use serde_json::Value;

/// A copy fit for display: no managedFields, Secret `data`/`stringData` values masked.
pub fn display_copy(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    if v.get("kind").and_then(Value::as_str) == Some("Secret") {
        for field in ["data", "stringData"] {
            if let Some(map) = v.get_mut(field).and_then(Value::as_object_mut) {
                for val in map.values_mut() {
                    *val = Value::String("***".into());
                }
            }
        }
    }
    v
}

pub fn to_yaml(obj: &Value) -> String {
    yaml::to_string(&display_copy(obj)).unwrap_or_else(|e| format!("# {e}"))
}

/// The editable form: no status, no managedFields, no server-owned metadata.
pub fn editable_yaml(obj: &Value) -> String {
    let mut v = display_copy(obj);
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in ["resourceVersion", "uid", "creationTimestamp", "generation"] {
            meta.remove(k);
        }
    }
    yaml::to_string(&v).unwrap_or_else(|e| format!("# {e}"))
}

/// Local validation of an edited document before it is sent: one YAML document with
/// apiVersion, kind and metadata.name. Returns (line, message) for in-place display.
pub fn validate_edit(text: &str) -> Result<Value, (Option<usize>, String)> {
    let docs = yaml::parse_documents(text).map_err(|e| {
        let msg = e.to_string();
        let line = regex::Regex::new(r"line (\d+)")
            .ok()
            .and_then(|re| re.captures(&msg).and_then(|c| c[1].parse::<usize>().ok()));
        (line, msg)
    })?;
    let [doc] = docs.as_slice() else {
        return Err((
            None,
            format!("expected exactly one YAML document, found {}", docs.len()),
        ));
    };
    for (pointer, field) in [
        ("/apiVersion", "apiVersion"),
        ("/kind", "kind"),
        ("/metadata/name", "metadata.name"),
    ] {
        if doc
            .pointer(pointer)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err((None, format!("{field} is required")));
        }
    }
    if doc.get("kind").and_then(Value::as_str) == Some("Secret") && text.contains("***") {
        return Err((None, "Secret values are masked as *** here; edit Secrets with $EDITOR-free tools (kubectl) instead".into()));
    }
    Ok(doc.clone())
}

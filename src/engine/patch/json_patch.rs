//! RFC 6902 JSON patch (`application/json-patch+json`) through the json-patch crate, with
//! errors that name the failing operation and its path.

use super::error::PatchError;
use serde_json::Value;

/// Apply the operations in `ops` (a JSON array) to a copy of `target`.
///
/// The patch is atomic: on error nothing is returned but the error, which names the index of
/// the failing operation (0-based), its op and path.
pub fn json_patch(target: &Value, ops: &Value) -> Result<Value, PatchError> {
    let Value::Array(items) = ops else {
        return Err(PatchError::Invalid(
            "a JSON patch must be an array of operations like [{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]".into(),
        ));
    };
    // Parse one operation at a time so a malformed one is reported by index.
    let mut parsed = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let op: json_patch::PatchOperation =
            serde_json::from_value(item.clone()).map_err(|e| PatchError::JsonPatchOp {
                index,
                op: item
                    .get("op")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                path: item
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                reason: format!("malformed operation: {e}"),
            })?;
        parsed.push(op);
    }
    let mut doc = target.clone();
    json_patch::patch(&mut doc, &parsed).map_err(|e| {
        let op = parsed.get(e.operation).map(op_name).unwrap_or("?");
        PatchError::JsonPatchOp {
            index: e.operation,
            op: op.to_string(),
            path: e.path.to_string(),
            reason: e.kind.to_string(),
        }
    })?;
    Ok(doc)
}

fn op_name(op: &json_patch::PatchOperation) -> &'static str {
    use json_patch::PatchOperation as P;
    match op {
        P::Add(_) => "add",
        P::Remove(_) => "remove",
        P::Replace(_) => "replace",
        P::Move(_) => "move",
        P::Copy(_) => "copy",
        P::Test(_) => "test",
    }
}

//! Small accessors over unstructured objects, with the defaults kstatus applies to missing
//! fields (missing counts are 0 unless a rule says otherwise).

use serde_json::Value;

pub(crate) fn get<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(obj, |v, key| v.get(*key))
        .filter(|v| !v.is_null())
}

pub(crate) fn str_field<'a>(obj: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(obj, path).and_then(Value::as_str)
}

/// Integers may arrive as JSON numbers or (from loosely typed YAML) as floats.
pub(crate) fn int_field(obj: &Value, path: &[&str]) -> Option<i64> {
    let v = get(obj, path)?;
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

pub(crate) fn int_or(obj: &Value, path: &[&str], default: i64) -> i64 {
    int_field(obj, path).unwrap_or(default)
}

/// One entry of `status.conditions`, with missing strings as "".
#[derive(Debug, Clone)]
pub(crate) struct ObjCondition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

pub(crate) fn conditions(obj: &Value) -> Vec<ObjCondition> {
    let Some(list) = get(obj, &["status", "conditions"]).and_then(Value::as_array) else {
        return Vec::new();
    };
    let text = |c: &Value, key: &str| {
        c.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    list.iter()
        .map(|c| ObjCondition {
            type_: text(c, "type"),
            status: text(c, "status"),
            reason: text(c, "reason"),
            message: text(c, "message"),
        })
        .collect()
}

pub(crate) fn find_condition(obj: &Value, type_: &str) -> Option<ObjCondition> {
    conditions(obj).into_iter().find(|c| c.type_ == type_)
}

pub(crate) fn has_condition(obj: &Value, type_: &str, status: &str) -> bool {
    conditions(obj)
        .iter()
        .any(|c| c.type_ == type_ && c.status == status)
}

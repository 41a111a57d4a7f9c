//! `metadata.managedFields` entries: reading, writing and ordering them as kube-apiserver
//! does. An Apply entry is identified by manager and subresource; an Update entry also by
//! its apiVersion (kube's BuildManagerIdentifier).

use super::fieldset::FieldSet;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One managedFields entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedFieldsEntry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    /// RFC 3339 time of the last change this manager made.
    pub time: Option<String>,
    pub fields: FieldSet,
    pub subresource: Option<String>,
}

impl ManagedFieldsEntry {
    /// Whether `self` is the entry of (manager, operation, apiVersion, subresource).
    pub fn is(
        &self,
        manager: &str,
        operation: Operation,
        api_version: &str,
        subresource: Option<&str>,
    ) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource.as_deref() == subresource
            && (operation == Operation::Apply || self.api_version == api_version)
    }

    /// How kube-apiserver names the manager in a conflict: `"kubectl"`,
    /// `"kube-controller-manager" using apps/v1`, `"x" with subresource "status" using v1`.
    pub fn display_name(&self) -> String {
        let mut name = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            name.push_str(&format!(" with subresource {sub:?}"));
        }
        if self.operation == Operation::Update {
            name.push_str(&format!(" using {}", self.api_version));
        }
        name
    }

    /// The JSON form, fields in the order of Go's ManagedFieldsEntry struct.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("manager".into(), Value::String(self.manager.clone()));
        out.insert(
            "operation".into(),
            Value::String(self.operation.as_str().into()),
        );
        out.insert("apiVersion".into(), Value::String(self.api_version.clone()));
        if let Some(time) = &self.time {
            out.insert("time".into(), Value::String(time.clone()));
        }
        out.insert("fieldsType".into(), Value::String("FieldsV1".into()));
        out.insert("fieldsV1".into(), self.fields.to_fields_v1());
        if let Some(sub) = &self.subresource {
            out.insert("subresource".into(), Value::String(sub.clone()));
        }
        Value::Object(out)
    }

    pub fn from_json(value: &Value) -> Result<Self, String> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
        let operation = match text("operation").as_deref() {
            Some("Apply") => Operation::Apply,
            Some("Update") => Operation::Update,
            other => {
                return Err(format!(
                    "managedFields entry has unknown operation {other:?}"
                ));
            }
        };
        match text("fieldsType").as_deref() {
            Some("FieldsV1") | None => {}
            Some(other) => {
                return Err(format!(
                    "managedFields entry has unsupported fieldsType {other:?}"
                ));
            }
        }
        let fields = match value.get("fieldsV1") {
            Some(v) => FieldSet::from_fields_v1(v)?,
            None => FieldSet::new(),
        };
        Ok(ManagedFieldsEntry {
            manager: text("manager").unwrap_or_default(),
            operation,
            api_version: text("apiVersion").unwrap_or_default(),
            time: text("time"),
            fields,
            subresource: text("subresource").filter(|s| !s.is_empty()),
        })
    }
}

/// The entries of `object.metadata.managedFields` (none when absent).
pub fn read_managed_fields(object: &Value) -> Result<Vec<ManagedFieldsEntry>, String> {
    match object.pointer("/metadata/managedFields") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(ManagedFieldsEntry::from_json).collect(),
        Some(other) => Err(format!(
            "metadata.managedFields must be a list, not {other}"
        )),
    }
}

/// Replace `object.metadata.managedFields` with `entries`, sorted as kube sorts them
/// (Apply before Update, then by time, manager, apiVersion, subresource). No entries
/// removes the field.
pub fn write_managed_fields(object: &mut Value, mut entries: Vec<ManagedFieldsEntry>) {
    entries.sort_by(|p, q| {
        p.operation
            .cmp(&q.operation)
            .then_with(|| {
                p.time
                    .clone()
                    .unwrap_or_default()
                    .cmp(&q.time.clone().unwrap_or_default())
            })
            .then_with(|| p.manager.cmp(&q.manager))
            .then_with(|| p.api_version.cmp(&q.api_version))
            .then_with(|| p.subresource.cmp(&q.subresource))
    });
    let Value::Object(root) = object else { return };
    if entries.is_empty() {
        if let Some(Value::Object(meta)) = root.get_mut("metadata") {
            meta.shift_remove("managedFields");
        }
        return;
    }
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        let list = entries.iter().map(ManagedFieldsEntry::to_json).collect();
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// `object` without `metadata.managedFields`.
pub fn strip_managed_fields(object: &mut Value) {
    if let Some(Value::Object(meta)) = object.get_mut("metadata") {
        meta.shift_remove("managedFields");
    }
}

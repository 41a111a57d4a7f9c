//! `meta.k8s.io` Table answers (what `kubectl get` prints) and PartialObjectMetadata.
//! Columns come from the resource's printer columns, evaluated with JSONPath, with Name first;
//! resources without columns (and built-ins without an explicit one) get Age, as kube-apiserver does.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::store::types::{PrinterColumn, ResourceType};

use super::computed_columns;
use super::jsonpath::{JsonPath, format_results};

/// How much of each object a Table row carries (`includeObject` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

impl IncludeObject {
    pub fn parse(value: Option<&str>) -> Result<IncludeObject, String> {
        match value {
            None | Some("") | Some("Metadata") => Ok(IncludeObject::Metadata),
            Some("None") => Ok(IncludeObject::None),
            Some("Object") => Ok(IncludeObject::Object),
            Some(other) => Err(format!("invalid includeObject {other:?}: must be None, Metadata or Object")),
        }
    }
}

/// Column definitions plus their compiled paths.
pub struct TableLayout {
    columns: Vec<(PrinterColumn, Option<JsonPath>)>,
}

const CREATION: &str = ".metadata.creationTimestamp";

impl TableLayout {
    pub fn for_type(rt: &ResourceType) -> TableLayout {
        let mut columns: Vec<PrinterColumn> = rt.printer_columns.clone();
        // Built-in tables list Name themselves; it is always the first column.
        let lists_name = columns.first().is_some_and(|c| c.name == "Name" && c.json_path.trim() == ".metadata.name");
        if lists_name {
            columns.remove(0);
        }
        let has_age = columns.iter().any(|c| matches!(c.json_path.trim(), CREATION | "#age" | "#created-at"));
        if !has_age && (columns.is_empty() || rt.schema.is_none()) {
            columns.push(PrinterColumn {
                name: "Age".into(),
                type_: "date".into(),
                format: None,
                description: "CreationTimestamp is a timestamp representing the server time when this object was created.".into(),
                json_path: CREATION.into(),
                priority: 0,
            });
        }
        // An unparsable path yields empty cells rather than failing every read of the resource.
        let columns = columns.into_iter().map(|c| {
            let path = if c.json_path.starts_with('#') { None } else { JsonPath::parse(&c.json_path).ok() };
            (c, path)
        });
        TableLayout { columns: columns.collect() }
    }

    pub fn column_definitions(&self) -> Value {
        let mut defs = vec![json!({
            "name": "Name", "type": "string", "format": "name", "priority": 0,
            "description": "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.",
        })];
        for (c, _) in &self.columns {
            defs.push(json!({
                "name": c.name, "type": c.type_, "format": c.format.clone().unwrap_or_default(),
                "description": c.description, "priority": c.priority,
            }));
        }
        Value::Array(defs)
    }

    pub fn row(&self, object: &Value, include: IncludeObject, now: Timestamp) -> Value {
        let name = object.pointer("/metadata/name").cloned().unwrap_or(Value::Null);
        let mut cells = vec![name];
        for (column, path) in &self.columns {
            if let Some(key) = column.json_path.strip_prefix('#') {
                cells.push(computed_columns::cell(key, object, now));
                continue;
            }
            let found = path.as_ref().map(|p| p.find(object)).unwrap_or_default();
            cells.push(match found.first() {
                None => Value::Null,
                Some(first) => cell(&column.type_, first, &found, now),
            });
        }
        let mut row = json!({"cells": cells});
        match include {
            IncludeObject::None => {}
            IncludeObject::Metadata => row["object"] = partial_metadata(object),
            IncludeObject::Object => row["object"] = object.clone(),
        }
        row
    }

    /// A whole Table; `with_columns` false leaves columnDefinitions empty (later watch events).
    pub fn table(&self, version: &str, objects: &[Value], list_meta: Value, include: IncludeObject, with_columns: bool) -> Value {
        let now = Timestamp::now();
        let rows: Vec<Value> = objects.iter().map(|o| self.row(o, include, now)).collect();
        let columns = if with_columns { self.column_definitions() } else { json!([]) };
        json!({
            "kind": "Table",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": list_meta,
            "columnDefinitions": columns,
            "rows": rows,
        })
    }
}

/// A cell typed as the column says (kube-apiserver's CRD table convertor rules).
fn cell(type_: &str, first: &Value, all: &[&Value], now: Timestamp) -> Value {
    match (type_, first) {
        ("date", Value::String(s)) if s.parse::<Timestamp>().is_err() => json!("<invalid>"),
        ("date", v @ Value::String(_)) => computed_columns::age_since(v, now),
        ("integer", Value::Number(n)) => n.as_i64().map(Value::from).unwrap_or_else(|| json!(n.as_f64().unwrap_or(0.0) as i64)),
        ("number" | "boolean", v @ (Value::Number(_) | Value::Bool(_))) => v.clone(),
        ("string", _) => json!(format_results(&all[..1])),
        (_, v) => v.clone(),
    }
}

/// `meta.k8s.io/v1 PartialObjectMetadata` of an object.
pub fn partial_metadata(object: &Value) -> Value {
    json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": object.get("metadata").cloned().unwrap_or_else(|| json!({})),
    })
}

/// `meta.k8s.io/v1 PartialObjectMetadataList` of a list.
pub fn partial_metadata_list(objects: &[Value], list_meta: Value) -> Value {
    json!({
        "kind": "PartialObjectMetadataList",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "items": objects.iter().map(partial_metadata).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, type_: &str, path: &str, priority: i32) -> PrinterColumn {
        PrinterColumn { name: name.into(), type_: type_.into(), format: None, description: String::new(), json_path: path.into(), priority }
    }

    fn kustomization_type() -> ResourceType {
        ResourceType {
            group: "kustomize.toolkit.fluxcd.io".into(),
            version: "v1".into(),
            kind: "Kustomization".into(),
            plural: "kustomizations".into(),
            singular: "kustomization".into(),
            short_names: vec!["ks".into()],
            categories: vec![],
            namespaced: true,
            status_subresource: true,
            printer_columns: vec![
                column("Age", "date", ".metadata.creationTimestamp", 0),
                column("Ready", "string", r#".status.conditions[?(@.type=="Ready")].status"#, 0),
                column("Status", "string", r#".status.conditions[?(@.type=="Ready")].message"#, 0),
            ],
            schema: Some(json!({"type": "object"})),
            storage_version: true,
            verbs: vec![],
        }
    }

    #[test]
    fn flux_columns_show_ready_and_status() {
        let layout = TableLayout::for_type(&kustomization_type());
        let created = Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(300)).unwrap();
        let obj = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system", "creationTimestamp": created.to_string()},
            "status": {"conditions": [{"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:1234"}]}
        });
        let table = layout.table("v1", std::slice::from_ref(&obj), json!({"resourceVersion": "7"}), IncludeObject::Metadata, true);
        let names: Vec<&str> = table["columnDefinitions"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Name", "Age", "Ready", "Status"]);
        assert_eq!(table["rows"][0]["cells"], json!(["apps", "5m", "True", "Applied revision: main@sha1:1234"]));
        assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(table["rows"][0]["object"]["metadata"]["namespace"], "flux-system");
        assert_eq!(table["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn missing_values_are_null_and_builtins_get_age() {
        let mut rt = kustomization_type();
        rt.schema = None;
        rt.printer_columns = vec![column("Replicas", "integer", ".spec.replicas", 0), column("Image", "string", ".spec.image", 1)];
        let layout = TableLayout::for_type(&rt);
        let row = layout.row(&json!({"metadata": {"name": "x"}, "spec": {"replicas": 2}}), IncludeObject::None, Timestamp::now());
        assert_eq!(row["cells"], json!(["x", 2, null, null]));
        assert!(row.get("object").is_none());
        assert_eq!(layout.column_definitions()[3]["name"], "Age");
        assert_eq!(layout.column_definitions()[2]["priority"], 1);
    }

    #[test]
    fn builtin_columns_with_name_and_computed_cells() {
        let mut rt = kustomization_type();
        rt.schema = None;
        rt.printer_columns = vec![column("Name", "string", ".metadata.name", 0), column("Data", "string", "#data-count", 0), column("Age", "date", "#age", 0)];
        let layout = TableLayout::for_type(&rt);
        let names: Vec<String> = layout.column_definitions().as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
        assert_eq!(names, ["Name", "Data", "Age"]);
        let created = Timestamp::now().checked_sub(jiff::SignedDuration::from_secs(7200)).unwrap();
        let cm = json!({"metadata": {"name": "cm", "creationTimestamp": created.to_string()}, "data": {"a": "1", "b": "2"}});
        assert_eq!(layout.row(&cm, IncludeObject::None, Timestamp::now())["cells"], json!(["cm", 2, "2h"]));
    }

    #[test]
    fn include_object_parsing() {
        assert_eq!(IncludeObject::parse(None).unwrap(), IncludeObject::Metadata);
        assert_eq!(IncludeObject::parse(Some("Object")).unwrap(), IncludeObject::Object);
        assert!(IncludeObject::parse(Some("All")).is_err());
    }
}

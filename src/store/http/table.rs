//! `meta.k8s.io` Table answers (what `kubectl get` prints) and PartialObjectMetadata.
//! Columns are the resource's printer columns (Name first), cells come from
//! `store::columns::cell` (JSONPath for CRD columns, computed values for built-ins).

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::store::columns;
use crate::store::types::{PrinterColumn, ResourceType};

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
            Some(other) => Err(format!(
                "invalid includeObject {other:?}: must be None, Metadata or Object"
            )),
        }
    }
}

/// The columns of one resource type's Tables.
pub struct TableLayout {
    columns: Vec<PrinterColumn>,
}

const CREATION: &str = ".metadata.creationTimestamp";

fn column(
    name: &str,
    type_: &str,
    format: Option<&str>,
    description: &str,
    json_path: &str,
) -> PrinterColumn {
    PrinterColumn {
        name: name.into(),
        type_: type_.into(),
        format: format.map(str::to_string),
        description: description.into(),
        json_path: json_path.into(),
        priority: 0,
    }
}

impl TableLayout {
    /// The type's printer columns, with Name first and an Age column when nothing else is
    /// given (what kube-apiserver shows for CRDs without additionalPrinterColumns).
    pub fn for_type(rt: &ResourceType) -> TableLayout {
        let mut columns: Vec<PrinterColumn> = rt.printer_columns.clone();
        let lists_name = columns
            .first()
            .is_some_and(|c| c.name == "Name" && c.json_path.trim() == ".metadata.name");
        if !lists_name {
            let description = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.";
            columns.insert(
                0,
                column(
                    "Name",
                    "string",
                    Some("name"),
                    description,
                    ".metadata.name",
                ),
            );
        }
        if columns.len() == 1 {
            let description = "CreationTimestamp is a timestamp representing the server time when this object was created.";
            columns.push(column("Age", "date", None, description, CREATION));
        }
        TableLayout { columns }
    }

    pub fn column_definitions(&self) -> Value {
        let defs: Vec<Value> = self
            .columns
            .iter()
            .map(|c| {
                json!({
                    "name": c.name, "type": c.type_, "format": c.format.clone().unwrap_or_default(),
                    "description": c.description, "priority": c.priority,
                })
            })
            .collect();
        Value::Array(defs)
    }

    pub fn row(&self, object: &Value, include: IncludeObject, now: Timestamp) -> Value {
        let cells: Vec<Value> = self
            .columns
            .iter()
            .map(|c| columns::cell(c, object, now))
            .collect();
        let mut row = json!({"cells": cells});
        match include {
            IncludeObject::None => {}
            IncludeObject::Metadata => row["object"] = partial_metadata(object),
            IncludeObject::Object => row["object"] = object.clone(),
        }
        row
    }

    /// A whole Table; `with_columns` false leaves columnDefinitions empty (later watch events).
    pub fn table(
        &self,
        version: &str,
        objects: &[Value],
        list_meta: Value,
        include: IncludeObject,
        with_columns: bool,
    ) -> Value {
        let now = Timestamp::now();
        let rows: Vec<Value> = objects.iter().map(|o| self.row(o, include, now)).collect();
        let columns = if with_columns {
            self.column_definitions()
        } else {
            json!([])
        };
        json!({
            "kind": "Table",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": list_meta,
            "columnDefinitions": columns,
            "rows": rows,
        })
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
        PrinterColumn {
            name: name.into(),
            type_: type_.into(),
            format: None,
            description: String::new(),
            json_path: path.into(),
            priority,
        }
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
                column(
                    "Ready",
                    "string",
                    r#".status.conditions[?(@.type=="Ready")].status"#,
                    0,
                ),
                column(
                    "Status",
                    "string",
                    r#".status.conditions[?(@.type=="Ready")].message"#,
                    0,
                ),
            ],
            schema: Some(std::sync::Arc::new(json!({"type": "object"}))),
            storage_version: true,
            verbs: vec![],
        }
    }

    #[test]
    fn flux_columns_show_ready_and_status() {
        let layout = TableLayout::for_type(&kustomization_type());
        let created = Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_secs(300))
            .unwrap();
        let obj = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system", "creationTimestamp": created.to_string()},
            "status": {"conditions": [{"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:1234"}]}
        });
        let table = layout.table(
            "v1",
            std::slice::from_ref(&obj),
            json!({"resourceVersion": "7"}),
            IncludeObject::Metadata,
            true,
        );
        let names: Vec<&str> = table["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Name", "Age", "Ready", "Status"]);
        assert_eq!(
            table["rows"][0]["cells"],
            json!(["apps", "5m", "True", "Applied revision: main@sha1:1234"])
        );
        assert_eq!(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(
            table["rows"][0]["object"]["metadata"]["namespace"],
            "flux-system"
        );
        assert_eq!(table["metadata"]["resourceVersion"], "7");
    }

    #[test]
    fn missing_values_are_null_and_bare_types_get_name_and_age() {
        let mut rt = kustomization_type();
        rt.printer_columns = vec![
            column("Replicas", "integer", ".spec.replicas", 0),
            column("Image", "string", ".spec.image", 1),
        ];
        let layout = TableLayout::for_type(&rt);
        let row = layout.row(
            &json!({"metadata": {"name": "x"}, "spec": {"replicas": 2}}),
            IncludeObject::None,
            Timestamp::now(),
        );
        assert_eq!(row["cells"], json!(["x", 2, null]));
        assert!(row.get("object").is_none());
        assert_eq!(layout.column_definitions()[2]["priority"], 1);
        rt.printer_columns.clear();
        let names: Vec<String> = TableLayout::for_type(&rt)
            .column_definitions()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["Name", "Age"]);
    }

    #[test]
    fn builtin_columns_with_name_and_computed_cells() {
        let mut rt = kustomization_type();
        rt.schema = None;
        rt.printer_columns = vec![
            column("Name", "string", ".metadata.name", 0),
            column("Data", "string", "#data-count", 0),
            column("Age", "date", "#age", 0),
        ];
        let layout = TableLayout::for_type(&rt);
        let names: Vec<String> = layout
            .column_definitions()
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["Name", "Data", "Age"]);
        let created = Timestamp::now()
            .checked_sub(jiff::SignedDuration::from_secs(7200))
            .unwrap();
        let cm = json!({"metadata": {"name": "cm", "creationTimestamp": created.to_string()}, "data": {"a": "1", "b": "2"}});
        assert_eq!(
            layout.row(&cm, IncludeObject::None, Timestamp::now())["cells"],
            json!(["cm", 2, "120m"])
        );
    }

    #[test]
    fn include_object_parsing() {
        assert_eq!(IncludeObject::parse(None).unwrap(), IncludeObject::Metadata);
        assert_eq!(
            IncludeObject::parse(Some("Object")).unwrap(),
            IncludeObject::Object
        );
        assert!(IncludeObject::parse(Some("All")).is_err());
    }
}

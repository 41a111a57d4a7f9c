//! CustomResourceDefinitions: the served types a CRD object defines, its validation, and the
//! status (acceptedNames, Established, NamesAccepted) the apiextensions controllers write.

use serde_json::{Value, json};

use super::builtin::STANDARD_VERBS;
use super::meta;
use super::types::{PrinterColumn, ResourceType, StoreError};

/// The names block of a CRD, with kube's defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct CrdNames {
    pub group: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub list_kind: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

pub fn names(crd: &Value) -> CrdNames {
    let kind = str_at(crd, "/spec/names/kind").to_string();
    let singular = match str_at(crd, "/spec/names/singular") {
        "" => kind.to_lowercase(),
        s => s.to_string(),
    };
    let list_kind = match str_at(crd, "/spec/names/listKind") {
        "" => format!("{kind}List"),
        s => s.to_string(),
    };
    CrdNames {
        group: str_at(crd, "/spec/group").to_string(),
        plural: str_at(crd, "/spec/names/plural").to_string(),
        singular,
        kind,
        list_kind,
        short_names: strings(crd.pointer("/spec/names/shortNames")),
        categories: strings(crd.pointer("/spec/names/categories")),
    }
}

/// Structural checks kube-apiserver makes before accepting a CRD object (422 otherwise).
pub fn validate(crd_rt: &ResourceType, crd: &Value) -> Result<(), StoreError> {
    let name = meta::name_of(crd);
    let n = names(crd);
    let fail = |field: &str, reason: &str, detail: String| {
        Err(meta::invalid(crd_rt, name, field, reason, detail))
    };
    if n.group.is_empty() {
        return fail("spec.group", "FieldValueRequired", "".into());
    }
    if !n.group.contains('.') || !meta::is_dns1123_subdomain(&n.group) {
        return fail(
            "spec.group",
            "FieldValueInvalid",
            format!("{:?}: should be a domain with at least one dot", n.group),
        );
    }
    if n.plural.is_empty() {
        return fail("spec.names.plural", "FieldValueRequired", "".into());
    }
    if n.kind.is_empty() {
        return fail("spec.names.kind", "FieldValueRequired", "".into());
    }
    if !meta::is_dns1123_label(&n.plural) {
        return fail(
            "spec.names.plural",
            "FieldValueInvalid",
            format!("{:?}: a lowercase RFC 1123 label", n.plural),
        );
    }
    let expected = format!("{}.{}", n.plural, n.group);
    if name != expected {
        return fail(
            "metadata.name",
            "FieldValueInvalid",
            format!("{name:?}: must be spec.names.plural+\".\"+spec.group"),
        );
    }
    match crd.pointer("/spec/scope").and_then(Value::as_str) {
        Some("Namespaced") | Some("Cluster") => {}
        other => {
            return fail(
                "spec.scope",
                "FieldValueNotSupported",
                format!(
                    "{:?}: supported values: \"Cluster\", \"Namespaced\"",
                    other.unwrap_or("")
                ),
            );
        }
    }
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if versions.is_empty() {
        return fail(
            "spec.versions",
            "FieldValueInvalid",
            "must have exactly one version marked as storage version".into(),
        );
    }
    let storage = versions
        .iter()
        .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .count();
    if storage != 1 {
        return fail(
            "spec.versions",
            "FieldValueInvalid",
            "must have exactly one version marked as storage version".into(),
        );
    }
    if !versions
        .iter()
        .any(|v| v.get("served").and_then(Value::as_bool) == Some(true))
    {
        return fail(
            "spec.versions",
            "FieldValueInvalid",
            "must have at least one version marked as served".into(),
        );
    }
    for (i, v) in versions.iter().enumerate() {
        let vname = v.get("name").and_then(Value::as_str).unwrap_or("");
        if !meta::is_dns1123_label(vname) {
            return fail(
                &format!("spec.versions[{i}].name"),
                "FieldValueInvalid",
                format!("{vname:?}: a DNS-1035 label"),
            );
        }
    }
    Ok(())
}

fn age_column() -> PrinterColumn {
    PrinterColumn {
        name: "Age".into(),
        type_: "date".into(),
        format: None,
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.".into(),
        json_path: ".metadata.creationTimestamp".into(),
        priority: 0,
    }
}

fn name_column() -> PrinterColumn {
    PrinterColumn {
        name: "Name".into(),
        type_: "string".into(),
        format: Some("name".into()),
        description: "Name must be unique within a namespace.".into(),
        json_path: ".metadata.name".into(),
        priority: 0,
    }
}

/// Table columns: Name, then additionalPrinterColumns; an implicit Age when none are given.
fn columns(version: &Value) -> Vec<PrinterColumn> {
    let declared: Vec<PrinterColumn> = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .map(|cols| {
            cols.iter()
                .map(|c| PrinterColumn {
                    name: str_at(c, "/name").to_string(),
                    type_: str_at(c, "/type").to_string(),
                    format: c.get("format").and_then(Value::as_str).map(str::to_string),
                    description: str_at(c, "/description").to_string(),
                    json_path: str_at(c, "/jsonPath").to_string(),
                    priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0) as i32,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = vec![name_column()];
    if declared.is_empty() {
        out.push(age_column());
    } else {
        out.extend(declared);
    }
    out
}

/// The served versions of a CRD as resource types.
pub fn served_types(crd: &Value) -> Vec<ResourceType> {
    let n = names(crd);
    let namespaced = crd.pointer("/spec/scope").and_then(Value::as_str) == Some("Namespaced");
    let versions = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        .map(|v| ResourceType {
            group: n.group.clone(),
            version: str_at(v, "/name").to_string(),
            kind: n.kind.clone(),
            plural: n.plural.clone(),
            singular: n.singular.clone(),
            short_names: n.short_names.clone(),
            categories: n.categories.clone(),
            namespaced,
            status_subresource: v.pointer("/subresources/status").is_some(),
            printer_columns: columns(v),
            schema: v
                .pointer("/schema/openAPIV3Schema")
                .cloned()
                .map(std::sync::Arc::new),
            storage_version: v.get("storage").and_then(Value::as_bool) == Some(true),
            verbs: STANDARD_VERBS.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

fn condition(
    type_: &str,
    ok: bool,
    reason: &str,
    message: &str,
    now: &str,
    previous: Option<&Value>,
) -> Value {
    let status = if ok { "True" } else { "False" };
    // lastTransitionTime only moves when the status flips
    let since = previous
        .and_then(|conds| conds.as_array())
        .and_then(|a| {
            a.iter()
                .find(|c| c.get("type").and_then(Value::as_str) == Some(type_))
        })
        .filter(|c| c.get("status").and_then(Value::as_str) == Some(status))
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| json!(now));
    json!({"type": type_, "status": status, "lastTransitionTime": since, "reason": reason, "message": message})
}

/// Writes the status the apiextensions controllers would: accepted names and conditions.
/// `conflict` is the NamesAccepted=False message when another type owns a name.
pub fn set_status(crd: &mut Value, conflict: Option<&str>, now: &str) {
    let n = names(crd);
    let previous = crd.pointer("/status/conditions").cloned();
    let storage: Vec<String> = crd
        .pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut stored: Vec<String> = strings(crd.pointer("/status/storedVersions"));
    for v in storage {
        if !stored.contains(&v) {
            stored.push(v);
        }
    }
    let (accepted_names, conditions) = match conflict {
        None => (
            json!({"plural": n.plural, "singular": n.singular, "kind": n.kind, "listKind": n.list_kind,
                   "shortNames": n.short_names, "categories": n.categories}),
            vec![
                condition(
                    "NamesAccepted",
                    true,
                    "NoConflicts",
                    "no conflicts found",
                    now,
                    previous.as_ref(),
                ),
                condition(
                    "Established",
                    true,
                    "InitialNamesAccepted",
                    "the initial names have been accepted",
                    now,
                    previous.as_ref(),
                ),
            ],
        ),
        Some(message) => (
            crd.pointer("/status/acceptedNames")
                .cloned()
                .unwrap_or_else(|| json!({"plural": "", "kind": ""})),
            vec![
                condition(
                    "NamesAccepted",
                    false,
                    "NameConflict",
                    message,
                    now,
                    previous.as_ref(),
                ),
                condition(
                    "Established",
                    false,
                    "NotAccepted",
                    "not all names are accepted",
                    now,
                    previous.as_ref(),
                ),
            ],
        ),
    };
    let mut names_obj = accepted_names;
    if let Some(map) = names_obj.as_object_mut() {
        map.retain(|_, v| !(v.is_array() && v.as_array().is_some_and(Vec::is_empty)));
    }
    crd["status"] =
        json!({"conditions": conditions, "acceptedNames": names_obj, "storedVersions": stored});
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"], "categories": ["all"]},
                "versions": [
                    {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                     "schema": {"openAPIV3Schema": {"type": "object"}},
                     "additionalPrinterColumns": [{"name": "Ready", "type": "string", "jsonPath": ".status.ready"}]},
                    {"name": "v1beta1", "served": true, "storage": false},
                    {"name": "v1alpha1", "served": false, "storage": false}
                ]}
        })
    }

    #[test]
    fn served_versions_become_types() {
        let types = served_types(&sample());
        assert_eq!(types.len(), 2);
        let v1 = &types[0];
        assert!(v1.status_subresource && v1.storage_version && v1.namespaced);
        assert_eq!(v1.singular, "widget");
        let cols: Vec<_> = v1.printer_columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["Name", "Ready"]);
        let cols: Vec<_> = types[1]
            .printer_columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(cols, ["Name", "Age"]);
        assert!(!types[1].status_subresource);
    }

    #[test]
    fn status_reports_acceptance() {
        let mut crd = sample();
        set_status(&mut crd, None, "2026-01-01T00:00:00Z");
        assert_eq!(crd["status"]["conditions"][1]["type"], "Established");
        assert_eq!(crd["status"]["conditions"][1]["status"], "True");
        assert_eq!(crd["status"]["acceptedNames"]["listKind"], "WidgetList");
        assert_eq!(crd["status"]["storedVersions"], json!(["v1"]));
        set_status(
            &mut crd,
            Some("\"widgets\" is already in use"),
            "2026-01-02T00:00:00Z",
        );
        assert_eq!(crd["status"]["conditions"][0]["status"], "False");
        assert_eq!(
            crd["status"]["conditions"][0]["lastTransitionTime"],
            "2026-01-02T00:00:00Z"
        );
    }

    #[test]
    fn validation_rejects_mismatched_names() {
        let rt = crate::store::builtin::builtin_types()
            .into_iter()
            .find(|t| t.kind == "CustomResourceDefinition")
            .unwrap();
        assert!(validate(&rt, &sample()).is_ok());
        let mut bad = sample();
        bad["metadata"]["name"] = json!("other.example.com");
        assert_eq!(validate(&rt, &bad).unwrap_err().code(), 422);
        let mut bad = sample();
        bad["spec"]["versions"][1]["storage"] = json!(true);
        assert!(
            validate(&rt, &bad)
                .unwrap_err()
                .to_string()
                .contains("storage version")
        );
    }
}

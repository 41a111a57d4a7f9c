//! The commit message (SPEC §8.5): Go text/template (gotmpl, with sprig's string functions
//! from `engine::sprig`) over `.AutomationObject`,
//! `.Changed` (`FileChanges`, `Objects`, `Changes`) and `.Values`.
//!
//! gotmpl maps are keyed by strings, so the ObjectIdentifier keys of `.Changed.Objects` and
//! `FileChanges` are rendered as `Kind/namespace/name` strings; `{{ .AutomationObject }}`
//! prints `namespace/name` while `.AutomationObject.Name`/`.Namespace` still work.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::engine::setters::{Change, ObjectId};

/// Flux's default message.
pub const DEFAULT_MESSAGE: &str = "Update from image update automation";

#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error(
        "template uses removed '.Updated' field. Please use '.Changed' instead. See https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template"
    )]
    RemovedUpdated,
    #[error(
        "template uses removed '.Changed.ImageResult' field. Please use '.Changed.FileChanges' or '.Changed.Objects' instead. See https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template"
    )]
    RemovedImageResult,
    #[error("invalid spec.git.commit.messageTemplate: {0}")]
    Template(String),
}

impl MessageError {
    pub fn reason(&self) -> &'static str {
        match self {
            MessageError::Template(_) => "InvalidSourceConfiguration",
            _ => "RemovedTemplateField",
        }
    }
}

fn object_key(o: &ObjectId) -> String {
    format!("{}/{}/{}", o.kind, o.namespace, o.name)
}

fn change_json(c: &Change) -> Value {
    json!({"OldValue": c.old_value, "NewValue": c.new_value, "Setter": c.setter})
}

/// The template data.
pub fn template_data(namespace: &str, name: &str, changes: &[Change], values: &Value) -> Value {
    let mut files: BTreeMap<String, BTreeMap<String, Vec<Value>>> = BTreeMap::new();
    let mut objects: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut all: Vec<Value> = Vec::new();
    for c in changes {
        let key = object_key(&c.object);
        files
            .entry(c.file.clone())
            .or_default()
            .entry(key.clone())
            .or_default()
            .push(change_json(c));
        objects.entry(key).or_default().push(change_json(c));
        let v = change_json(c);
        if !all.contains(&v) {
            all.push(v);
        }
    }
    json!({
        "AutomationObject": {"Name": name, "Namespace": namespace},
        "AutomationObjectString": format!("{namespace}/{name}"),
        "Changed": {"FileChanges": files, "Objects": objects, "Changes": all},
        "Values": if values.is_object() { values.clone() } else { json!({}) },
    })
}

/// `.AutomationObject` not followed by a field access prints `namespace/name` as in Go.
fn rewrite_automation_object(template: &str) -> String {
    let re = regex::Regex::new(r"\.AutomationObject(\b[^.\w]|$)").ok();
    match re {
        Some(re) => re
            .replace_all(template, ".AutomationObjectString$1")
            .to_string(),
        None => template.to_string(),
    }
}

/// Render `spec.git.commit.messageTemplate` (None or empty → the default message).
pub fn render(template: Option<&str>, data: &Value) -> Result<String, MessageError> {
    let Some(t) = template.filter(|t| !t.trim().is_empty()) else {
        return Ok(DEFAULT_MESSAGE.to_string());
    };
    if regex::Regex::new(r"\.Updated\b").is_ok_and(|r| r.is_match(t)) {
        return Err(MessageError::RemovedUpdated);
    }
    if t.contains(".Changed.ImageResult") {
        return Err(MessageError::RemovedImageResult);
    }
    let value = gotmpl::to_value(data).map_err(|e| MessageError::Template(e.to_string()))?;
    crate::engine::sprig::register(gotmpl::Template::new("commit message"))
        .parse(&rewrite_automation_object(t))
        .and_then(|tpl| tpl.execute_to_string(&value))
        .map_err(|e| MessageError::Template(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(file: &str, name: &str, old: &str, new: &str) -> Change {
        Change {
            file: file.into(),
            object: ObjectId {
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                name: name.into(),
                namespace: "apps".into(),
            },
            field: "spec.template.spec.containers[0].image".into(),
            line: 1,
            old_value: old.into(),
            new_value: new.into(),
            setter: "flux-system:app".into(),
        }
    }

    #[test]
    fn flux_documented_templates_render() {
        let changes = vec![change("apps/app.yaml", "app", "r/app:1.0.0", "r/app:1.1.0")];
        let data = template_data("flux-system", "auto", &changes, &json!({"env": "prod"}));
        let t = "Automated update by {{ .AutomationObject }} ({{ .AutomationObject.Name }}) for {{ .Values.env }}\n\n{{ range .Changed.Changes -}}\n- {{ .OldValue }} -> {{ .NewValue }}\n{{ end -}}\nFiles:\n{{ range $file, $_ := .Changed.FileChanges }}- {{ $file }}\n{{ end -}}\n{{ printf \"%d change(s)\" (len .Changed.Changes) }}";
        let out = render(Some(t), &data).unwrap();
        assert_eq!(
            out,
            "Automated update by flux-system/auto (auto) for prod\n\n- r/app:1.0.0 -> r/app:1.1.0\nFiles:\n- apps/app.yaml\n1 change(s)"
        );
        assert_eq!(render(None, &data).unwrap(), DEFAULT_MESSAGE);
        assert_eq!(
            render(
                Some(
                    "{{ if .Changed.Changes }}yes{{ else }}no{{ end }} {{ index .Values \"env\" }}"
                ),
                &data
            )
            .unwrap(),
            "yes prod"
        );
    }

    #[test]
    fn removed_fields_and_bad_templates_are_errors() {
        let data = template_data("ns", "a", &[], &Value::Null);
        assert!(matches!(
            render(Some("{{ .Updated.Images }}"), &data),
            Err(MessageError::RemovedUpdated)
        ));
        assert!(matches!(
            render(Some("{{ .Changed.ImageResult }}"), &data),
            Err(MessageError::RemovedImageResult)
        ));
        assert!(matches!(
            render(Some("{{ range }"), &data),
            Err(MessageError::Template(_))
        ));
    }
}

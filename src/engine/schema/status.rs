//! The `422 Invalid` `Status` kube-apiserver answers with when field errors reject a write.

use super::FieldError;
use serde_json::{Value, json};

/// A `meta.k8s.io/v1 Status` for `errors` on `<kind>.<group> "<name>"`, shaped like
/// kube-apiserver's (`NewInvalid`): one cause per error, and a message listing them
/// (in brackets when there are several).
pub fn invalid_status(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Value {
    let qualified = if group.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}.{group}")
    };
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let summary = match listed.as_slice() {
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    let causes: Vec<Value> = errors
        .iter()
        .map(|e| json!({"reason": e.reason.as_str(), "message": e.body(), "field": e.field}))
        .collect();
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": format!("{qualified} \"{name}\" is invalid: {summary}"),
        "reason": "Invalid",
        "details": {"name": name, "group": group, "kind": kind, "causes": causes},
        "code": 422
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schema::FieldReason;

    #[test]
    fn status_lists_every_cause() {
        let errors = [
            FieldError::required("spec.prune"),
            FieldError::new(
                FieldReason::FieldValueInvalid,
                "spec.interval",
                Some(json!("1x")),
                "spec.interval in body should match '^x$'",
            ),
        ];
        let status = invalid_status(
            "kustomize.toolkit.fluxcd.io",
            "Kustomization",
            "apps",
            &errors,
        );
        assert_eq!(
            status["message"],
            "Kustomization.kustomize.toolkit.fluxcd.io \"apps\" is invalid: [spec.prune: Required value, \
             spec.interval: Invalid value: \"1x\": spec.interval in body should match '^x$']"
        );
        assert_eq!(
            status["details"]["causes"][0],
            json!({"reason": "FieldValueRequired", "message": "Required value", "field": "spec.prune"})
        );
        assert_eq!(status["code"], 422);
        let one = invalid_status(
            "kustomize.toolkit.fluxcd.io",
            "Kustomization",
            "apps",
            &errors[..1],
        );
        assert_eq!(
            one["message"],
            "Kustomization.kustomize.toolkit.fluxcd.io \"apps\" is invalid: spec.prune: Required value"
        );
    }
}

//! Validation of a value against a structural schema.

use super::errors::{FieldError, FieldReason, is_integer, render, type_name};
use super::{child, formats, index, regex_cache};
use serde_json::{Map, Value, json};

/// A CEL rule (`x-kubernetes-validations`) that applies to a present field but was not evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRule {
    pub field: String,
    pub rule: String,
    pub message: Option<String>,
}

/// Everything one validation pass found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub errors: Vec<FieldError>,
    pub skipped_rules: Vec<SkippedRule>,
}

/// Validate `obj` against `schema` (a version's `openAPIV3Schema`); CEL rules are not evaluated.
pub fn validate(schema: &Value, obj: &Value) -> Vec<FieldError> {
    check(schema, obj).errors
}

/// Validate and also list the CEL rules that would have applied.
pub fn check(schema: &Value, obj: &Value) -> Report {
    let mut report = Report::default();
    walk(schema, obj, "", true, &mut report);
    report
}

fn walk(schema: &Value, value: &Value, path: &str, root: bool, report: &mut Report) {
    let Some(s) = schema.as_object() else { return };
    if value.is_null() {
        let typed = s.contains_key("type") || flag(s, "x-kubernetes-int-or-string");
        if typed && !flag(s, "nullable") {
            let expected = s
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("integer-or-string");
            report.errors.push(type_error(path, expected, value));
        }
        return;
    }
    if !type_matches(s, value, path, report) {
        return;
    }
    collect_rules(s, path, report);
    check_enum(s, value, path, report);
    match value {
        Value::String(text) => check_string(s, text, path, report),
        Value::Number(_) => check_number(s, value, path, report),
        Value::Array(items) => check_array(s, items, path, report),
        Value::Object(map) => check_object(s, map, path, root, report),
        _ => {}
    }
    check_combinators(s, value, path, report);
}

fn flag(s: &Map<String, Value>, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool) == Some(true)
}

fn type_error(path: &str, expected: &str, value: &Value) -> FieldError {
    let actual = type_name(value);
    FieldError::new(
        FieldReason::FieldValueTypeInvalid,
        path,
        Some(json!(actual)),
        format!(
            "{} in body must be of type {expected}: \"{actual}\"",
            shown(path)
        ),
    )
}

/// kube-openapi names the object itself `<root>` ... but only in messages; paths stay empty.
fn shown(path: &str) -> &str {
    if path.is_empty() { "<root>" } else { path }
}

fn type_matches(s: &Map<String, Value>, value: &Value, path: &str, report: &mut Report) -> bool {
    if flag(s, "x-kubernetes-int-or-string") {
        let ok = value.is_string() || value.as_number().is_some_and(is_integer);
        if !ok {
            report
                .errors
                .push(type_error(path, "integer-or-string", value));
        }
        return ok;
    }
    let Some(expected) = s.get("type").and_then(Value::as_str) else {
        return true;
    };
    let ok = match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value.as_number().is_some_and(is_integer),
        _ => true,
    };
    if !ok {
        report.errors.push(type_error(path, expected, value));
    }
    ok
}

fn collect_rules(s: &Map<String, Value>, path: &str, report: &mut Report) {
    let Some(rules) = s.get("x-kubernetes-validations").and_then(Value::as_array) else {
        return;
    };
    for rule in rules {
        if let Some(text) = rule.get("rule").and_then(Value::as_str) {
            report.skipped_rules.push(SkippedRule {
                field: path.to_string(),
                rule: text.to_string(),
                message: rule
                    .get("message")
                    .and_then(Value::as_str)
                    .map(String::from),
            });
        }
    }
}

fn check_enum(s: &Map<String, Value>, value: &Value, path: &str, report: &mut Report) {
    let Some(allowed) = s.get("enum").and_then(Value::as_array) else {
        return;
    };
    if allowed.iter().any(|a| same_value(a, value)) {
        return;
    }
    let listed: Vec<String> = allowed.iter().map(render).collect();
    report.errors.push(FieldError::new(
        FieldReason::FieldValueNotSupported,
        path,
        Some(value.clone()),
        format!("supported values: {}", listed.join(", ")),
    ));
}

/// JSON equality, with 1 and 1.0 equal (as numbers decoded by Go compare).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) if a.is_number() && b.is_number() => x == y,
        _ => a == b,
    }
}

fn check_string(s: &Map<String, Value>, text: &str, path: &str, report: &mut Report) {
    let value = || Some(Value::String(text.to_string()));
    let chars = text.chars().count() as u64;
    if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
        && chars > max
    {
        let unit = if max == 1 { "byte" } else { "bytes" };
        report.errors.push(FieldError::new(
            FieldReason::FieldValueTooLong,
            path,
            None,
            format!("may not be more than {max} {unit}"),
        ));
    }
    if let Some(min) = s.get("minLength").and_then(Value::as_u64)
        && chars < min
    {
        let detail = format!(
            "{} in body should be at least {min} chars long",
            shown(path)
        );
        report.errors.push(FieldError::new(
            FieldReason::FieldValueInvalid,
            path,
            value(),
            detail,
        ));
    }
    if let Some(pattern) = s.get("pattern").and_then(Value::as_str) {
        match regex_cache::compiled(pattern) {
            Ok(re) if !re.is_match(text) => {
                let detail = format!("{} in body should match '{pattern}'", shown(path));
                report.errors.push(FieldError::new(
                    FieldReason::FieldValueInvalid,
                    path,
                    value(),
                    detail,
                ));
            }
            Ok(_) => {}
            Err(e) => {
                let detail = format!("schema pattern '{pattern}' cannot be compiled: {e}");
                report.errors.push(FieldError::new(
                    FieldReason::FieldValueInvalid,
                    path,
                    value(),
                    detail,
                ));
            }
        }
    }
    if let Some(format) = s.get("format").and_then(Value::as_str)
        && !formats::is_valid(format, text)
    {
        let detail = format!(
            "{} in body must be of type {format}: {}",
            shown(path),
            render(&json!(text))
        );
        report.errors.push(FieldError::new(
            FieldReason::FieldValueTypeInvalid,
            path,
            value(),
            detail,
        ));
    }
}

fn check_number(s: &Map<String, Value>, value: &Value, path: &str, report: &mut Report) {
    let Some(n) = value.as_f64() else { return };
    let mut fail = |detail: String| {
        report.errors.push(FieldError::new(
            FieldReason::FieldValueInvalid,
            path,
            Some(value.clone()),
            detail,
        ))
    };
    let name = shown(path);
    if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
        let exclusive = flag(s, "exclusiveMaximum");
        if (exclusive && n >= max) || n > max {
            let rel = if exclusive {
                "less than"
            } else {
                "less than or equal to"
            };
            fail(format!("{name} in body should be {rel} {}", s["maximum"]));
        }
    }
    if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
        let exclusive = flag(s, "exclusiveMinimum");
        if (exclusive && n <= min) || n < min {
            let rel = if exclusive {
                "greater than"
            } else {
                "greater than or equal to"
            };
            fail(format!("{name} in body should be {rel} {}", s["minimum"]));
        }
    }
    if let Some(m) = s.get("multipleOf").and_then(Value::as_f64)
        && m > 0.0
        && (n / m).fract().abs() > f64::EPSILON
    {
        fail(format!(
            "{name} in body should be a multiple of {}",
            s["multipleOf"]
        ));
    }
}

fn check_array(s: &Map<String, Value>, items: &[Value], path: &str, report: &mut Report) {
    let count = items.len() as u64;
    if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
        && count > max
    {
        let detail = format!("must have at most {max} items");
        report.errors.push(FieldError::new(
            FieldReason::FieldValueTooMany,
            path,
            Some(json!(count)),
            detail,
        ));
    }
    if let Some(min) = s.get("minItems").and_then(Value::as_u64)
        && count < min
    {
        let detail = format!("{} in body should have at least {min} items", shown(path));
        report.errors.push(FieldError::new(
            FieldReason::FieldValueInvalid,
            path,
            Some(json!(count)),
            detail,
        ));
    }
    let list_type = s.get("x-kubernetes-list-type").and_then(Value::as_str);
    if flag(s, "uniqueItems") || list_type == Some("set") {
        report_duplicates(items, path, report, |v| Some(v.clone()));
    }
    if list_type == Some("map")
        && let Some(keys) = s
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
    {
        let keys: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
        report_duplicates(items, path, report, |v| {
            let entry: Map<String, Value> = keys
                .iter()
                .filter_map(|k| Some((k.to_string(), v.get(*k)?.clone())))
                .collect();
            Some(Value::Object(entry))
        });
    }
    if let Some(item_schema) = s.get("items") {
        for (i, item) in items.iter().enumerate() {
            walk(item_schema, item, &index(path, i), false, report);
        }
    }
}

fn report_duplicates(
    items: &[Value],
    path: &str,
    report: &mut Report,
    key: impl Fn(&Value) -> Option<Value>,
) {
    let mut seen: Vec<Value> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(k) = key(item) else { continue };
        if seen.contains(&k) {
            report.errors.push(FieldError::new(
                FieldReason::FieldValueDuplicate,
                &index(path, i),
                Some(k),
                "",
            ));
        } else {
            seen.push(k);
        }
    }
}

fn check_object(
    s: &Map<String, Value>,
    map: &Map<String, Value>,
    path: &str,
    root: bool,
    report: &mut Report,
) {
    if let Some(required) = s.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !map.contains_key(name) {
                report.errors.push(FieldError::required(&child(path, name)));
            }
        }
    }
    let count = map.len() as u64;
    if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
        && count > max
    {
        let detail = format!("must have at most {max} items");
        report.errors.push(FieldError::new(
            FieldReason::FieldValueTooMany,
            path,
            Some(json!(count)),
            detail,
        ));
    }
    if let Some(min) = s.get("minProperties").and_then(Value::as_u64)
        && count < min
    {
        let detail = format!(
            "{} in body should have at least {min} properties",
            shown(path)
        );
        report.errors.push(FieldError::new(
            FieldReason::FieldValueInvalid,
            path,
            Some(json!(count)),
            detail,
        ));
    }
    let properties = s.get("properties").and_then(Value::as_object);
    for (key, value) in map {
        // ObjectMeta is validated by the API machinery, not by the CRD schema.
        if root && key == "metadata" {
            continue;
        }
        let field = child(path, key);
        match (
            properties.and_then(|p| p.get(key)),
            s.get("additionalProperties"),
        ) {
            (Some(prop), _) => walk(prop, value, &field, false, report),
            (None, Some(Value::Bool(false))) => {
                let detail = format!("{field} in body is a forbidden property");
                report.errors.push(FieldError::new(
                    FieldReason::FieldValueForbidden,
                    &field,
                    None,
                    detail,
                ));
            }
            (None, Some(extra @ Value::Object(_))) => walk(extra, value, &field, false, report),
            // Unknown fields are not a validation error: pruning (or strict mode) handles them.
            (None, _) => {}
        }
    }
}

fn check_combinators(s: &Map<String, Value>, value: &Value, path: &str, report: &mut Report) {
    let passes = |branch: &Value| {
        let mut sub = Report::default();
        walk(branch, value, path, false, &mut sub);
        sub.errors.is_empty()
    };
    let mut composite = |detail: &str| {
        let shown_value = if value.is_object() || value.is_array() {
            json!(type_name(value))
        } else {
            value.clone()
        };
        let detail = format!("{} in body {detail}", shown(path));
        report.errors.push(FieldError::new(
            FieldReason::FieldValueInvalid,
            path,
            Some(shown_value),
            detail,
        ));
    };
    if let Some(branches) = s.get("anyOf").and_then(Value::as_array)
        && !branches.iter().any(passes)
    {
        composite("must validate at least one schema (anyOf)");
    }
    if let Some(branches) = s.get("oneOf").and_then(Value::as_array)
        && branches.iter().filter(|b| passes(b)).count() != 1
    {
        composite("must validate one and only one schema (oneOf)");
    }
    if let Some(not) = s.get("not")
        && passes(not)
    {
        composite("must not validate the schema (not)");
    }
    if let Some(branches) = s.get("allOf").and_then(Value::as_array) {
        for branch in branches {
            let mut sub = Report::default();
            walk(branch, value, path, false, &mut sub);
            report.errors.extend(sub.errors);
        }
    }
}

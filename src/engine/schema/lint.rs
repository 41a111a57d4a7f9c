//! Checks that a CRD version's schema is usable by this module: known types, compilable
//! patterns, well-formed `required`/`properties`/`items`, and defaults that satisfy their own
//! schema (as the apiserver requires when the CRD is created).

use super::{child, regex_cache, validate};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// Schema location, e.g. `spec.interval` or `spec.list[]`.
    pub at: String,
    pub problem: String,
}

/// Every problem found in `schema` (empty when it is usable).
pub fn check_schema(schema: &Value) -> Vec<SchemaProblem> {
    let mut problems = Vec::new();
    lint(schema, "", &mut problems);
    problems
}

fn lint(schema: &Value, at: &str, out: &mut Vec<SchemaProblem>) {
    let mut report = |problem: String| {
        out.push(SchemaProblem {
            at: at.to_string(),
            problem,
        })
    };
    let Some(s) = schema.as_object() else {
        report("schema is not an object".into());
        return;
    };
    if let Some(t) = s.get("type") {
        let known = ["object", "array", "string", "integer", "number", "boolean"];
        if !t.as_str().is_some_and(|t| known.contains(&t)) {
            report(format!("unknown type {t}"));
        }
    }
    if let Some(pattern) = s.get("pattern") {
        match pattern.as_str().map(regex_cache::compiled) {
            Some(Ok(_)) => {}
            Some(Err(e)) => report(format!("pattern does not compile: {e}")),
            None => report("pattern is not a string".into()),
        }
    }
    if let Some(required) = s.get("required")
        && !required
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string))
    {
        report("required is not a list of strings".into());
    }
    if s.get("type").and_then(Value::as_str) == Some("array") && !s.contains_key("items") {
        report("array without items".into());
    }
    if let Some(default) = s.get("default") {
        for error in validate(schema, default) {
            report(format!("default does not validate: {error}"));
        }
    }
    drop(report);
    if let Some(props) = s.get("properties") {
        match props.as_object() {
            Some(props) => props.iter().for_each(|(k, v)| lint(v, &child(at, k), out)),
            None => out.push(SchemaProblem {
                at: at.into(),
                problem: "properties is not an object".into(),
            }),
        }
    }
    if let Some(items) = s.get("items") {
        lint(items, &format!("{at}[]"), out);
    }
    if let Some(extra @ Value::Object(_)) = s.get("additionalProperties") {
        lint(extra, &child(at, "<key>"), out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, branch) in s
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            lint(branch, &format!("{at}<{key}[{i}]>"), out);
        }
    }
}

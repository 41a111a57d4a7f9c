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
    let Some(s) = schema.as_object() else {
        out.push(SchemaProblem {
            at: at.to_string(),
            problem: "schema is not an object".into(),
        });
        return;
    };
    for problem in local_problems(schema, s) {
        out.push(SchemaProblem {
            at: at.to_string(),
            problem,
        });
    }
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

/// Problems of this schema node alone (not of its children).
fn local_problems(schema: &Value, s: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(t) = s.get("type") {
        let known = ["object", "array", "string", "integer", "number", "boolean"];
        if !t.as_str().is_some_and(|t| known.contains(&t)) {
            problems.push(format!("unknown type {t}"));
        }
    }
    if let Some(pattern) = s.get("pattern") {
        match pattern.as_str().map(regex_cache::compiled) {
            Some(Ok(_)) => {}
            Some(Err(e)) => problems.push(format!("pattern does not compile: {e}")),
            None => problems.push("pattern is not a string".into()),
        }
    }
    if let Some(required) = s.get("required")
        && !required
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string))
    {
        problems.push("required is not a list of strings".into());
    }
    if s.get("type").and_then(Value::as_str) == Some("array") && !s.contains_key("items") {
        problems.push("array without items".into());
    }
    if let Some(default) = s.get("default") {
        for error in validate(schema, default) {
            problems.push(format!("default does not validate: {error}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn broken_schemas_are_reported_where_they_break() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string", "pattern": "(unclosed"},
            "b": {"type": "array"},
            "c": {"type": "integer", "default": "three"},
            "d": {"type": "strnig"},
            "e": {"type": "object", "required": "x"}
        }});
        let problems = check_schema(&schema);
        let at: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
        assert_eq!(at, ["a", "b", "c", "d", "e"], "{problems:#?}");
        assert!(
            problems[2].problem.contains("must be of type integer"),
            "{}",
            problems[2].problem
        );
    }
}

//! The subset of Kubernetes JSONPath that CRD `additionalPrinterColumns` use:
//! `.a.b`, `['a']`, `[0]`, `[-1]`, `[*]`, `.*`, `..name` and filters such as
//! `[?(@.type=="Ready")]`, with optional surrounding `{}`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid JSONPath {path:?} at byte {at}: {message}")]
pub struct JsonPathError {
    pub path: String,
    pub at: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Wildcard,
    Recursive(String),
    Index(i64),
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
struct Filter {
    path: Vec<Step>,
    comparison: Option<(Op, Value)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed expression, reusable across objects.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPath {
    steps: Vec<Step>,
}

impl JsonPath {
    pub fn parse(text: &str) -> Result<JsonPath, JsonPathError> {
        let trimmed = text.trim();
        let inner = trimmed
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(trimmed);
        let mut parser = Parser { text: inner, pos: 0, original: text };
        let steps = parser.steps(false)?;
        if parser.pos < inner.len() {
            return Err(parser.error("unexpected character"));
        }
        Ok(JsonPath { steps })
    }

    /// Every value the path selects, in document order.
    pub fn find<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        evaluate(&self.steps, vec![root])
    }
}

/// Formats results the way kubectl prints them: strings raw, others as JSON, space separated.
pub fn format_results(values: &[&Value]) -> String {
    values
        .iter()
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn evaluate<'a>(steps: &[Step], start: Vec<&'a Value>) -> Vec<&'a Value> {
    let mut current = start;
    for step in steps {
        let mut next = Vec::new();
        for value in current {
            apply(step, value, &mut next);
        }
        current = next;
    }
    current
}

fn apply<'a>(step: &Step, value: &'a Value, out: &mut Vec<&'a Value>) {
    match step {
        Step::Field(name) => {
            if let Some(v) = value.get(name.as_str()) {
                out.push(v);
            }
        }
        Step::Wildcard => match value {
            Value::Object(map) => out.extend(map.values()),
            Value::Array(items) => out.extend(items.iter()),
            _ => {}
        },
        Step::Recursive(name) => collect_recursive(name, value, out),
        Step::Index(i) => {
            if let Value::Array(items) = value {
                let idx = if *i < 0 { items.len() as i64 + i } else { *i };
                if idx >= 0 {
                    if let Some(v) = items.get(idx as usize) {
                        out.push(v);
                    }
                }
            }
        }
        Step::Filter(filter) => {
            let candidates: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            out.extend(candidates.into_iter().filter(|c| filter_matches(filter, c)));
        }
    }
}

fn collect_recursive<'a>(name: &str, value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if let Some(v) = map.get(name) {
                out.push(v);
            }
            for child in map.values() {
                collect_recursive(name, child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|c| collect_recursive(name, c, out)),
        _ => {}
    }
}

fn filter_matches(filter: &Filter, candidate: &Value) -> bool {
    let found = evaluate(&filter.path, vec![candidate]);
    match &filter.comparison {
        None => !found.is_empty(),
        Some((op, literal)) => found.first().is_some_and(|v| compare(v, *op, literal)),
    }
}

fn compare(left: &Value, op: Op, right: &Value) -> bool {
    use std::cmp::Ordering;
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        // Kubernetes compares the printed forms when types differ (e.g. "1" == 1 is false).
        _ => None,
    };
    match (op, ordering) {
        (Op::Eq, o) => o == Some(Ordering::Equal),
        (Op::Ne, o) => o != Some(Ordering::Equal),
        (Op::Lt, Some(o)) => o == Ordering::Less,
        (Op::Le, Some(o)) => o != Ordering::Greater,
        (Op::Gt, Some(o)) => o == Ordering::Greater,
        (Op::Ge, Some(o)) => o != Ordering::Less,
        _ => false,
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    original: &'a str,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> JsonPathError {
        JsonPathError { path: self.original.to_string(), at: self.pos, message: message.to_string() }
    }

    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.pos += prefix.len();
            true
        } else {
            false
        }
    }

    fn skip_spaces(&mut self) {
        while self.rest().starts_with(' ') {
            self.pos += 1;
        }
    }

    /// Steps until the end, or (inside a filter) until a comparison operator or `)`.
    fn steps(&mut self, in_filter: bool) -> Result<Vec<Step>, JsonPathError> {
        let mut steps = Vec::new();
        self.eat("$");
        loop {
            if self.rest().is_empty() {
                break;
            }
            if in_filter && (self.rest().starts_with(')') || self.at_operator()) {
                break;
            }
            if self.rest().starts_with(' ') {
                if in_filter {
                    break;
                }
                return Err(self.error("unexpected space"));
            }
            if self.eat("..") {
                steps.push(Step::Recursive(self.identifier()?));
            } else if self.eat(".") {
                if self.eat("*") {
                    steps.push(Step::Wildcard);
                } else if self.rest().is_empty() {
                    break; // a lone "." selects the root
                } else {
                    steps.push(Step::Field(self.identifier()?));
                }
            } else if self.eat("[") {
                steps.push(self.bracket()?);
            } else {
                return Err(self.error("expected '.' or '['"));
            }
        }
        Ok(steps)
    }

    fn at_operator(&self) -> bool {
        let r = self.rest().trim_start();
        ["==", "!=", "<", ">"].iter().any(|op| r.starts_with(op))
    }

    fn identifier(&mut self) -> Result<String, JsonPathError> {
        let end = self
            .rest()
            .find(|c: char| matches!(c, '.' | '[' | ' ' | ')' | '=' | '!' | '<' | '>'))
            .unwrap_or(self.rest().len());
        if end == 0 {
            return Err(self.error("expected a field name"));
        }
        let name = self.rest()[..end].to_string();
        self.pos += end;
        Ok(name)
    }

    fn bracket(&mut self) -> Result<Step, JsonPathError> {
        self.skip_spaces();
        let step = if self.eat("*") {
            Step::Wildcard
        } else if self.eat("?(") {
            self.skip_spaces();
            if !self.eat("@") {
                return Err(self.error("a filter must start with '@'"));
            }
            let path = self.steps(true)?;
            self.skip_spaces();
            let comparison = if self.rest().starts_with(')') {
                None
            } else {
                let op = self.operator()?;
                self.skip_spaces();
                Some((op, self.literal()?))
            };
            self.skip_spaces();
            if !self.eat(")") {
                return Err(self.error("expected ')' closing the filter"));
            }
            Step::Filter(Filter { path, comparison })
        } else if self.rest().starts_with('\'') || self.rest().starts_with('"') {
            match self.literal()? {
                Value::String(s) => Step::Field(s),
                _ => return Err(self.error("expected a quoted name")),
            }
        } else {
            let end = self.rest().find(']').ok_or_else(|| self.error("missing ']'"))?;
            let raw = self.rest()[..end].trim();
            let index = raw.parse::<i64>().map_err(|_| self.error("expected an index, '*', a quoted name or a filter"))?;
            self.pos += end;
            Step::Index(index)
        };
        self.skip_spaces();
        if !self.eat("]") {
            return Err(self.error("missing ']'"));
        }
        Ok(step)
    }

    fn operator(&mut self) -> Result<Op, JsonPathError> {
        for (text, op) in [("==", Op::Eq), ("!=", Op::Ne), ("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)] {
            if self.eat(text) {
                return Ok(op);
            }
        }
        Err(self.error("expected a comparison operator"))
    }

    fn literal(&mut self) -> Result<Value, JsonPathError> {
        for quote in ['"', '\''] {
            if self.rest().starts_with(quote) {
                let body = &self.rest()[1..];
                let end = body.find(quote).ok_or_else(|| self.error("unterminated string"))?;
                let value = Value::String(body[..end].to_string());
                self.pos += end + 2;
                return Ok(value);
            }
        }
        let end = self.rest().find([')', ' ', ']']).unwrap_or(self.rest().len());
        let raw = &self.rest()[..end];
        let value = match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => serde_json::from_str::<serde_json::Number>(raw)
                .map(Value::Number)
                .map_err(|_| self.error("expected a string, number or boolean"))?,
        };
        self.pos += end;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "metadata": {"name": "podinfo", "labels": {"app": "web"}},
            "spec": {"replicas": 3, "containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:2"}]},
            "status": {"conditions": [
                {"type": "Reconciling", "status": "False", "message": "done"},
                {"type": "Ready", "status": "True", "message": "Applied revision: main@sha1:abc"}
            ]}
        })
    }

    fn eval(path: &str) -> String {
        let obj = sample();
        format_results(&JsonPath::parse(path).unwrap().find(&obj))
    }

    #[test]
    fn fields_indexes_and_wildcards() {
        assert_eq!(eval(".metadata.name"), "podinfo");
        assert_eq!(eval("{.spec.replicas}"), "3");
        assert_eq!(eval(".spec.containers[1].image"), "y:2");
        assert_eq!(eval(".spec.containers[-1].name"), "b");
        assert_eq!(eval(".spec.containers[*].name"), "a b");
        assert_eq!(eval(".metadata['labels'].app"), "web");
        assert_eq!(eval("..image"), "x:1 y:2");
        assert_eq!(eval(".missing.field"), "");
    }

    #[test]
    fn filters_select_matching_elements() {
        assert_eq!(eval(r#".status.conditions[?(@.type=="Ready")].status"#), "True");
        assert_eq!(eval(r#".status.conditions[?(@.type == 'Ready')].message"#), "Applied revision: main@sha1:abc");
        assert_eq!(eval(r#".status.conditions[?(@.type!="Ready")].type"#), "Reconciling");
        assert_eq!(eval(".spec.containers[?(@.image)].name"), "a b");
        assert_eq!(eval(r#".status.conditions[?(@.type=="Stalled")].status"#), "");
    }

    #[test]
    fn numeric_filters_compare_numbers() {
        let obj = json!({"items": [{"n": 1}, {"n": 5}, {"n": 10}]});
        let p = JsonPath::parse(".items[?(@.n > 2)].n").unwrap();
        assert_eq!(format_results(&p.find(&obj)), "5 10");
        let p = JsonPath::parse(".items[?(@.n<=5)].n").unwrap();
        assert_eq!(format_results(&p.find(&obj)), "1 5");
    }

    #[test]
    fn malformed_paths_are_rejected_with_position() {
        let err = JsonPath::parse(".status.conditions[?(@.type==\"Ready\"").unwrap_err();
        assert!(err.message.contains("')'"), "{err}");
        assert!(JsonPath::parse(".spec[abc]").is_err());
        assert!(JsonPath::parse("spec").is_err());
    }
}

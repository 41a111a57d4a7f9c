//! The JSONPath subset CRD additionalPrinterColumns use: `.a.b`, `['a.b']`, `[0]`, `[*]`,
//! and filters `[?(@.type=="Ready")]` (also `!=`). Returns every match, in document order.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Index(usize),
    All,
    Filter {
        path: Vec<String>,
        value: String,
        negated: bool,
    },
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let path = path.trim();
    let path = path
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .unwrap_or(path);
    let path = path.strip_prefix('$').unwrap_or(path);
    let chars: Vec<char> = path.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
                    j += 1;
                }
                if j > start {
                    steps.push(Step::Field(chars[start..j].iter().collect()));
                }
                i = j;
            }
            '[' => {
                let close = find_close(&chars, i)?;
                let inner: String = chars[i + 1..close].iter().collect();
                steps.push(bracket(inner.trim())?);
                i = close + 1;
            }
            _ => {
                // a leading bare field name: "metadata.name"
                let start = i;
                let mut j = i;
                while j < chars.len() && chars[j] != '.' && chars[j] != '[' {
                    j += 1;
                }
                steps.push(Step::Field(chars[start..j].iter().collect()));
                i = j;
            }
        }
    }
    Some(steps)
}

fn find_close(chars: &[char], open: usize) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (k, c) in chars.iter().enumerate().skip(open + 1) {
        match (quote, c) {
            (Some(q), c) if *c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(*c),
            (None, ']') => return Some(k),
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
        .unwrap_or(s)
        .to_string()
}

fn bracket(inner: &str) -> Option<Step> {
    if inner == "*" {
        return Some(Step::All);
    }
    if let Ok(n) = inner.parse::<usize>() {
        return Some(Step::Index(n));
    }
    if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
        let (lhs, rhs, negated) = match filter.split_once("!=") {
            Some((l, r)) => (l, r, true),
            None => {
                let (l, r) = filter.split_once("==")?;
                (l, r, false)
            }
        };
        let lhs = lhs.trim().strip_prefix("@.")?;
        return Some(Step::Filter {
            path: lhs.split('.').map(str::to_string).collect(),
            value: unquote(rhs),
            negated,
        });
    }
    Some(Step::Field(unquote(inner)))
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every value `path` selects in `obj` (empty when nothing matches or the path is not understood).
pub fn find<'a>(obj: &'a Value, path: &str) -> Vec<&'a Value> {
    let Some(steps) = parse(path) else {
        return Vec::new();
    };
    let mut current = vec![obj];
    for step in &steps {
        let mut next = Vec::new();
        for v in current {
            match step {
                Step::Field(f) => next.extend(v.get(f.as_str())),
                Step::Index(n) => next.extend(v.get(*n)),
                Step::All => match v {
                    Value::Array(a) => next.extend(a.iter()),
                    Value::Object(m) => next.extend(m.values()),
                    _ => {}
                },
                Step::Filter {
                    path,
                    value,
                    negated,
                } => {
                    for item in v.as_array().into_iter().flatten() {
                        let mut field = Some(item);
                        for p in path {
                            field = field.and_then(|f| f.get(p.as_str()));
                        }
                        let equal = field.is_some_and(|f| as_text(f) == *value);
                        if equal != *negated && (field.is_some() || *negated) {
                            next.push(item);
                        }
                    }
                }
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn printer_column_paths() {
        let o = json!({"metadata": {"name": "x", "annotations": {"a.b/c": "d"}},
            "status": {"conditions": [{"type": "Other", "status": "False"}, {"type": "Ready", "status": "True", "message": "ok"}]},
            "spec": {"items": [1, 2]}});
        assert_eq!(find(&o, ".metadata.name"), [&json!("x")]);
        assert_eq!(find(&o, "{.metadata.name}"), [&json!("x")]);
        assert_eq!(
            find(&o, ".status.conditions[?(@.type==\"Ready\")].status"),
            [&json!("True")]
        );
        assert_eq!(
            find(&o, ".status.conditions[?(@.type=='Ready')].message"),
            [&json!("ok")]
        );
        assert_eq!(
            find(&o, ".status.conditions[?(@.type!=\"Ready\")].type"),
            [&json!("Other")]
        );
        assert_eq!(find(&o, ".spec.items[1]"), [&json!(2)]);
        assert_eq!(find(&o, ".spec.items[*]").len(), 2);
        assert_eq!(find(&o, ".metadata.annotations['a.b/c']"), [&json!("d")]);
        assert!(find(&o, ".missing.field").is_empty());
    }
}

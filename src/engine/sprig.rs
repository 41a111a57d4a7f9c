//! The sprig string functions commit-message templates commonly use (Flux renders
//! messageTemplate with Go text/template plus sprig): `upper`, `lower`, `title`, `trim`,
//! `trimAll`, `trimPrefix`, `trimSuffix`, `trunc`, `join`, `default`, `empty`, `coalesce`,
//! `replace`, `contains`, `hasPrefix`, `hasSuffix`, `quote`, `squote`, `repeat`, `nospace`,
//! `substr`, `splitList`, `list`/`tuple`, `first`, `last`. Semantics follow sprig's documentation; checked
//! against the sprig conformance cases in ../shared/conformance/helm-cases.
//!
//! In a pipeline the piped value is the last argument (`{{ .X | trunc 5 }}` = `trunc 5 .X`).

use std::sync::Arc;

use gotmpl::{Template, TemplateError as Error, Value};

type Result<T> = std::result::Result<T, Error>;

/// Every function this module provides (for callers that check templates up front).
pub const FUNCTIONS: &[&str] = &[
    "upper",
    "lower",
    "title",
    "trim",
    "trimAll",
    "trimPrefix",
    "trimSuffix",
    "trunc",
    "join",
    "default",
    "empty",
    "coalesce",
    "replace",
    "contains",
    "hasPrefix",
    "hasSuffix",
    "quote",
    "squote",
    "repeat",
    "nospace",
    "substr",
    "splitList",
    "list",
    "tuple",
    "first",
    "last",
];

/// sprig's `strval`: strings as they are, nil as "", anything else as Go's `%v`.
fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Nil => String::new(),
        other => other.to_string(),
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Uint(u) => i64::try_from(*u).unwrap_or(i64::MAX),
        Value::Float(f) => *f as i64,
        Value::String(s) => s.trim().parse().unwrap_or(0),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// sprig's `empty`: nil, false, 0, "", and empty lists and maps.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Uint(u) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

fn arg<'a>(name: &str, args: &'a [Value], i: usize, want: usize) -> Result<&'a Value> {
    args.get(i).ok_or_else(|| Error::ArgCount {
        name: name.to_string(),
        expected: want,
        got: args.len(),
    })
}

fn s(v: impl Into<Arc<str>>) -> Value {
    Value::String(v.into())
}

fn list_of(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.to_vec(),
        Value::Nil => Vec::new(),
        other => vec![other.clone()],
    }
}

/// Go's `%q` for a string (the escapes sprig's `quote` produces).
fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start && c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric() && c != '\'';
    }
    out
}

fn trunc(n: i64, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len() as i64;
    if n < 0 {
        let keep = (-n).min(len) as usize;
        chars[chars.len() - keep..].iter().collect()
    } else {
        chars[..n.min(len) as usize].iter().collect()
    }
}

fn substr(start: i64, end: i64, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len() as i64;
    let start = start.clamp(0, len) as usize;
    let end = if end < 0 || end > len { len } else { end } as usize;
    if start > end {
        return String::new();
    }
    chars[start..end].iter().collect()
}

/// The functions by name (pure, so tests call them directly).
pub fn call(name: &str, args: &[Value]) -> Result<Value> {
    let last = |want| arg(name, args, args.len().max(1) - 1, want);
    Ok(match name {
        "upper" => s(strval(last(1)?).to_uppercase()),
        "lower" => s(strval(last(1)?).to_lowercase()),
        "title" => s(title(&strval(last(1)?))),
        "trim" => s(strval(last(1)?).trim()),
        "nospace" => s(strval(last(1)?)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()),
        "trimAll" => {
            let cut: Vec<char> = strval(arg(name, args, 0, 2)?).chars().collect();
            s(strval(arg(name, args, 1, 2)?).trim_matches(cut.as_slice()))
        }
        "trimPrefix" => {
            let text = strval(arg(name, args, 1, 2)?);
            let p = strval(arg(name, args, 0, 2)?);
            s(text.strip_prefix(p.as_str()).unwrap_or(&text))
        }
        "trimSuffix" => {
            let text = strval(arg(name, args, 1, 2)?);
            let p = strval(arg(name, args, 0, 2)?);
            s(text.strip_suffix(p.as_str()).unwrap_or(&text))
        }
        "trunc" => s(trunc(
            int(arg(name, args, 0, 2)?),
            &strval(arg(name, args, 1, 2)?),
        )),
        "substr" => s(substr(
            int(arg(name, args, 0, 3)?),
            int(arg(name, args, 1, 3)?),
            &strval(arg(name, args, 2, 3)?),
        )),
        "repeat" => s(strval(arg(name, args, 1, 2)?)
            .repeat(usize::try_from(int(arg(name, args, 0, 2)?)).unwrap_or(0))),
        "replace" => s(strval(arg(name, args, 2, 3)?).replace(
            &strval(arg(name, args, 0, 3)?),
            &strval(arg(name, args, 1, 3)?),
        )),
        "contains" => {
            Value::Bool(strval(arg(name, args, 1, 2)?).contains(&strval(arg(name, args, 0, 2)?)))
        }
        "hasPrefix" => {
            Value::Bool(strval(arg(name, args, 1, 2)?).starts_with(&strval(arg(name, args, 0, 2)?)))
        }
        "hasSuffix" => {
            Value::Bool(strval(arg(name, args, 1, 2)?).ends_with(&strval(arg(name, args, 0, 2)?)))
        }
        "join" => {
            let sep = strval(arg(name, args, 0, 2)?);
            // sprig's strslice drops nil elements.
            let items: Vec<String> = list_of(arg(name, args, 1, 2)?)
                .iter()
                .filter(|v| !matches!(v, Value::Nil))
                .map(strval)
                .collect();
            s(items.join(&sep))
        }
        "splitList" => {
            let sep = strval(arg(name, args, 0, 2)?);
            let text = strval(arg(name, args, 1, 2)?);
            Value::List(text.split(sep.as_str()).map(s).collect::<Vec<_>>().into())
        }
        "default" => {
            let fallback = arg(name, args, 0, 1)?.clone();
            match args.get(1) {
                Some(given) if !is_empty(given) => given.clone(),
                _ => fallback,
            }
        }
        "empty" => Value::Bool(args.first().is_none_or(is_empty)),
        "coalesce" => args
            .iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil),
        "quote" => s(args
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| go_quote(&strval(v)))
            .collect::<Vec<_>>()
            .join(" ")),
        "squote" => s(args
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| format!("'{}'", strval(v)))
            .collect::<Vec<_>>()
            .join(" ")),
        "list" | "tuple" => Value::List(args.to_vec().into()),
        "first" => list_of(last(1)?).first().cloned().unwrap_or(Value::Nil),
        "last" => list_of(last(1)?).last().cloned().unwrap_or(Value::Nil),
        other => return Err(Error::UndefinedFunction(other.to_string())),
    })
}

/// Register every function on a template (before `parse`).
pub fn register(mut t: Template) -> Template {
    for name in FUNCTIONS {
        let n = name.to_string();
        t = t.func(name, move |args| call(&n, args));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &str) -> String {
        register(Template::new("t"))
            .parse(t)
            .and_then(|t| t.execute_to_string(&Value::Nil))
            .unwrap()
    }

    #[test]
    fn common_message_template_functions() {
        assert_eq!(run(r#"{{ "podinfo" | upper }}"#), "PODINFO");
        assert_eq!(
            run(r#"{{ "abcdef" | trunc 3 }}|{{ "abcdef" | trunc -2 }}"#),
            "abc|ef"
        );
        assert_eq!(run(r#"{{ splitList "," "a,b" | join ", " }}"#), "a, b");
        assert_eq!(
            run(r#"{{ "" | default "none" }} {{ "x" | default "none" }}"#),
            "none x"
        );
        assert_eq!(run(r#"{{ "v1.2.3" | trimPrefix "v" }}"#), "1.2.3");
        assert_eq!(run(r#"{{ quote "a\"b" }}"#), r#""a\"b""#);
        assert_eq!(run(r#"{{ "hello world" | title }}"#), "Hello World");
    }
}

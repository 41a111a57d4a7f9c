//! sprig's own test cases (../shared/conformance/helm-cases/sprig-function-cases.json) for the
//! string functions fluxdeck's commit-message templates provide (`engine::sprig`): every clean
//! case whose template uses only those functions and Go template builtins must render exactly.

use fluxdeck::engine::sprig;
use serde_json::Value;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/helm-cases/sprig-function-cases.json"
);

const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt",
    "ge", "slice", "html", "js", "urlquery", "call", "if", "else", "end", "range", "with",
    "define", "template", "block", "nil", "true", "false", "break", "continue",
];

/// The function names a template calls (identifiers outside strings, fields and variables).
fn identifiers(template: &str) -> Vec<String> {
    let strings = regex::Regex::new(r#""(\\.|[^"\\])*"|`[^`]*`|'(\\.|[^'\\])*'"#).unwrap();
    let fields = regex::Regex::new(r"[.$][A-Za-z_][A-Za-z0-9_]*").unwrap();
    let words = regex::Regex::new(r"\b[A-Za-z_][A-Za-z0-9_]*\b").unwrap();
    let action = regex::Regex::new(r"\{\{(.*?)\}\}").unwrap();
    let mut out = Vec::new();
    for a in action.captures_iter(template) {
        let text = strings.replace_all(&a[1], " ");
        let text = fields.replace_all(&text, " ");
        out.extend(words.find_iter(&text).map(|m| m.as_str().to_string()));
    }
    out
}

#[test]
fn sprig_string_function_cases() {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(CASES).unwrap()).unwrap();
    let (mut run, mut passed, mut failures) = (0, 0, Vec::new());
    for case in doc["cases"].as_array().unwrap() {
        if case["clean"] != true || case.get("expected").is_none_or(Value::is_null) {
            continue;
        }
        let template = case["template"].as_str().unwrap();
        let ids = identifiers(template);
        if ids.is_empty()
            || !ids
                .iter()
                .all(|i| sprig::FUNCTIONS.contains(&i.as_str()) || BUILTINS.contains(&i.as_str()))
            || !ids.iter().any(|i| sprig::FUNCTIONS.contains(&i.as_str()))
        {
            continue;
        }
        run += 1;
        let values = gotmpl::to_value(&case["values"]).unwrap_or(gotmpl::Value::Nil);
        let got = sprig::register(gotmpl::Template::new("case"))
            .parse(template)
            .and_then(|t| t.execute_to_string(&values));
        let want = case["expected"].as_str().unwrap_or_default();
        match got {
            Ok(g) if g == want => passed += 1,
            other => failures.push(format!(
                "{}: {template} → {other:?}, want {want:?}",
                case["id"]
            )),
        }
    }
    println!("sprig string cases: {passed}/{run}");
    assert!(run >= 20, "only {run} cases selected");
    assert!(
        failures.is_empty(),
        "{passed}/{run}:\n{}",
        failures.join("\n")
    );
}

//! The builtin transformers and generators called directly on kustomize's plugin test cases
//! (shared/conformance/kustomize-plugin-cases). Outputs keep input order, so documents are
//! compared in order; error cases must fail. The pass count must not drop below the floor.

use fluxdeck::engine::kustomize::{self, RealFs};
use serde_json::Value;
use std::path::Path;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/kustomize-plugin-cases"
);
/// Raise as the engine improves.
const PASS_FLOOR: usize = 78;

fn docs(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .ok()
        .map(|t| fluxdeck::engine::yaml::parse_documents(&t).expect("yaml"))
        .unwrap_or_default()
}

#[test]
fn builtin_plugin_cases() {
    let mut entries: Vec<_> = std::fs::read_dir(CASES)
        .expect("cases")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let (mut total, mut pass, mut failures) = (0, 0, Vec::new());
    for dir in entries {
        let Ok(text) = std::fs::read_to_string(dir.join("case.json")) else {
            continue;
        };
        let case: Value = serde_json::from_str(&text).expect("case.json");
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let flags = case["flags"].as_array().cloned().unwrap_or_default();
        if case["clean"] != Value::Bool(true)
            || flags
                .iter()
                .any(|f| f.as_str().is_some_and(|f| f.starts_with("needs-")))
        {
            continue;
        }
        let mode = case["mode"].as_str().unwrap_or("");
        let Some(config) = docs(&dir.join("plugin-config.yaml")).into_iter().next() else {
            continue;
        };
        // The upstream harness writes the case's files into one directory below input/.
        let mut work = if dir.join("input").is_dir() {
            dir.join("input")
        } else {
            dir.clone()
        };
        let children: Vec<_> = std::fs::read_dir(&work)
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        if work.ends_with("input") && children.len() == 1 && children[0].is_dir() {
            work = children[0].clone();
        }
        let result = match mode {
            "transformer-unit" => kustomize::run_builtin_transformer(
                &RealFs,
                &work,
                &config,
                docs(&dir.join("plugin-input.yaml")),
            ),
            "generator-unit" => kustomize::run_builtin_generator(&RealFs, &work, &config),
            _ => continue,
        };
        total += 1;
        let expect_error = case["kind"] == "error";
        match (result, expect_error) {
            (Err(_), true) => pass += 1,
            (Ok(_), true) => failures.push(format!("{name}: expected an error")),
            (Err(e), false) => failures.push(format!("{name}: error: {e}")),
            (Ok(out), false) => {
                if out == docs(&dir.join("expected.yaml")) {
                    pass += 1;
                } else {
                    failures.push(format!("{name}: output differs"));
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!("kustomize plugin conformance: {pass}/{total} runnable clean cases pass");
    assert!(
        pass >= PASS_FLOOR,
        "pass count {pass} dropped below the floor {PASS_FLOOR}"
    );
}

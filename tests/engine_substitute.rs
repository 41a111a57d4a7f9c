//! Conformance: the envsubst expressions and kustomize-controller resource cases in
//! ../shared/conformance/substitute-cases.json.

use std::collections::BTreeMap;

use fluxdeck::engine::substitute::{collect_vars, expand, substitute_resource};
use fluxdeck::engine::yaml;
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/substitute-cases.json"
);

fn corpus() -> Value {
    serde_json::from_str(&std::fs::read_to_string(CORPUS).unwrap()).unwrap()
}

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

/// `expand-lookup-always-exists` (upstream TestExpand) is non-strict; the strict mode rows
/// report unset names.
fn run_expression(case: &Value) -> Result<(), String> {
    let strict = case["mode"] == "strict-lookup-exists-iff-present";
    let got = expand(
        case["input"].as_str().unwrap(),
        &string_map(&case["vars"]),
        strict,
    );
    match (got, case["expect_error"] == true) {
        (Ok(out), false) if out == case["expected"].as_str().unwrap() => Ok(()),
        (Err(e), true) if e.to_string().contains(case["error"].as_str().unwrap()) => Ok(()),
        (other, _) => Err(format!("got {other:?}, want {}", case["expected"])),
    }
}

/// The resources a case builds: every file the kustomization lists, with its namespace.
fn build_resources(files: &Value) -> Vec<Value> {
    let kustomization: Value =
        yaml::parse_one(files["kustomization.yml"].as_str().unwrap()).unwrap();
    let mut out = Vec::new();
    for path in kustomization["resources"].as_array().unwrap() {
        let name = path.as_str().unwrap().trim_start_matches("./");
        for mut doc in yaml::parse_documents(files[name].as_str().unwrap()).unwrap() {
            if let Some(ns) = kustomization.get("namespace") {
                doc["metadata"]["namespace"] = ns.clone();
            }
            out.push(doc);
        }
    }
    out
}

/// Vars as the controller gathers them: substituteFrom objects from the cluster, then inline.
fn case_vars(flux_kustomization: &str, cluster: &[Value]) -> BTreeMap<String, String> {
    let ks: Value = yaml::parse_one(flux_kustomization).unwrap();
    let post = &ks["spec"]["postBuild"];
    let sources: Vec<&Value> = post["substituteFrom"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            cluster
                .iter()
                .find(|o| o["kind"] == r["kind"] && o["metadata"]["name"] == r["name"])
                .expect("substituteFrom object present in cluster_objects")
        })
        .collect();
    collect_vars(&sources, post.get("substitute")).unwrap()
}

/// Run kustomize-controller's per-resource step. Substitution happens only when there are vars
/// or the strategy is `Always`.
fn run_build(case: &Value, ks_key: &str, strict: bool, always: bool) -> Result<String, String> {
    let cluster: Vec<Value> = case["cluster_objects"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| yaml::parse_documents(t.as_str().unwrap()).unwrap())
        .collect();
    let vars = case_vars(case[ks_key].as_str().unwrap(), &cluster);
    let mut docs = Vec::new();
    for res in build_resources(&case["kustomize_dir_files"]) {
        if vars.is_empty() && !always {
            docs.push(res);
        } else {
            docs.push(substitute_resource(&res, &vars, strict).map_err(|e| e.to_string())?);
        }
    }
    yaml::to_stream(docs.iter()).map_err(|e| e.to_string())
}

fn check_expectation(out: Result<String, String>, expect: &Value) -> Result<(), String> {
    let wants_error = expect.get("expect_error_contains").and_then(Value::as_str);
    match (out, wants_error) {
        (Err(e), Some(want)) if e.contains(want) => Ok(()),
        (Ok(text), None) => {
            for s in expect["output_contains"].as_array().into_iter().flatten() {
                if !text.contains(s.as_str().unwrap()) {
                    return Err(format!("output lacks {s}:\n{text}"));
                }
            }
            for s in expect["output_not_contains"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if text.contains(s.as_str().unwrap()) {
                    return Err(format!("output contains {s}:\n{text}"));
                }
            }
            Ok(())
        }
        (other, _) => Err(format!("got {other:?}, want {expect}")),
    }
}

fn run_resource_case(case: &Value) -> Result<(), String> {
    if let Some(expected) = case.get("expected_build_output") {
        let got =
            yaml::parse_documents(&run_build(case, "flux_kustomization", true, false)?).unwrap();
        let mut want = yaml::parse_documents(expected.as_str().unwrap()).unwrap();
        // Compare as a multiset: kustomize orders output, our harness keeps file order.
        for doc in &got {
            let i = want
                .iter()
                .position(|w| w == doc)
                .ok_or(format!("unexpected document {doc}"))?;
            want.remove(i);
        }
        return if want.is_empty() {
            Ok(())
        } else {
            Err(format!("missing documents {want:?}"))
        };
    }
    for (strategy, key, value) in [
        ("strict", "strict", true),
        ("strict", "strict", false),
        ("always", "always", true),
        ("always", "always", false),
    ] {
        let Some(expect) = case.get(key).and_then(|m| m.get(value.to_string())) else {
            continue;
        };
        let (strict, always) = if strategy == "strict" {
            (value, false)
        } else {
            (true, value)
        };
        check_expectation(
            run_build(case, "flux_kustomization", strict, always),
            expect,
        )
        .map_err(|e| format!("{key}={value}: {e}"))?;
    }
    if case.get("dummy_flux_kustomization").is_some() {
        // Empty values in strict mode give the same output as omitted vars in non-strict mode.
        let strict_empty = run_build(case, "flux_kustomization", true, false)?;
        let omitted = run_build(case, "dummy_flux_kustomization", false, false)?;
        if strict_empty != omitted {
            return Err(format!(
                "strict-empty output differs from omitted vars:\n{strict_empty}\n{omitted}"
            ));
        }
    }
    Ok(())
}

#[test]
fn substitute_conformance() {
    let corpus = corpus();
    let expressions = corpus["expression_cases"].as_array().unwrap();
    let resources = corpus["resource_cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in expressions {
        if let Err(e) = run_expression(case) {
            failures.push(format!("{} {:?}: {e}", case["id"], case["input"]));
        }
    }
    for case in resources {
        if let Err(e) = run_resource_case(case) {
            failures.push(format!("{}: {e}", case["id"]));
        }
    }
    let total = expressions.len() + resources.len();
    println!(
        "substitute conformance: {}/{total} cases pass ({} expressions, {} resources)",
        total - failures.len(),
        expressions.len(),
        resources.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(
        (expressions.len(), resources.len()),
        (57, 4),
        "corpus size changed"
    );
    assert!(failures.is_empty());
}

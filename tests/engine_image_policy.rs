//! Conformance: every image-reflector-controller policy case in
//! ../shared/conformance/image-policy-cases.json.

use fluxdeck::engine::image_policy::{
    Order, PolicyChoice, PolicyError, PolicySpec, TagFilter, select,
};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/image-policy-cases.json"
);

fn choice(policy: &Value) -> Result<PolicyChoice, PolicyError> {
    let text = |k: &str| policy[k].as_str().unwrap_or_default();
    match policy["type"].as_str() {
        Some("semver") => PolicyChoice::semver(text("range")),
        Some("alphabetical") => Ok(PolicyChoice::Alphabetical(Order::parse(
            "alphabetical",
            text("order"),
        )?)),
        Some("numerical") => Ok(PolicyChoice::Numerical(Order::parse(
            "numerical",
            text("order"),
        )?)),
        _ => Err(PolicyError::NoPolicy),
    }
}

fn filter(value: &Value) -> Result<Option<TagFilter>, PolicyError> {
    if value.is_null() {
        return Ok(None);
    }
    let text = |k: &str| value[k].as_str().unwrap_or_default();
    TagFilter::new(text("pattern"), text("extract")).map(Some)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// The selected tag, or an error text (no match counts as the controller's error).
fn latest(case: &Value) -> Result<String, String> {
    let spec = PolicySpec {
        policy: choice(&case["policy"]).map_err(|e| e.to_string())?,
        filter: filter(&case["filterTags"]).map_err(|e| e.to_string())?,
    };
    match select(&spec, &strings(&case["tags"])) {
        Ok(Some(tag)) => Ok(tag),
        Ok(None) => Err("no match".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

fn run_case(case: &Value) -> Result<(), String> {
    let expect_error = case["expect_error"] == true;
    match case["kind"].as_str().unwrap() {
        "validate" => match choice(&case["policy"]) {
            Ok(_) if !expect_error => Ok(()),
            Err(_) if expect_error => Ok(()),
            other => Err(format!("{other:?}")),
        },
        "latest" | "pipeline" => match latest(case) {
            Ok(tag) if !expect_error && case["expected"] == tag.as_str() => Ok(()),
            Err(_) if expect_error => Ok(()),
            other => Err(format!("got {other:?}, want {}", case["expected"])),
        },
        "filter" => {
            let f = filter(&case["filterTags"])
                .map_err(|e| e.to_string())?
                .expect("filter cases have filterTags");
            let mut got: Vec<String> = f
                .filter_tags(&strings(&case["tags"]))
                .into_iter()
                .map(|(v, _)| v)
                .collect();
            got.sort();
            if got == strings(&case["expected_filtered_sorted"]) {
                Ok(())
            } else {
                Err(format!("got {got:?}"))
            }
        }
        other => Err(format!("unknown kind {other}")),
    }
}

#[test]
fn image_policy_conformance() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(CORPUS).unwrap()).unwrap();
    let cases = corpus["cases"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c).err().map(|e| format!("{}: {e}", c["id"])))
        .collect();
    println!(
        "image policy conformance: {}/{} cases pass",
        cases.len() - failures.len(),
        cases.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(cases.len(), 65, "corpus size changed");
    assert!(failures.is_empty());
}

/// Numerical cases are shuffled upstream: the answer must not depend on input order.
#[test]
fn numerical_results_do_not_depend_on_order() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(CORPUS).unwrap()).unwrap();
    for case in corpus["cases"].as_array().unwrap() {
        if case["policy"]["type"] != "numerical"
            || case["kind"] != "latest"
            || case["expect_error"] == true
        {
            continue;
        }
        let mut reversed = case.clone();
        let mut tags = strings(&case["tags"]);
        tags.reverse();
        reversed["tags"] = tags.into();
        assert_eq!(
            latest(&reversed).unwrap(),
            case["expected"].as_str().unwrap(),
            "{}",
            case["id"]
        );
    }
}

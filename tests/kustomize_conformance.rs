//! Conformance against the kustomize krusty test corpus (shared/conformance/kustomize-cases).
//! Each runnable clean case is built natively; success cases compare as a multiset of
//! documents (the upstream harness keeps input order), error cases must fail. The pass count
//! is printed and must not drop below the recorded floor.

use fluxdeck::engine::kustomize::{self, LoadRestrictor};
use serde_json::Value;
use std::path::{Path, PathBuf};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/kustomize-cases"
);
/// Raise this as the engine improves.
const PASS_FLOOR: usize = 283;

fn canonical(v: &Value) -> String {
    // Key order does not matter for equality: serialise with sorted keys.
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                Value::Object(keys.into_iter().map(|k| (k.clone(), sort(&m[k]))).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string(&sort(v)).unwrap_or_default()
}

struct Case {
    name: String,
    dir: PathBuf,
    build_path: String,
    expect_error: bool,
    /// krusty's harness default is the root-only restrictor; a case may turn it off.
    restrictor: LoadRestrictor,
    /// For the restrictor's error cases: the words the error must carry.
    error_must_say: Option<&'static str>,
}

fn restrictor_of(case: &Value) -> LoadRestrictor {
    match case["options"]["LoadRestrictions"].as_str() {
        Some("types.LoadRestrictionsNone") => LoadRestrictor::None,
        _ => LoadRestrictor::RootOnly,
    }
}

/// Why a clean, offline case cannot run here, if it cannot: kustomize-controller runs builtin
/// plugins only, so a case whose input configures an exec or container KRM function (the
/// `config.kubernetes.io/function` annotation) tests something this engine must not do.
/// Likewise a case that turns on the managed-by label (a kustomize CLI option the controller
/// never sets).
fn not_runnable_reason(case: &Value, input: &Path) -> Option<String> {
    if case["options"].get("AddManagedbyLabel").is_some() {
        return Some(
            "needs the managed-by label option of the kustomize CLI, which kustomize-controller never sets"
                .into(),
        );
    }
    let function = walkdir::WalkDir::new(input)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .find(|e| {
            std::fs::read_to_string(e.path())
                .is_ok_and(|t| t.contains("config.kubernetes.io/function"))
        })?;
    let file = function
        .path()
        .strip_prefix(input)
        .unwrap_or(function.path());
    Some(format!(
        "needs an exec/container KRM function plugin ({}); kustomize-controller runs builtin plugins only",
        file.display()
    ))
}

fn runnable_cases() -> Vec<Case> {
    let network: Vec<String> =
        std::fs::read_to_string(Path::new(CASES).join("_needs_network.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(CASES)
        .expect("cases dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for dir in entries {
        let Ok(text) = std::fs::read_to_string(dir.join("case.json")) else {
            continue;
        };
        let case: Value = serde_json::from_str(&text).expect("case.json");
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let flags: Vec<String> = case["flags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str().map(String::from))
            .collect();
        if case["clean"] != Value::Bool(true)
            || network.contains(&name)
            || flags
                .iter()
                .any(|f| f.starts_with("needs-helm") || f.starts_with("needs-plugin"))
        {
            continue;
        }
        if let Some(reason) = not_runnable_reason(&case, &dir.join("input")) {
            println!("NOT RUNNABLE {name}: {reason}");
            continue;
        }
        let restrictor_error = case["error_contains"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|e| e.contains("is not in or below"));
        out.push(Case {
            name,
            build_path: case["build_path"].as_str().unwrap_or(".").to_string(),
            expect_error: case["kind"] == "error",
            restrictor: restrictor_of(&case),
            error_must_say: restrictor_error.then_some("is not in or below"),
            dir,
        });
    }
    out
}

#[test]
fn krusty_cases() {
    let cases = runnable_cases();
    let (mut pass, mut order_same, mut success_total) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let root = case.dir.join("input").join(&case.build_path);
        let result = std::panic::catch_unwind(|| {
            kustomize::build_restricted(&kustomize::RealFs, &root, case.restrictor)
        });
        let result = match result {
            Ok(r) => r,
            Err(_) => {
                failures.push(format!("{}: PANIC", case.name));
                continue;
            }
        };
        if case.expect_error {
            match result {
                Err(e)
                    if case
                        .error_must_say
                        .is_some_and(|w| !e.to_string().contains(w)) =>
                {
                    failures.push(format!("{}: wrong error: {e}", case.name))
                }
                Err(_) => pass += 1,
                Ok(_) => {
                    failures.push(format!("{}: expected an error, build succeeded", case.name))
                }
            }
            continue;
        }
        success_total += 1;
        let expected_text =
            std::fs::read_to_string(case.dir.join("expected.yaml")).unwrap_or_default();
        let expected =
            fluxdeck::engine::yaml::parse_documents(&expected_text).expect("expected.yaml");
        match result {
            Err(e) => failures.push(format!("{}: error: {e}", case.name)),
            Ok(docs) => {
                let mut a: Vec<String> = docs.iter().map(canonical).collect();
                let mut b: Vec<String> = expected.iter().map(canonical).collect();
                if a == b {
                    order_same += 1;
                }
                a.sort();
                b.sort();
                if a == b {
                    pass += 1;
                } else {
                    failures.push(format!("{}: output differs", case.name));
                }
            }
        }
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    println!(
        "kustomize conformance: {pass}/{} runnable clean cases pass ({success_total} success cases, {order_same} also in the same order as upstream's harness)",
        cases.len()
    );
    assert!(
        pass >= PASS_FLOOR,
        "pass count {pass} dropped below the floor {PASS_FLOOR}"
    );
}

/// Debug aid: `KUST_CASE=name cargo test --test suite kustomize_conformance::dump -- --nocapture`
/// writes our output and the expected output (both in canonical order) to /tmp.
#[test]
fn dump_one_case() {
    let Ok(name) = std::env::var("KUST_CASE") else {
        return;
    };
    let dir = Path::new(CASES).join(&name);
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    let root = dir
        .join("input")
        .join(case["build_path"].as_str().unwrap_or("."));
    let sorted = |docs: Vec<Value>| {
        let mut d = docs;
        d.sort_by_key(canonical);
        kustomize::render(&d)
    };
    match kustomize::build_restricted(&kustomize::RealFs, &root, restrictor_of(&case)) {
        Ok(docs) => std::fs::write("/tmp/kust_ours.yaml", sorted(docs)).unwrap(),
        Err(e) => std::fs::write("/tmp/kust_ours.yaml", format!("ERROR: {e}\n")).unwrap(),
    }
    let expected = fluxdeck::engine::yaml::parse_documents(
        &std::fs::read_to_string(dir.join("expected.yaml")).unwrap_or_default(),
    )
    .unwrap();
    std::fs::write("/tmp/kust_expected.yaml", sorted(expected)).unwrap();
}

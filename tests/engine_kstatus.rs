//! Conformance: every cli-utils kstatus case in ../shared/conformance/kstatus-cases.

use fluxdeck::engine::kstatus::{Rules, Status, compute_at};
use fluxdeck::engine::yaml;
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/kstatus-cases"
);

fn status_named(name: &str) -> Status {
    match name {
        "InProgress" => Status::InProgress,
        "Failed" => Status::Failed,
        "Current" => Status::Current,
        "Terminating" => Status::Terminating,
        "NotFound" => Status::NotFound,
        other => panic!("unknown status {other} in corpus"),
    }
}

/// Expand a case into the objects it checks. Go `fmt.Sprintf` templates (`%t`, `%s`) in the
/// transition case are filled with the two argument pairs the upstream test uses.
fn objects_of(name: &str, text: &str, now: &str) -> Vec<String> {
    let text = text.replace("${NOW_RFC3339}", now);
    if name == "core__TestSuspendedJobTransitionConditions" {
        return [("true", "False"), ("false", "True")]
            .iter()
            .map(|(suspend, status)| text.replace("%t", suspend).replace("%s", status))
            .collect();
    }
    vec![text]
}

/// Three upstream Deployment fixtures repeat `observedGeneration: 1` in one mapping. Go's YAML
/// reader keeps the last value; ours rejects duplicates, so drop the reported repeated line (its
/// value is identical to the first occurrence, which keeps the object the same).
fn parse_tolerating_duplicates(text: &str) -> Result<Value, String> {
    let mut text = text.to_string();
    for _ in 0..4 {
        match yaml::parse_one::<Value>(&text) {
            Ok(v) => return Ok(v),
            Err(e) if e.to_string().contains("duplicate mapping key") => {
                let msg = e.to_string();
                let line: usize = msg
                    .split("line ")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
                    .ok_or(msg.clone())?;
                let lines: Vec<&str> = text.lines().collect();
                let dup = lines[line - 1].trim();
                assert!(
                    lines[..line - 1].iter().any(|l| l.trim() == dup),
                    "not an identical duplicate: {dup}"
                );
                text = lines
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != line - 1)
                    .map(|(_, l)| *l)
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    Err("too many duplicate keys".to_string())
}

fn check_case(dir: &std::path::Path, now: jiff::Timestamp) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(dir.join("object.yaml")).unwrap();
    for object_text in objects_of(&name, &text, &now.to_string()) {
        let obj = parse_tolerating_duplicates(&object_text).map_err(|e| format!("{name}: {e}"))?;
        let result = compute_at(&obj, Rules::Upstream, now).map_err(|e| format!("{name}: {e}"))?;
        let want = status_named(expected["expected_status"].as_str().unwrap());
        if result.status != want {
            return Err(format!(
                "{name}: got {} want {want} ({})",
                result.status, result.message
            ));
        }
        for cond in expected["expected_conditions"].as_array().unwrap() {
            let found = result
                .conditions
                .iter()
                .find(|c| c.type_ == cond["type"].as_str().unwrap());
            match found {
                Some(c) if c.status == cond["status"] && c.reason == cond["reason"] => {}
                other => return Err(format!("{name}: condition {cond} not matched by {other:?}")),
            }
        }
        for absent in expected["absent_condition_types"].as_array().unwrap() {
            if result
                .conditions
                .iter()
                .any(|c| c.type_ == absent.as_str().unwrap())
            {
                return Err(format!("{name}: condition {absent} should be absent"));
            }
        }
    }
    Ok(())
}

#[test]
fn kstatus_conformance() {
    let now = jiff::Timestamp::now();
    let mut dirs: Vec<_> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    let failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| check_case(d, now).err())
        .collect();
    let passed = dirs.len() - failures.len();
    println!("kstatus conformance: {passed}/{} cases pass", dirs.len());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(dirs.len(), 56, "corpus size changed");
    assert_eq!(passed, dirs.len());
}

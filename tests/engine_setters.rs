//! Conformance: the image-automation-controller setters cases in
//! ../shared/conformance/setters-cases (4 tree cases + 2 update-strategy error rows).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fluxdeck::engine::setters::{ImageRef, apply_setters_to_files, check_update_strategy};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/setters-cases"
);

/// Every file under `root`, keyed by its path relative to `root`.
fn read_tree(root: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

fn policy_table(case: &Value) -> BTreeMap<(String, String), ImageRef> {
    case["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let key = (
                p["namespace"].as_str().unwrap().to_string(),
                p["name"].as_str().unwrap().to_string(),
            );
            (
                key,
                ImageRef::parse(p["latestImage"].as_str().unwrap())
                    .expect("latestImage is name:tag"),
            )
        })
        .collect()
}

/// Every file's text afterwards, the changed files, and `(file, object, old, new, setter)` rows.
type UpdateOutcome = (BTreeMap<String, String>, Vec<String>, Vec<[String; 5]>);

/// Run the Setters update over `input`, limited to `update_path`. Returns every file's text
/// afterwards, the set of changed files, and the changes as `(file, object, old, new, setter)`.
fn run_update(case: &Value, input: &Path, update_path: &str) -> Result<UpdateOutcome, String> {
    let table = policy_table(case);
    let lookup = |ns: &str, name: &str| table.get(&(ns.to_string(), name.to_string())).cloned();
    let prefix = update_path.trim_start_matches("./").trim_end_matches('/');
    let mut tree = read_tree(input);
    // Paths relative to update.path, as the controller reports them.
    let relative = |path: &str| -> Option<String> {
        if prefix.is_empty() {
            Some(path.to_string())
        } else {
            path.strip_prefix(&format!("{prefix}/")).map(str::to_string)
        }
    };
    let in_scope: BTreeMap<String, String> = tree
        .iter()
        .filter_map(|(path, text)| relative(path).map(|rel| (rel, text.clone())))
        .collect();
    let result = apply_setters_to_files(&in_scope, &lookup);
    if let Some(problem) = result.problems.first() {
        return Err(problem.to_string());
    }
    let mut changed = Vec::new();
    for (rel, text) in result.changed {
        let full = if prefix.is_empty() {
            rel
        } else {
            format!("{prefix}/{rel}")
        };
        tree.insert(full.clone(), text);
        changed.push(full);
    }
    let changes = result
        .changes
        .into_iter()
        .map(|c| {
            [
                c.file,
                c.object.to_string(),
                c.old_value,
                c.new_value,
                c.setter,
            ]
        })
        .collect();
    Ok((tree, changed, changes))
}

fn run_case(dir: &Path) -> Result<(), String> {
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("case.json")).unwrap()).unwrap();
    // ApplyPolicies cases carry `update`; UpdateWithSetters is called without one.
    if case.get("update").is_some() {
        check_update_strategy(Some(&case["update"])).map_err(|e| e.to_string())?;
    }
    let update_path = case["update"]["path"].as_str().unwrap_or("");
    let (tree, changed, changes) = run_update(&case, &dir.join("input"), update_path)?;
    let expected = read_tree(&dir.join("expected"));
    if let Some(expected_changes) = case.get("expected_changes") {
        // UpdateWithSetters: only changed files are written; expected/ holds exactly those.
        let written: BTreeMap<String, String> = changed
            .iter()
            .map(|f| (f.clone(), tree[f].clone()))
            .collect();
        if written != expected {
            return Err(format!(
                "written files {:?} differ from expected {:?}",
                written.keys(),
                expected.keys()
            ));
        }
        let mut want = Vec::new();
        for (file, list) in expected_changes.as_object().unwrap() {
            for c in list.as_array().unwrap() {
                let field = |k: &str| c[k].as_str().unwrap().to_string();
                want.push([
                    file.clone(),
                    field("object"),
                    field("old"),
                    field("new"),
                    field("setter"),
                ]);
            }
        }
        let (mut got_sorted, mut want_sorted) = (changes.clone(), want);
        got_sorted.sort();
        want_sorted.sort();
        if got_sorted != want_sorted {
            return Err(format!("changes {got_sorted:?} != {want_sorted:?}"));
        }
    } else if tree != expected {
        // ApplyPolicies: expected/ is the whole tree after the update.
        let diff: Vec<&String> = tree
            .keys()
            .filter(|k| expected.get(*k) != tree.get(*k))
            .collect();
        return Err(format!("tree differs in {diff:?}"));
    }
    Ok(())
}

#[test]
fn setters_conformance() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures: Vec<String> = dirs
        .iter()
        .filter_map(|d| run_case(d).err().map(|e| format!("{}: {e}", d.display())))
        .collect();
    let errors: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(CORPUS).join("apply-policies-error-cases.json"))
            .unwrap(),
    )
    .unwrap();
    let error_rows = errors["errors"].as_array().unwrap();
    for row in error_rows {
        if check_update_strategy(Some(&row["update"])).is_ok() == (row["expect_error"] == true) {
            failures.push(format!("error row {}: no error", row["label"]));
        }
    }
    let total = dirs.len() + error_rows.len();
    println!(
        "setters conformance: {}/{total} cases pass",
        total - failures.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(total, 6, "corpus size changed");
    assert!(failures.is_empty());
}

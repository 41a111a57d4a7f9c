//! Differential test: our `render(build(dir))` must equal `kubectl.1.33 kustomize DIR` byte for
//! byte on every kustomization directory of the shared fleets and on generated overlay trees.
//! Directories the reference rejects (remote bases, Helm charts, ...) must fail here too.
//!
//! No normalisation is applied. Folded block scalars (`>-`) with more-indented lines are read
//! as go-yaml reads them (engine::yaml adds go-yaml's extra line break), which the fleet
//! directory onedr0p-home-ops grafana-operator/instance exercises.

use crate::kustomize_support;

use fluxdeck::engine::kustomize;
use kustomize_support::{generate_tree, reference};
use std::path::{Path, PathBuf};

const FLEETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fleets");
/// Raise as the engine improves.
const FLEET_FLOOR: usize = 196;

fn kustomization_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization"
        })
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Compare one directory; Ok(true) when identical, Ok(false) when both failed.
fn compare(dir: &Path) -> Result<bool, String> {
    let Some(expected) = reference(dir) else {
        return Err("kubectl.1.33 is not installed".into());
    };
    let ours = kustomize::build(dir).map(|docs| kustomize::render(&docs));
    match (expected, ours) {
        (Ok(e), Ok(o)) if e == o => Ok(true),
        (Ok(e), Ok(o)) => {
            let line = e
                .lines()
                .zip(o.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(e.lines().count().min(o.lines().count()));
            Err(format!(
                "output differs at line {}: kubectl {:?} / ours {:?}",
                line + 1,
                e.lines().nth(line).unwrap_or("<end>"),
                o.lines().nth(line).unwrap_or("<end>")
            ))
        }
        (Ok(_), Err(err)) => Err(format!("kubectl succeeded, we failed: {err}")),
        (Err(kerr), Ok(_)) => Err(format!(
            "kubectl failed ({}), we succeeded",
            kerr.lines().next().unwrap_or("")
        )),
        (Err(_), Err(_)) => Ok(false),
    }
}

#[test]
fn fleets_match_kubectl() {
    if reference(Path::new(".")).is_none() {
        println!("kubectl.1.33 not installed: differential test skipped");
        return;
    }
    let dirs = kustomization_dirs(Path::new(FLEETS));
    let (mut same, mut both_failed, mut failures) = (0, 0, Vec::new());
    for dir in &dirs {
        match compare(dir) {
            Ok(true) => same += 1,
            Ok(false) => both_failed += 1,
            Err(e) => failures.push(format!("{}: {e}", dir.display())),
        }
    }
    for f in &failures {
        println!("DIFF {f}");
    }
    println!(
        "kustomize differential: {same} byte-identical, {both_failed} rejected by both, {} differ, of {} fleet directories",
        failures.len(),
        dirs.len()
    );
    assert!(
        same + both_failed >= FLEET_FLOOR,
        "agreement dropped below the floor {FLEET_FLOOR}"
    );
}

#[test]
fn generated_trees_match_kubectl() {
    if reference(Path::new(".")).is_none() {
        println!("kubectl.1.33 not installed: differential test skipped");
        return;
    }
    for n in [8, 60] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let overlay = generate_tree(tmp.path(), n);
        assert_eq!(
            compare(&overlay),
            Ok(true),
            "generated tree with {n} resources"
        );
        assert_eq!(
            compare(&tmp.path().join("base")),
            Ok(true),
            "generated base with {n} resources"
        );
    }
}

/// `fluxdeck kustomize` loads files as `kubectl kustomize` does: by default a file outside
/// the kustomization's directory is refused (both name it), with `--load-restrictor
/// LoadRestrictionsNone` both print the same build; a base directory may be anywhere.
#[test]
fn load_restrictor_matches_kubectl() {
    if reference(Path::new(".")).is_none() {
        println!("kubectl.1.33 not installed: differential test skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cm = |n: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\n");
    for (rel, text) in [
        ("shared/cm.yaml", cm("shared")),
        ("base/kustomization.yaml", "resources:\n- cm.yaml\n".into()),
        ("base/cm.yaml", cm("base")),
        (
            "app/kustomization.yaml",
            "resources:\n- ../base\n- ../shared/cm.yaml\n".into(),
        ),
        ("ok/kustomization.yaml", "resources:\n- ../base\n".into()),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let run = |bin: &Path, args: &[&str]| {
        let out = std::process::Command::new(bin)
            .arg("kustomize")
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), text)
    };
    let (kubectl, ours) = (
        Path::new(crate::common::KUBECTL),
        crate::common::fluxdeck_bin(),
    );
    let (k_ok, k_out) = run(kubectl, &["app"]);
    let (o_ok, o_out) = run(&ours, &["app"]);
    assert!(!k_ok && k_out.contains("is not in or below"), "{k_out}");
    assert!(
        !o_ok && o_out.contains("is not in or below") && o_out.contains("cm.yaml"),
        "{o_out}"
    );
    for args in [
        &["app", "--load-restrictor", "LoadRestrictionsNone"][..],
        &["ok"][..],
    ] {
        let (k_ok, k_out) = run(kubectl, args);
        let (o_ok, o_out) = run(&ours, args);
        assert!(k_ok && o_ok, "{args:?}: kubectl {k_out} / ours {o_out}");
        assert_eq!(o_out, k_out, "{args:?}");
    }
    let (bad_ok, bad) = run(&ours, &["app", "--load-restrictor", "open"]);
    assert!(!bad_ok && bad.contains("LoadRestrictionsRootOnly"), "{bad}");
}

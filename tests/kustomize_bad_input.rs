//! The bad-input cases of the kustomize engine fail with an error that names the file and the
//! field (or the resource file) at fault: malformed YAML, a missing resource, a JSON 6902
//! patch with no target.

use fluxdeck::engine::kustomize;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn error_of(files: &[(&str, &str)]) -> String {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        write(tmp.path(), name, text);
    }
    match kustomize::build(tmp.path()) {
        Ok(_) => panic!("the build of {files:?} succeeded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn malformed_yaml_names_the_file() {
    let e = error_of(&[
        ("kustomization.yaml", "resources:\n- bad.yaml\n"),
        (
            "bad.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [name: x\n",
        ),
    ]);
    assert!(e.contains("bad.yaml"), "{e}");
}

#[test]
fn missing_resource_names_the_kustomization_field_and_entry() {
    let e = error_of(&[("kustomization.yaml", "resources:\n- nowhere.yaml\n")]);
    assert!(e.contains("kustomization.yaml"), "{e}");
    assert!(e.contains("resources"), "{e}");
    assert!(e.contains("nowhere.yaml"), "{e}");
}

#[test]
fn json6902_patch_without_target_names_the_field() {
    let e = error_of(&[
        (
            "kustomization.yaml",
            "resources:\n- cm.yaml\npatches:\n- patch: |-\n    - op: add\n      path: /data/b\n      value: c\n",
        ),
        (
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    assert!(e.contains("kustomization.yaml"), "{e}");
    assert!(e.contains("patches"), "{e}");
}

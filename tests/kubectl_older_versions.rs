//! Older pinned kubectl versions (1.31, 1.29) against the store over HTTPS with default flags.

use crate::store_http_support;

use store_http_support::kubectl::*;
use store_http_support::*;

/// Older kubectl versions: discovery, client-side apply (create and update), get columns, diff, delete.
fn older_kubectl(version: &str) {
    let Some(k) = Harness::start(version) else {
        return;
    };
    k.ok(&["apply", "-f", &shared(KUSTOMIZATION_CRD).to_string_lossy()]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    assert!(
        k.ok_stdin(&["apply", "-f", "-"], Some(ks))
            .contains("created")
    );
    assert!(
        k.ok_stdin(&["apply", "-f", "-"], Some(&ks.replace("10m", "5m")))
            .contains("configured")
    );
    assert_eq!(
        k.json(&["get", "ks", "apps", "-n", "flux-system"])["spec"]["interval"],
        "5m"
    );
    let table = k.ok(&["get", "ks", "-n", "flux-system"]);
    assert_eq!(
        table_header(&table),
        ["NAME", "AGE", "READY", "STATUS"],
        "{table}"
    );
    assert!(row(&k.ok(&["api-resources"]), "kustomizations").is_some());
    let out = k.run(&["diff", "-f", "-"], Some(&ks.replace("10m", "9m")));
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    k.ok(&["delete", "ks", "apps", "-n", "flux-system"]);
}

/// Older kubectl versions: server-side apply and server-side (strict) field validation.
fn older_kubectl_server_side(version: &str) {
    let Some(k) = Harness::start(version) else {
        return;
    };
    k.ok(&[
        "apply",
        "--server-side",
        "-f",
        &shared(KUSTOMIZATION_CRD).to_string_lossy(),
    ]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    k.ok_stdin(&["apply", "--server-side", "-f", "-"], Some(ks));
    k.ok_stdin(
        &["apply", "--server-side", "-f", "-"],
        Some(&ks.replace("10m", "7m")),
    );
    assert_eq!(
        k.json(&["get", "ks", "apps", "-n", "flux-system"])["spec"]["interval"],
        "7m"
    );
}

/// kubectl's default `--validate=strict` is delegated to the server (fieldValidation=Strict).
fn strict_field_validation(version: &str) {
    let Some(k) = Harness::start(version) else {
        return;
    };
    k.ok(&["apply", "-f", &shared(KUSTOMIZATION_CRD).to_string_lossy()]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  bogusField: 1\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    let rejected = k.fails(&["apply", "-f", "-"], Some(ks));
    assert!(
        rejected.contains("bogusField"),
        "strict field validation names the field: {rejected}"
    );
    let rejected = k.fails(&["apply", "--server-side", "-f", "-"], Some(ks));
    assert!(rejected.contains("bogusField"), "{rejected}");
}

#[test]

fn kubectl_1_33_strict_field_validation() {
    strict_field_validation("1.33");
}

#[test]

fn kubectl_1_29_strict_field_validation() {
    strict_field_validation("1.29");
}

#[test]
fn kubectl_1_31_server_side() {
    older_kubectl_server_side("1.31");
}

#[test]
fn kubectl_1_29_server_side() {
    older_kubectl_server_side("1.29");
}

#[test]
fn kubectl_1_31_apply_get_diff() {
    older_kubectl("1.31");
}

#[test]
fn kubectl_1_29_apply_get_diff() {
    older_kubectl("1.29");
}

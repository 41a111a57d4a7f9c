//! Real kubectl (pinned 1.33, 1.31, 1.29) against the store served over HTTPS with the written
//! kubeconfig and default flags. Skips with a message when a kubectl binary is missing.

use crate::store_http_support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use store_http_support::kubectl::*;
use store_http_support::*;

/// The fleet uses source-watcher's ArtifactGenerator, whose CRD is not in ../shared/flux/crds;
/// a minimal structural CRD stands in for it.
const ARTIFACT_GENERATOR_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: artifactgenerators.source.extensions.fluxcd.io
spec:
  group: source.extensions.fluxcd.io
  names: {kind: ArtifactGenerator, listKind: ArtifactGeneratorList, plural: artifactgenerators, singular: artifactgenerator}
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

/// A Ready=True status as kustomize-controller writes it, for the given generation
/// (`kubectl wait` ignores conditions whose observedGeneration is older than the object).
fn ready_status(generation: &Value) -> String {
    serde_json::json!({"status": {"observedGeneration": generation, "conditions": [{
        "type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
        "message": "Applied revision: main@sha1:0123abc", "lastTransitionTime": "2026-01-01T00:00:00Z",
        "observedGeneration": generation}]}})
    .to_string()
}

/// Everything the lead asked kubectl 1.33 to do against the embedded store.
#[test]
fn kubectl_1_33_full_workflow() {
    let Some(k) = Harness::start("1.33") else {
        return;
    };
    let version = k.json(&["version"]);
    assert_eq!(
        version["serverVersion"]["gitVersion"],
        fluxdeck::store::http::VERSION_GIT
    );

    // CRDs (client-side apply: create), then the fleet's manifests.
    let applied = k.ok(&["apply", "-f", &shared_str("flux/crds")]);
    assert_eq!(applied.matches("created").count(), 14, "{applied}");
    k.ok_stdin(&["apply", "-f", "-"], Some(ARTIFACT_GENERATOR_CRD));
    let crds = k.ok(&["get", "crd"]);
    assert!(
        crds.contains("kustomizations.kustomize.toolkit.fluxcd.io"),
        "{crds}"
    );
    let resources = k.ok(&["api-resources"]);
    let ks_row = row(&resources, "kustomizations").expect("kustomizations listed by api-resources");
    assert!(
        ks_row.contains("ks")
            && ks_row.contains("kustomize.toolkit.fluxcd.io/v1")
            && ks_row.contains("true"),
        "{ks_row}"
    );
    assert!(
        row(&resources, "configmaps").is_some_and(|r| r.contains("cm")),
        "{resources}"
    );

    k.ok(&["create", "namespace", "flux-system"]);
    let staging = k.ok(&[
        "apply",
        "-f",
        &shared_str("fleets/flux2-kustomize-helm-example/clusters/staging"),
    ]);
    assert!(
        staging.contains("kustomization.kustomize.toolkit.fluxcd.io/apps created"),
        "{staging}"
    );
    assert!(
        staging.contains("artifactgenerator.source.extensions.fluxcd.io/flux-system created"),
        "{staging}"
    );
    // Client-side update: production differs in paths, so apply configures the same objects.
    let production = k.ok(&[
        "apply",
        "-f",
        &shared_str("fleets/flux2-kustomize-helm-example/clusters/production"),
    ]);
    assert!(
        production.contains("kustomization.kustomize.toolkit.fluxcd.io/apps configured"),
        "{production}"
    );
    let apps = k.json(&["get", "kustomization", "apps", "-n", "flux-system"]);
    assert_eq!(apps["spec"]["path"], "./production");
    assert!(
        apps["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_string()
    );
    read_back_fleet(
        &k,
        "fleets/flux2-kustomize-helm-example/clusters/production",
    );
    let crd = k.json(&["get", "crd", "helmreleases.helm.toolkit.fluxcd.io"]);
    assert_eq!(crd["spec"]["names"]["kind"], "HelmRelease");
    let yaml = k.ok(&[
        "get",
        "ks",
        "infra-controllers",
        "-n",
        "flux-system",
        "-o",
        "yaml",
    ]);
    assert!(
        yaml.contains("path: ./controllers") && yaml.contains("kind: Kustomization"),
        "{yaml}"
    );

    // Flux columns: READY/STATUS from additionalPrinterColumns, filled after a status patch.
    let status = ready_status(&apps["metadata"]["generation"]);
    k.ok(&[
        "patch",
        "ks",
        "apps",
        "-n",
        "flux-system",
        "--subresource=status",
        "--type=merge",
        "-p",
        &status,
    ]);
    let table = k.ok(&["get", "ks", "-n", "flux-system"]);
    assert_eq!(
        table_header(&table),
        ["NAME", "AGE", "READY", "STATUS"],
        "{table}"
    );
    let apps_row = row(&table, "apps").expect("apps row");
    assert!(
        apps_row.contains("True") && apps_row.contains("Applied revision: main@sha1:0123abc"),
        "{apps_row}"
    );
    let all = k.ok(&["get", "ks", "-A"]);
    assert_eq!(table_header(&all)[..2], ["NAMESPACE", "NAME"], "{all}");
    assert_eq!(all.lines().count(), 4, "three Kustomizations: {all}");

    // Waiting on conditions.
    k.ok(&[
        "wait",
        "--for=condition=Ready",
        "ks/apps",
        "-n",
        "flux-system",
        "--timeout=20s",
    ]);

    // Built-in kinds: create, get columns, patches of each type, annotate, label.
    k.ok(&[
        "create",
        "configmap",
        "settings",
        "--from-literal=a=1",
        "--from-literal=b=2",
    ]);
    let cms = k.ok(&["get", "configmaps"]);
    assert_eq!(table_header(&cms), ["NAME", "DATA", "AGE"], "{cms}");
    assert!(
        row(&cms, "settings").is_some_and(|r| r.split_whitespace().nth(1) == Some("2")),
        "{cms}"
    );
    k.ok(&[
        "patch",
        "configmap",
        "settings",
        "--type=merge",
        "-p",
        r#"{"data":{"c":"3"}}"#,
    ]);
    k.ok(&[
        "patch",
        "configmap",
        "settings",
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/data/a"}]"#,
    ]);
    k.ok(&[
        "patch",
        "configmap",
        "settings",
        "--type=strategic",
        "-p",
        r#"{"data":{"d":"4"}}"#,
    ]);
    k.ok(&[
        "annotate",
        "configmap",
        "settings",
        "fluxdeck.io/note=hello",
    ]);
    k.ok(&["label", "configmap", "settings", "tier=web"]);
    let cm = k.json(&["get", "configmap", "settings"]);
    assert_eq!(
        cm["data"],
        serde_json::json!({"b": "2", "c": "3", "d": "4"})
    );
    assert_eq!(cm["metadata"]["annotations"]["fluxdeck.io/note"], "hello");
    assert_eq!(
        k.ok(&["get", "cm", "-l", "tier=web", "-o", "name"]).trim(),
        "configmap/settings"
    );

    // diff: exit 1 with a diff for a change (dry-run patch on the server), exit 0 for none.
    let current = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: \"2\"\n  c: \"3\"\n  d: \"4\"\n";
    let changed = current.replace("\"4\"", "\"5\"");
    let out = k.run(&["diff", "-f", "-"], Some(&changed));
    assert_eq!(
        out.status.code(),
        Some(1),
        "diff exits 1 on changes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("+  d: \"5\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        k.json(&["get", "cm", "settings"])["data"]["d"],
        "4",
        "diff changes nothing"
    );

    // get -w sees a change made after it started.
    watch_sees_later_change(&k);

    // delete waits until the object is gone.
    k.ok(&["delete", "configmap", "settings"]);
    let missing = k.fails(&["get", "configmap", "settings"], None);
    assert!(
        missing.contains("NotFound") && missing.contains("\"settings\" not found"),
        "{missing}"
    );
    k.ok(&["delete", "ks", "-n", "flux-system", "--all"]);
    assert!(
        k.ok(&["get", "ks", "-n", "flux-system", "-o", "name"])
            .trim()
            .is_empty()
    );
}

/// kubectl 1.33 server-side apply: create, a conflict with another manager, --force-conflicts.
#[test]
fn kubectl_1_33_server_side_apply() {
    let Some(k) = Harness::start("1.33") else {
        return;
    };
    // Server-side apply: a conflict with another manager, then --force-conflicts.
    let manifest =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  owner: alice\n";
    k.ok_stdin(
        &["apply", "--server-side", "--field-manager=alice", "-f", "-"],
        Some(manifest),
    );
    let rival = manifest.replace("alice\n", "bob\n");
    let conflict = k.fails(
        &["apply", "--server-side", "--field-manager=bob", "-f", "-"],
        Some(&rival),
    );
    assert!(
        conflict.contains("conflict")
            && conflict.contains(".data.owner")
            && conflict.contains("alice"),
        "{conflict}"
    );
    k.ok_stdin(
        &[
            "apply",
            "--server-side",
            "--field-manager=bob",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&rival),
    );
    assert_eq!(k.json(&["get", "cm", "owned"])["data"]["owner"], "bob");

    // diff of a server-side applied object.
    let changed =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  owner: carol\n";
    let out = k.run(&["diff", "-f", "-"], Some(changed));
    assert_eq!(
        out.status.code(),
        Some(1),
        "diff exits 1 on changes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("+  owner: carol"));

    let out = k.run(
        &["diff", "--server-side", "--force-conflicts", "-f", "-"],
        Some(&rival),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "no diff when nothing changes: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Every object of every manifest in `dir` reads back (kubectl get -o json) with what was applied.
fn read_back_fleet(k: &Harness, dir: &str) {
    let mut checked = 0;
    for entry in std::fs::read_dir(shared(dir)).expect("fleet directory") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("manifest");
        for doc in fluxdeck::engine::yaml::parse_documents(&text).expect("manifest YAML") {
            let group = doc["apiVersion"]
                .as_str()
                .unwrap_or("")
                .split('/')
                .next()
                .unwrap_or("")
                .to_string();
            let resource = format!(
                "{}.{group}",
                doc["kind"].as_str().unwrap_or("").to_lowercase()
            );
            let name = doc["metadata"]["name"].as_str().expect("name");
            let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
            let live = k.json(&["get", &resource, name, "-n", ns]);
            assert!(
                contained(&doc["spec"], &live["spec"]),
                "{resource}/{name}: applied {} but read back {}",
                doc["spec"],
                live["spec"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} objects in {dir}");
}

/// `kubectl get configmaps -w` (Table watch events) prints objects created and changed later.
fn watch_sees_later_change(k: &Harness) {
    k.ok(&["create", "configmap", "watched", "--from-literal=v=1"]);
    let mut child = k
        .command(&["get", "configmaps", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl get -w starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |what: &str, matches: &dyn Fn(&[&str]) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                let words: Vec<&str> = line.split_whitespace().collect();
                let hit = matches(&words);
                seen.push(line.clone());
                if hit {
                    return;
                }
            }
        }
        panic!("get -w never printed {what}; it printed {seen:?}");
    };
    wait_for("the header", &|w| w == ["NAME", "DATA", "AGE"]);
    wait_for("the existing ConfigMap", &|w| {
        w.first() == Some(&"watched") && w.get(1) == Some(&"1")
    });
    k.ok(&[
        "create",
        "configmap",
        "later",
        "--from-literal=a=1",
        "--from-literal=b=2",
    ]);
    wait_for("the ConfigMap created later", &|w| {
        w.first() == Some(&"later") && w.get(1) == Some(&"2")
    });
    k.ok(&[
        "patch",
        "configmap",
        "watched",
        "--type=merge",
        "-p",
        r#"{"data":{"w":"2"}}"#,
    ]);
    wait_for("the change to the first ConfigMap", &|w| {
        w.first() == Some(&"watched") && w.get(1) == Some(&"2")
    });
    let _ = child.kill();
    let _ = child.wait();
}

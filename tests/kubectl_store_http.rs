//! Real kubectl (pinned 1.33, 1.31, 1.29) against the store served over HTTPS with the written
//! kubeconfig and default flags. Skips with a message when a kubectl binary is missing.

mod store_http_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use store_http_support::*;

const KUBECTL_DIR: &str = "/usr/lib/google-cloud-sdk/bin";

/// A server on its own runtime, so blocking kubectl calls never stall it.
struct Harness {
    _runtime: tokio::runtime::Runtime,
    server: Https,
    kubectl: PathBuf,
}

impl Harness {
    fn start(version: &str) -> Option<Harness> {
        let kubectl = Path::new(KUBECTL_DIR).join(format!("kubectl.{version}"));
        if !kubectl.exists() {
            eprintln!("SKIPPED: {} is not installed", kubectl.display());
            return None;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let server = runtime.block_on(start_https());
        Some(Harness { _runtime: runtime, server, kubectl })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.args(args)
            .env("KUBECONFIG", &self.server.kubeconfig)
            .env("HOME", self.server.dir.path())
            .env_remove("KUBERNETES_SERVICE_HOST");
        cmd
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("kubectl starts");
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("stdin written");
        }
        child.wait_with_output().expect("kubectl finishes")
    }

    /// Runs kubectl and returns stdout, failing the test with stderr on a non-zero exit.
    fn ok(&self, args: &[&str]) -> String {
        self.ok_stdin(args, None)
    }

    fn ok_stdin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "kubectl {} failed ({}):\nstdout: {stdout}\nstderr: {stderr}", args.join(" "), out.status);
        stdout
    }

    /// Runs kubectl expecting failure, returning stderr.
    fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(!out.status.success(), "kubectl {} unexpectedly succeeded: {}", args.join(" "), String::from_utf8_lossy(&out.stdout));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("kubectl -o json prints JSON")
    }
}

fn shared_str(path: &str) -> String {
    shared(path).to_string_lossy().into_owned()
}

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

fn table_header(output: &str) -> Vec<String> {
    output.lines().next().unwrap_or("").split_whitespace().map(str::to_string).collect()
}

fn row<'a>(output: &'a str, name: &str) -> Option<&'a str> {
    output.lines().find(|l| l.split_whitespace().any(|w| w == name))
}

/// Everything the lead asked kubectl 1.33 to do against the embedded store.
#[test]
fn kubectl_1_33_full_workflow() {
    let Some(k) = Harness::start("1.33") else { return };
    let version = k.json(&["version"]);
    assert_eq!(version["serverVersion"]["gitVersion"], fluxdeck::store::http::VERSION_GIT);

    // CRDs (client-side apply: create), then the fleet's manifests.
    let applied = k.ok(&["apply", "-f", &shared_str("flux/crds")]);
    assert_eq!(applied.matches("created").count(), 14, "{applied}");
    k.ok_stdin(&["apply", "-f", "-"], Some(ARTIFACT_GENERATOR_CRD));
    let crds = k.ok(&["get", "crd"]);
    assert!(crds.contains("kustomizations.kustomize.toolkit.fluxcd.io"), "{crds}");
    let resources = k.ok(&["api-resources"]);
    let ks_row = row(&resources, "kustomizations").expect("kustomizations listed by api-resources");
    assert!(ks_row.contains("ks") && ks_row.contains("kustomize.toolkit.fluxcd.io/v1") && ks_row.contains("true"), "{ks_row}");
    assert!(row(&resources, "configmaps").is_some_and(|r| r.contains("cm")), "{resources}");

    k.ok(&["create", "namespace", "flux-system"]);
    let staging = k.ok(&["apply", "-f", &shared_str("fleets/flux2-kustomize-helm-example/clusters/staging")]);
    assert!(staging.contains("kustomization.kustomize.toolkit.fluxcd.io/apps created"), "{staging}");
    assert!(staging.contains("artifactgenerator.source.extensions.fluxcd.io/flux-system created"), "{staging}");
    // Client-side update: production differs in paths, so apply configures the same objects.
    let production = k.ok(&["apply", "-f", &shared_str("fleets/flux2-kustomize-helm-example/clusters/production")]);
    assert!(production.contains("kustomization.kustomize.toolkit.fluxcd.io/apps configured"), "{production}");
    let apps = k.json(&["get", "kustomization", "apps", "-n", "flux-system"]);
    assert_eq!(apps["spec"]["path"], "./production");
    assert!(apps["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].is_string());
    read_back_fleet(&k, "fleets/flux2-kustomize-helm-example/clusters/production");
    let crd = k.json(&["get", "crd", "helmreleases.helm.toolkit.fluxcd.io"]);
    assert_eq!(crd["spec"]["names"]["kind"], "HelmRelease");
    let yaml = k.ok(&["get", "ks", "infra-controllers", "-n", "flux-system", "-o", "yaml"]);
    assert!(yaml.contains("path: ./controllers") && yaml.contains("kind: Kustomization"), "{yaml}");

    // Flux columns: READY/STATUS from additionalPrinterColumns, filled after a status patch.
    let status = ready_status(&apps["metadata"]["generation"]);
    k.ok(&["patch", "ks", "apps", "-n", "flux-system", "--subresource=status", "--type=merge", "-p", &status]);
    let table = k.ok(&["get", "ks", "-n", "flux-system"]);
    assert_eq!(table_header(&table), ["NAME", "AGE", "READY", "STATUS"], "{table}");
    let apps_row = row(&table, "apps").expect("apps row");
    assert!(apps_row.contains("True") && apps_row.contains("Applied revision: main@sha1:0123abc"), "{apps_row}");
    let all = k.ok(&["get", "ks", "-A"]);
    assert_eq!(table_header(&all)[..2], ["NAMESPACE", "NAME"], "{all}");
    assert_eq!(all.lines().count(), 4, "three Kustomizations: {all}");

    // Waiting on conditions.
    k.ok(&["wait", "--for=condition=Ready", "ks/apps", "-n", "flux-system", "--timeout=20s"]);

    // Built-in kinds: create, get columns, patches of each type, annotate, label.
    k.ok(&["create", "configmap", "settings", "--from-literal=a=1", "--from-literal=b=2"]);
    let cms = k.ok(&["get", "configmaps"]);
    assert_eq!(table_header(&cms), ["NAME", "DATA", "AGE"], "{cms}");
    assert!(row(&cms, "settings").is_some_and(|r| r.split_whitespace().nth(1) == Some("2")), "{cms}");
    k.ok(&["patch", "configmap", "settings", "--type=merge", "-p", r#"{"data":{"c":"3"}}"#]);
    k.ok(&["patch", "configmap", "settings", "--type=json", "-p", r#"[{"op":"remove","path":"/data/a"}]"#]);
    k.ok(&["patch", "configmap", "settings", "--type=strategic", "-p", r#"{"data":{"d":"4"}}"#]);
    k.ok(&["annotate", "configmap", "settings", "fluxdeck.io/note=hello"]);
    k.ok(&["label", "configmap", "settings", "tier=web"]);
    let cm = k.json(&["get", "configmap", "settings"]);
    assert_eq!(cm["data"], serde_json::json!({"b": "2", "c": "3", "d": "4"}));
    assert_eq!(cm["metadata"]["annotations"]["fluxdeck.io/note"], "hello");
    assert_eq!(k.ok(&["get", "cm", "-l", "tier=web", "-o", "name"]).trim(), "configmap/settings");

    // diff: exit 1 with a diff for a change (dry-run patch on the server), exit 0 for none.
    let current = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  b: \"2\"\n  c: \"3\"\n  d: \"4\"\n";
    let changed = current.replace("\"4\"", "\"5\"");
    let out = k.run(&["diff", "-f", "-"], Some(&changed));
    assert_eq!(out.status.code(), Some(1), "diff exits 1 on changes: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+  d: \"5\""), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(k.json(&["get", "cm", "settings"])["data"]["d"], "4", "diff changes nothing");

    // get -w sees a change made after it started.
    watch_sees_later_change(&k);

    // delete waits until the object is gone.
    k.ok(&["delete", "configmap", "settings"]);
    let missing = k.fails(&["get", "configmap", "settings"], None);
    assert!(missing.contains("NotFound") && missing.contains("\"settings\" not found"), "{missing}");
    k.ok(&["delete", "ks", "-n", "flux-system", "--all"]);
    assert!(k.ok(&["get", "ks", "-n", "flux-system", "-o", "name"]).trim().is_empty());
}

/// kubectl 1.33 server-side apply: create, a conflict with another manager, --force-conflicts.
#[test]
fn kubectl_1_33_server_side_apply() {
    let Some(k) = Harness::start("1.33") else { return };
    // Server-side apply: a conflict with another manager, then --force-conflicts.
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  owner: alice\n";
    k.ok_stdin(&["apply", "--server-side", "--field-manager=alice", "-f", "-"], Some(manifest));
    let rival = manifest.replace("alice\n", "bob\n");
    let conflict = k.fails(&["apply", "--server-side", "--field-manager=bob", "-f", "-"], Some(&rival));
    assert!(conflict.contains("conflict") && conflict.contains(".data.owner") && conflict.contains("alice"), "{conflict}");
    k.ok_stdin(&["apply", "--server-side", "--field-manager=bob", "--force-conflicts", "-f", "-"], Some(&rival));
    assert_eq!(k.json(&["get", "cm", "owned"])["data"]["owner"], "bob");

    // diff of a server-side applied object.
    let changed = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  owner: carol\n";
    let out = k.run(&["diff", "-f", "-"], Some(changed));
    assert_eq!(out.status.code(), Some(1), "diff exits 1 on changes: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+  owner: carol"));

    let out = k.run(&["diff", "--server-side", "--force-conflicts", "-f", "-"], Some(&rival));
    assert_eq!(out.status.code(), Some(0), "no diff when nothing changes: {}", String::from_utf8_lossy(&out.stdout));
}

/// `expected` is contained in `actual` (maps by key, lists element-wise, scalars equal):
/// the server may add defaults and metadata, never change what was applied.
fn contained(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|av| contained(v, av))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| contained(x, y)),
        _ => expected == actual,
    }
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
            let group = doc["apiVersion"].as_str().unwrap_or("").split('/').next().unwrap_or("").to_string();
            let resource = format!("{}.{group}", doc["kind"].as_str().unwrap_or("").to_lowercase());
            let name = doc["metadata"]["name"].as_str().expect("name");
            let ns = doc["metadata"]["namespace"].as_str().unwrap_or("default");
            let live = k.json(&["get", &resource, name, "-n", ns]);
            assert!(contained(&doc["spec"], &live["spec"]), "{resource}/{name}: applied {} but read back {}", doc["spec"], live["spec"]);
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} objects in {dir}");
}

/// `kubectl get configmaps -w` (Table watch events) prints objects created and changed later.
fn watch_sees_later_change(k: &Harness) {
    k.ok(&["create", "configmap", "watched", "--from-literal=v=1"]);
    let mut child = k.command(&["get", "configmaps", "-w"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("kubectl get -w starts");
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
    wait_for("the existing ConfigMap", &|w| w.first() == Some(&"watched") && w.get(1) == Some(&"1"));
    k.ok(&["create", "configmap", "later", "--from-literal=a=1", "--from-literal=b=2"]);
    wait_for("the ConfigMap created later", &|w| w.first() == Some(&"later") && w.get(1) == Some(&"2"));
    k.ok(&["patch", "configmap", "watched", "--type=merge", "-p", r#"{"data":{"w":"2"}}"#]);
    wait_for("the change to the first ConfigMap", &|w| w.first() == Some(&"watched") && w.get(1) == Some(&"2"));
    let _ = child.kill();
    let _ = child.wait();
}

/// Older kubectl versions: discovery, client-side apply (create and update), get columns, diff, delete.
fn older_kubectl(version: &str) {
    let Some(k) = Harness::start(version) else { return };
    k.ok(&["apply", "-f", &shared(KUSTOMIZATION_CRD).to_string_lossy()]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    assert!(k.ok_stdin(&["apply", "-f", "-"], Some(ks)).contains("created"));
    assert!(k.ok_stdin(&["apply", "-f", "-"], Some(&ks.replace("10m", "5m"))).contains("configured"));
    assert_eq!(k.json(&["get", "ks", "apps", "-n", "flux-system"])["spec"]["interval"], "5m");
    let table = k.ok(&["get", "ks", "-n", "flux-system"]);
    assert_eq!(table_header(&table), ["NAME", "AGE", "READY", "STATUS"], "{table}");
    assert!(row(&k.ok(&["api-resources"]), "kustomizations").is_some());
    let out = k.run(&["diff", "-f", "-"], Some(&ks.replace("10m", "9m")));
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    k.ok(&["delete", "ks", "apps", "-n", "flux-system"]);
}

/// Older kubectl versions: server-side apply and server-side (strict) field validation.
fn older_kubectl_server_side(version: &str) {
    let Some(k) = Harness::start(version) else { return };
    k.ok(&["apply", "--server-side", "-f", &shared(KUSTOMIZATION_CRD).to_string_lossy()]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    k.ok_stdin(&["apply", "--server-side", "-f", "-"], Some(ks));
    k.ok_stdin(&["apply", "--server-side", "-f", "-"], Some(&ks.replace("10m", "7m")));
    assert_eq!(k.json(&["get", "ks", "apps", "-n", "flux-system"])["spec"]["interval"], "7m");
}

/// kubectl's default `--validate=strict` is delegated to the server (fieldValidation=Strict).
fn strict_field_validation(version: &str) {
    let Some(k) = Harness::start(version) else { return };
    k.ok(&["apply", "-f", &shared(KUSTOMIZATION_CRD).to_string_lossy()]);
    k.ok(&["create", "namespace", "flux-system"]);
    let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  bogusField: 1\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    let rejected = k.fails(&["apply", "-f", "-"], Some(ks));
    assert!(rejected.contains("bogusField"), "strict field validation names the field: {rejected}");
    let rejected = k.fails(&["apply", "--server-side", "-f", "-"], Some(ks));
    assert!(rejected.contains("bogusField"), "{rejected}");
}

#[test]
#[ignore = "needs the CRD schema engine (src/engine/schema, api branch) plugged into store::schema_hook"]
fn kubectl_1_33_strict_field_validation() {
    strict_field_validation("1.33");
}

#[test]
#[ignore = "needs the CRD schema engine (src/engine/schema, api branch) plugged into store::schema_hook"]
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

//! `fluxdeck build kustomization NAME [--path DIR]` against a real `fluxdeck server` whose
//! in-process controllers reconcile the same Kustomization: the printed objects are the ones
//! the controller applied (substituted, decrypted, labelled), Secret values masked.

use crate::common;
use crate::controllers_support;

use std::time::Duration;

use common::{Server, condition_status, stderr, stdout};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(90);

fn sops_fixture(name: &str) -> String {
    std::fs::read_to_string(
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine/sops/testdata/").to_string() + name,
    )
    .unwrap()
}

fn docs(yaml: &str) -> Vec<Value> {
    fluxdeck::engine::yaml::parse_documents(yaml)
        .unwrap()
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind}/{name} not in {docs:#?}"))
}

#[test]
fn build_prints_what_the_controller_applies_with_secrets_masked() {
    let server = Server::start(&["--no-demo"]);
    let repo = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: default\ndata:\n  text: ${greeting}\n  region: ${region:=eu}\n";
    controllers_support::commit_files(
        repo.path(),
        &[
            ("app/cm.yaml", cm),
            ("app/secret.enc.yaml", &sops_fixture("flux.enc.yaml")),
        ],
        "initial",
    );
    let key = sops_fixture("test.agekey");
    let indented: String = key.lines().map(|l| format!("    {l}\n")).collect();
    server.apply(&format!(
        r#"apiVersion: v1
kind: Secret
metadata: {{name: sops-age, namespace: default}}
stringData:
  age.agekey: |
{indented}---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: repo, namespace: default}}
spec:
  interval: 10m
  url: file://{}
  ref: {{branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: app, namespace: default}}
spec:
  interval: 10m
  path: ./app
  prune: true
  sourceRef: {{kind: GitRepository, name: repo}}
  decryption: {{provider: sops, secretRef: {{name: sops-age}}}}
  commonMetadata: {{labels: {{team: blue}}}}
  postBuild:
    substitute: {{greeting: hello}}
"#,
        repo.path().display()
    ));
    server.wait_json("kustomization", "default", "app", WAIT, |o| {
        condition_status(o, "Ready") == Some("True")
    });

    let out = server.fluxdeck(&["-n", "default", "build", "kustomization", "app"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let built = docs(&text);
    assert_eq!(built.len(), 2, "{text}");
    let cm = find(&built, "ConfigMap", "greeting");
    assert_eq!(cm["data"]["text"], "hello");
    assert_eq!(cm["data"]["region"], "eu");
    assert_eq!(cm["metadata"]["labels"]["team"], "blue");
    assert_eq!(
        cm["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "app"
    );
    // The very object the controller applied.
    let live = server.get_json("configmap", "default", "greeting").unwrap();
    assert_eq!(live["data"], cm["data"]);
    assert_eq!(
        live["metadata"]["labels"]["team"],
        cm["metadata"]["labels"]["team"]
    );
    // Decrypted by the shared build (no ciphertext, no sops metadata) but never printed.
    let secret = find(&built, "Secret", "demo");
    assert!(secret.get("sops").is_none(), "{text}");
    assert!(!text.contains("ENC["), "{text}");
    let live_secret = server.get_json("secret", "default", "demo").unwrap();
    for (k, v) in live_secret["data"].as_object().unwrap() {
        let shown = secret["data"]
            .get(k)
            .or_else(|| secret["stringData"].get(k));
        assert_eq!(
            shown.and_then(Value::as_str),
            Some(fluxdeck::engine::sops::MASK),
            "{k}: {text}"
        );
        assert!(
            !text.contains(v.as_str().unwrap()),
            "secret value leaked: {text}"
        );
    }

    // --path: a local checkout, built as the same Kustomization.
    let local = tempfile::tempdir().unwrap();
    std::fs::write(
        local.path().join("cm.yaml"),
        cm_text("greeting", "${greeting}-local"),
    )
    .unwrap();
    let path = local.path().display().to_string();
    let out = server.fluxdeck(&["-n", "default", "build", "ks", "app", "--path", &path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let built = docs(&stdout(&out));
    assert_eq!(built.len(), 1);
    assert_eq!(built[0]["data"]["text"], "hello-local");
    assert!(
        !local.path().join("kustomization.yaml").exists(),
        "the user's directory is never written"
    );

    // Errors: exit 2 with a message naming the object or the file.
    let out = server.fluxdeck(&["-n", "default", "build", "kustomization", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Kustomization default/nope not found"),
        "{}",
        stderr(&out)
    );
    std::fs::write(local.path().join("cm.yaml"), cm_text("x", "${undefined}")).unwrap();
    let out = server.fluxdeck(&["-n", "default", "build", "ks", "app", "--path", &path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"undefined\""), "{}", stderr(&out));
}

fn cm_text(name: &str, text: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\ndata:\n  text: {text}\n"
    )
}

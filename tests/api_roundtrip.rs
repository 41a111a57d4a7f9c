//! Typed structs against realistic objects (tests/api_fixtures): round trips are lossless,
//! unknown ("future*") fields survive a read-modify-write, older served versions read into the
//! same types, and what the typed structs write validates against the CRD of its version.

use crate::api_support;

use api_support::typed_round_trip;
use fluxdeck::api::helm::HelmRelease;
use fluxdeck::api::image::{ImagePolicy, ImageRef};
use fluxdeck::api::kustomize::{Kustomization, KustomizationSpec};
use fluxdeck::api::meta::{Condition, ConditionStatus, CrossNamespaceObjectReference, conditions};
use fluxdeck::api::source::{GitRepository, GitRepositorySpec};
use fluxdeck::api::{FluxKind, crds};
use fluxdeck::engine::schema::{FieldReason, FieldValidation, admit};
use fluxdeck::engine::yaml;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn fixture(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/api_fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    yaml::parse_documents(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn label(obj: &Value) -> String {
    format!(
        "{} {}/{}",
        obj["apiVersion"], obj["kind"], obj["metadata"]["name"]
    )
}

/// Paths (`spec.x`, `status.y[0].z`) of every key starting with `future`.
fn future_paths(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k.starts_with("future") {
                    out.insert(join(k));
                } else if k != "metadata" || !path.is_empty() {
                    future_paths(v, &join(k), out);
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| future_paths(v, &format!("{path}[{i}]"), out)),
        _ => {}
    }
}

fn strip_future(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.starts_with("future"));
            map.values_mut().for_each(strip_future);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_future),
        _ => {}
    }
}

fn expected_unknown(obj: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    future_paths(obj, "", &mut out);
    if let Some(extra) = obj
        .pointer("/metadata/annotations/fixtures.fluxdeck.io~1unknown")
        .and_then(Value::as_str)
    {
        out.extend(extra.split(',').map(String::from));
    }
    out
}

fn schema_for(obj: &Value) -> Value {
    crds::embedded_schema(
        obj["apiVersion"].as_str().unwrap(),
        obj["kind"].as_str().unwrap(),
    )
    .unwrap_or_else(|| panic!("{} not served", label(obj)))
}

#[test]
fn fixtures_cover_every_kind_and_every_older_version() {
    let current: BTreeSet<String> = fixture("current.yaml")
        .iter()
        .map(|o| o["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        current.len(),
        FluxKind::ALL.len(),
        "one current object per kind"
    );
    let older: BTreeSet<(String, String)> = fixture("older.yaml")
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["apiVersion"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for kind in FluxKind::ALL {
        for v in kind.info().older_versions {
            let api_version = format!("{}/{v}", kind.group());
            assert!(
                older.contains(&(kind.kind().to_string(), api_version.clone())),
                "no fixture for {kind} {api_version}"
            );
        }
    }
}

#[test]
fn typed_round_trips_are_lossless_for_every_fixture() {
    for obj in fixture("current.yaml")
        .into_iter()
        .chain(fixture("older.yaml"))
    {
        let back = typed_round_trip(&obj).unwrap_or_else(|e| panic!("{}: {e}", label(&obj)));
        assert_eq!(back, obj, "{}", label(&obj));
    }
}

#[test]
fn strict_admission_reports_exactly_the_unknown_fields() {
    for obj in fixture("current.yaml")
        .into_iter()
        .chain(fixture("older.yaml"))
    {
        let mut copy = obj.clone();
        let admission = admit(&schema_for(&obj), &mut copy, FieldValidation::Strict);
        let unknown: BTreeSet<String> = admission
            .errors
            .iter()
            .filter(|e| e.reason == FieldReason::FieldValueUnknown)
            .map(|e| e.field.clone())
            .collect();
        let other: Vec<String> = admission
            .errors
            .iter()
            .filter(|e| e.reason != FieldReason::FieldValueUnknown)
            .map(|e| e.to_string())
            .collect();
        assert!(other.is_empty(), "{}: {other:?}", label(&obj));
        assert_eq!(unknown, expected_unknown(&obj), "{}", label(&obj));
    }
}

#[test]
fn what_typed_structs_write_validates_against_the_crd_of_its_version() {
    for mut obj in fixture("current.yaml")
        .into_iter()
        .chain(fixture("older.yaml"))
    {
        strip_future(&mut obj);
        if obj
            .pointer("/metadata/annotations/fixtures.fluxdeck.io~1unknown")
            .is_some()
        {
            continue; // deliberately carries fields the served schema lacks
        }
        let mut written = typed_round_trip(&obj).unwrap();
        let admission = admit(&schema_for(&obj), &mut written, FieldValidation::Strict);
        assert!(
            admission.is_allowed(),
            "{}: {:?}",
            label(&obj),
            admission.errors
        );
    }
}

#[test]
fn read_modify_write_keeps_unknown_fields() {
    let docs = fixture("current.yaml");
    let git = docs.iter().find(|d| d["kind"] == "GitRepository").unwrap();
    let mut typed: GitRepository = serde_json::from_value(git.clone()).unwrap();
    typed.spec.suspend = Some(true);
    let conds = typed
        .status
        .as_mut()
        .unwrap()
        .conditions
        .get_or_insert_with(Vec::new);
    let now = jiff::Timestamp::from_second(1_714_557_700).unwrap();
    conditions::mark_reconciling(conds, "Progressing", "reconciliation in progress", 2, now);
    let written = serde_json::to_value(&typed).unwrap();

    let mut expected = git.clone();
    expected["spec"]["suspend"] = json!(true);
    let mut before = BTreeSet::new();
    future_paths(git, "", &mut before);
    let mut after = BTreeSet::new();
    future_paths(&written, "", &mut after);
    assert_eq!(before, after, "every unknown field survives");
    assert_eq!(written["spec"]["futureSpecField"], json!({"nested": true}));
    assert_eq!(
        written["status"]["conditions"][0]["type"], "Reconciling",
        "Reconciling sorts before Ready"
    );
    assert_eq!(
        written["status"]["conditions"][1], git["status"]["conditions"][0],
        "Ready untouched"
    );
}

#[test]
fn older_versions_read_into_the_current_types() {
    let docs = fixture("older.yaml");
    let by_name = |kind: &str, name: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .cloned()
            .unwrap()
    };
    let ks: Kustomization = serde_json::from_value(by_name("Kustomization", "legacy")).unwrap();
    assert_eq!(ks.served_version(), "v1beta2");
    assert_eq!(ks.spec.validation.as_deref(), Some("client"));
    assert_eq!(
        ks.spec.patches_json6902.as_ref().unwrap()[0]
            .target
            .kind
            .as_deref(),
        Some("Deployment")
    );
    let inventory = ks.status.unwrap().inventory.unwrap();
    assert_eq!(
        inventory.objects().unwrap()[0].0.to_string(),
        "default_podinfo_apps_Deployment"
    );

    let hr: HelmRelease = serde_json::from_value(by_name("HelmRelease", "legacy")).unwrap();
    assert_eq!(
        hr.status.as_ref().unwrap().last_applied_revision.as_deref(),
        Some("6.5.0")
    );
    let post = hr.spec.post_renderers.as_ref().unwrap()[0]
        .kustomize
        .as_ref()
        .unwrap();
    assert_eq!(post.patches_strategic_merge.as_ref().unwrap().len(), 1);
    assert_eq!(
        hr.helm_chart_ref(),
        Some(("flux-system".into(), "apps-legacy".into()))
    );

    let old: ImagePolicy = serde_json::from_value(by_name("ImagePolicy", "irc-0-34")).unwrap();
    let new: ImagePolicy = serde_json::from_value(by_name("ImagePolicy", "irc-1-0")).unwrap();
    let expect = ImageRef {
        name: "ghcr.io/org/app".into(),
        tag: "1.0.2".into(),
        ..Default::default()
    };
    assert_eq!(old.status.as_ref().unwrap().latest(), Some(expect));
    assert_eq!(
        old.status.as_ref().unwrap().previous().unwrap().tag,
        "1.0.1"
    );
    assert_eq!(
        new.status.as_ref().unwrap().latest().unwrap().to_string(),
        "ghcr.io/org/app:build-12"
    );
}

#[test]
fn objects_built_in_code_are_valid_current_objects() {
    let mut spec = KustomizationSpec {
        interval: "10m".into(),
        source_ref: CrossNamespaceObjectReference::new("GitRepository", "flux-system"),
        prune: true,
        path: Some("./apps".into()),
        ..Default::default()
    };
    spec.depends_on = Some(vec![Default::default()]);
    spec.depends_on.as_mut().unwrap()[0].name = "infra".into();
    let ks = Kustomization::new("apps", spec).in_namespace("flux-system");
    let git = GitRepository::new(
        "flux-system",
        GitRepositorySpec {
            url: "https://github.com/org/fleet".into(),
            interval: "1m".into(),
            ..Default::default()
        },
    )
    .in_namespace("flux-system");
    for obj in [
        serde_json::to_value(&ks).unwrap(),
        serde_json::to_value(&git).unwrap(),
    ] {
        assert_eq!(
            obj["apiVersion"],
            format!(
                "{}",
                FluxKind::from_kind(obj["kind"].as_str().unwrap())
                    .unwrap()
                    .api_version()
            )
        );
        let mut obj = obj;
        let admission = admit(&schema_for(&obj), &mut obj, FieldValidation::Strict);
        assert!(admission.is_allowed(), "{:?}", admission.errors);
        // The apiserver's defaults land as Flux's CRDs declare them.
        assert_eq!(obj["status"]["observedGeneration"], -1);
    }
    // A typed mistake is caught by the schema with the field named.
    let mut bad = serde_json::to_value(Kustomization::new(
        "x",
        KustomizationSpec {
            interval: "ten minutes".into(),
            ..Default::default()
        },
    ))
    .unwrap();
    let errors = admit(&schema_for(&bad), &mut bad, FieldValidation::Strict).errors;
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    // An empty sourceRef name is present (and has no minLength), so only these two fail.
    assert_eq!(
        fields,
        ["spec.interval", "spec.sourceRef.kind"],
        "{errors:?}"
    );
    assert!(errors[1].to_string().starts_with(
        "spec.sourceRef.kind: Unsupported value: \"\": supported values: \"OCIRepository\""
    ));
}

#[test]
fn kube_api_paths_come_from_the_resource_impls() {
    use kube::Resource;
    assert_eq!(
        Kustomization::url_path(&(), Some("flux-system")),
        "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
    );
    assert_eq!(HelmRelease::api_version(&()), "helm.toolkit.fluxcd.io/v2");
    assert_eq!(
        fluxdeck::api::notification::Alert::api_version(&()),
        "notification.toolkit.fluxcd.io/v1beta3"
    );
    let _ = Condition::new("Ready", ConditionStatus::True, "Succeeded", "");
}

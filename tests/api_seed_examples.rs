//! The seed manifests (shared/seed-examples, see its INDEX.md): every file parses, every Flux
//! object reads into its typed struct and back unchanged, and validates against the CRD of its
//! apiVersion as the embedded cluster serves it — except the objects INDEX.md "Validation
//! findings" marks as failing, which must fail naming the offending field.

use crate::api_support;

use api_support::{all_crds, schema_in, seed_dir, typed_round_trip};
use fluxdeck::api::{FluxKind, crds};
use fluxdeck::engine::schema::{FieldReason, FieldValidation, admit, validate};
use fluxdeck::engine::yaml;
use serde_json::Value;

struct Doc {
    file: String,
    obj: Value,
}

fn name(obj: &Value) -> &str {
    obj.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn seed_docs() -> Vec<Doc> {
    let mut files: Vec<_> = std::fs::read_dir(seed_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 41, "INDEX.md lists 41 files");
    let mut docs = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let parsed =
            yaml::parse_documents(&text).unwrap_or_else(|e| panic!("{}", e.in_origin(&file)));
        assert!(!parsed.is_empty(), "{file} has no documents");
        docs.extend(parsed.into_iter().map(|obj| Doc {
            file: file.clone(),
            obj,
        }));
    }
    docs
}

fn is_fragment(doc: &Doc) -> bool {
    doc.file.contains("-fragment-")
}

fn flux_docs(docs: &[Doc]) -> Vec<&Doc> {
    docs.iter()
        .filter(|d| {
            let api_version = d.obj["apiVersion"].as_str().unwrap_or_default();
            FluxKind::from_kind(d.obj["kind"].as_str().unwrap_or_default()).is_some()
                && api_version.contains(".toolkit.fluxcd.io/")
        })
        .collect()
}

/// (file, object name) → the field INDEX.md says is wrong, and how.
fn expected_failure(file: &str, object: &str) -> Option<(&'static str, FieldReason)> {
    match (file, object) {
        ("07-tenant-onboarding-team-a.yaml", "team-a-apps") => {
            Some(("spec.validation", FieldReason::FieldValueUnknown))
        }
        ("35-infrastructure-layer-dependencies.yaml", "cert-manager" | "ingress-nginx")
        | ("36-application-dependencies.yaml", "database" | "backend" | "frontend") => {
            Some(("spec.prune", FieldReason::FieldValueRequired))
        }
        _ => None,
    }
}

#[test]
fn every_file_parses_with_the_documented_object_counts() {
    let docs = seed_docs();
    let objects: Vec<&Doc> = docs
        .iter()
        .filter(|d| !is_fragment(d) && d.obj.get("kind").is_some())
        .collect();
    assert_eq!(objects.len(), 56, "INDEX.md: 56 Kubernetes objects");
    assert_eq!(flux_docs(&docs).len(), 38, "INDEX.md: 38 Flux objects");
}

#[test]
fn flux_objects_validate_against_their_crd_except_the_documented_failures() {
    let docs = seed_docs();
    let (mut passed, mut failed) = (0, 0);
    for doc in flux_docs(&docs) {
        let (api_version, kind) = (
            doc.obj["apiVersion"].as_str().unwrap(),
            doc.obj["kind"].as_str().unwrap(),
        );
        let schema = crds::embedded_schema(api_version, kind).unwrap_or_else(|| {
            panic!(
                "{}: {api_version} {kind} is not served by the embedded CRDs",
                doc.file
            )
        });
        let mut obj = doc.obj.clone();
        let admission = admit(&schema, &mut obj, FieldValidation::Strict);
        match expected_failure(&doc.file, name(&doc.obj)) {
            None => {
                assert!(
                    admission.is_allowed(),
                    "{} {}: {:?}",
                    doc.file,
                    name(&doc.obj),
                    admission.errors
                );
                passed += 1;
            }
            Some((field, reason)) => {
                assert_eq!(
                    admission.errors.len(),
                    1,
                    "{} {}: {:?}",
                    doc.file,
                    name(&doc.obj),
                    admission.errors
                );
                let error = &admission.errors[0];
                assert_eq!(
                    (error.field.as_str(), error.reason),
                    (field, reason),
                    "{}",
                    doc.file
                );
                assert!(
                    error.to_string().contains(field),
                    "message names the field: {error}"
                );
                failed += 1;
            }
        }
    }
    assert_eq!(
        (passed, failed),
        (32, 6),
        "INDEX.md: 6 FAIL; the rest pass once v1beta1 IUA is served"
    );
}

#[test]
fn documented_failures_read_like_kube_apiserver() {
    let docs = seed_docs();
    let find = |file: &str, object: &str| {
        docs.iter()
            .find(|d| d.file == file && name(&d.obj) == object)
            .map(|d| d.obj.clone())
            .unwrap()
    };
    let schema = crds::embedded_schema("kustomize.toolkit.fluxcd.io/v1", "Kustomization").unwrap();
    let errors = validate(
        &schema,
        &find("35-infrastructure-layer-dependencies.yaml", "cert-manager"),
    );
    assert_eq!(
        errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["spec.prune: Required value"]
    );

    // Without strict field validation the removed v1beta2 field is pruned with a warning.
    let mut team_a = find("07-tenant-onboarding-team-a.yaml", "team-a-apps");
    let admission = admit(&schema, &mut team_a, FieldValidation::Warn);
    assert!(admission.is_allowed());
    assert_eq!(admission.warnings, ["unknown field \"spec.validation\""]);
    assert!(team_a["spec"].get("validation").is_none());
    let mut team_a = find("07-tenant-onboarding-team-a.yaml", "team-a-apps");
    let strict = admit(&schema, &mut team_a, FieldValidation::Strict);
    assert_eq!(
        strict.errors[0].to_string(),
        "unknown field \"spec.validation\""
    );
}

#[test]
fn deprecated_api_versions_are_served_only_by_the_embedded_set() {
    let docs = seed_docs();
    let current = crds::current().unwrap();
    let old: Vec<String> = flux_docs(&docs)
        .into_iter()
        .filter(|d| {
            schema_in(
                &current,
                d.obj["apiVersion"].as_str().unwrap(),
                d.obj["kind"].as_str().unwrap(),
            )
            .is_none()
        })
        .map(|d| {
            format!(
                "{} {}",
                d.obj["kind"].as_str().unwrap(),
                d.obj["apiVersion"].as_str().unwrap()
            )
        })
        .collect();
    // INDEX.md finding 4 plus the two v1beta1 IUAs: 14 of the 38 Flux objects.
    assert_eq!(old.len(), 14, "{old:#?}");
    for entry in &old {
        let (kind, api_version) = entry.split_once(' ').unwrap();
        assert!(
            crds::embedded_schema(api_version, kind).is_some(),
            "{entry} must be served"
        );
    }
}

#[test]
fn flux_objects_round_trip_through_their_typed_structs() {
    let docs = seed_docs();
    for doc in flux_docs(&docs) {
        let expected_missing_prune = expected_failure(&doc.file, name(&doc.obj))
            .is_some_and(|(_, reason)| reason == FieldReason::FieldValueRequired);
        match typed_round_trip(&doc.obj) {
            Ok(back) => assert_eq!(back, doc.obj, "{} {}", doc.file, name(&doc.obj)),
            // A required field the typed struct cannot do without: the error must name it.
            Err(e) if expected_missing_prune => assert!(e.contains("prune"), "{e}"),
            Err(e) => panic!("{} {}: {e}", doc.file, name(&doc.obj)),
        }
    }
}

#[test]
fn fragments_validate_against_the_kustomization_spec_with_required_relaxed() {
    let docs = seed_docs();
    let schema = crds::embedded_schema("kustomize.toolkit.fluxcd.io/v1", "Kustomization").unwrap();
    let mut spec_schema = schema["properties"]["spec"].clone();
    spec_schema.as_object_mut().unwrap().remove("required");
    let fragments: Vec<&Doc> = docs.iter().filter(|d| is_fragment(d)).collect();
    assert_eq!(fragments.len(), 2);
    for doc in fragments {
        let errors = validate(&spec_schema, &doc.obj["spec"]);
        assert!(errors.is_empty(), "{}: {errors:?}", doc.file);
    }
}

#[test]
fn third_party_objects_validate_against_their_crds() {
    let docs = seed_docs();
    let crds = all_crds();
    for (file, kind) in [
        ("38-flagger-progressive-delivery.yaml", "Canary"),
        ("39-external-secrets-operator.yaml", "SecretStore"),
        ("39-external-secrets-operator.yaml", "ExternalSecret"),
    ] {
        let doc = docs
            .iter()
            .find(|d| d.file == file && d.obj["kind"] == kind)
            .unwrap();
        let schema = schema_in(&crds, doc.obj["apiVersion"].as_str().unwrap(), kind).unwrap();
        let errors = validate(&schema, &doc.obj);
        assert!(errors.is_empty(), "{file} {kind}: {errors:?}");
    }
}

//! Shared helpers for the api_* integration tests: typed round trips by kind, and the CRD
//! schema for any apiVersion/kind found in crds/.

#![allow(dead_code)]

use fluxdeck::api::{helm, image, kustomize, notification, source};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

/// Parse `obj` into its typed struct and serialise it again.
pub fn typed_round_trip(obj: &Value) -> Result<Value, String> {
    fn rt<T: DeserializeOwned + Serialize>(obj: &Value) -> Result<Value, String> {
        let typed: T = serde_json::from_value(obj.clone()).map_err(|e| e.to_string())?;
        serde_json::to_value(&typed).map_err(|e| e.to_string())
    }
    match obj["kind"].as_str().unwrap_or_default() {
        "GitRepository" => rt::<source::GitRepository>(obj),
        "OCIRepository" => rt::<source::OCIRepository>(obj),
        "HelmRepository" => rt::<source::HelmRepository>(obj),
        "HelmChart" => rt::<source::HelmChart>(obj),
        "Bucket" => rt::<source::Bucket>(obj),
        "ExternalArtifact" => rt::<source::ExternalArtifact>(obj),
        "Kustomization" => rt::<kustomize::Kustomization>(obj),
        "HelmRelease" => rt::<helm::HelmRelease>(obj),
        "ImageRepository" => rt::<image::ImageRepository>(obj),
        "ImagePolicy" => rt::<image::ImagePolicy>(obj),
        "ImageUpdateAutomation" => rt::<image::ImageUpdateAutomation>(obj),
        "Alert" => rt::<notification::Alert>(obj),
        "Provider" => rt::<notification::Provider>(obj),
        "Receiver" => rt::<notification::Receiver>(obj),
        other => Err(format!("not a Flux kind: {other}")),
    }
}

/// Every CRD in crds/{current,v2.7,extra}.
pub fn all_crds() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crds");
    let mut out = Vec::new();
    for dir in ["current", "v2.7", "extra"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.extend(
                    fluxdeck::api::crds::parse_crds(&path.to_string_lossy(), &text).unwrap(),
                );
            }
        }
    }
    out
}

/// The schema of `apiVersion`/`kind` in `crds` (served or not).
pub fn schema_in(crds: &[Value], api_version: &str, kind: &str) -> Option<Value> {
    let (group, version) = api_version.split_once('/')?;
    crds.iter().find_map(|crd| {
        let same = crd.pointer("/spec/group").and_then(Value::as_str) == Some(group)
            && crd.pointer("/spec/names/kind").and_then(Value::as_str) == Some(kind);
        if same {
            fluxdeck::api::crds::version_schema(crd, version).cloned()
        } else {
            None
        }
    })
}

pub fn seed_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed-examples")
}

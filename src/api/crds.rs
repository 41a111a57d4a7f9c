//! The Flux CRDs compiled into the binary, and the set an embedded cluster installs on first
//! start: every current CRD, with the versions older Flux releases served (from Flux v2.7,
//! plus ImageUpdateAutomation `v1beta1` from image-automation-controller v0.41.2) added as
//! served, non-storage versions, so manifests written for older Flux are still accepted.

use crate::engine::yaml;
use serde_json::Value;
use std::sync::OnceLock;

macro_rules! crd_files {
    ($dir:literal: $($file:literal),+ $(,)?) => {
        &[$(($file, include_str!(concat!("../../crds/", $dir, "/", $file)))),+]
    };
}

/// Current Flux (one served version per kind).
static CURRENT: &[(&str, &str)] = crd_files!("current":
    "source.toolkit.fluxcd.io_gitrepositories.yaml",
    "source.toolkit.fluxcd.io_ocirepositories.yaml",
    "source.toolkit.fluxcd.io_helmrepositories.yaml",
    "source.toolkit.fluxcd.io_helmcharts.yaml",
    "source.toolkit.fluxcd.io_buckets.yaml",
    "source.toolkit.fluxcd.io_externalartifacts.yaml",
    "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    "helm.toolkit.fluxcd.io_helmreleases.yaml",
    "image.toolkit.fluxcd.io_imagerepositories.yaml",
    "image.toolkit.fluxcd.io_imagepolicies.yaml",
    "image.toolkit.fluxcd.io_imageupdateautomations.yaml",
    "notification.toolkit.fluxcd.io_alerts.yaml",
    "notification.toolkit.fluxcd.io_providers.yaml",
    "notification.toolkit.fluxcd.io_receivers.yaml",
);

/// Flux v2.7 (serves the deprecated beta versions next to the current ones).
static V2_7: &[(&str, &str)] = crd_files!("v2.7":
    "source.toolkit.fluxcd.io_gitrepositories.yaml",
    "source.toolkit.fluxcd.io_ocirepositories.yaml",
    "source.toolkit.fluxcd.io_helmrepositories.yaml",
    "source.toolkit.fluxcd.io_helmcharts.yaml",
    "source.toolkit.fluxcd.io_buckets.yaml",
    "source.toolkit.fluxcd.io_externalartifacts.yaml",
    "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    "helm.toolkit.fluxcd.io_helmreleases.yaml",
    "image.toolkit.fluxcd.io_imagerepositories.yaml",
    "image.toolkit.fluxcd.io_imagepolicies.yaml",
    "image.toolkit.fluxcd.io_imageupdateautomations.yaml",
    "notification.toolkit.fluxcd.io_alerts.yaml",
    "notification.toolkit.fluxcd.io_providers.yaml",
    "notification.toolkit.fluxcd.io_receivers.yaml",
);

/// Flux extensions run in-process too: source-watcher's ArtifactGenerator.
static EXTENSIONS: &[(&str, &str)] =
    crd_files!("extensions": "source.extensions.fluxcd.io_artifactgenerators.yaml");

/// image-automation-controller v0.41.2: the last release serving IUA `v1beta1`.
static OLDER: &[(&str, &str)] =
    crd_files!("extra": "image.toolkit.fluxcd.io_imageupdateautomations.v0.41.2.yaml");

#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    #[error("embedded CRD file {file}: {source}")]
    Yaml {
        file: String,
        source: yaml::YamlError,
    },
    #[error("embedded CRD file {file}: {problem}")]
    Shape { file: String, problem: String },
}

/// The CRDs an embedded cluster installs (built once; each call returns a fresh copy).
pub fn embedded() -> Vec<Value> {
    cached().to_vec()
}

/// The embedded set, built on first use and shared afterwards.
fn cached() -> &'static [Value] {
    static CACHE: OnceLock<Vec<Value>> = OnceLock::new();
    CACHE.get_or_init(|| match try_embedded() {
        Ok(crds) => crds,
        Err(e) => {
            // The files are compiled in and covered by tests; this is a build defect.
            tracing::error!("cannot build the embedded Flux CRDs: {e}");
            Vec::new()
        }
    })
}

/// Build the embedded set, reporting the first malformed file.
pub fn try_embedded() -> Result<Vec<Value>, CrdError> {
    let older: Vec<Value> = parse_set(V2_7)?
        .into_iter()
        .chain(parse_set(OLDER)?)
        .collect();
    let mut crds = parse_set(CURRENT)?;
    for crd in &mut crds {
        let name = crd_name(crd).to_string();
        for old in older.iter().filter(|o| crd_name(o) == name) {
            for version in versions(old) {
                add_served_version(crd, version);
            }
        }
        allow_local_git_urls(crd);
    }
    crds.extend(parse_set(EXTENSIONS)?);
    Ok(crds)
}

/// The one deliberate difference from upstream in the embedded set: GitRepository `spec.url`
/// also accepts `git://`, `file://` and absolute paths, because fluxdeck's in-process source controller fetches local
/// repositories (the demo fleet lives in the data directory) and upstream allows only
/// http, https and ssh. Against a real cluster the real CRD still applies.
/// http(s)/ssh as upstream, plus git:// (git daemon), file:// and absolute local paths.
pub const LOCAL_GIT_URL_PATTERN: &str = "^((http|https|ssh|git|file)://.*|/.*)$";

fn allow_local_git_urls(crd: &mut Value) {
    if crd.pointer("/spec/names/kind").and_then(Value::as_str) != Some("GitRepository") {
        return;
    }
    let Some(versions) = crd
        .pointer_mut("/spec/versions")
        .and_then(Value::as_array_mut)
    else {
        return;
    };
    for v in versions {
        if let Some(p) =
            v.pointer_mut("/schema/openAPIV3Schema/properties/spec/properties/url/pattern")
        {
            *p = Value::String(LOCAL_GIT_URL_PATTERN.into());
        }
    }
}

/// The current CRDs only, as shipped by today's Flux.
pub fn current() -> Result<Vec<Value>, CrdError> {
    parse_set(CURRENT)
}

/// Parse every CRD document in a YAML stream (non-CRD documents are rejected).
pub fn parse_crds(file: &str, text: &str) -> Result<Vec<Value>, CrdError> {
    let docs = yaml::parse_documents(text).map_err(|source| CrdError::Yaml {
        file: file.into(),
        source,
    })?;
    for doc in &docs {
        if doc.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            return Err(CrdError::Shape {
                file: file.into(),
                problem: "document is not a CustomResourceDefinition".into(),
            });
        }
        if versions(doc).is_empty() {
            return Err(CrdError::Shape {
                file: file.into(),
                problem: "CRD has no spec.versions".into(),
            });
        }
    }
    Ok(docs)
}

fn parse_set(files: &[(&str, &str)]) -> Result<Vec<Value>, CrdError> {
    let mut out = Vec::new();
    for (file, text) in files {
        out.extend(parse_crds(file, text)?);
    }
    Ok(out)
}

fn crd_name(crd: &Value) -> &str {
    crd.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `spec.versions` of a CRD.
pub fn versions(crd: &Value) -> &[Value] {
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The entry of `spec.versions` named `version`.
pub fn version<'a>(crd: &'a Value, version: &str) -> Option<&'a Value> {
    versions(crd)
        .iter()
        .find(|v| v.get("name").and_then(Value::as_str) == Some(version))
}

/// The openAPIV3Schema of one version of a CRD.
pub fn version_schema<'a>(crd: &'a Value, name: &str) -> Option<&'a Value> {
    version(crd, name)?.pointer("/schema/openAPIV3Schema")
}

/// Names of the versions the CRD serves.
pub fn served_versions(crd: &Value) -> Vec<&str> {
    versions(crd)
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool) == Some(true))
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect()
}

/// The embedded CRD and schema for an object's `apiVersion` and `kind`, if served.
pub fn embedded_schema(api_version: &str, kind: &str) -> Option<Value> {
    let (group, ver) = api_version.split_once('/')?;
    cached().iter().find_map(|crd| {
        let same = crd.pointer("/spec/group").and_then(Value::as_str) == Some(group)
            && crd.pointer("/spec/names/kind").and_then(Value::as_str) == Some(kind);
        if !same || !served_versions(crd).contains(&ver) {
            return None;
        }
        version_schema(crd, ver).cloned()
    })
}

/// Append `old` as a served, non-storage version unless the CRD already has that version.
fn add_served_version(crd: &mut Value, old: &Value) {
    let Some(name) = old.get("name").and_then(Value::as_str) else {
        return;
    };
    if old.get("served").and_then(Value::as_bool) != Some(true) || version(crd, name).is_some() {
        return;
    }
    let mut added = old.clone();
    if let Some(map) = added.as_object_mut() {
        map.insert("served".into(), Value::Bool(true));
        map.insert("storage".into(), Value::Bool(false));
    }
    if let Some(list) = crd
        .pointer_mut("/spec/versions")
        .and_then(Value::as_array_mut)
    {
        list.push(added);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FluxKind;

    #[test]
    fn every_flux_kind_is_installed_with_its_older_versions() {
        let crds = try_embedded().unwrap();
        // Every Flux kind, plus source-watcher's ArtifactGenerator.
        assert_eq!(crds.len(), FluxKind::ALL.len() + 1);
        assert!(
            crds.iter()
                .any(|c| crd_name(c) == "artifactgenerators.source.extensions.fluxcd.io")
        );
        for kind in FluxKind::ALL {
            let crd = crds
                .iter()
                .find(|c| {
                    c.pointer("/spec/names/kind").and_then(Value::as_str) == Some(kind.kind())
                })
                .unwrap_or_else(|| panic!("{kind} missing"));
            let served = served_versions(crd);
            for v in kind.served_versions() {
                assert!(served.contains(&v), "{kind} does not serve {v}: {served:?}");
            }
            let storage: Vec<&Value> = versions(crd)
                .iter()
                .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                .collect();
            assert_eq!(storage.len(), 1, "{kind}: exactly one storage version");
            assert_eq!(
                storage[0]["name"],
                kind.version(),
                "{kind}: current version stores"
            );
        }
    }

    #[test]
    fn schemas_resolve_for_old_api_versions() {
        assert!(embedded_schema("helm.toolkit.fluxcd.io/v2beta2", "HelmRelease").is_some());
        assert!(
            embedded_schema("image.toolkit.fluxcd.io/v1beta1", "ImageUpdateAutomation").is_some()
        );
        assert!(embedded_schema("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease").is_none());
    }
}

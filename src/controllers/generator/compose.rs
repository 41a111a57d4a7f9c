//! The file work of an ArtifactGenerator (pure, blocking): unpack the source artifacts, run
//! each `spec.artifacts[]` entry's copy rules and pack the result deterministically.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{items, text};
use crate::commands::fleet_sources::{copy_matching, split_alias};
use crate::controllers::artifact;
use crate::controllers::runtime::Failure;

/// What one `spec.artifacts[]` entry produced.
pub(super) struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
    pub revision: String,
    pub origin: Option<String>,
}

/// A scratch directory removed on drop.
struct WorkDir(std::path::PathBuf);

impl WorkDir {
    fn new() -> std::io::Result<WorkDir> {
        let dir = std::env::temp_dir().join(format!("fluxdeck-generate-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(WorkDir(dir))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Unpack the sources, run every artifact's copy rules and pack the results (pure file work).
pub(super) fn generate(
    spec: &Value,
    aliases: &[String],
    blobs: &[Vec<u8>],
    revisions: &BTreeMap<String, String>,
) -> Result<Vec<Output>, Failure> {
    let fail = |m: String| Failure::new("BuildFailed", m);
    let work = WorkDir::new().map_err(|e| fail(format!("cannot create a work directory: {e}")))?;
    for (alias, bytes) in aliases.iter().zip(blobs) {
        let dir = work.path().join("sources").join(alias);
        std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
        artifact::extract(bytes, &dir, alias).map_err(|e| fail(format!("@{alias}: {e}")))?;
    }
    let mut outputs = Vec::new();
    for (i, a) in items(spec, "/artifacts").enumerate() {
        let name = text(a, "name").to_string();
        let dest = work.path().join("out").join(&name);
        std::fs::create_dir_all(&dest).map_err(|e| fail(e.to_string()))?;
        for (j, rule) in items(a, "/copy").enumerate() {
            let at = format!("spec.artifacts[{i}].copy[{j}]");
            let strategy = text(rule, "strategy");
            if !strategy.is_empty() && strategy != "Overwrite" {
                return Err(fail(format!(
                    "{at}: strategy '{strategy}' is not supported (only Overwrite)"
                )));
            }
            let (from, to) = (text(rule, "from"), text(rule, "to"));
            let (alias, pattern) = split_alias(from)
                .ok_or_else(|| fail(format!("{at}: from {from:?} must start with @<alias>/")))?;
            if !revisions.contains_key(alias) {
                return Err(fail(format!("{at}: unknown source alias @{alias}")));
            }
            let to_rel = match split_alias(to) {
                Some(("artifact", p)) => p,
                _ => return Err(fail(format!("{at}: to {to:?} must start with @artifact/"))),
            };
            if pattern.split('/').any(|c| c == "..") || to_rel.split('/').any(|c| c == "..") {
                return Err(fail(format!("{at}: paths may not contain '..'")));
            }
            let excludes: Vec<String> = items(rule, "/exclude")
                .filter_map(|v| v.as_str().map(String::from))
                .collect();
            let root = work.path().join("sources").join(alias);
            copy_matching(&root, pattern, &excludes, &dest, to_rel)
                .map_err(|e| fail(format!("{at}: {e}")))?;
        }
        let bytes = pack(&dest).map_err(|e| fail(format!("spec.artifacts[{i}] ({name}): {e}")))?;
        let pick = |field: &str| -> Result<Option<String>, Failure> {
            let v = text(a, field);
            if v.is_empty() {
                return Ok(None);
            }
            let alias = v.trim_start_matches('@');
            revisions.get(alias).cloned().map(Some).ok_or_else(|| {
                fail(format!(
                    "spec.artifacts[{i}].{field}: unknown source alias {v}"
                ))
            })
        };
        let revision =
            pick("revision")?.unwrap_or_else(|| format!("latest@{}", artifact::digest(&bytes)));
        let origin = pick("originRevision")?;
        outputs.push(Output {
            name,
            bytes,
            revision,
            origin,
        });
    }
    Ok(outputs)
}

/// A tar.gz of `dir` with sorted entries and fixed metadata, so equal content gives an equal
/// digest (and so an unchanged revision).
fn pack(dir: &Path) -> Result<Vec<u8>, String> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    files.sort_by(|a, b| a.path().cmp(b.path()));
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for e in files {
        let rel = e.path().strip_prefix(dir).map_err(|e| e.to_string())?;
        let data = std::fs::read(e.path()).map_err(|e| e.to_string())?;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, rel, data.as_slice())
            .map_err(|e| e.to_string())?;
    }
    let gz = tar.into_inner().map_err(|e| e.to_string())?;
    gz.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        pack(dir.path()).unwrap()
    }

    fn listing(bytes: &[u8]) -> Vec<String> {
        let mut a = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        a.entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn splits_a_monorepo_like_the_helm_example() {
        let repo = tarball(&[
            ("infrastructure/controllers/kustomization.yaml", "a"),
            ("infrastructure/configs/issuers.yaml", "b"),
            ("apps/base/podinfo/release.yaml", "c"),
            ("apps/staging/kustomization.yaml", "d"),
            ("apps/production/kustomization.yaml", "e"),
        ]);
        let spec = json!({"artifacts": [
            {"name": "infrastructure", "originRevision": "@monorepo",
             "copy": [{"from": "@monorepo/infrastructure/**", "to": "@artifact/"}]},
            {"name": "apps", "copy": [
                {"from": "@monorepo/apps/base/**", "to": "@artifact/base/"},
                {"from": "@monorepo/apps/staging/**", "to": "@artifact/staging/"}]}]});
        let revs = BTreeMap::from([("monorepo".to_string(), "main@sha1:abc".to_string())]);
        let out = generate(&spec, &["monorepo".into()], &[repo], &revs).unwrap();
        assert_eq!(
            listing(&out[0].bytes),
            ["configs/issuers.yaml", "controllers/kustomization.yaml"]
        );
        assert_eq!(out[0].origin.as_deref(), Some("main@sha1:abc"));
        assert_eq!(
            out[0].revision,
            format!("latest@{}", artifact::digest(&out[0].bytes))
        );
        assert_eq!(
            listing(&out[1].bytes),
            ["base/podinfo/release.yaml", "staging/kustomization.yaml"]
        );
        // Same content, same bytes: the revision only moves when the files do.
        let again = generate(
            &spec,
            &["monorepo".into()],
            &[tarball(&[
                ("infrastructure/controllers/kustomization.yaml", "a"),
                ("infrastructure/configs/issuers.yaml", "b"),
            ])],
            &revs,
        )
        .unwrap();
        assert_eq!(again[0].revision, out[0].revision);
    }

    #[test]
    fn bad_rules_name_the_field() {
        let revs = BTreeMap::from([("m".to_string(), "r".to_string())]);
        let spec = |rule: Value| json!({"artifacts": [{"name": "x", "copy": [rule]}]});
        let err = |rule: Value| {
            generate(&spec(rule), &["m".into()], &[tarball(&[("a", "1")])], &revs)
                .err()
                .unwrap()
                .message
        };
        assert!(
            err(json!({"from": "@other/**", "to": "@artifact/"}))
                .contains("spec.artifacts[0].copy[0]: unknown source alias @other")
        );
        assert!(
            err(json!({"from": "@m/**", "to": "elsewhere/"}))
                .contains("must start with @artifact/")
        );
        assert!(
            err(json!({"from": "@m/**", "to": "@artifact/", "strategy": "Merge"}))
                .contains("'Merge' is not supported")
        );
        assert!(err(json!({"from": "@m/../x", "to": "@artifact/"})).contains("'..'"));
    }
}

//! Kustomization file generation and spec layering (SPEC §6.4), on the unpacked artifact
//! (read through [`KustFs`], so the tree may be in memory):
//! a missing `kustomization.yaml` is generated from the YAML files and kustomization
//! sub-directories under the path; then targetNamespace, namePrefix/nameSuffix, patches,
//! images and components from the Flux spec are layered onto it.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::engine::kustomize::{KustFs, RealFs};
use crate::engine::yaml;

const NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("kustomization path not found: {0}")]
    PathNotFound(String),
    #[error("failed to decode Kubernetes YAML from {path}: {message}")]
    Decode { path: String, message: String },
    #[error("component path '{0}' must be local and relative")]
    ComponentNotLocal(String),
    #[error("cannot {what} {path}: {message}")]
    Io {
        what: &'static str,
        path: String,
        message: String,
    },
}

fn io(what: &'static str, path: &Path, e: impl std::fmt::Display) -> GenerateError {
    GenerateError::Io {
        what,
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Join `rel` under `root` without ever leaving it (`SecureJoin`: `..` stops at the root).
pub fn secure_join(root: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    root.join(out)
}

pub fn kustomization_file(fs: &dyn KustFs, dir: &Path) -> Option<PathBuf> {
    NAMES.iter().map(|n| dir.join(n)).find(|p| fs.is_file(p))
}

/// A file as text; the error `std::fs::read_to_string` gives for bytes that are not UTF-8.
fn read_text(fs: &dyn KustFs, path: &Path) -> Result<String, GenerateError> {
    let bytes = fs.read(path).map_err(|e| io("read", path, e))?;
    String::from_utf8(bytes).map_err(|_| io("read", path, "stream did not contain valid UTF-8"))
}

fn collect(
    fs: &dyn KustFs,
    root: &Path,
    dir: &Path,
    out: &mut Vec<String>,
) -> Result<(), GenerateError> {
    let entries = fs.list_dir(dir).map_err(|e| io("read directory", dir, e))?;
    for path in entries {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if fs.is_dir(&path) {
            if kustomization_file(fs, &path).is_some() {
                out.push(format!("./{rel}"));
            } else {
                collect(fs, root, &path, out)?;
            }
            continue;
        }
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e == "yaml" || e == "yml");
        if !is_yaml {
            continue;
        }
        let text = read_text(fs, &path)?;
        let docs = yaml::parse_documents(&text).map_err(|e| GenerateError::Decode {
            path: rel.clone(),
            message: e.to_string(),
        })?;
        for d in &docs {
            if d.get("kind")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                return Err(GenerateError::Decode {
                    path: rel.clone(),
                    message: "Object 'Kind' is missing".into(),
                });
            }
        }
        out.push(format!("./{rel}"));
    }
    Ok(())
}

/// Build the layering, writing the kustomization file in `dir` (on disk); returns its path.
pub fn prepare(dir: &Path, spec: &Value) -> Result<PathBuf, GenerateError> {
    let (file, text) = plan(&RealFs, dir, spec)?;
    std::fs::write(&file, text).map_err(|e| io("write", &file, e))?;
    Ok(file)
}

/// The kustomization file `prepare` would write in `dir` (its path and text), without
/// writing: the source tree can stay shared and read-only.
pub fn plan(fs: &dyn KustFs, dir: &Path, spec: &Value) -> Result<(PathBuf, String), GenerateError> {
    if !fs.is_dir(dir) {
        return Err(GenerateError::PathNotFound(format!(
            "stat {}: no such file or directory",
            dir.display()
        )));
    }
    let (file, mut k) = match kustomization_file(fs, dir) {
        Some(f) => {
            let text = read_text(fs, &f)?;
            let v: Value = yaml::parse_one(&text).map_err(|e| GenerateError::Decode {
                path: f.display().to_string(),
                message: e.to_string(),
            })?;
            (f, v)
        }
        None => {
            let mut resources = Vec::new();
            collect(fs, dir, dir, &mut resources)?;
            let mut k = json!({
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": resources,
            });
            if resources.is_empty() {
                k["namespace"] = json!("_placeholder");
            }
            (dir.join("kustomization.yaml"), k)
        }
    };
    layer(&mut k, spec, |c| {
        let p = secure_join(dir, c);
        fs.is_file(&p) || fs.is_dir(&p)
    })?;
    let text = yaml::to_string(&k).map_err(|e| io("write", &file, e))?;
    Ok((file, text))
}

/// `exists` tells whether a component path (relative to the kustomization) is in the tree.
fn layer(k: &mut Value, spec: &Value, exists: impl Fn(&str) -> bool) -> Result<(), GenerateError> {
    if !k.is_object() {
        *k = Value::Object(Map::new());
    }
    let str_of = |f: &str| {
        spec.get(f)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(ns) = str_of("targetNamespace") {
        k["namespace"] = json!(ns);
    }
    if let Some(p) = str_of("namePrefix") {
        k["namePrefix"] = json!(p);
    }
    if let Some(s) = str_of("nameSuffix") {
        k["nameSuffix"] = json!(s);
    }
    if let Some(patches) = spec.get("patches").and_then(Value::as_array) {
        let list = k["patches"].as_array().cloned().unwrap_or_default();
        k["patches"] = Value::Array(list.into_iter().chain(patches.iter().cloned()).collect());
    }
    if let Some(components) = spec.get("components").and_then(Value::as_array) {
        let ignore_missing = spec
            .get("ignoreMissingComponents")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut list = k["components"].as_array().cloned().unwrap_or_default();
        for c in components.iter().filter_map(Value::as_str) {
            if Path::new(c).is_absolute() || c.contains("://") {
                return Err(GenerateError::ComponentNotLocal(c.to_string()));
            }
            if ignore_missing && !exists(c) {
                continue;
            }
            list.push(json!(c));
        }
        k["components"] = Value::Array(list);
    }
    if let Some(images) = spec.get("images").and_then(Value::as_array) {
        let mut list = k["images"].as_array().cloned().unwrap_or_default();
        for img in images {
            let name = img.get("name").cloned().unwrap_or(Value::Null);
            match list.iter_mut().find(|e| e.get("name") == Some(&name)) {
                Some(existing) => {
                    let replaces_ref = img.get("newTag").is_some() || img.get("digest").is_some();
                    if replaces_ref && let Some(m) = existing.as_object_mut() {
                        m.remove("newTag");
                        m.remove("digest");
                    }
                    for (key, v) in img.as_object().into_iter().flatten() {
                        existing[key] = v.clone();
                    }
                }
                None => list.push(img.clone()),
            }
        }
        k["images"] = Value::Array(list);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_join_never_leaves_the_root() {
        let root = Path::new("/tmp/a");
        assert_eq!(secure_join(root, "../../etc"), PathBuf::from("/tmp/a/etc"));
        assert_eq!(
            secure_join(root, "./apps/x"),
            PathBuf::from("/tmp/a/apps/x")
        );
        assert_eq!(secure_join(root, "/abs"), PathBuf::from("/tmp/a/abs"));
    }

    #[test]
    fn generates_from_yaml_files_and_kustomization_dirs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(
            p.join("a.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )
        .unwrap();
        std::fs::write(p.join("notes.txt"), "x").unwrap();
        std::fs::create_dir_all(p.join("base/deep")).unwrap();
        std::fs::write(p.join("base/kustomization.yaml"), "resources: []\n").unwrap();
        std::fs::write(p.join("base/deep/x.yaml"), "kind: Secret\n").unwrap();
        std::fs::create_dir_all(p.join("plain")).unwrap();
        std::fs::write(p.join("plain/b.yml"), "apiVersion: v1\nkind: Service\n").unwrap();
        let spec = json!({"targetNamespace": "tenant", "namePrefix": "p-",
                          "images": [{"name": "nginx", "newTag": "1.25"}]});
        let file = prepare(p, &spec).unwrap();
        let k: Value = yaml::parse_one(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(
            k["resources"],
            json!(["./a.yaml", "./base", "./plain/b.yml"])
        );
        assert_eq!(k["namespace"], "tenant");
        assert_eq!(k["namePrefix"], "p-");
        assert_eq!(k["images"][0]["newTag"], "1.25");
    }

    #[test]
    fn bad_yaml_names_the_file_and_components_must_be_local() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("bad.yaml"), "a: [unclosed\n").unwrap();
        let e = prepare(d.path(), &json!({})).unwrap_err().to_string();
        assert!(
            e.contains("failed to decode Kubernetes YAML from bad.yaml"),
            "{e}"
        );
        let d2 = tempfile::tempdir().unwrap();
        std::fs::write(d2.path().join("kustomization.yaml"), "resources: []\n").unwrap();
        let e = prepare(d2.path(), &json!({"components": ["/abs"]})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "component path '/abs' must be local and relative"
        );
        let missing = tempfile::tempdir().unwrap();
        let gone = missing.path().join("nope");
        assert!(matches!(
            prepare(&gone, &json!({})),
            Err(GenerateError::PathNotFound(_))
        ));
    }

    #[test]
    fn images_merge_by_name_and_new_refs_replace_both_fields() {
        let mut k = json!({"images": [{"name": "app", "newTag": "1", "digest": "sha256:x"}]});
        layer(
            &mut k,
            &json!({"images": [{"name": "app", "newTag": "2"}]}),
            |_| true,
        )
        .unwrap();
        assert_eq!(k["images"], json!([{"name": "app", "newTag": "2"}]));
    }
}

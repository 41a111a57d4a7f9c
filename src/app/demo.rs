//! The demo fleet: a real Git repository created from the files in `demo/fleet/` on first start
//! of an empty embedded data directory, plus the cluster objects that sync from it (what
//! `flux bootstrap` would have applied). Everything after that happens through the API.

use std::path::Path;

use serde_json::Value;

use crate::engine::yaml;

/// The repository's files, embedded in the binary so a fresh machine needs nothing else.
pub const FILES: &[(&str, &str)] = &[
    (
        "apps/base/checkout/checkout.yaml",
        include_str!("../../demo/fleet/apps/base/checkout/checkout.yaml"),
    ),
    (
        "apps/base/checkout/kustomization.yaml",
        include_str!("../../demo/fleet/apps/base/checkout/kustomization.yaml"),
    ),
    (
        "apps/base/podinfo/deployment.yaml",
        include_str!("../../demo/fleet/apps/base/podinfo/deployment.yaml"),
    ),
    (
        "apps/base/podinfo/kustomization.yaml",
        include_str!("../../demo/fleet/apps/base/podinfo/kustomization.yaml"),
    ),
    (
        "apps/base/podinfo/namespace.yaml",
        include_str!("../../demo/fleet/apps/base/podinfo/namespace.yaml"),
    ),
    (
        "apps/base/podinfo/service.yaml",
        include_str!("../../demo/fleet/apps/base/podinfo/service.yaml"),
    ),
    (
        "apps/demo/kustomization.yaml",
        include_str!("../../demo/fleet/apps/demo/kustomization.yaml"),
    ),
    (
        "clusters/demo/apps.yaml",
        include_str!("../../demo/fleet/clusters/demo/apps.yaml"),
    ),
    (
        "clusters/demo/flux-system/gotk-sync.yaml",
        include_str!("../../demo/fleet/clusters/demo/flux-system/gotk-sync.yaml"),
    ),
    (
        "clusters/demo/flux-system/kustomization.yaml",
        include_str!("../../demo/fleet/clusters/demo/flux-system/kustomization.yaml"),
    ),
    (
        "clusters/demo/images.yaml",
        include_str!("../../demo/fleet/clusters/demo/images.yaml"),
    ),
    (
        "clusters/demo/infrastructure.yaml",
        include_str!("../../demo/fleet/clusters/demo/infrastructure.yaml"),
    ),
    (
        "infrastructure/configs/ingress-class.yaml",
        include_str!("../../demo/fleet/infrastructure/configs/ingress-class.yaml"),
    ),
    (
        "infrastructure/configs/kustomization.yaml",
        include_str!("../../demo/fleet/infrastructure/configs/kustomization.yaml"),
    ),
    (
        "infrastructure/controllers/ingress-nginx.yaml",
        include_str!("../../demo/fleet/infrastructure/controllers/ingress-nginx.yaml"),
    ),
    (
        "infrastructure/controllers/kustomization.yaml",
        include_str!("../../demo/fleet/infrastructure/controllers/kustomization.yaml"),
    ),
];

/// Placeholder the repository files use for their own URL.
const URL_PLACEHOLDER: &str = "${FLUXDECK_DEMO_REPO_URL}";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot create the demo repository in {path}: {message}")]
    Repo { path: String, message: String },
    #[error("demo file {file}: {source}")]
    Yaml {
        file: String,
        source: yaml::YamlError,
    },
}

fn repo_err(path: &Path, e: impl std::fmt::Display) -> DemoError {
    DemoError::Repo {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Create (or reuse) the demo Git repository at `dir`; returns its `file://` URL. The
/// repository is bare, like a Git server's: the demo's image automation pushes to it.
pub fn create_repo(dir: &Path) -> Result<String, DemoError> {
    let url = format!("file://{}", dir.display());
    // A bare repository (HEAD at the top), or one made by an older fluxdeck (.git).
    if dir.join("HEAD").exists() || dir.join(".git").exists() {
        return Ok(url);
    }
    std::fs::create_dir_all(dir).map_err(|e| repo_err(dir, e))?;
    let repo = git2::Repository::init_opts(
        dir,
        git2::RepositoryInitOptions::new()
            .bare(true)
            .initial_head("main"),
    )
    .map_err(|e| repo_err(dir, e))?;
    let mut tree = git2::build::TreeUpdateBuilder::new();
    for (rel, text) in FILES {
        let blob = repo
            .blob(text.replace(URL_PLACEHOLDER, &url).as_bytes())
            .map_err(|e| repo_err(dir, e))?;
        tree.upsert(*rel, blob, git2::FileMode::Blob);
    }
    let empty = repo
        .treebuilder(None)
        .and_then(|b| b.write())
        .and_then(|oid| repo.find_tree(oid))
        .map_err(|e| repo_err(dir, e))?;
    let tree_id = tree
        .create_updated(&repo, &empty)
        .map_err(|e| repo_err(dir, e))?;
    let tree = repo.find_tree(tree_id).map_err(|e| repo_err(dir, e))?;
    let sig =
        git2::Signature::now("fluxdeck", "fluxdeck@localhost").map_err(|e| repo_err(dir, e))?;
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        "Demo fleet: infrastructure and apps",
        &tree,
        &[],
    )
    .map_err(|e| repo_err(dir, e))?;
    Ok(url)
}

/// The objects a bootstrap applies: the flux-system namespace and the sync objects.
pub fn bootstrap_objects(url: &str) -> Result<Vec<Value>, DemoError> {
    let mut out = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
    ];
    for (rel, text) in FILES.iter().filter(|(p, _)| {
        // images.yaml needs the flux-system Kustomization's substitution (the registry
        // address): it is applied by that Kustomization, not by the bootstrap.
        p.starts_with("clusters/demo/")
            && !p.ends_with("kustomization.yaml")
            && !p.ends_with("images.yaml")
    }) {
        let docs =
            yaml::parse_documents(&text.replace(URL_PLACEHOLDER, url)).map_err(|source| {
                DemoError::Yaml {
                    file: rel.to_string(),
                    source,
                }
            })?;
        out.extend(docs);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_has_one_commit_with_every_file_and_its_own_url() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fleet");
        let url = create_repo(&path).unwrap();
        let repo = git2::Repository::open(&path).unwrap();
        let head = repo.head().unwrap();
        assert_eq!(head.shorthand().ok(), Some("main"));
        let tree = head.peel_to_tree().unwrap();
        for (rel, _) in FILES {
            assert!(
                tree.get_path(Path::new(rel)).is_ok(),
                "{rel} missing from the commit"
            );
        }
        assert!(repo.is_bare(), "the image automation pushes to it");
        let entry = tree
            .get_path(Path::new("clusters/demo/flux-system/gotk-sync.yaml"))
            .unwrap();
        let blob = repo.find_blob(entry.id()).unwrap();
        let sync = String::from_utf8_lossy(blob.content()).to_string();
        assert!(sync.contains(&url) && !sync.contains(URL_PLACEHOLDER));
        assert_eq!(
            create_repo(&path).unwrap(),
            url,
            "a second start reuses the repository"
        );
    }

    #[test]
    fn bootstrap_objects_chain_by_depends_on() {
        let objs = bootstrap_objects("file:///tmp/x").unwrap();
        let names: Vec<&str> = objs
            .iter()
            .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str))
            .collect();
        for n in [
            "flux-system",
            "infra-controllers",
            "infra-configs",
            "apps",
            "checkout",
            "cluster-vars",
        ] {
            assert!(names.contains(&n), "{n} missing: {names:?}");
        }
        let apps = objs
            .iter()
            .find(|o| {
                o.pointer("/metadata/name").and_then(Value::as_str) == Some("apps")
                    && o["kind"] == "Kustomization"
            })
            .unwrap();
        assert_eq!(
            apps.pointer("/spec/dependsOn/0/name")
                .and_then(Value::as_str),
            Some("infra-configs")
        );
    }
}

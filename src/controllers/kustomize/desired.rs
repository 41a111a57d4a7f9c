//! The desired state of a Kustomization: the steps between "the source files are on disk" and
//! "the objects to apply" (secure path, generated kustomization.yaml, build, SOPS check,
//! post-build substitution, normalisation). One function used by the controller and by
//! `fluxdeck diff`, so both see exactly the same objects.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::generate::{self, GenerateError};
use super::overlay::Overlay;
use super::trees::Tree;
use super::{postbuild, spec};
use crate::controllers::runtime::Failure;
use crate::engine::kustomize::{ConfinedFs, KustFs, RealFs};

/// Where a build reads the source: a shared unpacked artifact, or a directory on disk.
type SourceFs = Arc<dyn KustFs + Send + Sync>;

/// Build the objects `ks` (a Kustomization) wants from the source tree unpacked at `root`
/// (never written, so one unpacked artifact can serve every Kustomization of a source).
/// Failures carry the Flux reason: `ArtifactFailed` for a missing path, `BuildFailed` otherwise.
pub async fn build(
    client: &kube::Client,
    ks: &Value,
    root: &Path,
    strict_substitution: bool,
) -> Result<Vec<Value>, Failure> {
    build_from(client, ks, root, Arc::new(RealFs), strict_substitution).await
}

/// [`build`] from a shared unpacked artifact (in memory or on disk).
pub(super) async fn build_tree(
    client: &kube::Client,
    ks: &Value,
    tree: Arc<Tree>,
    strict_substitution: bool,
) -> Result<Vec<Value>, Failure> {
    let root = tree.path().to_path_buf();
    build_from(client, ks, &root, tree, strict_substitution).await
}

async fn build_from(
    client: &kube::Client,
    ks: &Value,
    root: &Path,
    fs: SourceFs,
    strict_substitution: bool,
) -> Result<Vec<Value>, Failure> {
    let docs = render(ks, root, fs).await?;
    let ns = spec::own_namespace(ks);
    let name = ks
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let docs = postbuild::substitute_all(client, ks, &ns, docs, strict_substitution).await?;
    postbuild::normalise(ks, docs, name, &ns)
}

/// The offline variant (`fluxdeck diff fleet`): no cluster to read from, so
/// `postBuild.substituteFrom` resolves against `objects` (ConfigMaps and Secrets the fleet
/// itself defines) and SOPS documents stay encrypted. Returns the objects and the
/// substituteFrom references that could not be resolved.
pub async fn build_offline(
    ks: &Value,
    root: &Path,
    objects: &[Value],
) -> Result<(Vec<Value>, Vec<String>), Failure> {
    let docs = render(ks, root, Arc::new(RealFs)).await?;
    let ns = spec::own_namespace(ks);
    let name = ks
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (docs, missing) = postbuild::substitute_offline(ks, &ns, docs, objects)?;
    Ok((postbuild::normalise(ks, docs, name, &ns)?, missing))
}

/// Generate the kustomization file for `spec` (secure path) and run the kustomize build.
async fn render(ks: &Value, root: &Path, source: SourceFs) -> Result<Vec<Value>, Failure> {
    let path = ks
        .pointer("/spec/path")
        .and_then(Value::as_str)
        .unwrap_or("./");
    let dir = generate::secure_join(root, path);
    let root_dir = root.to_path_buf();
    let spec_value = ks.get("spec").cloned().unwrap_or(Value::Null);
    let built = tokio::task::spawn_blocking(move || {
        // The tree is only read: the generated kustomization file lives in memory. Nothing
        // outside the source is visible (Flux's secure filesystem), whatever a path says.
        let confined = ConfinedFs::new(&*source, &root_dir);
        let (file, text) = generate::plan(&confined, &dir, &spec_value)?;
        let fs = Overlay::new(&confined, &file, text);
        crate::engine::kustomize::build_with(&fs, &dir).map_err(|e| GenerateError::Io {
            what: "build",
            path: String::new(),
            message: e.to_string(),
        })
    })
    .await
    .map_err(|e| Failure::new("BuildFailed", format!("build worker failed: {e}")))?;
    let relative = |m: String| source_relative(&m, root);
    match built {
        Ok(d) => Ok(d),
        Err(GenerateError::PathNotFound(m)) => Err(Failure::new(
            "ArtifactFailed",
            format!("kustomization path not found: {m}"),
        )),
        Err(GenerateError::Io {
            what: "build",
            message,
            ..
        }) => Err(Failure::new(
            "BuildFailed",
            format!("kustomize build failed: {}", relative(message)),
        )),
        Err(e) => Err(Failure::new("BuildFailed", relative(e.to_string()))),
    }
}

/// File names in a build error, relative to the source root (`apps/kustomization.yaml`, as
/// they are in the repository) instead of the temporary directory the artifact was unpacked in.
fn source_relative(message: &str, root: &Path) -> String {
    let prefix = format!("{}/", root.display());
    message.replace(&prefix, "")
}

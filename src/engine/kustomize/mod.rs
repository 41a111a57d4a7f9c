//! A native `kustomize build` with the semantics kustomize-controller uses: builtin plugins
//! only, no remote bases, and either kubectl's root-only load restrictor or none (the
//! controller's, on a filesystem confined to the artifact: see [`restrict`]). All I/O goes
//! through [`KustFs`], so a controller can build from an unpacked artifact and tests from real
//! directories.
//!
//! [`build`] returns the documents in kustomize's (legacy) output order and [`render`] prints
//! them exactly as `kubectl kustomize DIR` does.

mod build;
mod build_metadata;
mod config;
mod config_nameref;
mod crds;
mod emit;
mod emit_number;
mod emit_scalar;
mod error;
mod fieldspec;
mod fs;
mod generators;
mod hash;
mod iam_policy;
mod images;
mod kustfile;
mod nameref;
mod openapi;
mod order;
mod patches;
mod pipeline;
mod plugins;
mod replacements;
mod resource;
pub mod restrict;
mod selector;
mod transformers;
mod vars;

pub use emit::render_document;
pub use error::KustomizeError;
pub use fs::{KustFs, RealFs};
pub use hash::content_hash;
pub use restrict::{ConfinedFs, LoadRestrictor};

use build::{Accumulator, Builder};
use serde_json::Value;
use std::path::Path;

/// Build the kustomization in `dir` from the real filesystem, as `kubectl kustomize DIR`
/// does (root-only load restrictor).
pub fn build(dir: &Path) -> Result<Vec<Value>, KustomizeError> {
    build_restricted(&RealFs, dir, LoadRestrictor::RootOnly)
}

/// Build the kustomization in `dir`, reading files through `fs` with no load restrictor (as
/// kustomize-controller does; confine `fs` to the source with [`ConfinedFs`]).
pub fn build_with(fs: &dyn KustFs, dir: &Path) -> Result<Vec<Value>, KustomizeError> {
    build_restricted(fs, dir, LoadRestrictor::None)
}

/// Build the kustomization in `dir`, reading files through `fs` under `restrictor`.
pub fn build_restricted(
    fs: &dyn KustFs,
    dir: &Path,
    restrictor: LoadRestrictor,
) -> Result<Vec<Value>, KustomizeError> {
    let dir = fs::clean(dir);
    let _schema = openapi::BuildScope::start();
    let top = kustfile::load(fs, &dir)?;
    let mut builder = Builder::new(fs);
    builder.restrictor = restrictor;
    builder.root = dir.clone();
    builder.origins = top
        .k
        .build_metadata
        .iter()
        .any(|m| m == "originAnnotations");
    builder.transformations = top
        .k
        .build_metadata
        .iter()
        .any(|m| m == "transformerAnnotations");
    let mut acc = Accumulator::new();
    builder.accumulate_dir(&dir, top.is_component(), &mut acc)?;
    finish(&mut acc, top.k.sort_options.as_ref())
        .map_err(|m| KustomizeError::Build(format!("{}: {m}", top.file.display())))?;
    Ok(acc.resources.into_iter().map(|r| r.obj).collect())
}

/// The steps kustomize runs once, after the whole tree is accumulated: hash suffixes, name
/// reference fixing, removal of internal annotations, ordering.
fn finish(acc: &mut Accumulator, sort: Option<&kustfile::SortOptions>) -> Result<(), String> {
    for r in acc.resources.iter_mut() {
        if r.needs_hash() {
            let hash = hash::content_hash(&r.obj);
            r.store_previous_id();
            let name = format!("{}-{hash}", r.name());
            r.set_name(&name);
        }
    }
    nameref::fix(&mut acc.resources, &acc.config.name_reference)?;
    vars::resolve(&mut acc.resources, &acc.vars, &acc.config.var_reference)?;
    // Resources marked local-config take part in the build but are not output.
    acc.resources
        .retain(|r| r.annotation("config.kubernetes.io/local-config") != Some("true"));
    for r in acc.resources.iter_mut() {
        r.strip_build_annotations();
    }
    order::sort(&mut acc.resources, sort)
}

/// Print documents exactly as `kubectl kustomize` prints them.
pub fn render(docs: &[Value]) -> String {
    emit::render_documents(docs)
}

/// Direct access to the builtin transformers, for callers (and conformance tests) that run one
/// plugin configuration on a list of objects. Internal build annotations are kept.
pub fn run_builtin_transformer(
    fs: &dyn KustFs,
    dir: &Path,
    config: &Value,
    objects: Vec<Value>,
) -> Result<Vec<Value>, KustomizeError> {
    let builder = Builder::new(fs);
    let mut resources: Vec<resource::Resource> =
        objects.into_iter().map(resource::Resource::new).collect();
    let tc = config::TransformerConfig::defaults();
    let file = dir.join("plugin-config.yaml");
    plugins::run_transformer(true, &builder, dir, &file, config, &mut resources, &tc)?;
    Ok(resources.into_iter().map(|r| r.obj).collect())
}

/// Run one builtin generator configuration (ConfigMapGenerator, SecretGenerator,
/// IAMPolicyGenerator) as kustomize runs a generator plugin alone: no hash suffix (that is
/// the HashTransformer's job in a build) and no internal annotations in the output.
pub fn run_builtin_generator(
    fs: &dyn KustFs,
    dir: &Path,
    config: &Value,
) -> Result<Vec<Value>, KustomizeError> {
    let builder = Builder::new(fs);
    let file = dir.join("plugin-config.yaml");
    let mut acc = Accumulator::new();
    for mut r in plugins::run_generator(&builder, dir, &file, config)? {
        r.behavior = resource::Behavior::Create;
        build::absorb_generated(&mut acc, r, false).map_err(KustomizeError::Build)?;
    }
    Ok(acc
        .resources
        .into_iter()
        .map(|mut r| {
            r.strip_build_annotations();
            r.obj
        })
        .collect())
}

//! `fluxdeck build kustomization NAME [--path DIR]`: print the objects the Kustomization
//! controller would apply — the build, SOPS decryption, post-build substitution and the
//! ownership labels — as multi-document YAML, like `flux build kustomization`. Built by the
//! controller's own `desired::build` (through `desired_tree`) from the source's current
//! artifact, or from a local directory with `--path`. Secret values are always masked: the
//! output is for reading and review, and must never leak what decryption revealed.

use serde_json::Value;

use super::desired_tree::{self, TreeFrom};
use super::{CommandError, Ctx};
use crate::cli::{BuildArgs, BuildKsArgs, BuildTarget};
use crate::engine::sops::mask_secret_data;

pub async fn run(ctx: &Ctx, args: &BuildArgs) -> Result<i32, CommandError> {
    match &args.target {
        BuildTarget::Kustomization(a) => match kustomization(ctx, a).await {
            Ok(yaml) => {
                print!("{yaml}");
                Ok(0)
            }
            Err(message) => {
                eprintln!("{} {message}", ctx.glyph_fail());
                Ok(2)
            }
        },
    }
}

async fn kustomization(ctx: &Ctx, args: &BuildKsArgs) -> Result<String, String> {
    let ks = desired_tree::get_kustomization(&ctx.client, &ctx.namespace, &args.name)
        .await
        .map_err(|e| e.to_string())?;
    let from = match &args.path {
        Some(dir) => TreeFrom::Local(dir),
        None => TreeFrom::Artifact,
    };
    let docs = desired_tree::desired_objects(&ctx.client, &ks, from)
        .await
        .map_err(|e| e.to_string())?;
    Ok(render_masked(&docs))
}

/// The documents in build order, Secret `data`/`stringData` values masked.
pub fn render_masked(docs: &[Value]) -> String {
    let masked: Vec<Value> = docs.iter().map(mask_secret_data).collect();
    crate::engine::kustomize::render(&masked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_values_are_masked_and_other_objects_kept() {
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                   "data": {"password": "aHVudGVyMg=="}, "stringData": {"token": "abc"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                   "data": {"password": "visible"}}),
        ];
        let out = render_masked(&docs);
        assert!(!out.contains("aHVudGVyMg=="), "{out}");
        assert!(!out.contains("abc"), "{out}");
        assert!(out.contains("password:"), "keys stay visible: {out}");
        assert!(out.contains("visible"), "{out}");
        assert_eq!(out.matches("\n---\n").count() + 1, 2, "{out}");
    }
}

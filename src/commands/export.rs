//! `fluxdeck export KIND (NAME|--all)`: objects as YAML ready to apply (status and server-set
//! metadata removed), each document led by `---` as `flux export` prints them.

use kube::api::ListParams;
use serde_json::{Map, Value};

use super::{CommandError, Ctx, obj_name};
use crate::cli::ExportArgs;
use crate::cluster::kinds::{Served, parse_flux_kind};
use crate::engine::yaml;

/// Keep what a user would commit: apiVersion, kind, name/namespace/labels/annotations, spec.
pub fn exportable(obj: &Value) -> Value {
    let mut out = Map::new();
    for key in ["apiVersion", "kind"] {
        if let Some(v) = obj.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    let mut meta = Map::new();
    for key in ["name", "namespace", "labels", "annotations"] {
        if let Some(v) = obj.pointer(&format!("/metadata/{key}")) {
            meta.insert(key.into(), v.clone());
        }
    }
    if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
        annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
        if annotations.is_empty() {
            meta.remove("annotations");
        }
    }
    out.insert("metadata".into(), Value::Object(meta));
    for (key, value) in obj.as_object().into_iter().flatten() {
        if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata" | "status") {
            out.insert(key.clone(), value.clone());
        }
    }
    Value::Object(out)
}

pub fn render(objects: &[Value]) -> Result<String, CommandError> {
    let mut out = String::new();
    for o in objects {
        out.push_str("---\n");
        out.push_str(
            &yaml::to_string(&exportable(o)).map_err(|e| CommandError::Render(e.to_string()))?,
        );
    }
    Ok(out)
}

pub async fn run(ctx: &Ctx, args: &ExportArgs) -> Result<i32, CommandError> {
    let (kind, used) = parse_flux_kind(&args.words)
        .ok_or_else(|| CommandError::Usage(format!("unknown kind {:?}", args.words.join(" "))))?;
    let name = args.words.get(used);
    if name.is_none() && !args.all {
        return Err(CommandError::Usage(format!(
            "{} name is required (or --all)",
            kind.kind
        )));
    }
    let served = ctx.served().await?;
    let (ar, caps) = served.resolve(&kind)?;
    let api = ctx.api(&ar, Served::is_namespaced(&caps), false);
    let mut params = ListParams::default();
    if let Some(n) = name {
        params = params.fields(&format!("metadata.name={n}"));
    }
    let mut objects = ctx.list(&api, &params).await?;
    objects.sort_by(|a, b| obj_name(a).cmp(obj_name(b)));
    if objects.is_empty() {
        let what = name
            .map(|n| format!("{} '{n}'", kind.kind))
            .unwrap_or_else(|| format!("{} objects", kind.kind));
        eprintln!(
            "{} no {what} found in {} namespace",
            ctx.glyph_fail(),
            ctx.namespace
        );
        return Ok(1);
    }
    print!("{}", render(&objects)?);
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn export_drops_status_and_server_metadata() {
        let obj = json!({"apiVersion":"source.toolkit.fluxcd.io/v1","kind":"GitRepository",
            "metadata":{"name":"podinfo","namespace":"flux-system","uid":"x","resourceVersion":"5","managedFields":[]},
            "spec":{"interval":"1m","url":"https://example.com/podinfo"},"status":{"observedGeneration":1}});
        let text = render(&[obj]).unwrap();
        assert_eq!(
            text,
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.com/podinfo\n"
        );
    }
}

//! `fluxdeck trace KIND NAME`: which Flux object manages an object and from which source
//! revision, printed with `flux trace`'s templates (SPEC §4.7).

use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::{CommandError, Ctx, obj_name, obj_namespace};
use crate::cli::TraceArgs;
use crate::cluster::intents::source_of;
use crate::cluster::kinds::{KindName, Served};
use crate::cluster::readiness::condition;

const KS_NAME: &str = "kustomize.toolkit.fluxcd.io/name";
const KS_NS: &str = "kustomize.toolkit.fluxcd.io/namespace";
const HR_NAME: &str = "helm.toolkit.fluxcd.io/name";
const HR_NS: &str = "helm.toolkit.fluxcd.io/namespace";

/// The Flux owner found on an object's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Kustomization { name: String, namespace: String },
    HelmRelease { name: String, namespace: String },
}

pub fn owner_from_labels(obj: &Value) -> Option<Owner> {
    let label = |k: &str| {
        obj.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if let (Some(name), Some(namespace)) = (label(KS_NAME), label(KS_NS)) {
        return Some(Owner::Kustomization { name, namespace });
    }
    if let (Some(name), Some(namespace)) = (label(HR_NAME), label(HR_NS)) {
        return Some(Owner::HelmRelease { name, namespace });
    }
    None
}

/// Go's `time.Time.String()` for a UTC RFC3339 timestamp: `2024-05-07 05:02:34 +0000 UTC`.
pub fn go_time(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        Err(_) => rfc3339.to_string(),
    }
}

fn line(out: &mut String, label: &str, value: &str, width: usize) {
    out.push_str(&format!("{:<width$}{value}\n", format!("{label}:")));
}

fn text<'a>(obj: &'a Value, p: &str) -> &'a str {
    obj.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Status/Message lines of a Flux object block.
fn status_lines(out: &mut String, obj: &Value, width: usize, source: bool) {
    match condition(obj, "Ready") {
        Some(ready) => {
            let t = go_time(text(ready, "/lastTransitionTime"));
            let failed = source && text(ready, "/status") != "True";
            let status = if failed {
                format!("Last reconciliation failed at {t}")
            } else {
                format!("Last reconciled at {t}")
            };
            line(out, "Status", &status, width);
            line(out, "Message", text(ready, "/message"), width);
        }
        None => line(out, "Status", "Unknown", width),
    }
}

/// The object header block.
pub fn object_block(kind_as_typed: &str, obj: &Value, width: usize) -> String {
    let mut out = String::from("\n");
    line(
        &mut out,
        "Object",
        &format!("{kind_as_typed}/{}", obj_name(obj)),
        width,
    );
    if !obj_namespace(obj).is_empty() {
        line(&mut out, "Namespace", obj_namespace(obj), width);
    }
    line(&mut out, "Status", "Managed by Flux", width);
    out
}

/// The Kustomization block.
pub fn kustomization_block(ks: &Value, width: usize) -> String {
    let mut out = String::from("---\n");
    line(&mut out, "Kustomization", obj_name(ks), width);
    line(&mut out, "Namespace", obj_namespace(ks), width);
    if let Some(t) = ks.pointer("/spec/targetNamespace").and_then(Value::as_str) {
        line(&mut out, "Target", t, width);
    }
    line(&mut out, "Path", text(ks, "/spec/path"), width);
    line(
        &mut out,
        "Revision",
        text(ks, "/status/lastAppliedRevision"),
        width,
    );
    status_lines(&mut out, ks, width, false);
    out
}

/// The HelmRelease block.
pub fn helmrelease_block(hr: &Value, width: usize) -> String {
    let mut out = String::from("---\n");
    line(&mut out, "HelmRelease", obj_name(hr), width);
    line(&mut out, "Namespace", obj_namespace(hr), width);
    if let Some(t) = hr.pointer("/spec/targetNamespace").and_then(Value::as_str) {
        line(&mut out, "Target", t, width);
    }
    line(
        &mut out,
        "Revision",
        text(hr, "/status/lastAttemptedRevision"),
        width,
    );
    status_lines(&mut out, hr, width, false);
    out
}

/// A source block (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket).
pub fn source_block(src: &Value, width: usize) -> String {
    let kind = text(src, "/kind");
    let mut out = String::from("---\n");
    line(&mut out, kind, obj_name(src), width);
    line(&mut out, "Namespace", obj_namespace(src), width);
    match kind {
        "HelmChart" => {
            line(&mut out, "Chart", text(src, "/spec/chart"), width);
            line(&mut out, "Version", text(src, "/spec/version"), width);
        }
        _ => {
            line(&mut out, "URL", text(src, "/spec/url"), width);
            let r = |k: &str| {
                src.pointer(&format!("/spec/ref/{k}"))
                    .and_then(Value::as_str)
            };
            if let Some(tag) = r("tag").or_else(|| r("semver")) {
                line(&mut out, "Tag", tag, width);
            } else if let Some(branch) = r("branch") {
                line(&mut out, "Branch", branch, width);
            } else if let Some(digest) = r("digest") {
                line(&mut out, "Digest", digest, width);
            }
        }
    }
    line(
        &mut out,
        "Revision",
        text(src, "/status/artifact/revision"),
        width,
    );
    status_lines(&mut out, src, width, true);
    out
}

async fn get_flux(
    ctx: &Ctx,
    served: &Served,
    group: &str,
    kind: &str,
    ns: &str,
    name: &str,
) -> Result<Option<Value>, CommandError> {
    let (ar, _) = served.resolve(&KindName {
        group: group.into(),
        kind: kind.into(),
    })?;
    let api = Api::<DynamicObject>::namespaced_with(ctx.client.clone(), ns, &ar);
    Ok(api
        .get_opt(name)
        .await?
        .map(|o| serde_json::to_value(o).unwrap_or_default()))
}

pub async fn run(ctx: &Ctx, args: &TraceArgs) -> Result<i32, CommandError> {
    let (kind_word, name) = match (args.kind.as_deref(), args.words.as_slice()) {
        (Some(k), [name]) => (k.to_string(), name.clone()),
        (_, [k, name, ..]) => (k.clone(), name.clone()),
        _ => {
            return Err(CommandError::Usage(
                "usage: fluxdeck trace KIND NAME (or NAME --kind KIND --api-version G/V)".into(),
            ));
        }
    };
    let served = ctx.served().await?;
    let (ar, caps) = served.resolve_word(&kind_word)?;
    let api = ctx.api(&ar, Served::is_namespaced(&caps), false);
    let Some(obj) = api.get_opt(&name).await? else {
        eprintln!(
            "{} {}/{name} not found in {} namespace",
            ctx.glyph_fail(),
            ar.kind,
            ctx.namespace
        );
        return Ok(1);
    };
    let obj = serde_json::to_value(obj).unwrap_or_default();
    let Some(owner) = owner_from_labels(&obj) else {
        eprintln!("{} object not managed by Flux", ctx.glyph_fail());
        return Ok(1);
    };
    let (flux_obj, width) = match &owner {
        Owner::Kustomization { name, namespace } => (
            get_flux(
                ctx,
                &served,
                "kustomize.toolkit.fluxcd.io",
                "Kustomization",
                namespace,
                name,
            )
            .await?,
            17,
        ),
        Owner::HelmRelease { name, namespace } => (
            get_flux(
                ctx,
                &served,
                "helm.toolkit.fluxcd.io",
                "HelmRelease",
                namespace,
                name,
            )
            .await?,
            16,
        ),
    };
    let Some(flux_obj) = flux_obj else {
        eprintln!("{} managing {owner:?} not found", ctx.glyph_fail());
        return Ok(1);
    };
    let mut out = object_block(&kind_word, &obj, width);
    out.push_str(&match owner {
        Owner::Kustomization { .. } => kustomization_block(&flux_obj, width),
        Owner::HelmRelease { .. } => helmrelease_block(&flux_obj, width),
    });
    if let Some((kind, src_name, _, ns)) = source_of(&flux_obj) {
        let ns = ns.unwrap_or_else(|| obj_namespace(&flux_obj).to_string());
        if let Ok(Some(src)) = get_flux(
            ctx,
            &served,
            "source.toolkit.fluxcd.io",
            &kind,
            &ns,
            &src_name,
        )
        .await
        {
            out.push_str(&source_block(&src, width));
        }
    }
    print!("{out}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kustomization_trace_matches_flux_template() {
        let obj = json!({"kind":"Deployment","metadata":{"name":"podinfo","namespace":"apps",
            "labels":{KS_NAME:"apps", KS_NS:"flux-system"}}});
        assert_eq!(
            owner_from_labels(&obj),
            Some(Owner::Kustomization {
                name: "apps".into(),
                namespace: "flux-system".into()
            })
        );
        let ks = json!({"kind":"Kustomization","metadata":{"name":"apps","namespace":"flux-system"},
            "spec":{"path":"./apps"},"status":{"lastAppliedRevision":"main@sha1:abc",
            "conditions":[{"type":"Ready","status":"True","message":"Applied revision: main@sha1:abc","lastTransitionTime":"2024-05-07T05:02:34Z"}]}});
        let text = object_block("Deployment", &obj, 17) + &kustomization_block(&ks, 17);
        let expected = "\nObject:          Deployment/podinfo\nNamespace:       apps\nStatus:          Managed by Flux\n---\nKustomization:   apps\nNamespace:       flux-system\nPath:            ./apps\nRevision:        main@sha1:abc\nStatus:          Last reconciled at 2024-05-07 05:02:34 +0000 UTC\nMessage:         Applied revision: main@sha1:abc\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn failed_source_says_so() {
        let src = json!({"kind":"GitRepository","metadata":{"name":"fleet","namespace":"flux-system"},
            "spec":{"url":"https://git.example/fleet","ref":{"branch":"main"}},
            "status":{"conditions":[{"type":"Ready","status":"False","message":"auth failed","lastTransitionTime":"2024-05-07T05:02:34Z"}]}});
        let text = source_block(&src, 17);
        assert!(text.contains("Branch:          main\n"), "{text}");
        assert!(
            text.contains(
                "Status:          Last reconciliation failed at 2024-05-07 05:02:34 +0000 UTC\n"
            ),
            "{text}"
        );
    }
}

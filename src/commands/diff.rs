//! `fluxdeck diff kustomization NAME [--path DIR | --revision REV] [-o text|json|markdown]`:
//! the Kustomization built exactly as its controller builds it (`controllers::kustomize::desired`)
//! from the source's current artifact, a local checkout or a Git revision, each object
//! server-side dry-run applied as `kustomize-controller` and compared with the live object
//! (`engine::diff`). Exit 0 no diff, 1 diff, 2 error (nothing is ever written).

use std::collections::HashSet;

use futures::StreamExt;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::desired_tree::desired_objects;
pub use super::desired_tree::{
    DesiredError as DriftError, TreeFrom as DesiredFrom, get_kustomization,
};
use super::{CommandError, Ctx};
use crate::api::meta::inventory::ObjMetadata;
use crate::cli::{DiffArgs, DiffKsArgs, DiffOutput, DiffTarget};
use crate::controllers::kustomize::apply::{FIELD_MANAGER, Resolver, subject};
use crate::controllers::kustomize::prune;
use crate::engine::diff::{self, Report, render};

pub async fn run(ctx: &Ctx, args: &DiffArgs) -> Result<i32, CommandError> {
    match &args.target {
        DiffTarget::Kustomization(a) => match kustomization(ctx, a).await {
            Ok(code) => Ok(code),
            Err(message) => {
                eprintln!("{} {message}", ctx.glyph_fail());
                Ok(2)
            }
        },
        DiffTarget::Fleet(a) => Ok(super::diff_fleet::run(a, ctx.glyph_fail()).await),
    }
}

/// What applying the desired state of `ks` would change: the one code path behind
/// `fluxdeck diff kustomization` and the console's diff pane and drift badges.
pub async fn drift_report(
    client: &kube::Client,
    ks: &Value,
    from: DesiredFrom<'_>,
) -> Result<Report, DriftError> {
    let docs = desired_objects(client, ks, from).await?;
    Ok(compare_all(client, ks, &docs).await?)
}

async fn kustomization(ctx: &Ctx, args: &DiffKsArgs) -> Result<i32, DriftError> {
    let ns = ctx.namespace.clone();
    let ks = get_kustomization(&ctx.client, &ns, &args.name).await?;
    let from = match (&args.path, &args.revision) {
        (Some(dir), _) => DesiredFrom::Local(dir),
        (None, Some(rev)) => DesiredFrom::Revision(rev),
        (None, None) => DesiredFrom::Artifact,
    };
    let report = drift_report(&ctx.client, &ks, from).await?;
    match args.output {
        DiffOutput::Text => print!("{}", render::text(&report)),
        DiffOutput::Json => println!("{:#}", render::json(&report)),
        DiffOutput::Markdown => print!(
            "{}",
            render::markdown(&format!("Kustomization {ns}/{}", args.name), &report)
        ),
    }
    if report.has_changes() {
        eprintln!("⚠ identified at least one change, exiting with non-zero exit code");
        Ok(1)
    } else {
        Ok(0)
    }
}

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// Objects compared concurrently by `compare_all`.
const IN_FLIGHT: usize = 16;

struct CompareCtx<'a> {
    client: &'a kube::Client,
    resolver: &'a Resolver,
    params: &'a PatchParams,
    new_namespaces: &'a HashSet<&'a str>,
}

type CompareResult = Result<(String, diff::ObjectDiff), String>;
type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// One desired object: its inventory id and its comparison with the live object.
async fn compare_one(
    c: &CompareCtx<'_>,
    doc: &Value,
) -> Result<(String, diff::ObjectDiff), String> {
    let (api_version, kind, name) = (
        text(doc, "/apiVersion"),
        text(doc, "/kind"),
        text(doc, "/metadata/name"),
    );
    let (ar, namespaced) = c.resolver.resolve(api_version, kind).await?;
    let ns = namespaced
        .then(|| text(doc, "/metadata/namespace"))
        .filter(|n| !n.is_empty());
    if namespaced && ns.is_none() {
        return Err(format!(
            "{} namespace not specified",
            subject(kind, None, name)
        ));
    }
    let id = ObjMetadata::new(ns.unwrap_or(""), name, &ar.group, kind).to_string();
    let api: Api<DynamicObject> = match ns {
        Some(n) => Api::namespaced_with(c.client.clone(), n, &ar),
        None => Api::all_with(c.client.clone(), &ar),
    };
    let live = api
        .get_opt(name)
        .await
        .map_err(|e| format!("{} query failed: {e}", subject(kind, ns, name)))?
        .and_then(|o| serde_json::to_value(o).ok());
    if diff::skipped(doc, live.as_ref()) {
        return Ok((id, diff::compare(doc, None, live.as_ref())));
    }
    let dry = match api.patch(name, c.params, &Patch::Apply(doc)).await {
        Ok(o) => serde_json::to_value(o).ok(),
        Err(kube::Error::Api(s))
            if s.code == 404 && ns.is_some_and(|n| c.new_namespaces.contains(n)) =>
        {
            None
        }
        Err(kube::Error::Api(s)) => {
            return Err(format!(
                "{} dry-run failed ({}): {}",
                subject(kind, ns, name),
                s.reason,
                s.message
            ));
        }
        Err(e) => return Err(format!("{} dry-run failed: {e}", subject(kind, ns, name))),
    };
    Ok((id, diff::compare(doc, dry.as_ref(), live.as_ref())))
}

/// Dry-run every desired object against its live state; then the would-be-pruned entries.
async fn compare_all(client: &kube::Client, ks: &Value, docs: &[Value]) -> Result<Report, String> {
    let resolver = Resolver::new(client.clone());
    let new_namespaces: HashSet<&str> = docs
        .iter()
        .filter(|d| text(d, "/kind") == "Namespace")
        .map(|d| text(d, "/metadata/name"))
        .collect();
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let mut report = Report::default();
    let mut built_ids = HashSet::new();
    // One read and one dry-run per object, independent of each other: a few in flight at
    // once (order kept), so a big Kustomization is not a long queue of round trips.
    let ctx = CompareCtx {
        client,
        resolver: &resolver,
        params: &params,
        new_namespaces: &new_namespaces,
    };
    // Collected first, and boxed: a closure or an opaque future inside the stream's type
    // trips the higher-ranked Send check of the spawned futures that call this.
    let mut pending: Vec<BoxFuture<'_, CompareResult>> = Vec::with_capacity(docs.len());
    for d in docs {
        pending.push(Box::pin(compare_one(&ctx, d)));
    }
    let mut results = futures::stream::iter(pending).buffered(IN_FLIGHT);
    while let Some(r) = results.next().await {
        let (id, object) = r?;
        built_ids.insert(id);
        report.objects.push(object);
    }
    drop(results);
    if ks.pointer("/spec/prune").and_then(Value::as_bool) == Some(true) {
        let status = ks.get("status").cloned().unwrap_or(Value::Null);
        for entry in prune::parse_inventory(&status) {
            if built_ids.contains(&entry.id) {
                continue;
            }
            let (Ok(om), Ok(api_version)) = (entry.object(), entry.api_version()) else {
                continue;
            };
            let ns = (!om.namespace.is_empty()).then_some(om.namespace.as_str());
            let live = match resolver.resolve(&api_version, &om.kind).await {
                Ok((ar, _)) => {
                    let api: Api<DynamicObject> = match ns {
                        Some(n) => Api::namespaced_with(client.clone(), n, &ar),
                        None => Api::all_with(client.clone(), &ar),
                    };
                    api.get_opt(&om.name)
                        .await
                        .ok()
                        .flatten()
                        .and_then(|o| serde_json::to_value(o).ok())
                }
                Err(_) => None,
            };
            let owner = text(ks, "/metadata/name");
            let owner_ns = text(ks, "/metadata/namespace");
            // Only what the next reconciliation would really delete.
            if live
                .as_ref()
                .is_some_and(|l| prune::may_prune(l, owner, owner_ns))
            {
                report
                    .objects
                    .push(diff::pruned(subject(&om.kind, ns, &om.name), live.as_ref()));
            }
        }
    }
    Ok(report)
}

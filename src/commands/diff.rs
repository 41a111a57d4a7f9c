//! `fluxdeck diff kustomization NAME [--path DIR | --revision REV] [-o text|json|markdown]`:
//! the Kustomization built exactly as its controller builds it (`desired_tree`, which calls
//! `controllers::kustomize::desired`) from the source's current artifact, a local checkout or a
//! Git revision, each object server-side dry-run applied as `kustomize-controller` and compared
//! with the live object (`engine::diff`). Exit 0 no diff, 1 diff, 2 error (nothing is written).

use std::collections::HashSet;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::desired_tree::{self, TreeFrom};
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
    }
}

async fn kustomization(ctx: &Ctx, args: &DiffKsArgs) -> Result<i32, String> {
    let ns = ctx.namespace.clone();
    let ks = desired_tree::get_kustomization(ctx, &args.name).await?;
    let from = match (&args.path, &args.revision) {
        (Some(dir), _) => TreeFrom::Local(dir),
        (None, Some(rev)) => TreeFrom::Revision(rev),
        (None, None) => TreeFrom::Artifact,
    };
    let docs = desired_tree::desired_objects(ctx, &ks, from).await?;
    let report = compare_all(ctx, &ks, &docs).await?;
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

/// Dry-run every desired object against its live state; then the would-be-pruned entries.
async fn compare_all(ctx: &Ctx, ks: &Value, docs: &[Value]) -> Result<Report, String> {
    let resolver = Resolver::new(ctx.client.clone());
    let new_namespaces: HashSet<&str> = docs
        .iter()
        .filter(|d| text(d, "/kind") == "Namespace")
        .map(|d| text(d, "/metadata/name"))
        .collect();
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let mut report = Report::default();
    let mut built_ids = HashSet::new();
    for doc in docs {
        let (api_version, kind, name) = (
            text(doc, "/apiVersion"),
            text(doc, "/kind"),
            text(doc, "/metadata/name"),
        );
        let (ar, namespaced) = resolver.resolve(api_version, kind).await?;
        let ns = namespaced
            .then(|| text(doc, "/metadata/namespace"))
            .filter(|n| !n.is_empty());
        if namespaced && ns.is_none() {
            return Err(format!(
                "{} namespace not specified",
                subject(kind, None, name)
            ));
        }
        built_ids.insert(ObjMetadata::new(ns.unwrap_or(""), name, &ar.group, kind).to_string());
        let api: Api<DynamicObject> = match ns {
            Some(n) => Api::namespaced_with(ctx.client.clone(), n, &ar),
            None => Api::all_with(ctx.client.clone(), &ar),
        };
        let live = api
            .get_opt(name)
            .await
            .map_err(|e| format!("{} query failed: {e}", subject(kind, ns, name)))?
            .and_then(|o| serde_json::to_value(o).ok());
        if diff::skipped(doc, live.as_ref()) {
            report.objects.push(diff::compare(doc, None, live.as_ref()));
            continue;
        }
        let dry = match api.patch(name, &params, &Patch::Apply(doc)).await {
            Ok(o) => serde_json::to_value(o).ok(),
            Err(kube::Error::Api(s))
                if s.code == 404 && ns.is_some_and(|n| new_namespaces.contains(n)) =>
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
        report
            .objects
            .push(diff::compare(doc, dry.as_ref(), live.as_ref()));
    }
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
                        Some(n) => Api::namespaced_with(ctx.client.clone(), n, &ar),
                        None => Api::all_with(ctx.client.clone(), &ar),
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

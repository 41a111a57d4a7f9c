//! `images pending`, `approve`, `reject`: the approval gate from the terminal. Proposals are
//! read from their ConfigMaps; decisions are annotations on the ImageUpdateAutomation that the
//! controller acts on (API only: the command never runs controller code). The command then
//! waits for the controller's verdict in the proposal ConfigMap.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::{CommandError, Ctx};
use crate::cli::{DecideArgs, ImagesCommand, Output};
use crate::controllers::image::automation::summary;
use crate::controllers::image::proposal::{self, PROPOSAL_LABEL, Proposal};
use crate::controllers::image::repository::resource;

/// One pending proposal and where it lives.
#[derive(Debug, Clone)]
pub struct Pending {
    pub namespace: String,
    pub automation: String,
    pub proposal: Proposal,
}

/// Every pending proposal in `namespace` (None = all namespaces).
pub async fn list_pending(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Pending>, CommandError> {
    let api: Api<ConfigMap> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let list = api
        .list(&ListParams::default().labels(PROPOSAL_LABEL))
        .await?;
    let mut out: Vec<Pending> = list
        .items
        .iter()
        .filter_map(|cm| {
            let automation = cm.metadata.labels.as_ref()?.get(PROPOSAL_LABEL)?.clone();
            let p = proposal::from_configmap(cm).pending?;
            Some(Pending {
                namespace: cm.metadata.namespace.clone().unwrap_or_default(),
                automation,
                proposal: p,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.automation).cmp(&(&b.namespace, &b.automation)));
    Ok(out)
}

fn files(p: &Proposal) -> String {
    let set: std::collections::BTreeSet<&str> = p.changes.iter().map(|c| c.file.as_str()).collect();
    set.into_iter().collect::<Vec<_>>().join(",")
}

fn images(p: &Proposal, arrow: &str) -> String {
    let mut parts: Vec<String> = p
        .changes
        .iter()
        .map(|c| format!("{}{arrow}{}", c.old, c.new))
        .collect();
    parts.dedup();
    parts.join(", ")
}

pub async fn pending(ctx: &Ctx, cmd: &ImagesCommand) -> Result<i32, CommandError> {
    let ImagesCommand::Pending {
        all_namespaces,
        output,
    } = cmd;
    let ns = (!all_namespaces).then_some(ctx.namespace.as_str());
    let items = list_pending(&ctx.client, ns).await?;
    let arrow = if ctx.ascii { " -> " } else { " → " };
    match output {
        Output::Json | Output::Yaml => {
            let doc: Vec<Value> = items
                .iter()
                .map(|i| {
                    json!({
                        "namespace": i.namespace, "automation": i.automation, "id": i.proposal.id,
                        "branch": i.proposal.branch, "base": i.proposal.base,
                        "files": i.proposal.changes.iter().map(|c| c.file.clone()).collect::<std::collections::BTreeSet<_>>(),
                        "changes": i.proposal.changes, "message": i.proposal.message,
                        "diff": i.proposal.diff, "blocked": i.proposal.blocked,
                    })
                })
                .collect();
            let text = if *output == Output::Json {
                serde_json::to_string_pretty(&doc)
                    .map_err(|e| CommandError::Render(e.to_string()))?
            } else {
                crate::engine::yaml::to_string(&Value::Array(doc))
                    .map_err(|e| CommandError::Render(e.to_string()))?
            };
            println!("{text}");
        }
        Output::Table => {
            if items.is_empty() {
                eprintln!(
                    "no pending image-update proposals{}",
                    ns.map(|n| format!(" in namespace {n}")).unwrap_or_default()
                );
                return Ok(0);
            }
            let mut rows = vec![vec![
                "NAMESPACE".to_string(),
                "AUTOMATION".into(),
                "ID".into(),
                "FILES".into(),
                "IMAGES".into(),
                "STATE".into(),
            ]];
            for i in &items {
                let state = i
                    .proposal
                    .blocked
                    .clone()
                    .map(|b| format!("blocked: {b}"))
                    .unwrap_or_else(|| "pending".into());
                rows.push(vec![
                    i.namespace.clone(),
                    i.automation.clone(),
                    i.proposal.id.clone(),
                    files(&i.proposal),
                    images(&i.proposal, arrow),
                    state,
                ]);
            }
            let widths: Vec<usize> = (0..rows[0].len())
                .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
                .collect();
            for r in rows {
                let line: Vec<String> = r
                    .iter()
                    .enumerate()
                    .map(|(c, v)| format!("{v:<w$}", w = widths[c]))
                    .collect();
                println!("{}", line.join("  ").trim_end());
            }
        }
    }
    Ok(0)
}

/// Approve (`approve = true`) or reject the pending proposals named by `args`.
pub async fn decide(ctx: &Ctx, args: &DecideArgs, approve: bool) -> Result<i32, CommandError> {
    let verb = if approve { "approve" } else { "reject" };
    ctx.require_writable(if approve { "approve" } else { "reject" })?;
    let timeout = crate::engine::duration::parse(&args.timeout)
        .map_err(|e| CommandError::Usage(format!("--timeout: {e}")))?;
    let all = list_pending(&ctx.client, Some(&ctx.namespace)).await?;
    let targets: Vec<Pending> = match (&args.name, args.all) {
        (Some(_), true) => {
            return Err(CommandError::Usage(format!(
                "{verb}: give NAME or --all, not both"
            )));
        }
        (None, false) => {
            return Err(CommandError::Usage(format!(
                "{verb}: the ImageUpdateAutomation NAME is required (or --all)"
            )));
        }
        (None, true) => all,
        (Some(name), false) => {
            let found: Vec<Pending> = all.into_iter().filter(|p| &p.automation == name).collect();
            if found.is_empty() {
                return Err(CommandError::Usage(format!(
                    "ImageUpdateAutomation {}/{name} has no pending proposal (see `fluxdeck images pending -n {}`)",
                    ctx.namespace, ctx.namespace
                )));
            }
            found
        }
    };
    let mut failures = 0;
    for t in &targets {
        match decide_one(ctx, t, approve, timeout).await {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{} {}/{}: {e}", ctx.glyph_fail(), t.namespace, t.automation);
                failures += 1;
            }
        }
    }
    Ok(if failures > 0 { 1 } else { 0 })
}

async fn decide_one(
    ctx: &Ctx,
    t: &Pending,
    approve: bool,
    timeout: Duration,
) -> Result<String, CommandError> {
    let key = if approve {
        proposal::APPROVE_ANNOTATION
    } else {
        proposal::REJECT_ANNOTATION
    };
    let api: Api<kube::api::DynamicObject> = Api::namespaced_with(
        ctx.client.clone(),
        &t.namespace,
        &resource("ImageUpdateAutomation", "imageupdateautomations"),
    );
    let patch = json!({"metadata": {"annotations": {
        key: t.proposal.id,
        proposal::DECIDED_BY_ANNOTATION: ctx.actor,
        "reconcile.fluxcd.io/requestedAt": Timestamp::now().to_string(),
    }}});
    api.patch(
        &t.automation,
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await?;
    let cms: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &t.namespace);
    let deadline = Instant::now() + timeout;
    loop {
        let stored = cms
            .get_opt(&proposal::configmap_name(&t.automation))
            .await?
            .map(|c| proposal::from_configmap(&c))
            .unwrap_or_default();
        let still = stored.pending.as_ref().filter(|p| p.id == t.proposal.id);
        match still {
            None if approve => {
                let iua = api.get(&t.automation).await?;
                let commit = iua
                    .data
                    .pointer("/status/lastPushCommit")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                return Ok(format!(
                    "approved {} for {}/{}: pushed {} ({})",
                    t.proposal.id,
                    t.namespace,
                    t.automation,
                    &commit[..7.min(commit.len())],
                    summary(&t.proposal.changes)
                ));
            }
            None => {
                return Ok(format!(
                    "rejected {} for {}/{} ({})",
                    t.proposal.id,
                    t.namespace,
                    t.automation,
                    summary(&t.proposal.changes)
                ));
            }
            Some(p) if approve && p.blocked.is_some() && p.blocked != t.proposal.blocked => {
                return Err(CommandError::Usage(format!(
                    "approval not carried out, the proposal stays pending: {}",
                    p.blocked.clone().unwrap_or_default()
                )));
            }
            Some(_) => {}
        }
        if Instant::now() > deadline {
            return Err(CommandError::Usage(format!(
                "the controller did not act on the {} within {} (is the image automation controller running?)",
                if approve { "approval" } else { "rejection" },
                crate::engine::duration::format_go(timeout)
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

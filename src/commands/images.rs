//! `images pending`, `approve`, `reject`: the approval gate from the terminal. Proposals are
//! read from their ConfigMaps; decisions are annotations on the ImageUpdateAutomation that the
//! controller acts on (API only: the command never runs controller code). The command then
//! waits for the controller's verdict in the proposal ConfigMap.

use serde_json::{Value, json};

use super::{CommandError, Ctx};
use crate::cli::{DecideArgs, ImagesCommand, Output};
pub use crate::cluster::approvals::Pending;
use crate::cluster::approvals::{self, Decision};
use crate::cluster::progress::StderrReporter;
use crate::controllers::image::proposal::Proposal;

/// Every pending proposal in `namespace` (None = all namespaces).
pub async fn list_pending(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Pending>, CommandError> {
    Ok(approvals::list_pending(client, namespace).await?)
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
    } = cmd
    else {
        return Err(CommandError::Usage(
            "images approve|reject are dispatched to `decide`".into(),
        ));
    };
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

/// Approve (`approve = true`) or reject the pending proposals named by `args`: the shared
/// intent of `cluster::approvals` (the console's `a`/`x` run the same code). A NAME without a
/// proposal but with push-branch commits ahead of its checkout branch gets them merged.
pub async fn decide(ctx: &Ctx, args: &DecideArgs, approve: bool) -> Result<i32, CommandError> {
    let verb = if approve { "approve" } else { "reject" };
    ctx.require_writable(verb)?;
    let timeout = crate::engine::duration::parse(&args.timeout)
        .map_err(|e| CommandError::Usage(format!("--timeout: {e}")))?;
    let names: Vec<String> = match (&args.name, args.all) {
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
        (None, true) => list_pending(&ctx.client, Some(&ctx.namespace))
            .await?
            .into_iter()
            .map(|p| p.automation)
            .collect(),
        (Some(name), false) => vec![name.clone()],
    };
    if names.is_empty() {
        eprintln!(
            "no pending image-update proposals in namespace {}",
            ctx.namespace
        );
    }
    let reporter = StderrReporter { ascii: ctx.ascii };
    let mut failures = 0;
    for name in &names {
        let d = Decision {
            namespace: &ctx.namespace,
            automation: name,
            approve,
            expect: None,
            actor: &ctx.actor,
            timeout,
        };
        match approvals::decide(&ctx.client, &d, &reporter).await {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("{} {}/{name}: {e}", ctx.glyph_fail(), ctx.namespace);
                failures += 1;
            }
        }
    }
    Ok(if failures > 0 { 1 } else { 0 })
}

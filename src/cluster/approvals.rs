//! The approval gate's intents, shared by `fluxdeck approve|reject` and the console's
//! Approvals pane: list pending proposals, and decide one. A decision on a proposal is an
//! annotation on the ImageUpdateAutomation that the image automation controller acts on (API
//! only, like every intent); the intent then waits for the controller's verdict in the
//! proposal ConfigMap. An automation with a separate push branch and no proposal has its
//! push-branch commits merged instead (`push_branch`).

use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use super::progress::Reporter;
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

#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("API request failed: {0}")]
    Api(#[from] kube::Error),
    #[error(
        "ImageUpdateAutomation {namespace}/{name} has nothing to approve: no pending proposal and no push-branch commits ahead of its checkout branch (see `fluxdeck images pending -n {namespace}`)"
    )]
    Nothing { namespace: String, name: String },
    #[error(
        "{namespace}/{name}: {seen} is no longer pending (now: {now}); look at the proposal again before deciding"
    )]
    Stale {
        namespace: String,
        name: String,
        seen: String,
        now: String,
    },
    #[error("approval not carried out, the proposal stays pending: {0}")]
    Blocked(String),
    #[error(
        "the controller did not act on the {what} within {after} (is the image automation controller running?)"
    )]
    Timeout { what: &'static str, after: String },
    #[error("{0}")]
    PushBranch(String),
    #[error(
        "proposal {id} of {namespace}/{name} was withdrawn without a push: at the branch's new head there is nothing left to update (the file or its policy marker changed upstream); the automation's Ready condition says: {why}"
    )]
    Withdrawn {
        namespace: String,
        name: String,
        id: String,
        why: String,
    },
}

/// Every pending proposal in `namespace` (None = all namespaces), sorted.
pub async fn list_pending(
    client: &kube::Client,
    namespace: Option<&str>,
) -> Result<Vec<Pending>, kube::Error> {
    let api: Api<ConfigMap> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    let list = api
        .list(&ListParams::default().labels(PROPOSAL_LABEL))
        .await?;
    let mut out: Vec<Pending> = list.items.iter().filter_map(pending_of).collect();
    out.sort_by(|a, b| (&a.namespace, &a.automation).cmp(&(&b.namespace, &b.automation)));
    Ok(out)
}

/// The pending proposal a proposal ConfigMap holds, if any.
pub fn pending_of(cm: &ConfigMap) -> Option<Pending> {
    let automation = cm.metadata.labels.as_ref()?.get(PROPOSAL_LABEL)?.clone();
    let p = proposal::from_configmap(cm).pending?;
    Some(Pending {
        namespace: cm.metadata.namespace.clone().unwrap_or_default(),
        automation,
        proposal: p,
    })
}

/// What to decide: the automation, and optionally the exact item the user looked at (a
/// proposal id or a push-branch head commit). Without `expect`, whatever is pending.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub namespace: &'a str,
    pub automation: &'a str,
    pub approve: bool,
    pub expect: Option<&'a str>,
    /// Who decides (recorded in the annotation and the Events).
    pub actor: &'a str,
    pub timeout: Duration,
}

fn automations(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    Api::namespaced_with(
        client.clone(),
        ns,
        &resource("ImageUpdateAutomation", "imageupdateautomations"),
    )
}

/// The message of an object's Ready condition.
fn ready_message(obj: &serde_json::Value) -> Option<String> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(serde_json::Value::as_str) == Some("Ready"))?
        .get("message")?
        .as_str()
        .map(str::to_string)
}

/// Approve or reject; returns the one-line outcome (`approved … pushed abc1234 (…)`).
pub async fn decide(
    client: &kube::Client,
    d: &Decision<'_>,
    r: &dyn Reporter,
) -> Result<String, ApprovalError> {
    let stored = proposal::load(client, d.namespace, d.automation).await?;
    let branch_expected = d
        .expect
        .is_some_and(|e| stored.pending.as_ref().is_none_or(|p| p.id != e));
    match stored.pending {
        Some(p) if !branch_expected => decide_proposal(client, d, &p, r).await,
        pending => {
            if d.approve
                && let Some(out) = super::push_branch::approve(client, d, r).await?
            {
                return Ok(out);
            }
            match (pending, d.expect) {
                (Some(p), Some(seen)) => Err(ApprovalError::Stale {
                    namespace: d.namespace.into(),
                    name: d.automation.into(),
                    seen: seen.into(),
                    now: format!("proposal {}", p.id),
                }),
                (None, Some(seen)) if !d.approve => Err(ApprovalError::Stale {
                    namespace: d.namespace.into(),
                    name: d.automation.into(),
                    seen: seen.into(),
                    now: "nothing to reject".into(),
                }),
                _ => Err(ApprovalError::Nothing {
                    namespace: d.namespace.into(),
                    name: d.automation.into(),
                }),
            }
        }
    }
}

async fn decide_proposal(
    client: &kube::Client,
    d: &Decision<'_>,
    p: &Proposal,
    r: &dyn Reporter,
) -> Result<String, ApprovalError> {
    let key = if d.approve {
        proposal::APPROVE_ANNOTATION
    } else {
        proposal::REJECT_ANNOTATION
    };
    let api = automations(client, d.namespace);
    let last_push = |o: &DynamicObject| {
        o.data
            .pointer("/status/lastPushCommit")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let pushed_before = last_push(&api.get(d.automation).await?);
    let patch = json!({"metadata": {"annotations": {
        key: p.id,
        proposal::DECIDED_BY_ANNOTATION: d.actor,
        "reconcile.fluxcd.io/requestedAt": Timestamp::now().to_string(),
    }}});
    r.action(format!(
        "{} proposal {} of {}/{}",
        if d.approve { "approving" } else { "rejecting" },
        p.id,
        d.namespace,
        d.automation
    ));
    api.patch(d.automation, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    r.waiting(format!(
        "waiting for the image automation controller to {}",
        if d.approve {
            "commit and push"
        } else {
            "record the rejection"
        }
    ));
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), d.namespace);
    let deadline = Instant::now() + d.timeout;
    loop {
        let stored = cms
            .get_opt(&proposal::configmap_name(d.automation))
            .await?
            .map(|c| proposal::from_configmap(&c))
            .unwrap_or_default();
        match stored.pending.as_ref().filter(|now| now.id == p.id) {
            None if d.approve => {
                // The controller clears the proposal before it patches its status: wait for
                // the new lastPushCommit (briefly; the push itself is done).
                let mut commit = last_push(&api.get(d.automation).await?);
                let settle = Instant::now() + Duration::from_secs(10);
                let mut automation = api.get(d.automation).await?;
                while commit == pushed_before && Instant::now() < settle {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    automation = api.get(d.automation).await?;
                    commit = last_push(&automation);
                }
                if commit == pushed_before {
                    let why = ready_message(&automation.data)
                        .unwrap_or_else(|| "(no Ready condition)".to_string());
                    return Err(ApprovalError::Withdrawn {
                        namespace: d.namespace.to_string(),
                        name: d.automation.to_string(),
                        id: p.id.clone(),
                        why,
                    });
                }
                return Ok(format!(
                    "approved {} for {}/{}: pushed {} ({})",
                    p.id,
                    d.namespace,
                    d.automation,
                    &commit[..7.min(commit.len())],
                    summary(&p.changes)
                ));
            }
            None => {
                return Ok(format!(
                    "rejected {} for {}/{} ({})",
                    p.id,
                    d.namespace,
                    d.automation,
                    summary(&p.changes)
                ));
            }
            Some(now) if d.approve && now.blocked.is_some() && now.blocked != p.blocked => {
                return Err(ApprovalError::Blocked(
                    now.blocked.clone().unwrap_or_default(),
                ));
            }
            Some(_) => {}
        }
        if Instant::now() > deadline {
            return Err(ApprovalError::Timeout {
                what: if d.approve { "approval" } else { "rejection" },
                after: crate::engine::duration::format_go(d.timeout),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

//! The console backend's Approvals: pending proposals come from the proposal ConfigMaps in the
//! watch cache (state path, no extra requests); push-branch rows from a background scanner
//! that fetches the Git repository of every ImageUpdateAutomation with a separate push branch
//! (credentials from its GitRepository's secretRef) and lists the commits ahead of the
//! checkout branch. `a`/`x` run the same intent as `fluxdeck approve|reject`
//! (`cluster::approvals::decide`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::Value;

use crate::cluster::approvals::{self, Decision};
use crate::cluster::cache::WatchCache;
use crate::cluster::progress::Reporter;
use crate::cluster::push_branch;
use crate::controllers::image::proposal::{PROPOSAL_LABEL, Proposal};
use crate::tui::backend::ObjectRef;
use crate::tui::model::approvals::{Approval, ApprovalSource};

/// How often push branches are fetched again (Git has no watch).
const SCAN_EVERY: Duration = Duration::from_secs(15);
/// How long `a`/`x` wait for the controller's verdict.
const DECIDE_TIMEOUT: Duration = Duration::from_secs(120);

const IMAGE_GROUP: &str = "image.toolkit.fluxcd.io";

/// The scanner's latest push-branch rows, by automation.
#[derive(Default)]
pub struct BranchRows {
    rows: Mutex<BTreeMap<ObjectRef, Approval>>,
    /// Bumped to ask the scanner for an immediate pass (after a decision).
    kick: tokio::sync::Notify,
}

impl BranchRows {
    fn snapshot(&self) -> Vec<Approval> {
        self.rows
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// A proposal as a row of the pane.
pub fn proposal_row(namespace: &str, automation: &str, p: &Proposal) -> Approval {
    let mut files: Vec<String> = p.changes.iter().map(|c| c.file.clone()).collect();
    files.sort();
    files.dedup();
    let mut images: Vec<(String, String)> = Vec::new();
    let mut policies: Vec<String> = Vec::new();
    for c in &p.changes {
        let pair = (c.old.clone(), c.new.clone());
        if !images.contains(&pair) {
            images.push(pair);
        }
        // The setter is `ns:name` or `ns:name:tag|name|digest`: the policy is the first two.
        let policy: Vec<&str> = c.setter.splitn(3, ':').take(2).collect();
        let policy = policy.join(":");
        if !policies.contains(&policy) {
            policies.push(policy);
        }
    }
    Approval {
        automation: ObjectRef::new("ImageUpdateAutomation", namespace, automation),
        id: p.id.clone(),
        source: ApprovalSource::Proposal,
        policies,
        files,
        images,
        created: p.created.clone(),
        message: p.message.clone(),
        diff: p.diff.clone(),
        blocked: p.blocked.clone(),
        commits: Vec::new(),
    }
}

/// Every row for the snapshot: proposals from the cached ConfigMaps, then push branches.
pub fn collect(cache: &WatchCache, branches: &BranchRows) -> Vec<Approval> {
    let mut out: Vec<Approval> = cache
        .objects("", "ConfigMap")
        .iter()
        // The label's text first: most ConfigMaps are not proposals and need no parsing.
        .filter(|cm| cm.json().contains(PROPOSAL_LABEL))
        .map(|cm| cm.value())
        .filter(is_proposal)
        .filter_map(|cm| {
            let cm: ConfigMap = serde_json::from_value(cm).ok()?;
            let p = approvals::pending_of(&cm)?;
            Some(proposal_row(&p.namespace, &p.automation, &p.proposal))
        })
        .collect();
    out.extend(branches.snapshot());
    out
}

/// Bumped by the watch cache on every change of an ImageUpdateAutomation (a new
/// lastPushCommit from real Flux, a spec change): the push branch may have moved. Read on every
/// cache change of any kind, so it must not parse anything.
fn automations_generation(cache: &WatchCache) -> Option<u64> {
    cache.generation(IMAGE_GROUP, "ImageUpdateAutomation")
}

fn cached_automations(cache: &WatchCache) -> Vec<Value> {
    cache
        .objects(IMAGE_GROUP, "ImageUpdateAutomation")
        .iter()
        .map(|o| o.value())
        .collect()
}

/// A ConfigMap holding image-update proposals.
fn is_proposal(cm: &Value) -> bool {
    cm.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .is_some_and(|l| l.contains_key(PROPOSAL_LABEL))
}

/// Fetch push branches now, whenever an ImageUpdateAutomation changes, after a decision, and
/// every `SCAN_EVERY` (Git has no watch). `on_pass(changed)` rebuilds the snapshot when rows
/// changed and returns false once the console is gone (the scanner then stops).
pub fn spawn_scanner(
    client: kube::Client,
    cache: WatchCache,
    branches: Arc<BranchRows>,
    on_pass: impl Fn(bool) -> bool + Send + 'static,
) {
    tokio::spawn(async move {
        let mut cache_changes = cache.changes();
        loop {
            // The generation first: a change racing with the read below bumps it again.
            let seen = automations_generation(&cache);
            let automations = cached_automations(&cache);
            let mut fresh = BTreeMap::new();
            for iua in &automations {
                // A repository that cannot be read now keeps no row: the automation's own
                // conditions say why; the pane lists only what can be decided.
                if let Ok(Some(row)) = push_branch::scan(&client, iua).await {
                    fresh.insert(row.automation.clone(), row);
                }
            }
            let changed = branches
                .rows
                .lock()
                .map(|mut rows| {
                    let changed = *rows != fresh;
                    *rows = fresh;
                    changed
                })
                .unwrap_or(false);
            if !on_pass(changed) {
                return;
            }
            let next = tokio::time::Instant::now() + SCAN_EVERY;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(next) => break,
                    _ = branches.kick.notified() => break,
                    r = cache_changes.changed() => {
                        if r.is_err() {
                            return;
                        }
                        if automations_generation(&cache) != seen {
                            break;
                        }
                    }
                }
            }
        }
    });
}

/// `a` / `x` in the console: the shared intent, then a fresh push-branch scan.
pub async fn decide(
    client: &kube::Client,
    branches: &BranchRows,
    target: &ObjectRef,
    id: &str,
    approve: bool,
    actor: &str,
    r: &dyn Reporter,
) -> Result<String, String> {
    let d = Decision {
        namespace: &target.namespace,
        automation: &target.name,
        approve,
        expect: Some(id).filter(|i| !i.is_empty()),
        actor,
        timeout: DECIDE_TIMEOUT,
    };
    let result = approvals::decide(client, &d, r).await;
    branches.kick.notify_one();
    result.map_err(|e| e.to_string())
}

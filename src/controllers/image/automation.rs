//! ImageUpdateAutomation (SPEC §8.3), Setters strategy: clone the GitRepository's branch,
//! rewrite marked fields under `update.path` with the policies' latest images, commit with the
//! templated message and push (never forced; a moved remote gets the update reapplied on its
//! new head). With `fluxdeck.io/approval: required` the change becomes a proposal instead
//! (`proposal`), pushed only once approved.

use std::collections::BTreeMap;
use std::path::PathBuf;

use jiff::Timestamp;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::{Value, json};

use super::gitwork::{Author, GitTarget, GitWorkError};
use super::message;
use super::policy::ref_string;
use super::proposal::{self, Proposal, ProposedChange};
use super::repository::resource;
use super::update::{Computed, commit_and_push, compute};
use crate::controllers::runtime::{Attempt, EventType, Failure, KindInfo, Outcome, Reconciler};
use crate::engine::setters::{self, ImageRef, TreeResult};

pub struct ImageUpdateAutomations {
    info: KindInfo,
    work_root: PathBuf,
}

impl ImageUpdateAutomations {
    pub fn new(work_root: PathBuf) -> ImageUpdateAutomations {
        ImageUpdateAutomations {
            info: KindInfo {
                resource: resource("ImageUpdateAutomation", "imageupdateautomations"),
                controller: "image-automation-controller",
                status_manager: "image-automation-controller",
                finalizer: false,
            },
            work_root,
        }
    }
}

impl From<GitWorkError> for Failure {
    fn from(e: GitWorkError) -> Failure {
        Failure::new(e.reason(), e.to_string())
    }
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn stalled(reason: &str, message: impl Into<String>) -> Outcome {
    Outcome::Stalled(Failure::new(reason, message))
}

impl ImageUpdateAutomations {
    async fn target(&self, at: &Attempt) -> Result<GitTarget, Outcome> {
        super::target::resolve(&at.client, at.namespace(), at.spec()).await
    }

    /// The selected policies' latest images (`ns/name` → ref) and `observedPolicies`.
    async fn policies(&self, at: &Attempt) -> Result<(BTreeMap<String, ImageRef>, Value), Outcome> {
        let ar = resource("ImagePolicy", "imagepolicies");
        let api: Api<DynamicObject> = Api::namespaced_with(at.client.clone(), at.namespace(), &ar);
        let mut lp = ListParams::default();
        if let Some(sel) = at.spec().get("policySelector").filter(|s| !s.is_null()) {
            if sel
                .get("matchExpressions")
                .and_then(Value::as_array)
                .is_some_and(|m| !m.is_empty())
            {
                return Err(stalled(
                    "InvalidPolicySelector",
                    "spec.policySelector.matchExpressions is not supported by fluxdeck; use matchLabels",
                ));
            }
            let labels: Vec<String> = sel
                .get("matchLabels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                        .collect()
                })
                .unwrap_or_default();
            if !labels.is_empty() {
                lp = lp.labels(&labels.join(","));
            }
        }
        let list = api.list(&lp).await.map_err(|e| {
            Outcome::Retry(Failure::new(
                "ReconciliationFailed",
                format!("cannot list ImagePolicies in '{}': {e}", at.namespace()),
            ))
        })?;
        let mut images = BTreeMap::new();
        let mut observed = serde_json::Map::new();
        for p in list.items {
            let v = serde_json::to_value(&p).unwrap_or(Value::Null);
            let Some(latest) = v.pointer("/status/latestRef").filter(|l| l.is_object()) else {
                continue;
            };
            let name = p.metadata.name.clone().unwrap_or_default();
            if let Some(r) = ImageRef::parse(&ref_string(latest)) {
                images.insert(format!("{}/{name}", at.namespace()), r);
            }
            observed.insert(name, latest.clone());
        }
        Ok((images, Value::Object(observed)))
    }

    fn report_problems(at: &mut Attempt, result: &TreeResult) {
        for p in &result.problems {
            at.event(
                EventType::Warning,
                "SkippedFile",
                format!("skipped a file that is not valid YAML: {p}"),
                BTreeMap::new(),
            );
        }
        for u in &result.unapplied {
            at.event(
                EventType::Warning,
                "MarkerNotApplied",
                format!(
                    "{}:{}: marker '{}' not applied: {}",
                    u.file, u.line, u.marker, u.reason
                ),
                BTreeMap::new(),
            );
        }
    }

    async fn run(&self, at: &mut Attempt) -> Result<Outcome, Failure> {
        at.set_status(
            "lastAutomationRunTime",
            Some(json!(Timestamp::now().to_string())),
        );
        if let Err(e) = setters::check_update_strategy(Some(
            at.spec()
                .get("update")
                .unwrap_or(&json!({"strategy": "Setters"})),
        )) {
            return Ok(stalled("InvalidUpdateStrategy", e.to_string()));
        }
        let signing = match super::signing::load(&at.client, at.namespace(), at.spec()).await {
            Ok(k) => k,
            Err(o) => return Ok(o),
        };
        let Some(email) = text(at.spec(), "/git/commit/author/email") else {
            return Ok(stalled(
                "InvalidSourceConfiguration",
                "spec.git.commit.author.email is required",
            ));
        };
        let author = Author {
            name: text(at.spec(), "/git/commit/author/name")
                .unwrap_or("FluxBot")
                .to_string(),
            email: email.to_string(),
            signing,
        };
        let template = text(at.spec(), "/git/commit/messageTemplate").map(str::to_string);
        let values = at
            .spec()
            .pointer("/git/commit/messageTemplateValues")
            .cloned()
            .unwrap_or(json!({}));
        if let Err(e) = message::render(
            template.as_deref(),
            &message::template_data(at.namespace(), at.name(), &[], &values),
        ) {
            return Ok(stalled(e.reason(), e.to_string()));
        }
        let update_path = text(at.spec(), "/update/path").unwrap_or("").to_string();
        let target = match self.target(at).await {
            Ok(t) => t,
            Err(o) => return Ok(o),
        };
        let (current, observed) = match self.policies(at).await {
            Ok(p) => p,
            Err(o) => return Ok(o),
        };
        let gated =
            proposal::annotation(&at.object, proposal::APPROVAL_ANNOTATION) == Some("required");
        let mut stored = if gated {
            proposal::load(&at.client, at.namespace(), at.name())
                .await
                .map_err(|e| {
                    Failure::new(
                        "ReconciliationFailed",
                        format!("cannot read proposal ConfigMap: {e}"),
                    )
                })?
        } else {
            proposal::Stored::default()
        };
        let who = proposal::decided_by(&at.object);
        if let (Some(p), Some(rej)) = (
            &stored.pending,
            proposal::annotation(&at.object, proposal::REJECT_ANNOTATION),
        ) && p.id == rej
        {
            let msg = format!(
                "proposal {} rejected by {who}: {}",
                p.id,
                summary(&p.changes)
            );
            stored.rejected.push(p.id.clone());
            stored.pending = None;
            save_proposals(at, &stored).await?;
            at.event(EventType::Normal, "ProposalRejected", msg, BTreeMap::new());
        }
        let approving = stored
            .pending
            .as_ref()
            .filter(|p| {
                proposal::annotation(&at.object, proposal::APPROVE_ANNOTATION)
                    == Some(p.id.as_str())
            })
            .cloned();
        let images: BTreeMap<String, ImageRef> = match &approving {
            Some(p) => p
                .images
                .iter()
                .filter_map(|(k, v)| ImageRef::parse(v).map(|r| (k.clone(), r)))
                .collect(),
            None => current.clone(),
        };
        let dir = self.work_root.join(at.namespace()).join(at.name());
        let (t, d, up, im) = (
            target.clone(),
            dir.clone(),
            update_path.clone(),
            images.clone(),
        );
        let computed = tokio::task::spawn_blocking(move || compute(&t, &d, &up, &im))
            .await
            .map_err(|e| {
                Failure::new("GitOperationFailed", format!("the Git worker stopped: {e}"))
            })??;
        Self::report_problems(at, &computed.result);
        at.set_status("observedPolicies", Some(observed));
        let checkout_rev = format!("{}@sha1:{}", target.checkout_branch, computed.work.base);
        if computed.result.changes.is_empty() {
            at.set_status("observedSourceRevision", Some(json!(checkout_rev)));
            if gated && stored.pending.is_some() {
                stored.pending = None;
                save_proposals(at, &stored).await?;
            }
            return Ok(Outcome::ready("Succeeded", "repository up-to-date"));
        }
        let data =
            message::template_data(at.namespace(), at.name(), &computed.result.changes, &values);
        let msg = message::render(template.as_deref(), &data)
            .map_err(|e| Failure::new(e.reason(), e.to_string()))?;
        let proposed = computed.proposed();
        let id = proposal::proposal_id(&proposed);
        if gated && approving.is_none() {
            return self
                .propose(at, &mut stored, computed, &target, &current, id, msg)
                .await;
        }
        let expect = approving.as_ref().map(|p| p.id.clone());
        let (t, up, im, a, m, ex) = (
            target.clone(),
            update_path.clone(),
            images,
            author,
            msg.clone(),
            expect.clone(),
        );
        let pushed = tokio::task::spawn_blocking(move || {
            commit_and_push(computed, &t, &up, &im, &a, &m, ex.as_deref())
        })
        .await
        .map_err(|e| Failure::new("GitOperationFailed", format!("the Git worker stopped: {e}")))?;
        let (_computed, oid) = match pushed {
            Ok(v) => v,
            Err(f) => {
                if let Some(mut p) = approving {
                    p.blocked = Some(f.message.clone());
                    stored.pending = Some(p);
                    let _ = proposal::save(&at.client, &at.object, &stored).await;
                }
                return Err(f);
            }
        };
        let hash = oid.to_string();
        at.set_status("lastPushCommit", Some(json!(hash)));
        at.set_status("lastPushTime", Some(json!(Timestamp::now().to_string())));
        at.set_status(
            "observedSourceRevision",
            Some(json!(format!("{}@sha1:{hash}", target.push_branch))),
        );
        let short = &hash[..7.min(hash.len())];
        at.event(
            EventType::Normal,
            "Succeeded",
            format!(
                "pushed commit '{short}' to branch '{}'\n{msg}",
                target.push_branch
            ),
            BTreeMap::new(),
        );
        if let Some(p) = approving {
            at.event(
                EventType::Normal,
                "ProposalApproved",
                format!(
                    "proposal {} approved by {who}, pushed as '{short}' to '{}': {}",
                    p.id,
                    target.push_branch,
                    summary(&p.changes)
                ),
                BTreeMap::new(),
            );
            stored.pending = None;
            save_proposals(at, &stored).await?;
        }
        Ok(Outcome::ready(
            "Succeeded",
            format!("pushed commit '{short}' to branch '{}'", target.push_branch),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn propose(
        &self,
        at: &mut Attempt,
        stored: &mut proposal::Stored,
        computed: Computed,
        target: &GitTarget,
        images: &BTreeMap<String, ImageRef>,
        id: String,
        msg: String,
    ) -> Result<Outcome, Failure> {
        let name = at.name().to_string();
        let ns = at.namespace().to_string();
        if stored.rejected.contains(&id) {
            return Ok(Outcome::ready(
                "Succeeded",
                format!(
                    "repository up-to-date: proposal {id} was rejected and is not proposed again until a policy selects another image"
                ),
            ));
        }
        let proposed = computed.proposed();
        let fresh = stored.pending.as_ref().is_none_or(|p| p.id != id);
        let old = computed.root_relative(&computed.old);
        let new = computed.root_relative(&computed.result.changed);
        let mut p = Proposal {
            id: id.clone(),
            base: computed.work.base.to_string(),
            branch: target.push_branch.clone(),
            message: msg,
            diff: proposal::unified_diff(&old, &new),
            changes: proposed,
            images: images
                .iter()
                .map(|(k, v)| (k.clone(), v.to_string()))
                .collect(),
            blocked: None,
            created: Some(Timestamp::now().to_string()),
        };
        if !fresh && let Some(prev) = &stored.pending {
            p.blocked = prev.blocked.clone();
            p.created = prev.created.clone();
        }
        let summary_text = summary(&p.changes);
        if fresh || stored.pending.as_ref() != Some(&p) {
            stored.pending = Some(p);
            save_proposals(at, stored).await?;
        }
        if fresh {
            at.event(
                EventType::Normal,
                "ProposalCreated",
                format!("proposal {id} awaits approval: {summary_text}"),
                BTreeMap::new(),
            );
        }
        Ok(Outcome::ready(
            "ApprovalPending",
            format!(
                "proposal {id} awaits approval (fluxdeck approve {name} -n {ns}): {summary_text}"
            ),
        ))
    }
}

/// `old → new` of every change, de-duplicated, for events and messages.
pub fn summary(changes: &[ProposedChange]) -> String {
    let mut parts: Vec<String> = changes
        .iter()
        .map(|c| format!("{} → {}", c.old, c.new))
        .collect();
    parts.dedup();
    let files: std::collections::BTreeSet<&str> = changes.iter().map(|c| c.file.as_str()).collect();
    format!(
        "{} in {}",
        parts.join(", "),
        files.into_iter().collect::<Vec<_>>().join(", ")
    )
}

impl Reconciler for ImageUpdateAutomations {
    fn info(&self) -> &KindInfo {
        &self.info
    }

    fn reconcile<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Outcome> + Send + 'a {
        async move { self.run(at).await.into() }
    }
}

/// Writes the proposal ConfigMap; failing to record a decision fails the reconcile.
async fn save_proposals(at: &Attempt, stored: &proposal::Stored) -> Result<(), Failure> {
    proposal::save(&at.client, &at.object, stored)
        .await
        .map_err(|e| {
            Failure::new(
                "ReconciliationFailed",
                format!("cannot write proposal ConfigMap: {e}"),
            )
        })
}

//! Push-branch approvals: an ImageUpdateAutomation whose spec.git.push.branch differs from its
//! checkout branch (real Flux's review flow) has its pushed commits listed and, on approval,
//! merged into the checkout branch (`controllers::image::pushbranch` does the Git work on a
//! blocking thread). The merge is recorded as a Kubernetes Event on the automation (who,
//! what, when), like the controller's ProposalApproved.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::approvals::{ApprovalError, Decision};
use super::progress::Reporter;
use crate::controllers::image::gitwork::GitTarget;
use crate::controllers::image::pushbranch::{self, Ahead};
use crate::controllers::image::repository::resource;
use crate::controllers::image::target;
use crate::controllers::runtime::events::PendingEvent;
use crate::controllers::runtime::{EventType, Outcome, Recorder};
use crate::tui::backend::ObjectRef;
use crate::tui::model::approvals::{Approval, ApprovalSource};

/// Where push branches are fetched to (a cache per process and automation).
pub fn cache_dir(namespace: &str, name: &str) -> PathBuf {
    std::env::temp_dir()
        .join(format!("fluxdeck-branches-{}", std::process::id()))
        .join(namespace)
        .join(name)
}

fn outcome_message(o: Outcome) -> String {
    match o {
        Outcome::Stalled(f) | Outcome::Retry(f) => f.message,
        Outcome::Waiting { message, .. } | Outcome::Ready { message, .. } => message,
        Outcome::Suspended => "the automation is suspended".into(),
    }
}

/// The Git target of an automation when it pushes to a separate branch, else None.
pub async fn separate_branch(
    client: &kube::Client,
    iua: &Value,
) -> Result<Option<GitTarget>, String> {
    let ns = iua
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    let spec = iua.get("spec").cloned().unwrap_or(Value::Null);
    // Cheap check first: no push branch in the spec means no separate branch (no API reads).
    let push = spec.pointer("/git/push/branch").and_then(Value::as_str);
    if push.is_none_or(str::is_empty) {
        return Ok(None);
    }
    let t = target::resolve(client, ns, &spec)
        .await
        .map_err(outcome_message)?;
    Ok((t.push_branch != t.checkout_branch).then_some(t))
}

/// Commits ahead on the push branch of `iua`, as a row of the Approvals pane.
pub async fn scan(client: &kube::Client, iua: &Value) -> Result<Option<Approval>, String> {
    let Some(t) = separate_branch(client, iua).await? else {
        return Ok(None);
    };
    let r = ObjectRef::of(iua);
    let dir = cache_dir(&r.namespace, &r.name);
    let t2 = t.clone();
    let ahead = tokio::task::spawn_blocking(move || pushbranch::inspect(&t2, &dir))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(ahead.map(|a| row(r, &t, a)))
}

/// `image: x:1 # {"$imagepolicy": "ns:name"}` → ("x:1", "ns:name").
fn marked_value(line: &str) -> Option<(String, String)> {
    let (value_part, marker) = line.split_once("# {\"$imagepolicy\":")?;
    let policy = marker
        .trim()
        .trim_end_matches('}')
        .trim()
        .trim_matches('"')
        .to_string();
    let value = value_part
        .rsplit_once(": ")
        .map(|(_, v)| v)
        .unwrap_or(value_part)
        .trim()
        .trim_matches('"')
        .trim_matches('\'')
        .to_string();
    Some((value, policy))
}

/// Old → new values of the setter-marked lines a diff changes, with their policies.
pub fn marked_changes(diff: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut removed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut images = Vec::new();
    let mut policies = Vec::new();
    for line in diff.lines() {
        if line.starts_with("---") || line.starts_with("+++") {
            continue;
        }
        if let Some(rest) = line.strip_prefix('-')
            && let Some((v, p)) = marked_value(rest)
        {
            removed.entry(p).or_default().push(v);
        } else if let Some(rest) = line.strip_prefix('+')
            && let Some((new, p)) = marked_value(rest)
        {
            let old = removed
                .get_mut(&p)
                .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
                .unwrap_or_default();
            if !images.contains(&(old.clone(), new.clone())) {
                images.push((old, new));
            }
            if !policies.contains(&p) {
                policies.push(p);
            }
        }
    }
    (images, policies)
}

fn row(automation: ObjectRef, t: &GitTarget, a: Ahead) -> Approval {
    let (images, policies) = marked_changes(&a.diff);
    Approval {
        automation,
        id: a.head,
        source: ApprovalSource::PushBranch {
            branch: t.push_branch.clone(),
            into: t.checkout_branch.clone(),
        },
        policies,
        files: a.files,
        images,
        created: a.time,
        message: a.message,
        diff: a.diff,
        blocked: None,
        commits: a.commits,
    }
}

/// Approve by merging the push branch; Ok(None) when the automation has no separate push
/// branch or nothing is ahead on it.
pub async fn approve(
    client: &kube::Client,
    d: &Decision<'_>,
    r: &dyn Reporter,
) -> Result<Option<String>, ApprovalError> {
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        d.namespace,
        &resource("ImageUpdateAutomation", "imageupdateautomations"),
    );
    let obj = api.get(d.automation).await?;
    let iua = serde_json::to_value(&obj).unwrap_or(Value::Null);
    let Some(t) = separate_branch(client, &iua)
        .await
        .map_err(ApprovalError::PushBranch)?
    else {
        return Ok(None);
    };
    let dir = cache_dir(d.namespace, d.automation);
    r.action(format!(
        "merging '{}' into '{}' of {}",
        t.push_branch, t.checkout_branch, t.url
    ));
    let (t2, dir2) = (t.clone(), dir.clone());
    let ahead = tokio::task::spawn_blocking(move || pushbranch::inspect(&t2, &dir2))
        .await
        .map_err(|e| ApprovalError::PushBranch(e.to_string()))?
        .map_err(|e| ApprovalError::PushBranch(e.to_string()))?;
    if ahead.is_none() {
        return Ok(None);
    }
    let name = iua
        .pointer("/spec/git/commit/author/name")
        .and_then(Value::as_str)
        .unwrap_or("fluxdeck")
        .to_string();
    let email = iua
        .pointer("/spec/git/commit/author/email")
        .and_then(Value::as_str)
        .unwrap_or("fluxdeck@localhost")
        .to_string();
    let (t2, expect, actor) = (t.clone(), d.expect.map(str::to_string), d.actor.to_string());
    let merged = tokio::task::spawn_blocking(move || {
        let sig = git2::Signature::now(&name, &email)
            .map_err(|e| pushbranch::BranchError::Git(e.message().to_string()))?;
        pushbranch::merge(&t2, &dir, expect.as_deref(), &sig, &actor)
    })
    .await
    .map_err(|e| ApprovalError::PushBranch(e.to_string()))?
    .map_err(|e| ApprovalError::PushBranch(e.to_string()))?;
    let how = if merged.fast_forward {
        "fast-forwarded"
    } else {
        "merged"
    };
    let short: String = merged.commit.chars().take(7).collect();
    let line = format!(
        "{how} {} commit(s) of '{}' into '{}' for {}/{}: pushed {short}",
        merged.commits, t.push_branch, t.checkout_branch, d.namespace, d.automation
    );
    Recorder::new(client.clone(), "fluxdeck")
        .record(
            &obj,
            &PendingEvent {
                type_: EventType::Normal,
                reason: "PushBranchMerged".into(),
                message: format!("{line} (approved by {})", d.actor),
                metadata: BTreeMap::new(),
            },
        )
        .await;
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_lines_give_old_and_new_images() {
        let diff = "--- a/d.yaml\n+++ b/d.yaml\n@@ -1 +1 @@\n-    image: \"r/app:1.0\" # {\"$imagepolicy\": \"flux-system:app\"}\n+    image: \"r/app:1.1\" # {\"$imagepolicy\": \"flux-system:app\"}\n-  newTag: 6.7.0 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n+  newTag: 6.7.1 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n";
        let (images, policies) = marked_changes(diff);
        assert_eq!(
            images,
            vec![
                ("r/app:1.0".to_string(), "r/app:1.1".to_string()),
                ("6.7.0".to_string(), "6.7.1".to_string())
            ]
        );
        assert_eq!(policies, vec!["flux-system:app", "flux-system:podinfo:tag"]);
    }
}

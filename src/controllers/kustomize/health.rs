//! Health checks (SPEC §6.9): kstatus with Flux's Job rule over the applied objects (`wait`)
//! or `spec.healthChecks`, fail-fast, until `GetTimeout()`. Flux polls every 5s; here the
//! first polls come sooner (doubling from 50ms up to 5s) because in-process rollouts finish
//! in milliseconds, and the decision itself is kstatus's `wait_outcome`. Before the first poll
//! the set is judged on the objects as the apply answered them: when those are all Current
//! already (ConfigMaps, Services, unchanged workloads) no poll is needed at all.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject};
use serde_json::Value;

use super::apply::{self, Action, Change, Resolver};
use crate::engine::kstatus::{self, ResourceStatus, Rules, Status, WaitOutcome};

/// One object to watch.
#[derive(Debug, Clone)]
pub struct Check {
    pub subject: String,
    pub resource: ApiResource,
    pub namespace: Option<String>,
    pub name: String,
    /// The object as the apply left it (None: known only by polling).
    pub observed: Option<Arc<Value>>,
}

/// With `wait`, every applied object except skipped ones.
pub fn from_changes(changes: &[Change], own_subject: &str) -> Vec<Check> {
    changes
        .iter()
        .filter(|c| c.action != Action::Skipped && c.subject != own_subject)
        .map(|c| Check {
            subject: c.subject.clone(),
            resource: c.resource.clone(),
            namespace: c.namespace.clone(),
            name: c.name.clone(),
            observed: c.observed.clone(),
        })
        .collect()
}

/// `spec.healthChecks` (apiVersion defaults to apps/v1, namespace to the Kustomization's).
pub async fn from_spec(
    resolver: &Resolver,
    refs: &[Value],
    own_namespace: &str,
    own_subject: &str,
) -> Result<Vec<Check>, String> {
    let mut out = Vec::new();
    for r in refs {
        let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
        let name = r.get("name").and_then(Value::as_str).unwrap_or("");
        let api_version = r
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("apps/v1");
        let ns = r
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or(own_namespace);
        let (resource, namespaced) = resolver.resolve(api_version, kind).await?;
        let namespace = namespaced.then(|| ns.to_string());
        let subject = apply::subject(kind, namespace.as_deref(), name);
        if subject == own_subject {
            continue;
        }
        out.push(Check {
            subject,
            resource,
            namespace,
            name: name.to_string(),
            observed: None,
        });
    }
    Ok(out)
}

fn status_of(object: &Value) -> (Status, Option<String>) {
    match kstatus::compute_with(object, Rules::Flux) {
        Ok(r) => (r.status, None),
        Err(e) => (Status::Unknown, Some(e.to_string())),
    }
}

/// Every check's object was seen by the apply and is Current in that state.
pub fn current_as_applied(checks: &[Check]) -> bool {
    checks.iter().all(|c| {
        c.observed
            .as_deref()
            .is_some_and(|o| status_of(o).0 == Status::Current)
    })
}

async fn poll(client: &kube::Client, c: &Check) -> ResourceStatus {
    let api: Api<DynamicObject> = match &c.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &c.resource),
        None => Api::all_with(client.clone(), &c.resource),
    };
    let (status, error) = match api.get_opt(&c.name).await {
        Ok(Some(o)) => status_of(&serde_json::to_value(o).unwrap_or(Value::Null)),
        Ok(None) => (Status::NotFound, None),
        Err(e) => (Status::Unknown, Some(e.to_string())),
    };
    ResourceStatus {
        id: c.subject.clone(),
        status,
        error,
    }
}

/// Wait for the set; Err carries Flux's message (`timeout waiting for: [...]`, ...).
/// Anything short of "all Current as applied" is decided by polling, exactly as without it.
pub async fn wait(
    client: &kube::Client,
    checks: &[Check],
    timeout: Duration,
) -> Result<(), String> {
    if current_as_applied(checks) {
        return Ok(());
    }
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(50);
    loop {
        let mut statuses = Vec::with_capacity(checks.len());
        for c in checks {
            statuses.push(poll(client, c).await);
        }
        match kstatus::wait_outcome(&statuses, true, Instant::now() >= deadline) {
            WaitOutcome::Ready => return Ok(()),
            WaitOutcome::Failed(message) => return Err(message),
            WaitOutcome::Continue => {}
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(pause.min(left)).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(observed: Option<Value>) -> Check {
        Check {
            subject: "X/default/x".into(),
            resource: ApiResource {
                group: String::new(),
                version: "v1".into(),
                api_version: "v1".into(),
                kind: "X".into(),
                plural: "xs".into(),
            },
            namespace: Some("default".into()),
            name: "x".into(),
            observed: observed.map(Arc::new),
        }
    }

    #[test]
    fn only_a_set_all_current_as_applied_skips_the_polls() {
        let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "namespace": "default", "generation": 1}});
        let rolling = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "x", "namespace": "default", "generation": 2},
            "spec": {"replicas": 1}, "status": {"observedGeneration": 1}});
        assert!(current_as_applied(&[check(Some(config_map.clone()))]));
        assert!(!current_as_applied(&[
            check(Some(config_map.clone())),
            check(Some(rolling))
        ]));
        assert!(!current_as_applied(&[check(Some(config_map)), check(None)]));
    }
}

//! The command path: user intents performed exactly as the flux CLI performs them (SPEC §4),
//! through any `kube::Client`. The TUI and the CLI both call these; neither talks to a
//! controller directly, so the console behaves the same on the embedded store and on a
//! production cluster running real Flux.

use std::time::{Duration, Instant};

use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use serde_json::{Value, json};

use super::kinds::flux_cli_name;
use super::progress::Reporter;
use super::readiness::{Readiness, is_static, readiness, success_message};

pub const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
pub const FORCE_AT: &str = "reconcile.fluxcd.io/forceAt";
pub const RESET_AT: &str = "reconcile.fluxcd.io/resetAt";
/// Why an object was suspended, who did it and when (shown in the console's list).
pub const SUSPEND_REASON: &str = "fluxdeck.io/suspend-reason";
pub const SUSPENDED_BY: &str = "fluxdeck.io/suspended-by";
pub const SUSPENDED_AT: &str = "fluxdeck.io/suspended-at";

/// One object an intent addresses.
#[derive(Debug, Clone)]
pub struct Target {
    pub resource: ApiResource,
    pub namespace: Option<String>,
    pub name: String,
}

impl Target {
    fn api(&self, client: &kube::Client) -> Api<DynamicObject> {
        match &self.namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &self.resource),
            None => Api::all_with(client.clone(), &self.resource),
        }
    }
    fn ns_label(&self) -> &str {
        self.namespace.as_deref().unwrap_or("cluster")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IntentError {
    #[error("{kind} {name} not found in {namespace} namespace")]
    NotFound {
        kind: String,
        name: String,
        namespace: String,
    },
    #[error("resource is suspended")]
    Suspended,
    #[error("{kind} {name} reconciliation failed: {message}")]
    Failed {
        kind: String,
        name: String,
        message: String,
    },
    #[error("timeout waiting for {kind} {name} after {secs}s: {last}")]
    Timeout {
        kind: String,
        name: String,
        secs: u64,
        last: String,
    },
    #[error("cannot reconcile source of kind {0}")]
    UnsupportedSource(String),
    #[error("{0} has no source reference")]
    NoSource(String),
    #[error("API request failed: {0}")]
    Api(#[from] kube::Error),
}

fn not_found(t: &Target) -> IntentError {
    IntentError::NotFound {
        kind: t.resource.kind.clone(),
        name: t.name.clone(),
        namespace: t.ns_label().to_string(),
    }
}

async fn get(client: &kube::Client, t: &Target) -> Result<Value, IntentError> {
    match t.api(client).get(&t.name).await {
        Ok(obj) => Ok(serde_json::to_value(obj).unwrap_or(Value::Null)),
        Err(kube::Error::Api(s)) if s.is_not_found() => Err(not_found(t)),
        Err(e) => Err(e.into()),
    }
}

async fn merge_patch(
    client: &kube::Client,
    t: &Target,
    patch: Value,
) -> Result<Value, IntentError> {
    match t
        .api(client)
        .patch(&t.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
    {
        Ok(obj) => Ok(serde_json::to_value(obj).unwrap_or(Value::Null)),
        Err(kube::Error::Api(s)) if s.is_not_found() => Err(not_found(t)),
        Err(e) => Err(e.into()),
    }
}

/// `flux suspend`: `{"spec":{"suspend":true}}`, plus who/why/when annotations.
pub async fn suspend(
    client: &kube::Client,
    t: &Target,
    reason: Option<&str>,
    actor: &str,
    r: &dyn Reporter,
) -> Result<(), IntentError> {
    let cli = flux_cli_name(&t.resource.kind);
    r.action(format!(
        "suspending {cli} {} in {} namespace",
        t.name,
        t.ns_label()
    ));
    let mut annotations = serde_json::Map::new();
    annotations.insert(SUSPENDED_BY.into(), json!(actor));
    annotations.insert(SUSPENDED_AT.into(), json!(now_rfc3339()));
    annotations.insert(
        SUSPEND_REASON.into(),
        reason.map(|s| json!(s)).unwrap_or(Value::Null),
    );
    merge_patch(
        client,
        t,
        json!({"metadata":{"annotations":annotations},"spec":{"suspend":true}}),
    )
    .await?;
    r.success(format!("{cli} suspended"));
    Ok(())
}

/// `flux resume`: clears `spec.suspend` (and fluxdeck's suspend annotations), then optionally
/// waits for the reconcile the generation bump triggers.
pub async fn resume(
    client: &kube::Client,
    t: &Target,
    wait: Option<Duration>,
    r: &dyn Reporter,
) -> Result<(), IntentError> {
    let cli = flux_cli_name(&t.resource.kind);
    r.action(format!(
        "resuming {cli} {} in {} namespace",
        t.name,
        t.ns_label()
    ));
    let patch = json!({"metadata":{"annotations":{SUSPEND_REASON: null, SUSPENDED_BY: null, SUSPENDED_AT: null}},
                       "spec":{"suspend":null}});
    merge_patch(client, t, patch).await?;
    r.success(format!("{cli} resumed"));
    if let Some(timeout) = wait {
        r.waiting(format!("waiting for {} reconciliation", t.resource.kind));
        let obj = wait_until(client, t, timeout, |obj| Ok(readiness(obj))).await?;
        r.success(format!(
            "{} {} reconciliation completed",
            t.resource.kind, t.name
        ));
        r.success(success_message(&obj));
    }
    Ok(())
}

/// Options of a reconcile request.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReconcileFlags {
    /// HelmRelease: one-off forced install/upgrade (`reconcile.fluxcd.io/forceAt`).
    pub force: bool,
    /// HelmRelease: clear failure counters (`reconcile.fluxcd.io/resetAt`).
    pub reset: bool,
}

/// `flux reconcile`: annotate requestedAt, wait until lastHandledReconcileAt changes and the
/// object is Ready at its latest generation.
pub async fn reconcile(
    client: &kube::Client,
    t: &Target,
    flags: ReconcileFlags,
    timeout: Duration,
    r: &dyn Reporter,
) -> Result<Value, IntentError> {
    let before = get(client, t).await?;
    if is_static(&before) {
        r.success("reconciliation not supported by the object".into());
        return Ok(before);
    }
    if before.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return Err(IntentError::Suspended);
    }
    let handled_before = before.pointer("/status/lastHandledReconcileAt").cloned();
    let token = now_rfc3339_nanos();
    let mut annotations = serde_json::Map::new();
    annotations.insert(REQUESTED_AT.into(), json!(token));
    if flags.force {
        annotations.insert(FORCE_AT.into(), json!(token));
    }
    if flags.reset {
        annotations.insert(RESET_AT.into(), json!(token));
    }
    r.action(format!(
        "annotating {} {} in {} namespace",
        t.resource.kind,
        t.name,
        t.ns_label()
    ));
    merge_patch(client, t, json!({"metadata":{"annotations":annotations}})).await?;
    r.success(format!("{} annotated", t.resource.kind));
    r.waiting(format!("waiting for {} reconciliation", t.resource.kind));
    let obj = wait_until(client, t, timeout, |obj| {
        if obj.pointer("/status/lastHandledReconcileAt") == handled_before.as_ref() {
            return Ok(Readiness::Pending(
                "reconcile request not handled yet".into(),
            ));
        }
        Ok(readiness(obj))
    })
    .await?;
    r.success(success_message(&obj));
    Ok(obj)
}

/// The source an object reconciles from (Kustomization sourceRef, HelmRelease chart source).
pub fn source_of(obj: &Value) -> Option<(String, String, String, Option<String>)> {
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let reference = match kind {
        "Kustomization" => obj.pointer("/spec/sourceRef")?,
        "HelmRelease" => obj
            .pointer("/spec/chartRef")
            .or_else(|| obj.pointer("/spec/chart/spec/sourceRef"))?,
        "HelmChart" => obj.pointer("/spec/sourceRef")?,
        _ => return None,
    };
    let rkind = reference.get("kind")?.as_str()?.to_string();
    let name = reference.get("name")?.as_str()?.to_string();
    let api_version = reference
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let rns = reference
        .get("namespace")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(ns);
    Some((rkind, name, api_version, rns))
}

/// Poll the object until `decide` says it is done, failed, or the timeout passes.
async fn wait_until<F>(
    client: &kube::Client,
    t: &Target,
    timeout: Duration,
    decide: F,
) -> Result<Value, IntentError>
where
    F: Fn(&Value) -> Result<Readiness, IntentError>,
{
    let started = Instant::now();
    loop {
        let obj = get(client, t).await?;
        match decide(&obj)? {
            Readiness::Ready => return Ok(obj),
            Readiness::Failed(message) => {
                return Err(IntentError::Failed {
                    kind: t.resource.kind.clone(),
                    name: t.name.clone(),
                    message,
                });
            }
            Readiness::Pending(last) => {
                if started.elapsed() >= timeout {
                    return Err(IntentError::Timeout {
                        kind: t.resource.kind.clone(),
                        name: t.name.clone(),
                        secs: timeout.as_secs(),
                        last,
                    });
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// RFC3339 with nanoseconds, as the flux CLI writes requestedAt tokens.
pub fn now_rfc3339_nanos() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.9fZ")
        .to_string()
}

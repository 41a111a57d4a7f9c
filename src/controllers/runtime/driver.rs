//! The loop every controller shares: a reflector + watch of its kind, a trigger queue fed by
//! the object's own "reconcile requested" changes and by any other watch a controller adds,
//! kube-rs's `applier` for scheduling (one reconcile per object at a time, requeue timers),
//! and the single exit that patches status once and records events.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use jiff::Timestamp;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use kube::runtime::controller::{Action, Config as ApplierConfig};
use kube::runtime::reflector::{ObjectRef, Store, store::Writer};
use kube::runtime::{WatchStreamExt, applier, watcher};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::UnboundedReceiverStream;

use super::attempt::Attempt;
use super::events::{EventType, PendingEvent, Recorder};
use super::outcome::{Failure, Outcome, RetryPolicy};
use super::progress::StatusWriter;
use super::schedule;
use super::summarize::{self, ObjectFacts};
use super::telemetry::{Bus, ObjectKey, Telemetry};

/// Flux's finalizer on every kind.
pub const FINALIZER: &str = "finalizers.fluxcd.io";

/// Static facts about a controller's kind.
#[derive(Debug, Clone)]
pub struct KindInfo {
    pub resource: ApiResource,
    /// Event `source.component` (`source-controller`, `kustomize-controller`).
    pub controller: &'static str,
    /// Field manager of status patches (`source-controller`, `gotk-kustomize-controller`).
    pub status_manager: &'static str,
    /// Add `finalizers.fluxcd.io` and run `finalize` on deletion.
    pub finalizer: bool,
}

/// One controller: the steps specific to its kind. The runtime does the rest.
pub trait Reconciler: Send + Sync + 'static {
    fn info(&self) -> &KindInfo;
    /// Requeue interval after success (before jitter).
    fn interval(&self, obj: &Value) -> Duration {
        schedule::spec_duration(obj, "interval", Duration::from_secs(600))
            .unwrap_or(Duration::from_secs(600))
    }
    fn retry_policy(&self, _obj: &Value) -> RetryPolicy {
        RetryPolicy::FLUX_DEFAULT
    }
    /// Upper bound for one attempt; None = unbounded.
    fn timeout(&self, _obj: &Value) -> Option<Duration> {
        None
    }
    fn reconcile<'a>(&'a self, at: &'a mut Attempt) -> impl Future<Output = Outcome> + Send + 'a;
    /// Clean up before the finalizer is removed.
    fn finalize<'a>(
        &'a self,
        _at: &'a mut Attempt,
    ) -> impl Future<Output = Result<(), Failure>> + Send + 'a {
        async { Ok(()) }
    }
}

/// Ask for reconciles of objects of one kind (from any watch or event source).
#[derive(Clone)]
pub struct Trigger {
    tx: mpsc::UnboundedSender<ObjectRef<DynamicObject>>,
    resource: ApiResource,
}

impl Trigger {
    pub fn reconcile(&self, namespace: Option<&str>, name: &str) {
        let mut r = ObjectRef::new_with(name, self.resource.clone());
        if let Some(ns) = namespace {
            r = r.within(ns);
        }
        // A closed queue means the controller is shutting down.
        let _ = self.tx.send(r);
    }
}

/// A running controller: its object cache, its trigger and its tasks (aborted on drop).
pub struct Running {
    pub reader: Store<DynamicObject>,
    pub trigger: Trigger,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Keep an extra task (a watch feeding the trigger) alive as long as the controller.
    pub fn attach(&mut self, task: JoinHandle<()>) {
        self.tasks.push(task);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    #[error("cannot read {object}: {source}")]
    Read { object: String, source: kube::Error },
    #[error("cannot patch {what} of {object}: {source}")]
    Write {
        object: String,
        what: &'static str,
        source: kube::Error,
    },
}

struct Ctx<R> {
    reconciler: Arc<R>,
    client: kube::Client,
    bus: Bus,
    recorder: Recorder,
    failures: Mutex<HashMap<String, u32>>,
}

/// Start a controller: watch its kind, reconcile on triggers, `concurrency` objects at a time.
pub fn spawn<R: Reconciler>(
    client: kube::Client,
    bus: Bus,
    reconciler: Arc<R>,
    concurrency: u16,
) -> Running {
    let info = reconciler.info().clone();
    let ar = info.resource.clone();
    let writer = Writer::new(ar.clone());
    let reader = writer.as_reader();
    let (tx, rx) = mpsc::unbounded_channel();
    let trigger = Trigger {
        tx,
        resource: ar.clone(),
    };
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let self_trigger = trigger.clone();
    let watch_task = tokio::spawn(async move {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .reflect(writer)
            .applied_objects();
        futures::pin_mut!(stream);
        while let Some(item) = stream.next().await {
            let Ok(obj) = item else { continue };
            let key = schedule::self_trigger_key_of(&obj.metadata);
            let id = format!(
                "{}/{}",
                obj.metadata.namespace.as_deref().unwrap_or(""),
                obj.metadata.name.as_deref().unwrap_or("")
            );
            if seen.insert(id, key) != Some(key) {
                self_trigger.reconcile(
                    obj.metadata.namespace.as_deref(),
                    obj.metadata.name.as_deref().unwrap_or(""),
                );
            }
        }
    });
    let ctx = Arc::new(Ctx {
        reconciler,
        client: client.clone(),
        bus,
        recorder: Recorder::new(client, info.controller),
        failures: Mutex::new(HashMap::new()),
    });
    let queue = UnboundedReceiverStream::new(rx).map(Ok::<_, Infallible>);
    let applier_reader = reader.clone();
    let run_task = tokio::spawn(async move {
        let results = applier(
            |obj, ctx| Box::pin(run_one(obj, ctx)),
            |_obj, err: &DriverError, _ctx| {
                tracing::warn!("{err}");
                Action::requeue(Duration::from_secs(5))
            },
            ctx,
            applier_reader,
            queue,
            ApplierConfig::default().concurrency(concurrency),
        );
        results.for_each(|_| async {}).await;
    });
    Running {
        reader,
        trigger,
        tasks: vec![watch_task, run_task],
    }
}

fn object_key(info: &KindInfo, obj: &DynamicObject) -> ObjectKey {
    ObjectKey {
        kind: info.resource.kind.clone(),
        namespace: obj.metadata.namespace.clone().unwrap_or_default(),
        name: obj.metadata.name.clone().unwrap_or_default(),
    }
}

fn api_for(client: &kube::Client, ar: &ApiResource, ns: Option<&str>) -> Api<DynamicObject> {
    match ns {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

fn has_finalizer(obj: &DynamicObject) -> bool {
    obj.metadata
        .finalizers
        .as_ref()
        .is_some_and(|f| f.iter().any(|x| x == FINALIZER))
}

/// JSON patch adding or removing our finalizer, guarded by a `test` of the current list so a
/// concurrent writer is not overwritten.
fn finalizer_patch(obj: &DynamicObject, add: bool) -> Value {
    let current = obj.metadata.finalizers.clone().unwrap_or_default();
    let mut next: Vec<String> = current
        .iter()
        .filter(|f| *f != FINALIZER)
        .cloned()
        .collect();
    if add {
        next.push(FINALIZER.to_string());
    }
    if obj.metadata.finalizers.is_none() {
        return json!([{"op": "add", "path": "/metadata/finalizers", "value": next}]);
    }
    json!([
        {"op": "test", "path": "/metadata/finalizers", "value": current},
        {"op": "replace", "path": "/metadata/finalizers", "value": next}
    ])
}

async fn patch_finalizer(
    api: &Api<DynamicObject>,
    obj: &DynamicObject,
    add: bool,
) -> Result<(), DriverError> {
    let name = obj.metadata.name.clone().unwrap_or_default();
    let patch: json_patch::Patch =
        serde_json::from_value(finalizer_patch(obj, add)).map_err(|e| DriverError::Write {
            object: name.clone(),
            what: "finalizers",
            source: kube::Error::SerdeError(e),
        })?;
    match api
        .patch(&name, &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(source) => Err(DriverError::Write {
            object: name,
            what: "finalizers",
            source,
        }),
    }
}

async fn run_one<R: Reconciler>(
    cached: Arc<DynamicObject>,
    ctx: Arc<Ctx<R>>,
) -> Result<Action, DriverError> {
    let info = ctx.reconciler.info();
    let ns = cached.metadata.namespace.as_deref();
    let name = cached.metadata.name.clone().unwrap_or_default();
    let api = api_for(&ctx.client, &info.resource, ns);
    let key = object_key(info, &cached);
    // Read fresh: the cache may not have seen our last status write yet.
    let obj = match api.get(&name).await {
        Ok(o) => o,
        Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Action::await_change()),
        Err(source) => {
            return Err(DriverError::Read {
                object: key.to_string(),
                source,
            });
        }
    };
    let value = serde_json::to_value(&obj).unwrap_or(Value::Null);
    ctx.bus.send(Telemetry::Started {
        controller: info.controller,
        object: key.clone(),
    });
    let mut at = Attempt::new(
        ctx.client.clone(),
        obj.clone(),
        value.clone(),
        ctx.bus.clone(),
        info.controller,
        key.clone(),
        StatusWriter {
            api: api.clone(),
            manager: info.status_manager,
            written: value.get("status").cloned().unwrap_or_else(|| json!({})),
        },
    );
    if obj.metadata.deletion_timestamp.is_some() {
        return finalize_deleted(&ctx, &api, &obj, at).await;
    }
    if info.finalizer && !has_finalizer(&obj) {
        patch_finalizer(&api, &obj, true).await?;
    }
    let facts = ObjectFacts {
        generation: at.generation,
        requested_at: schedule::requested_at(&value),
        interval: ctx.reconciler.interval(&value),
    };
    let outcome = if schedule::suspended(&value) {
        Outcome::Suspended
    } else {
        summarize::begin(
            &mut at.status,
            at.generation,
            "Reconciliation in progress",
            Timestamp::now(),
        );
        match ctx.reconciler.timeout(&value) {
            Some(limit) => {
                match tokio::time::timeout(limit, ctx.reconciler.reconcile(&mut at)).await {
                    Ok(o) => o,
                    Err(_) => Outcome::Retry(Failure::new(
                        "ReconciliationFailed",
                        format!(
                            "reconciliation timed out after {}",
                            crate::engine::duration::format_go(limit)
                        ),
                    )),
                }
            }
            None => ctx.reconciler.reconcile(&mut at).await,
        }
    };
    summarize::finalize(&mut at.status, &facts, &outcome, Timestamp::now());
    if let Some(patch) = summarize::status_patch(&at.writer.written, &at.status) {
        let params = PatchParams {
            field_manager: Some(info.status_manager.to_string()),
            ..PatchParams::default()
        };
        match api
            .patch_status(&name, &params, &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(Action::await_change()),
            Err(source) => {
                return Err(DriverError::Write {
                    object: key.to_string(),
                    what: "status",
                    source,
                });
            }
        }
    }
    if let Outcome::Retry(f) | Outcome::Stalled(f) = &outcome {
        let metadata = at.event_metadata.clone();
        at.events.push(PendingEvent {
            type_: EventType::Warning,
            reason: f.reason.clone(),
            message: f.message.clone(),
            metadata,
        });
    }
    for ev in &at.events {
        ctx.recorder.record(&obj, ev).await;
    }
    let failures = {
        let mut map = ctx.failures.lock().unwrap_or_else(|p| p.into_inner());
        let id = key.to_string();
        if matches!(outcome, Outcome::Retry(_)) {
            let n = map.entry(id).or_insert(0);
            *n += 1;
            *n
        } else {
            map.remove(&id);
            0
        }
    };
    let requeue = summarize::requeue_after(
        &outcome,
        &facts,
        ctx.reconciler.retry_policy(&value),
        failures,
        schedule::jitter_sample(),
    );
    let message = match &outcome {
        Outcome::Ready { message, .. } | Outcome::Waiting { message, .. } => message.clone(),
        Outcome::Stalled(f) | Outcome::Retry(f) => f.message.clone(),
        Outcome::Suspended => "suspended".into(),
    };
    ctx.bus.send(Telemetry::Finished {
        controller: info.controller,
        object: key,
        outcome: outcome.label(),
        message,
        took: at.started.elapsed(),
        phases: std::mem::take(&mut at.phases),
    });
    Ok(requeue
        .map(Action::requeue)
        .unwrap_or_else(Action::await_change))
}

async fn finalize_deleted<R: Reconciler>(
    ctx: &Ctx<R>,
    api: &Api<DynamicObject>,
    obj: &DynamicObject,
    mut at: Attempt,
) -> Result<Action, DriverError> {
    let info = ctx.reconciler.info();
    if !info.finalizer || !has_finalizer(obj) {
        return Ok(Action::await_change());
    }
    let started = Instant::now();
    let result = ctx.reconciler.finalize(&mut at).await;
    if let Err(f) = &result {
        at.events.push(PendingEvent {
            type_: EventType::Warning,
            reason: f.reason.clone(),
            message: f.message.clone(),
            metadata: at.event_metadata.clone(),
        });
    }
    for ev in &at.events {
        ctx.recorder.record(obj, ev).await;
    }
    ctx.bus.send(Telemetry::Finished {
        controller: info.controller,
        object: at.key.clone(),
        outcome: if result.is_ok() { "Deleted" } else { "Retry" },
        message: result
            .as_ref()
            .err()
            .map(|f| f.message.clone())
            .unwrap_or_default(),
        took: started.elapsed(),
        phases: std::mem::take(&mut at.phases),
    });
    match result {
        Ok(()) => {
            patch_finalizer(api, obj, false).await?;
            Ok(Action::await_change())
        }
        Err(_) => Ok(Action::requeue(
            ctx.reconciler.retry_policy(&at.object).delay(1),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(finalizers: Option<Vec<&str>>) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "X",
            "metadata": {"name": "a", "finalizers": finalizers}
        }))
        .unwrap()
    }

    #[test]
    fn finalizer_patches_guard_the_existing_list() {
        let none = obj(None);
        assert_eq!(
            finalizer_patch(&none, true),
            json!([{"op": "add", "path": "/metadata/finalizers", "value": [FINALIZER]}])
        );
        let some = obj(Some(vec!["other", FINALIZER]));
        let p = finalizer_patch(&some, false);
        assert_eq!(p[0]["op"], "test");
        assert_eq!(p[1]["value"], json!(["other"]));
        assert!(has_finalizer(&some) && !has_finalizer(&none));
    }
}

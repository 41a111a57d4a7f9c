//! Kubernetes Events as Flux's controllers record them (SPEC §2.5): core/v1 Events with
//! `source.component` = the controller name, the Flux object as involvedObject, Flux reasons,
//! and the metadata map as annotations. A repeat of the last event about the same object is
//! folded into it (count + lastTimestamp), as client-go's correlator does.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

/// Event type (`Trace` events of Flux are recorded as Normal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// An event waiting to be recorded at the end of a reconcile.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    pub type_: EventType,
    pub reason: String,
    pub message: String,
    /// Annotations such as `kustomize.toolkit.fluxcd.io/revision`.
    pub metadata: BTreeMap<String, String>,
}

/// Kubernetes caps Event messages; Flux's recorder trims long ones.
const MAX_EVENT_MESSAGE: usize = 39000;

struct Last {
    name: String,
    namespace: String,
    key: (String, String, String),
    count: i64,
}

/// Records Events through the API (never directly into a store).
#[derive(Clone)]
pub struct Recorder {
    client: kube::Client,
    component: &'static str,
    last: Arc<Mutex<HashMap<String, Last>>>,
}

fn truncate(message: &str) -> String {
    if message.len() <= MAX_EVENT_MESSAGE {
        return message.to_string();
    }
    let mut end = MAX_EVENT_MESSAGE - 3;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &message[..end])
}

/// The involvedObject reference of a Flux object.
pub fn involved_object(obj: &DynamicObject) -> Value {
    let types = obj.types.clone().unwrap_or_default();
    json!({
        "apiVersion": types.api_version,
        "kind": types.kind,
        "name": obj.metadata.name,
        "namespace": obj.metadata.namespace,
        "uid": obj.metadata.uid,
        "resourceVersion": obj.metadata.resource_version,
    })
}

/// The Event object (pure, so the shape is testable).
pub fn event_body(
    obj: &DynamicObject,
    ev: &PendingEvent,
    component: &str,
    name: &str,
    now: Timestamp,
) -> Value {
    let ts = Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string();
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": name,
            "namespace": obj.metadata.namespace.clone().unwrap_or_else(|| "default".into()),
            "annotations": ev.metadata,
        },
        "involvedObject": involved_object(obj),
        "reason": ev.reason,
        "message": truncate(&ev.message),
        "type": ev.type_.as_str(),
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": component,
        "firstTimestamp": ts,
        "lastTimestamp": ts,
        "count": 1,
    })
}

fn events_api(client: &kube::Client, namespace: &str) -> Api<DynamicObject> {
    let ar = kube::api::ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Event".into(),
        plural: "events".into(),
    };
    Api::namespaced_with(client.clone(), namespace, &ar)
}

impl Recorder {
    pub fn new(client: kube::Client, component: &'static str) -> Recorder {
        Recorder {
            client,
            component,
            last: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn component(&self) -> &'static str {
        self.component
    }

    /// Record one event. Failures are logged, never fatal: events are best effort in Flux too.
    pub async fn record(&self, obj: &DynamicObject, ev: &PendingEvent) {
        let uid = obj.metadata.uid.clone().unwrap_or_default();
        let namespace = obj
            .metadata
            .namespace
            .clone()
            .unwrap_or_else(|| "default".into());
        let key = (
            ev.type_.as_str().to_string(),
            ev.reason.clone(),
            ev.message.clone(),
        );
        let now = Timestamp::now();
        let repeat = self.last.lock().ok().and_then(|m| {
            m.get(&uid)
                .filter(|l| l.key == key)
                .map(|l| (l.name.clone(), l.namespace.clone(), l.count))
        });
        let api = events_api(&self.client, &namespace);
        if let Some((name, ns, count)) = repeat {
            let ts = Timestamp::from_second(now.as_second())
                .unwrap_or(now)
                .to_string();
            let patch = json!({"count": count + 1, "lastTimestamp": ts});
            let api = events_api(&self.client, &ns);
            if api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .is_ok()
            {
                if let Ok(mut m) = self.last.lock()
                    && let Some(l) = m.get_mut(&uid)
                {
                    l.count = count + 1;
                }
                return;
            }
        }
        let obj_name = obj.metadata.name.clone().unwrap_or_default();
        let name = format!("{}.{:x}", obj_name, now.as_nanosecond());
        let body = event_body(obj, ev, self.component, &name, now);
        let Ok(dynobj) = serde_json::from_value::<DynamicObject>(body) else {
            return;
        };
        match api.create(&PostParams::default(), &dynobj).await {
            Ok(_) => {
                if let Ok(mut m) = self.last.lock() {
                    m.insert(
                        uid,
                        Last {
                            name,
                            namespace,
                            key,
                            count: 1,
                        },
                    );
                }
            }
            Err(e) => tracing::warn!(component = self.component, "cannot record event: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_the_component_object_and_metadata() {
        let obj: DynamicObject = serde_json::from_value(json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "apps", "namespace": "flux-system", "uid": "u1", "resourceVersion": "7"}
        }))
        .unwrap();
        let ev = PendingEvent {
            type_: EventType::Warning,
            reason: "BuildFailed".into(),
            message: "kustomize build failed".into(),
            metadata: BTreeMap::from([(
                "kustomize.toolkit.fluxcd.io/revision".to_string(),
                "main@sha1:abc".to_string(),
            )]),
        };
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let body = event_body(&obj, &ev, "kustomize-controller", "apps.1", now);
        assert_eq!(body["source"]["component"], "kustomize-controller");
        assert_eq!(body["involvedObject"]["kind"], "Kustomization");
        assert_eq!(body["involvedObject"]["uid"], "u1");
        assert_eq!(body["type"], "Warning");
        assert_eq!(
            body["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/revision"],
            "main@sha1:abc"
        );
        assert_eq!(body["metadata"]["namespace"], "flux-system");
        assert_eq!(truncate(&"x".repeat(50_000)).len(), MAX_EVENT_MESSAGE);
    }
}

//! The per-attempt context a controller works in: the object as JSON, the working status (the
//! runtime patches it once at the end), buffered events, phase timings.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube::api::DynamicObject;
use serde_json::Value;

use super::conditions::{self, CondStatus};
use super::events::{EventType, PendingEvent};
use super::progress::StatusWriter;
use super::telemetry::{Bus, ObjectKey, Telemetry};

pub struct Attempt {
    pub client: kube::Client,
    /// The object as read from the API at the start of the attempt.
    pub object: Value,
    pub dynamic: DynamicObject,
    /// Working copy of `.status`; written when the attempt ends (and by `progress`).
    pub status: Value,
    pub generation: i64,
    pub started: Instant,
    pub(crate) events: Vec<PendingEvent>,
    /// Metadata attached to the runtime's failure event (e.g. the revision).
    pub event_metadata: BTreeMap<String, String>,
    pub(crate) phases: Vec<(&'static str, Duration)>,
    pub(crate) bus: Bus,
    pub(crate) controller: &'static str,
    pub key: ObjectKey,
    /// Where `progress` patches status mid-attempt; the driver's final patch diffs against it.
    pub(crate) writer: StatusWriter,
}

impl Attempt {
    pub(crate) fn new(
        client: kube::Client,
        dynamic: DynamicObject,
        object: Value,
        bus: Bus,
        controller: &'static str,
        key: ObjectKey,
        writer: StatusWriter,
    ) -> Attempt {
        let status = object
            .get("status")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        let generation = super::schedule::generation(&object);
        Attempt {
            client,
            object,
            dynamic,
            status,
            generation,
            started: Instant::now(),
            events: Vec::new(),
            event_metadata: BTreeMap::new(),
            phases: Vec::new(),
            bus,
            controller,
            key,
            writer,
        }
    }

    pub fn name(&self) -> &str {
        self.object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn spec(&self) -> &Value {
        self.object.get("spec").unwrap_or(&Value::Null)
    }

    /// Buffer an event; the runtime records it after the status patch.
    pub fn event(
        &mut self,
        type_: EventType,
        reason: &str,
        message: impl Into<String>,
        metadata: BTreeMap<String, String>,
    ) {
        self.events.push(PendingEvent {
            type_,
            reason: reason.to_string(),
            message: message.into(),
            metadata,
        });
    }

    /// Set a kind-specific condition (ArtifactInStorage, FetchFailed, Healthy, ...).
    pub fn condition(&mut self, type_: &str, status: CondStatus, reason: &str, message: &str) {
        conditions::set(
            &mut self.status,
            type_,
            status,
            reason,
            message,
            self.generation,
            Timestamp::now(),
        );
    }

    pub fn delete_condition(&mut self, type_: &str) {
        conditions::delete(&mut self.status, type_);
    }

    /// Set a top-level status field (None removes it).
    pub fn set_status(&mut self, field: &str, value: Option<Value>) {
        if let Some(map) = self.status.as_object_mut() {
            match value {
                Some(v) => {
                    map.insert(field.to_string(), v);
                }
                None => {
                    map.remove(field);
                }
            }
        }
    }

    /// Record how long a named step took (telemetry; also returned in `Finished`).
    pub fn phase(&mut self, phase: &'static str, since: Instant) {
        let took = since.elapsed();
        self.phases.push((phase, took));
        self.bus.send(Telemetry::Phase {
            controller: self.controller,
            object: self.key.clone(),
            phase,
            took,
        });
    }

    pub fn log(&self, line: impl Into<String>) {
        self.bus.send(Telemetry::Log {
            controller: self.controller,
            object: Some(self.key.clone()),
            line: line.into(),
        });
    }
}

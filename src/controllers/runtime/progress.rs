//! Progress written while an attempt works (Flux patches status mid-reconcile: "Fetching
//! manifests…", "Running health checks…"), so a long step does not keep showing the previous
//! attempt's outcome. The final outcome is still summarised and patched once, by the driver.

use jiff::Timestamp;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::attempt::Attempt;
use super::conditions::{self, CondStatus, RECONCILING};
use super::summarize;
use super::telemetry::Telemetry;

/// Flux's reason for every in-progress condition.
pub const PROGRESSING: &str = "Progressing";

/// What to show while a step runs: Reconciling=True `Progressing` with `message`, and each
/// listed condition type set to Unknown `Progressing` with its own message.
#[derive(Debug, Clone, Copy)]
pub struct Progressing<'a> {
    pub message: &'a str,
    pub unknown: &'a [(&'a str, &'a str)],
}

/// Where the attempt writes its status (kept by the driver for the final patch too).
pub(crate) struct StatusWriter {
    pub api: Api<DynamicObject>,
    pub manager: &'static str,
    /// The status as the API server holds it now (last read or written).
    pub written: Value,
}

impl Attempt {
    /// Set the in-progress conditions on the working status and patch them immediately.
    /// A failed write is only logged: the final patch at the attempt's exit carries the truth.
    pub async fn progress(&mut self, p: Progressing<'_>) {
        let now = Timestamp::now();
        for (type_, message) in p.unknown {
            conditions::set(
                &mut self.status,
                type_,
                CondStatus::Unknown,
                PROGRESSING,
                message,
                self.generation,
                now,
            );
        }
        conditions::set(
            &mut self.status,
            RECONCILING,
            CondStatus::True,
            PROGRESSING,
            p.message,
            self.generation,
            now,
        );
        let Some(patch) = summarize::status_patch(&self.writer.written, &self.status) else {
            return;
        };
        let params = PatchParams {
            field_manager: Some(self.writer.manager.to_string()),
            ..PatchParams::default()
        };
        let name = self.name().to_string();
        match self
            .writer
            .api
            .patch_status(&name, &params, &Patch::Merge(&patch))
            .await
        {
            Ok(_) => self.writer.written = self.status.clone(),
            Err(e) => self.bus.send(Telemetry::Log {
                controller: self.controller,
                object: Some(self.key.clone()),
                line: format!("cannot write progress to status of {}: {e}", self.key),
            }),
        }
    }
}

//! Drift for the console: the same comparison as `fluxdeck diff kustomization`
//! (`commands::diff::drift_report`), computed off the UI thread on request (`Command::Drift`)
//! and, optionally, in the background for every Kustomization on an interval. Results are
//! published as `Snapshot::drift` (the console's diff pane and drift badges read only that).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::commands::diff::{DesiredFrom, drift_report, get_kustomization};
use crate::engine::diff::Counts;
use crate::tui::backend::{DriftMap, DriftStatus, ObjectRef};

type Notify = Box<dyn Fn() + Send + Sync>;

/// A background pass tells the console about new results at most this often (each telling
/// rebuilds its snapshot).
const NOTIFY_EVERY: Duration = Duration::from_secs(1);

/// The latest drift report per Kustomization, plus how to tell the console they changed.
pub struct DriftStore {
    client: kube::Client,
    reports: Mutex<DriftMap>,
    on_change: OnceLock<Notify>,
    /// One computation at a time: dry-runs of a big fleet should not pile up on the API.
    running: tokio::sync::Mutex<()>,
}

/// "2 drifted, 1 created, 1 deleted (5 unchanged)" or "no drift (5 unchanged)".
pub fn summary(c: &Counts) -> String {
    let parts: Vec<String> = [
        (c.drifted, "drifted"),
        (c.created, "created"),
        (c.deleted, "to prune"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, w)| format!("{n} {w}"))
    .collect();
    let rest = if c.skipped > 0 {
        format!("{} unchanged, {} skipped", c.unchanged, c.skipped)
    } else {
        format!("{} unchanged", c.unchanged)
    };
    if parts.is_empty() {
        format!("no drift ({rest})")
    } else {
        format!("{} ({rest})", parts.join(", "))
    }
}

/// The Kustomizations worth checking now (the console reads them from its watch cache).
pub type Candidates = Box<dyn Fn() -> Vec<ObjectRef> + Send + Sync>;

/// A Kustomization worth checking in the background: not suspended, not being deleted.
pub fn background_candidate(k: &Value) -> Option<ObjectRef> {
    if k.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true)
        || k.pointer("/metadata/deletionTimestamp").is_some()
    {
        return None;
    }
    let mut r = ObjectRef::of(k);
    r.kind = "Kustomization".into();
    Some(r)
}

impl DriftStore {
    pub fn new(client: kube::Client) -> Arc<Self> {
        Arc::new(DriftStore {
            client,
            reports: Mutex::new(Arc::new(BTreeMap::new())),
            on_change: OnceLock::new(),
            running: tokio::sync::Mutex::new(()),
        })
    }

    /// Called after every stored result (the backend rebuilds its snapshot).
    pub fn on_change(&self, f: impl Fn() + Send + Sync + 'static) {
        let _ = self.on_change.set(Box::new(f));
    }

    /// The reports as of now (an Arc clone).
    pub fn reports(&self) -> DriftMap {
        self.reports.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Store one result. The map is copied only while a snapshot still holds the previous one
    /// (`make_mut`), so a background pass over a big fleet does not copy it per result.
    fn store(&self, target: ObjectRef, status: DriftStatus, notify: bool) {
        if let Ok(mut r) = self.reports.lock() {
            Arc::make_mut(&mut r).insert(target, status);
        }
        if notify {
            self.notify();
        }
    }

    fn notify(&self) {
        if let Some(f) = self.on_change.get() {
            f();
        }
    }

    fn forget(&self, keep: &[ObjectRef]) {
        let keep: HashSet<&ObjectRef> = keep.iter().collect();
        if let Ok(mut r) = self.reports.lock() {
            if r.keys().any(|k| !keep.contains(k)) {
                Arc::make_mut(&mut r).retain(|k, _| keep.contains(k));
            }
        }
    }

    /// Compute and store the drift of one Kustomization; the summary for the status line.
    pub async fn compute(&self, target: &ObjectRef) -> Result<String, String> {
        self.compute_and_store(target, true).await
    }

    /// `compute`; `notify` false leaves telling the console to the caller (background passes
    /// tell it at most once a second, not once per Kustomization).
    async fn compute_and_store(&self, target: &ObjectRef, notify: bool) -> Result<String, String> {
        if target.kind != "Kustomization" {
            return Err(format!(
                "{target}: drift is computed for Kustomizations (select one and press D)"
            ));
        }
        let _one = self.running.lock().await;
        let result = match get_kustomization(&self.client, &target.namespace, &target.name).await {
            Ok(ks) => drift_report(&self.client, &ks, DesiredFrom::Artifact).await,
            Err(e) => Err(e),
        };
        let at = jiff::Timestamp::now();
        match result {
            Ok(report) => {
                let text = format!("{target}: {}", summary(&report.counts()));
                self.store(
                    target.clone(),
                    DriftStatus::Ready {
                        report: Arc::new(report),
                        at,
                    },
                    notify,
                );
                Ok(text)
            }
            Err(e) => {
                let message = e.to_string();
                self.store(
                    target.clone(),
                    DriftStatus::Failed {
                        message: message.clone(),
                        at,
                    },
                    notify,
                );
                Err(message)
            }
        }
    }

    /// Every `every`, the drift of each Kustomization in scope (stops when the store is dropped).
    /// `candidates` reads them from the watch cache: listing them again would hold a second
    /// copy of every Kustomization (with managedFields) in memory during each pass.
    pub fn start_background(self: &Arc<Self>, every: Duration, candidates: Candidates) {
        let weak = Arc::downgrade(self);
        tokio::spawn(background(weak, every, candidates));
    }
}

async fn background(store: Weak<DriftStore>, every: Duration, candidates: Candidates) {
    // A first pass soon after start, so badges appear without waiting a whole interval.
    let mut wait = Duration::from_secs(2).min(every);
    loop {
        tokio::time::sleep(wait).await;
        wait = every;
        let Some(s) = store.upgrade() else { return };
        let targets = candidates();
        s.forget(&targets);
        drop(s);
        let mut told = Instant::now();
        let total = targets.len();
        for (i, t) in targets.iter().enumerate() {
            let Some(s) = store.upgrade() else { return };
            // Failures are stored and shown in the pane; nothing to do here.
            let _ = s.compute_and_store(t, false).await;
            if told.elapsed() >= NOTIFY_EVERY || i + 1 == total {
                s.notify();
                told = Instant::now();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn summaries_name_only_what_changes() {
        let c = Counts {
            created: 1,
            drifted: 2,
            unchanged: 5,
            deleted: 1,
            skipped: 0,
        };
        assert_eq!(
            summary(&c),
            "2 drifted, 1 created, 1 to prune (5 unchanged)"
        );
        let none = Counts {
            unchanged: 3,
            skipped: 1,
            ..Default::default()
        };
        assert_eq!(summary(&none), "no drift (3 unchanged, 1 skipped)");
    }

    #[test]
    fn suspended_and_deleting_kustomizations_are_not_checked() {
        let items = [
            json!({"metadata": {"name": "a", "namespace": "x"}}),
            json!({"metadata": {"name": "b", "namespace": "x"}, "spec": {"suspend": true}}),
            json!({"metadata": {"name": "c", "namespace": "x", "deletionTimestamp": "2026-01-01T00:00:00Z"}}),
        ];
        assert_eq!(
            items
                .iter()
                .filter_map(background_candidate)
                .collect::<Vec<_>>(),
            vec![ObjectRef::new("Kustomization", "x", "a")]
        );
    }
}

//! Drift for the console: the same comparison as `fluxdeck diff kustomization`
//! (`commands::diff::drift_report`), computed off the UI thread on request (`Command::Drift`)
//! and, optionally, in the background for every Kustomization on an interval. Results are
//! published as `Snapshot::drift` (the console's diff pane and drift badges read only that).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use crate::commands::diff::{DesiredFrom, drift_report, get_kustomization};
use crate::controllers::kustomize::resource;
use crate::engine::diff::Counts;
use crate::tui::backend::{DriftMap, DriftStatus, ObjectRef};

type Notify = Box<dyn Fn() + Send + Sync>;

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

/// Kustomizations worth checking in the background: not suspended, not being deleted.
pub fn background_candidates(items: &[Value]) -> Vec<ObjectRef> {
    items
        .iter()
        .filter(|k| k.pointer("/spec/suspend").and_then(Value::as_bool) != Some(true))
        .filter(|k| k.pointer("/metadata/deletionTimestamp").is_none())
        .map(|k| {
            let mut r = ObjectRef::of(k);
            r.kind = "Kustomization".into();
            r
        })
        .collect()
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

    fn store(&self, target: ObjectRef, status: DriftStatus) {
        if let Ok(mut r) = self.reports.lock() {
            let mut next = (**r).clone();
            next.insert(target, status);
            *r = Arc::new(next);
        }
        if let Some(f) = self.on_change.get() {
            f();
        }
    }

    fn forget(&self, keep: &[ObjectRef]) {
        if let Ok(mut r) = self.reports.lock() {
            if r.keys().any(|k| !keep.contains(k)) {
                let next = r
                    .iter()
                    .filter(|(k, _)| keep.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                *r = Arc::new(next);
            }
        }
    }

    /// Compute and store the drift of one Kustomization; the summary for the status line.
    pub async fn compute(&self, target: &ObjectRef) -> Result<String, String> {
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
                );
                Err(message)
            }
        }
    }

    /// Every `every`, the drift of each Kustomization in scope (stops when the store is dropped).
    pub fn start_background(self: &Arc<Self>, every: Duration, namespace: Option<String>) {
        let weak = Arc::downgrade(self);
        tokio::spawn(background(weak, every, namespace));
    }
}

async fn background(store: Weak<DriftStore>, every: Duration, namespace: Option<String>) {
    // A first pass soon after start, so badges appear without waiting a whole interval.
    let mut wait = Duration::from_secs(2).min(every);
    loop {
        tokio::time::sleep(wait).await;
        wait = every;
        let Some(s) = store.upgrade() else { return };
        let api: Api<DynamicObject> = match &namespace {
            Some(ns) => Api::namespaced_with(s.client.clone(), ns, &resource()),
            None => Api::all_with(s.client.clone(), &resource()),
        };
        let Ok(list) = api.list(&ListParams::default()).await else {
            continue;
        };
        let items: Vec<Value> = list
            .items
            .iter()
            .filter_map(|o| serde_json::to_value(o).ok())
            .collect();
        let targets = background_candidates(&items);
        s.forget(&targets);
        drop(s);
        for t in targets {
            let Some(s) = store.upgrade() else { return };
            // Failures are stored and shown in the pane; nothing to do here.
            let _ = s.compute(&t).await;
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
            background_candidates(&items),
            vec![ObjectRef::new("Kustomization", "x", "a")]
        );
    }
}

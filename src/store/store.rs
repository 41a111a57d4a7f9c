//! `Store`: the embedded Kubernetes API server's core. Cheap to clone (an `Arc` inside).
//!
//! Every write runs under one state lock: compute the new objects, assign resourceVersions,
//! append the changes to the event log and hand them to the persistence committer, in that
//! order, so log order, disk order and RV order agree. The lock is released before waiting for
//! the committer's fsync, which lets concurrent writers share one transaction (group commit).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, watch};

use super::convert;
use super::log::{EventLog, LogEntry};
use super::meta;
use super::persist::{Persister, Ticket};
use super::selector::Selectors;
use super::state::State;
use super::types::*;
use super::watch::{self as watch_mod, WatchFilter, WatchStream};
use super::write::Ctx;

/// Tunables; the defaults suit the console and the tests alike.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// How many events the log keeps for watchers resuming from an older resourceVersion.
    pub event_window: usize,
    /// Period of BOOKMARK events on watches that allow them.
    pub bookmark_interval: Duration,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            event_window: 50_000,
            bookmark_interval: Duration::from_secs(30),
        }
    }
}

pub(crate) struct Inner {
    state: Mutex<State>,
    log: Arc<EventLog>,
    persister: Option<Persister>,
    catalog_tx: watch::Sender<u64>,
    gc_wake: Arc<Notify>,
    gc_started: std::sync::Once,
    config: StoreConfig,
}

#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("persistent", &self.inner.persister.is_some())
            .finish()
    }
}

impl Store {
    /// A persistent store in `data_dir` (created if missing); state and RVs survive restarts.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(data_dir, StoreConfig::default())
    }

    pub fn open_with(data_dir: &Path, config: StoreConfig) -> Result<Store, StoreError> {
        let (persister, rv, objects) = Persister::open(data_dir)?;
        let state = State::restore(rv, objects);
        Ok(Store::build(state, Some(persister), config))
    }

    /// Same semantics, nothing on disk.
    pub fn in_memory() -> Store {
        Store::in_memory_with(StoreConfig::default())
    }

    pub fn in_memory_with(config: StoreConfig) -> Store {
        Store::build(State::default(), None, config)
    }

    fn build(mut state: State, persister: Option<Persister>, config: StoreConfig) -> Store {
        let fresh = state.rv == 0;
        if fresh {
            bootstrap(&mut state);
            let changes = state.take_changes();
            if let Some(p) = &persister {
                // the committer thread exists already; nobody waits on this first ticket
                drop(p.submit(&changes));
            }
        }
        let log = Arc::new(EventLog::new(state.rv, config.event_window));
        let (catalog_tx, _) = watch::channel(state.catalog_version);
        let inner = Inner {
            state: Mutex::new(state),
            log,
            persister,
            catalog_tx,
            gc_wake: Arc::new(Notify::new()),
            gc_started: std::sync::Once::new(),
            config,
        };
        Store {
            inner: Arc::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // writes finish their in-memory changes before they can panic, so a poisoned lock
        // still guards consistent data
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes the changes made under `st` (log, catalog, disk) and returns the ticket to
    /// wait on for durability.
    /// Also says whether the garbage collector has work.
    fn publish(&self, st: &mut State) -> (Option<Ticket>, bool) {
        let changes = st.take_changes();
        if changes.is_empty() {
            return (None, false);
        }
        let ticket = self.inner.persister.as_ref().map(|p| p.submit(&changes));
        // deletions and objects entering deletion are what the garbage collector acts on
        let gc_work = changes
            .iter()
            .any(|c| c.type_ == WatchEventType::Deleted || meta::is_deleting(&c.object));
        let entries = changes
            .into_iter()
            .map(|c| LogEntry {
                rv: c.rv,
                gr: c.gr,
                namespace: c.key.0,
                type_: c.type_,
                object: c.object,
                prev: c.prev,
            })
            .collect();
        self.inner.log.append(entries);
        self.inner.catalog_tx.send_if_modified(|v| {
            let changed = *v != st.catalog_version;
            *v = st.catalog_version;
            changed
        });
        (ticket, gc_work)
    }

    /// Runs a write under the lock, publishes it, then waits until it is on disk.
    async fn write<T>(
        &self,
        f: impl FnOnce(&mut State) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let (out, (ticket, gc_needed)) = {
            let mut st = self.lock();
            let out = f(&mut st);
            let published = self.publish(&mut st);
            (out, published)
        };
        if gc_needed {
            self.kick_gc();
        }
        if let Some(t) = ticket {
            t.wait().await?;
        }
        out
    }

    pub fn resource_types(&self) -> Vec<ResourceType> {
        self.lock().catalog.all()
    }

    pub fn resolve(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.lock().catalog.resolve(group, version, plural)
    }

    pub fn resolve_kind(&self, group: &str, version: &str, kind: &str) -> Option<ResourceType> {
        self.lock().catalog.resolve_kind(group, version, kind)
    }

    /// Bumps whenever the served types change (a CRD was accepted, changed or removed).
    pub fn catalog_changes(&self) -> watch::Receiver<u64> {
        self.inner.catalog_tx.subscribe()
    }

    /// The current global resourceVersion.
    pub fn current_resource_version(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
    ) -> Result<Value, StoreError> {
        let st = self.lock();
        let (_, gr) = st.storage_of(rt)?;
        let ns = if rt.namespaced { ns } else { None };
        match st.get(&gr, &super::state::key_of(ns, name)) {
            Some(o) => Ok(convert::present(rt, o)),
            None => Err(super::state::not_found(rt, name)),
        }
    }

    pub fn list(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        o: &ListOptions,
    ) -> Result<ListResult, StoreError> {
        let selectors =
            Selectors::parse(rt, o.label_selector.as_deref(), o.field_selector.as_deref())?;
        let st = self.lock();
        super::list::list(
            &st,
            rt,
            if rt.namespaced { ns } else { None },
            &selectors,
            o,
        )
    }

    pub async fn create(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        obj: Value,
        o: &WriteOptions,
    ) -> Result<Value, StoreError> {
        let now = meta::now_rfc3339();
        let manager = manager_of(o);
        self.write(|st| st.create(rt, ns, obj, &ctx(&now, &manager, o)?))
            .await
    }

    pub async fn replace(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        obj: Value,
        sub: Subresource,
        o: &WriteOptions,
    ) -> Result<Value, StoreError> {
        let now = meta::now_rfc3339();
        let manager = manager_of(o);
        let out = self
            .write(|st| st.replace(rt, ns, name, obj, sub, &ctx(&now, &manager, o)?))
            .await;
        out
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn patch(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        kind: PatchKind,
        body: &Value,
        sub: Subresource,
        o: &WriteOptions,
    ) -> Result<Value, StoreError> {
        let now = meta::now_rfc3339();
        let manager = manager_of(o);
        let out = self
            .write(|st| st.patch(rt, ns, name, &kind, body, sub, &ctx(&now, &manager, o)?))
            .await;
        out
    }

    pub async fn delete(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        o: &DeleteOptions,
    ) -> Result<DeleteOutcome, StoreError> {
        let now = meta::now_rfc3339();
        let out = self.write(|st| st.delete(rt, ns, name, o, &now)).await;
        out
    }

    /// Deletes every object the selectors match; returns them as they were deleted (or marked).
    pub async fn delete_collection(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        l: &ListOptions,
        o: &DeleteOptions,
    ) -> Result<Vec<Value>, StoreError> {
        let now = meta::now_rfc3339();
        let selectors =
            Selectors::parse(rt, l.label_selector.as_deref(), l.field_selector.as_deref())?;
        let out = self
            .write(|st| {
                let all = super::list::list(
                    st,
                    rt,
                    if rt.namespaced { ns } else { None },
                    &selectors,
                    &ListOptions::default(),
                )?;
                let mut out = Vec::new();
                for item in all.items {
                    let name = meta::name_of(&item).to_string();
                    let item_ns = meta::meta_str(&item, "namespace").map(str::to_string);
                    match st.delete(rt, item_ns.as_deref(), &name, o, &now)? {
                        DeleteOutcome::Deleted(v) | DeleteOutcome::Pending(v) => out.push(v),
                    }
                }
                Ok(out)
            })
            .await;
        out
    }

    pub fn watch(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        o: &WatchOptions,
    ) -> Result<WatchStream, StoreError> {
        let selectors =
            Selectors::parse(rt, o.label_selector.as_deref(), o.field_selector.as_deref())?;
        let ns = if rt.namespaced {
            ns.map(str::to_string)
        } else {
            None
        };
        let st = self.lock();
        let (_, gr) = st.storage_of(rt)?;
        let filter = WatchFilter {
            rt: rt.clone(),
            gr,
            namespace: ns,
            selectors,
        };
        let requested = o.resource_version.as_deref().filter(|s| !s.is_empty());
        let bookmarks = o
            .allow_bookmarks
            .then_some(self.inner.config.bookmark_interval);
        let (start, initial) = match requested {
            Some(rv) if rv != "0" && !o.send_initial_events => {
                let n: u64 = rv.parse().map_err(|_| {
                    StoreError::BadRequest(format!("invalid resourceVersion {rv:?}: not a number"))
                })?;
                self.inner
                    .log
                    .check_start(n)
                    .map_err(|e| StoreError::Gone {
                        requested: rv.to_string(),
                        oldest: e.oldest.to_string(),
                    })?;
                (n, Vec::new())
            }
            _ => {
                let objects = super::list::matching(&st, &filter);
                let mut initial = watch_mod::initial_events(rt, &objects);
                if o.allow_bookmarks {
                    initial.push(Ok(watch_mod::bookmark(rt, st.rv, true)));
                }
                (st.rv, initial)
            }
        };
        drop(st);
        Ok(watch_mod::stream(
            self.inner.log.clone(),
            filter,
            start,
            initial,
            bookmarks,
        ))
    }

    /// Wakes the garbage collector (started on first use, inside the caller's runtime).
    fn kick_gc(&self) {
        self.inner.gc_started.call_once(|| {
            let weak = Arc::downgrade(&self.inner);
            let wake = self.inner.gc_wake.clone();
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                handle.spawn(super::gc::run(weak, wake));
            }
        });
        self.inner.gc_wake.notify_one();
    }

    /// One GC round: passes until nothing changes; used by the GC task.
    pub(crate) async fn gc_round(&self) -> Result<(), StoreError> {
        for _ in 0..64 {
            let now = meta::now_rfc3339();
            let changed = self.write(|st| Ok(st.gc_pass(&now))).await?;
            if !changed {
                break;
            }
        }
        Ok(())
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Store {
        Store { inner }
    }
}

pub(crate) type StoreInner = Inner;

/// The write context of a request; an unknown fieldValidation value is a 400.
fn ctx<'a>(now: &'a str, manager: &'a str, o: &WriteOptions) -> Result<Ctx<'a>, StoreError> {
    Ok(Ctx {
        now,
        manager,
        dry_run: o.dry_run,
        validation: super::schema_hook::mode(o.field_validation.as_deref())?,
    })
}

fn manager_of(o: &WriteOptions) -> String {
    o.field_manager
        .clone()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The objects a fresh cluster starts with: the default namespaces.
fn bootstrap(st: &mut State) {
    let now = meta::now_rfc3339();
    let ctx = Ctx {
        validation: crate::engine::schema::FieldValidation::Warn,
        now: &now,
        manager: "fluxdeck",
        dry_run: false,
    };
    let Some(ns_rt) = st.catalog.resolve("", "v1", "namespaces") else {
        return;
    };
    for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
        let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
        if st.create(&ns_rt, None, body, &ctx).is_err() {
            tracing::warn!(namespace = name, "could not create a default namespace");
        }
    }
}

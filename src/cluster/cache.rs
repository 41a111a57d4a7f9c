//! The shared watch cache: one reflector per kind, read by every consumer (console, controllers,
//! drift), with a payload-free "something changed" counter so views re-read only when needed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store, store::Writer};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How a kind's watch is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindState {
    /// Initial list not finished yet.
    Syncing,
    /// Listed and watching.
    Live,
    /// The user may not list this kind (403): shown as "restricted", never as empty.
    Restricted(String),
    /// The last watch attempt failed; the reflector retries with backoff.
    Failing(String),
}

struct Entry {
    resource: ApiResource,
    store: Store<DynamicObject>,
    state: Arc<Mutex<KindState>>,
    task: JoinHandle<()>,
}

/// Cheap to clone; dropping the last clone stops every watch.
#[derive(Clone)]
pub struct WatchCache {
    inner: Arc<Inner>,
}

struct Inner {
    entries: Mutex<BTreeMap<String, Entry>>,
    changed: watch::Sender<u64>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(entries) = self.entries.lock() {
            for e in entries.values() {
                e.task.abort();
            }
        }
    }
}

fn key(ar: &ApiResource) -> String {
    format!("{}/{}", ar.group, ar.kind)
}

impl Default for WatchCache {
    fn default() -> Self {
        Self::new()
    }
}

impl WatchCache {
    pub fn new() -> Self {
        let (changed, _) = watch::channel(0);
        WatchCache {
            inner: Arc::new(Inner {
                entries: Mutex::new(BTreeMap::new()),
                changed,
            }),
        }
    }

    /// Start watching a kind (idempotent per group/kind), in one namespace or all.
    pub fn watch_kind(&self, client: &kube::Client, ar: &ApiResource, namespace: Option<&str>) {
        let Ok(mut entries) = self.inner.entries.lock() else {
            return;
        };
        if entries.contains_key(&key(ar)) {
            return;
        }
        let api: Api<DynamicObject> = match namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
            None => Api::all_with(client.clone(), ar),
        };
        let writer = Writer::new(ar.clone());
        let store = writer.as_reader();
        let state = Arc::new(Mutex::new(KindState::Syncing));
        let task = tokio::spawn(run_reflector(
            api,
            writer,
            state.clone(),
            self.inner.changed.clone(),
        ));
        entries.insert(
            key(ar),
            Entry {
                resource: ar.clone(),
                store,
                state,
                task,
            },
        );
    }

    /// Current objects of one kind (by group and kind).
    pub fn objects(&self, group: &str, kind: &str) -> Vec<Arc<DynamicObject>> {
        let Ok(entries) = self.inner.entries.lock() else {
            return Vec::new();
        };
        entries
            .get(&format!("{group}/{kind}"))
            .map(|e| e.store.state())
            .unwrap_or_default()
    }

    /// Every cached object with its resource.
    pub fn all(&self) -> Vec<(ApiResource, Vec<Arc<DynamicObject>>)> {
        let Ok(entries) = self.inner.entries.lock() else {
            return Vec::new();
        };
        entries
            .values()
            .map(|e| (e.resource.clone(), e.store.state()))
            .collect()
    }

    /// Watch states per kind (for "restricted" and sync indicators).
    pub fn states(&self) -> Vec<(ApiResource, KindState)> {
        let Ok(entries) = self.inner.entries.lock() else {
            return Vec::new();
        };
        entries
            .values()
            .map(|e| {
                (
                    e.resource.clone(),
                    e.state
                        .lock()
                        .map(|s| s.clone())
                        .unwrap_or(KindState::Syncing),
                )
            })
            .collect()
    }

    /// A counter bumped on every change; receivers learn "something changed", nothing more.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// True once every watched kind finished its initial list (or is restricted).
    pub fn synced(&self) -> bool {
        self.states()
            .iter()
            .all(|(_, s)| !matches!(s, KindState::Syncing))
    }
}

async fn run_reflector(
    api: Api<DynamicObject>,
    writer: Writer<DynamicObject>,
    state: Arc<Mutex<KindState>>,
    changed: watch::Sender<u64>,
) {
    let bump = |changed: &watch::Sender<u64>| changed.send_modify(|n| *n = n.wrapping_add(1));
    let set = |s: KindState| {
        if let Ok(mut guard) = state.lock() {
            *guard = s;
        }
    };
    let stream = reflector::reflector(
        writer,
        watcher(api, watcher::Config::default()).default_backoff(),
    );
    let mut stream = std::pin::pin!(stream);
    while let Some(event) = stream.next().await {
        match event {
            Ok(watcher::Event::InitDone) => {
                set(KindState::Live);
                bump(&changed);
            }
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
            Ok(_) => bump(&changed),
            Err(
                watcher::Error::InitialListFailed(kube::Error::Api(s))
                | watcher::Error::WatchStartFailed(kube::Error::Api(s)),
            ) if s.code == 403 => {
                set(KindState::Restricted(s.message.clone()));
                bump(&changed);
            }
            Err(e) => {
                set(KindState::Failing(e.to_string()));
                bump(&changed);
            }
        }
    }
}

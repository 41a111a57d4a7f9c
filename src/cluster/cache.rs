//! The shared watch cache: one reflector per kind, read by every consumer (console, controllers,
//! drift), with a payload-free "something changed" counter so views re-read only when needed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// Bumped on every change of this kind, so readers re-read only the kinds that changed.
    generation: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

/// One kind as of now: its objects are included only when its generation differs from the
/// one the reader already has (see `WatchCache::kinds_since`).
#[derive(Debug, Clone)]
pub struct KindSlice {
    /// `group/kind`, the cache's key.
    pub key: String,
    pub resource: ApiResource,
    pub state: KindState,
    pub generation: u64,
    /// None: unchanged since the generation the reader passed.
    pub objects: Option<Vec<Arc<DynamicObject>>>,
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
        let generation = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(run_reflector(
            api,
            writer,
            state.clone(),
            Bump {
                generation: generation.clone(),
                changed: self.inner.changed.clone(),
            },
        ));
        entries.insert(
            key(ar),
            Entry {
                resource: ar.clone(),
                store,
                state,
                generation,
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

    /// Every kind with its state and generation; objects only for kinds whose generation is
    /// not `seen[key]` (the reader keeps what it converted from the others).
    pub fn kinds_since(&self, seen: &dyn Fn(&str) -> Option<u64>) -> Vec<KindSlice> {
        let Ok(entries) = self.inner.entries.lock() else {
            return Vec::new();
        };
        entries
            .iter()
            .map(|(key, e)| {
                // Read the generation before the objects: a change racing with this read
                // bumps it again, so the next read cannot miss it.
                let generation = e.generation.load(Ordering::Acquire);
                let objects = (seen(key) != Some(generation)).then(|| e.store.state());
                KindSlice {
                    key: key.clone(),
                    resource: e.resource.clone(),
                    state: e
                        .state
                        .lock()
                        .map(|s| s.clone())
                        .unwrap_or(KindState::Syncing),
                    generation,
                    objects,
                }
            })
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

/// Announces a change of one kind: its own generation first, then the cache-wide counter.
struct Bump {
    generation: Arc<AtomicU64>,
    changed: watch::Sender<u64>,
}

impl Bump {
    fn now(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

async fn run_reflector(
    api: Api<DynamicObject>,
    writer: Writer<DynamicObject>,
    state: Arc<Mutex<KindState>>,
    bump: Bump,
) {
    let set = |s: KindState| {
        if let Ok(mut guard) = state.lock() {
            *guard = s;
        }
    };
    // managedFields are about half of a Flux object's bytes and nothing the console shows
    // (its YAML and edit views drop them): the cache keeps objects without them.
    let stream = reflector::reflector(
        writer,
        watcher(api, watcher::Config::default())
            .default_backoff()
            .modify(|o| o.metadata.managed_fields = None),
    );
    let mut stream = std::pin::pin!(stream);
    while let Some(event) = stream.next().await {
        match event {
            Ok(watcher::Event::InitDone) => {
                set(KindState::Live);
                bump.now();
            }
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => {}
            Ok(_) => bump.now(),
            Err(
                watcher::Error::InitialListFailed(kube::Error::Api(s))
                | watcher::Error::WatchStartFailed(kube::Error::Api(s)),
            ) if s.code == 403 => {
                set(KindState::Restricted(s.message.clone()));
                bump.now();
            }
            Err(e) => {
                set(KindState::Failing(e.to_string()));
                bump.now();
            }
        }
    }
}

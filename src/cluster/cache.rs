//! The shared watch cache: one watch per kind, read by the console's views, with a payload-free
//! "something changed" counter so views re-read only when needed.
//!
//! Each object is held once, as compact JSON text (`engine::stored::StoredObject`), written
//! when its watch event arrives; readers parse what they need. A kube reflector would keep a
//! typed copy of every object (and a second one while a list is buffered): with 5,000 Flux
//! objects the typed copy plus the views' parsed copy were most of the console's memory.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, TypeMeta};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;

use crate::engine::stored::StoredObject;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Objects per list request while a kind syncs.
const LIST_PAGE: u32 = 100;

/// Objects of one kind by (namespace, name), in that order.
type Objects = BTreeMap<(String, String), Arc<StoredObject>>;

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
    objects: Arc<Mutex<Objects>>,
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
    pub objects: Option<Vec<Arc<StoredObject>>>,
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
        let objects = Arc::new(Mutex::new(Objects::new()));
        let state = Arc::new(Mutex::new(KindState::Syncing));
        let generation = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(run_watch(
            api,
            Sink {
                resource: ar.clone(),
                objects: objects.clone(),
            },
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
                objects,
                state,
                generation,
                task,
            },
        );
    }

    /// Current objects of one kind (by group and kind).
    pub fn objects(&self, group: &str, kind: &str) -> Vec<Arc<StoredObject>> {
        let Ok(entries) = self.inner.entries.lock() else {
            return Vec::new();
        };
        entries
            .get(&format!("{group}/{kind}"))
            .map(|e| e.values())
            .unwrap_or_default()
    }

    /// The change counter of one kind (by group and kind): a different value means some
    /// object of that kind changed.
    pub fn generation(&self, group: &str, kind: &str) -> Option<u64> {
        let entries = self.inner.entries.lock().ok()?;
        entries
            .get(&format!("{group}/{kind}"))
            .map(|e| e.generation.load(Ordering::Acquire))
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
                let objects = (seen(key) != Some(generation)).then(|| e.values());
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

impl Entry {
    fn values(&self) -> Vec<Arc<StoredObject>> {
        self.objects
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// Where one kind's watch events land: written as text once, then stored.
struct Sink {
    resource: ApiResource,
    objects: Arc<Mutex<Objects>>,
}

impl Sink {
    fn entry(&self, o: DynamicObject) -> ((String, String), Arc<StoredObject>) {
        let key = key_of(&o);
        let stored = StoredObject::from_serialize(&for_views(o, &self.resource))
            .unwrap_or_else(|_| StoredObject::from_value(&Value::Null));
        (key, Arc::new(stored))
    }

    fn with(&self, f: impl FnOnce(&mut Objects)) {
        if let Ok(mut m) = self.objects.lock() {
            f(&mut m);
        }
    }
}

fn key_of(o: &DynamicObject) -> (String, String) {
    (
        o.metadata.namespace.clone().unwrap_or_default(),
        o.metadata.name.clone().unwrap_or_default(),
    )
}

/// The API shape of a watched object for the views: apiVersion and kind always set (lists
/// omit them per item), and without managedFields — about half of a Flux object's bytes and
/// nothing the console shows (its YAML and edit views drop them).
pub fn for_views(mut o: DynamicObject, ar: &ApiResource) -> DynamicObject {
    o.metadata.managed_fields = None;
    if o.types.as_ref().is_none_or(|t| t.kind.is_empty()) {
        o.types = Some(TypeMeta {
            api_version: ar.api_version.clone(),
            kind: ar.kind.clone(),
        });
    }
    o
}

/// `for_views` as a parsed value.
pub fn to_value(o: DynamicObject, ar: &ApiResource) -> Value {
    serde_json::to_value(for_views(o, ar)).unwrap_or(Value::Null)
}

async fn run_watch(api: Api<DynamicObject>, sink: Sink, state: Arc<Mutex<KindState>>, bump: Bump) {
    let set = |s: KindState| {
        if let Ok(mut guard) = state.lock() {
            *guard = s;
        }
    };
    // Lists come in pages of LIST_PAGE: every kind lists at once on start, and each page is
    // held twice while it is decoded (text, then typed objects); small pages keep that peak low
    // for a few more round trips.
    let config = watcher::Config::default().page_size(LIST_PAGE);
    let stream = watcher(api, config).default_backoff();
    let mut stream = std::pin::pin!(stream);
    // A (re)list is collected aside and replaces the kind's objects when complete, so readers
    // never see half a list (and objects deleted while the watch was down disappear).
    let mut listing: Option<Objects> = None;
    while let Some(event) = stream.next().await {
        match event {
            Ok(watcher::Event::Init) => listing = Some(Objects::new()),
            Ok(watcher::Event::InitApply(o)) => {
                let (k, v) = sink.entry(o);
                listing.get_or_insert_with(Objects::new).insert(k, v);
            }
            Ok(watcher::Event::InitDone) => {
                let listed = listing.take().unwrap_or_default();
                sink.with(|m| *m = listed);
                set(KindState::Live);
                bump.now();
            }
            Ok(watcher::Event::Apply(o)) => {
                let (k, v) = sink.entry(o);
                sink.with(|m| {
                    m.insert(k, v);
                });
                bump.now();
            }
            Ok(watcher::Event::Delete(o)) => {
                sink.with(|m| {
                    m.remove(&key_of(&o));
                });
                bump.now();
            }
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

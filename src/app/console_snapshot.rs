//! Incremental snapshots for the console: the watch cache holds every object once, as compact
//! JSON text; a snapshot's Flux objects are those `Arc`s, shared. A watch event on one object
//! re-reads only that object's kind, and every unchanged object of the new snapshot is the
//! previous snapshot's `Arc` (which the TUI index uses to skip re-summarising it).
//! Events and inventory objects are read whole by the views on every rebuild, so they are
//! parsed here, once per object version.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use kube::api::ApiResource;
use serde_json::Value;

use crate::cluster::cache::{KindSlice, KindState};
use crate::engine::stored::StoredObject;
use crate::tui::backend::SyncProgress;

/// Where a kind's objects go in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Flux,
    Event,
    Managed,
}

fn bucket(ar: &ApiResource) -> Bucket {
    if ar.group.ends_with("toolkit.fluxcd.io") {
        Bucket::Flux
    } else if ar.kind == "Event" && (ar.group.is_empty() || ar.group == "events.k8s.io") {
        Bucket::Event
    } else {
        Bucket::Managed
    }
}

/// One kind's objects as of one cache generation; `parsed` (same order) for the kinds the
/// views read whole.
struct KindValues {
    generation: u64,
    bucket: Bucket,
    stored: Vec<Arc<StoredObject>>,
    parsed: Vec<Arc<Value>>,
}

impl KindValues {
    fn new(
        generation: u64,
        bucket: Bucket,
        stored: Vec<Arc<StoredObject>>,
        old: Option<Self>,
    ) -> Self {
        let parsed = if bucket == Bucket::Flux {
            Vec::new()
        } else {
            // The same `Arc` as last generation is the same object version: keep its value.
            let mut previous: HashMap<*const StoredObject, Arc<Value>> = old
                .map(|o| o.stored.iter().map(Arc::as_ptr).zip(o.parsed).collect())
                .unwrap_or_default();
            stored
                .iter()
                .map(|o| {
                    previous
                        .remove(&Arc::as_ptr(o))
                        .unwrap_or_else(|| Arc::new(o.value()))
                })
                .collect()
        };
        KindValues {
            generation,
            bucket,
            stored,
            parsed,
        }
    }
}

/// The parts of a snapshot that come from the watch cache.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    pub objects: Vec<Arc<StoredObject>>,
    pub managed: Vec<Arc<Value>>,
    pub events: Vec<Arc<Value>>,
    pub restricted: BTreeSet<String>,
    pub sync: SyncProgress,
}

/// Keeps each kind's values between snapshots.
#[derive(Default)]
pub struct SnapshotBuilder {
    kinds: HashMap<String, KindValues>,
}

impl SnapshotBuilder {
    /// The generation already read for `key` (pass to `WatchCache::kinds_since`).
    pub fn seen(&self, key: &str) -> Option<u64> {
        self.kinds.get(key).map(|k| k.generation)
    }

    /// Take in the cache's kinds (objects present only for changed kinds) and assemble the
    /// snapshot parts. Kinds no longer reported are forgotten.
    pub fn update(&mut self, slices: Vec<KindSlice>) -> Parts {
        let mut parts = Parts::default();
        let mut present = BTreeSet::new();
        for slice in slices {
            parts.sync.total += 1;
            match &slice.state {
                KindState::Syncing => {}
                KindState::Restricted(_) => {
                    parts.sync.listed += 1;
                    parts.restricted.insert(slice.resource.kind.clone());
                }
                KindState::Live | KindState::Failing(_) => parts.sync.listed += 1,
            }
            present.insert(slice.key.clone());
            if let Some(stored) = slice.objects {
                let old = self.kinds.remove(&slice.key);
                let kind = KindValues::new(slice.generation, bucket(&slice.resource), stored, old);
                self.kinds.insert(slice.key.clone(), kind);
            }
            let Some(entry) = self.kinds.get(&slice.key) else {
                continue;
            };
            match entry.bucket {
                Bucket::Flux => parts.objects.extend(entry.stored.iter().cloned()),
                Bucket::Event => parts.events.extend(entry.parsed.iter().cloned()),
                Bucket::Managed => parts.managed.extend(entry.parsed.iter().cloned()),
            }
        }
        self.kinds.retain(|k, _| present.contains(k));
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ks_resource() -> ApiResource {
        ApiResource {
            group: "kustomize.toolkit.fluxcd.io".into(),
            version: "v1".into(),
            api_version: "kustomize.toolkit.fluxcd.io/v1".into(),
            kind: "Kustomization".into(),
            plural: "kustomizations".into(),
        }
    }

    fn event_resource() -> ApiResource {
        ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "Event".into(),
            plural: "events".into(),
        }
    }

    fn obj(name: &str, rv: &str, message: &str) -> Arc<StoredObject> {
        Arc::new(StoredObject::from_value(&json!({"kind": "Kustomization",
            "metadata": {"name": name, "namespace": "ns", "resourceVersion": rv},
            "status": {"message": message}})))
    }

    fn slice(
        ar: ApiResource,
        generation: u64,
        state: KindState,
        objects: Option<Vec<Arc<StoredObject>>>,
    ) -> KindSlice {
        KindSlice {
            key: format!("{}/{}", ar.group, ar.kind),
            resource: ar,
            state,
            generation,
            objects,
        }
    }

    #[test]
    fn unchanged_kinds_keep_their_values_and_changed_kinds_take_the_cache_values() {
        let mut b = SnapshotBuilder::default();
        let first: Vec<_> = (0..100)
            .map(|i| obj(&format!("o{i}"), "1", "old"))
            .collect();
        let p1 = b.update(vec![slice(
            ks_resource(),
            1,
            KindState::Live,
            Some(first.clone()),
        )]);
        assert_eq!(p1.objects.len(), 100);
        assert!(Arc::ptr_eq(&p1.objects[0], &first[0]));

        let mut second = first.clone();
        second[7] = obj("o7", "2", "new");
        let p2 = b.update(vec![slice(ks_resource(), 2, KindState::Live, Some(second))]);
        assert_eq!(p2.objects[7].value()["status"]["message"], "new");
        assert!(Arc::ptr_eq(&p1.objects[0], &p2.objects[0]));
        assert!(!Arc::ptr_eq(&p1.objects[7], &p2.objects[7]));

        // Unchanged generation: nothing read, the same values.
        let p3 = b.update(vec![slice(ks_resource(), 2, KindState::Live, None)]);
        assert!(Arc::ptr_eq(&p2.objects[7], &p3.objects[7]));
        assert_eq!(p3.objects.len(), 100);
        assert_eq!(b.seen("kustomize.toolkit.fluxcd.io/Kustomization"), Some(2));

        // A kind the cache no longer reports is forgotten.
        let p4 = b.update(vec![]);
        assert!(p4.objects.is_empty());
        assert_eq!(b.seen("kustomize.toolkit.fluxcd.io/Kustomization"), None);
    }

    #[test]
    fn events_are_parsed_once_per_object_version() {
        let mut b = SnapshotBuilder::default();
        let first: Vec<_> = (0..3).map(|i| obj(&format!("e{i}"), "1", "x")).collect();
        let p1 = b.update(vec![slice(
            event_resource(),
            1,
            KindState::Live,
            Some(first.clone()),
        )]);
        assert_eq!(p1.events.len(), 3);
        assert_eq!(p1.events[1]["metadata"]["name"], "e1");
        let mut second = first.clone();
        second[2] = obj("e2", "2", "y");
        let p2 = b.update(vec![slice(
            event_resource(),
            2,
            KindState::Live,
            Some(second),
        )]);
        assert!(
            Arc::ptr_eq(&p1.events[0], &p2.events[0]),
            "unchanged: same value"
        );
        assert!(!Arc::ptr_eq(&p1.events[2], &p2.events[2]));
        assert_eq!(p2.events[2]["status"]["message"], "y");
    }

    #[test]
    fn buckets_restricted_kinds_and_sync_progress() {
        let mut b = SnapshotBuilder::default();
        let p = b.update(vec![
            slice(
                ks_resource(),
                1,
                KindState::Live,
                Some(vec![obj("a", "1", "")]),
            ),
            slice(event_resource(), 0, KindState::Syncing, Some(vec![])),
            slice(
                ApiResource {
                    group: "helm.toolkit.fluxcd.io".into(),
                    version: "v2".into(),
                    api_version: "helm.toolkit.fluxcd.io/v2".into(),
                    kind: "HelmRelease".into(),
                    plural: "helmreleases".into(),
                },
                1,
                KindState::Restricted("forbidden".into()),
                Some(vec![]),
            ),
        ]);
        assert_eq!(p.objects.len(), 1);
        assert!(p.events.is_empty() && p.managed.is_empty());
        assert_eq!(
            p.sync,
            SyncProgress {
                listed: 2,
                total: 3
            }
        );
        assert!(p.sync.syncing());
        assert!(p.restricted.contains("HelmRelease"));
    }
}

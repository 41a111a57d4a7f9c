//! Incremental snapshots for the console: the watch cache's typed objects become the JSON
//! values the TUI reads, converted once per object version and shared (`Arc`) afterwards.
//! A watch event on one object re-reads only that object's kind and re-serialises only that
//! object; every other value of the new snapshot is the previous snapshot's `Arc`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use kube::api::{ApiResource, DynamicObject};
use serde_json::{Value, json};

use crate::cluster::cache::{KindSlice, KindState};
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

/// One kind's converted values, valid for one cache generation.
#[derive(Default)]
struct KindValues {
    generation: u64,
    bucket: Option<Bucket>,
    values: Vec<Arc<Value>>,
    /// uid → (resourceVersion, value): what a later generation may reuse.
    by_uid: HashMap<String, (String, Arc<Value>)>,
}

/// The parts of a snapshot that come from the watch cache.
#[derive(Debug, Default, Clone)]
pub struct Parts {
    pub objects: Vec<Arc<Value>>,
    pub managed: Vec<Arc<Value>>,
    pub events: Vec<Arc<Value>>,
    pub restricted: BTreeSet<String>,
    pub sync: SyncProgress,
}

/// Keeps the converted values between snapshots.
#[derive(Default)]
pub struct SnapshotBuilder {
    kinds: HashMap<String, KindValues>,
    /// Objects serialised so far (for tests and the bench: proves reuse).
    pub conversions: u64,
}

impl SnapshotBuilder {
    /// The generation already converted for `key` (pass to `WatchCache::kinds_since`).
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
            let entry = self.kinds.entry(slice.key.clone()).or_default();
            if let Some(objects) = slice.objects {
                self.conversions += entry.refresh(&slice.resource, slice.generation, &objects);
            }
            let target = match entry.bucket {
                Some(Bucket::Flux) => &mut parts.objects,
                Some(Bucket::Event) => &mut parts.events,
                Some(Bucket::Managed) => &mut parts.managed,
                None => continue,
            };
            target.extend(entry.values.iter().cloned());
        }
        self.kinds.retain(|k, _| present.contains(k));
        parts
    }
}

impl KindValues {
    /// Convert a changed kind, reusing every value whose uid and resourceVersion are
    /// unchanged. Returns how many objects had to be serialised.
    fn refresh(
        &mut self,
        ar: &ApiResource,
        generation: u64,
        objects: &[Arc<DynamicObject>],
    ) -> u64 {
        let mut converted = 0;
        let mut by_uid = HashMap::with_capacity(objects.len());
        let mut values = Vec::with_capacity(objects.len());
        for o in objects {
            let uid = o.metadata.uid.as_deref().unwrap_or_default();
            let rv = o.metadata.resource_version.as_deref().unwrap_or_default();
            let reused = (!uid.is_empty() && !rv.is_empty())
                .then(|| self.by_uid.remove(uid))
                .flatten()
                .filter(|(old_rv, _)| old_rv == rv)
                .map(|(_, v)| v);
            let value = match reused {
                Some(v) => v,
                None => {
                    converted += 1;
                    Arc::new(to_value(o, ar))
                }
            };
            if !uid.is_empty() && !rv.is_empty() {
                by_uid.insert(uid.to_string(), (rv.to_string(), value.clone()));
            }
            values.push(value);
        }
        self.generation = generation;
        self.bucket = Some(bucket(ar));
        self.values = values;
        self.by_uid = by_uid;
        converted
    }
}

/// The API shape of a cached object; objects from a watch of a known resource always carry
/// apiVersion/kind for the views.
pub fn to_value(o: &DynamicObject, ar: &ApiResource) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        map.entry("apiVersion")
            .or_insert_with(|| json!(ar.api_version));
        map.entry("kind").or_insert_with(|| json!(ar.kind));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn obj(name: &str, uid: &str, rv: &str, message: &str) -> Arc<DynamicObject> {
        let v = json!({"metadata": {"name": name, "namespace": "ns", "uid": uid, "resourceVersion": rv},
            "status": {"message": message}});
        Arc::new(serde_json::from_value(v).expect("object"))
    }

    fn slice(
        ar: ApiResource,
        generation: u64,
        state: KindState,
        objects: Option<Vec<Arc<DynamicObject>>>,
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
    fn only_changed_objects_are_serialised_and_the_rest_are_shared() {
        let mut b = SnapshotBuilder::default();
        let first: Vec<_> = (0..100)
            .map(|i| obj(&format!("o{i}"), &format!("u{i}"), "1", "old"))
            .collect();
        let p1 = b.update(vec![slice(
            ks_resource(),
            1,
            KindState::Live,
            Some(first.clone()),
        )]);
        assert_eq!(b.conversions, 100);
        assert_eq!(p1.objects.len(), 100);
        assert_eq!(p1.objects[0]["kind"], "Kustomization");
        assert_eq!(
            p1.objects[0]["apiVersion"],
            "kustomize.toolkit.fluxcd.io/v1"
        );

        let mut second = first.clone();
        second[7] = obj("o7", "u7", "2", "new");
        let p2 = b.update(vec![slice(ks_resource(), 2, KindState::Live, Some(second))]);
        assert_eq!(b.conversions, 101, "one object changed, one serialised");
        assert_eq!(p2.objects[7]["status"]["message"], "new");
        assert!(Arc::ptr_eq(&p1.objects[0], &p2.objects[0]));
        assert!(!Arc::ptr_eq(&p1.objects[7], &p2.objects[7]));

        // Unchanged generation: nothing read, nothing converted, same values.
        let p3 = b.update(vec![slice(ks_resource(), 2, KindState::Live, None)]);
        assert_eq!(b.conversions, 101);
        assert!(Arc::ptr_eq(&p2.objects[7], &p3.objects[7]));
        assert_eq!(b.seen("kustomize.toolkit.fluxcd.io/Kustomization"), Some(2));
    }

    #[test]
    fn deleted_and_recreated_objects_are_not_reused() {
        let mut b = SnapshotBuilder::default();
        b.update(vec![slice(
            ks_resource(),
            1,
            KindState::Live,
            Some(vec![obj("a", "u1", "5", "x")]),
        )]);
        // Same name and resourceVersion text, new uid: a new object.
        let p = b.update(vec![slice(
            ks_resource(),
            2,
            KindState::Live,
            Some(vec![obj("a", "u2", "5", "y")]),
        )]);
        assert_eq!(b.conversions, 2);
        assert_eq!(p.objects[0]["status"]["message"], "y");
        let p = b.update(vec![slice(ks_resource(), 3, KindState::Live, Some(vec![]))]);
        assert!(p.objects.is_empty());
    }

    #[test]
    fn buckets_restricted_kinds_and_sync_progress() {
        let mut b = SnapshotBuilder::default();
        let p = b.update(vec![
            slice(
                ks_resource(),
                1,
                KindState::Live,
                Some(vec![obj("a", "u1", "1", "")]),
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

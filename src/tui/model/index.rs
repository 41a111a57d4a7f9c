//! A per-snapshot index: every Flux object summarised once (health, columns, source, labels,
//! last event) so that views filter and sort cheaply on every keypress.

use super::kinds::Column;
use super::object::{self, Health, InventoryEntry};
use super::time;
use crate::tui::backend::{ObjectRef, Snapshot, StoredObject};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct LastEvent {
    pub at: Option<jiff::Timestamp>,
    pub message: String,
    pub warning: bool,
}

/// One Flux object as the views need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub r: ObjectRef,
    pub health: Health,
    pub ready: String,
    pub message: String,
    pub revision: String,
    pub suspended: bool,
    pub suspend_reason: Option<String>,
    pub source: Option<ObjectRef>,
    pub labels: BTreeMap<String, String>,
    pub last_event: Option<LastEvent>,
    /// `spec.dependsOn` (the tree and cycle detection read every object's).
    pub depends_on: Vec<ObjectRef>,
    /// `status.inventory` entries (the tree expands them).
    pub inventory: Vec<InventoryEntry>,
    /// Kind-specific `flux get` columns that have a value (image kinds).
    pub fields: Vec<(Column, String)>,
    /// Position in `Snapshot::objects`.
    pub index: usize,
    /// Hash of `uid/resourceVersion` the summary was computed from (0: never reused).
    pub version: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HealthCounts {
    pub ready: usize,
    pub failing: usize,
    pub suspended: usize,
    pub in_progress: usize,
}

/// Memory is the constraint here (thousands of objects, a console on a bastion host): each
/// summary is its own allocation, so a rebuild moves pointers instead of holding two arrays of
/// whole summaries, and lookup by reference is a sorted array of positions, not a map holding
/// a second copy of every reference.
#[derive(Debug, Default)]
pub struct FleetIndex {
    pub summaries: Vec<Arc<Summary>>,
    /// Positions in `summaries`, ordered by `ObjectRef`.
    by_ref: Vec<u32>,
    pub counts: HealthCounts,
    /// Objects whose READY text differs from the previous index's (the list flashes them).
    pub ready_changed: Vec<ObjectRef>,
    /// The objects the summaries were computed from (same order). Holding them keeps every
    /// pointer unique while the index lives, so the next snapshot's unchanged objects (the
    /// same `Arc`) are found by pointer without reading them.
    sources: Vec<Arc<StoredObject>>,
}

/// When an event last happened: lastTimestamp, eventTime, firstTimestamp, creation.
pub fn event_time(ev: &Value) -> Option<jiff::Timestamp> {
    time::parse(ev.get("lastTimestamp"))
        .or_else(|| time::parse(ev.get("eventTime")))
        .or_else(|| time::parse(ev.get("firstTimestamp")))
        .or_else(|| time::parse(ev.pointer("/metadata/creationTimestamp")))
}

pub fn involved(ev: &Value) -> ObjectRef {
    let s = |p: &str| {
        ev.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    ObjectRef::new(
        s("/involvedObject/kind"),
        s("/involvedObject/namespace"),
        s("/involvedObject/name"),
    )
}

pub fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    obj.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A hash of `uid/resourceVersion`: the same value means the same object content, so its
/// summary can be reused. 0 when either is missing (test fixtures), which disables reuse.
pub fn version_of(obj: &Value) -> u64 {
    use std::hash::{Hash, Hasher};
    let uid = obj.pointer("/metadata/uid").and_then(Value::as_str);
    let rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str);
    match (uid, rv) {
        (Some(u), Some(v)) if !u.is_empty() && !v.is_empty() => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (u, v).hash(&mut h);
            h.finish().max(1)
        }
        _ => 0,
    }
}

impl FleetIndex {
    pub fn build(snapshot: &Snapshot) -> Self {
        Self::rebuild(snapshot, FleetIndex::default())
    }

    /// Index `snapshot`, reusing the summaries of `previous` whose object is unchanged
    /// (same uid and resourceVersion): a watch event touching one object recomputes one
    /// summary, not all of them. Last events are always recomputed (events change alone).
    pub fn rebuild(snapshot: &Snapshot, previous: FleetIndex) -> Self {
        let FleetIndex {
            summaries,
            sources,
            by_ref,
            ..
        } = previous;
        drop(by_ref);
        // Summaries move from the previous index to this one by position (never through a map
        // of whole summaries: with thousands of objects every copy is megabytes).
        let mut old: Vec<Option<Arc<Summary>>> = summaries.into_iter().map(Some).collect();
        // 1. the same Arc as last time: the same object, its summary stands as it is
        let by_ptr: HashMap<*const StoredObject, usize> = sources
            .iter()
            .enumerate()
            .map(|(i, s)| (Arc::as_ptr(s), i))
            .collect();
        let kept: Vec<Option<usize>> = snapshot
            .objects
            .iter()
            .map(|obj| by_ptr.get(&Arc::as_ptr(obj)).copied())
            .collect();
        drop(by_ptr);
        let mut same_arc = vec![false; old.len()];
        for i in kept.iter().flatten() {
            same_arc[*i] = true;
        }
        // 2. a new Arc with the same uid and resourceVersion (backends that copy); any other
        //    previous summary of the same object only tells whether its READY changed
        let mut previous: HashMap<ObjectRef, usize> = old
            .iter()
            .enumerate()
            .filter(|(i, _)| !same_arc[*i])
            .filter_map(|(i, s)| s.as_ref().map(|s| (s.r.clone(), i)))
            .collect();
        drop(sources);
        let mut last: HashMap<ObjectRef, LastEvent> = HashMap::new();
        for ev in &snapshot.events {
            let at = event_time(ev);
            let entry = LastEvent {
                at,
                message: object::shorten_hashes(
                    ev.get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                ),
                warning: ev.get("type").and_then(Value::as_str) == Some("Warning"),
            };
            let key = involved(ev);
            match last.get(&key) {
                Some(prev) if prev.at > at => {}
                _ => {
                    last.insert(key, entry);
                }
            }
        }
        let mut idx = FleetIndex::default();
        idx.summaries.reserve(snapshot.objects.len());
        idx.sources.reserve(snapshot.objects.len());
        for (i, obj) in snapshot.objects.iter().enumerate() {
            let s = match kept[i].and_then(|k| old[k].take()) {
                Some(prev) => moved(prev, i, &mut last),
                None => {
                    let obj = obj.value();
                    let r = ObjectRef::of(&obj);
                    let version = version_of(&obj);
                    match previous.remove(&r).and_then(|k| old[k].take()) {
                        Some(prev) if version != 0 && prev.version == version => {
                            moved(prev, i, &mut last)
                        }
                        prev => {
                            let last_event = last.remove(&r);
                            let s = summarise(&obj, i, r, version, last_event);
                            if prev.is_some_and(|p| p.ready != s.ready) {
                                idx.ready_changed.push(s.r.clone());
                            }
                            Arc::new(s)
                        }
                    }
                }
            };
            idx.sources.push(obj.clone());
            match s.health {
                Health::Ready => idx.counts.ready += 1,
                Health::Failing => idx.counts.failing += 1,
                Health::Suspended => idx.counts.suspended += 1,
                Health::InProgress => idx.counts.in_progress += 1,
                Health::Unknown => {}
            }
            idx.summaries.push(s);
        }
        let summaries = &idx.summaries;
        let mut by_ref: Vec<u32> = (0..summaries.len() as u32).collect();
        by_ref.sort_unstable_by(|a, b| summaries[*a as usize].r.cmp(&summaries[*b as usize].r));
        idx.by_ref = by_ref;
        idx
    }

    pub fn get(&self, r: &ObjectRef) -> Option<&Summary> {
        let at = self
            .by_ref
            .binary_search_by(|i| self.summaries[*i as usize].r.cmp(r))
            .ok()?;
        Some(&self.summaries[self.by_ref[at] as usize])
    }

    /// The whole object behind `r`, parsed (for the one view that shows it).
    pub fn object(&self, snapshot: &Snapshot, r: &ObjectRef) -> Option<Value> {
        let s = self.get(r)?;
        snapshot.objects.get(s.index).map(|o| o.value())
    }
}

/// A kept summary at its new position, with the object's newest event. The previous index
/// was consumed, so the summary is not shared and `make_mut` changes it in place.
fn moved(
    mut prev: Arc<Summary>,
    i: usize,
    last: &mut HashMap<ObjectRef, LastEvent>,
) -> Arc<Summary> {
    let last_event = last.remove(&prev.r);
    if prev.index != i || prev.last_event != last_event {
        let s = Arc::make_mut(&mut prev);
        s.index = i;
        s.last_event = last_event;
    }
    prev
}

/// Everything the views read from one object, computed once.
fn summarise(
    obj: &Value,
    i: usize,
    r: ObjectRef,
    version: u64,
    last_event: Option<LastEvent>,
) -> Summary {
    let conds = object::conditions(obj);
    let (ready, message) = object::ready_columns_with(obj, &conds);
    let health = object::flux_health_with(obj, &conds);
    Summary {
        health,
        ready,
        message,
        revision: object::revision(obj),
        suspended: object::is_suspended(obj),
        suspend_reason: object::suspend_reason(obj),
        source: object::source_ref(obj),
        labels: labels_of(obj),
        last_event,
        depends_on: object::depends_on(obj),
        inventory: object::inventory(obj),
        fields: [
            Column::LastScan,
            Column::Image,
            Column::Tag,
            Column::LastRun,
        ]
        .into_iter()
        .map(|c| (c, object::kind_field(obj, c)))
        .filter(|(_, v)| !v.is_empty())
        .collect(),
        index: i,
        r,
        version,
    }
}

//! Conversion between the version a client speaks and the version objects are stored in.
//!
//! CRD versions use the `None` strategy (only apiVersion changes). events.k8s.io/v1 Events are
//! stored as core/v1 Events, with kube's field renames, so both APIs list the same events.

use serde_json::{Map, Value};

use super::types::ResourceType;

/// (events.k8s.io/v1 name, core/v1 name)
const EVENT_RENAMES: &[(&str, &str)] = &[
    ("regarding", "involvedObject"),
    ("note", "message"),
    ("reportingController", "reportingComponent"),
    ("deprecatedSource", "source"),
    ("deprecatedFirstTimestamp", "firstTimestamp"),
    ("deprecatedLastTimestamp", "lastTimestamp"),
    ("deprecatedCount", "count"),
];

pub fn is_events_v1(rt: &ResourceType) -> bool {
    rt.group == "events.k8s.io" && rt.plural == "events"
}

fn rename(obj: &Value, to_core: bool) -> Value {
    let Some(map) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (k, v) in map {
        let renamed = EVENT_RENAMES
            .iter()
            .find(|(new, old)| if to_core { k == new } else { k == old })
            .map(|(new, old)| if to_core { *old } else { *new });
        out.insert(renamed.unwrap_or(k).to_string(), v.clone());
    }
    Value::Object(out)
}

fn set_type_meta(obj: &mut Value, api_version: &str, kind: &str) {
    if let Some(map) = obj.as_object_mut() {
        let mut leading = map.iter().take(2).map(|(k, v)| (k.as_str(), v.as_str()));
        if leading.next() == Some(("apiVersion", Some(api_version)))
            && leading.next() == Some(("kind", Some(kind)))
        {
            // already in place (the stored form read in its own version): nothing to rebuild
            return;
        }
        // apiVersion and kind lead, as kube serialises them
        let rest: Map<String, Value> = std::mem::take(map)
            .into_iter()
            .filter(|(k, _)| k != "apiVersion" && k != "kind")
            .collect();
        map.insert("apiVersion".into(), Value::String(api_version.to_string()));
        map.insert("kind".into(), Value::String(kind.to_string()));
        map.extend(rest);
    }
}

/// A request body in the client's version → the stored form (storage version `storage`).
pub fn ingest(rt: &ResourceType, storage: &ResourceType, obj: Value) -> Value {
    let mut out = if is_events_v1(rt) {
        rename(&obj, true)
    } else {
        obj
    };
    set_type_meta(&mut out, &storage.api_version(), &storage.kind);
    out
}

/// A stored object → the version the client asked for.
pub fn present(rt: &ResourceType, stored: &Value) -> Value {
    let mut out = if is_events_v1(rt) {
        rename(stored, false)
    } else {
        stored.clone()
    };
    set_type_meta(&mut out, &rt.api_version(), &rt.kind);
    out
}

/// Where objects of a resource live: events.k8s.io events share core/v1 events' storage.
pub fn storage_group_resource(rt: &ResourceType) -> super::types::GroupResource {
    if is_events_v1(rt) {
        super::types::GroupResource {
            group: String::new(),
            resource: "events".into(),
        }
    } else {
        rt.group_resource()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::builtin::builtin_types;
    use serde_json::json;

    #[test]
    fn events_round_trip_between_apis() {
        let types = builtin_types();
        let core = types
            .iter()
            .find(|t| t.kind == "Event" && t.group.is_empty())
            .unwrap();
        let v1 = types
            .iter()
            .find(|t| t.kind == "Event" && t.group == "events.k8s.io")
            .unwrap();
        let body = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
            "regarding": {"kind": "Pod", "name": "web"}, "note": "pulled", "reason": "Pulled",
            "reportingController": "kubelet", "reportingInstance": "node-1", "type": "Normal"});
        let stored = ingest(v1, core, body.clone());
        assert_eq!(stored["apiVersion"], "v1");
        assert_eq!(stored["involvedObject"]["name"], "web");
        assert_eq!(stored["message"], "pulled");
        assert_eq!(stored["reportingComponent"], "kubelet");
        assert_eq!(present(v1, &stored), body);
        assert_eq!(present(core, &stored)["message"], "pulled");
    }
}

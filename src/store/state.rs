//! The in-memory state: every object by resource and key, the resourceVersion counter and the
//! catalog. All mutation goes through `put` and `remove`, which assign the next RV and record
//! the change for the event log and the persistence layer.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::{Value, json};

use super::catalog::Catalog;
use super::crd;
use super::meta;
use super::types::{GroupResource, ResourceType, StoreError, WatchEventType};

/// (namespace or "" for cluster-scoped, name)
pub type ObjKey = (String, String);

/// One committed change, in RV order.
#[derive(Debug, Clone)]
pub struct Change {
    pub rv: u64,
    pub gr: GroupResource,
    pub key: ObjKey,
    pub type_: WatchEventType,
    pub object: Arc<Value>,
    pub prev: Option<Arc<Value>>,
}

#[derive(Default)]
pub struct State {
    pub rv: u64,
    pub objects: HashMap<GroupResource, BTreeMap<ObjKey, Arc<Value>>>,
    pub catalog: Catalog,
    /// Bumped whenever the served types change.
    pub catalog_version: u64,
    changes: Vec<Change>,
}

pub fn key_of(ns: Option<&str>, name: &str) -> ObjKey {
    (ns.unwrap_or("").to_string(), name.to_string())
}

pub fn not_found(rt: &ResourceType, name: &str) -> StoreError {
    let resource = if rt.group.is_empty() {
        rt.plural.clone()
    } else {
        format!("{}.{}", rt.plural, rt.group)
    };
    StoreError::NotFound {
        resource,
        name: name.to_string(),
    }
}

pub fn gr_display(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.plural.clone()
    } else {
        format!("{}.{}", rt.plural, rt.group)
    }
}

impl State {
    /// Rebuilds a state from persisted objects (CRD types are registered from the CRD objects).
    pub fn restore(rv: u64, objects: Vec<(GroupResource, ObjKey, Value)>) -> State {
        let mut st = State {
            rv,
            ..State::default()
        };
        for (gr, key, obj) in objects {
            st.objects.entry(gr).or_default().insert(key, Arc::new(obj));
        }
        let crd_gr = GroupResource {
            group: "apiextensions.k8s.io".into(),
            resource: "customresourcedefinitions".into(),
        };
        let crds: Vec<Arc<Value>> = st
            .objects
            .get(&crd_gr)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        for c in crds {
            let accepted = c
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .is_some_and(|conds| {
                    conds
                        .iter()
                        .any(|x| x["type"] == "NamesAccepted" && x["status"] == "True")
                });
            if accepted {
                st.catalog.set_crd(meta::name_of(&c), crd::served_types(&c));
            }
        }
        st
    }

    pub fn get(&self, gr: &GroupResource, key: &ObjKey) -> Option<&Arc<Value>> {
        self.objects.get(gr).and_then(|m| m.get(key))
    }

    /// Stores a new version of an object under the next resourceVersion.
    pub fn put(&mut self, gr: &GroupResource, key: ObjKey, mut obj: Value) -> Arc<Value> {
        self.rv += 1;
        meta::meta_mut(&mut obj).insert("resourceVersion".into(), json!(self.rv.to_string()));
        let obj = Arc::new(obj);
        let prev = self
            .objects
            .entry(gr.clone())
            .or_default()
            .insert(key.clone(), obj.clone());
        let type_ = if prev.is_some() {
            WatchEventType::Modified
        } else {
            WatchEventType::Added
        };
        self.changes.push(Change {
            rv: self.rv,
            gr: gr.clone(),
            key,
            type_,
            object: obj.clone(),
            prev,
        });
        obj
    }

    /// Removes an object; the DELETED event carries the deletion's resourceVersion.
    pub fn remove(&mut self, gr: &GroupResource, key: &ObjKey) -> Option<Arc<Value>> {
        self.remove_as(gr, key, None)
    }

    /// Removes an object whose final write (e.g. dropping the last finalizer) is `last`: one
    /// DELETED event carries that final state, as kube deletes instead of updating.
    pub fn remove_as(
        &mut self,
        gr: &GroupResource,
        key: &ObjKey,
        last: Option<Value>,
    ) -> Option<Arc<Value>> {
        let prev = self.objects.get_mut(gr)?.remove(key)?;
        self.rv += 1;
        let mut last = last.unwrap_or_else(|| (*prev).clone());
        meta::meta_mut(&mut last).insert("resourceVersion".into(), json!(self.rv.to_string()));
        let last = Arc::new(last);
        self.changes.push(Change {
            rv: self.rv,
            gr: gr.clone(),
            key: key.clone(),
            type_: WatchEventType::Deleted,
            object: last.clone(),
            prev: Some(prev),
        });
        Some(last)
    }

    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    /// The objects of one resource, optionally in one namespace, in key order.
    pub fn scan(&self, gr: &GroupResource, ns: Option<&str>) -> Vec<(&ObjKey, &Arc<Value>)> {
        let Some(map) = self.objects.get(gr) else {
            return Vec::new();
        };
        match ns {
            None => map.iter().collect(),
            Some(ns) => {
                let start = (ns.to_string(), String::new());
                map.range(start..).take_while(|(k, _)| k.0 == ns).collect()
            }
        }
    }

    pub fn namespace(&self, name: &str) -> Option<&Arc<Value>> {
        let gr = GroupResource {
            group: String::new(),
            resource: "namespaces".into(),
        };
        self.get(&gr, &(String::new(), name.to_string()))
    }

    /// Registers (or re-registers) a CRD's types; returns the NamesAccepted conflict, if any.
    pub fn register_crd(&mut self, crd_obj: &Value) -> Option<String> {
        let name = meta::name_of(crd_obj).to_string();
        let names = crd::names(crd_obj);
        if let Some(conflict) = self.catalog.name_conflict(&name, &names) {
            if self.catalog.remove_crd(&name).is_some() {
                self.catalog_version += 1;
            }
            return Some(conflict);
        }
        if self.catalog.set_crd(&name, crd::served_types(crd_obj)) {
            self.catalog_version += 1;
        }
        None
    }

    pub fn unregister_crd(&mut self, crd_name: &str) {
        if self.catalog.remove_crd(crd_name).is_some() {
            self.catalog_version += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_and_remove_assign_increasing_versions() {
        let mut st = State::default();
        let gr = GroupResource {
            group: String::new(),
            resource: "configmaps".into(),
        };
        let a = st.put(
            &gr,
            key_of(Some("ns"), "a"),
            json!({"metadata": {"name": "a"}}),
        );
        st.put(
            &gr,
            key_of(Some("other"), "b"),
            json!({"metadata": {"name": "b"}}),
        );
        assert_eq!(a["metadata"]["resourceVersion"], "1");
        let gone = st.remove(&gr, &key_of(Some("ns"), "a")).unwrap();
        assert_eq!(gone["metadata"]["resourceVersion"], "3");
        let changes = st.take_changes();
        assert_eq!(changes.iter().map(|c| c.rv).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(changes[2].type_, WatchEventType::Deleted);
        assert_eq!(st.scan(&gr, Some("other")).len(), 1);
        assert_eq!(st.scan(&gr, Some("ns")).len(), 0);
    }
}

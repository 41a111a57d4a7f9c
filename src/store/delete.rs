//! Deletion: preconditions, finalizers (deletionTimestamp until they are gone), propagation
//! policies, and the garbage collector pass that deletes dependents and empties namespaces.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::convert;
use super::meta;
use super::state::{ObjKey, State, gr_display, key_of, not_found};
use super::types::{
    DeleteOptions, DeleteOutcome, GroupResource, Propagation, ResourceType, StoreError,
};
use super::write_checks::namespace_held;

pub const FOREGROUND: &str = "foregroundDeletion";

fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl State {
    pub fn delete(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        o: &DeleteOptions,
        now: &str,
    ) -> Result<DeleteOutcome, StoreError> {
        let (_, gr) = self.storage_of(rt)?;
        let ns = if rt.namespaced { ns } else { None };
        let key = key_of(ns, name);
        let old = self
            .get(&gr, &key)
            .cloned()
            .ok_or_else(|| not_found(rt, name))?;
        let conflict = |message: String| StoreError::Conflict {
            resource: gr_display(rt),
            name: name.to_string(),
            message,
        };
        if let Some(uid) = o.precondition_uid.as_deref()
            && Some(uid) != meta::meta_str(&old, "uid")
        {
            return Err(conflict(format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                meta::meta_str(&old, "uid").unwrap_or("")
            )));
        }
        if let Some(rv) = o.precondition_resource_version.as_deref()
            && Some(rv) != meta::meta_str(&old, "resourceVersion")
        {
            return Err(conflict(format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                meta::meta_str(&old, "resourceVersion").unwrap_or("")
            )));
        }
        let propagation = o.propagation.unwrap_or_default();
        let mut finalizers = meta::finalizers(&old);
        if propagation == Propagation::Foreground && !finalizers.iter().any(|f| f == FOREGROUND) {
            finalizers.push(FOREGROUND.to_string());
        }
        let held = !finalizers.is_empty() || namespace_held(rt, &old);
        if o.dry_run {
            let mut preview = (*old).clone();
            if held {
                mark_deleting(&mut preview, &finalizers, now, rt);
                return Ok(DeleteOutcome::Pending(convert::present(rt, &preview)));
            }
            return Ok(DeleteOutcome::Deleted(convert::present(rt, &preview)));
        }
        if propagation == Propagation::Orphan {
            self.orphan_dependents(&old);
        }
        if held {
            if meta::is_deleting(&old) && meta::finalizers(&old) == finalizers {
                return Ok(DeleteOutcome::Pending(convert::present(rt, &old)));
            }
            let mut next = (*old).clone();
            mark_deleting(&mut next, &finalizers, now, rt);
            let stored = self.put(&gr, key, next);
            return Ok(DeleteOutcome::Pending(convert::present(rt, &stored)));
        }
        let gone = self.remove(&gr, &key).ok_or_else(|| not_found(rt, name))?;
        self.after_removal(rt, &gone);
        Ok(DeleteOutcome::Deleted(convert::present(rt, &gone)))
    }

    /// Follow-ups of an object leaving the store: a CRD takes its types and objects with it.
    pub fn after_removal(&mut self, rt: &ResourceType, gone: &Value) {
        if rt.group == "apiextensions.k8s.io" && rt.plural == "customresourcedefinitions" {
            let n = super::crd::names(gone);
            self.unregister_crd(meta::name_of(gone));
            let gr = GroupResource {
                group: n.group,
                resource: n.plural,
            };
            let keys: Vec<ObjKey> = self
                .objects
                .get(&gr)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            for k in keys {
                self.remove(&gr, &k);
            }
            self.objects.remove(&gr);
        }
    }

    /// Orphan propagation: dependents lose their ownerReferences to the deleted owner.
    fn orphan_dependents(&mut self, owner: &Value) {
        let Some(uid) = meta::meta_str(owner, "uid").map(str::to_string) else {
            return;
        };
        for (gr, key, obj) in self.dependents_of(&uid) {
            let mut next = (*obj).clone();
            if let Some(refs) = next
                .pointer_mut("/metadata/ownerReferences")
                .and_then(Value::as_array_mut)
            {
                refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid.as_str()));
                if refs.is_empty() {
                    meta::meta_mut(&mut next).remove("ownerReferences");
                }
            }
            self.put(&gr, key, next);
        }
    }

    fn dependents_of(&self, uid: &str) -> Vec<(GroupResource, ObjKey, Arc<Value>)> {
        let mut out = Vec::new();
        for (gr, map) in &self.objects {
            for (k, o) in map {
                if owner_uids(o).iter().any(|u| u == uid) {
                    out.push((gr.clone(), k.clone(), o.clone()));
                }
            }
        }
        out
    }

    fn type_of(&self, gr: &GroupResource) -> Option<ResourceType> {
        self.catalog.storage_type(gr)
    }

    /// One garbage-collector pass. Returns whether it changed anything (run until it does not).
    pub fn gc_pass(&mut self, now: &str) -> bool {
        let uids: HashSet<String> = self
            .objects
            .values()
            .flat_map(|m| m.values())
            .filter_map(|o| meta::meta_str(o, "uid").map(str::to_string))
            .collect();
        let foreground_owners: HashSet<String> = self
            .objects
            .values()
            .flat_map(|m| m.values())
            .filter(|o| meta::is_deleting(o) && meta::finalizers(o).iter().any(|f| f == FOREGROUND))
            .filter_map(|o| meta::meta_str(o, "uid").map(str::to_string))
            .collect();
        let mut to_delete: Vec<(GroupResource, ObjKey)> = Vec::new();
        let mut to_release: Vec<(GroupResource, ObjKey)> = Vec::new();
        let mut terminating: Vec<String> = Vec::new();
        let mut referenced: HashSet<String> = HashSet::new();
        for (gr, map) in &self.objects {
            for (k, o) in map {
                let owners = owner_uids(o);
                referenced.extend(owners.iter().cloned());
                let orphaned = !owners.is_empty() && owners.iter().all(|u| !uids.contains(u));
                let owner_foreground = owners.iter().any(|u| foreground_owners.contains(u));
                if (orphaned || owner_foreground) && !meta::is_deleting(o) {
                    to_delete.push((gr.clone(), k.clone()));
                }
                if gr.group.is_empty() && gr.resource == "namespaces" && meta::is_deleting(o) {
                    terminating.push(k.1.clone());
                }
            }
        }
        for (gr, map) in &self.objects {
            for (k, o) in map {
                let uid = meta::meta_str(o, "uid").unwrap_or("");
                if foreground_owners.contains(uid) && !referenced.contains(uid) {
                    to_release.push((gr.clone(), k.clone()));
                }
            }
        }
        let mut changed = false;
        for ns in terminating {
            let contents: Vec<(GroupResource, ObjKey)> = self
                .objects
                .iter()
                .flat_map(|(gr, m)| {
                    m.iter()
                        .filter(|(k, o)| k.0 == ns && !meta::is_deleting(o))
                        .map(move |(k, _)| (gr.clone(), k.clone()))
                })
                .collect();
            let remaining = self
                .objects
                .values()
                .flat_map(|m| m.keys())
                .any(|k| k.0 == ns);
            if contents.is_empty() && !remaining {
                changed |= self.finalize_namespace(&ns, now);
            }
            to_delete.extend(contents);
        }
        for (gr, key) in to_delete {
            let Some(rt) = self.type_of(&gr) else {
                continue;
            };
            let ns = if key.0.is_empty() {
                None
            } else {
                Some(key.0.clone())
            };
            let o = DeleteOptions {
                propagation: Some(Propagation::Background),
                ..DeleteOptions::default()
            };
            changed |= self.delete(&rt, ns.as_deref(), &key.1, &o, now).is_ok();
        }
        for (gr, key) in to_release {
            changed |= self.remove_finalizer(&gr, &key, FOREGROUND);
        }
        changed
    }

    /// Drops one finalizer; the object goes away when it was the last hold.
    fn remove_finalizer(&mut self, gr: &GroupResource, key: &ObjKey, finalizer: &str) -> bool {
        let Some(old) = self.get(gr, key).cloned() else {
            return false;
        };
        let mut next = (*old).clone();
        let remaining: Vec<String> = meta::finalizers(&old)
            .into_iter()
            .filter(|f| f != finalizer)
            .collect();
        if remaining.len() == meta::finalizers(&old).len() {
            return false;
        }
        if remaining.is_empty() {
            meta::meta_mut(&mut next).remove("finalizers");
        } else {
            meta::meta_mut(&mut next).insert("finalizers".into(), json!(remaining));
        }
        let held = self
            .type_of(gr)
            .is_some_and(|rt| namespace_held(&rt, &next));
        if remaining.is_empty() && !held {
            if let Some(gone) = self.remove_as(gr, key, Some(next))
                && let Some(rt) = self.type_of(gr)
            {
                self.after_removal(&rt, &gone);
            }
        } else {
            self.put(gr, key.clone(), next);
        }
        true
    }

    /// The namespace controller's last step: spec.finalizers emptied, then the namespace goes.
    fn finalize_namespace(&mut self, ns: &str, _now: &str) -> bool {
        let gr = GroupResource {
            group: String::new(),
            resource: "namespaces".into(),
        };
        let key = (String::new(), ns.to_string());
        let Some(old) = self.get(&gr, &key).cloned() else {
            return false;
        };
        let mut next = (*old).clone();
        if let Some(spec) = next.get_mut("spec").and_then(Value::as_object_mut) {
            spec.remove("finalizers");
        }
        if meta::finalizers(&next).is_empty() {
            self.remove_as(&gr, &key, Some(next));
        } else if *old != next {
            self.put(&gr, key, next);
        } else {
            return false;
        }
        true
    }
}

fn mark_deleting(obj: &mut Value, finalizers: &[String], now: &str, rt: &ResourceType) {
    let m = meta::meta_mut(obj);
    m.entry("deletionTimestamp").or_insert_with(|| json!(now));
    m.insert("deletionGracePeriodSeconds".into(), json!(0));
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), json!(finalizers));
    }
    if rt.group.is_empty() && rt.plural == "namespaces" {
        obj["status"] = json!({"phase": "Terminating"});
    }
}

//! Inventory and garbage collection (SPEC §6.2, §6.8): the inventory is every change-set
//! entry; stale entries (in the old inventory, not in the new) are deleted in reverse apply
//! order, only when they carry both ownership labels and no prune/reconcile/ssa opt-out.

use kube::api::{Api, DeleteParams, DynamicObject};
use serde_json::{Value, json};

use super::apply::{self, Action, Change, Resolver};
use super::spec::{self, NAME_LABEL, NAMESPACE_LABEL};
use crate::api::meta::inventory::{Inventory, InventoryEntry, ObjMetadata};

/// Inventory entries of a change set.
pub fn inventory(changes: &[Change]) -> Vec<InventoryEntry> {
    changes
        .iter()
        .map(|c| {
            let om = ObjMetadata::new(
                c.namespace.as_deref().unwrap_or(""),
                &c.name,
                &c.resource.group,
                &c.resource.kind,
            );
            InventoryEntry::new(&om, c.resource.version.clone())
        })
        .collect()
}

pub fn inventory_value(entries: &[InventoryEntry]) -> Value {
    json!({"entries": entries})
}

/// Entries of `old` whose id is not in `new`.
pub fn stale(old: &[InventoryEntry], new: &[InventoryEntry]) -> Vec<InventoryEntry> {
    old.iter()
        .filter(|o| !new.iter().any(|n| n.id == o.id))
        .cloned()
        .collect()
}

pub fn parse_inventory(status: &Value) -> Vec<InventoryEntry> {
    status
        .get("inventory")
        .and_then(|i| serde_json::from_value::<Inventory>(i.clone()).ok())
        .map(|i| i.entries)
        .unwrap_or_default()
}

/// May this live object be deleted by the Kustomization `name`/`namespace`?
pub fn may_prune(live: &Value, name: &str, namespace: &str) -> bool {
    let label = |k: &str| {
        live.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
    };
    label(NAME_LABEL) == Some(name)
        && label(NAMESPACE_LABEL) == Some(namespace)
        && !apply::has_flag(live, "prune", "disabled")
        && !apply::has_flag(live, "reconcile", "disabled")
        && !apply::has_flag(live, "ssa", "ignore")
}

/// Delete stale objects; returns the change set and the errors (`delete failed` entries).
pub async fn prune(
    client: &kube::Client,
    resolver: &Resolver,
    stale: &[InventoryEntry],
    owner_name: &str,
    owner_namespace: &str,
) -> (Vec<Change>, Vec<String>) {
    let mut items: Vec<(ObjMetadata, String, Value)> = stale
        .iter()
        .filter_map(|e| {
            let om = e.object().ok()?;
            let api_version = e.api_version().ok()?;
            let synthetic = json!({"apiVersion": api_version, "kind": om.kind,
                "metadata": {"name": om.name, "namespace": om.namespace}});
            Some((om, api_version, synthetic))
        })
        .collect();
    items.sort_by_key(|(_, _, o)| spec::apply_order_key(o));
    items.reverse();
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for (om, api_version, _) in items {
        let ns = (!om.namespace.is_empty()).then_some(om.namespace.as_str());
        let subject = apply::subject(&om.kind, ns, &om.name);
        let Ok((resource, _)) = resolver.resolve(&api_version, &om.kind).await else {
            // The kind is gone (its CRD was removed): nothing left to delete.
            continue;
        };
        let api: Api<DynamicObject> = match ns {
            Some(n) => Api::namespaced_with(client.clone(), n, &resource),
            None => Api::all_with(client.clone(), &resource),
        };
        let mut change = Change {
            subject: subject.clone(),
            action: Action::Deleted,
            resource,
            namespace: ns.map(str::to_string),
            name: om.name.clone(),
            observed: None,
        };
        match api.get_opt(&om.name).await {
            Ok(None) => {}
            Ok(Some(live)) => {
                let live = serde_json::to_value(live).unwrap_or(Value::Null);
                if !may_prune(&live, owner_name, owner_namespace) {
                    change.action = Action::Skipped;
                } else if let Err(e) = api.delete(&om.name, &DeleteParams::background()).await {
                    change.action = Action::Unknown;
                    errors.push(format!("{subject}: {e}"));
                }
            }
            Err(e) => {
                change.action = Action::Unknown;
                errors.push(format!("{subject}: {e}"));
            }
        }
        changes.push(change);
    }
    (changes, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_needs_both_labels_and_no_opt_out() {
        let owned =
            json!({"metadata": {"labels": {NAME_LABEL: "apps", NAMESPACE_LABEL: "flux-system"}}});
        assert!(may_prune(&owned, "apps", "flux-system"));
        assert!(!may_prune(&owned, "apps", "other"));
        let half = json!({"metadata": {"labels": {NAME_LABEL: "apps"}}});
        assert!(!may_prune(&half, "apps", "flux-system"));
        let mut kept = owned.clone();
        kept["metadata"]["annotations"] = json!({"kustomize.toolkit.fluxcd.io/prune": "Disabled"});
        assert!(!may_prune(&kept, "apps", "flux-system"));
    }

    #[test]
    fn stale_entries_are_the_old_minus_the_new() {
        let e = |id: &str| InventoryEntry {
            id: id.into(),
            v: "v1".into(),
            extra: Default::default(),
        };
        let old = vec![e("default_a__ConfigMap"), e("default_b__ConfigMap")];
        let new = vec![e("default_b__ConfigMap")];
        let s = stale(&old, &new);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "default_a__ConfigMap");
    }
}

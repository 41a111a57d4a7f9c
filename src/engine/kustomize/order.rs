//! Output ordering: kustomize's legacy order (cluster-wide basics such as Namespaces and CRDs
//! first, webhooks last, the rest by group/version/kind, then namespace and name) with the
//! sortOptions overrides, or FIFO (input order).

use super::kustfile::SortOptions;
use super::resource::{ResId, Resource};
use std::cmp::Ordering;

pub const DEFAULT_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
pub const DEFAULT_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn kind_rank(kind: &str, first: &[String], last: &[String]) -> i64 {
    if let Some(i) = first.iter().position(|k| k == kind) {
        return i as i64 - first.len() as i64;
    }
    if let Some(i) = last.iter().position(|k| k == kind) {
        return 1 + i as i64;
    }
    0
}

fn legacy_cmp(a: &ResId, b: &ResId, first: &[String], last: &[String]) -> Ordering {
    let (ga, gb) = (a.gvk_string(), b.gvk_string());
    if ga != gb {
        let (ra, rb) = (
            kind_rank(&a.kind, first, last),
            kind_rank(&b.kind, first, last),
        );
        if ra != rb {
            return ra.cmp(&rb);
        }
        return ga.cmp(&gb);
    }
    let sa = format!("{}|{}", a.effective_namespace(), a.name);
    let sb = format!("{}|{}", b.effective_namespace(), b.name);
    sa.cmp(&sb)
}

/// Sort in place as the top-level kustomization's sortOptions say (legacy by default).
pub fn sort(resources: &mut [Resource], options: Option<&SortOptions>) -> Result<(), String> {
    let (first, last): (Vec<String>, Vec<String>) = match options {
        Some(o) if o.order == "fifo" => {
            if o.legacy_sort_options.is_some() {
                return Err(
                    "sortOptions: legacySortOptions may only be given with order 'legacy'".into(),
                );
            }
            return Ok(());
        }
        Some(o) if o.order == "legacy" => match &o.legacy_sort_options {
            Some(l) => (l.order_first.clone(), l.order_last.clone()),
            None => defaults(),
        },
        Some(o) => {
            return Err(format!(
                "the field 'sortOptions.order' must be one of [fifo, legacy], not '{}'",
                o.order
            ));
        }
        None => defaults(),
    };
    let mut keyed: Vec<(ResId, usize)> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.cur_id(), i))
        .collect();
    keyed.sort_by(|(a, _), (b, _)| legacy_cmp(a, b, &first, &last));
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut taken: Vec<Option<Resource>> = resources
        .iter_mut()
        .map(|r| Some(std::mem::replace(r, Resource::new(serde_json::Value::Null))))
        .collect();
    for (slot, i) in order.into_iter().enumerate() {
        if let Some(r) = taken[i].take() {
            resources[slot] = r;
        }
    }
    Ok(())
}

fn defaults() -> (Vec<String>, Vec<String>) {
    (
        DEFAULT_FIRST.iter().map(|s| s.to_string()).collect(),
        DEFAULT_LAST.iter().map(|s| s.to_string()).collect(),
    )
}

//! Discovery documents: aggregated (apidiscovery.k8s.io v2 and v2beta1) and the legacy
//! APIVersions / APIGroupList / APIGroup / APIResourceList, all computed from the served types.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::store::types::ResourceType;

pub const DEFAULT_VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const STATUS_VERBS: [&str; 3] = ["get", "patch", "update"];

/// Kubernetes version priority: GA before beta before alpha, higher numbers first,
/// then anything else alphabetically.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn rank(v: &str) -> Option<(u8, u64, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: u64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        let (level, minor) = if tail.is_empty() {
            (3, 0)
        } else if let Some(n) = tail.strip_prefix("beta") {
            (2, n.parse().ok()?)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (1, n.parse().ok()?)
        } else {
            return None;
        };
        Some((level, major, minor))
    }
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// The versions of one group, each with its types.
type Versions<'a> = Vec<(String, Vec<&'a ResourceType>)>;

/// Types grouped by group then version (versions in priority order, groups by name with
/// built-in groups first in the order they were registered).
fn by_group(types: &[ResourceType]) -> Vec<(String, Versions<'_>)> {
    let mut groups: Vec<(String, BTreeMap<String, Vec<&ResourceType>>)> = Vec::new();
    for rt in types {
        let idx = match groups.iter().position(|(g, _)| *g == rt.group) {
            Some(i) => i,
            None => {
                groups.push((rt.group.clone(), BTreeMap::new()));
                groups.len() - 1
            }
        };
        groups[idx]
            .1
            .entry(rt.version.clone())
            .or_default()
            .push(rt);
    }
    groups
        .into_iter()
        .map(|(g, versions)| {
            let mut versions: Vec<_> = versions.into_iter().collect();
            versions.sort_by(|a, b| compare_versions(&a.0, &b.0));
            (g, versions)
        })
        .collect()
}

fn verbs(rt: &ResourceType) -> Vec<String> {
    if rt.verbs.is_empty() {
        DEFAULT_VERBS.iter().map(|v| v.to_string()).collect()
    } else {
        rt.verbs.clone()
    }
}

fn aggregated_resource(rt: &ResourceType) -> Value {
    let kind = json!({"group": rt.group, "version": rt.version, "kind": rt.kind});
    let mut resource = json!({
        "resource": rt.plural,
        "responseKind": kind,
        "scope": if rt.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": rt.singular,
        "verbs": verbs(rt),
    });
    if !rt.short_names.is_empty() {
        resource["shortNames"] = json!(rt.short_names);
    }
    if !rt.categories.is_empty() {
        resource["categories"] = json!(rt.categories);
    }
    if rt.status_subresource {
        resource["subresources"] =
            json!([{"subresource": "status", "responseKind": kind, "verbs": STATUS_VERBS}]);
    }
    resource
}

/// `APIGroupDiscoveryList` for `/api` (core only) or `/apis` (every other group).
pub fn aggregated(types: &[ResourceType], core: bool, version: &str) -> Value {
    let items: Vec<Value> = by_group(types)
        .into_iter()
        .filter(|(g, _)| g.is_empty() == core)
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|(v, rts)| {
                    let resources: Vec<Value> =
                        rts.iter().map(|rt| aggregated_resource(rt)).collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": format!("apidiscovery.k8s.io/{version}"), "metadata": {}, "items": items})
}

/// `/api`: the legacy APIVersions answer.
pub fn api_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    })
}

fn api_group(group: &str, versions: &Versions<'_>) -> Value {
    let entries: Vec<Value> = versions
        .iter()
        .map(|(v, _)| json!({"groupVersion": format!("{group}/{v}"), "version": v}))
        .collect();
    json!({
        "name": group,
        "versions": entries,
        "preferredVersion": entries.first().cloned().unwrap_or(Value::Null),
    })
}

/// `/apis`: every non-core group.
pub fn group_list(types: &[ResourceType]) -> Value {
    let groups: Vec<Value> = by_group(types)
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(g, versions)| api_group(g, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, or None when nothing is served in that group.
pub fn group(types: &[ResourceType], name: &str) -> Option<Value> {
    let groups = by_group(types);
    let (g, versions) = groups.iter().find(|(g, _)| g == name && !g.is_empty())?;
    let mut doc = api_group(g, versions);
    doc["kind"] = json!("APIGroup");
    doc["apiVersion"] = json!("v1");
    Some(doc)
}

/// `/api/v1` or `/apis/{group}/{version}`, or None when that group-version is not served.
pub fn resource_list(types: &[ResourceType], group: &str, version: &str) -> Option<Value> {
    let matching: Vec<&ResourceType> = types
        .iter()
        .filter(|rt| rt.group == group && rt.version == version)
        .collect();
    if matching.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for rt in matching {
        let mut entry = json!({
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": verbs(rt),
        });
        if !rt.short_names.is_empty() {
            entry["shortNames"] = json!(rt.short_names);
        }
        if !rt.categories.is_empty() {
            entry["categories"] = json!(rt.categories);
        }
        resources.push(entry);
        if rt.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", rt.plural), "singularName": "", "namespaced": rt.namespaced,
                "kind": rt.kind, "verbs": STATUS_VERBS,
            }));
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn rt(
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        namespaced: bool,
    ) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            short_names: vec![],
            categories: vec![],
            namespaced,
            status_subresource: !group.is_empty(),
            printer_columns: vec![],
            schema: None,
            storage_version: true,
            verbs: vec![],
        }
    }

    fn sample() -> Vec<ResourceType> {
        let mut cm = rt("", "v1", "ConfigMap", "configmaps", true);
        cm.short_names = vec!["cm".into()];
        vec![
            cm,
            rt("", "v1", "Namespace", "namespaces", false),
            rt(
                "kustomize.toolkit.fluxcd.io",
                "v1beta2",
                "Kustomization",
                "kustomizations",
                true,
            ),
            rt(
                "kustomize.toolkit.fluxcd.io",
                "v1",
                "Kustomization",
                "kustomizations",
                true,
            ),
        ]
    }

    #[test]
    fn version_priority_matches_kubernetes() {
        let mut v = vec![
            "v1beta1", "foo", "v1alpha1", "v2", "v1", "v1beta2", "v10", "bar",
        ];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            v,
            [
                "v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "bar", "foo"
            ]
        );
    }

    #[test]
    fn aggregated_splits_core_and_groups() {
        let core = aggregated(&sample(), true, "v2");
        assert_eq!(core["apiVersion"], "apidiscovery.k8s.io/v2");
        assert_eq!(core["items"].as_array().unwrap().len(), 1);
        let cm = &core["items"][0]["versions"][0]["resources"][0];
        assert_eq!(cm["resource"], "configmaps");
        assert_eq!(cm["scope"], "Namespaced");
        assert_eq!(cm["shortNames"], json!(["cm"]));
        assert_eq!(
            core["items"][0]["versions"][0]["resources"][1]["scope"],
            "Cluster"
        );
        let groups = aggregated(&sample(), false, "v2beta1");
        let flux = &groups["items"][0];
        assert_eq!(flux["metadata"]["name"], "kustomize.toolkit.fluxcd.io");
        assert_eq!(
            flux["versions"][0]["version"], "v1",
            "preferred version first"
        );
        assert_eq!(
            flux["versions"][0]["resources"][0]["subresources"][0]["subresource"],
            "status"
        );
    }

    #[test]
    fn legacy_documents() {
        let list = group_list(&sample());
        assert_eq!(
            list["groups"][0]["preferredVersion"]["groupVersion"],
            "kustomize.toolkit.fluxcd.io/v1"
        );
        assert!(group(&sample(), "apps").is_none());
        let rl = resource_list(&sample(), "kustomize.toolkit.fluxcd.io", "v1").unwrap();
        let names: Vec<&str> = rl["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["kustomizations", "kustomizations/status"]);
        assert_eq!(
            resource_list(&sample(), "", "v1").unwrap()["groupVersion"],
            "v1"
        );
        assert!(resource_list(&sample(), "", "v2").is_none());
    }
}

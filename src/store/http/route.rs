//! Splits a request path into what it addresses: a discovery document or a resource
//! (group, version, namespace, plural, name, subresource). Pure; resolution against the
//! store's catalog happens in the handlers.

/// What a path under `/api` or `/apis` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiPath {
    /// `/api`
    CoreRoot,
    /// `/apis`
    GroupsRoot,
    /// `/apis/{group}`
    Group(String),
    /// `/api/v1`, `/apis/{group}/{version}`
    GroupVersion {
        group: String,
        version: String,
    },
    Resource(ResourcePath),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    pub plural: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Parses `/api/...` and `/apis/...`; None for anything else or malformed paths.
pub fn parse(path: &str) -> Option<ApiPath> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    match segments.as_slice() {
        ["api"] => Some(ApiPath::CoreRoot),
        ["apis"] => Some(ApiPath::GroupsRoot),
        ["apis", group] => Some(ApiPath::Group(group.to_string())),
        ["api", version, rest @ ..] => resource_or_version("", version, rest),
        ["apis", group, version, rest @ ..] => resource_or_version(group, version, rest),
        _ => None,
    }
}

fn resource_or_version(group: &str, version: &str, rest: &[&str]) -> Option<ApiPath> {
    if rest.iter().any(|s| s.is_empty()) {
        return None;
    }
    let owned = |s: &&str| s.to_string();
    let resource =
        |namespace: Option<&&str>, plural: &&str, name: Option<&&str>, sub: Option<&&str>| {
            Some(ApiPath::Resource(ResourcePath {
                group: group.to_string(),
                version: version.to_string(),
                namespace: namespace.map(owned),
                plural: plural.to_string(),
                name: name.map(owned),
                subresource: sub.map(owned),
            }))
        };
    match rest {
        [] => Some(ApiPath::GroupVersion {
            group: group.to_string(),
            version: version.to_string(),
        }),
        // `/namespaces/{name}/status|finalize` are subresources of the Namespace itself.
        ["namespaces", name, sub @ ("status" | "finalize")] if group.is_empty() => {
            resource(None, &"namespaces", Some(name), Some(sub))
        }
        ["namespaces", ns, plural] => resource(Some(ns), plural, None, None),
        ["namespaces", ns, plural, name] => resource(Some(ns), plural, Some(name), None),
        ["namespaces", ns, plural, name, sub] => resource(Some(ns), plural, Some(name), Some(sub)),
        [plural] => resource(None, plural, None, None),
        [plural, name] => resource(None, plural, Some(name), None),
        [plural, name, sub] => resource(None, plural, Some(name), Some(sub)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse(path) {
            Some(ApiPath::Resource(r)) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn discovery_paths() {
        assert_eq!(parse("/api"), Some(ApiPath::CoreRoot));
        assert_eq!(parse("/apis/"), Some(ApiPath::GroupsRoot));
        assert_eq!(parse("/apis/apps"), Some(ApiPath::Group("apps".into())));
        assert_eq!(
            parse("/api/v1"),
            Some(ApiPath::GroupVersion {
                group: String::new(),
                version: "v1".into()
            })
        );
        assert_eq!(
            parse("/apis/apps/v1"),
            Some(ApiPath::GroupVersion {
                group: "apps".into(),
                version: "v1".into()
            })
        );
        assert_eq!(parse("/version"), None);
    }

    #[test]
    fn namespaced_and_cluster_paths() {
        let r = res("/api/v1/namespaces/default/configmaps/cm1");
        assert_eq!(
            (r.namespace.as_deref(), r.plural.as_str(), r.name.as_deref()),
            (Some("default"), "configmaps", Some("cm1"))
        );
        let r = res(
            "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/apps/status",
        );
        assert_eq!(r.subresource.as_deref(), Some("status"));
        assert_eq!(r.group, "kustomize.toolkit.fluxcd.io");
        let r = res("/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations");
        assert_eq!((r.namespace, r.name), (None, None));
        let r = res("/api/v1/namespaces");
        assert_eq!((r.plural.as_str(), r.name), ("namespaces", None));
        let r = res("/api/v1/namespaces/flux-system");
        assert_eq!(
            (r.plural.as_str(), r.name.as_deref(), r.namespace),
            ("namespaces", Some("flux-system"), None)
        );
        let r = res("/api/v1/namespaces/flux-system/status");
        assert_eq!(
            (
                r.plural.as_str(),
                r.name.as_deref(),
                r.subresource.as_deref()
            ),
            ("namespaces", Some("flux-system"), Some("status"))
        );
        let r = res("/api/v1/namespaces/flux-system/secrets");
        assert_eq!(
            (r.plural.as_str(), r.namespace.as_deref()),
            ("secrets", Some("flux-system"))
        );
        assert_eq!(parse("/api/v1/namespaces/a/b/c/d/e"), None);
        assert_eq!(parse("/api/v1//x"), None);
    }
}

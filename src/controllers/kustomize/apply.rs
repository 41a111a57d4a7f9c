//! Server-side apply the way kustomize-controller does it (SPEC §6.7): every object is first
//! validated by a dry-run (so a bad object stops the run before anything is written), then
//! applied in stages (CRDs/Namespaces/ClusterRoles → `*Class` → the rest, waiting after the
//! first two), with the skip annotations, drift detection, force-recreate of immutable
//! objects and field manager `kustomize-controller`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams,
};
use serde_json::Value;

use super::spec;
use crate::engine::kstatus::{self, Rules, Status};

pub const FIELD_MANAGER: &str = "kustomize-controller";

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Configured,
    Unchanged,
    Skipped,
    Deleted,
    Unknown,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Skipped => "skipped",
            Action::Deleted => "deleted",
            Action::Unknown => "unknown",
        }
    }
}

/// One change-set entry.
#[derive(Debug, Clone)]
pub struct Change {
    /// `Kind/ns/name` or `Kind/name`.
    pub subject: String,
    pub action: Action,
    pub resource: ApiResource,
    pub namespace: Option<String>,
    pub name: String,
    /// The object as the server answered the apply (or the live object when unchanged): the
    /// health check's first look, before it polls.
    pub observed: Option<Arc<Value>>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.subject, self.action.as_str())
    }
}

pub fn subject(kind: &str, ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => format!("{kind}/{ns}/{name}"),
        _ => format!("{kind}/{name}"),
    }
}

/// `kustomize.toolkit.fluxcd.io/<key>` equals `value` (case-insensitive) as label or annotation.
pub fn has_flag(obj: &Value, key: &str, value: &str) -> bool {
    let full = format!("kustomize.toolkit.fluxcd.io/{key}");
    ["labels", "annotations"].iter().any(|f| {
        obj.pointer(&format!("/metadata/{f}"))
            .and_then(|m| m.get(&full))
            .and_then(Value::as_str)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
    })
}

/// Objects never applied: `reconcile: disabled` or `ssa: Ignore` on desired or live.
pub fn skip_apply(desired: &Value, live: Option<&Value>) -> bool {
    let flagged = |o: &Value| has_flag(o, "reconcile", "disabled") || has_flag(o, "ssa", "ignore");
    flagged(desired)
        || live.is_some_and(flagged)
        || (live.is_some() && has_flag(desired, "ssa", "ifnotpresent"))
}

fn strip_for_drift(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    o
}

/// Drift between the dry-run result and the live object (labels, annotations, the rest).
pub fn drifted(dry_run: &Value, live: &Value) -> bool {
    let meta = |o: &Value, f: &str| {
        o.pointer(&format!("/metadata/{f}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    meta(dry_run, "labels") != meta(live, "labels")
        || meta(dry_run, "annotations") != meta(live, "annotations")
        || strip_for_drift(dry_run) != strip_for_drift(live)
}

fn is_immutable(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => {
            (s.code == 409 || s.code == 422)
                && (s.message.contains("immutable") || s.message.contains("is immutable"))
        }
        _ => false,
    }
}

fn api_error_text(e: &kube::Error) -> (String, String) {
    match e {
        kube::Error::Api(s) => (s.reason.clone(), s.message.clone()),
        other => ("Unknown".into(), other.to_string()),
    }
}

/// Resolves apiVersion/kind to a REST resource with its scope (cached).
#[derive(Clone)]
pub struct Resolver {
    client: kube::Client,
    cache: Arc<Mutex<HashMap<(String, String), (ApiResource, bool)>>>,
}

impl Resolver {
    pub fn new(client: kube::Client) -> Resolver {
        Resolver {
            client,
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub async fn resolve(
        &self,
        api_version: &str,
        kind: &str,
    ) -> Result<(ApiResource, bool), String> {
        let key = (api_version.to_string(), kind.to_string());
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = GroupVersionKind::gvk(group, version, kind);
        let (ar, caps) = kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .map_err(|e| {
                let missing =
                    format!("no matches for kind \"{kind}\" in version \"{api_version}\"");
                match e {
                    // The API server does not serve the group-version or kind: the CRD is missing.
                    kube::Error::Api(s) if s.code == 404 => missing,
                    kube::Error::Discovery(_) => missing,
                    other => format!("{missing}: {other}"),
                }
            })?;
        let namespaced = caps.scope == kube::discovery::Scope::Namespaced;
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, (ar.clone(), namespaced));
        }
        Ok((ar, namespaced))
    }
}

struct Target {
    obj: Value,
    resource: ApiResource,
    namespace: Option<String>,
    name: String,
    subject: String,
}

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

async fn target(resolver: &Resolver, obj: &Value) -> Result<Target, String> {
    let kind = text(obj, "/kind");
    let name = text(obj, "/metadata/name").to_string();
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let subj = subject(kind, ns, &name);
    let (resource, namespaced) = resolver
        .resolve(text(obj, "/apiVersion"), kind)
        .await
        .map_err(|e| format!("{subj} dry-run failed: {e}"))?;
    if namespaced && ns.is_none() {
        return Err(format!("{subj} namespace not specified"));
    }
    Ok(Target {
        obj: obj.clone(),
        resource,
        namespace: if namespaced {
            ns.map(str::to_string)
        } else {
            None
        },
        name,
        subject: subj,
    })
}

fn api(client: &kube::Client, t: &Target) -> Api<DynamicObject> {
    match &t.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &t.resource),
        None => Api::all_with(client.clone(), &t.resource),
    }
}

fn to_dynamic(obj: &Value) -> Result<DynamicObject, String> {
    serde_json::from_value(obj.clone()).map_err(|e| e.to_string())
}

async fn dry_run(client: &kube::Client, t: &Target, force: bool) -> Result<Value, kube::Error> {
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    let _ = force;
    let o = api(client, t)
        .patch(&t.name, &params, &Patch::Apply(&t.obj))
        .await?;
    Ok(serde_json::to_value(o).unwrap_or(Value::Null))
}

/// Validate everything before writing: errors that the set itself explains (a namespace or
/// CRD it creates) are left to the staged apply.
pub async fn preflight(
    client: &kube::Client,
    resolver: &Resolver,
    objects: &[Value],
) -> Result<DryRuns, String> {
    let mut results = DryRuns::new();
    let namespaces: HashSet<&str> = objects
        .iter()
        .filter(|o| text(o, "/kind") == "Namespace")
        .map(|o| text(o, "/metadata/name"))
        .collect();
    let crd_kinds: HashSet<&str> = objects
        .iter()
        .filter(|o| text(o, "/kind") == "CustomResourceDefinition")
        .map(|o| text(o, "/spec/names/kind"))
        .collect();
    for obj in objects {
        let t = match target(resolver, obj).await {
            Ok(t) => t,
            Err(_) if crd_kinds.contains(text(obj, "/kind")) => continue,
            Err(e) => return Err(e),
        };
        if skip_apply(obj, None) {
            continue;
        }
        let outcome = dry_run(client, &t, false).await;
        if let Ok(v) = &outcome {
            results.insert(t.subject.clone(), v.clone());
        }
        if let Err(e) = outcome {
            let ns_in_set = t
                .namespace
                .as_deref()
                .is_some_and(|n| namespaces.contains(n));
            let not_found = matches!(&e, kube::Error::Api(s) if s.code == 404);
            if (not_found && ns_in_set) || is_immutable(&e) {
                continue;
            }
            let (reason, msg) = api_error_text(&e);
            return Err(format!("{} dry-run failed ({reason}): {msg}", t.subject));
        }
    }
    Ok(results)
}

/// Dry-run results of the preflight, by subject, reused by the apply of the same run.
pub type DryRuns = HashMap<String, Value>;

/// A dry-run answered as a create (no resourceVersion): the object did not exist when it ran.
fn dry_run_created(dry_run: &Value) -> bool {
    dry_run
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
}

/// What `apply_one` did and the object it left (None when skipped).
type Applied = (Action, Option<Value>);

async fn apply_one(
    client: &kube::Client,
    t: &Target,
    force: bool,
    known: Option<&Value>,
) -> Result<Applied, String> {
    let a = api(client, t);
    // The preflight's dry-run already says whether the object exists (as Flux tells
    // `created` from it); only an existing object is read for its skip flags and drift.
    let live = match known {
        Some(dry) if dry_run_created(dry) => None,
        _ => a
            .get_opt(&t.name)
            .await
            .map_err(|e| format!("{} query failed: {e}", t.subject))?
            .map(|o| serde_json::to_value(o).unwrap_or(Value::Null)),
    };
    if skip_apply(&t.obj, live.as_ref()) {
        return Ok((Action::Skipped, None));
    }
    let fresh = match known {
        Some(v) => Ok(v.clone()),
        None => dry_run(client, t, force).await,
    };
    let dry = match fresh {
        Ok(d) => d,
        Err(e)
            if is_immutable(&e)
                && live.is_some()
                && (force
                    || has_flag(&t.obj, "force", "enabled")
                    || live
                        .as_ref()
                        .is_some_and(|l| has_flag(l, "force", "enabled"))) =>
        {
            a.delete(&t.name, &DeleteParams::background())
                .await
                .map_err(|e| format!("{} delete failed: {e}", t.subject))?;
            let deadline = Instant::now() + Duration::from_secs(60);
            while a.get_opt(&t.name).await.ok().flatten().is_some() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            return apply_real(&a, t, None).await;
        }
        Err(e) => {
            let (reason, msg) = api_error_text(&e);
            return Err(format!("{} dry-run failed ({reason}): {msg}", t.subject));
        }
    };
    match live {
        Some(l) if !drifted(&dry, &l) => Ok((Action::Unchanged, Some(l))),
        live => apply_real(&a, t, live.as_ref()).await,
    }
}

async fn apply_real(
    a: &Api<DynamicObject>,
    t: &Target,
    live: Option<&Value>,
) -> Result<Applied, String> {
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let body = to_dynamic(&t.obj).map_err(|e| format!("{}: {e}", t.subject))?;
    let applied = a
        .patch(&t.name, &params, &Patch::Apply(&body))
        .await
        .map_err(|e| {
            let (reason, msg) = api_error_text(&e);
            format!("{} apply failed ({reason}): {msg}", t.subject)
        })?;
    let action = if live.is_some() {
        Action::Configured
    } else {
        Action::Created
    };
    Ok((action, serde_json::to_value(applied).ok()))
}

/// Poll until every object of a stage is Current (CRDs established, ...), up to 60s.
async fn wait_stage(client: &kube::Client, targets: &[&Target]) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut pause = Duration::from_millis(20);
    loop {
        let mut pending = Vec::new();
        for t in targets {
            let live = api(client, t).get_opt(&t.name).await.ok().flatten();
            let ok = live
                .and_then(|o| serde_json::to_value(o).ok())
                .and_then(|v| kstatus::compute_with(&v, Rules::Flux).ok())
                .is_some_and(|r| r.status == Status::Current);
            if !ok {
                pending.push(t.subject.clone());
            }
        }
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("timeout waiting for: [{}]", pending.join(", ")));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// Apply in stages; on error the partial change set is returned with the message.
pub async fn apply_all(
    client: &kube::Client,
    resolver: &Resolver,
    mut objects: Vec<Value>,
    force: bool,
    dry_runs: &DryRuns,
) -> Result<Vec<Change>, (Vec<Change>, String)> {
    objects.sort_by_key(spec::apply_order_key);
    let mut changes = Vec::new();
    for stage in 0..3 {
        let mut targets = Vec::new();
        for obj in objects.iter().filter(|o| spec::stage(o) == stage) {
            match target(resolver, obj).await {
                Ok(t) => targets.push(t),
                Err(e) => return Err((changes, e)),
            }
        }
        for t in &targets {
            match apply_one(client, t, force, dry_runs.get(&t.subject)).await {
                Ok((action, observed)) => changes.push(Change {
                    subject: t.subject.clone(),
                    action,
                    resource: t.resource.clone(),
                    namespace: t.namespace.clone(),
                    name: t.name.clone(),
                    observed: observed.map(Arc::new),
                }),
                Err(e) => return Err((changes, e)),
            }
        }
        if stage < 2 && !targets.is_empty() {
            let refs: Vec<&Target> = targets.iter().collect();
            wait_stage(client, &refs)
                .await
                .map_err(|e| (changes.clone(), e))?;
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn skip_rules_are_case_insensitive_and_check_both_sides() {
        let plain = json!({"metadata": {}});
        let ignored =
            json!({"metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "IGNORE"}}});
        let disabled =
            json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/reconcile": "Disabled"}}});
        let if_not_present = json!({"metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"}}});
        assert!(!skip_apply(&plain, None));
        assert!(skip_apply(&ignored, None));
        assert!(skip_apply(&plain, Some(&disabled)));
        assert!(!skip_apply(&if_not_present, None));
        assert!(skip_apply(&if_not_present, Some(&plain)));
    }

    #[test]
    fn drift_compares_labels_annotations_and_body() {
        let a = json!({"metadata": {"labels": {"a": "1"}, "resourceVersion": "1"}, "data": {"k": "v"}, "status": {}});
        let same =
            json!({"metadata": {"labels": {"a": "1"}, "resourceVersion": "2"}, "data": {"k": "v"}});
        assert!(!drifted(&a, &same));
        let body = json!({"metadata": {"labels": {"a": "1"}}, "data": {"k": "x"}});
        assert!(drifted(&a, &body));
        let label = json!({"metadata": {"labels": {"a": "2"}}, "data": {"k": "v"}});
        assert!(drifted(&a, &label));
        assert_eq!(subject("Namespace", None, "n"), "Namespace/n");
        assert_eq!(subject("ConfigMap", Some("ns"), "c"), "ConfigMap/ns/c");
    }

    #[test]
    fn a_dry_run_without_resource_version_was_a_create() {
        assert!(dry_run_created(&json!({"metadata": {"uid": "u"}})));
        assert!(dry_run_created(
            &json!({"metadata": {"resourceVersion": ""}})
        ));
        assert!(!dry_run_created(
            &json!({"metadata": {"resourceVersion": "42"}})
        ));
    }
}

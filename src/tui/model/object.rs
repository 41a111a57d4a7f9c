//! Reading Flux objects: conditions, health, revision, source reference and the per-kind
//! `flux get` fields, straight from the JSON the API returns (SPEC.md §2.1, §4.4, §5–§8).

use super::kinds;
use crate::tui::backend::{ObjectRef, SUSPEND_REASON_ANNOTATION};
use serde_json::Value;

/// Fleet health of one object, as counted in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Health {
    /// Ready=False, Stalled=True or retrying after a failure. Sorts first.
    Failing,
    /// Reconciling, not yet observed, or Ready=Unknown.
    InProgress,
    Suspended,
    Ready,
    /// No status we can read (managed objects not in the cache).
    Unknown,
}

impl Health {
    pub fn is_healthy(self) -> bool {
        matches!(self, Health::Ready)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition: Option<jiff::Timestamp>,
    pub observed_generation: Option<i64>,
}

pub fn conditions(obj: &Value) -> Vec<Condition> {
    let Some(list) = obj.pointer("/status/conditions").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .map(|c| {
            let s = |k: &str| {
                c.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Condition {
                type_: s("type"),
                status: s("status"),
                reason: s("reason"),
                message: s("message"),
                last_transition: super::time::parse(c.get("lastTransitionTime")),
                observed_generation: c.get("observedGeneration").and_then(Value::as_i64),
            }
        })
        .collect()
}

pub fn condition(obj: &Value, type_: &str) -> Option<Condition> {
    conditions(obj).into_iter().find(|c| c.type_ == type_)
}

pub fn str_at<'a>(obj: &'a Value, pointer: &str) -> Option<&'a str> {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

pub fn is_suspended(obj: &Value) -> bool {
    obj.pointer("/spec/suspend")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

pub fn suspend_reason(obj: &Value) -> Option<String> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(SUSPEND_REASON_ANNOTATION))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Shorten every 40–128 char lowercase-hex run (on word boundaries) to its first 8 chars, as
/// `flux get` does with `\b[a-f0-9]{40,128}\b`. A hand-rolled scan: this runs for every
/// message and revision of every object.
pub fn shorten_hashes(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(text.len());
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        if is_hex(bytes[i]) && (i == 0 || !is_word(bytes[i - 1])) {
            let start = i;
            while i < bytes.len() && is_hex(bytes[i]) {
                i += 1;
            }
            let len = i - start;
            if (40..=128).contains(&len) && (i == bytes.len() || !is_word(bytes[i])) {
                out.push_str(&text[copied..start + 8]);
                copied = i;
            }
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Health of a Flux object (suspension first, then the kstatus triad).
pub fn flux_health(obj: &Value) -> Health {
    flux_health_with(obj, &conditions(obj))
}

/// `flux_health` with the conditions already parsed (the index parses them once).
pub fn flux_health_with(obj: &Value, conds: &[Condition]) -> Health {
    if is_suspended(obj) {
        return Health::Suspended;
    }
    let kind = str_at(obj, "/kind").unwrap_or_default();
    if conds.is_empty() && kinds::info(kind).is_some_and(|k| k.static_object()) {
        return Health::Ready;
    }
    if conds
        .iter()
        .any(|c| c.type_ == "Stalled" && c.status == "True")
    {
        return Health::Failing;
    }
    let ready = conds.iter().find(|c| c.type_ == "Ready");
    let reconciling = conds
        .iter()
        .any(|c| c.type_ == "Reconciling" && c.status == "True");
    if let Some(r) = ready {
        if r.status == "False" && (!reconciling || r.reason == "ProgressingWithRetry") {
            return Health::Failing;
        }
    }
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    if reconciling || matches!((generation, observed), (Some(g), Some(o)) if g != o) {
        return Health::InProgress;
    }
    match ready.map(|r| r.status.as_str()) {
        Some("True") => Health::Ready,
        _ => Health::InProgress,
    }
}

/// The READY and MESSAGE columns: the Ready condition, or `False` / `waiting to be reconciled`.
pub fn ready_columns(obj: &Value) -> (String, String) {
    ready_columns_with(obj, &conditions(obj))
}

pub fn ready_columns_with(obj: &Value, conds: &[Condition]) -> (String, String) {
    let kind = str_at(obj, "/kind").unwrap_or_default();
    match conds.iter().find(|c| c.type_ == "Ready") {
        Some(c) => (c.status.clone(), shorten_hashes(&c.message)),
        None if kinds::info(kind).is_some_and(|k| k.static_object()) => ("-".into(), String::new()),
        None => ("False".into(), "waiting to be reconciled".into()),
    }
}

/// The REVISION column per kind.
pub fn revision(obj: &Value) -> String {
    let kind = str_at(obj, "/kind").unwrap_or_default();
    let rev = match kind {
        "Kustomization" => str_at(obj, "/status/lastAppliedRevision"),
        "HelmRelease" => str_at(obj, "/status/history/0/chartVersion")
            .or(str_at(obj, "/status/lastAttemptedRevision")),
        _ => str_at(obj, "/status/artifact/revision"),
    };
    shorten_hashes(rev.unwrap_or_default())
}

/// The source an object reconciles from (Kustomization, HelmChart, IUA, ImagePolicy, HR).
pub fn source_ref(obj: &Value) -> Option<ObjectRef> {
    let own = ObjectRef::of(obj);
    let from = |v: &Value, default_kind: &str| -> Option<ObjectRef> {
        let name = v.get("name").and_then(Value::as_str)?;
        let kind = v
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or(default_kind);
        let ns = v
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or(&own.namespace);
        Some(ObjectRef::new(kind, ns, name))
    };
    match own.kind.as_str() {
        "HelmRelease" => {
            if let Some(r) = obj.pointer("/spec/chartRef") {
                return from(r, "OCIRepository");
            }
            // The generated HelmChart `<ns>-<name>` lives in the sourceRef's namespace.
            let src_ns =
                str_at(obj, "/spec/chart/spec/sourceRef/namespace").unwrap_or(&own.namespace);
            match str_at(obj, "/status/helmChart").and_then(|s| s.split_once('/')) {
                Some((ns, name)) => Some(ObjectRef::new("HelmChart", ns, name)),
                None => obj.pointer("/spec/chart").map(|_| {
                    ObjectRef::new(
                        "HelmChart",
                        src_ns,
                        format!("{}-{}", own.namespace, own.name),
                    )
                }),
            }
        }
        "ImagePolicy" => obj
            .pointer("/spec/imageRepositoryRef")
            .and_then(|r| from(r, "ImageRepository")),
        _ => obj
            .pointer("/spec/sourceRef")
            .and_then(|r| from(r, "GitRepository")),
    }
}

/// `dependsOn` entries of a Kustomization or HelmRelease, as references of the same kind.
pub fn depends_on(obj: &Value) -> Vec<ObjectRef> {
    let own = ObjectRef::of(obj);
    let Some(list) = obj.pointer("/spec/dependsOn").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|d| {
            let name = d.get("name").and_then(Value::as_str)?;
            let ns = d
                .get("namespace")
                .and_then(Value::as_str)
                .unwrap_or(&own.namespace);
            Some(ObjectRef::new(own.kind.clone(), ns, name))
        })
        .collect()
}

/// One `status.inventory.entries[]` id, parsed (`<ns>_<name>_<group>_<Kind>`, SPEC §6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    pub namespace: String,
    pub name: String,
    pub group: String,
    pub kind: String,
    pub version: String,
}

impl InventoryEntry {
    pub fn parse(id: &str, version: &str) -> Option<Self> {
        let (namespace, rest) = id.split_once('_')?;
        let (rest, kind) = rest.rsplit_once('_')?;
        let (name, group) = rest.rsplit_once('_')?;
        if name.is_empty() || kind.is_empty() {
            return None;
        }
        Some(Self {
            namespace: namespace.into(),
            name: name.replace("__", ":"),
            group: group.into(),
            kind: kind.into(),
            version: version.into(),
        })
    }
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef::new(self.kind.clone(), self.namespace.clone(), self.name.clone())
    }
}

pub fn inventory(obj: &Value) -> Vec<InventoryEntry> {
    let Some(list) = obj
        .pointer("/status/inventory/entries")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|e| {
            InventoryEntry::parse(
                e.get("id")?.as_str()?,
                e.get("v").and_then(Value::as_str).unwrap_or_default(),
            )
        })
        .collect()
}

/// The kind-specific `flux get` column value for image kinds.
pub fn kind_field(obj: &Value, column: kinds::Column) -> String {
    use kinds::Column::*;
    let p = match column {
        LastScan => "/status/lastScanResult/scanTime",
        Image => "/status/latestRef/name",
        Tag => "/status/latestRef/tag",
        LastRun => "/status/lastAutomationRunTime",
        _ => return String::new(),
    };
    str_at(obj, p).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn inventory_ids() {
        let e = InventoryEntry::parse("default_podinfo_apps_Deployment", "v1").unwrap();
        assert_eq!(
            (
                e.namespace.as_str(),
                e.name.as_str(),
                e.group.as_str(),
                e.kind.as_str()
            ),
            ("default", "podinfo", "apps", "Deployment")
        );
        let e = InventoryEntry::parse("_my-ns__Namespace", "v1").unwrap();
        assert_eq!(
            (e.namespace.as_str(), e.name.as_str(), e.group.as_str()),
            ("", "my-ns", "")
        );
        let e = InventoryEntry::parse(
            "_system__aggregate_rbac.authorization.k8s.io_ClusterRole",
            "v1",
        )
        .unwrap();
        assert_eq!(e.name, "system:aggregate");
    }
    #[test]
    fn hashes_shortened() {
        assert_eq!(
            shorten_hashes("main@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9"),
            "main@sha1:67e2c98a"
        );
    }
}

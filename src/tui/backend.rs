//! The seam between the TUI and whatever holds cluster state. The TUI only ever reads an
//! immutable `Snapshot` (never a lock while drawing), waits on a payload-free "changed"
//! counter, and submits `Command`s whose progress comes back on a channel.
//!
//! Cancellation: dropping the `Progress` receiver cancels the command. Implementations should
//! `select!` on `UnboundedSender::closed()` and stop (and not report) once it fires.

pub use crate::engine::stored::StoredObject;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Annotation holding the optional reason typed when suspending (shown in the list).
pub const SUSPEND_REASON_ANNOTATION: &str = "fluxdeck.io/suspend-reason";

/// Everything the TUI shows, as of one moment. Objects are shared (`Arc`): a new snapshot
/// after one watch event reuses every unchanged object instead of copying it.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Flux objects of any kind, exactly as the API returns them (apiVersion, kind, metadata,
    /// spec, status), kept as text: views read them through `FleetIndex` summaries and parse
    /// one in full only when it is opened.
    pub objects: Vec<Arc<StoredObject>>,
    /// Non-Flux objects named in inventories (for kstatus-like health in the tree).
    pub managed: Vec<Arc<Value>>,
    /// core/v1 Events (involvedObject, type, reason, message, timestamps, count).
    pub events: Vec<Arc<Value>>,
    pub context: ContextInfo,
    pub permissions: Permissions,
    /// Image-update decisions waiting in the cluster (the Approvals pane).
    pub approvals: Vec<crate::tui::model::approvals::Approval>,
    /// How many watched kinds finished their initial list: the console paints what it has
    /// and says "syncing N/M kinds" until every kind is listed.
    pub sync: SyncProgress,
    /// Drift per Kustomization, as last computed by the backend (diff pane, drift badges).
    pub drift: DriftMap,
}

/// Initial-list progress of the backend's watches (all zero: nothing to report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncProgress {
    pub listed: usize,
    pub total: usize,
}

impl SyncProgress {
    /// True while some watched kind has not finished its initial list.
    pub fn syncing(&self) -> bool {
        self.listed < self.total
    }
}

/// Wrap plain values for a `Snapshot`'s events or managed objects (tests, fixtures).
pub fn shared(values: Vec<Value>) -> Vec<Arc<Value>> {
    values.into_iter().map(Arc::new).collect()
}

/// Values as a `Snapshot`'s Flux objects (tests, fixtures).
pub fn stored(values: &[Value]) -> Vec<Arc<StoredObject>> {
    values
        .iter()
        .map(|v| Arc::new(StoredObject::from_value(v)))
        .collect()
}

/// Drift reports by Kustomization (shared, cheap to clone into every snapshot).
pub type DriftMap = Arc<BTreeMap<ObjectRef, DriftStatus>>;

/// The last drift computation of one Kustomization (`fluxdeck diff kustomization`'s code path).
#[derive(Debug, Clone)]
pub enum DriftStatus {
    Ready {
        report: Arc<crate::engine::diff::Report>,
        at: jiff::Timestamp,
    },
    /// The comparison could not be made (e.g. the build failed): the message says why.
    Failed {
        message: String,
        at: jiff::Timestamp,
    },
}

impl DriftStatus {
    /// Applying Git would change something (created, drifted or pruned objects).
    pub fn has_changes(&self) -> bool {
        matches!(self, DriftStatus::Ready { report, .. } if report.has_changes())
    }
    pub fn at(&self) -> jiff::Timestamp {
        match self {
            DriftStatus::Ready { at, .. } | DriftStatus::Failed { at, .. } => *at,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// In-process store and controllers.
    #[default]
    Embedded,
    /// A cluster reached through a kubeconfig.
    Cluster,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContextInfo {
    /// Kubeconfig context name (or "embedded").
    pub name: String,
    /// Namespace scope: None = all namespaces.
    pub namespace: Option<String>,
    pub mode: Mode,
    /// Writes are not offered at all (flag or per-context setting).
    pub read_only: bool,
}

/// A write the user may try; each maps to one SelfSubjectAccessReview verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    Patch,
    Delete,
}

/// One denied access, as answered by SelfSubjectAccessReview (cached by the backend).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Denial {
    pub verb: Verb,
    pub kind: String,
    /// None = denied in every namespace.
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permissions {
    pub denied: Vec<Denial>,
    /// Kinds the user may not list: their lists say "restricted" instead of being empty.
    pub restricted_kinds: BTreeSet<String>,
}

impl Permissions {
    pub fn allows(&self, verb: Verb, kind: &str, namespace: &str) -> bool {
        !self.denied.iter().any(|d| {
            d.verb == verb
                && d.kind == kind
                && d.namespace.as_deref().is_none_or(|ns| ns == namespace)
        })
    }
    pub fn can_list(&self, kind: &str) -> bool {
        !self.restricted_kinds.contains(kind)
    }
}

/// KIND/NAMESPACE/NAME of an object (namespace empty for cluster-scoped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ObjectRef {
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// `KIND/NS/NAME` (or `KIND/NAME` when cluster-scoped).
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [k, ns, n] if !k.is_empty() && !n.is_empty() => Some(Self::new(*k, *ns, *n)),
            [k, n] if !k.is_empty() && !n.is_empty() => Some(Self::new(*k, "", *n)),
            _ => None,
        }
    }

    /// The reference of an API object (kind, metadata.namespace, metadata.name).
    pub fn of(obj: &Value) -> Self {
        let s = |p: &str| {
            obj.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Self {
            kind: s("/kind"),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name"),
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// A write requested from the UI. The backend turns it into API calls the way the flux CLI
/// does (§4.1–4.3 of SPEC.md): merge patches of spec.suspend, reconcile annotations, SSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// spec.suspend=true, plus `SUSPEND_REASON_ANNOTATION` when a reason was typed.
    Suspend {
        target: ObjectRef,
        reason: Option<String>,
    },
    /// Clear spec.suspend (and the reason annotation).
    Resume {
        target: ObjectRef,
    },
    /// Set reconcile.fluxcd.io/requestedAt and wait for lastHandledReconcileAt.
    Reconcile {
        target: ObjectRef,
    },
    /// Reconcile the source first (Kustomization/HelmRelease/HelmChart), then the object.
    ReconcileWithSource {
        target: ObjectRef,
    },
    /// HelmRelease: requestedAt + forceAt.
    HelmForce {
        target: ObjectRef,
    },
    /// HelmRelease: requestedAt + resetAt.
    HelmReset {
        target: ObjectRef,
    },
    Delete {
        target: ObjectRef,
    },
    /// Server-side apply of one edited document (YAML text as typed).
    Apply {
        yaml: String,
    },
    /// Approve the decision `id` (proposal id or push-branch head) of an
    /// ImageUpdateAutomation: commit and push the proposal, or merge the push branch.
    Approve {
        target: ObjectRef,
        id: String,
    },
    /// Reject the proposal `id` of an ImageUpdateAutomation.
    Reject {
        target: ObjectRef,
        id: String,
    },
    /// Compute the drift of a Kustomization (read-only: server-side dry-run); the result
    /// lands in `Snapshot::drift`.
    Drift {
        target: ObjectRef,
    },
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::Delete { .. } => Verb::Delete,
            _ => Verb::Patch,
        }
    }

    /// Short description for the status line and the action log.
    pub fn describe(&self) -> String {
        match self {
            Command::Suspend { target, .. } => format!("suspend {target}"),
            Command::Resume { target } => format!("resume {target}"),
            Command::Reconcile { target } => format!("reconcile {target}"),
            Command::ReconcileWithSource { target } => format!("reconcile {target} with source"),
            Command::HelmForce { target } => format!("force {target}"),
            Command::HelmReset { target } => format!("reset {target}"),
            Command::Delete { target } => format!("delete {target}"),
            Command::Apply { .. } => "apply edited object".to_string(),
            Command::Approve { target, .. } => format!("approve {target}"),
            Command::Reject { target, .. } => format!("reject {target}"),
            Command::Drift { target } => format!("diff {target}"),
        }
    }
}

/// Progress of one command: any number of `Step`s, then one `Done` or `Failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// ◎ still working (e.g. "waiting for Kustomization reconciliation").
    Step(String),
    /// ✔ finished (e.g. "applied revision main@sha1:…").
    Done(String),
    /// ✗ failed; for Apply, validation errors from the API server go here verbatim.
    Failed(String),
}

/// What the TUI needs from the cluster layer.
pub trait Backend: Send + Sync + 'static {
    /// The latest state; cheap (an Arc clone).
    fn snapshot(&self) -> Arc<Snapshot>;
    /// Bumped whenever the snapshot changed; carries no payload.
    fn changes(&self) -> watch::Receiver<u64>;
    /// Start a command. Progress arrives on the receiver; dropping it cancels.
    fn submit(&self, cmd: Command) -> mpsc::UnboundedReceiver<Progress>;
}

//! The console's backend on a real connection: the shared watch cache feeds immutable
//! snapshots (state path), and commands become cluster intents (command path). The TUI sees
//! only the `tui::backend::Backend` seam, so it behaves the same on the embedded store and on a
//! production cluster running real Flux.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use super::console_snapshot::SnapshotBuilder;
use crate::cluster::cache::WatchCache;
use crate::cluster::intents::{self, ReconcileFlags, Target};
use crate::cluster::kinds::{KindName, Served, all_flux_kinds, parse_flux_kind};
use crate::cluster::progress::{Glyph, Progress as Line, Reporter};
use crate::tui::backend::{
    Backend, Command, ContextInfo, Denial, ObjectRef, Permissions, Progress, Snapshot, Verb,
};

/// Built-in kinds watched for inventory health in the tree (never Secrets: no secret data in memory).
const MANAGED_KINDS: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("batch", "Job"),
    ("", "Service"),
    ("", "ConfigMap"),
    ("", "Namespace"),
    ("", "PersistentVolumeClaim"),
];

/// Coalesce bursts of watch events into one snapshot rebuild.
const COALESCE: Duration = Duration::from_millis(15);

/// Field manager of edits made in the console.
pub const CONSOLE_MANAGER: &str = "fluxdeck";

pub struct ClusterBackend {
    inner: Arc<Inner>,
}

struct Inner {
    client: kube::Client,
    served: Served,
    cache: WatchCache,
    snapshot: Mutex<Arc<Snapshot>>,
    /// Converted values kept between snapshots (one serialisation per object version).
    builder: Mutex<SnapshotBuilder>,
    changes: watch::Sender<u64>,
    context: ContextInfo,
    permissions: Mutex<Permissions>,
    actor: String,
    approvals: Arc<super::console_approvals::BranchRows>,
    drift: Arc<super::console_drift::DriftStore>,
}

fn flux_kind_names() -> Vec<KindName> {
    all_flux_kinds()
}

impl ClusterBackend {
    /// Discover, start one watch per kind, and keep snapshots fresh.
    pub async fn start(
        client: kube::Client,
        context: ContextInfo,
        actor: String,
    ) -> Result<Self, crate::commands::CommandError> {
        let served = Served::discover(&client).await?;
        let cache = WatchCache::new();
        let ns = context.namespace.clone();
        for kind in flux_kind_names() {
            if let Ok((ar, _)) = served.resolve(&kind) {
                cache.watch_kind(&client, &ar, ns.as_deref());
            }
        }
        for (group, kind) in MANAGED_KINDS {
            // Inventories span namespaces, so managed kinds are watched cluster-wide.
            if let Ok((ar, _)) = served.resolve(&KindName {
                group: group.to_string(),
                kind: kind.to_string(),
            }) {
                cache.watch_kind(&client, &ar, None);
            }
        }
        if let Ok((ar, _)) = served.resolve(&KindName {
            group: String::new(),
            kind: "Event".into(),
        }) {
            cache.watch_kind(&client, &ar, ns.as_deref());
        }
        let (changes, _) = watch::channel(0);
        let drift = super::console_drift::DriftStore::new(client.clone());
        let inner = Arc::new(Inner {
            client,
            served,
            cache,
            snapshot: Mutex::new(Arc::new(Snapshot {
                context: context.clone(),
                ..Default::default()
            })),
            builder: Mutex::new(SnapshotBuilder::default()),
            changes,
            context,
            permissions: Mutex::new(Permissions::default()),
            actor,
            approvals: Arc::default(),
            drift,
        });
        let weak = Arc::downgrade(&inner);
        inner.drift.on_change(move || {
            if let Some(i) = weak.upgrade() {
                i.rebuild();
            }
        });
        let weak = Arc::downgrade(&inner);
        super::console_approvals::spawn_scanner(
            inner.client.clone(),
            inner.cache.clone(),
            inner.approvals.clone(),
            move |changed| {
                let Some(i) = weak.upgrade() else {
                    return false;
                };
                if changed {
                    i.rebuild();
                }
                true
            },
        );
        tokio::spawn(refresh_loop(Arc::downgrade(&inner)));
        tokio::spawn(check_permissions(Arc::downgrade(&inner)));
        Ok(ClusterBackend { inner })
    }

    /// True once every watch finished its initial list.
    pub fn synced(&self) -> bool {
        self.inner.cache.synced()
    }

    /// Background drift detection of every Kustomization in scope, every `every`.
    pub fn start_drift_detection(&self, every: Duration) {
        let cache = self.inner.cache.clone();
        self.inner.drift.start_background(
            every,
            Box::new(move || {
                cache
                    .objects("kustomize.toolkit.fluxcd.io", "Kustomization")
                    .iter()
                    // One parsed at a time: the whole fleet parsed at once is megabytes.
                    .filter_map(|o| super::console_drift::background_candidate(&o.value()))
                    .collect()
            }),
        );
    }
}

async fn refresh_loop(inner: std::sync::Weak<Inner>) {
    let Some(mut rx) = inner.upgrade().map(|i| i.cache.changes()) else {
        return;
    };
    loop {
        if rx.changed().await.is_err() {
            return;
        }
        tokio::time::sleep(COALESCE).await;
        rx.borrow_and_update();
        let Some(inner) = inner.upgrade() else { return };
        inner.rebuild();
    }
}

impl Inner {
    /// A new snapshot from the cache: only kinds that changed since the last one are read,
    /// and only objects with a new resourceVersion are serialised.
    fn rebuild(&self) {
        let parts = {
            let Ok(mut builder) = self.builder.lock() else {
                return;
            };
            let slices = self.cache.kinds_since(&|key| builder.seen(key));
            builder.update(slices)
        };
        let mut permissions = self
            .permissions
            .lock()
            .map(|p| p.clone())
            .unwrap_or_default();
        permissions.restricted_kinds = parts.restricted;
        let snapshot = Snapshot {
            objects: parts.objects,
            managed: parts.managed,
            events: parts.events,
            context: self.context.clone(),
            permissions,
            approvals: super::console_approvals::collect(&self.cache, &self.approvals),
            sync: parts.sync,
            drift: self.drift.reports(),
        };
        if let Ok(mut s) = self.snapshot.lock() {
            *s = Arc::new(snapshot);
        }
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    fn resolve(&self, r: &ObjectRef) -> Option<Target> {
        let (name, _) = parse_flux_kind(&[r.kind.clone()])?;
        let (resource, caps) = self.served.resolve(&name).ok()?;
        let namespace = Served::is_namespaced(&caps).then(|| r.namespace.clone());
        Some(Target {
            resource,
            namespace,
            name: r.name.clone(),
        })
    }
}

/// SelfSubjectAccessReview per Flux kind for patch and delete in the scope namespace (cached).
async fn check_permissions(inner: std::sync::Weak<Inner>) {
    let Some(i) = inner.upgrade() else { return };
    let ns = i.context.namespace.clone().unwrap_or_default();
    let ar = ApiResource {
        group: "authorization.k8s.io".into(),
        version: "v1".into(),
        api_version: "authorization.k8s.io/v1".into(),
        kind: "SelfSubjectAccessReview".into(),
        plural: "selfsubjectaccessreviews".into(),
    };
    let api: Api<DynamicObject> = Api::all_with(i.client.clone(), &ar);
    let mut denied = Vec::new();
    for kind in flux_kind_names() {
        let Ok((res, _)) = i.served.resolve(&kind) else {
            continue;
        };
        for (verb, word) in [(Verb::Patch, "patch"), (Verb::Delete, "delete")] {
            let review = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                "metadata": {"name": ""},
                "spec": {"resourceAttributes": {"group": res.group, "resource": res.plural, "verb": word, "namespace": ns}}});
            let Ok(obj) = serde_json::from_value::<DynamicObject>(review) else {
                continue;
            };
            if let Ok(answer) = api.create(&PostParams::default(), &obj).await {
                let allowed = answer
                    .data
                    .pointer("/status/allowed")
                    .and_then(Value::as_bool)
                    .unwrap_or(true);
                if !allowed {
                    denied.push(Denial {
                        verb,
                        kind: kind.kind.clone(),
                        namespace: Some(ns.clone()).filter(|n| !n.is_empty()),
                    });
                }
            }
        }
    }
    if let Ok(mut p) = i.permissions.lock() {
        p.denied = denied;
    }
    i.rebuild();
}

/// Maps intent progress lines onto the console's progress messages.
struct ToConsole(mpsc::UnboundedSender<Progress>);

impl Reporter for ToConsole {
    fn report(&self, line: Line) {
        let msg = match line.glyph {
            Glyph::Failure => Progress::Failed(line.message),
            _ => Progress::Step(line.message),
        };
        let _ = self.0.send(msg);
    }
}

impl Backend for ClusterBackend {
    fn snapshot(&self) -> Arc<Snapshot> {
        self.inner
            .snapshot
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    fn changes(&self) -> watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    fn submit(&self, cmd: Command) -> mpsc::UnboundedReceiver<Progress> {
        let (tx, rx) = mpsc::unbounded_channel();
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let closed = tx.clone();
            tokio::select! {
                // Dropping the receiver cancels the command (the console's cancel key).
                _ = closed.closed() => {}
                result = perform(&inner, cmd, &tx) => {
                    let _ = tx.send(match result {
                        Ok(done) => Progress::Done(done),
                        Err(e) => Progress::Failed(e),
                    });
                }
            }
        });
        rx
    }
}

const TIMEOUT: Duration = Duration::from_secs(300);

async fn perform(
    inner: &Inner,
    cmd: Command,
    tx: &mpsc::UnboundedSender<Progress>,
) -> Result<String, String> {
    let r = ToConsole(tx.clone());
    let client = &inner.client;
    let target = |o: &ObjectRef| {
        inner
            .resolve(o)
            .ok_or_else(|| format!("{} is not a known Flux kind on this cluster", o.kind))
    };
    match cmd {
        Command::Suspend { target: o, reason } => {
            intents::suspend(client, &target(&o)?, reason.as_deref(), &inner.actor, &r)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{o} suspended"))
        }
        Command::Resume { target: o } => {
            intents::resume(client, &target(&o)?, Some(TIMEOUT), &r)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{o} resumed"))
        }
        Command::Reconcile { target: o } => {
            reconcile(inner, &target(&o)?, ReconcileFlags::default(), &r).await
        }
        Command::HelmForce { target: o } => {
            reconcile(
                inner,
                &target(&o)?,
                ReconcileFlags {
                    force: true,
                    reset: false,
                },
                &r,
            )
            .await
        }
        Command::HelmReset { target: o } => {
            reconcile(
                inner,
                &target(&o)?,
                ReconcileFlags {
                    force: false,
                    reset: true,
                },
                &r,
            )
            .await
        }
        Command::ReconcileWithSource { target: o } => {
            let t = target(&o)?;
            let obj = Api::<DynamicObject>::namespaced_with(
                client.clone(),
                t.namespace.as_deref().unwrap_or(""),
                &t.resource,
            )
            .get(&t.name)
            .await
            .map_err(|e| e.to_string())?;
            if let Some((kind, name, _, ns)) =
                intents::source_of(&crate::cluster::cache::to_value(obj, &t.resource))
            {
                let src = ObjectRef::new(kind, ns.unwrap_or_default(), name);
                reconcile(inner, &target(&src)?, ReconcileFlags::default(), &r).await?;
            }
            reconcile(inner, &t, ReconcileFlags::default(), &r).await
        }
        Command::Delete { target: o } => {
            let t = target(&o)?;
            let api = match &t.namespace {
                Some(ns) => Api::<DynamicObject>::namespaced_with(client.clone(), ns, &t.resource),
                None => Api::<DynamicObject>::all_with(client.clone(), &t.resource),
            };
            api.delete(&t.name, &DeleteParams::background())
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{o} deleted"))
        }
        Command::Apply { yaml } => apply_edit(inner, &yaml).await,
        Command::Drift { target: o } => inner.drift.compute(&o).await,
        Command::Approve { target: o, id } => {
            let (a, actor) = (&inner.approvals, &inner.actor);
            super::console_approvals::decide(client, a, &o, &id, true, actor, &r).await
        }
        Command::Reject { target: o, id } => {
            let (a, actor) = (&inner.approvals, &inner.actor);
            super::console_approvals::decide(client, a, &o, &id, false, actor, &r).await
        }
    }
}

async fn reconcile(
    inner: &Inner,
    t: &Target,
    flags: ReconcileFlags,
    r: &dyn Reporter,
) -> Result<String, String> {
    let obj = intents::reconcile(&inner.client, t, flags, TIMEOUT, r)
        .await
        .map_err(|e| e.to_string())?;
    Ok(crate::cluster::readiness::success_message(&obj))
}

/// Server-side apply of an object edited in the console; API validation errors come back verbatim.
async fn apply_edit(inner: &Inner, text: &str) -> Result<String, String> {
    let obj: Value = crate::engine::yaml::parse_one(text).map_err(|e| e.to_string())?;
    let r = ObjectRef::of(&obj);
    let kind = KindName {
        group: obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .and_then(|v| v.split_once('/'))
            .map(|(g, _)| g.to_string())
            .unwrap_or_default(),
        kind: r.kind.clone(),
    };
    let (ar, caps) = inner.served.resolve(&kind).map_err(|e| e.to_string())?;
    let api = if Served::is_namespaced(&caps) {
        Api::<DynamicObject>::namespaced_with(inner.client.clone(), &r.namespace, &ar)
    } else {
        Api::<DynamicObject>::all_with(inner.client.clone(), &ar)
    };
    let mut clean = obj.clone();
    if let Some(meta) = clean.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            meta.remove(k);
        }
    }
    if let Some(map) = clean.as_object_mut() {
        map.remove("status");
    }
    api.patch(
        &r.name,
        &PatchParams::apply(CONSOLE_MANAGER).force(),
        &Patch::Apply(&clean),
    )
    .await
    .map_err(|e| match e {
        kube::Error::Api(s) => s.message,
        other => other.to_string(),
    })?;
    Ok(format!("{r} applied"))
}

//! The Kustomization steps in order (SPEC §6.3). Each step returns a typed failure with the
//! Flux reason; nothing is written to the cluster before every object passed a dry-run, and on
//! any failure the inventory and lastAppliedRevision of the last good run stay as they were.

use std::collections::BTreeMap;
use std::time::Instant;

use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};

use super::apply::{self, Action};
use super::spec::{self, Ref};
use super::{Kustomizations, desired, health, prune, remote, source_resource};
use crate::controllers::runtime::{
    Attempt, CondStatus, EventType, Failure, Outcome, Progressing, conditions,
};
use crate::engine::duration;

fn fail(reason: &str, message: impl Into<String>) -> Failure {
    Failure::new(reason, message)
}

fn meta(revision: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(format!("{}/revision", spec::GROUP), revision.to_string())])
}

pub async fn run(k: &Kustomizations, at: &mut Attempt) -> Outcome {
    match steps(k, at).await {
        Ok(o) | Err(o) => o,
    }
}

async fn steps(k: &Kustomizations, at: &mut Attempt) -> Result<Outcome, Outcome> {
    let obj = at.object.clone();
    let ns = spec::own_namespace(&obj);
    let name = at.name().to_string();
    let retry = |f: Failure| Outcome::Retry(f);
    // 1. source and artifact
    let src = spec::source_ref(&obj).ok_or_else(|| {
        Outcome::Stalled(fail(
            "ArtifactFailed",
            "spec.sourceRef.kind and spec.sourceRef.name are required",
        ))
    })?;
    let src_ar = source_resource(&src.kind).ok_or_else(|| {
        Outcome::Stalled(fail("ArtifactFailed", format!("unsupported spec.sourceRef.kind '{}': expected GitRepository, OCIRepository, Bucket or ExternalArtifact", src.kind)))
    })?;
    let sources: Api<DynamicObject> =
        Api::namespaced_with(at.client.clone(), &src.namespace, &src_ar);
    let source = sources
        .get_opt(&src.name)
        .await
        .map_err(|e| {
            retry(fail(
                "ArtifactFailed",
                format!("cannot get source '{src}': {e}"),
            ))
        })?
        .ok_or_else(|| retry(fail("ArtifactFailed", format!("Source '{src}' not found"))))?;
    let source = serde_json::to_value(source).unwrap_or(Value::Null);
    let Some(art) = source.pointer("/status/artifact").cloned() else {
        return Ok(Outcome::waiting(
            k.options.dependency_requeue,
            "ArtifactFailed",
            format!(
                "Source artifact not found, retrying in {}",
                duration::format_go(k.options.dependency_requeue)
            ),
        ));
    };
    let revision = art
        .get("revision")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    at.event_metadata = meta(&revision);
    // 2. dependencies
    if let Some(outcome) = dependencies(k, at, &src, &revision).await {
        return Ok(outcome);
    }
    // SPEC §6.3 7.1: say what this attempt is doing before the long steps start.
    let fetching = format!(
        "Fetching manifests for revision {revision} with a timeout of {}",
        duration::format_go(spec::timeout(&obj))
    );
    at.progress(Progressing {
        message: &fetching,
        unknown: &[(conditions::READY, "Reconciliation in progress")],
    })
    .await;
    at.set_status("lastAttemptedRevision", Some(json!(revision)));
    // 3. fetch, path, generate, build
    let started = Instant::now();
    let url = art.get("url").and_then(Value::as_str).unwrap_or("");
    let digest = art.get("digest").and_then(Value::as_str).unwrap_or("");
    let tree = k
        .trees
        .get(k.storage.as_ref(), &k.http, url, digest)
        .await
        .map_err(retry)?;
    at.phase("fetch", started);
    let started = Instant::now();
    let docs = desired::build_tree(&at.client, &obj, tree, k.options.strict_substitution)
        .await
        .map_err(retry)?;
    at.phase("build", started);
    // 5. validate everything, then apply in stages (as spec.serviceAccountName when set)
    let started = Instant::now();
    let target = remote::target(&at.client, &k.resolver, &obj, &ns)
        .await
        .map_err(retry)?;
    let (client, resolver) = (&target.client, &target.resolver);
    let dry_runs = apply::preflight(client, resolver, &docs)
        .await
        .map_err(|e| retry(fail("ReconciliationFailed", e)))?;
    let force = obj
        .pointer("/spec/force")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let changes = match apply::apply_all(client, resolver, docs, force, &dry_runs).await {
        Ok(c) => c,
        Err((partial, e)) => {
            let log: Vec<String> = partial.iter().map(ToString::to_string).collect();
            let mut old = prune::parse_inventory(&at.status);
            // Keep what was written so a later prune can still find it.
            for e in prune::inventory(&partial) {
                if !old.iter().any(|o| o.id == e.id) {
                    old.push(e);
                }
            }
            at.set_status("inventory", Some(prune::inventory_value(&old)));
            let message = if log.is_empty() {
                e
            } else {
                format!("{e}\n{}", log.join("\n"))
            };
            return Err(retry(fail("ReconciliationFailed", message)));
        }
    };
    at.phase("apply", started);
    let changed: Vec<String> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Created | Action::Configured))
        .map(ToString::to_string)
        .collect();
    if !changed.is_empty() {
        at.event(
            EventType::Normal,
            "Progressing",
            changed.join("\n"),
            meta(&revision),
        );
    }
    // 6. inventory and prune
    let old = prune::parse_inventory(&at.status);
    let mut new = prune::inventory(&changes);
    at.set_status("inventory", Some(prune::inventory_value(&new)));
    if obj.pointer("/spec/prune").and_then(Value::as_bool) == Some(true) {
        let started = Instant::now();
        let stale = prune::stale(&old, &new);
        let (deleted, errors) = prune::prune(client, resolver, &stale, &name, &ns).await;
        at.phase("prune", started);
        let log: Vec<String> = deleted
            .iter()
            .filter(|c| c.action == Action::Deleted)
            .map(ToString::to_string)
            .collect();
        if !log.is_empty() {
            at.event(
                EventType::Normal,
                "Progressing",
                log.join("\n"),
                meta(&revision),
            );
        }
        if !errors.is_empty() {
            for c in deleted.iter().filter(|c| c.action == Action::Unknown) {
                new.extend(prune::inventory(std::slice::from_ref(c)));
            }
            at.set_status("inventory", Some(prune::inventory_value(&new)));
            return Err(retry(fail(
                "PruneFailed",
                format!("delete failed, errors: {}", errors.join("; ")),
            )));
        }
    }
    // 7. health
    healthy(at, client, resolver, &changes, &revision).await?;
    at.set_status("lastAppliedRevision", Some(json!(revision)));
    // SPEC §6.3 step 14: the origin revision an OCI or generated artifact carries.
    let origin = art
        .pointer("/metadata/org.opencontainers.image.revision")
        .and_then(Value::as_str)
        .map(|o| json!(o));
    at.set_status("lastAppliedOriginRevision", origin);
    let took = duration::format_go(std::time::Duration::from_millis(
        at.started.elapsed().as_millis() as u64,
    ));
    let mut ok_meta = meta(&revision);
    ok_meta.insert(format!("{}/commit_status", spec::GROUP), "update".into());
    at.event(
        EventType::Normal,
        "ReconciliationSucceeded",
        format!(
            "Reconciliation finished in {took}, next run in {}",
            duration::format_go(spec::interval(&obj))
        ),
        ok_meta,
    );
    Ok(Outcome::ready(
        "ReconciliationSucceeded",
        format!("Applied revision: {revision}"),
    ))
}

/// `None` when every dependency is ready; otherwise the outcome to report (cycles stall).
async fn dependencies(
    k: &Kustomizations,
    at: &mut Attempt,
    src: &Ref,
    revision: &str,
) -> Option<Outcome> {
    let deps = spec::depends_on(&at.object);
    if deps.is_empty() {
        return None;
    }
    let api_for =
        |ns: &str| Api::<DynamicObject>::namespaced_with(at.client.clone(), ns, &super::resource());
    let me = (spec::own_namespace(&at.object), at.name().to_string());
    // Walk the graph (bounded) looking for a path back to this Kustomization.
    let mut frontier: Vec<((String, String), Vec<String>)> = deps
        .iter()
        .map(|d| (d.clone(), vec![format!("{}/{}", me.0, me.1)]))
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((node, path)) = frontier.pop() {
        let mut path = path;
        path.push(format!("{}/{}", node.0, node.1));
        if node == me {
            return Some(Outcome::Stalled(fail(
                "DependencyNotReady",
                format!("circular dependency detected: {}", path.join(" -> ")),
            )));
        }
        if !seen.insert(node.clone()) || seen.len() > 256 {
            continue;
        }
        if let Ok(Some(d)) = api_for(&node.0).get_opt(&node.1).await {
            let v = serde_json::to_value(d).unwrap_or(Value::Null);
            frontier.extend(spec::depends_on(&v).into_iter().map(|n| (n, path.clone())));
        }
    }
    for (ns, name) in deps {
        let id = format!("{ns}/{name}");
        let problem = match api_for(&ns).get_opt(&name).await {
            Ok(Some(d)) => spec::dependency_problem(
                &serde_json::to_value(d).unwrap_or(Value::Null),
                &id,
                Some(src),
                revision,
            ),
            Ok(None) => Some(format!("dependency '{id}' not found")),
            Err(e) => Some(format!("dependency '{id}' not found: {e}")),
        };
        if let Some(message) = problem {
            let after = k.options.dependency_requeue;
            at.event(
                EventType::Normal,
                "DependencyNotReady",
                format!(
                    "Dependencies do not meet ready condition, retrying in {}",
                    duration::format_go(after)
                ),
                meta(revision),
            );
            return Some(Outcome::waiting(after, "DependencyNotReady", message));
        }
    }
    None
}

async fn healthy(
    at: &mut Attempt,
    client: &kube::Client,
    resolver: &apply::Resolver,
    changes: &[apply::Change],
    revision: &str,
) -> Result<(), Outcome> {
    let own = apply::subject(
        "Kustomization",
        Some(&spec::own_namespace(&at.object)),
        at.name(),
    );
    let wait = at
        .object
        .pointer("/spec/wait")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let refs = at
        .object
        .pointer("/spec/healthChecks")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let checks = if wait {
        health::from_changes(changes, &own)
    } else if !refs.is_empty() {
        health::from_spec(resolver, &refs, &spec::own_namespace(&at.object), &own)
            .await
            .map_err(|e| Outcome::Retry(fail("HealthCheckFailed", e)))?
    } else {
        at.delete_condition("Healthy");
        return Ok(());
    };
    let was_healthy = conditions::is_true(&at.status, conditions::HEALTHY);
    let timeout = spec::timeout(&at.object);
    let running = format!(
        "Running health checks for revision {revision} with a timeout of {}",
        duration::format_go(timeout)
    );
    // Objects already Current as applied pass at once: there is no wait to report, and a
    // status write per Kustomization for nothing is a tenth of a large fleet's reconcile time.
    if !health::current_as_applied(&checks) {
        at.progress(Progressing {
            message: &running,
            unknown: &[(conditions::HEALTHY, &running)],
        })
        .await;
    }
    let started = Instant::now();
    let result = health::wait(client, &checks, timeout).await;
    at.phase("health", started);
    let took = duration::format_go(std::time::Duration::from_millis(
        started.elapsed().as_millis() as u64,
    ));
    match result {
        Ok(()) => {
            let msg = format!("Health check passed in {took}");
            at.condition("Healthy", CondStatus::True, "Succeeded", &msg);
            if !was_healthy {
                at.event(EventType::Normal, "Progressing", msg, meta(revision));
            }
            Ok(())
        }
        Err(e) => {
            let msg = format!("health check failed after {took}: {e}");
            at.condition("Healthy", CondStatus::False, "HealthCheckFailed", &msg);
            Err(Outcome::Retry(fail("HealthCheckFailed", msg)))
        }
    }
}

/// On deletion: prune the inventory (MirrorPrune with prune: true, or Delete), unless suspended.
pub async fn finalize(k: &Kustomizations, at: &mut Attempt) -> Result<(), Failure> {
    let obj = at.object.clone();
    let suspended = obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let policy = obj
        .pointer("/spec/deletionPolicy")
        .and_then(Value::as_str)
        .unwrap_or("MirrorPrune");
    let prune_on = obj.pointer("/spec/prune").and_then(Value::as_bool) == Some(true);
    let wanted = match policy {
        "Delete" | "WaitForTermination" => true,
        "Orphan" => false,
        _ => prune_on,
    };
    let inventory = prune::parse_inventory(&at.status);
    if suspended || !wanted || inventory.is_empty() {
        return Ok(());
    }
    let ns = spec::own_namespace(&obj);
    // As kustomize-controller: when the target cluster cannot be reached (its kubeConfig
    // Secret is gone), report what is left behind and let the deletion finish.
    let target = match remote::target(&at.client, &k.resolver, &obj, &ns).await {
        Ok(t) => t,
        Err(f) => {
            let left: Vec<String> = inventory.iter().map(|e| e.id.clone()).collect();
            at.event(
                EventType::Warning,
                "PruneFailed",
                format!(
                    "unable to prune objects: {}\n{}",
                    f.message,
                    left.join("\n")
                ),
                BTreeMap::new(),
            );
            return Ok(());
        }
    };
    let (deleted, errors) =
        prune::prune(&target.client, &target.resolver, &inventory, at.name(), &ns).await;
    let log: Vec<String> = deleted
        .iter()
        .filter(|c| c.action == Action::Deleted)
        .map(ToString::to_string)
        .collect();
    if !log.is_empty() {
        at.event(
            EventType::Normal,
            "Progressing",
            log.join("\n"),
            BTreeMap::new(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(fail(
            "PruneFailed",
            format!("pruning for deleted resource failed: {}", errors.join("; ")),
        ))
    }
}

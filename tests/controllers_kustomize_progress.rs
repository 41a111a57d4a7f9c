//! In-progress status like Flux's kustomize-controller, against a real `fluxdeck server`: while
//! a `wait: true` health check waits on a Deployment whose simulated rollout hangs, the
//! Kustomization already says so (Ready=Unknown `Progressing`, Reconciling and Healthy "Running
//! health checks for revision …"), kstatus reads InProgress, and the timeout then ends the
//! attempt as HealthCheckFailed.

use crate::common;
use crate::controllers_support;

use std::time::Duration;

use common::Server;
use controllers_support::{commit_files, condition};
use fluxdeck::engine::kstatus::{self, Status};
use serde_json::Value;

const WORKLOAD: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: stuck
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: stuck
  annotations:
    fluxdeck.io/simulate-rollout: hang
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

fn flux_objects(url: &str) -> String {
    format!(
        "apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: repo
  namespace: flux-system
spec:
  interval: 10m
  ref:
    branch: main
  url: {url}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: stuck
  namespace: flux-system
spec:
  interval: 10m
  retryInterval: 10m
  timeout: 30s
  wait: true
  prune: true
  path: ./
  sourceRef:
    kind: GitRepository
    name: repo
"
    )
}

fn cond_field<'a>(obj: &'a Value, type_: &str, field: &str) -> Option<&'a str> {
    condition(obj, type_)?.get(field)?.as_str()
}

#[test]
fn health_check_in_progress_is_visible_until_it_times_out() {
    let server = Server::start(&[]);
    let repo = tempfile::tempdir().unwrap();
    let commit = commit_files(repo.path(), &[("app.yaml", WORKLOAD)], "hanging rollout");
    server.apply(&flux_objects(&format!("file://{}", repo.path().display())));
    let running =
        format!("Running health checks for revision main@sha1:{commit} with a timeout of 30s");

    let waiting = server.wait_json(
        "kustomization",
        "flux-system",
        "stuck",
        Duration::from_secs(60),
        |o| cond_field(o, "Healthy", "message") == Some(running.as_str()),
    );
    assert_eq!(cond_field(&waiting, "Ready", "status"), Some("Unknown"));
    assert_eq!(cond_field(&waiting, "Ready", "reason"), Some("Progressing"));
    assert_eq!(
        cond_field(&waiting, "Ready", "message"),
        Some("Reconciliation in progress")
    );
    assert_eq!(cond_field(&waiting, "Reconciling", "status"), Some("True"));
    assert_eq!(
        cond_field(&waiting, "Reconciling", "reason"),
        Some("Progressing")
    );
    assert_eq!(
        cond_field(&waiting, "Reconciling", "message"),
        Some(running.as_str())
    );
    assert_eq!(cond_field(&waiting, "Healthy", "status"), Some("Unknown"));
    assert_eq!(
        waiting["status"]["lastAttemptedRevision"],
        format!("main@sha1:{commit}")
    );
    assert_eq!(
        kstatus::compute(&waiting).unwrap().status,
        Status::InProgress
    );
    // The Deployment was applied before the wait began.
    assert!(server.get_json("deployment", "stuck", "web").is_some());

    let failed = server.wait_json(
        "kustomization",
        "flux-system",
        "stuck",
        Duration::from_secs(90),
        |o| cond_field(o, "Ready", "reason") == Some("HealthCheckFailed"),
    );
    assert_eq!(cond_field(&failed, "Ready", "status"), Some("False"));
    let message = cond_field(&failed, "Ready", "message").unwrap_or_default();
    assert!(
        message.starts_with("health check failed after ")
            && message.contains("timeout waiting for")
            && message.contains("Deployment/stuck/web"),
        "{message}"
    );
    assert_eq!(cond_field(&failed, "Healthy", "status"), Some("False"));
    assert_eq!(
        cond_field(&failed, "Reconciling", "reason"),
        Some("ProgressingWithRetry")
    );
}

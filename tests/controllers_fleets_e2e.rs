//! The fleets flux2-kustomize-helm-example and flux2-multi-tenancy end to end: each is copied
//! into a Git repository served by a real `git daemon` (git://), bootstrapped the way `flux
//! bootstrap` does (gotk-components.yaml and gotk-sync.yaml written into
//! clusters/<name>/flux-system, committed, then applied), and reconciled by a real
//! `fluxdeck server` with its in-process controllers.
//!
//! What the embedded store cannot provide is asserted as the Ready=False that names it:
//! - multi-tenancy: Kyverno comes from an OCIRepository on ghcr.io (no network, and fluxdeck
//!   has no OCIRepository controller), so `kyverno-controller` waits for its artifact and the
//!   chain kyverno → kyverno-policies → tenants waits on its dependencies.
//! - kustomize-helm-example: the monorepo is split by an ArtifactGenerator (run in-process)
//!   and infra-controllers applies the HelmReleases, but HelmReleases have no controller yet,
//!   so its `wait: true` health check cannot pass and infra-configs → apps wait on it.

use crate::common;
use crate::controllers_support;

use std::path::Path;
use std::time::Duration;

use common::{Server, condition_status};
use controllers_support::{Daemon, commit_files, git_daemon};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(90);

/// The parts of `gotk-components.yaml` the embedded store still needs: the controllers run
/// in-process and the CRDs are built in, but the namespace and the controllers'
/// ServiceAccounts (which fleets name in `spec.serviceAccountName`) are objects.
const COMPONENTS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: flux-system
  labels:
    app.kubernetes.io/part-of: flux
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: source-controller
  namespace: flux-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: kustomize-controller
  namespace: flux-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: helm-controller
  namespace: flux-system
";

fn sync(url: &str, cluster: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: {url}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/{cluster}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"
    )
}

fn git(args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".git" {
            continue;
        }
        let dest = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A bootstrapped fleet: its git daemon, the served commit and a server reconciling it.
struct Fleet {
    server: Server,
    head: String,
    _daemon: Daemon,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn bootstrap(fleet: &str, cluster: &str) -> Fleet {
    let work = tempfile::tempdir().unwrap();
    copy_tree(&common::shared(&format!("fleets/{fleet}")), work.path());
    let served = tempfile::tempdir().unwrap();
    let bare = served.path().join("fleet.git");
    let bare_path = bare.display().to_string();
    git(&["init", "-q", "--bare", "-b", "main", &bare_path]);
    let (daemon, port) = git_daemon(served.path());
    let url = format!("git://127.0.0.1:{port}/fleet.git");
    let flux_dir = work.path().join(format!("clusters/{cluster}/flux-system"));
    std::fs::write(flux_dir.join("gotk-components.yaml"), COMPONENTS).unwrap();
    std::fs::write(flux_dir.join("gotk-sync.yaml"), sync(&url, cluster)).unwrap();
    let head = commit_files(work.path(), &[], "flux bootstrap");
    let work_path = work.path().display().to_string();
    git(&["-C", &work_path, "push", "-q", &bare_path, "main"]);
    let server = Server::start(&["--no-demo"]);
    server.apply(COMPONENTS);
    server.apply(&sync(&url, cluster));
    Fleet {
        server,
        head,
        _daemon: daemon,
        _dirs: (work, served),
    }
}

fn ready_message(o: &Value) -> (String, String) {
    let c = o
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
    let field = |f: &str| c.and_then(|c| c[f].as_str()).unwrap_or("").to_string();
    (field("reason"), field("message"))
}

impl Fleet {
    fn ks(&self, name: &str, check: impl Fn(&str, &str, &str) -> bool) -> Value {
        self.server
            .wait_json("kustomization", "flux-system", name, WAIT, |o| {
                let (reason, message) = ready_message(o);
                condition_status(o, "Ready").is_some_and(|s| check(s, &reason, &message))
            })
    }

    fn revision(&self) -> String {
        format!("main@sha1:{}", self.head)
    }

    fn root_applied(&self) -> Value {
        let src = self
            .server
            .wait_json("gitrepository", "flux-system", "flux-system", WAIT, |o| {
                condition_status(o, "Ready") == Some("True")
            });
        assert_eq!(src["status"]["artifact"]["revision"], self.revision());
        let want = format!("Applied revision: {}", self.revision());
        self.ks("flux-system", |s, _, m| s == "True" && m == want)
    }

    fn names(&self, kind: &str) -> Vec<String> {
        let out = self.server.kubectl_ok(&[
            "get",
            kind,
            "-A",
            "-o",
            "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}",
        ]);
        out.lines().map(str::to_string).collect()
    }
}

#[test]
fn multi_tenancy_staging_reconciles_up_to_what_needs_the_internet() {
    let fleet = bootstrap("flux2-multi-tenancy", "staging");
    let root = fleet.root_applied();
    // The fleet's own patch of the flux-system Kustomization (target kind Kustomization) is
    // applied to the object that applied it.
    assert_eq!(root["spec"]["serviceAccountName"], "kustomize-controller");
    assert_eq!(
        root["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "flux-system"
    );
    let mut kss = fleet.names("kustomization");
    kss.sort();
    assert_eq!(
        kss,
        [
            "flux-system/flux-system",
            "flux-system/kyverno",
            "flux-system/kyverno-controller",
            "flux-system/kyverno-policies",
            "flux-system/tenants",
        ]
    );
    // kyverno applied its OCIRepository and the Kustomization of it (as its ServiceAccount)…
    assert_eq!(
        fleet.names("ocirepository"),
        ["flux-system/kyverno-controller"]
    );
    let oci = fleet
        .server
        .get_json("ocirepository", "flux-system", "kyverno-controller")
        .unwrap();
    assert_eq!(
        oci["spec"]["url"],
        "oci://ghcr.io/kyverno/manifests/kyverno"
    );
    assert!(oci["status"].get("artifact").is_none());
    // …whose source never gets an artifact here, reason ArtifactFailed in Flux's words. The
    // Kustomization is applied just before its OCIRepository (apply order sorts by group), so
    // its first reconcile may find no source at all; both are what kustomize-controller says.
    let kc = fleet.ks("kyverno-controller", |s, r, m| {
        s == "False"
            && r == "ArtifactFailed"
            && (m.starts_with("Source artifact not found")
                || m == "Source 'OCIRepository/flux-system/kyverno-controller' not found")
    });
    assert_eq!(kc["spec"]["sourceRef"]["kind"], "OCIRepository");
    // The chain behind it waits, naming the dependency it waits for.
    fleet.ks("kyverno-policies", |s, r, m| {
        s == "False"
            && r == "DependencyNotReady"
            && m == "dependency 'flux-system/kyverno' is not ready"
    });
    fleet.ks("tenants", |s, r, m| {
        s == "False"
            && r == "DependencyNotReady"
            && m == "dependency 'flux-system/kyverno-policies' is not ready"
    });
    let kyverno = fleet
        .server
        .get_json("kustomization", "flux-system", "kyverno")
        .unwrap();
    assert_ne!(condition_status(&kyverno, "Ready"), Some("True"));
    // Nothing of the tenants tree is applied while it waits.
    assert!(fleet.server.get_json("namespace", "", "apps").is_none());
}

#[test]
fn kustomize_helm_example_staging_applies_its_helm_releases() {
    let fleet = bootstrap("flux2-kustomize-helm-example", "staging");
    fleet.root_applied();
    // clusters/staging splits the monorepo with source-watcher's ArtifactGenerator.
    let generator = fleet.server.wait_json(
        "artifactgenerator",
        "flux-system",
        "flux-system",
        WAIT,
        |o| condition_status(o, "Ready") == Some("True"),
    );
    assert_eq!(
        ready_message(&generator).1,
        "reconciliation succeeded, generated 2 artifact(s)"
    );
    for name in ["infrastructure", "apps"] {
        let ea = fleet
            .server
            .get_json("externalartifact", "flux-system", name)
            .unwrap();
        let art = &ea["status"]["artifact"];
        assert!(
            art["revision"]
                .as_str()
                .unwrap()
                .starts_with("latest@sha256:"),
            "{ea:#}"
        );
        assert_eq!(
            art["metadata"]["org.opencontainers.image.revision"],
            fleet.revision(),
            "originRevision: @monorepo"
        );
        assert_eq!(ea["spec"]["sourceRef"]["kind"], "ArtifactGenerator");
    }
    // infra-controllers applies the HelmReleases and their OCIRepositories from the
    // infrastructure ExternalArtifact (their controller comes later) …
    let deadline = std::time::Instant::now() + WAIT;
    while fleet.names("helmrelease").len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "no HelmReleases applied: {:?}",
            fleet.names("kustomization")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut releases = fleet.names("helmrelease");
    releases.sort();
    assert_eq!(
        releases,
        [
            "cert-manager/cert-manager",
            "envoy-gateway-system/envoy-gateway"
        ]
    );
    let hr = fleet
        .server
        .get_json("helmrelease", "cert-manager", "cert-manager")
        .unwrap();
    assert_eq!(
        hr["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "infra-controllers"
    );
    let mut charts = fleet.names("ocirepository");
    charts.sort();
    assert_eq!(
        charts,
        [
            "cert-manager/cert-manager",
            "envoy-gateway-system/gateway-helm"
        ]
    );
    // … and, with `wait: true`, waits for them to become healthy, which needs the
    // helm-controller: infra-configs and apps wait on it, naming the dependency.
    fleet.ks("infra-configs", |s, r, m| {
        s == "False"
            && r == "DependencyNotReady"
            && m == "dependency 'flux-system/infra-controllers' is not ready"
    });
    fleet.ks("apps", |s, r, m| {
        s == "False"
            && r == "DependencyNotReady"
            && m == "dependency 'flux-system/infra-configs' is not ready"
    });
    let controllers = fleet
        .server
        .get_json("kustomization", "flux-system", "infra-controllers")
        .unwrap();
    assert_ne!(condition_status(&controllers, "Ready"), Some("True"));
    assert!(
        fleet.names("helmrepository").is_empty(),
        "apps is not applied yet"
    );
}

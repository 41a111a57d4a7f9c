//! Shared harness for end-to-end tests: a real `fluxdeck server` process on a free loopback port
//! with its own data directory and kubeconfig, and the pinned kubectl binaries.
#![allow(dead_code)]

pub mod git_cli;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

pub fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(rel)
}

pub fn fluxdeck_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_fluxdeck"))
}

/// A running `fluxdeck server`, killed on drop.
pub struct Server {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl Server {
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = dir.path().join("kubeconfig");
        let data = dir.path().join("data");
        let port = free_port();
        let mut cmd = Command::new(fluxdeck_bin());
        cmd.args(["server", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(&data)
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = cmd.spawn().expect("spawn fluxdeck server");
        let server = Server {
            child,
            dir,
            kubeconfig,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.kubeconfig.exists()
                && self.kubectl(&["get", "--raw", "/healthz"]).status.success()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("fluxdeck server did not become ready within 60s");
    }

    pub fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(KUBECTL)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .output()
            .expect("run kubectl")
    }

    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            out.status.success(),
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `kubectl apply -f -` of a YAML stream (panics with kubectl's stderr on failure).
    pub fn apply(&self, yaml: &str) {
        use std::io::Write;
        let mut child = Command::new(KUBECTL)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["apply", "--server-side", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(yaml.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "kubectl apply failed: {}",
            stderr(&out)
        );
    }

    /// The object as JSON, or None when kubectl cannot get it.
    pub fn get_json(&self, kind: &str, ns: &str, name: &str) -> Option<serde_json::Value> {
        let out = self.kubectl(&["get", kind, "-n", ns, name, "-o", "json"]);
        if !out.status.success() {
            return None;
        }
        serde_json::from_slice(&out.stdout).ok()
    }

    /// Poll `kind ns/name` until `check` accepts it; panics with the last state after `timeout`.
    pub fn wait_json(
        &self,
        kind: &str,
        ns: &str,
        name: &str,
        timeout: Duration,
        check: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let deadline = Instant::now() + timeout;
        loop {
            let obj = self.get_json(kind, ns, name);
            if let Some(o) = &obj
                && check(o)
            {
                return o.clone();
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {kind} {ns}/{name}: {obj:#?}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Run fluxdeck against this server.
    pub fn fluxdeck(&self, args: &[&str]) -> Output {
        Command::new(fluxdeck_bin())
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .output()
            .expect("run fluxdeck")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The status of condition `type_` (e.g. "Ready") of an object.
pub fn condition_status<'a>(obj: &'a serde_json::Value, type_: &str) -> Option<&'a str> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)?
        .get("status")?
        .as_str()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Poll `f` every 300 ms until it yields a value; panics naming `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> Option<String>) -> String {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

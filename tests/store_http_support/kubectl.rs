//! kubectl harness: a server on its own runtime plus a pinned kubectl binary and kubeconfig.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::{Https, shared, start_https};

pub const KUBECTL_DIR: &str = "/usr/lib/google-cloud-sdk/bin";

/// A server on its own runtime, so blocking kubectl calls never stall it.
pub struct Harness {
    _runtime: tokio::runtime::Runtime,
    pub server: Https,
    kubectl: PathBuf,
}

impl Harness {
    pub fn start(version: &str) -> Option<Harness> {
        let kubectl = Path::new(KUBECTL_DIR).join(format!("kubectl.{version}"));
        if !kubectl.exists() {
            eprintln!("SKIPPED: {} is not installed", kubectl.display());
            return None;
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime.block_on(start_https());
        Some(Harness {
            _runtime: runtime,
            server,
            kubectl,
        })
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.kubectl);
        cmd.args(args)
            .env("KUBECONFIG", &self.server.kubeconfig)
            .env("HOME", self.server.dir.path())
            .env_remove("KUBERNETES_SERVICE_HOST");
        cmd
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = self.command(args);
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("kubectl starts");
        if let Some(text) = stdin {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("stdin written");
        }
        child.wait_with_output().expect("kubectl finishes")
    }

    /// Runs kubectl and returns stdout, failing the test with stderr on a non-zero exit.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_stdin(args, None)
    }

    pub fn ok_stdin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "kubectl {} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
            args.join(" "),
            out.status
        );
        stdout
    }

    /// Runs kubectl expecting failure, returning stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            !out.status.success(),
            "kubectl {} unexpectedly succeeded: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&all)).expect("kubectl -o json prints JSON")
    }
}

pub fn shared_str(path: &str) -> String {
    shared(path).to_string_lossy().into_owned()
}

pub fn table_header(output: &str) -> Vec<String> {
    output
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

pub fn row<'a>(output: &'a str, name: &str) -> Option<&'a str> {
    output
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == name))
}

/// `expected` is contained in `actual` (maps by key, lists element-wise, scalars equal):
/// the server may add defaults and metadata, never change what was applied.
pub fn contained(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contained(v, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| contained(x, y))
        }
        _ => expected == actual,
    }
}

//! The console in a real terminal: tmux runs `fluxdeck --kubeconfig K` against a real
//! `fluxdeck server`; keys are typed with send-keys and kubectl checks what they did.

mod common;

use common::Server;
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Session(String);

impl Session {
    fn start(name: &str, cmd: &str) -> Session {
        let _ = Command::new("tmux").args(["kill-session", "-t", name]).output();
        let status = Command::new("tmux")
            .args(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", cmd])
            .status()
            .expect("tmux new-session");
        assert!(status.success(), "tmux could not start");
        Session(name.to_string())
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&["send-keys", "-t", &self.0, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(Instant::now() < deadline, "screen never showed {needle:?}:\n{s}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["kill-session", "-t", &self.0]).output();
    }
}

fn wait_kubectl(server: &Server, jsonpath: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = server.kubectl_ok(&["-n", "flux-system", "get", "ks", "apps", "-o", &format!("jsonpath={jsonpath}")]);
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "{jsonpath}: wanted {want:?}, got {got:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn suspend_resume_reconcile_from_the_keyboard() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is required for this test (scripts/install-test-deps.sh installs it)");
    }
    let server = Server::start(&["--no-controllers"]);
    let cmd = format!("{} --kubeconfig {}", common::fluxdeck_bin().display(), server.kubeconfig.display());
    let s = Session::start("fluxdeck-e2e", &cmd);
    s.wait_for("infra-controllers");
    // Filter to the object, suspend it with a reason.
    s.keys(&["/", "apps", "Enter"]);
    s.wait_for("apps");
    s.keys(&["s"]);
    s.wait_for("reason");
    s.keys(&["tmux drill", "Enter"]);
    wait_kubectl(&server, "{.spec.suspend}", "true");
    wait_kubectl(&server, "{.metadata.annotations.fluxdeck\\.io/suspend-reason}", "tmux drill");
    // Resume clears it.
    s.keys(&["r"]);
    wait_kubectl(&server, "{.spec.suspend}", "");
    // Reconcile sets the request annotation.
    s.keys(&["R"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let token = server.kubectl_ok(&["-n", "flux-system", "get", "ks", "apps", "-o", "jsonpath={.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}"]);
        if !token.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "reconcile annotation never set:\n{}", s.screen());
        std::thread::sleep(Duration::from_millis(100));
    }
    // q quits and the terminal is restored (the shell prompt, not the app, is visible).
    s.keys(&["q"]);
}

//! The console in a real terminal: tmux runs `fluxdeck --kubeconfig K` against a real
//! `fluxdeck server`; keys are typed with send-keys and kubectl checks what they did.

use crate::common;

use common::Server;
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server per session, on its own socket (`-L`), without any user config: the
/// tests never share the default server, so parallel runs (several worktrees, CI, a user's
/// own tmux) cannot kill or resize each other's sessions. Sharing it was the cause of the
/// "pane comes back empty" failures: a concurrent run's `kill-session` of the same session
/// name (or its Drop) removed the pane under the other run, and `capture-pane` on a missing
/// session prints nothing.
struct Session {
    socket: String,
    name: String,
}

impl Session {
    fn start(name: &str, cmd: &str) -> Session {
        let s = Session {
            socket: format!("fdtest-{}-{name}", std::process::id()),
            name: name.to_string(),
        };
        let out = s.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "120",
            "-y",
            "40",
            cmd,
        ]);
        assert!(
            out.status.success(),
            "tmux could not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        s
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux")
    }
    /// A tmux command on this session's server; a failure (e.g. the session is gone) panics
    /// with tmux's message instead of reading as an empty screen.
    fn tmux(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", &self.name, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    /// Type a line (literally) and press Enter.
    fn line(&self, text: &str) {
        self.tmux(&["send-keys", "-t", &self.name, "-l", text]);
        self.tmux(&["send-keys", "-t", &self.name, "Enter"]);
    }
    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", &self.name])
    }
    /// A tmux format value for the pane (e.g. `#{alternate_on}`, `#{cursor_flag}`).
    fn pane_flag(&self, format: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", &self.name, format])
            .trim()
            .to_string()
    }
    fn wait_gone(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if !s.contains(needle) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "screen kept showing {needle:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn wait_flag(&self, format: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.pane_flag(format);
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{format}: wanted {want}, got {got}:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {needle:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn wait_kubectl(server: &Server, jsonpath: &str, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = server.kubectl_ok(&[
            "-n",
            "flux-system",
            "get",
            "ks",
            "apps",
            "-o",
            &format!("jsonpath={jsonpath}"),
        ]);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{jsonpath}: wanted {want:?}, got {got:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn suspend_resume_reconcile_from_the_keyboard() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is required for this test (scripts/install-test-deps.sh installs it)");
    }
    let server = Server::start(&["--no-controllers"]);
    let cmd = format!(
        "{} --kubeconfig {}",
        common::fluxdeck_bin().display(),
        server.kubeconfig.display()
    );
    let s = Session::start("fluxdeck-e2e", &cmd);
    s.wait_for("infra-controllers");
    // Filter to the object, suspend it with a reason.
    s.keys(&["/", "apps", "Enter"]);
    s.wait_for("apps");
    s.keys(&["s"]);
    s.wait_for("reason");
    s.keys(&["tmux drill", "Enter"]);
    wait_kubectl(&server, "{.spec.suspend}", "true");
    wait_kubectl(
        &server,
        "{.metadata.annotations.fluxdeck\\.io/suspend-reason}",
        "tmux drill",
    );
    // Resume clears it.
    s.keys(&["r"]);
    wait_kubectl(&server, "{.spec.suspend}", "");
    // Reconcile sets the request annotation.
    s.keys(&["R"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let token = server.kubectl_ok(&[
            "-n",
            "flux-system",
            "get",
            "ks",
            "apps",
            "-o",
            "jsonpath={.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
        ]);
        if !token.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "reconcile annotation never set:\n{}",
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // q quits and the terminal is restored (the shell prompt, not the app, is visible).
    s.keys(&["q"]);
}

/// The prompt of the interactive shell (PS1 is this plus a space, which capture-pane trims):
/// seeing it proves bash has finished starting and reads the terminal.
const PROMPT: &str = "fdtest$";

fn require_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        panic!("tmux is required for this test (scripts/install-test-deps.sh installs it)");
    }
}

/// The console run from an interactive shell in the pane, so exit status, the restored
/// terminal and job control (ctrl-z / fg) can be observed.
fn shell_session(name: &str, server: &Server) -> Session {
    let s = Session::start(
        name,
        &format!("env PS1='{PROMPT} ' bash --norc --noprofile -i"),
    );
    s.wait_for(PROMPT);
    let cmd = format!(
        "{} --kubeconfig {}; echo fluxdeck-exited-$?",
        common::fluxdeck_bin().display(),
        server.kubeconfig.display()
    );
    s.line(&cmd);
    s
}

/// Regression: keys typed into the suspend prompt were not read until some other wake-up
/// (a backend change or timer) arrived, so with an idle cluster the prompt froze. The
/// server runs without controllers, so nothing else wakes the console here.
#[test]
fn prompt_takes_keys_and_esc_goes_back() {
    require_tmux();
    let server = Server::start(&["--no-controllers"]);
    let s = shell_session("fluxdeck-e2e-esc", &server);
    s.wait_for("infra-controllers");
    // Tree, then Esc back to the list.
    s.keys(&["t"]);
    s.wait_for("tree (");
    s.keys(&["Escape"]);
    s.wait_gone("tree (");
    s.wait_for("infra-controllers");
    // Let the initial burst settle so only keys can wake the loop.
    std::thread::sleep(Duration::from_millis(1500));
    s.keys(&["s"]);
    s.wait_for("reason");
    s.keys(&["zeta-typed"]);
    s.wait_for("zeta-typed");
    s.keys(&["BSpace", "BSpace"]);
    s.wait_gone("zeta-typed");
    s.wait_for("zeta-typ");
    // Esc cancels the prompt: nothing is suspended.
    s.keys(&["Escape"]);
    s.wait_gone("reason");
    let suspended = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "kustomizations,gitrepositories",
        "-o",
        "jsonpath={.items[*].spec.suspend}",
    ]);
    assert!(
        !suspended.contains("true"),
        "Esc must not suspend anything: {suspended:?}"
    );
    // The prompt again, and Enter submits this time.
    s.keys(&["s"]);
    s.wait_for("reason");
    s.keys(&["after esc", "Enter"]);
    s.wait_gone("reason");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let reasons = server.kubectl_ok(&[
            "-n",
            "flux-system",
            "get",
            "kustomizations,gitrepositories",
            "-o",
            "jsonpath={.items[*].metadata.annotations.fluxdeck\\.io/suspend-reason}",
        ]);
        if reasons.contains("after esc") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "suspend after Esc never reached the API:\n{}",
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // q quits with status 0 and the terminal restored: main screen, cursor visible.
    s.keys(&["q"]);
    s.wait_for("fluxdeck-exited-0");
    s.wait_flag("#{alternate_on}", "0");
    s.wait_flag("#{cursor_flag}", "1");
    assert!(
        !s.screen().contains("infra-controllers"),
        "app still on screen after q:\n{}",
        s.screen()
    );
}

#[test]
fn ctrl_z_gives_the_terminal_back_and_fg_resumes() {
    require_tmux();
    let server = Server::start(&["--no-controllers"]);
    let s = shell_session("fluxdeck-e2e-ctrlz", &server);
    s.wait_for("infra-controllers");
    s.wait_flag("#{alternate_on}", "1");
    s.keys(&["C-z"]);
    // The shell reports the stopped job on the main screen.
    s.wait_flag("#{alternate_on}", "0");
    s.wait_for("Stopped");
    s.line("fg");
    s.wait_flag("#{alternate_on}", "1");
    s.wait_for("infra-controllers");
    // Still taking keys after the resume.
    s.keys(&["t"]);
    s.wait_for("tree (");
    s.keys(&["Escape", "q"]);
    // The shell already ran the `echo` when the job stopped (status 148); after fg and q the
    // job is gone and the main screen is back.
    s.wait_flag("#{alternate_on}", "0");
    s.wait_for(PROMPT);
    s.line("echo jobs-left-$(jobs | wc -l)");
    s.wait_for("jobs-left-0");
}

/// Like `Session::wait_for` with a longer limit: approving waits for a controller that clones,
/// commits and pushes, slow when several e2e servers share two cores.
fn wait_long(s: &Session, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let screen = s.screen();
        if screen.contains(needle) {
            return screen;
        }
        assert!(
            Instant::now() < deadline,
            "screen never showed {needle:?}:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The approval gate from the keyboard: the embedded demo's automation proposes podinfo 6.7.1
/// (from the in-process demo registry); `A` opens the Approvals pane, `a` asks, Enter
/// confirms; kubectl then shows the proposal gone and the ProposalApproved Event, and the demo
/// repository has the commit.
#[test]
fn approvals_pane_approves_with_a() {
    require_tmux();
    let server = Server::start(&[]);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !common::stdout(&server.fluxdeck(&["images", "pending", "-n", "flux-system"]))
        .contains("6.7.1")
    {
        assert!(Instant::now() < deadline, "the demo never proposed 6.7.1");
        std::thread::sleep(Duration::from_millis(300));
    }
    let cmd = format!(
        "{} --kubeconfig {}",
        common::fluxdeck_bin().display(),
        server.kubeconfig.display()
    );
    // Not prefixed by another test's session name: tmux `-t` falls back to prefix matching,
    // so killing a finished "fluxdeck-e2e" would take this session with it.
    let s = Session::start("approvals-e2e", &cmd);
    wait_long(&s, "infra-controllers");
    s.keys(&["A"]);
    let pane = wait_long(&s, "6.7.0 → 6.7.1");
    assert!(
        pane.contains("flux-system/podinfo") && pane.contains("newTag: 6.7.1"),
        "{pane}"
    );
    s.keys(&["a"]);
    s.wait_for("commit and push? enter confirm");
    s.keys(&["Enter"]);
    wait_long(&s, "✔ approve ImageUpdateAutomation/flux-system/podinfo");
    wait_long(&s, "No pending approvals.");
    let id = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "configmap",
        "fluxdeck-proposal-podinfo",
        "-o",
        "jsonpath={.data.id}",
    ]);
    assert_eq!(id, "", "the proposal is no longer pending");
    let events = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "events",
        "--field-selector",
        "reason=ProposalApproved",
        "-o",
        "jsonpath={.items[*].message}",
    ]);
    assert!(events.contains("approved by"), "{events}");
    let repo = git2::Repository::open(server.dir.path().join("data/demo-fleet")).unwrap();
    let head = repo
        .find_reference("refs/heads/main")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    assert!(
        head.message().unwrap_or("").contains("- 6.7.0 -> 6.7.1"),
        "{:?}",
        head.message()
    );
    s.keys(&["q"]);
}

//! Real Git servers for the source tests beyond `git daemon` and basic-auth HTTP: an OpenSSH
//! `sshd` on a random loopback port (own host key, own config, own authorized key) and the
//! shared smart-HTTP bridge switched to `Authorization: Bearer` checking.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Daemon, free_port, shared};

const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd that accepts one client key and serves repositories by absolute path.
pub struct GitSshd {
    pub _daemon: Daemon,
    pub port: u16,
    /// The login name in ssh URLs: the account the tests run as (sshd can only log in
    /// existing accounts, and CI has no `git` user).
    pub user: String,
    /// The client's private key (OpenSSH format) and public key.
    pub identity: String,
    pub identity_pub: String,
    /// `[127.0.0.1]:PORT <type> <key>` for the server's real host key.
    pub known_hosts: String,
    /// `ssh-keygen -l` fingerprint of the host key (`ssh-ed25519 SHA256:…`).
    pub host_fingerprint: String,
    /// sshd's own log (`-E`), to prove what happened on the server side.
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (openssh-client) must be installed: scripts/install-test-deps.sh");
    assert!(status.success(), "ssh-keygen failed for {}", path.display());
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn current_user() -> String {
    let out = Command::new("id").arg("-un").output().expect("id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl GitSshd {
    /// Start sshd; panics (never skips) when OpenSSH's server is not installed.
    pub fn start() -> GitSshd {
        assert!(
            Path::new(SSHD).exists(),
            "{SSHD} is missing: install openssh-server (scripts/install-test-deps.sh does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        keygen(&d.join("host_key"));
        keygen(&d.join("id"));
        std::fs::copy(d.join("id.pub"), d.join("authorized_keys")).unwrap();
        // sshd refuses to start without its privilege-separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {hk}\nAuthorizedKeysFile {ak}\n\
             StrictModes no\nPermitRootLogin prohibit-password\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nUsePAM no\nPidFile {pid}\nLogLevel VERBOSE\n",
            hk = d.join("host_key").display(),
            ak = d.join("authorized_keys").display(),
            pid = d.join("sshd.pid").display(),
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        let log = d.join("sshd.log");
        let child = Command::new(SSHD)
            .args(["-D", "-f"])
            .arg(d.join("sshd_config"))
            .arg("-E")
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SSHD}: {e}"));
        let daemon = Daemon(child);
        wait_listening(port, &log);
        let host_pub = read(&d.join("host_key.pub"));
        let mut fields = host_pub.split_whitespace();
        let (ty, key) = (fields.next().unwrap(), fields.next().unwrap());
        let fp = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(d.join("host_key.pub"))
            .output()
            .unwrap();
        let fp = String::from_utf8_lossy(&fp.stdout).to_string();
        let sha = fp.split_whitespace().nth(1).unwrap_or("").to_string();
        GitSshd {
            _daemon: daemon,
            host_fingerprint: format!("{ty} {sha}"),
            port,
            user: current_user(),
            identity: read(&d.join("id")),
            identity_pub: read(&d.join("id.pub")),
            known_hosts: format!("[127.0.0.1]:{port} {ty} {key}\n"),
            log,
            _dir: dir,
        }
    }

    /// `ssh://USER@127.0.0.1:PORT/<absolute path>`.
    pub fn url(&self, repo: &Path) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.port,
            repo.display()
        )
    }

    /// `known_hosts` as `ssh-keygen -H` hashes it (what `HashKnownHosts yes` writes).
    pub fn hashed_known_hosts(&self) -> String {
        let file = self._dir.path().join("known_hosts_hashed");
        std::fs::write(&file, &self.known_hosts).unwrap();
        let status = Command::new("ssh-keygen")
            .args(["-q", "-H", "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "ssh-keygen -H failed");
        let hashed = read(&file);
        assert!(hashed.starts_with("|1|"), "{hashed}");
        hashed
    }

    /// How many logins sshd accepted so far.
    pub fn accepted_logins(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("Accepted publickey")
            .count()
    }
}

fn wait_listening(port: u16, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "sshd did not listen on {port}: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The shared smart-HTTP bridge (../shared/tools/git_http_server.py) with its credential
/// check switched from basic auth to `Authorization: Bearer <token>`.
pub fn git_http_bearer(root: &Path, token: &str) -> (Daemon, u16) {
    let script = shared("tools/git_http_server.py");
    let basic = "EXPECTED = \"Basic \" + base64.b64encode(CRED.encode()).decode()";
    assert!(
        read(&script).contains(basic),
        "{} no longer computes EXPECTED as basic auth: update git_http_bearer",
        script.display()
    );
    let program = format!(
        "import sys\np = sys.argv[1]\nsys.argv = sys.argv[1:]\nsrc = open(p).read().replace({basic:?}, 'EXPECTED = \"Bearer \" + CRED')\nexec(compile(src, p, 'exec'))\n"
    );
    let port = free_port();
    let child = Command::new("python3")
        .arg("-c")
        .arg(program)
        .arg(&script)
        .arg(port.to_string())
        .arg(root)
        .arg(token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "bearer HTTP server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Daemon(child), port)
}

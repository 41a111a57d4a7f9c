//! The real `git` binary in tests (shared by tests/common and tests/controllers_support).

use std::path::Path;
use std::process::Command;

/// `git -C dir ARGS` with a fixed committer identity (tests never depend on the host's git
/// config); panics with git's stderr on failure, returns stdout trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

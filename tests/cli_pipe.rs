//! A closed stdout (`fluxdeck get all -A | head`) ends the command quietly with the SIGPIPE
//! status, like the flux CLI, instead of a panic report.

use crate::common;

use common::Server;
use std::process::Command;

#[test]
fn a_closed_pipe_ends_quietly_with_the_sigpipe_status() {
    let server = Server::start(&["--no-controllers"]);
    let bin = common::fluxdeck_bin();
    // `true` exits without reading, so the first write of the table hits a closed pipe.
    let script = format!(
        "{} --kubeconfig {} get all -A | true; echo status=${{PIPESTATUS[0]}}",
        bin.display(),
        server.kubeconfig.display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // connecting takes far longer than `true` needs to exit, so the pipe is always closed
    // by the time the table is written
    assert!(stdout.contains("status=141"), "{stdout}{stderr}");
}

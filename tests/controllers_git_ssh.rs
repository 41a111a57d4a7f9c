//! GitRepository over the credentialed transports against real servers: OpenSSH `sshd`
//! (identity + known_hosts from spec.secretRef, host key checked) and smart HTTP that demands
//! `Authorization: Bearer` (bearerToken from spec.secretRef).

use crate::controllers_support;

use controllers_support::servers::{GitSshd, git_http_bearer};
use controllers_support::source_env::*;
use controllers_support::*;
use fluxdeck::controllers::source_git;
use fluxdeck::engine::kstatus::Status;
use serde_json::{Value, json};

fn secret(name: &str, string_data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Secret",
           "metadata": {"name": name, "namespace": "default"},
           "stringData": string_data})
}

fn ready_condition(obj: &Value) -> (String, String) {
    let c = condition(obj, "Ready").expect("Ready condition");
    (
        c["reason"].as_str().unwrap_or("").to_string(),
        c["message"].as_str().unwrap_or("").to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_with_identity_and_known_hosts_and_a_host_key_mismatch() {
    let sshd = GitSshd::start();
    let env = start().await;
    let work = tempfile::tempdir().unwrap();
    let head = commit_files(work.path(), &[("apps/cm.yaml", "kind: ConfigMap\n")], "one");
    let served = tempfile::tempdir().unwrap();
    let bare = bare_clone(work.path(), served.path(), "fleet");
    let url = sshd.url(&bare);
    let secrets = ar("", "v1", "Secret", "secrets");
    apply(
        &env.client,
        &secrets,
        secret(
            "ssh-creds",
            json!({"identity": sshd.identity, "identity.pub": sshd.identity_pub,
                   "known_hosts": sshd.known_hosts}),
        ),
    )
    .await;
    // A known_hosts entry for the right host with some other server's key.
    let other = GitSshd::start();
    let wrong_known_hosts = other
        .known_hosts
        .replace(&format!(":{}", other.port), &format!(":{}", sshd.port));
    drop(other);
    apply(
        &env.client,
        &secrets,
        secret(
            "ssh-wrong-host",
            json!({"identity": sshd.identity, "known_hosts": wrong_known_hosts}),
        ),
    )
    .await;
    let r = source_git::resource();
    apply(
        &env.client,
        &r,
        gitrepo(
            "over-ssh",
            &url,
            json!({"secretRef": {"name": "ssh-creds"}}),
        ),
    )
    .await;
    let ok = ready_gitrepo(&env, "over-ssh").await;
    assert_eq!(
        ok["status"]["artifact"]["revision"],
        format!("main@sha1:{head}")
    );
    assert!(env.storage.verify(&ok["status"]["artifact"]));
    assert_eq!(kstatus(&ok), Status::Current);
    // The same with known_hosts hashed, as OpenSSH writes it by default on Debian.
    apply(
        &env.client,
        &secrets,
        secret(
            "ssh-hashed",
            json!({"identity": sshd.identity, "known_hosts": sshd.hashed_known_hosts()}),
        ),
    )
    .await;
    apply(
        &env.client,
        &r,
        gitrepo("hashed", &url, json!({"secretRef": {"name": "ssh-hashed"}})),
    )
    .await;
    let hashed = ready_gitrepo(&env, "hashed").await;
    assert_eq!(
        hashed["status"]["artifact"]["revision"],
        format!("main@sha1:{head}")
    );
    let logins = sshd.accepted_logins();
    assert!(logins >= 1, "sshd saw no login");

    apply(
        &env.client,
        &r,
        gitrepo(
            "mismatch",
            &url,
            json!({"secretRef": {"name": "ssh-wrong-host"}}),
        ),
    )
    .await;
    let bad = gitrepo_with_ready(&env, "mismatch", "False").await;
    let (reason, msg) = ready_condition(&bad);
    assert_eq!(reason, "AuthenticationFailed", "{msg}");
    assert!(msg.contains("host key"), "{msg}");
    assert!(msg.contains("does not match"), "{msg}");
    assert!(
        msg.contains(&format!("[127.0.0.1]:{}", sshd.port)),
        "names the host: {msg}"
    );
    assert!(
        msg.contains(&sshd.host_fingerprint),
        "names the offered key: {msg}"
    );
    assert!(bad["status"].get("artifact").is_none(), "nothing fetched");
    assert_eq!(
        sshd.accepted_logins(),
        logins,
        "the client stopped before authenticating"
    );
    assert!(!msg.contains("PRIVATE KEY"), "{msg}");

    // known_hosts is required for ssh: without it nothing is fetched either.
    apply(
        &env.client,
        &secrets,
        secret("ssh-no-hosts", json!({"identity": sshd.identity})),
    )
    .await;
    apply(
        &env.client,
        &r,
        gitrepo(
            "no-hosts",
            &url,
            json!({"secretRef": {"name": "ssh-no-hosts"}}),
        ),
    )
    .await;
    let (reason, msg) = ready_condition(&gitrepo_with_ready(&env, "no-hosts", "False").await);
    assert_eq!(reason, "AuthenticationFailed", "{msg}");
    assert!(msg.contains("known_hosts"), "{msg}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_style_bearer_token_from_secret_ref() {
    let env = start().await;
    let work = tempfile::tempdir().unwrap();
    let head = commit_files(work.path(), &[("x.yaml", "x: 1\n")], "one");
    let served = tempfile::tempdir().unwrap();
    bare_clone(work.path(), served.path(), "private");
    let (_http, port) = git_http_bearer(served.path(), "t0ken-right");
    let url = format!("http://127.0.0.1:{port}/private.git");
    let secrets = ar("", "v1", "Secret", "secrets");
    apply(
        &env.client,
        &secrets,
        secret("token", json!({"bearerToken": "t0ken-right"})),
    )
    .await;
    apply(
        &env.client,
        &secrets,
        secret("bad-token", json!({"bearerToken": "t0ken-wrong"})),
    )
    .await;
    let r = source_git::resource();
    apply(
        &env.client,
        &r,
        gitrepo("bearer", &url, json!({"secretRef": {"name": "token"}})),
    )
    .await;
    apply(
        &env.client,
        &r,
        gitrepo("wrong", &url, json!({"secretRef": {"name": "bad-token"}})),
    )
    .await;
    let ok = ready_gitrepo(&env, "bearer").await;
    assert_eq!(
        ok["status"]["artifact"]["revision"],
        format!("main@sha1:{head}")
    );
    assert_eq!(kstatus(&ok), Status::Current);
    let denied = gitrepo_with_ready(&env, "wrong", "False").await;
    let (reason, msg) = ready_condition(&denied);
    assert_eq!(reason, "AuthenticationFailed", "{msg}");
    assert!(msg.contains("authenticate"), "{msg}");
    assert!(msg.contains(&url), "{msg}");
    assert!(!msg.contains("t0ken"), "never print the token: {msg}");
    assert!(denied["status"].get("artifact").is_none());
}

//! OpenPGP commit signing (spec.git.commit.signingKey, type gpg): the armored private key
//! (`git.asc`) and optional `passphrase` of the referenced Secret are imported into a
//! throw-away GnuPG home, the commit buffer is detach-signed by the `gpg` binary, and the
//! signature goes into the commit's `gpgsig` header — what `git commit -S` writes. Without a
//! `gpg` binary, or with an SSH signing key, the automation stalls naming the field instead
//! of pushing unsigned commits.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use serde_json::Value;

use crate::controllers::runtime::{Failure, Outcome};

/// The key material (never printed: Debug is redacted).
#[derive(Clone)]
pub struct SigningKey {
    armored: String,
    passphrase: Option<String>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("spec.git.commit.signingKey: cannot run gpg: {0}")]
    Gpg(String),
    #[error("spec.git.commit.signingKey: gpg could not {step}: {stderr}")]
    Failed { step: &'static str, stderr: String },
}

fn stalled(message: String) -> Outcome {
    Outcome::Stalled(Failure::new("InvalidSourceConfiguration", message))
}

/// Is a usable `gpg` on PATH?
pub fn gpg_available() -> bool {
    Command::new("gpg")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The signing key named by `spec.git.commit.signingKey`, None when the field is absent.
pub async fn load(
    client: &kube::Client,
    namespace: &str,
    spec: &Value,
) -> Result<Option<SigningKey>, Outcome> {
    let Some(sk) = spec
        .pointer("/git/commit/signingKey")
        .filter(|k| !k.is_null())
    else {
        return Ok(None);
    };
    let kind = sk.get("type").and_then(Value::as_str).unwrap_or("gpg");
    if kind != "gpg" {
        return Err(stalled(format!(
            "spec.git.commit.signingKey.type '{kind}' is not supported by fluxdeck's in-process controller (only gpg); use a gpg key or let image-automation-controller run this automation"
        )));
    }
    let Some(name) = sk
        .pointer("/secretRef/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
    else {
        return Err(stalled(
            "spec.git.commit.signingKey.secretRef.name is required".into(),
        ));
    };
    if !gpg_available() {
        return Err(stalled(
            "spec.git.commit.signingKey: signing needs the gpg binary, which is not installed here (apt-get install gnupg); fluxdeck does not push unsigned commits for a signed automation".into(),
        ));
    }
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let secret = api.get_opt(name).await.map_err(|e| {
        Outcome::Retry(Failure::new(
            "SourceManagerFailed",
            format!("spec.git.commit.signingKey: cannot read Secret '{namespace}/{name}': {e}"),
        ))
    })?;
    let Some(secret) = secret else {
        return Err(Outcome::Retry(Failure::new(
            "SourceManagerFailed",
            format!("spec.git.commit.signingKey.secretRef: Secret '{namespace}/{name}' not found"),
        )));
    };
    let data = secret.data.unwrap_or_default();
    let text = |k: &str| {
        data.get(k)
            .map(|b| String::from_utf8_lossy(&b.0).to_string())
            .filter(|s| !s.trim().is_empty())
    };
    let Some(armored) = text("git.asc") else {
        return Err(stalled(format!(
            "spec.git.commit.signingKey.secretRef: Secret '{namespace}/{name}' has no 'git.asc' key (the ASCII-armored OpenPGP private key)"
        )));
    };
    Ok(Some(SigningKey {
        armored,
        passphrase: text("passphrase"),
    }))
}

/// A private GnuPG home, removed on drop.
struct GpgHome(PathBuf);

impl Drop for GpgHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gpg_home() -> Result<GpgHome, SignError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("fluxdeck-gpg-{}-{nanos}", std::process::id()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .recursive(true)
        .create(&dir)
        .map_err(|e| SignError::Gpg(e.to_string()))?;
    Ok(GpgHome(dir))
}

fn run_gpg(
    home: &Path,
    args: &[&str],
    input: &[u8],
    step: &'static str,
) -> Result<Vec<u8>, SignError> {
    let mut child = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--no-tty", "--quiet"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| SignError::Gpg(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .map_err(|e| SignError::Gpg(e.to_string()))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| SignError::Gpg(e.to_string()))?;
    if !out.status.success() {
        return Err(SignError::Failed {
            step,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// An ASCII-armored detached signature of `buffer` (a commit object's content).
pub fn sign(key: &SigningKey, buffer: &[u8]) -> Result<String, SignError> {
    let home = gpg_home()?;
    run_gpg(
        &home.0,
        &["--import"],
        key.armored.as_bytes(),
        "import the key from 'git.asc'",
    )?;
    let pass_file = home.0.join("passphrase");
    std::fs::write(&pass_file, key.passphrase.as_deref().unwrap_or(""))
        .map_err(|e| SignError::Gpg(e.to_string()))?;
    let pass_path = pass_file.to_string_lossy().to_string();
    let sig = run_gpg(
        &home.0,
        &[
            "--pinentry-mode",
            "loopback",
            "--passphrase-file",
            &pass_path,
            "--armor",
            "--detach-sign",
        ],
        buffer,
        "sign the commit (wrong 'passphrase'?)",
    )?;
    Ok(String::from_utf8_lossy(&sig).to_string())
}

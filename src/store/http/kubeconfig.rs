//! The kubeconfig `fluxdeck server` writes: one cluster (self-signed, so verification is skipped),
//! one token user, context "fluxdeck" with namespace "default". Written with mode 0600.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::auth::BearerToken;

pub const CONTEXT: &str = "fluxdeck";

pub fn document(server: &str, token: &BearerToken) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": server, "insecure-skip-tls-verify": true}}],
        "users": [{"name": CONTEXT, "user": {"token": token.as_str()}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": "default"}}],
        "current-context": CONTEXT,
        "preferences": {},
    })
}

pub fn write(path: &Path, server: &str, token: &BearerToken) -> std::io::Result<()> {
    let text =
        crate::engine::yaml::to_string(&document(server, token)).map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeconfig_round_trips_through_kube() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/kubeconfig");
        let token = BearerToken::new("abc123");
        write(&path, "https://127.0.0.1:6443", &token).unwrap();
        let parsed = kube::config::Kubeconfig::read_from(&path).unwrap();
        assert_eq!(parsed.current_context.as_deref(), Some("fluxdeck"));
        let cluster = parsed.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(cluster.server.as_deref(), Some("https://127.0.0.1:6443"));
        assert_eq!(cluster.insecure_skip_tls_verify, Some(true));
        let ctx = parsed.contexts[0].context.as_ref().unwrap();
        assert_eq!(ctx.namespace.as_deref(), Some("default"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}

//! Git credentials from a GitRepository's `spec.secretRef` (source-controller's keys):
//! `username`/`password` (HTTPS basic auth), `bearerToken` (HTTPS), `identity` (+ optional
//! `password`) and `known_hosts` (SSH). Host keys are checked against known_hosts ourselves
//! because libgit2 leaves that to the caller.

use std::collections::BTreeMap;

use base64::Engine;

/// Credentials for one fetch. Debug never prints secret values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct GitAuth {
    pub username: Option<String>,
    pub password: Option<String>,
    pub bearer_token: Option<String>,
    pub identity: Option<String>,
    pub known_hosts: Option<String>,
}

impl std::fmt::Debug for GitAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitAuth")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("bearer_token", &self.bearer_token.as_ref().map(|_| "***"))
            .field("identity", &self.identity.as_ref().map(|_| "***"))
            .field("known_hosts", &self.known_hosts.is_some())
            .finish()
    }
}

fn text(data: &BTreeMap<String, Vec<u8>>, key: &str) -> Option<String> {
    data.get(key)
        .map(|b| String::from_utf8_lossy(b).to_string())
        .filter(|s| !s.is_empty())
}

impl GitAuth {
    pub fn from_secret_data(data: &BTreeMap<String, Vec<u8>>) -> GitAuth {
        GitAuth {
            username: text(data, "username"),
            password: text(data, "password"),
            bearer_token: text(data, "bearerToken"),
            identity: text(data, "identity"),
            known_hosts: text(data, "known_hosts"),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == GitAuth::default()
    }
}

/// Which transport a URL uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    Https,
    Ssh,
    Git,
    File,
}

/// Classify a GitRepository URL; `None` for unsupported schemes.
pub fn transport(url: &str) -> Option<Transport> {
    if url.starts_with("https://") {
        Some(Transport::Https)
    } else if url.starts_with("http://") {
        Some(Transport::Http)
    } else if url.starts_with("ssh://")
        || (url.contains('@') && url.contains(':') && !url.contains("://"))
    {
        Some(Transport::Ssh)
    } else if url.starts_with("git://") {
        Some(Transport::Git)
    } else if url.starts_with("file://") || url.starts_with('/') {
        Some(Transport::File)
    } else {
        None
    }
}

/// How known_hosts names a host: `host` on port 22, `[host]:port` otherwise.
pub fn known_hosts_name(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// `ssh-keygen -l` style fingerprint of a raw host key blob: `<type> SHA256:<base64>`.
pub fn fingerprint(key: &[u8]) -> String {
    use sha2::Digest;
    let ty = key
        .get(4..)
        .and_then(|rest| {
            let len = u32::from_be_bytes(key.get(..4)?.try_into().ok()?) as usize;
            std::str::from_utf8(rest.get(..len)?).ok()
        })
        .unwrap_or("key");
    let digest = sha2::Sha256::digest(key);
    format!(
        "{ty} SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
    )
}

/// HMAC-SHA1 (RFC 2104), the hash of OpenSSH's hashed known_hosts names.
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    use sha1::Digest;
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..20].copy_from_slice(&sha1::Sha1::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = sha1::Sha1::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = sha1::Sha1::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    let mut out = [0u8; 20];
    out.copy_from_slice(&outer.finalize());
    out
}

/// A hashed known_hosts name (`|1|<salt>|<hash>`, as `ssh-keygen -H` and
/// `HashKnownHosts yes` write them) stands for `name`.
fn hashed_name_matches(entry: &str, name: &str) -> bool {
    let b64 = &base64::engine::general_purpose::STANDARD;
    let Some((salt, hash)) = entry.strip_prefix("|1|").and_then(|r| r.split_once('|')) else {
        return false;
    };
    match (b64.decode(salt), b64.decode(hash)) {
        (Ok(salt), Ok(hash)) => hmac_sha1(&salt, name.as_bytes()).as_slice() == hash.as_slice(),
        _ => false,
    }
}

/// Does `known_hosts` hold `key` (raw host key blob) for `host` (and `port`)?
/// Plain and hashed (`|1|`) host names; wildcard patterns are not supported.
pub fn known_host_matches(known_hosts: &str, host: &str, port: u16, key: &[u8]) -> bool {
    let wanted = known_hosts_name(host, port);
    known_hosts.lines().any(|line| {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('@') {
            return false;
        }
        let mut parts = line.split_whitespace();
        let (Some(hosts), Some(_type), Some(b64)) = (parts.next(), parts.next(), parts.next())
        else {
            return false;
        };
        let host_ok = hosts
            .split(',')
            .any(|h| h == wanted || (port == 22 && h == host) || hashed_name_matches(h, &wanted));
        host_ok
            && base64::engine::general_purpose::STANDARD
                .decode(b64)
                .is_ok_and(|k| k == key)
    })
}

/// `host` and `port` of an ssh URL (`ssh://user@host:port/path` or `user@host:path`).
pub fn ssh_host_port(url: &str) -> Option<(String, u16)> {
    if let Some(rest) = url.strip_prefix("ssh://") {
        let authority = rest.split('/').next()?;
        let hostport = authority.rsplit('@').next()?;
        return Some(match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (hostport.to_string(), 22),
        });
    }
    let after_user = url.split_once('@')?.1;
    Some((after_user.split(':').next()?.to_string(), 22))
}

/// The user name of an ssh URL (default `git`).
pub fn ssh_user(url: &str) -> String {
    let rest = url.strip_prefix("ssh://").unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or("");
    match authority.split_once('@') {
        Some((user, _)) if !user.is_empty() => user.to_string(),
        _ => "git".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_and_debug_redaction() {
        let data = BTreeMap::from([
            ("username".to_string(), b"bob".to_vec()),
            ("password".to_string(), b"hunter2".to_vec()),
        ]);
        let a = GitAuth::from_secret_data(&data);
        assert_eq!(a.username.as_deref(), Some("bob"));
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(GitAuth::default().is_empty());
    }

    #[test]
    fn transports_and_ssh_addresses() {
        assert_eq!(transport("https://github.com/x/y"), Some(Transport::Https));
        assert_eq!(transport("ssh://git@host:2222/r.git"), Some(Transport::Ssh));
        assert_eq!(transport("git@github.com:x/y.git"), Some(Transport::Ssh));
        assert_eq!(transport("/srv/repo"), Some(Transport::File));
        assert_eq!(transport("ftp://x"), None);
        assert_eq!(
            ssh_host_port("ssh://git@host:2222/r.git"),
            Some(("host".into(), 2222))
        );
        assert_eq!(
            ssh_host_port("git@github.com:x/y.git"),
            Some(("github.com".into(), 22))
        );
        assert_eq!(ssh_user("ssh://deploy@host/r"), "deploy");
        assert_eq!(ssh_user("ssh://host/r"), "git");
    }

    #[test]
    fn known_hosts_match_by_host_port_and_key() {
        let key = b"\x00\x00\x00\x0bssh-ed25519keybytes";
        let b64 = base64::engine::general_purpose::STANDARD.encode(key);
        let kh = format!("# c\n[127.0.0.1]:2222 ssh-ed25519 {b64}\nother ssh-rsa AAAA\n");
        assert!(known_host_matches(&kh, "127.0.0.1", 2222, key));
        assert!(!known_host_matches(&kh, "127.0.0.1", 22, key));
        assert!(!known_host_matches(&kh, "127.0.0.1", 2222, b"different"));
    }

    #[test]
    fn hashed_names_as_ssh_keygen_writes_them() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222 ssh-ed25519 AAAA…".
        let entry = "|1|Ahw66QgthzIxWpxmJCkJqSH68vA=|2quPYlcTITpW31wPzeomlG/uysw=";
        assert!(hashed_name_matches(entry, "[127.0.0.1]:2222"));
        assert!(!hashed_name_matches(entry, "[127.0.0.1]:2223"));
        assert!(!hashed_name_matches("|1|bad|entry", "[127.0.0.1]:2222"));
    }
}

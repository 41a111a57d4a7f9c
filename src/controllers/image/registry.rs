//! Listing tags through the OCI distribution API (`GET /v2/<repo>/tags/list`): pagination by
//! `Link: <…>; rel="next"` (and `n`/`last`), the Bearer token flow of `WWW-Authenticate` and
//! Basic auth from a `kubernetes.io/dockerconfigjson` Secret. Plain HTTP for `insecure: true`
//! and for loopback registries, as go-containerregistry does.

use std::collections::BTreeMap;

use base64::Engine;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, LINK, WWW_AUTHENTICATE};
use serde_json::Value;

/// Docker Hub's canonical registry host.
const DOCKER_HUB: &str = "index.docker.io";
/// Tags asked for per page.
const PAGE_SIZE: usize = 1000;
/// A guard against a registry that links pages in a circle.
const MAX_PAGES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("invalid image '{image}' in spec.image: {reason}")]
    InvalidImage { image: String, reason: String },
    #[error(
        "authentication to {registry} failed (HTTP 401) listing tags of '{repo}': check the credentials in spec.secretRef"
    )]
    Unauthorized { registry: String, repo: String },
    #[error("registry {registry} answered HTTP {status} listing tags of '{repo}': {body}")]
    Status {
        registry: String,
        repo: String,
        status: u16,
        body: String,
    },
    #[error("cannot reach registry {registry}: {message}")]
    Transport { registry: String, message: String },
    #[error("registry {registry} sent an invalid tag list: {message}")]
    Decode { registry: String, message: String },
    #[error("invalid docker config in secret '{secret}' (key .dockerconfigjson): {message}")]
    DockerConfig { secret: String, message: String },
}

impl RegistryError {
    /// The Flux condition reason (image-reflector-controller).
    pub fn reason(&self) -> &'static str {
        match self {
            RegistryError::InvalidImage { .. } => "ImageURLInvalid",
            RegistryError::Unauthorized { .. } | RegistryError::DockerConfig { .. } => {
                "AuthenticationFailed"
            }
            _ => "ReadOperationFailed",
        }
    }
}

/// How to get a registry on a loopback address nothing listens on (the embedded demo's
/// registry runs inside `fluxdeck --embedded` / `fluxdeck server`; any other process has none).
pub fn loopback_hint(registry: &str) -> String {
    format!(
        "; nothing listens on {registry}: run `fluxdeck --embedded` or `fluxdeck server` (they serve the demo registry in process), or start one: `printf 'version: 0.1\\nstorage: {{filesystem: {{rootdirectory: /tmp/registry}}}}\\nhttp: {{addr: {registry}}}\\n' > /tmp/registry.yml && docker-registry serve /tmp/registry.yml` (apt-get install docker-registry) and push the repository's tags to it"
    )
}

/// An image name split into registry host and repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageName {
    pub registry: String,
    pub repository: String,
}

impl ImageName {
    /// Parse `host[:port]/path` (Docker Hub when the first part is not a host).
    pub fn parse(image: &str) -> Result<ImageName, RegistryError> {
        let invalid = |reason: &str| RegistryError::InvalidImage {
            image: image.to_string(),
            reason: reason.to_string(),
        };
        if image.is_empty() {
            return Err(invalid("the image name is empty"));
        }
        if image.contains('@') || image.rsplit('/').next().is_some_and(|l| l.contains(':')) {
            return Err(invalid("must not contain a tag or digest"));
        }
        let (first, rest) = match image.split_once('/') {
            Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => {
                (f.to_string(), r.to_string())
            }
            _ => (DOCKER_HUB.to_string(), image.to_string()),
        };
        let registry = if first == "docker.io" {
            DOCKER_HUB.to_string()
        } else {
            first
        };
        let repository = if registry == DOCKER_HUB && !rest.contains('/') {
            format!("library/{rest}")
        } else {
            rest
        };
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
        if repository.is_empty() || !repository.chars().all(valid) {
            return Err(invalid(
                "the repository path must be lowercase letters, digits and . _ - /",
            ));
        }
        Ok(ImageName {
            registry,
            repository,
        })
    }

    /// `canonicalImageName`: `index.docker.io/library/nginx`, `127.0.0.1:5000/team/app`.
    pub fn canonical(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    fn is_loopback(&self) -> bool {
        let host = self
            .registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, _)| h);
        matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1") || host.ends_with(".localhost")
    }

    /// `http` for insecure or loopback registries, `https` otherwise.
    pub fn base_url(&self, insecure: bool) -> String {
        let scheme = if insecure || self.is_loopback() {
            "http"
        } else {
            "https"
        };
        let host = if self.registry == DOCKER_HUB {
            "registry-1.docker.io"
        } else {
            &self.registry
        };
        format!("{scheme}://{host}")
    }
}

/// Username and password for one registry. Debug never prints the password.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// The credentials for `registry` in a `.dockerconfigjson` document (keys may carry a scheme
/// or a path, `auth` is base64 `user:pass`, or `username`/`password` are given).
pub fn credentials_from_docker_config(
    secret: &str,
    json: &[u8],
    registry: &str,
) -> Result<Option<Credentials>, RegistryError> {
    let bad = |message: String| RegistryError::DockerConfig {
        secret: secret.to_string(),
        message,
    };
    let doc: Value = serde_json::from_slice(json).map_err(|e| bad(e.to_string()))?;
    let Some(auths) = doc.get("auths").and_then(Value::as_object) else {
        return Err(bad("no 'auths' object".into()));
    };
    let host_of = |key: &str| {
        let k = key.split_once("://").map_or(key, |(_, r)| r);
        let k = k.split('/').next().unwrap_or(k).to_string();
        if k == "docker.io" || k == "registry-1.docker.io" {
            DOCKER_HUB.to_string()
        } else {
            k
        }
    };
    for (key, entry) in auths {
        if host_of(key) != registry {
            continue;
        }
        if let Some(auth) = entry
            .get("auth")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
        {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth)
                .map_err(|e| bad(format!("auth of '{key}' is not base64: {e}")))?;
            let text = String::from_utf8_lossy(&decoded).to_string();
            let (u, p) = text
                .split_once(':')
                .ok_or_else(|| bad(format!("auth of '{key}' is not 'user:password'")))?;
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
        let field = |f: &str| {
            entry
                .get(f)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        return Ok(Some(Credentials {
            username: field("username"),
            password: field("password"),
        }));
    }
    Ok(None)
}

/// A challenge from `WWW-Authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Challenge {
    Basic,
    Bearer(BTreeMap<String, String>),
}

fn parse_challenge(header: &str) -> Option<Challenge> {
    let (scheme, params) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if scheme.eq_ignore_ascii_case("basic") {
        return Some(Challenge::Basic);
    }
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut out = BTreeMap::new();
    let re = regex::Regex::new(r#"(\w+)="([^"]*)""#).ok()?;
    for c in re.captures_iter(params) {
        out.insert(c[1].to_ascii_lowercase(), c[2].to_string());
    }
    Some(Challenge::Bearer(out))
}

/// The `rel="next"` target of a Link header, resolved against the registry base URL.
pub fn next_link(headers: &HeaderMap, base: &str) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        if !params.contains("rel=\"next\"") && !params.contains("rel=next") {
            return None;
        }
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        Some(if target.starts_with("http") {
            target.to_string()
        } else {
            format!("{base}{target}")
        })
    })
}

/// Lists tags of one repository.
pub struct TagLister {
    http: reqwest::Client,
    name: ImageName,
    base: String,
    creds: Option<Credentials>,
    authorization: Option<String>,
}

impl TagLister {
    pub fn new(
        name: ImageName,
        insecure: bool,
        creds: Option<Credentials>,
        timeout: std::time::Duration,
    ) -> Result<TagLister, RegistryError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent("fluxdeck-image-reflector")
            .build()
            .map_err(|e| RegistryError::Transport {
                registry: name.registry.clone(),
                message: e.to_string(),
            })?;
        let base = name.base_url(insecure);
        Ok(TagLister {
            http,
            name,
            base,
            creds,
            authorization: None,
        })
    }

    fn transport(&self, e: reqwest::Error) -> RegistryError {
        let mut message = e.to_string();
        if e.is_connect() && self.name.is_loopback() {
            message.push_str(&loopback_hint(&self.name.registry));
        }
        RegistryError::Transport {
            registry: self.name.registry.clone(),
            message,
        }
    }

    fn unauthorized(&self) -> RegistryError {
        RegistryError::Unauthorized {
            registry: self.name.registry.clone(),
            repo: self.name.repository.clone(),
        }
    }

    fn basic(&self) -> Option<String> {
        let c = self.creds.as_ref()?;
        let raw = format!("{}:{}", c.username, c.password);
        Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
    }

    /// Answer a 401 challenge: Basic credentials, or a token from the Bearer realm.
    async fn authenticate(&mut self, challenge: Option<Challenge>) -> Result<(), RegistryError> {
        match challenge {
            Some(Challenge::Bearer(params)) => {
                let realm = params.get("realm").ok_or_else(|| self.unauthorized())?;
                let scope = params
                    .get("scope")
                    .cloned()
                    .unwrap_or_else(|| format!("repository:{}:pull", self.name.repository));
                let mut query = vec![("scope", scope.as_str())];
                if let Some(service) = params.get("service") {
                    query.push(("service", service.as_str()));
                }
                let url = reqwest::Url::parse_with_params(realm, &query).map_err(|e| {
                    RegistryError::Transport {
                        registry: self.name.registry.clone(),
                        message: format!("invalid token realm '{realm}': {e}"),
                    }
                })?;
                let mut req = self.http.get(url);
                if let Some(basic) = self.basic() {
                    req = req.header(AUTHORIZATION, basic);
                }
                let resp = req.send().await.map_err(|e| self.transport(e))?;
                if !resp.status().is_success() {
                    return Err(self.unauthorized());
                }
                let body: Value = resp.json().await.map_err(|e| self.transport(e))?;
                let token = body
                    .get("token")
                    .or_else(|| body.get("access_token"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.unauthorized())?;
                self.authorization = Some(format!("Bearer {token}"));
                Ok(())
            }
            _ => {
                self.authorization = Some(self.basic().ok_or_else(|| self.unauthorized())?);
                Ok(())
            }
        }
    }

    /// GET with the current authorization; one re-authentication on 401.
    async fn get(
        &mut self,
        url: &str,
        accept: Option<&str>,
    ) -> Result<reqwest::Response, RegistryError> {
        for attempt in 0..2 {
            let mut req = self.http.get(url);
            if let Some(a) = &self.authorization {
                req = req.header(AUTHORIZATION, a);
            }
            if let Some(a) = accept {
                req = req.header(reqwest::header::ACCEPT, a);
            }
            let resp = req.send().await.map_err(|e| self.transport(e))?;
            if resp.status() != StatusCode::UNAUTHORIZED {
                return Ok(resp);
            }
            if attempt == 1 || (self.creds.is_none() && self.authorization.is_some()) {
                break;
            }
            let challenge = resp
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|h| h.to_str().ok())
                .and_then(parse_challenge);
            self.authenticate(challenge).await?;
        }
        Err(self.unauthorized())
    }

    async fn check(&self, resp: reqwest::Response) -> Result<reqwest::Response, RegistryError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body: String = resp
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        Err(RegistryError::Status {
            registry: self.name.registry.clone(),
            repo: self.name.repository.clone(),
            status,
            body: body.trim().to_string(),
        })
    }

    /// Every tag, following pagination.
    pub async fn list_tags(&mut self) -> Result<Vec<String>, RegistryError> {
        let mut url = format!(
            "{}/v2/{}/tags/list?n={PAGE_SIZE}",
            self.base, self.name.repository
        );
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..MAX_PAGES {
            let resp = self.get(&url, None).await?;
            let resp = self.check(resp).await?;
            let next = next_link(resp.headers(), &self.base);
            let body: Value = resp.json().await.map_err(|e| RegistryError::Decode {
                registry: self.name.registry.clone(),
                message: e.to_string(),
            })?;
            let page: Vec<String> = body
                .get("tags")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            let page_len = page.len();
            let last = page.last().cloned();
            tags.extend(page);
            match next {
                Some(n) => url = n,
                // A registry that honours `n` but sends no Link: ask from the last tag on.
                None if page_len >= PAGE_SIZE => match last {
                    Some(l) => {
                        url = format!(
                            "{}/v2/{}/tags/list?n={PAGE_SIZE}&last={l}",
                            self.base, self.name.repository
                        )
                    }
                    None => break,
                },
                None => break,
            }
        }
        Ok(tags)
    }

    /// The manifest digest of a tag (`Docker-Content-Digest` of a manifest GET).
    pub async fn digest(&mut self, tag: &str) -> Result<Option<String>, RegistryError> {
        let url = format!("{}/v2/{}/manifests/{tag}", self.base, self.name.repository);
        let accept = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";
        let resp = self.get(&url, Some(accept)).await?;
        let resp = self.check(resp).await?;
        Ok(resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_canonicalised_like_go_containerregistry() {
        let n = ImageName::parse("nginx").unwrap();
        assert_eq!(n.canonical(), "index.docker.io/library/nginx");
        assert_eq!(
            ImageName::parse("docker.io/fluxcd/flux")
                .unwrap()
                .canonical(),
            "index.docker.io/fluxcd/flux"
        );
        let l = ImageName::parse("127.0.0.1:5000/team/app").unwrap();
        assert_eq!(l.base_url(false), "http://127.0.0.1:5000");
        assert_eq!(
            ImageName::parse("ghcr.io/a/b").unwrap().base_url(false),
            "https://ghcr.io"
        );
        assert!(ImageName::parse("ghcr.io/a/b:1.0").is_err());
        assert!(ImageName::parse("Upper/Case").is_err());
    }

    #[test]
    fn docker_config_credentials_match_the_registry_host() {
        let auth = base64::engine::general_purpose::STANDARD.encode("u:p");
        let doc = format!(
            r#"{{"auths":{{"https://127.0.0.1:5000/v2/":{{"auth":"{auth}"}},"ghcr.io":{{"username":"a","password":"b"}}}}}}"#
        );
        let c = credentials_from_docker_config("s", doc.as_bytes(), "127.0.0.1:5000")
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "p"));
        let g = credentials_from_docker_config("s", doc.as_bytes(), "ghcr.io")
            .unwrap()
            .unwrap();
        assert_eq!(g.username, "a");
        assert!(
            credentials_from_docker_config("s", doc.as_bytes(), "quay.io")
                .unwrap()
                .is_none()
        );
        assert!(credentials_from_docker_config("s", b"{}", "quay.io").is_err());
    }

    #[test]
    fn challenges_and_links_are_parsed() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.io/token",service="reg",scope="repository:a:pull""#,
        );
        let Some(Challenge::Bearer(p)) = c else {
            panic!("{c:?}")
        };
        assert_eq!(p["realm"], "https://auth.io/token");
        assert_eq!(
            parse_challenge(r#"Basic realm="x""#),
            Some(Challenge::Basic)
        );
        let mut h = HeaderMap::new();
        h.insert(
            LINK,
            r#"</v2/a/tags/list?n=2&last=b>; rel="next""#.parse().unwrap(),
        );
        assert_eq!(
            next_link(&h, "http://r"),
            Some("http://r/v2/a/tags/list?n=2&last=b".into())
        );
    }

    #[tokio::test]
    async fn a_loopback_registry_nobody_serves_gets_a_hint() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let name = ImageName::parse(&format!("127.0.0.1:{port}/demo/podinfo")).unwrap();
        let mut lister =
            TagLister::new(name, false, None, std::time::Duration::from_secs(2)).unwrap();
        let err = lister.list_tags().await.unwrap_err().to_string();
        assert!(
            err.contains(&format!("nothing listens on 127.0.0.1:{port}"))
                && err.contains("docker-registry serve /tmp/registry.yml"),
            "{err}"
        );
    }
}

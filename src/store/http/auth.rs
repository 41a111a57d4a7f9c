//! Bearer-token authentication for the HTTPS listener. Health probes stay open, as on a
//! real API server; everything else needs `Authorization: Bearer <token>`.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

use super::status::ApiError;

/// A shared secret; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    pub fn new(token: impl Into<String>) -> BearerToken {
        BearerToken(token.into())
    }

    /// 32 random bytes, hex encoded.
    pub fn generate() -> BearerToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        BearerToken(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time comparison of a presented `Authorization` header value.
    pub fn accepts(&self, header: Option<&str>) -> bool {
        let Some(presented) = header.and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        }) else {
            return false;
        };
        let (a, b) = (presented.trim().as_bytes(), self.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// What the auth layer checks: the kubeconfig's bearer token, or a service-account token
/// signed by this server (`kubectl create token`).
#[derive(Clone)]
pub struct AuthState {
    bearer: BearerToken,
    issued: super::token::TokenIssuer,
}

impl AuthState {
    pub fn new(bearer: BearerToken) -> AuthState {
        let issued = super::token::TokenIssuer::from_secret(bearer.as_str());
        AuthState { bearer, issued }
    }

    fn accepts(&self, header: Option<&str>) -> bool {
        if self.bearer.accepts(header) {
            return true;
        }
        let presented = header.and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        });
        presented.is_some_and(|t| {
            self.issued
                .accepts(t.trim(), jiff::Timestamp::now().as_second())
        })
    }
}

const OPEN_PATHS: [&str; 3] = ["/healthz", "/livez", "/readyz"];

pub async fn require_token(
    State(auth): State<AuthState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if OPEN_PATHS
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
    {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if auth.accepts(header) {
        next.run(request).await
    } else {
        ApiError::unauthorized().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_checks() {
        let t = BearerToken::generate();
        assert_eq!(t.as_str().len(), 64);
        assert!(t.accepts(Some(&format!("Bearer {}", t.as_str()))));
        assert!(!t.accepts(Some("Bearer nope")));
        assert!(!t.accepts(Some(t.as_str())));
        assert!(!t.accepts(None));
        assert_ne!(BearerToken::generate(), t);
        assert_eq!(format!("{t:?}"), "BearerToken(<redacted>)");
    }
}

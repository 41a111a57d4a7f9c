//! `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token` (TokenRequest, what
//! `kubectl create token` calls). The embedded server signs a JWT (HS256) with a key derived
//! from its bearer token; the auth layer accepts such a token until it expires, if its
//! audiences include the API server's own, as kube-apiserver does. The server has one fully
//! privileged user, so a service-account token grants what the kubeconfig token grants.

use axum::http::{Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::AppState;
use super::handlers::{Request, parse_body};
use super::route::ResourcePath;
use super::status::{ApiError, json_response};

/// The audience (and issuer) kube-apiserver uses by default.
pub const API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";
/// kube-apiserver's default and minimum token lifetimes.
const DEFAULT_SECONDS: i64 = 3600;
const MIN_SECONDS: i64 = 600;

/// Signs and checks service-account tokens.
#[derive(Clone)]
pub struct TokenIssuer {
    key: Vec<u8>,
}

impl TokenIssuer {
    /// The key is derived from the server's bearer secret, so tokens last as long as it does.
    pub fn from_secret(secret: &str) -> TokenIssuer {
        TokenIssuer {
            key: sign(secret.as_bytes(), b"fluxdeck service-account tokens"),
        }
    }

    pub fn issue(&self, claims: &Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = URL_SAFE_NO_PAD.encode(sign(&self.key, signing_input.as_bytes()));
        format!("{signing_input}.{signature}")
    }

    /// A token this issuer signed, unexpired at `now`, for the API server's audience.
    pub fn accepts(&self, token: &str, now: i64) -> bool {
        let Some((signing_input, signature)) = token.rsplit_once('.') else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return false;
        };
        mac.update(signing_input.as_bytes());
        if mac.verify_slice(&signature).is_err() {
            return false;
        }
        let claims = signing_input
            .split_once('.')
            .and_then(|(_, payload)| URL_SAFE_NO_PAD.decode(payload).ok())
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        let Some(claims) = claims else {
            return false;
        };
        let unexpired = claims["exp"].as_i64().is_some_and(|exp| now < exp);
        let for_api = claims["aud"]
            .as_array()
            .is_some_and(|aud| aud.iter().any(|a| a == API_AUDIENCE));
        unexpired && for_api
    }
}

fn sign(key: &[u8], data: &[u8]) -> Vec<u8> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length
        Err(_) => Vec::new(),
    }
}

/// Answers the `token` subresource of a ServiceAccount; None for every other path.
pub fn subresource(
    state: &AppState,
    path: &ResourcePath,
    request: &Request,
) -> Option<Result<Response, ApiError>> {
    let is_token = path.group.is_empty()
        && path.plural == "serviceaccounts"
        && path.subresource.as_deref() == Some("token");
    if !is_token {
        return None;
    }
    Some(token_request(state, path, request))
}

fn token_request(
    state: &AppState,
    path: &ResourcePath,
    request: &Request,
) -> Result<Response, ApiError> {
    if request.method != Method::POST {
        return Err(ApiError::method_not_allowed(
            "serviceaccounts/token only supports create",
        ));
    }
    let (Some(namespace), Some(name)) = (path.namespace.as_deref(), path.name.as_deref()) else {
        return Err(ApiError::not_found(
            "serviceaccounts/token needs /namespaces/{namespace}/serviceaccounts/{name}/token",
        ));
    };
    let body = parse_body(request)?;
    if body["kind"] != "TokenRequest" {
        return Err(ApiError::bad_request(format!(
            "the body of serviceaccounts/token must be an authentication.k8s.io/v1 TokenRequest, not {}",
            body["kind"]
        )));
    }
    let rt = state
        .resolve("", "v1", "serviceaccounts")
        .ok_or_else(|| ApiError::not_found("serviceaccounts are not served"))?;
    let account = state
        .store
        .get(&rt, Some(namespace), name)
        .map_err(|e| ApiError::from_store(&e, ""))?;
    let seconds = body
        .pointer("/spec/expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_SECONDS);
    if seconds < MIN_SECONDS {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "TokenRequest.authentication.k8s.io \"{name}\" is invalid: spec.expirationSeconds: Invalid value: {seconds}: may not specify a duration less than 10 minutes"
            ),
        ));
    }
    let audiences = match body.pointer("/spec/audiences") {
        Some(Value::Array(list)) if !list.is_empty() => Value::Array(list.clone()),
        _ => json!([API_AUDIENCE]),
    };
    let now = jiff::Timestamp::now().as_second();
    let expires = now + seconds;
    let uid = account
        .pointer("/metadata/uid")
        .cloned()
        .unwrap_or(json!(""));
    let claims = json!({
        "aud": audiences,
        "exp": expires,
        "iat": now,
        "nbf": now,
        "iss": API_AUDIENCE,
        "sub": format!("system:serviceaccount:{namespace}:{name}"),
        "kubernetes.io": {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}},
    });
    let token = state.tokens.issue(&claims);
    let rfc3339 = |second: i64| {
        jiff::Timestamp::from_second(second)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    let mut spec = body.get("spec").cloned().unwrap_or(json!({}));
    spec["audiences"] = audiences;
    spec["expirationSeconds"] = json!(seconds);
    if spec.get("boundObjectRef").is_none() {
        spec["boundObjectRef"] = Value::Null;
    }
    let answer = json!({
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": rfc3339(now)},
        "spec": spec,
        "status": {"token": token, "expirationTimestamp": rfc3339(expires)},
    });
    Ok(json_response(StatusCode::CREATED, &answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(aud: &str, exp: i64) -> Value {
        json!({"aud": [aud], "exp": exp, "sub": "system:serviceaccount:default:builder"})
    }

    #[test]
    fn issued_tokens_are_accepted_until_they_expire_and_only_for_the_api() {
        let issuer = TokenIssuer::from_secret("secret");
        let token = issuer.issue(&claims(API_AUDIENCE, 2_000));
        assert!(issuer.accepts(&token, 1_999));
        assert!(!issuer.accepts(&token, 2_000));
        assert!(!TokenIssuer::from_secret("other").accepts(&token, 1_000));
        let other_audience = issuer.issue(&claims("vault", 2_000));
        assert!(!issuer.accepts(&other_audience, 1_000));
        let (head, _) = token.rsplit_once('.').unwrap();
        assert!(!issuer.accepts(&format!("{head}.AAAA"), 1_000));
        assert!(!issuer.accepts("not-a-jwt", 1_000));
    }
}

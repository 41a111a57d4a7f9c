//! Endpoints that are not stored resources: discovery, OpenAPI, /version, health probes, and
//! the SelfSubjectAccessReview answer (everything is allowed on this single-user server).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::store::types::ResourceType;

use super::handlers::Request;
use super::route::{ApiPath, ResourcePath};
use super::status::{ApiError, json_response};
use super::{AppState, VERSION_GIT, discovery, negotiate, openapi};

const AUTHORIZATION_GROUP: &str = "authorization.k8s.io";

/// Served types plus the virtual ones answered here, without duplicates.
pub fn served_types(state: &AppState) -> Vec<ResourceType> {
    let mut types = state.store.resource_types();
    for extra in virtual_types() {
        if !types.iter().any(|t| {
            t.group == extra.group && t.version == extra.version && t.plural == extra.plural
        }) {
            types.push(extra);
        }
    }
    types
}

fn virtual_types() -> Vec<ResourceType> {
    vec![ResourceType {
        group: AUTHORIZATION_GROUP.into(),
        version: "v1".into(),
        kind: "SelfSubjectAccessReview".into(),
        plural: "selfsubjectaccessreviews".into(),
        singular: "selfsubjectaccessreview".into(),
        short_names: vec![],
        categories: vec![],
        namespaced: false,
        status_subresource: false,
        printer_columns: vec![],
        schema: None,
        storage_version: true,
        verbs: vec!["create".into()],
    }]
}

/// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews` (unless the store serves it).
pub fn virtual_resource(
    path: &ResourcePath,
    request: &Request,
) -> Option<Result<Response, ApiError>> {
    if path.group != AUTHORIZATION_GROUP
        || path.version != "v1"
        || path.plural != "selfsubjectaccessreviews"
    {
        return None;
    }
    if request.method != axum::http::Method::POST || path.name.is_some() || path.namespace.is_some()
    {
        return Some(Err(ApiError::method_not_allowed(
            "selfsubjectaccessreviews only supports create",
        )));
    }
    Some(self_subject_access_review(request))
}

fn self_subject_access_review(request: &Request) -> Result<Response, ApiError> {
    let mut review = super::handlers::parse_body(request)?;
    if review.get("spec").is_none() {
        return Err(ApiError::new(
            422,
            "Invalid",
            "SelfSubjectAccessReview is invalid: spec: Required value",
        ));
    }
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review["metadata"] = json!({"creationTimestamp": null});
    review["status"] = json!({"allowed": true, "reason": "the embedded fluxdeck store has a single, fully privileged user"});
    Ok(json_response(StatusCode::CREATED, &review))
}

/// `/api`, `/apis`, `/apis/{g}`, `/api/v1`, `/apis/{g}/{v}` (GET only).
pub fn discovery(state: &AppState, path: ApiPath, request: &Request) -> Result<Response, ApiError> {
    if request.method != axum::http::Method::GET && request.method != axum::http::Method::HEAD {
        return Err(ApiError::method_not_allowed(
            "discovery documents are read-only",
        ));
    }
    let types = served_types(state);
    let accept = request
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let aggregated = negotiate::aggregated_discovery(accept);
    match (path, aggregated) {
        (ApiPath::CoreRoot, Some(version)) => Ok(aggregated_response(
            discovery::aggregated(&types, true, version),
            version,
        )),
        (ApiPath::GroupsRoot, Some(version)) => Ok(aggregated_response(
            discovery::aggregated(&types, false, version),
            version,
        )),
        (ApiPath::CoreRoot, None) => Ok(json_response(StatusCode::OK, &discovery::api_versions())),
        (ApiPath::GroupsRoot, None) => Ok(json_response(
            StatusCode::OK,
            &discovery::group_list(&types),
        )),
        (ApiPath::Group(group), _) => discovery::group(&types, &group)
            .map(|doc| json_response(StatusCode::OK, &doc))
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "the server could not find the requested resource (group {group})"
                ))
            }),
        (ApiPath::GroupVersion { group, version }, _) => {
            discovery::resource_list(&types, &group, &version)
                .map(|doc| json_response(StatusCode::OK, &doc))
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "the server could not find the requested resource ({})",
                        openapi::gv_path(&group, &version)
                    ))
                })
        }
        (ApiPath::Resource(_), _) => Err(ApiError::not_found("not a discovery path")),
    }
}

fn aggregated_response(doc: Value, version: &str) -> Response {
    let mut response = json_response(StatusCode::OK, &doc);
    // kubectl only trusts aggregated discovery when the answer names exactly this type.
    let content_type =
        format!("application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList");
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

pub async fn openapi_root(State(state): State<AppState>) -> Response {
    json_response(
        StatusCode::OK,
        &openapi::root(&state.store.resource_types()),
    )
}

/// `/openapi/v3/api/v1`, `/openapi/v3/apis/{g}/{v}`.
pub async fn openapi_group_version(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Response {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version) = match segments.as_slice() {
        ["api", version] => ("", *version),
        ["apis", group, version] => (*group, *version),
        _ => {
            return ApiError::not_found(format!("no OpenAPI document at /openapi/v3/{path}"))
                .into_response();
        }
    };
    let types = state.store.resource_types();
    let matching: Vec<&ResourceType> = types
        .iter()
        .filter(|t| t.group == group && t.version == version)
        .collect();
    if matching.is_empty() {
        return ApiError::not_found(format!(
            "no OpenAPI document for {}",
            openapi::gv_path(group, version)
        ))
        .into_response();
    }
    json_response(StatusCode::OK, &openapi::group_version(&matching))
}

/// OpenAPI v2 is not served: kubectl ≥ 1.29 works from v3.
pub async fn openapi_v2() -> Response {
    ApiError::not_found("OpenAPI v2 is not served by the embedded store; use /openapi/v3")
        .into_response()
}

pub async fn version() -> Response {
    let minor = VERSION_GIT.split('.').nth(1).unwrap_or("0");
    json_response(
        StatusCode::OK,
        &json!({
            "major": "1",
            "minor": minor,
            "gitVersion": VERSION_GIT,
            "gitCommit": "fluxdeck-embedded",
            "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z",
            "goVersion": "n/a (fluxdeck embedded store)",
            "compiler": "rustc",
            "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
        }),
    )
}

pub async fn healthy() -> Response {
    let mut response = (StatusCode::OK, "ok").into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

//! REST handlers for resources: one dispatcher for every `/api/...` and `/apis/...` path,
//! mapping methods and paths onto Store operations and shaping answers (objects, lists,
//! Tables, PartialObjectMetadata, Status).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::store::types::{DeleteOutcome, PatchKind, ResourceType, Subresource};

use super::negotiate::{self, Representation};
use super::protobuf;
use super::query::Query;
use super::route::{self, ApiPath, ResourcePath};
use super::status::{ApiError, json_response, success_status};
use super::table::{IncludeObject, TableLayout, partial_metadata, partial_metadata_list};
use super::{AppState, meta_endpoints, watch};

/// A request resolved against the catalog.
pub struct Target {
    pub rt: ResourceType,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Subresource,
}

/// Everything a handler needs from the request.
pub struct Request {
    pub method: Method,
    pub query: Query,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn dispatch(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        query: Query::parse(uri.query()),
        headers,
        body,
    };
    let Some(path) = route::parse(uri.path()) else {
        return ApiError::not_found(format!(
            "the server could not find the requested resource (path {})",
            uri.path()
        ))
        .into_response();
    };
    let result = match path {
        ApiPath::Resource(resource) => resource_request(&state, resource, &request).await,
        discovery => meta_endpoints::discovery(&state, discovery, &request),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

fn resolve(state: &AppState, path: ResourcePath) -> Result<Target, ApiError> {
    let rt = state
        .resolve(&path.group, &path.version, &path.plural)
        .ok_or_else(|| {
            let gv = if path.group.is_empty() {
                path.version.clone()
            } else {
                format!("{}/{}", path.group, path.version)
            };
            ApiError::not_found(format!(
                "the server could not find the requested resource ({} in {gv})",
                path.plural
            ))
        })?;
    let subresource = match path.subresource.as_deref() {
        None => Subresource::Main,
        Some("status") if rt.status_subresource => Subresource::Status,
        // Namespace finalization goes through the main resource here: finalizers live in spec.
        Some("finalize") if rt.group.is_empty() && rt.plural == "namespaces" => Subresource::Main,
        Some(other) => {
            return Err(ApiError::not_found(format!(
                "the server could not find the requested resource ({}/{other})",
                rt.plural
            )));
        }
    };
    if path.namespace.is_some() && !rt.namespaced {
        return Err(ApiError::not_found(format!(
            "{} is cluster-scoped and cannot be addressed inside a namespace",
            rt.plural
        )));
    }
    if rt.namespaced && path.namespace.is_none() && path.name.is_some() {
        return Err(ApiError::not_found(format!(
            "{} is namespaced: use /namespaces/{{namespace}}/{}/{{name}}",
            rt.plural, rt.plural
        )));
    }
    Ok(Target {
        rt,
        namespace: path.namespace,
        name: path.name,
        subresource,
    })
}

async fn resource_request(
    state: &AppState,
    path: ResourcePath,
    request: &Request,
) -> Result<Response, ApiError> {
    if let Some(answer) = meta_endpoints::virtual_resource(&path, request) {
        return answer;
    }
    if let Some(answer) = super::token::subresource(state, &path, request) {
        return answer;
    }
    if let Some(answer) = super::scale::subresource(state, &path, request).await {
        return answer;
    }
    let target = resolve(state, path)?;
    let store_err = |e: crate::store::types::StoreError| ApiError::from_store(&e, &target.rt.group);
    let ns = target.namespace.as_deref();
    match (&request.method, target.name.as_deref()) {
        (&Method::GET, _) if request.query.flag("watch")? => watch_request(state, &target, request),
        (&Method::GET, None) => {
            let options = request.query.list_options()?;
            let listed = state
                .store
                .list(&target.rt, ns, &options)
                .map_err(store_err)?;
            let mut meta = json!({"resourceVersion": listed.resource_version});
            if let Some(token) = &listed.continue_token {
                meta["continue"] = json!(token);
            }
            if let Some(remaining) = listed.remaining_item_count {
                meta["remainingItemCount"] = json!(remaining);
            }
            render_list(&target.rt, listed.items, meta, request)
        }
        (&Method::GET, Some(name)) => {
            let object = state.store.get(&target.rt, ns, name).map_err(store_err)?;
            render_object(&target.rt, object, StatusCode::OK, request)
        }
        (&Method::POST, None) => {
            let object = parse_body(request)?;
            check_body(&target, &object)?;
            let options = request.query.write_options()?;
            let created = state
                .store
                .create(&target.rt, ns, object, &options)
                .await
                .map_err(store_err)?;
            render_object(&target.rt, created, StatusCode::CREATED, request)
        }
        (&Method::PUT, Some(name)) => {
            let object = parse_body(request)?;
            check_body(&target, &object)?;
            let options = request.query.write_options()?;
            let replaced = state
                .store
                .replace(&target.rt, ns, name, object, target.subresource, &options)
                .await
                .map_err(store_err)?;
            render_object(&target.rt, replaced, StatusCode::OK, request)
        }
        (&Method::PATCH, Some(name)) => patch_request(state, &target, name, request).await,
        (&Method::DELETE, Some(name)) => {
            let options = request.query.delete_options(&request.body)?;
            match state
                .store
                .delete(&target.rt, ns, name, &options)
                .await
                .map_err(store_err)?
            {
                DeleteOutcome::Deleted(object) => {
                    let uid = object.pointer("/metadata/uid").and_then(Value::as_str);
                    Ok(json_response(
                        StatusCode::OK,
                        &success_status(&target.rt.group, &target.rt.plural, name, uid),
                    ))
                }
                DeleteOutcome::Pending(object) => {
                    render_object(&target.rt, object, StatusCode::ACCEPTED, request)
                }
            }
        }
        (&Method::DELETE, None) => {
            let list_options = request.query.list_options()?;
            let options = request.query.delete_options(&request.body)?;
            let deleted = state
                .store
                .delete_collection(&target.rt, ns, &list_options, &options)
                .await
                .map_err(store_err)?;
            render_list(&target.rt, deleted, json!({}), request)
        }
        (method, name) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow method {method} on {} {}",
            target.rt.plural,
            if name.is_some() {
                "items"
            } else {
                "collections"
            }
        ))),
    }
}

async fn patch_request(
    state: &AppState,
    target: &Target,
    name: &str,
    request: &Request,
) -> Result<Response, ApiError> {
    let kind = negotiate::patch_kind(
        request.header(header::CONTENT_TYPE),
        request.query.flag("force")?,
    )?;
    let body: Value = match kind {
        // Server-side apply bodies are YAML (JSON is YAML too).
        PatchKind::Apply { .. } => parse_yaml(&request.body)?,
        _ => serde_json::from_slice(&request.body)
            .map_err(|e| ApiError::bad_request(format!("the patch body is not valid JSON: {e}")))?,
    };
    let mut options = request.query.write_options()?;
    if matches!(kind, PatchKind::Apply { .. }) && options.field_manager.is_none() {
        return Err(ApiError::bad_request(
            "PATCH with application/apply-patch+yaml requires the fieldManager query parameter",
        ));
    }
    let ns = target.namespace.as_deref();
    let existed =
        !matches!(kind, PatchKind::Apply { .. }) || state.store.get(&target.rt, ns, name).is_ok();
    if options.field_manager.is_none() {
        options.field_manager = request
            .header(header::USER_AGENT)
            .map(|ua| ua.split('/').next().unwrap_or(ua).to_string());
    }
    let patched = state
        .store
        .patch(
            &target.rt,
            ns,
            name,
            kind,
            &body,
            target.subresource,
            &options,
        )
        .await
        .map_err(|e| ApiError::from_store(&e, &target.rt.group))?;
    let code = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    render_object(&target.rt, patched, code, request)
}

fn watch_request(
    state: &AppState,
    target: &Target,
    request: &Request,
) -> Result<Response, ApiError> {
    let mut options = request.query.watch_options()?;
    // A watch on an item path (the deprecated form) is a collection watch selecting that name.
    if let Some(name) = &target.name {
        let by_name = format!("metadata.name={name}");
        options.field_selector = Some(match options.field_selector.take() {
            Some(existing) => format!("{existing},{by_name}"),
            None => by_name,
        });
    }
    let timeout = request
        .query
        .number::<u64>("timeoutSeconds")?
        .map(Duration::from_secs);
    let include =
        IncludeObject::parse(request.query.get("includeObject")).map_err(ApiError::bad_request)?;
    let renderer = watch::EventRenderer::new(
        &target.rt,
        negotiate::representation(request.header(header::ACCEPT)),
        include,
    );
    match state
        .store
        .watch(&target.rt, target.namespace.as_deref(), &options)
    {
        Ok(events) => Ok(watch::response(
            events,
            renderer,
            target.rt.group.clone(),
            timeout,
        )),
        Err(err @ crate::store::types::StoreError::Gone { .. }) => {
            Ok(watch::expired(&err, &target.rt.group))
        }
        Err(err) => Err(ApiError::from_store(&err, &target.rt.group)),
    }
}

pub fn parse_body(request: &Request) -> Result<Value, ApiError> {
    let content_type = request
        .header(header::CONTENT_TYPE)
        .unwrap_or("application/json");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    let value = match essence {
        "application/yaml" | "application/x-yaml" | "text/yaml" => parse_yaml(&request.body)?,
        "application/json" | "" | "*/*" => serde_json::from_slice(&request.body).map_err(|e| {
            ApiError::bad_request(format!("the request body is not valid JSON: {e}"))
        })?,
        "application/vnd.kubernetes.protobuf" => protobuf::decode(&request.body).map_err(|e| {
            if e.is_unsupported() {
                ApiError::new(415, "UnsupportedMediaType", e.to_string())
            } else {
                ApiError::bad_request(e.to_string())
            }
        })?,
        other => return Err(ApiError::unsupported_media_type(other)),
    };
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

fn parse_yaml(body: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8"))?;
    crate::engine::yaml::parse_one::<Value>(text).map_err(|e| {
        ApiError::bad_request(format!("the request body is not valid YAML or JSON: {e}"))
    })
}

/// The checks kube-apiserver makes before handing a body to storage.
fn check_body(target: &Target, object: &Value) -> Result<(), ApiError> {
    let text = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let rt = &target.rt;
    if let Some(kind) = text("/kind")
        && kind != rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the body is a {kind}, but the request path addresses {} (kind {})",
            rt.plural, rt.kind
        )));
    }
    if let Some(api_version) = text("/apiVersion")
        && api_version != rt.api_version()
    {
        return Err(ApiError::bad_request(format!(
            "the body has apiVersion {api_version}, but the request path addresses {}",
            rt.api_version()
        )));
    }
    if let (Some(path_ns), Some(body_ns)) =
        (target.namespace.as_deref(), text("/metadata/namespace"))
        && path_ns != body_ns
    {
        return Err(ApiError::bad_request(format!(
            "the namespace of the provided object ({body_ns}) does not match the namespace sent on the request ({path_ns})"
        )));
    }
    if let (Some(path_name), Some(body_name)) = (target.name.as_deref(), text("/metadata/name"))
        && path_name != body_name
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({path_name})"
        )));
    }
    Ok(())
}

fn include_object(request: &Request) -> Result<IncludeObject, ApiError> {
    IncludeObject::parse(request.query.get("includeObject")).map_err(ApiError::bad_request)
}

fn render_object(
    rt: &ResourceType,
    object: Value,
    code: StatusCode,
    request: &Request,
) -> Result<Response, ApiError> {
    let body = match negotiate::representation(request.header(header::ACCEPT)) {
        Representation::Object => object,
        Representation::Metadata => partial_metadata(&object),
        Representation::Table(version) => {
            let meta = json!({"resourceVersion": object.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)});
            TableLayout::for_type(rt).table(
                version,
                std::slice::from_ref(&object),
                meta,
                include_object(request)?,
                true,
            )
        }
    };
    Ok(json_response(code, &body))
}

fn render_list(
    rt: &ResourceType,
    items: Vec<Value>,
    meta: Value,
    request: &Request,
) -> Result<Response, ApiError> {
    let body = match negotiate::representation(request.header(header::ACCEPT)) {
        Representation::Object => {
            json!({"kind": format!("{}List", rt.kind), "apiVersion": rt.api_version(), "metadata": meta, "items": items})
        }
        Representation::Metadata => partial_metadata_list(&items, meta),
        Representation::Table(version) => {
            TableLayout::for_type(rt).table(version, &items, meta, include_object(request)?, true)
        }
    };
    Ok(json_response(StatusCode::OK, &body))
}

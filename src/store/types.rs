//! The contract between the embedded store's core (objects, versions, watch, persistence)
//! and its transports (the HTTP router used in-process by kube::Client and over HTTPS).
//! Everything here is plain data; the store core implements the operations on `Store`.

use std::sync::Arc;

use serde_json::Value;

/// One served resource (a group/version/kind with its REST names), built-in or from a CRD.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub group: String, // "" for core
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub namespaced: bool,
    /// Serves `/status` as a separate subresource (spec writes ignore status and the reverse).
    pub status_subresource: bool,
    /// Columns for `meta.k8s.io/v1 Table` answers (CRD additionalPrinterColumns or built-in).
    pub printer_columns: Vec<PrinterColumn>,
    /// The version's openAPIV3Schema for CRDs (None for built-ins: no structural validation).
    /// Shared: every request resolves its type, and a CRD schema is tens of kilobytes.
    pub schema: Option<Arc<Value>>,
    /// The storage version is the one objects are kept in; others are converted (None strategy).
    pub storage_version: bool,
    /// Verbs advertised in discovery.
    pub verbs: Vec<String>,
}

impl ResourceType {
    /// "apps/v1" or "v1" for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
    /// The key objects are stored under: group + plural (all versions of a resource share it).
    pub fn group_resource(&self) -> GroupResource {
        GroupResource {
            group: self.group.clone(),
            resource: self.plural.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    /// JSON type: string, integer, number, boolean, date.
    pub type_: String,
    pub format: Option<String>,
    pub description: String,
    /// A simple JSONPath such as `.status.conditions[?(@.type=="Ready")].status`.
    pub json_path: String,
    pub priority: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    pub group: String,
    pub resource: String,
}

/// Which part of an object a write addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Subresource {
    #[default]
    Main,
    Status,
}

#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub limit: Option<usize>,
    pub continue_token: Option<String>,
    pub resource_version: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ListResult {
    pub items: Vec<Value>,
    pub resource_version: String,
    pub continue_token: Option<String>,
    pub remaining_item_count: Option<u64>,
}

#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    pub dry_run: bool,
    pub field_manager: Option<String>,
    /// Strict | Warn | Ignore (kubectl sends Strict by default).
    pub field_validation: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatchKind {
    /// application/merge-patch+json
    Merge,
    /// application/json-patch+json (RFC 6902)
    Json,
    /// application/strategic-merge-patch+json
    Strategic,
    /// application/apply-patch+yaml (server-side apply)
    Apply { force: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Propagation {
    Orphan,
    #[default]
    Background,
    Foreground,
}

#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub propagation: Option<Propagation>,
    pub precondition_uid: Option<String>,
    pub precondition_resource_version: Option<String>,
    pub dry_run: bool,
    pub grace_period_seconds: Option<i64>,
}

/// What a delete did: the object is gone, or it waits on finalizers (deletionTimestamp set).
#[derive(Debug, Clone)]
pub enum DeleteOutcome {
    Deleted(Value),
    Pending(Value),
}

#[derive(Debug, Clone, Default)]
pub struct WatchOptions {
    pub resource_version: Option<String>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub allow_bookmarks: bool,
    pub send_initial_events: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
    Bookmark,
}

impl WatchEventType {
    pub fn as_str(&self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
            WatchEventType::Bookmark => "BOOKMARK",
        }
    }
}

#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub type_: WatchEventType,
    pub object: Value,
}

/// One field error inside an Invalid (422) answer.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldCause {
    /// e.g. "FieldValueRequired", "FieldValueInvalid", "FieldValueNotSupported", "FieldValueTypeInvalid"
    pub reason: String,
    pub message: String,
    /// JSON path such as "spec.interval"
    pub field: String,
}

/// Errors map one-to-one onto Kubernetes `Status` answers (code, reason).
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("{resource} \"{name}\" not found")]
    NotFound { resource: String, name: String },
    #[error("{resource} \"{name}\" already exists")]
    AlreadyExists { resource: String, name: String },
    #[error("Operation cannot be fulfilled on {resource} \"{name}\": {message}")]
    Conflict {
        resource: String,
        name: String,
        message: String,
    },
    #[error("{kind} \"{name}\" is invalid: {message}")]
    Invalid {
        kind: String,
        name: String,
        message: String,
        causes: Vec<FieldCause>,
    },
    #[error("too old resource version: {requested} ({oldest})")]
    Gone { requested: String, oldest: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("the server could not find the requested resource ({0})")]
    UnknownResource(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409 from server-side apply: the message names each conflicting field and its manager;
    /// causes carry reason FieldManagerConflict, message "conflict with \"m\"", field ".spec.x".
    #[error("{message}")]
    ApplyConflict {
        message: String,
        causes: Vec<FieldCause>,
    },
    /// 403, e.g. creating content in a terminating namespace.
    #[error("{0}")]
    Forbidden(String),
    #[error("unsupported media type {0}")]
    UnsupportedMediaType(String),
    #[error("storage failure: {0}")]
    Internal(String),
}

impl StoreError {
    /// HTTP status code of the Kubernetes `Status` answer.
    pub fn code(&self) -> u16 {
        match self {
            StoreError::NotFound { .. } | StoreError::UnknownResource(_) => 404,
            StoreError::AlreadyExists { .. }
            | StoreError::Conflict { .. }
            | StoreError::ApplyConflict { .. } => 409,
            StoreError::Invalid { .. } => 422,
            StoreError::Gone { .. } => 410,
            StoreError::BadRequest(_) => 400,
            StoreError::MethodNotAllowed(_) => 405,
            StoreError::Forbidden(_) => 403,
            StoreError::UnsupportedMediaType(_) => 415,
            StoreError::Internal(_) => 500,
        }
    }
    /// `Status.reason` as kube-apiserver writes it.
    pub fn reason(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } | StoreError::UnknownResource(_) => "NotFound",
            StoreError::AlreadyExists { .. } => "AlreadyExists",
            StoreError::Conflict { .. } | StoreError::ApplyConflict { .. } => "Conflict",
            StoreError::Invalid { .. } => "Invalid",
            StoreError::Gone { .. } => "Expired",
            StoreError::BadRequest(_) => "BadRequest",
            StoreError::MethodNotAllowed(_) => "MethodNotAllowed",
            StoreError::Forbidden(_) => "Forbidden",
            StoreError::UnsupportedMediaType(_) => "UnsupportedMediaType",
            StoreError::Internal(_) => "InternalError",
        }
    }
}

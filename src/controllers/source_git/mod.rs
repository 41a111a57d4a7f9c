//! GitRepository (`source.toolkit.fluxcd.io/v1`): fetch the ref into a per-object mirror,
//! pack the commit (ignore rules applied) as a tar.gz artifact with a sha256 digest, and
//! report it in `status.artifact`. A failing remote keeps the last artifact (and says why).
//!
//! Steps in order: url → ref → credentials → fetch (git2, blocking pool) → up-to-date check →
//! archive → store → conditions. Each failure is a typed error with its Flux reason.

pub mod auth;
pub mod git;
pub mod ignore;
pub mod refs;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource};
use serde_json::Value;

use crate::controllers::artifact::Storage;
use crate::controllers::runtime::{
    Attempt, CondStatus, EventType, Failure, FluxReason, KindInfo, Outcome, Reconciler, schedule,
};
use auth::GitAuth;
use git::{FetchRequest, GitError};

pub const GROUP: &str = "source.toolkit.fluxcd.io";
/// Default `spec.timeout` of Git operations.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn resource() -> ApiResource {
    ApiResource {
        group: GROUP.into(),
        version: "v1".into(),
        api_version: format!("{GROUP}/v1"),
        kind: "GitRepository".into(),
        plural: "gitrepositories".into(),
    }
}

#[derive(Debug, thiserror::Error)]
enum SourceError {
    #[error("spec.url is required")]
    MissingUrl,
    #[error("failed to get secret '{namespace}/{name}' (spec.secretRef): {message}")]
    Secret {
        namespace: String,
        name: String,
        message: String,
    },
    #[error("the Git worker stopped unexpectedly: {0}")]
    Worker(String),
}

impl FluxReason for SourceError {
    fn reason(&self) -> &'static str {
        match self {
            SourceError::MissingUrl => "URLInvalid",
            SourceError::Secret { .. } => "AuthenticationFailed",
            SourceError::Worker(_) => "GitOperationFailed",
        }
    }
}

/// The GitRepository reconciler.
pub struct GitRepositories {
    info: KindInfo,
    storage: Storage,
    mirrors: PathBuf,
}

impl GitRepositories {
    /// `mirrors`: directory for the per-object bare repositories.
    pub fn new(storage: Storage, mirrors: PathBuf) -> GitRepositories {
        GitRepositories {
            info: KindInfo {
                resource: resource(),
                controller: "source-controller",
                status_manager: "source-controller",
                finalizer: true,
            },
            storage,
            mirrors,
        }
    }

    fn mirror_dir(&self, ns: &str, name: &str) -> PathBuf {
        self.mirrors.join(ns).join(format!("{name}.git"))
    }

    async fn credentials(&self, at: &Attempt) -> Result<GitAuth, SourceError> {
        let Some(secret_name) = at.spec().pointer("/secretRef/name").and_then(Value::as_str) else {
            return Ok(GitAuth::default());
        };
        let api: Api<Secret> = Api::namespaced(at.client.clone(), at.namespace());
        let secret = api
            .get(secret_name)
            .await
            .map_err(|e| SourceError::Secret {
                namespace: at.namespace().to_string(),
                name: secret_name.to_string(),
                message: e.to_string(),
            })?;
        // stringData only survives on stores that do not normalise it into data.
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .string_data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.into_bytes()))
            .collect();
        data.extend(
            secret
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0)),
        );
        Ok(GitAuth::from_secret_data(&data))
    }

    fn revision_metadata(revision: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(format!("{GROUP}/revision"), revision.to_string())])
    }

    async fn run(&self, at: &mut Attempt) -> Result<Outcome, Failure> {
        let url = at
            .spec()
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or(SourceError::MissingUrl)
            .map_err(|e| Failure::from(e))?
            .to_string();
        if auth::transport(&url).is_none() {
            return Ok(Outcome::Stalled(GitError::UrlInvalid(url).into()));
        }
        let git_ref = match refs::parse(at.spec()) {
            Ok(r) => r,
            Err(e) => return Ok(Outcome::Stalled(GitError::Ref(e).into())),
        };
        let timeout = schedule::spec_duration(&at.object, "timeout", DEFAULT_TIMEOUT)
            .unwrap_or(DEFAULT_TIMEOUT);
        let auth = self.credentials(at).await?;
        let ignore = at
            .spec()
            .get("ignore")
            .and_then(Value::as_str)
            .map(str::to_string);
        let previous = at.status.get("artifact").cloned();
        let observed_ignore = at
            .status
            .get("observedIgnore")
            .and_then(Value::as_str)
            .map(str::to_string);
        let request = FetchRequest {
            url: url.clone(),
            git_ref,
            auth,
            mirror_dir: self.mirror_dir(at.namespace(), at.name()),
            deadline: Instant::now() + timeout,
        };
        let storage_ok = previous.as_ref().is_some_and(|a| self.storage.verify(a));
        let fetch_started = Instant::now();
        let worker = tokio::task::spawn_blocking(move || {
            let (repo, fetched) = git::fetch(&request)?;
            let unchanged = previous
                .as_ref()
                .and_then(|a| a.get("revision"))
                .and_then(Value::as_str)
                == Some(fetched.revision.as_str())
                && observed_ignore == ignore
                && storage_ok;
            let archive = if unchanged {
                None
            } else {
                Some(git::archive(&repo, &fetched.commit, ignore.as_deref())?)
            };
            Ok::<_, GitError>((fetched, archive))
        });
        let result = worker
            .await
            .map_err(|e| Failure::from(SourceError::Worker(e.to_string())))?;
        at.phase("fetch", fetch_started);
        let (fetched, archive) = match result {
            Ok(v) => v,
            Err(e) => {
                let failure = Failure::from(e);
                at.condition(
                    "FetchFailed",
                    CondStatus::True,
                    &failure.reason,
                    &failure.message,
                );
                // The last artifact stays in status and in storage: consumers keep working.
                return Err(failure);
            }
        };
        at.delete_condition("FetchFailed");
        let metadata = Self::revision_metadata(&fetched.revision);
        at.event_metadata = metadata.clone();
        match archive {
            Some(bytes) => {
                let store_started = Instant::now();
                let artifact = self
                    .storage
                    .store(
                        "GitRepository",
                        at.namespace(),
                        at.name(),
                        &format!("{}.tar.gz", fetched.commit),
                        &fetched.revision,
                        &bytes,
                    )
                    .map_err(Failure::from)?;
                at.phase("store", store_started);
                at.set_status("artifact", Some(artifact));
                at.event(
                    EventType::Normal,
                    "NewArtifact",
                    format!("stored artifact for commit '{}'", fetched.subject),
                    metadata,
                );
            }
            None => at.event(
                EventType::Normal,
                "ArtifactUpToDate",
                format!(
                    "artifact up-to-date with remote revision: '{}'",
                    fetched.revision
                ),
                metadata,
            ),
        }
        let ignore = at.spec().get("ignore").cloned();
        at.set_status("observedIgnore", ignore.filter(Value::is_string));
        let message = format!("stored artifact for revision '{}'", fetched.revision);
        at.condition("ArtifactInStorage", CondStatus::True, "Succeeded", &message);
        at.delete_condition("ArtifactOutdated");
        Ok(Outcome::ready("Succeeded", message))
    }
}

impl Reconciler for GitRepositories {
    fn info(&self) -> &KindInfo {
        &self.info
    }

    fn timeout(&self, obj: &Value) -> Option<Duration> {
        // Git operations stop at spec.timeout; archiving and storing get a margin on top.
        let t = schedule::spec_duration(obj, "timeout", DEFAULT_TIMEOUT).unwrap_or(DEFAULT_TIMEOUT);
        Some(t + Duration::from_secs(30))
    }

    fn reconcile<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Outcome> + Send + 'a {
        async move { self.run(at).await.into() }
    }

    fn finalize<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Result<(), Failure>> + Send + 'a {
        async move {
            self.storage
                .remove_all("GitRepository", at.namespace(), at.name());
            let _ = std::fs::remove_dir_all(self.mirror_dir(at.namespace(), at.name()));
            Ok(())
        }
    }
}

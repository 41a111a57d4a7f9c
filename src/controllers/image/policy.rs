//! ImagePolicy (SPEC §8.2): select the latest tag of the referenced ImageRepository's scanned
//! tags with `engine::image_policy`, report `latestRef` (+ `observedPreviousRef`) and record an
//! event when the selection changes.

use std::time::Duration;

use kube::api::{Api, DynamicObject};
use serde_json::{Value, json};

use super::registry::{ImageName, TagLister};
use super::repository::resource;
use super::tags::TagDb;
use crate::controllers::runtime::{Attempt, EventType, Failure, KindInfo, Outcome, Reconciler};
use crate::engine::image_policy::{self, NO_MATCH_MESSAGE, PolicySpec};

/// `--requeue-dependency` default of image-reflector-controller.
const REQUEUE_DEPENDENCY: Duration = Duration::from_secs(5);

pub struct ImagePolicies {
    info: KindInfo,
    db: TagDb,
}

impl ImagePolicies {
    pub fn new(db: TagDb) -> ImagePolicies {
        ImagePolicies {
            info: KindInfo {
                resource: resource("ImagePolicy", "imagepolicies"),
                controller: "image-reflector-controller",
                status_manager: "image-reflector-controller",
                finalizer: false,
            },
            db,
        }
    }
}

/// `name:tag[@digest]` of a latestRef value.
pub fn ref_string(r: &Value) -> String {
    let mut s = format!(
        "{}:{}",
        r.get("name").and_then(Value::as_str).unwrap_or(""),
        r.get("tag").and_then(Value::as_str).unwrap_or("")
    );
    if let Some(d) = r
        .get("digest")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    {
        s.push('@');
        s.push_str(d);
    }
    s
}

fn is_ready(obj: &Value) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

impl ImagePolicies {
    async fn run(&self, at: &mut Attempt) -> Result<Outcome, Failure> {
        let repo_name = at
            .spec()
            .pointer("/imageRepositoryRef/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let repo_ns = at
            .spec()
            .pointer("/imageRepositoryRef/namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(at.namespace())
            .to_string();
        if repo_name.is_empty() {
            return Ok(Outcome::Stalled(Failure::new(
                "InvalidPolicy",
                "spec.imageRepositoryRef.name is required",
            )));
        }
        let spec = match PolicySpec::from_spec(at.spec()) {
            Ok(s) => s,
            Err(e) => {
                return Ok(Outcome::Stalled(Failure::new(
                    "InvalidPolicy",
                    e.to_string(),
                )));
            }
        };
        let digest_policy = at
            .spec()
            .get("digestReflectionPolicy")
            .and_then(Value::as_str)
            .unwrap_or("Never")
            .to_string();
        if digest_policy == "Always" && at.spec().get("interval").is_none() {
            return Ok(Outcome::Stalled(Failure::new(
                "IntervalNotConfigured",
                "spec.interval must be set when spec.digestReflectionPolicy is 'Always'",
            )));
        }
        let ar = resource("ImageRepository", "imagerepositories");
        let api: Api<DynamicObject> = Api::namespaced_with(at.client.clone(), &repo_ns, &ar);
        let repo = match api.get_opt(&repo_name).await {
            Ok(Some(r)) => serde_json::to_value(r).unwrap_or(Value::Null),
            Ok(None) => {
                return Ok(Outcome::waiting(
                    REQUEUE_DEPENDENCY,
                    "DependencyNotReady",
                    format!("referenced ImageRepository '{repo_ns}/{repo_name}' does not exist"),
                ));
            }
            Err(e) => {
                return Err(Failure::new(
                    "ReconciliationFailed",
                    format!("cannot read ImageRepository '{repo_ns}/{repo_name}': {e}"),
                ));
            }
        };
        if repo_ns != at.namespace() && repo.pointer("/spec/accessFrom").is_none() {
            return Ok(Outcome::Stalled(Failure::new(
                "AccessDenied",
                format!(
                    "cannot access ImageRepository '{repo_ns}/{repo_name}': it has no spec.accessFrom allowing namespace '{}'",
                    at.namespace()
                ),
            )));
        }
        let tags = self.db.get(&repo_ns, &repo_name);
        if tags.is_empty() || !is_ready(&repo) {
            let why = if is_ready(&repo) {
                "has no scanned tags yet"
            } else {
                "is not ready"
            };
            return Ok(Outcome::waiting(
                REQUEUE_DEPENDENCY,
                "DependencyNotReady",
                format!("ImageRepository '{repo_ns}/{repo_name}' {why}"),
            ));
        }
        let tag = match image_policy::select(&spec, &tags) {
            Ok(Some(t)) => t,
            Ok(None) => return Err(Failure::new("ReconciliationFailed", NO_MATCH_MESSAGE)),
            Err(e) => return Err(Failure::new("ReconciliationFailed", e.to_string())),
        };
        let image = repo
            .pointer("/spec/image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let old = at.status.get("latestRef").cloned().filter(Value::is_object);
        let same_image = old
            .as_ref()
            .is_some_and(|o| o["name"] == image.as_str() && o["tag"] == tag.as_str());
        let mut latest = json!({"name": image, "tag": tag});
        let old_digest = old
            .as_ref()
            .and_then(|o| o.get("digest"))
            .and_then(Value::as_str)
            .filter(|d| !d.is_empty());
        let digest = match (digest_policy.as_str(), old_digest) {
            ("IfNotPresent", Some(d)) if same_image => Some(d.to_string()),
            ("IfNotPresent", _) | ("Always", _) => self.digest(at, &repo, &image, &tag).await?,
            _ => None,
        };
        if let Some(d) = &digest {
            latest["digest"] = json!(d);
        }
        let changed = old.as_ref() != Some(&latest);
        let mut message = format!("Latest image tag for {image} resolved to {tag}");
        if let Some(d) = &digest {
            message.push_str(&format!(" with digest {d}"));
        }
        if changed {
            if let Some(o) = &old {
                at.set_status("observedPreviousRef", Some(o.clone()));
                at.set_status("observedPreviousImage", Some(json!(ref_string(o))));
                message.push_str(&format!(" (previously {})", ref_string(o)));
            }
            at.set_status("latestRef", Some(latest.clone()));
            at.set_status("latestImage", Some(json!(ref_string(&latest))));
            at.event(
                EventType::Normal,
                "Succeeded",
                message.clone(),
                Default::default(),
            );
        }
        Ok(Outcome::ready("Succeeded", message))
    }

    async fn digest(
        &self,
        at: &Attempt,
        repo: &Value,
        image: &str,
        tag: &str,
    ) -> Result<Option<String>, Failure> {
        let name = ImageName::parse(image)?;
        let insecure = repo
            .pointer("/spec/insecure")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let creds = match repo.pointer("/spec/secretRef/name").and_then(Value::as_str) {
            None => None,
            Some(secret) => {
                let ns = repo
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(at.namespace());
                let api: Api<k8s_openapi::api::core::v1::Secret> =
                    Api::namespaced(at.client.clone(), ns);
                let s = api.get(secret).await.map_err(|e| {
                    Failure::new(
                        "AuthenticationFailed",
                        format!("failed to get secret '{ns}/{secret}': {e}"),
                    )
                })?;
                match s.data.unwrap_or_default().get(".dockerconfigjson") {
                    Some(c) => super::registry::credentials_from_docker_config(
                        secret,
                        &c.0,
                        &name.registry,
                    )?,
                    None => None,
                }
            }
        };
        let mut lister = TagLister::new(name, insecure, creds, Duration::from_secs(30))?;
        Ok(lister.digest(tag).await?)
    }
}

impl Reconciler for ImagePolicies {
    fn info(&self) -> &KindInfo {
        &self.info
    }

    /// Only `digestReflectionPolicy: Always` requeues periodically; the repository watch
    /// triggers every other reconcile.
    fn interval(&self, obj: &Value) -> Duration {
        crate::controllers::runtime::schedule::spec_duration(
            obj,
            "interval",
            Duration::from_secs(600),
        )
        .unwrap_or(Duration::from_secs(600))
    }

    fn reconcile<'a>(
        &'a self,
        at: &'a mut Attempt,
    ) -> impl std::future::Future<Output = Outcome> + Send + 'a {
        async move { self.run(at).await.into() }
    }
}

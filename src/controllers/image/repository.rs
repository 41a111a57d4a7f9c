//! ImageRepository (`image.toolkit.fluxcd.io/v1`, image-reflector-controller, SPEC §8.1):
//! decide whether a scan is due, list the registry's tags, drop the excluded ones, store them
//! in the tag database and report `lastScanResult` and `canonicalImageName`.

use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource};
use serde_json::{Value, json};

use super::registry::{self, ImageName, RegistryError, TagLister};
use super::tags::{self, TagDb};
use crate::controllers::runtime::{
    Attempt, CondStatus, EventType, Failure, KindInfo, Outcome, Reconciler, schedule,
};

pub const GROUP: &str = "image.toolkit.fluxcd.io";

pub fn resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: GROUP.into(),
        version: "v1".into(),
        api_version: format!("{GROUP}/v1"),
        kind: kind.into(),
        plural: plural.into(),
    }
}

impl From<RegistryError> for Failure {
    fn from(e: RegistryError) -> Failure {
        Failure::new(e.reason(), e.to_string())
    }
}

pub struct ImageRepositories {
    info: KindInfo,
    db: TagDb,
}

impl ImageRepositories {
    pub fn new(db: TagDb) -> ImageRepositories {
        ImageRepositories {
            info: KindInfo {
                resource: resource("ImageRepository", "imagerepositories"),
                controller: "image-reflector-controller",
                status_manager: "image-reflector-controller",
                finalizer: true,
            },
            db,
        }
    }

    async fn credentials(
        &self,
        at: &Attempt,
        name: &ImageName,
    ) -> Result<Option<registry::Credentials>, Failure> {
        let Some(secret) = at.spec().pointer("/secretRef/name").and_then(Value::as_str) else {
            return Ok(None);
        };
        let api: Api<Secret> = Api::namespaced(at.client.clone(), at.namespace());
        let s = api.get(secret).await.map_err(|e| {
            Failure::new(
                "AuthenticationFailed",
                format!(
                    "failed to get secret '{}/{secret}' (spec.secretRef): {e}",
                    at.namespace()
                ),
            )
        })?;
        let data = s.data.unwrap_or_default();
        let Some(config) = data.get(".dockerconfigjson") else {
            return Err(Failure::new(
                "AuthenticationFailed",
                format!(
                    "secret '{}/{secret}' has no '.dockerconfigjson' key: create it with `kubectl create secret docker-registry`",
                    at.namespace()
                ),
            ));
        };
        Ok(registry::credentials_from_docker_config(
            secret,
            &config.0,
            &name.registry,
        )?)
    }

    /// Why a scan is due now, or None with the time left until the next one.
    fn scan_reason(
        &self,
        at: &Attempt,
        canonical: &str,
        exclusions: &[String],
        interval: Duration,
    ) -> Result<&'static str, Duration> {
        let status = &at.status;
        let Some(scan_time) = status
            .pointer("/lastScanResult/scanTime")
            .and_then(Value::as_str)
        else {
            return Ok("first scan");
        };
        if schedule::requested_at(&at.object).is_some()
            && schedule::requested_at(&at.object).as_deref()
                != status.get("lastHandledReconcileAt").and_then(Value::as_str)
        {
            return Ok("reconcile requested");
        }
        if status.get("canonicalImageName").and_then(Value::as_str) != Some(canonical) {
            return Ok("new image name");
        }
        let mut observed: Vec<String> = status
            .get("observedExclusionList")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut current = exclusions.to_vec();
        observed.sort();
        current.sort();
        if observed != current {
            return Ok("updated exclusion list");
        }
        if self.db.get(at.namespace(), at.name()).is_empty() {
            return Ok("no tags in database");
        }
        let elapsed = scan_time
            .parse::<Timestamp>()
            .ok()
            .and_then(|t| Duration::try_from(Timestamp::now().duration_since(t)).ok())
            .unwrap_or(interval);
        match interval.checked_sub(elapsed) {
            Some(left) if left >= Duration::from_secs(1) => Err(left),
            _ => Ok("triggered by interval"),
        }
    }

    async fn run(&self, at: &mut Attempt) -> Result<Outcome, Failure> {
        let image = at
            .spec()
            .get("image")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = match ImageName::parse(&image) {
            Ok(n) => n,
            Err(e) => return Ok(Outcome::Stalled(e.into())),
        };
        let exclusions = tags::exclusion_list(at.spec());
        let compiled = match tags::compile_exclusions(&exclusions) {
            Ok(c) => c,
            Err(m) => return Ok(Outcome::Stalled(Failure::new("InvalidExclusionList", m))),
        };
        let interval = self.interval(&at.object);
        let canonical = name.canonical();
        let reason = match self.scan_reason(at, &canonical, &exclusions, interval) {
            Ok(r) => r,
            Err(left) => {
                let message = at
                    .status
                    .pointer("/conditions")
                    .and_then(Value::as_array)
                    .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
                    .and_then(|c| c["message"].as_str())
                    .unwrap_or("successful scan")
                    .to_string();
                at.log(format!(
                    "no change in repository configuration since last scan, next scan in {}",
                    crate::engine::duration::format_go(left)
                ));
                return Ok(Outcome::ready("Succeeded", message));
            }
        };
        at.condition(
            "Reconciling",
            CondStatus::True,
            "Progressing",
            &format!("scanning: {reason}"),
        );
        let timeout = schedule::spec_duration(&at.object, "timeout", interval).unwrap_or(interval);
        let creds = self.credentials(at, &name).await?;
        let insecure = at
            .spec()
            .get("insecure")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let started = std::time::Instant::now();
        let mut lister =
            TagLister::new(name, insecure, creds, timeout.max(Duration::from_secs(1)))?;
        let all = lister.list_tags().await?;
        at.phase("scan", started);
        let kept = tags::filter_tags(all, &compiled);
        self.db
            .set(at.namespace(), at.name(), &kept)
            .map_err(|e| Failure::new("Failure", format!("cannot store the scanned tags: {e}")))?;
        let revision = tags::revision(&kept);
        at.set_status("canonicalImageName", Some(json!(canonical)));
        at.set_status("observedExclusionList", Some(json!(exclusions)));
        at.set_status(
            "lastScanResult",
            Some(json!({
                "revision": revision,
                "tagCount": kept.len(),
                "scanTime": Timestamp::now().to_string(),
                "latestTags": tags::latest_tags(&kept),
            })),
        );
        let message = format!(
            "successful scan: found {} tags with checksum {revision}",
            kept.len()
        );
        at.event(
            EventType::Normal,
            "Succeeded",
            format!(
                "{message}; next scan in {}",
                crate::engine::duration::format_go(interval)
            ),
            Default::default(),
        );
        Ok(Outcome::ready("Succeeded", message))
    }
}

impl Reconciler for ImageRepositories {
    fn info(&self) -> &KindInfo {
        &self.info
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
            self.db.remove(at.namespace(), at.name());
            Ok(())
        }
    }
}

//! Image automation in process (SPEC §8): ImageRepository scans (`repository`, `registry`,
//! `tags`), ImagePolicy selection (`policy`) and ImageUpdateAutomation with the Setters
//! strategy and fluxdeck's approval gate (`automation`, `proposal`, `gitwork`).
//!
//! Wiring: a repository change triggers the policies that reference it; a policy change
//! triggers the automations of its namespace.

pub mod automation;
pub mod gitwork;
pub mod message;
pub mod policy;
pub mod proposal;
pub mod pushbranch;
pub mod registry;
pub mod repository;
pub mod signing;
pub mod tags;
pub mod target;
pub mod update;

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;

use crate::controllers::runtime::{self, Bus, Running, Trigger};

/// The three running image controllers; dropping stops them.
pub struct ImageControllers {
    pub repositories: Running,
    pub policies: Running,
    pub automations: Running,
}

/// Start the image controllers. `data_dir` holds the tag database (`<data_dir>/images`) and
/// the automation work trees (`<data_dir>/image-automation`).
pub fn start(
    client: kube::Client,
    bus: Bus,
    data_dir: PathBuf,
    concurrency: u16,
) -> ImageControllers {
    let db = tags::TagDb::new(data_dir.join("images"));
    let repositories = runtime::spawn(
        client.clone(),
        bus.clone(),
        Arc::new(repository::ImageRepositories::new(db.clone())),
        concurrency,
    );
    let mut policies = runtime::spawn(
        client.clone(),
        bus.clone(),
        Arc::new(policy::ImagePolicies::new(db)),
        concurrency,
    );
    let automations = runtime::spawn(
        client.clone(),
        bus,
        Arc::new(automation::ImageUpdateAutomations::new(
            data_dir.join("image-automation"),
        )),
        concurrency,
    );
    // Repository → the policies referencing it.
    let policy_reader = policies.reader.clone();
    let policy_trigger = policies.trigger.clone();
    policies.attach(watch_and_trigger(
        client.clone(),
        repository::resource("ImageRepository", "imagerepositories"),
        move |ns, name| {
            for p in policy_reader.state() {
                let v = serde_json::to_value(p.as_ref()).unwrap_or(Value::Null);
                let pns = v
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let rns = v
                    .pointer("/spec/imageRepositoryRef/namespace")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(pns);
                if rns == ns
                    && v.pointer("/spec/imageRepositoryRef/name")
                        .and_then(Value::as_str)
                        == Some(name)
                {
                    trigger(&policy_trigger, &v);
                }
            }
        },
    ));
    // Policy → the automations of its namespace.
    let mut automations = automations;
    let auto_reader = automations.reader.clone();
    let auto_trigger = automations.trigger.clone();
    automations.attach(watch_and_trigger(
        client,
        repository::resource("ImagePolicy", "imagepolicies"),
        move |ns, _name| {
            for a in auto_reader.state() {
                let v = serde_json::to_value(a.as_ref()).unwrap_or(Value::Null);
                if v.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns) {
                    trigger(&auto_trigger, &v);
                }
            }
        },
    ));
    ImageControllers {
        repositories,
        policies,
        automations,
    }
}

fn trigger(t: &Trigger, obj: &Value) {
    t.reconcile(
        obj.pointer("/metadata/namespace").and_then(Value::as_str),
        obj.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or(""),
    );
}

/// Watch a kind and call `on_change(namespace, name)` when an object's status changes.
fn watch_and_trigger(
    client: kube::Client,
    ar: kube::api::ApiResource,
    on_change: impl Fn(&str, &str) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let api: Api<DynamicObject> = Api::all_with(client, &ar);
        let mut seen: std::collections::HashMap<String, String> = Default::default();
        let stream = watcher(api, watcher::Config::default())
            .default_backoff()
            .applied_objects();
        futures::pin_mut!(stream);
        while let Some(item) = stream.next().await {
            let Ok(obj) = item else { continue };
            let status = obj
                .data
                .get("status")
                .map(Value::to_string)
                .unwrap_or_default();
            let ns = obj.metadata.namespace.clone().unwrap_or_default();
            let name = obj.metadata.name.clone().unwrap_or_default();
            if seen.insert(format!("{ns}/{name}"), status.clone()) != Some(status) {
                on_change(&ns, &name);
            }
        }
    })
}

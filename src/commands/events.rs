//! `fluxdeck events [--for KIND/NAME] [-A] [--watch]`: Kubernetes Events of Flux objects, for
//! one object and its source like `flux events --for`, newest last.

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::runtime::watcher;
use serde_json::Value;

use super::table::render;
use super::{CommandError, Ctx, obj_namespace};
use crate::cli::EventsArgs;
use crate::cluster::intents::source_of;
use crate::cluster::kinds::Served;
use crate::engine::duration::format_age;

fn events_resource() -> ApiResource {
    ApiResource {
        group: String::new(),
        version: "v1".into(),
        api_version: "v1".into(),
        kind: "Event".into(),
        plural: "events".into(),
    }
}

/// The time an Event last happened (lastTimestamp, eventTime, series, creation).
pub fn event_time(ev: &Value) -> Option<jiff::Timestamp> {
    [
        "/lastTimestamp",
        "/eventTime",
        "/series/lastObservedTime",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .filter_map(|p| ev.pointer(p).and_then(Value::as_str))
    .find_map(|s| s.parse::<jiff::Timestamp>().ok())
}

fn involved(ev: &Value) -> (String, String) {
    let s = |p: &str| {
        ev.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/involvedObject/kind"), s("/involvedObject/name"))
}

/// One row: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE (NAMESPACE first with -A).
pub fn event_row(ev: &Value, now: jiff::Timestamp, all_ns: bool) -> Vec<String> {
    let s = |p: &str| {
        ev.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let age = event_time(ev)
        .and_then(|t| now.duration_since(t).try_into().ok())
        .map(format_age)
        .unwrap_or_else(|| "<unknown>".into());
    let (kind, name) = involved(ev);
    let mut row = vec![
        age,
        s("/type"),
        s("/reason"),
        format!("{kind}/{name}"),
        s("/message").trim().to_string(),
    ];
    if all_ns {
        row.insert(0, obj_namespace(ev).to_string());
    }
    row
}

pub fn sort_events(events: &mut [Value]) {
    events.sort_by_key(event_time);
}

/// Objects whose events are shown for `--for KIND/NAME`: the object and its source.
async fn subjects(ctx: &Ctx, for_object: &str) -> Result<Vec<(String, String)>, CommandError> {
    let (kind_word, name) = for_object.split_once('/').ok_or_else(|| {
        CommandError::Usage(format!(
            "--for {for_object:?}: expected KIND/NAME, e.g. Kustomization/apps"
        ))
    })?;
    let served = ctx.served().await?;
    let (ar, caps) = served.resolve_word(kind_word)?;
    let mut out = vec![(ar.kind.clone(), name.to_string())];
    let api = ctx.api(&ar, Served::is_namespaced(&caps), false);
    if let Some(obj) = api.get_opt(name).await? {
        let obj = serde_json::to_value(obj).unwrap_or_default();
        if let Some((kind, source, _, _)) = source_of(&obj) {
            out.push((kind, source));
        }
    }
    Ok(out)
}

pub async fn run(ctx: &Ctx, args: &EventsArgs) -> Result<i32, CommandError> {
    let ar = events_resource();
    let api: Api<DynamicObject> = if args.all_namespaces {
        Api::all_with(ctx.client.clone(), &ar)
    } else {
        Api::namespaced_with(ctx.client.clone(), &ctx.namespace, &ar)
    };
    let wanted = match &args.for_object {
        Some(f) => Some(subjects(ctx, f).await?),
        None => None,
    };
    let keep = |ev: &Value| {
        let type_ok = args.types.as_ref().is_none_or(|t| {
            t.split(',').any(|t| {
                ev.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(t))
            })
        });
        let obj_ok = match &wanted {
            Some(list) => list.contains(&involved(ev)),
            None => involved(ev).0.is_empty() || is_flux_event(ev),
        };
        type_ok && obj_ok
    };
    let mut header = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
    if args.all_namespaces {
        header.insert(0, "NAMESPACE");
    }
    if args.watch {
        println!("{}", header.join("\t"));
        let mut stream = watcher(api, watcher::Config::default()).boxed();
        while let Some(ev) = stream.next().await {
            if let Ok(watcher::Event::Apply(o) | watcher::Event::InitApply(o)) = ev {
                let v = serde_json::to_value(o).unwrap_or_default();
                if keep(&v) {
                    println!(
                        "{}",
                        event_row(&v, jiff::Timestamp::now(), args.all_namespaces).join("\t")
                    );
                }
            }
        }
        return Ok(0);
    }
    let mut events = ctx.list(&api, &ListParams::default()).await?;
    events.retain(|e| keep(e));
    sort_events(&mut events);
    let now = jiff::Timestamp::now();
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| event_row(e, now, args.all_namespaces))
        .collect();
    if rows.is_empty() {
        eprintln!(
            "{} no events found in {} namespace",
            ctx.glyph_fail(),
            ctx.namespace
        );
        return Ok(0);
    }
    print!("{}", render(&header, &rows));
    Ok(0)
}

/// Events about Flux objects (their involvedObject apiVersion is a toolkit group).
pub fn is_flux_event(ev: &Value) -> bool {
    ev.pointer("/involvedObject/apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.contains("toolkit.fluxcd.io"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_show_age_type_reason_object_message() {
        let now: jiff::Timestamp = "2026-01-01T00:10:00Z".parse().unwrap();
        let ev = json!({"metadata":{"namespace":"flux-system"},"type":"Warning","reason":"BuildFailed",
            "lastTimestamp":"2026-01-01T00:05:00Z","message":"kustomize build failed\n",
            "involvedObject":{"kind":"Kustomization","name":"apps"}});
        assert_eq!(
            event_row(&ev, now, false),
            vec![
                "5m",
                "Warning",
                "BuildFailed",
                "Kustomization/apps",
                "kustomize build failed"
            ]
        );
        assert_eq!(event_row(&ev, now, true)[0], "flux-system");
    }

    #[test]
    fn events_sort_oldest_first() {
        let mut evs = vec![
            json!({"lastTimestamp":"2026-01-01T00:05:00Z"}),
            json!({"lastTimestamp":"2026-01-01T00:01:00Z"}),
        ];
        sort_events(&mut evs);
        assert_eq!(evs[0]["lastTimestamp"], "2026-01-01T00:01:00Z");
    }
}

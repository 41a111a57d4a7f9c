//! Randomised differential test of strategic merge against kubectl 1.33's
//! (`kubectl patch --local`): generated Deployments and patches mixing keyed lists, sets,
//! nulls and every directive. Skipped when kubectl is not installed. Nulls are compared
//! away (see below).

use fluxdeck::engine::patch::{BuiltinSchema, strategic_merge};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Map, Value, json};
use std::process::Command;

const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.33";

fn kubectl_patch(target: &Value, patch: &Value) -> Result<Value, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("object.json");
    std::fs::write(&file, target.to_string()).map_err(|e| e.to_string())?;
    let out = Command::new(KUBECTL)
        .args([
            "patch",
            "--local",
            "-o",
            "json",
            "--type",
            "strategic",
            "-f",
        ])
        .arg(&file)
        .arg("-p")
        .arg(patch.to_string())
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())
}

fn env() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::btree_map(
        "[ABC]",
        prop_oneof![Just(Value::Null), "[01]".prop_map(Value::from)],
        0..3,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    })
}

/// Container elements: plain, with `$patch: delete`, or null-valued fields.
fn container(allow_directives: bool) -> impl Strategy<Value = Value> {
    ("[abcd]", prop::option::of("[xyz]"), env(), 0..4u8).prop_map(
        move |(name, image, env, mode)| {
            let mut c = json!({"name": name});
            if let Some(image) = image {
                c["image"] = json!(image);
            }
            if !env.is_empty() {
                c["env"] = Value::Array(env);
            }
            if allow_directives && mode == 0 {
                c = json!({"name": c["name"], "$patch": "delete"});
            }
            c
        },
    )
}

fn unique_by_name(items: Vec<Value>) -> Vec<Value> {
    let mut seen = Vec::new();
    items
        .into_iter()
        .filter(|c| {
            let name = c["name"].clone();
            let fresh = !seen.contains(&name);
            seen.push(name);
            fresh
        })
        .collect()
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

fn target() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(container(false), 1..4),
        prop::collection::btree_set("[pqrs]", 1..4),
    )
        .prop_map(|(containers, finalizers)| {
            strip_nulls(json!({"apiVersion":"apps/v1","kind":"Deployment",
                "metadata":{"name":"d","finalizers":finalizers,"labels":{"a":"1"}},
                "spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
                    "template":{"spec":{"containers":unique_by_name(containers)}}}}))
        })
}

fn names(list: &[Value]) -> Vec<Value> {
    list.iter()
        .filter(|c| c.get("$patch").is_none())
        .map(|c| json!({"name": c["name"]}))
        .collect()
}

fn patch() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(container(true), 0..4),
        any::<bool>(),
        0..4u8,
        prop::collection::vec("[pqrst]", 0..3),
        0..3u8,
        prop::option::of(prop_oneof![Just(Value::Null), "[12]".prop_map(Value::from)]),
    )
        .prop_map(|(containers, replace, order_mode, finalizers, strategy_mode, label)| {
            let mut containers = unique_by_name(containers);
            let mut spec = Map::new();
            let order = names(&containers);
            if replace {
                containers.push(json!({"$patch":"replace"}));
            }
            if order_mode == 1 && order.len() >= 2 {
                // Reverse of the patch order plus an extra: must be rejected by both.
                let mut o = order.clone();
                o.reverse();
                o.push(json!({"name":"zz"}));
                spec.insert("$setElementOrder/containers".into(), Value::Array(o));
            } else if order_mode == 2 {
                // A complete order, as kubectl's three-way patches send. (With an incomplete
                // one, a deletion and an appended item in the same list, kubectl's result
                // depends on Go slice aliasing in apimachinery; we use the live order.)
                let mut o = vec![json!({"name":"d"})];
                o.extend(order.into_iter().filter(|n| n["name"] != "d"));
                for name in ["c", "b", "a"] {
                    if !o.iter().any(|n| n["name"] == name) {
                        o.push(json!({"name": name}));
                    }
                }
                spec.insert("$setElementOrder/containers".into(), Value::Array(o));
            }
            spec.insert("containers".into(), Value::Array(containers));
            let mut meta = Map::new();
            match order_mode {
                0 => {
                    meta.insert("finalizers".into(), json!(finalizers));
                }
                1 => {
                    meta.insert("$deleteFromPrimitiveList/finalizers".into(), json!(finalizers));
                }
                _ => {
                    let mut all: Vec<&str> = vec!["s", "r", "q", "p"];
                    all.retain(|f| !finalizers.iter().any(|x| x == f));
                    let mut order: Vec<Value> = finalizers.iter().map(|f| json!(f)).collect();
                    order.extend(all.into_iter().map(Value::from));
                    meta.insert("$setElementOrder/finalizers".into(), Value::Array(order));
                }
            }
            if let Some(label) = label {
                meta.insert("labels".into(), json!({"a": label, "b": "2"}));
            }
            let strategy = match strategy_mode {
                0 => json!({"type":"Recreate"}),
                1 => json!({"$retainKeys":["type"],"type":"Recreate"}),
                _ => json!({"rollingUpdate":{"maxSurge":null,"maxUnavailable":2}}),
            };
            json!({"metadata": meta, "spec": {"strategy": strategy, "template": {"spec": spec}}})
        })
}

fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        cases: std::env::var("PATCH_KUBECTL_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(48),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_patches_match_kubectl(target in target(), patch in patch()) {
        if !std::path::Path::new(KUBECTL).exists() {
            return Ok(());
        }
        let schema = BuiltinSchema::for_kind("apps/v1", "Deployment");
        let ours = strategic_merge(&target, &patch, &schema);
        // kubectl keeps nulls inside replaced or appended patch items; the API server drops
        // them when it decodes the object, and so do we.
        let theirs = kubectl_patch(&target, &patch).map(strip_nulls);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b, "patch {}", patch),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "patch {}\n ours: {:?}\n kubectl: {:?}", patch, ours, theirs),
        }
    }
}

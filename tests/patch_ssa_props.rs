//! Property tests of server-side apply and strategic merge over generated Deployments.

use fluxdeck::engine::patch::ssa::{apply, merge, strip_managed_fields};
use fluxdeck::engine::patch::{BuiltinSchema, strategic_merge};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Map, Value, json};

fn schema() -> BuiltinSchema {
    BuiltinSchema::for_kind("apps/v1", "Deployment")
}

fn small_map() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("[a-d]", "[xy]", 0..4)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k, Value::String(v))).collect())
}

/// A container list with unique names, optional images and env lists with unique names.
fn containers() -> impl Strategy<Value = Value> {
    let container = (
        "[xyz]",
        prop::option::of("[12]"),
        prop::collection::btree_map("[AB]", "[01]", 0..3),
    );
    prop::collection::btree_map("[abc]", container, 1..4).prop_map(|m| {
        let items: Vec<Value> = m
            .into_iter()
            .map(|(name, (image, replicas_env, env))| {
                let mut c = json!({"name": name, "image": image});
                if let Some(tag) = replicas_env {
                    c["imagePullPolicy"] =
                        json!(if tag == "1" { "Always" } else { "IfNotPresent" });
                }
                if !env.is_empty() {
                    c["env"] = Value::Array(
                        env.into_iter()
                            .map(|(n, v)| json!({"name": n, "value": v}))
                            .collect(),
                    );
                }
                c
            })
            .collect();
        Value::Array(items)
    })
}

fn deployment() -> impl Strategy<Value = Value> {
    (
        small_map(),
        prop::option::of(1i64..4),
        containers(),
        prop::collection::btree_set("[pq]", 0..3),
    )
        .prop_map(|(labels, replicas, containers, finalizers)| {
            let mut d = json!({"apiVersion":"apps/v1","kind":"Deployment",
                "metadata":{"name":"d","labels":labels},
                "spec":{"template":{"spec":{"containers":containers}}}});
            if let Some(r) = replicas {
                d["spec"]["replicas"] = json!(r);
            }
            if !finalizers.is_empty() {
                d["metadata"]["finalizers"] = json!(finalizers);
            }
            d
        })
}

fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        cases: 128,
        ..Config::default()
    }
}

fn plain(mut v: Value) -> Value {
    strip_managed_fields(&mut v);
    v
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn applying_twice_changes_nothing(a in deployment(), b in deployment()) {
        let s = schema();
        let live = apply(None, &a, "first", false, &s, "t1").unwrap();
        let once = apply(Some(&live), &b, "second", true, &s, "t2").unwrap();
        let twice = apply(Some(&once), &b, "second", false, &s, "t3").unwrap();
        prop_assert_eq!(twice, once);
    }

    #[test]
    fn the_result_contains_the_applied_configuration(a in deployment(), b in deployment()) {
        let s = schema();
        let live = apply(None, &a, "first", false, &s, "t1").unwrap();
        let out = plain(apply(Some(&live), &b, "second", true, &s, "t2").unwrap());
        prop_assert_eq!(merge(&out, &b, &s), out);
    }

    /// A sole manager re-applying a different configuration ends up exactly with it:
    /// everything it applied before and no longer applies is removed.
    #[test]
    fn a_sole_manager_converges_to_its_latest_configuration(a in deployment(), b in deployment()) {
        let s = schema();
        let first = apply(None, &a, "flux", false, &s, "t1").unwrap();
        let second = plain(apply(Some(&first), &b, "flux", false, &s, "t2").unwrap());
        prop_assert_eq!(second, b);
    }

    #[test]
    fn managers_of_disjoint_fields_never_conflict(labels in small_map(), replicas in 1i64..5) {
        let s = schema();
        let one = json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":labels}});
        let two = json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":replicas}});
        let live = apply(None, &one, "one", false, &s, "t1").unwrap();
        prop_assert!(apply(Some(&live), &two, "two", false, &s, "t2").is_ok());
    }

    #[test]
    fn strategic_merge_is_idempotent(target in deployment(), patch in deployment()) {
        let s = schema();
        let once = strategic_merge(&target, &patch, &s).unwrap();
        prop_assert_eq!(strategic_merge(&once, &patch, &s).unwrap(), once);
    }
}

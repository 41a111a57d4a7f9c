//! RFC 7386 JSON merge patch (the RFC's appendix A table) and RFC 6902 JSON patch.

use fluxdeck::engine::patch::{PatchError, json_patch, merge_patch, merge_patch_diff};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{Value, json};

#[test]
fn rfc7386_appendix_a() {
    let rows: Vec<(Value, Value, Value)> = vec![
        (json!({"a":"b"}), json!({"a":"c"}), json!({"a":"c"})),
        (json!({"a":"b"}), json!({"b":"c"}), json!({"a":"b","b":"c"})),
        (json!({"a":"b"}), json!({"a":null}), json!({})),
        (
            json!({"a":"b","b":"c"}),
            json!({"a":null}),
            json!({"b":"c"}),
        ),
        (json!({"a":["b"]}), json!({"a":"c"}), json!({"a":"c"})),
        (json!({"a":"c"}), json!({"a":["b"]}), json!({"a":["b"]})),
        (
            json!({"a":{"b":"c"}}),
            json!({"a":{"b":"d","c":null}}),
            json!({"a":{"b":"d"}}),
        ),
        (json!({"a":[{"b":"c"}]}), json!({"a":[1]}), json!({"a":[1]})),
        (json!(["a", "b"]), json!(["c", "d"]), json!(["c", "d"])),
        (json!({"a":"b"}), json!(["c"]), json!(["c"])),
        (json!({"a":"foo"}), json!(null), json!(null)),
        (json!({"a":"foo"}), json!("bar"), json!("bar")),
        (json!({"e":null}), json!({"a":1}), json!({"e":null,"a":1})),
        (json!([1, 2]), json!({"a":"b","c":null}), json!({"a":"b"})),
        (
            json!({}),
            json!({"a":{"bb":{"ccc":null}}}),
            json!({"a":{"bb":{}}}),
        ),
    ];
    for (target, patch, expected) in rows {
        assert_eq!(
            merge_patch(&target, &patch),
            expected,
            "target {target} patch {patch}"
        );
    }
}

#[test]
fn json_patch_applies_rfc6902_operations() {
    let doc = json!({"spec":{"replicas":1,"list":["a","b"]},"metadata":{"labels":{"x":"1"}}});
    let ops = json!([
        {"op":"test","path":"/spec/replicas","value":1},
        {"op":"replace","path":"/spec/replicas","value":3},
        {"op":"add","path":"/spec/list/1","value":"z"},
        {"op":"add","path":"/spec/list/-","value":"end"},
        {"op":"remove","path":"/metadata/labels/x"},
        {"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"n"},
        {"op":"copy","from":"/spec/replicas","path":"/spec/copied"},
        {"op":"move","from":"/spec/copied","path":"/spec/moved"}
    ]);
    let out = json_patch(&doc, &ops).unwrap();
    assert_eq!(
        out,
        json!({"spec":{"replicas":3,"list":["a","z","b","end"],"moved":3},"metadata":{"labels":{"app.kubernetes.io/name":"n"}}})
    );
}

#[test]
fn json_patch_errors_name_the_operation_and_path() {
    let doc = json!({"spec":{"replicas":1}});
    let err = json_patch(
        &doc,
        &json!([{"op":"replace","path":"/spec/replicas","value":2},
        {"op":"test","path":"/spec/replicas","value":5}]),
    )
    .unwrap_err();
    match &err {
        PatchError::JsonPatchOp {
            index, op, path, ..
        } => {
            assert_eq!(
                (*index, op.as_str(), path.as_str()),
                (1, "test", "/spec/replicas")
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string()
            .contains("operation 1 (test /spec/replicas)"),
        "{err}"
    );

    let err = json_patch(&doc, &json!([{"op":"remove","path":"/spec/missing"}])).unwrap_err();
    assert!(
        matches!(err, PatchError::JsonPatchOp { index: 0, .. }),
        "{err}"
    );
    let err = json_patch(&doc, &json!([{"op":"frobnicate","path":"/a"}])).unwrap_err();
    assert!(
        err.to_string().contains("operation 0 (frobnicate /a)"),
        "{err}"
    );
    let err = json_patch(&doc, &json!({"op":"add"})).unwrap_err();
    assert!(matches!(err, PatchError::Invalid(_)), "{err}");
}

/// JSON documents without nulls inside objects (merge patch cannot express those).
fn arb_doc() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        "[a-c]{0,2}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object whose values are any [`arb_doc`]: generated as objects, not filtered from
/// `arb_doc` (two objects in a row are rare enough that proptest's reject limit was hit).
fn arb_object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map("[a-d]", arb_doc(), 0..4)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
}

fn config() -> Config {
    Config {
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        cases: 256,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn merge_patch_of_the_diff_reaches_the_target(from in arb_doc(), to in arb_doc()) {
        prop_assert_eq!(merge_patch(&from, &merge_patch_diff(&from, &to)), to);
    }

    #[test]
    fn merge_patch_is_idempotent(target in arb_doc(), patch in arb_doc()) {
        let once = merge_patch(&target, &patch);
        prop_assert_eq!(merge_patch(&once, &patch), once);
    }

    #[test]
    fn empty_merge_patch_changes_no_object(target in arb_doc()) {
        prop_assume!(target.is_object());
        prop_assert_eq!(merge_patch(&target, &json!({})), target);
    }
}

proptest! {
    #![proptest_config(config())]

    /// Without directives and with every list atomic, strategic merge is JSON merge patch.
    #[test]
    fn strategic_merge_without_list_knowledge_is_merge_patch(target in arb_object(), patch in arb_object()) {
        let smp = fluxdeck::engine::patch::strategic_merge(&target, &patch, &fluxdeck::engine::patch::AtomicSchema);
        prop_assert_eq!(smp.ok(), Some(merge_patch(&target, &patch)));
    }
}

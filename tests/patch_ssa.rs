//! Server-side apply field management: fieldsV1 as kube writes it, the SSA docs' examples
//! (ConfigMap managedFields, conflicts, force, shared ownership, removal of fields no longer
//! applied), non-apply writes, and keyed lists.

use fluxdeck::engine::patch::ssa::{
    ApplyError, FieldSet, Operation, apply, read_managed_fields, record_update,
};
use fluxdeck::engine::patch::{BuiltinSchema, MergeSchema};
use serde_json::{Value, json};

const T1: &str = "2026-12-01T10:00:00Z";
const T2: &str = "2026-12-01T11:00:00Z";

fn schema_of(obj: &Value) -> BuiltinSchema {
    BuiltinSchema::for_kind(
        obj["apiVersion"].as_str().unwrap_or(""),
        obj["kind"].as_str().unwrap_or(""),
    )
}

/// A real managedFields entry written by kube-apiserver 1.33 for `kubectl create deployment`.
const KUBE_FIELDS_V1: &str = r#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:progressDeadlineSeconds":{},"f:replicas":{},"f:revisionHistoryLimit":{},"f:selector":{},"f:strategy":{"f:rollingUpdate":{".":{},"f:maxSurge":{},"f:maxUnavailable":{}},"f:type":{}},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}}"#;

#[test]
fn fields_v1_round_trips_byte_for_byte() {
    let parsed: Value = serde_json::from_str(KUBE_FIELDS_V1).unwrap();
    let set = FieldSet::from_fields_v1(&parsed).unwrap();
    assert_eq!(set.len(), 28);
    assert_eq!(set.to_fields_v1().to_string(), KUBE_FIELDS_V1);
}

#[test]
fn fields_v1_sorts_fields_before_items_and_numbers_numerically() {
    let unsorted: Value = serde_json::from_str(
        r#"{"f:spec":{"f:ports":{"k:{\"port\":443,\"protocol\":\"TCP\"}":{},"k:{\"port\":80,\"protocol\":\"TCP\"}":{}},"f:a":{}},"f:metadata":{"f:finalizers":{"v:\"b\"":{},"v:\"a\"":{}}}}"#,
    )
    .unwrap();
    let set = FieldSet::from_fields_v1(&unsorted).unwrap();
    assert_eq!(
        set.to_fields_v1().to_string(),
        r#"{"f:metadata":{"f:finalizers":{"v:\"a\"":{},"v:\"b\"":{}}},"f:spec":{"f:a":{},"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{},"k:{\"port\":443,\"protocol\":\"TCP\"}":{}}}}"#
    );
    assert!(FieldSet::from_fields_v1(&json!({"x:bad":{}})).is_err());
}

fn configmap(labels: Value, data: Value) -> Value {
    json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm","namespace":"default","labels":labels},"data":data})
}

#[test]
fn docs_configmap_apply_records_managed_fields() {
    let config = configmap(json!({"test-label":"test"}), json!({"key":"some value"}));
    let out = apply(None, &config, "kubectl", false, &schema_of(&config), T1).unwrap();
    assert_eq!(
        out["metadata"]["managedFields"],
        json!([{"manager":"kubectl","operation":"Apply","apiVersion":"v1","time":T1,"fieldsType":"FieldsV1",
            "fieldsV1":{"f:data":{"f:key":{}},"f:metadata":{"f:labels":{"f:test-label":{}}}}}])
    );
    assert_eq!(out["data"], json!({"key":"some value"}));
}

#[test]
fn applying_the_same_configuration_again_changes_nothing() {
    let config = configmap(json!({"a":"1"}), json!({"k":"v"}));
    let schema = schema_of(&config);
    let once = apply(None, &config, "kubectl", false, &schema, T1).unwrap();
    let twice = apply(Some(&once), &config, "kubectl", false, &schema, T2).unwrap();
    assert_eq!(once, twice, "no change, so not even the time moves");
}

#[test]
fn fields_no_longer_applied_are_removed_unless_someone_else_owns_them() {
    let schema = schema_of(&configmap(json!({}), json!({})));
    let first = configmap(json!({"a":"1","b":"2","c":"3"}), json!({"x":"1","y":"2"}));
    let live = apply(None, &first, "alice", false, &schema, T1).unwrap();
    // bob applies c with the same value: shared ownership, no conflict.
    let bob = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test-cm","labels":{"c":"3"}}});
    let live = apply(Some(&live), &bob, "bob", false, &schema, T1).unwrap();
    assert_eq!(read_managed_fields(&live).unwrap().len(), 2);
    // alice stops applying b, c and y.
    let second = configmap(json!({"a":"1"}), json!({"x":"1"}));
    let live = apply(Some(&live), &second, "alice", false, &schema, T2).unwrap();
    assert_eq!(live["metadata"]["labels"], json!({"a":"1","c":"3"}));
    assert_eq!(live["data"], json!({"x":"1"}));
}

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx","namespace":"default"},
      "spec":{"replicas":replicas,"selector":{"matchLabels":{"app":"nginx"}},
        "template":{"metadata":{"labels":{"app":"nginx"}},"spec":{"containers":[
          {"name":"nginx","image":image,"ports":[{"containerPort":80}]}]}}}})
}

#[test]
fn docs_conflict_with_an_update_manager_and_force() {
    let mut live = deployment(3, "nginx:1.14");
    let schema = schema_of(&live);
    record_update(
        None,
        &mut live,
        "kubectl-client-side-apply",
        None,
        &schema,
        T1,
    );

    let config = deployment(5, "nginx:1.14");
    let err = apply(Some(&live), &config, "kubectl", false, &schema, T2).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#
    );
    let ApplyError::Conflicts(conflicts) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        conflicts.causes(),
        vec![(
            r#"conflict with "kubectl-client-side-apply" using apps/v1"#.to_string(),
            ".spec.replicas".to_string()
        )]
    );

    let forced = apply(Some(&live), &config, "kubectl", true, &schema, T2).unwrap();
    assert_eq!(forced["spec"]["replicas"], 5);
    let entries = read_managed_fields(&forced).unwrap();
    let owner_of_replicas: Vec<&str> = entries
        .iter()
        .filter(|e| {
            e.fields.to_fields_v1()["f:spec"]
                .get("f:replicas")
                .is_some()
        })
        .map(|e| e.manager.as_str())
        .collect();
    assert_eq!(owner_of_replicas, ["kubectl"]);
    // Apply entries sort before Update entries.
    assert_eq!(entries[0].operation, Operation::Apply);
    assert_eq!(entries[1].manager, "kubectl-client-side-apply");
}

#[test]
fn conflicts_inside_keyed_lists_name_the_item() {
    let schema = schema_of(&deployment(1, "x"));
    let live = apply(None, &deployment(1, "nginx:1"), "flux", false, &schema, T1).unwrap();
    let err = apply(
        Some(&live),
        &deployment(2, "nginx:2"),
        "other",
        false,
        &schema,
        T2,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Apply failed with 2 conflicts: conflicts with \"flux\":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
    );
}

#[test]
fn apply_managed_fields_for_a_deployment() {
    let config = deployment(1, "nginx:1");
    let out = apply(None, &config, "flux", false, &schema_of(&config), T1).unwrap();
    assert_eq!(
        out["metadata"]["managedFields"][0]["fieldsV1"].to_string(),
        r#"{"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80}":{".":{},"f:containerPort":{}}}}}}}}}"#
    );
}

#[test]
fn keyed_list_items_merge_and_items_no_longer_applied_go() {
    let schema = schema_of(&deployment(1, "x"));
    let mut two = deployment(1, "nginx:1");
    two["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name":"sidecar","image":"busybox"}));
    let live = apply(None, &two, "flux", false, &schema, T1).unwrap();
    // Another writer adds an env var to nginx through an update.
    let mut edited = live.clone();
    edited["spec"]["template"]["spec"]["containers"][0]["env"] = json!([{"name":"A","value":"1"}]);
    record_update(Some(&live), &mut edited, "kubectl-edit", None, &schema, T1);
    // flux drops the sidecar: it goes, the env var stays.
    let live = apply(
        Some(&edited),
        &deployment(1, "nginx:1"),
        "flux",
        false,
        &schema,
        T2,
    )
    .unwrap();
    let containers = &live["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers.as_array().unwrap().len(), 1);
    assert_eq!(containers[0]["env"], json!([{"name":"A","value":"1"}]));
}

#[test]
fn update_takes_changed_fields_from_other_managers() {
    let schema = schema_of(&configmap(json!({}), json!({})));
    let live = apply(
        None,
        &configmap(json!({"a":"1"}), json!({"k":"v","j":"w"})),
        "alice",
        false,
        &schema,
        T1,
    )
    .unwrap();
    let mut new = live.clone();
    new["data"]["k"] = json!("changed");
    new["data"].as_object_mut().unwrap().shift_remove("j");
    new["data"]["n"] = json!("new");
    record_update(Some(&live), &mut new, "editor", None, &schema, T2);
    let entries = read_managed_fields(&new).unwrap();
    assert_eq!(entries.len(), 2);
    let alice = entries.iter().find(|e| e.manager == "alice").unwrap();
    assert_eq!(
        alice.fields.to_fields_v1(),
        json!({"f:metadata":{"f:labels":{"f:a":{}}}})
    );
    let editor = entries.iter().find(|e| e.manager == "editor").unwrap();
    assert_eq!(editor.operation, Operation::Update);
    assert_eq!(editor.time.as_deref(), Some(T2));
    assert_eq!(
        editor.fields.to_fields_v1(),
        json!({"f:data":{"f:k":{},"f:n":{}}})
    );

    // An update that changes nothing records nothing.
    let mut same = new.clone();
    record_update(Some(&new), &mut same, "someone", None, &schema, T2);
    assert_eq!(same, new);
}

#[test]
fn status_subresource_writers_are_named_with_their_subresource() {
    let mut live = deployment(1, "x");
    let schema = schema_of(&live);
    record_update(None, &mut live, "creator", None, &schema, T1);
    let mut with_status = live.clone();
    with_status["status"] = json!({"replicas":1});
    record_update(
        Some(&live),
        &mut with_status,
        "kube-controller-manager",
        Some("status"),
        &schema,
        T1,
    );
    let entries = read_managed_fields(&with_status).unwrap();
    let status = entries
        .iter()
        .find(|e| e.subresource.as_deref() == Some("status"))
        .unwrap();
    assert_eq!(
        status.display_name(),
        r#""kube-controller-manager" with subresource "status" using apps/v1"#
    );
    assert_eq!(
        with_status["metadata"]["managedFields"][1]["subresource"],
        "status"
    );
}

#[test]
fn sets_are_owned_by_value() {
    let config = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","finalizers":["a.io/x","b.io/y"]}});
    let schema: &dyn MergeSchema = &schema_of(&config);
    let out = apply(None, &config, "m", false, schema, T1).unwrap();
    assert_eq!(
        out["metadata"]["managedFields"][0]["fieldsV1"],
        json!({"f:metadata":{"f:finalizers":{"v:\"a.io/x\"":{},"v:\"b.io/y\"":{}}}})
    );
    let other = json!({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","finalizers":["c.io/z"]}});
    let out = apply(Some(&out), &other, "n", false, schema, T1).unwrap();
    assert_eq!(
        out["metadata"]["finalizers"],
        json!(["a.io/x", "b.io/y", "c.io/z"])
    );
}

#[test]
fn invalid_configurations_are_refused() {
    let schema = schema_of(&deployment(1, "x"));
    let mut bad = deployment(1, "x");
    bad["spec"]["template"]["spec"]["containers"] = json!([{"image":"no-name"}]);
    let err = apply(None, &bad, "m", false, &schema, T1).unwrap_err();
    assert!(
        err.to_string().contains("omits key field \"name\""),
        "{err}"
    );
    let mut with_mf = deployment(1, "x");
    with_mf["metadata"]["managedFields"] = json!([]);
    assert!(matches!(
        apply(None, &with_mf, "m", false, &schema, T1),
        Err(ApplyError::Invalid(_))
    ));
}

#[test]
fn large_objects_apply_in_reasonable_time() {
    // A CRD-sized object: 20 x 20 x 10 = 4000 leaves.
    let mut spec = serde_json::Map::new();
    for a in 0..20 {
        let mut level = serde_json::Map::new();
        for b in 0..20 {
            let leaves: serde_json::Map<String, Value> =
                (0..10).map(|c| (format!("f{c}"), json!(c))).collect();
            level.insert(format!("b{b}"), Value::Object(leaves));
        }
        spec.insert(format!("a{a}"), Value::Object(level));
    }
    let big =
        json!({"apiVersion":"example.io/v1","kind":"Big","metadata":{"name":"big"},"spec":spec});
    let schema = schema_of(&big);
    let started = std::time::Instant::now();
    let live = apply(None, &big, "flux", false, &schema, T1).unwrap();
    let mut smaller = big.clone();
    smaller["spec"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| k[1..].parse::<u32>().unwrap_or(99) < 10);
    let live = apply(Some(&live), &smaller, "flux", false, &schema, T2).unwrap();
    assert_eq!(live["spec"].as_object().unwrap().len(), 10);
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn subresource_appliers_are_separate_entries() {
    use fluxdeck::engine::patch::ssa::apply_subresource;
    let config = deployment(1, "x");
    let schema = schema_of(&config);
    let live = apply(None, &config, "flux", false, &schema, T1).unwrap();
    let status = json!({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},"status":{"replicas":1}});
    let out = apply_subresource(
        Some(&live),
        &status,
        "flux",
        Some("status"),
        false,
        &schema,
        T2,
    )
    .unwrap();
    let entries = read_managed_fields(&out).unwrap();
    assert_eq!(entries.len(), 2, "{}", out["metadata"]["managedFields"]);
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.subresource.as_deref() == Some("status"))
            .count(),
        1
    );
    assert_eq!(
        out["spec"]["replicas"], 1,
        "the main entry keeps its fields"
    );
}

#[test]
fn crd_list_map_keys_name_items_by_all_their_keys() {
    use fluxdeck::engine::patch::CrdSchema;
    let schema = CrdSchema::new(
        &json!({"type":"object","properties":{"spec":{"type":"object","properties":{
        "routes":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["zone","name"],
          "items":{"type":"object"}},
        "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
        "args":{"type":"array","items":{"type":"string"}}}}}}),
    );
    let config = json!({"apiVersion":"example.io/v1","kind":"Route","metadata":{"name":"r"},
        "spec":{"routes":[{"name":"a","zone":"eu","weight":1}],"tags":["x"],"args":["--v"]}});
    let out = apply(None, &config, "m", false, &schema, T1).unwrap();
    assert_eq!(
        out["metadata"]["managedFields"][0]["fieldsV1"].to_string(),
        r#"{"f:spec":{"f:args":{},"f:routes":{"k:{\"name\":\"a\",\"zone\":\"eu\"}":{".":{},"f:name":{},"f:weight":{},"f:zone":{}}},"f:tags":{"v:\"x\"":{}}}}"#
    );
}

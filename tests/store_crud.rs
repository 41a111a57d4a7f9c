//! CRUD, list and CRD registration against the Store API (in memory).

use fluxdeck::store::Store;
use fluxdeck::store::types::*;
use serde_json::{Value, json};

fn rt(s: &Store, g: &str, v: &str, plural: &str) -> ResourceType {
    s.resolve(g, v, plural)
        .unwrap_or_else(|| panic!("{g}/{v}/{plural} not served"))
}

fn wo(manager: &str) -> WriteOptions {
    WriteOptions {
        field_manager: Some(manager.into()),
        ..Default::default()
    }
}

fn cm(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
}

#[tokio::test]
async fn create_get_update_keep_kube_metadata() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "v1", "configmaps");
    let created = s
        .create(
            &cms,
            Some("default"),
            cm("a", json!({"k": "v"})),
            &wo("test"),
        )
        .await
        .unwrap();
    let m = &created["metadata"];
    assert_eq!(m["namespace"], "default");
    assert_eq!(m["generation"], 1);
    assert!(m["uid"].as_str().unwrap().len() == 36);
    assert!(m["creationTimestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(m["managedFields"][0]["manager"], "test");
    assert_eq!(m["managedFields"][0]["operation"], "Update");
    let rv1: u64 = m["resourceVersion"].as_str().unwrap().parse().unwrap();

    let got = s.get(&cms, Some("default"), "a").unwrap();
    assert_eq!(got, created);

    // same content: a no-op keeps the resourceVersion
    let same = s
        .replace(
            &cms,
            Some("default"),
            "a",
            got.clone(),
            Subresource::Main,
            &wo("test"),
        )
        .await
        .unwrap();
    assert_eq!(
        same["metadata"]["resourceVersion"],
        got["metadata"]["resourceVersion"]
    );

    let mut changed = got.clone();
    changed["data"]["k"] = json!("w");
    let updated = s
        .replace(
            &cms,
            Some("default"),
            "a",
            changed.clone(),
            Subresource::Main,
            &wo("test"),
        )
        .await
        .unwrap();
    let rv2: u64 = updated["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);
    assert_eq!(updated["metadata"]["generation"], 2);
    // the old resourceVersion is stale now
    let err = s
        .replace(
            &cms,
            Some("default"),
            "a",
            changed,
            Subresource::Main,
            &wo("test"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), 409);
    // no resourceVersion: unconditional
    let mut blind = cm("a", json!({"k": "x"}));
    blind["metadata"]["labels"] = json!({"l": "1"});
    let blind = s
        .replace(
            &cms,
            Some("default"),
            "a",
            blind,
            Subresource::Main,
            &wo("test"),
        )
        .await
        .unwrap();
    assert_eq!(blind["data"]["k"], "x");

    let dup = s
        .create(&cms, Some("default"), cm("a", json!({})), &wo("test"))
        .await
        .unwrap_err();
    assert_eq!((dup.code(), dup.reason()), (409, "AlreadyExists"));
}

#[tokio::test]
async fn namespaces_names_and_generate_name() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "v1", "configmaps");
    let err = s
        .create(&cms, Some("nope"), cm("a", json!({})), &wo("t"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), 404);
    assert!(
        err.to_string().contains("namespaces \"nope\" not found"),
        "{err}"
    );
    let err = s
        .create(&cms, Some("default"), cm("Bad_Name", json!({})), &wo("t"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), 422);
    let body = json!({"metadata": {"generateName": "web-"}, "data": {}});
    let made = s
        .create(&cms, Some("default"), body, &wo("t"))
        .await
        .unwrap();
    let name = made["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("web-") && name.len() == 9);
    let nss = rt(&s, "", "v1", "namespaces");
    let ns = s
        .create(
            &nss,
            None,
            json!({"metadata": {"name": "team-a"}}),
            &wo("t"),
        )
        .await
        .unwrap();
    assert_eq!(ns["status"]["phase"], "Active");
    assert_eq!(
        ns["metadata"]["labels"]["kubernetes.io/metadata.name"],
        "team-a"
    );
    assert!(ns["metadata"].get("namespace").is_none());
    let defaults = s.list(&nss, None, &ListOptions::default()).unwrap();
    let names: Vec<_> = defaults
        .items
        .iter()
        .map(|n| n["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"default".to_string()) && names.contains(&"kube-system".to_string()));
}

#[tokio::test]
async fn list_selectors_and_paging() {
    let s = Store::in_memory();
    let cms = rt(&s, "", "v1", "configmaps");
    for i in 0..25 {
        let mut o = cm(&format!("cm-{i:02}"), json!({}));
        o["metadata"]["labels"] = json!({"parity": if i % 2 == 0 { "even" } else { "odd" }});
        s.create(&cms, Some("default"), o, &wo("t")).await.unwrap();
    }
    let even = s
        .list(
            &cms,
            Some("default"),
            &ListOptions {
                label_selector: Some("parity=even".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(even.items.len(), 13);
    let by_name = s
        .list(
            &cms,
            None,
            &ListOptions {
                field_selector: Some("metadata.name=cm-03".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
    let bad = s
        .list(
            &cms,
            None,
            &ListOptions {
                field_selector: Some("spec.x=1".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(bad.code(), 400);

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = s
            .list(
                &cms,
                Some("default"),
                &ListOptions {
                    limit: Some(10),
                    continue_token: token.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        seen.extend(
            page.items
                .iter()
                .map(|i| i["metadata"]["name"].as_str().unwrap().to_string()),
        );
        if page.continue_token.is_none() {
            assert_eq!(page.remaining_item_count, None);
            break;
        }
        assert!(page.remaining_item_count.is_some());
        token = page.continue_token;
    }
    let expected: Vec<String> = (0..25).map(|i| format!("cm-{i:02}")).collect();
    assert_eq!(seen, expected);
}

fn widget_crd() -> Value {
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}})
}

#[tokio::test]
async fn crds_register_types_and_status_subresource() {
    let s = Store::in_memory();
    let crds = rt(
        &s,
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
    );
    let mut changes = s.catalog_changes();
    let before = *changes.borrow_and_update();
    let crd = s.create(&crds, None, widget_crd(), &wo("t")).await.unwrap();
    assert!(*changes.borrow() > before);
    let conds = crd["status"]["conditions"].as_array().unwrap();
    assert!(
        conds
            .iter()
            .any(|c| c["type"] == "Established" && c["status"] == "True")
    );
    assert_eq!(crd["status"]["acceptedNames"]["kind"], "Widget");
    let widgets = rt(&s, "example.com", "v1", "widgets");
    assert!(widgets.status_subresource);
    assert_eq!(
        widgets
            .printer_columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Name", "Age"]
    );

    let w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 1}, "status": {"ready": true}});
    let made = s
        .create(&widgets, Some("default"), w, &wo("t"))
        .await
        .unwrap();
    assert!(
        made.get("status").is_none(),
        "create ignores status when it is a subresource"
    );
    let mut st = made.clone();
    st["status"] = json!({"ready": true});
    st["spec"]["size"] = json!(5);
    let after = s
        .replace(
            &widgets,
            Some("default"),
            "w1",
            st,
            Subresource::Status,
            &wo("ctl"),
        )
        .await
        .unwrap();
    assert_eq!(after["status"]["ready"], true);
    assert_eq!(
        after["spec"]["size"], 1,
        "a status write changes only status"
    );
    assert_eq!(after["metadata"]["generation"], 1);
    let mut spec = after.clone();
    spec["spec"]["size"] = json!(2);
    spec["status"] = json!({"ready": false});
    let after = s
        .replace(
            &widgets,
            Some("default"),
            "w1",
            spec,
            Subresource::Main,
            &wo("t"),
        )
        .await
        .unwrap();
    assert_eq!(after["metadata"]["generation"], 2);
    assert_eq!(
        after["status"]["ready"], true,
        "a main write ignores status"
    );

    // a second CRD claiming the same short name is not accepted
    let mut other = widget_crd();
    other["metadata"]["name"] = json!("gadgets.example.com");
    other["spec"]["names"] = json!({"plural": "gadgets", "kind": "Gadget", "shortNames": ["wd"]});
    let other = s.create(&crds, None, other, &wo("t")).await.unwrap();
    let na = other["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "NamesAccepted")
        .unwrap()
        .clone();
    assert_eq!(na["status"], "False");
    assert!(s.resolve("example.com", "v1", "gadgets").is_none());

    // deleting the CRD takes the type and its objects
    let out = s
        .delete(
            &crds,
            None,
            "widgets.example.com",
            &DeleteOptions::default(),
        )
        .await
        .unwrap();
    assert!(matches!(out, DeleteOutcome::Deleted(_)));
    assert!(s.resolve("example.com", "v1", "widgets").is_none());
    let again = s.create(&crds, None, widget_crd(), &wo("t")).await.unwrap();
    assert_eq!(again["metadata"]["name"], "widgets.example.com");
    let widgets = rt(&s, "example.com", "v1", "widgets");
    assert!(
        s.list(&widgets, None, &ListOptions::default())
            .unwrap()
            .items
            .is_empty()
    );
}

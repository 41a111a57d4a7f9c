use super::*;

fn policies(ns: &str, name: &str) -> Option<ImageRef> {
    match (ns, name) {
        ("flux", "app") => ImageRef::parse("ghcr.io/org/app:1.2.0"),
        ("flux", "pinned") => ImageRef::parse("ghcr.io/org/app:1.2.0@sha256:abc"),
        ("flux", "numeric") => ImageRef::parse("repo/x:2"),
        _ => None,
    }
}

fn apply(text: &str) -> SetterResult {
    apply_setters_in("deploy.yaml", text, &policies).unwrap()
}

#[test]
fn multi_document_files_report_each_object() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: ns\nspec:\n  containers:\n  - image: old:1 # {\"$imagepolicy\": \"flux:app\"}\n---\n# second\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: old:1 # {\"$imagepolicy\": \"flux:app:tag\"}\n";
    let r = apply(text);
    assert_eq!(r.changes.len(), 2);
    assert_eq!(r.changes[0].object.to_string(), "v1/Pod ns/a");
    assert_eq!(r.changes[0].field, "spec.containers[0].image");
    assert_eq!(r.changes[1].object.kind, "Deployment");
    assert_eq!(r.changes[1].object.name, "b");
    assert_eq!(
        (
            r.changes[1].old_value.as_str(),
            r.changes[1].new_value.as_str()
        ),
        ("old:1", "1.2.0")
    );
    let expected = text
        .replacen("old:1 #", "ghcr.io/org/app:1.2.0 #", 1)
        .replacen("old:1 #", "1.2.0 #", 1);
    assert_eq!(r.new_text, expected);
}

#[test]
fn quoting_style_and_crlf_line_endings_are_kept() {
    let text = "a: 'old' # {\"$imagepolicy\": \"flux:app:name\"}\r\nb: \"old\"   #{\"$imagepolicy\":\"flux:pinned\"}\r\nc: old # {\"$imagepolicy\": \"flux:numeric:tag\"}\r\nd: keep\r\n";
    let r = apply(text);
    assert_eq!(
        r.new_text,
        "a: 'ghcr.io/org/app' # {\"$imagepolicy\": \"flux:app:name\"}\r\nb: \"ghcr.io/org/app:1.2.0@sha256:abc\"   #{\"$imagepolicy\":\"flux:pinned\"}\r\nc: \"2\" # {\"$imagepolicy\": \"flux:numeric:tag\"}\r\nd: keep\r\n"
    );
}

#[test]
fn flow_collections_and_sequence_head_comments() {
    let text = "images: [old, other] # {\"$imagepolicy\": \"flux:app\"}\nlist:\n  # {\"$imagepolicy\": \"flux:app:tag\"}\n  - v0\n  - v0 # not a setter\nm:\n  # {\"$imagepolicy\": \"flux:app:tag\"}\n  k: v0\n";
    let r = apply(text);
    // The flow sequence carries the comment, not a scalar; the mapping value's head comment
    // belongs to the key in kyaml. Only the sequence item with a head comment changes.
    assert_eq!(r.changes.len(), 1, "{:?}", r.changes);
    assert_eq!(r.changes[0].field, "list[0]");
    assert!(r.new_text.contains("  - 1.2.0\n  - v0 # not a setter\n"));
    let text = "x: {image: old # {\"$imagepolicy\": \"flux:app\"}\n  }\n";
    let r = apply(text);
    assert_eq!(r.changes.len(), 1);
    assert!(r.new_text.starts_with("x: {image: ghcr.io/org/app:1.2.0 #"));
}

#[test]
fn unknown_policies_and_bad_markers_are_reported_not_fatal() {
    let text = "a: x # {\"$imagepolicy\": \"other:app\"}\nb: y # {\"$imagepolicy\": \"flux\"}\nc: old:1 # {\"$imagepolicy\": \"flux:app\"}\n";
    let r = apply(text);
    assert_eq!(r.changes.len(), 1);
    assert_eq!(r.unapplied.len(), 2);
    assert_eq!(
        (r.unapplied[0].line, r.unapplied[0].marker.as_str()),
        (1, "other:app")
    );
    assert!(r.unapplied[1].reason.contains("not '<namespace>:<policy>'"));
}

#[test]
fn unchanged_values_and_files_without_markers() {
    let text = "image: ghcr.io/org/app:1.2.0 # {\"$imagepolicy\": \"flux:app\"}\n";
    let r = apply(text);
    assert!(r.changes.is_empty());
    assert_eq!(r.new_text, text);
    assert_eq!(apply("{ not: yaml: at all").new_text, "{ not: yaml: at all");
}

#[test]
fn malformed_yaml_is_an_error_with_position() {
    let text = "a: b\n  c: [1, 2\nimage: x # {\"$imagepolicy\": \"flux:app\"}\n";
    let err = apply_setters_in("dir/bad.yaml", text, &policies).unwrap_err();
    match &err {
        SetterError::Yaml { file, line, .. } => {
            assert_eq!((file.as_str(), *line > 0), ("dir/bad.yaml", true))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().starts_with("dir/bad.yaml:"), "{err}");
}

#[test]
fn candidates_strategy_and_image_refs() {
    assert!(is_setter_candidate(
        "a/b/deploy.yml",
        "x: y # {\"$imagepolicy\": \"a:b\"}"
    ));
    assert!(is_setter_candidate("Kustomization", "\"$imagepolicy\""));
    assert!(!is_setter_candidate("deploy.json", "\"$imagepolicy\""));
    assert!(!is_setter_candidate("deploy.yaml", "$imagepolicy"));
    assert!(check_update_strategy(Some(&serde_json::json!({"strategy": "Setters"}))).is_ok());
    assert!(check_update_strategy(Some(&serde_json::json!({}))).is_ok());
    assert_eq!(
        check_update_strategy(None),
        Err(SetterError::NoUpdateStrategy)
    );
    let r = ImageRef::parse("localhost:5000/app:v1@sha256:1").unwrap();
    assert_eq!(
        (r.name.as_str(), r.tag.as_str(), r.digest.as_deref()),
        ("localhost:5000/app", "v1", Some("sha256:1"))
    );
    assert_eq!(r.to_string(), "localhost:5000/app:v1@sha256:1");
}

#[test]
fn many_files_skip_non_candidates_and_record_problem_files() {
    let mut files = std::collections::BTreeMap::new();
    files.insert(
        "a.yaml".to_string(),
        "image: old # {\"$imagepolicy\": \"flux:app\"}\n".to_string(),
    );
    files.insert(
        "b.json".to_string(),
        "image: old # {\"$imagepolicy\": \"flux:app\"}\n".to_string(),
    );
    files.insert(
        "c.yml".to_string(),
        "image: [old # {\"$imagepolicy\": \"flux:app\"}\n".to_string(),
    );
    files.insert(
        "d.yaml".to_string(),
        "image: ghcr.io/org/app:1.2.0 # {\"$imagepolicy\": \"flux:app\"}\n".to_string(),
    );
    let result = apply_setters_to_files(&files, &policies);
    assert_eq!(result.changed.keys().collect::<Vec<_>>(), ["a.yaml"]);
    assert_eq!(result.changes.len(), 1);
    assert_eq!(result.changes[0].file, "a.yaml");
    assert_eq!(result.problems.len(), 1);
    assert!(
        result.problems[0].to_string().starts_with("c.yml:"),
        "{}",
        result.problems[0]
    );
}

use super::*;
use serde_json::json;

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn semver_keeps_the_original_tag_and_needs_three_parts() {
    let spec = PolicySpec::from_spec(&json!({"policy": {"semver": {"range": ">=1.0.0"}}})).unwrap();
    let got = select(
        &spec,
        &tags(&["v1.2", "v1.10.0", "1.9.0", "1.11", "latest"]),
    )
    .unwrap();
    assert_eq!(got.as_deref(), Some("v1.10.0"));
    let got = select(&spec, &tags(&["1.02.3", "1.2.2"])).unwrap();
    assert_eq!(got.as_deref(), Some("1.02.3"), "leading zeros are accepted");
    assert_eq!(select(&spec, &tags(&["0.1.0"])).unwrap(), None);
}

#[test]
fn extract_maps_back_and_later_duplicates_win() {
    let spec = PolicySpec::from_spec(&json!({
        "policy": {"numerical": {"order": "asc"}},
        "filterTags": {"pattern": "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", "extract": "$ts"}
    }))
    .unwrap();
    let list = tags(&["main-abc-100", "main-def-300", "dev-x-900", "main-fff-300"]);
    assert_eq!(
        select(&spec, &list).unwrap().as_deref(),
        Some("main-fff-300")
    );
}

#[test]
fn invalid_specs_are_rejected() {
    assert_eq!(
        PolicySpec::from_spec(&json!({"policy": {}})).unwrap_err(),
        PolicyError::NoPolicy
    );
    let both = json!({"policy": {"semver": {"range": "*"}, "numerical": {}}});
    assert_eq!(
        PolicySpec::from_spec(&both).unwrap_err(),
        PolicyError::NoPolicy
    );
    let bad = json!({"policy": {"alphabetical": {"order": "up"}}});
    assert!(matches!(
        PolicySpec::from_spec(&bad),
        Err(PolicyError::InvalidOrder { .. })
    ));
    let bad = json!({"policy": {"semver": {"range": "1.x"}}, "filterTags": {"pattern": "(["}});
    assert!(matches!(
        PolicySpec::from_spec(&bad),
        Err(PolicyError::InvalidPattern { .. })
    ));
    let numeric = PolicySpec::from_spec(&json!({"policy": {"numerical": {}}})).unwrap();
    assert_eq!(
        select(&numeric, &tags(&["1", "x"]))
            .unwrap_err()
            .to_string(),
        "failed to parse invalid numeric value 'x'"
    );
    assert_eq!(
        select(&numeric, &[]).unwrap_err(),
        PolicyError::EmptyTagList
    );
}

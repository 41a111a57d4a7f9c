use super::*;
use serde_json::json;

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn only_braced_references_expand_and_dollar_dollar_escapes() {
    let v = vars(&[("a", "x")]);
    assert_eq!(
        expand("$a ${a} $${a} $$a", &v, true).unwrap(),
        "$a x ${a} $a"
    );
    assert_eq!(expand(r"C:\path ${a}", &v, true).unwrap(), r"C:\path x");
}

#[test]
fn strict_mode_names_the_missing_variable() {
    let err = expand("image: ${registry}/app", &vars(&[]), true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "variable not set (strict mode): \"registry\""
    );
    assert_eq!(
        expand("image: ${registry}/app", &vars(&[]), false).unwrap(),
        "image: /app"
    );
    assert_eq!(
        expand("${registry:-ghcr.io}/app", &vars(&[]), true).unwrap(),
        "ghcr.io/app"
    );
    // A default is only evaluated when needed, so its own references may be unset.
    assert_eq!(
        expand("${a:=${unset}}", &vars(&[("a", "set")]), true).unwrap(),
        "set"
    );
}

#[test]
fn glob_trims_and_substrings() {
    let v = vars(&[("f", "a/b.tar.gz")]);
    assert_eq!(
        expand("${f%.*}|${f%%.*}|${f#*.}|${f##*[./]}", &v, true).unwrap(),
        "a/b.tar|a/b|tar.gz|gz"
    );
    assert_eq!(
        expand("${f:2:3}|${f: -2}|${f:0:-3}", &v, true).unwrap(),
        "b.t|gz|a/b.tar"
    );
    assert_eq!(expand("${f//}", &v, true).unwrap(), "a/b.tar.gz");
}

#[test]
fn malformed_expressions_are_errors() {
    for bad in ["${", "${a", "${}", "${a+x}", "${a:?x}"] {
        assert!(
            matches!(
                expand(bad, &vars(&[("a", "1")]), false),
                Err(SubstError::BadSubstitution { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn resources_round_trip_through_yaml_and_honour_the_opt_out() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"port": "${port}", "empty": "${empty}"}});
    let out = substitute_resource(&obj, &vars(&[("port", "\"80\""), ("empty", "")]), true).unwrap();
    assert_eq!(out["data"], json!({"port": "80", "empty": null}));
    let mut disabled = obj.clone();
    disabled["metadata"]["annotations"] = json!({DISABLE_KEY: DISABLED_VALUE});
    assert_eq!(
        substitute_resource(&disabled, &vars(&[]), true).unwrap(),
        disabled
    );
    let err = substitute_resource(&obj, &vars(&[]), true)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("post build failed for 'v1, Kind=ConfigMap/c'"),
        "{err}"
    );
    // The text is go-yaml v2 output (sorted keys, as sigs.k8s.io/yaml JSONToYAML writes
    // it), so the first unset variable met is the one under `empty`.
    assert!(
        err.contains("variable not set (strict mode): \"empty\""),
        "{err}"
    );
}

#[test]
fn vars_merge_in_order_and_are_validated() {
    let cm =
        json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1", "y": "l1\nl2"}});
    let secret = json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"x": "Mg=="}});
    let got = collect_vars(&[&cm, &secret], Some(&json!({"z": "3"}))).unwrap();
    assert_eq!(got, vars(&[("x", "2"), ("y", "l1l2"), ("z", "3")]));
    let bad = json!({"kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"my-var": "1"}});
    assert_eq!(
        collect_vars(&[&bad], None).unwrap_err(),
        SubstError::InvalidVarName("my-var".into())
    );
}

#[test]
fn yaml_1_1_words_stay_strings_through_substitution() {
    let obj = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s",
        "labels": {"enabled": "yes", "mode": "on", "n": "0644"}}, "data": {"k": "${v}"}});
    let out = substitute_resource(&obj, &vars(&[("v", "x")]), true).unwrap();
    assert_eq!(out["metadata"]["labels"], obj["metadata"]["labels"]);
    assert_eq!(out["data"]["k"], "x");
}

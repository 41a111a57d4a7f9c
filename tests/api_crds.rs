//! Every CRD shipped in crds/ loads, and every served version's schema is usable by the
//! structural-schema engine (types known, patterns compile, defaults validate).

use fluxdeck::api::crds;
use fluxdeck::engine::schema::check_schema;
use serde_json::Value;
use std::path::Path;

fn crd_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crds");
    let mut files = Vec::new();
    for dir in ["current", "v2.7", "extra"] {
        let mut entries: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        {
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            files.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    files
}

#[test]
fn all_crds_load_and_every_served_schema_is_usable() {
    let files = crd_files();
    assert_eq!(files.len(), 14 + 14 + 4, "current + v2.7 + extra");
    let mut versions_checked = 0;
    for (file, text) in &files {
        let docs = crds::parse_crds(file, text).unwrap_or_else(|e| panic!("{e}"));
        for crd in &docs {
            for version in crds::served_versions(crd) {
                let schema = crds::version_schema(crd, version).unwrap_or_else(|| {
                    panic!("{file}: served version {version} has no openAPIV3Schema")
                });
                let problems = check_schema(schema);
                assert!(problems.is_empty(), "{file} {version}: {problems:#?}");
                versions_checked += 1;
            }
        }
    }
    // 14 current + 27 at v2.7 + IUA v0.41.2 (2) + ESO (2) + Flagger (3).
    assert_eq!(versions_checked, 14 + 27 + 2 + 2 + 3);
}

#[test]
fn shipped_copies_match_the_shared_data() {
    for (file, text) in crd_files() {
        let (dir, name) = file.split_once('/').unwrap();
        let shared = match dir {
            "current" => "crds",
            "v2.7" => "crds-v2.7",
            _ => "crds-extra",
        };
        let original = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/flux")
            .join(shared)
            .join(name);
        if let Ok(original) = std::fs::read_to_string(&original) {
            assert_eq!(original, text, "{file} differs from {}", original.len());
        }
    }
}

#[test]
fn embedded_set_serves_old_versions_without_storing_them() {
    let embedded = crds::try_embedded().unwrap();
    assert_eq!(
        embedded.len(),
        15,
        "14 Flux CRDs and source-watcher's ArtifactGenerator"
    );
    let iua = embedded
        .iter()
        .find(|c| {
            c.pointer("/metadata/name").and_then(Value::as_str)
                == Some("imageupdateautomations.image.toolkit.fluxcd.io")
        })
        .unwrap();
    let names: Vec<(&str, bool)> = crds::versions(iua)
        .iter()
        .map(|v| (v["name"].as_str().unwrap(), v["storage"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        names,
        [("v1", true), ("v1beta2", false), ("v1beta1", false)]
    );
    for crd in &embedded {
        for version in crds::served_versions(crd) {
            assert!(check_schema(crds::version_schema(crd, version).unwrap()).is_empty());
        }
    }
    assert_eq!(
        crds::embedded(),
        embedded,
        "the cached copy is the same set"
    );
}

#[test]
fn the_kinds_table_agrees_with_the_crds() {
    use fluxdeck::api::FluxKind;
    let current = crds::current().unwrap();
    let embedded = crds::try_embedded().unwrap();
    for kind in FluxKind::ALL {
        let info = kind.info();
        let find = |set: &[Value]| {
            set.iter()
                .find(|c| c.pointer("/spec/names/kind").and_then(Value::as_str) == Some(info.kind))
                .cloned()
                .unwrap_or_else(|| panic!("no CRD for {kind}"))
        };
        let crd = find(&current);
        assert_eq!(crd["spec"]["group"], info.group, "{kind}");
        assert_eq!(crd["spec"]["names"]["plural"], info.plural, "{kind}");
        assert_eq!(crd["spec"]["names"]["singular"], info.singular, "{kind}");
        assert_eq!(crd["spec"]["scope"], "Namespaced", "{kind}");
        let short: Vec<&str> = crd["spec"]["names"]["shortNames"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(short, info.short_names, "{kind}");
        assert_eq!(
            crds::served_versions(&crd),
            [info.version],
            "{kind}: current Flux serves one version"
        );
        let all = find(&embedded);
        let older: Vec<&str> = crds::served_versions(&all)
            .into_iter()
            .filter(|v| *v != info.version)
            .collect();
        assert_eq!(older, info.older_versions, "{kind}: older versions");
        let has_suspend = crds::version_schema(&crd, info.version)
            .unwrap()
            .pointer("/properties/spec/properties/suspend")
            .is_some();
        assert_eq!(has_suspend, info.suspendable, "{kind}: suspendable");
        let schema = crds::version_schema(&crd, info.version).unwrap();
        let has = |p: &str| schema.pointer(p).is_some();
        assert_eq!(
            has("/properties/status/properties/artifact"),
            info.has_artifact,
            "{kind}: artifact"
        );
        assert_eq!(
            has("/properties/status/properties/inventory"),
            info.has_inventory,
            "{kind}: inventory"
        );
        assert_eq!(!has("/properties/status"), info.is_static, "{kind}: static");
    }
}

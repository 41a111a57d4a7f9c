//! `fluxdeck diff fleet --repo PATH_OR_URL --from REF --to REF [--cluster-path clusters/X]`:
//! a PR preview without a cluster. The fleet is rendered at both revisions the way its
//! Kustomizations would build it (`controllers::kustomize::desired::build_offline`): starting
//! at the cluster path (as the bootstrap Kustomization does), then every Kustomization found
//! in what was built, with its source resolved offline (`fleet_sources`), its postBuild
//! variables from the fleet's own ConfigMaps/Secrets. The two renderings are compared per
//! Kustomization with `engine::diff` (Secret values masked). Exit 0 no change, 1 changes,
//! 2 error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::desired_tree::{Scratch, checkout};
use super::fleet_sources::{Resolver, Unresolved};
use crate::cli::{DiffFleetArgs, DiffOutput};
use crate::controllers::kustomize::desired;
use crate::engine::diff::{self, Report, render};

fn text<'a>(o: &'a Value, p: &str) -> &'a str {
    o.pointer(p).and_then(Value::as_str).unwrap_or("")
}

/// One Kustomization rendered at one revision.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub ks: Value,
    pub objects: Vec<Value>,
}

/// The whole fleet at one revision: Kustomizations by `ns/name`, in discovery order.
#[derive(Debug, Default)]
pub struct Fleet {
    pub order: Vec<String>,
    pub kustomizations: BTreeMap<String, Rendered>,
    pub warnings: Vec<String>,
}

fn is_kustomization(o: &Value) -> bool {
    text(o, "/kind") == "Kustomization" && text(o, "/apiVersion").starts_with("kustomize.toolkit")
}

fn key_of(ks: &Value) -> String {
    format!(
        "{}/{}",
        text(ks, "/metadata/namespace"),
        text(ks, "/metadata/name")
    )
}

/// The bootstrap Kustomization `flux bootstrap` would create for `cluster_path`.
fn root_kustomization(cluster_path: &str) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "flux-system", "namespace": "flux-system"},
        "spec": {"path": cluster_path, "prune": true,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
    })
}

/// Render the fleet checked out at `tree`.
pub async fn render_fleet(
    tree: &Path,
    repo_url: &str,
    cluster_path: &str,
    scratch: &Path,
) -> Result<Fleet, String> {
    let mut fleet = Fleet::default();
    let mut queue = vec![root_kustomization(cluster_path)];
    let mut all: Vec<Value> = Vec::new();
    let mut n = 0usize;
    // Sources defined by a later Kustomization make an earlier one wait; stop when a whole
    // pass makes no progress.
    let mut waiting: Vec<Value> = Vec::new();
    loop {
        let mut progressed = false;
        while let Some(ks) = queue.pop() {
            let key = key_of(&ks);
            if fleet.kustomizations.contains_key(&key) {
                continue;
            }
            let src = ks
                .pointer("/spec/sourceRef")
                .cloned()
                .unwrap_or(Value::Null);
            let src_ns = Some(text(&src, "/namespace"))
                .filter(|s| !s.is_empty())
                .unwrap_or(text(&ks, "/metadata/namespace"))
                .to_string();
            let resolver = Resolver {
                repo_tree: tree,
                repo_url,
                objects: &all,
                scratch,
            };
            let dir = match resolver.source_dir(text(&src, "/kind"), &src_ns, text(&src, "/name")) {
                Ok(d) => d,
                Err(None) => {
                    waiting.push(ks);
                    continue;
                }
                Err(Some(Unresolved(why))) => {
                    fleet.warnings.push(format!("Kustomization {key}: {why}"));
                    continue;
                }
            };
            // The build writes a kustomization.yaml: give each Kustomization its own copy.
            n += 1;
            let work = scratch.join(format!("ks-{n}"));
            super::desired_tree::copy_tree(&dir, &work)?;
            let (objects, missing) = desired::build_offline(&ks, &work, &all)
                .await
                .map_err(|f| format!("Kustomization {key}: {}: {}", f.reason, f.message))?;
            for m in missing {
                fleet.warnings.push(format!(
                    "Kustomization {key}: postBuild.substituteFrom {m} is not defined in the repository: its variables are not substituted"
                ));
            }
            for o in objects.iter().filter(|o| is_kustomization(o)) {
                queue.push(o.clone());
            }
            all.extend(objects.iter().cloned());
            fleet.order.push(key.clone());
            fleet.kustomizations.insert(key, Rendered { ks, objects });
            progressed = true;
        }
        if waiting.is_empty() || !progressed {
            break;
        }
        queue.append(&mut waiting);
    }
    for ks in waiting {
        let src = ks
            .pointer("/spec/sourceRef")
            .cloned()
            .unwrap_or(Value::Null);
        fleet.warnings.push(format!(
            "Kustomization {}: source {}/{} is not defined in the repository: not rendered",
            key_of(&ks),
            text(&src, "/kind"),
            text(&src, "/name")
        ));
    }
    Ok(fleet)
}

fn prunes(ks: &Value) -> bool {
    ks.pointer("/spec/prune").and_then(Value::as_bool) == Some(true)
}

/// What moving the fleet from `before` to `after` changes, per Kustomization (in the order
/// they are discovered at `after`, then Kustomizations that disappear).
pub fn compare(before: &Fleet, after: &Fleet) -> Vec<(String, Report)> {
    let mut keys: Vec<&String> = after.order.iter().collect();
    keys.extend(
        before
            .order
            .iter()
            .filter(|k| !after.kustomizations.contains_key(*k)),
    );
    let mut out = Vec::new();
    for key in keys {
        let old = before.kustomizations.get(key);
        let new = after.kustomizations.get(key);
        let old_objects: BTreeMap<String, &Value> = old
            .map(|r| r.objects.iter().map(|o| (diff::subject_of(o), o)).collect())
            .unwrap_or_default();
        let mut report = Report::default();
        let mut seen = BTreeSet::new();
        for o in new.map(|r| r.objects.as_slice()).unwrap_or_default() {
            let subject = diff::subject_of(o);
            let prev = old_objects.get(&subject).copied();
            report.objects.push(diff::compare(o, None, prev));
            seen.insert(subject);
        }
        // Removed from Git: pruned only when the (new, or deleted) Kustomization prunes.
        let pruning = match (new, old) {
            (Some(n), _) => prunes(&n.ks),
            (None, Some(o)) => prunes(&o.ks),
            (None, None) => false,
        };
        if pruning {
            for (subject, o) in &old_objects {
                if !seen.contains(subject) {
                    report.objects.push(diff::pruned(subject.clone(), Some(o)));
                }
            }
        }
        out.push((key.clone(), report));
    }
    out
}

fn default_cluster_path(tree: &Path) -> Result<String, String> {
    let clusters = tree.join("clusters");
    let names: Vec<String> = std::fs::read_dir(&clusters)
        .map_err(|_| "--cluster-path is required (the repository has no clusters/ directory)")?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    match names.as_slice() {
        [one] => Ok(format!("clusters/{one}")),
        many => Err(format!(
            "--cluster-path is required: clusters/ has {} (e.g. --cluster-path clusters/{})",
            many.join(", "),
            many.first().map(String::as_str).unwrap_or("NAME")
        )),
    }
}

fn title(key: &str, r: Option<&Rendered>) -> String {
    let path = r.map(|r| text(&r.ks, "/spec/path")).unwrap_or("");
    if path.is_empty() {
        format!("Kustomization {key}")
    } else {
        format!("Kustomization {key} (path {path})")
    }
}

async fn both(args: &DiffFleetArgs) -> Result<(Fleet, Fleet, String), String> {
    let scratch = Scratch::new()?;
    let mut fleets = Vec::new();
    let mut cluster_path = args.cluster_path.clone();
    for (side, rev) in [("from", &args.from), ("to", &args.to)] {
        let tree: PathBuf = scratch.0.join(side).join("repo");
        checkout(&args.repo, rev, &tree)?;
        let cp = match &cluster_path {
            Some(c) => c.clone(),
            None => default_cluster_path(&tree)?,
        };
        cluster_path = Some(cp.clone());
        let work = scratch.0.join(side).join("work");
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let fleet = render_fleet(&tree, &args.repo, &cp, &work)
            .await
            .map_err(|e| format!("at {rev}: {e}"))?;
        fleets.push(fleet);
    }
    let after = fleets.pop().unwrap_or_default();
    let before = fleets.pop().unwrap_or_default();
    Ok((before, after, cluster_path.unwrap_or_default()))
}

pub async fn run(args: &DiffFleetArgs, fail_glyph: &str) -> i32 {
    let (before, after, cluster_path) = match both(args).await {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{fail_glyph} {e}");
            return 2;
        }
    };
    let reports = compare(&before, &after);
    let mut warnings = before.warnings.clone();
    warnings.extend(
        after
            .warnings
            .iter()
            .filter(|w| !warnings.contains(w))
            .cloned()
            .collect::<Vec<_>>(),
    );
    let changed: Vec<&(String, Report)> = reports.iter().filter(|(_, r)| r.has_changes()).collect();
    let rendered = |k: &str| after.kustomizations.get(k).or(before.kustomizations.get(k));
    match args.output {
        DiffOutput::Text => {
            for (key, report) in &changed {
                println!("► {}", title(key, rendered(key)));
                print!("{}", render::text(report));
                println!();
            }
            println!("{}", summary(&reports));
            for w in &warnings {
                println!("⚠ {w}");
            }
        }
        DiffOutput::Markdown => {
            println!(
                "## fluxdeck diff fleet `{}` → `{}` ({cluster_path})\n",
                args.from, args.to
            );
            println!("{}\n", summary(&reports));
            for (key, report) in &changed {
                print!("{}", render::markdown(&title(key, rendered(key)), report));
                println!();
            }
            for w in &warnings {
                println!("> ⚠ {w}");
            }
        }
        DiffOutput::Json => {
            let items: Vec<Value> = reports
                .iter()
                .map(|(key, report)| {
                    json!({"kustomization": key,
                           "path": rendered(key).map(|r| text(&r.ks, "/spec/path")).unwrap_or(""),
                           "changes": report.has_changes(),
                           "report": render::json(report)})
                })
                .collect();
            let doc = json!({"from": args.from, "to": args.to, "clusterPath": cluster_path,
                             "kustomizations": items, "warnings": warnings});
            println!("{doc:#}");
        }
    }
    if changed.is_empty() { 0 } else { 1 }
}

/// "2 of 5 Kustomizations change: 1 object created, 2 changed, 1 deleted".
pub fn summary(reports: &[(String, Report)]) -> String {
    let (mut created, mut drifted, mut deleted, mut changed) = (0, 0, 0, 0);
    for (_, r) in reports {
        let c = r.counts();
        created += c.created;
        drifted += c.drifted;
        deleted += c.deleted;
        changed += usize::from(r.has_changes());
    }
    if changed == 0 {
        return format!(
            "No changes: {} Kustomizations render the same objects.",
            reports.len()
        );
    }
    format!(
        "{changed} of {} Kustomizations change: {created} objects created, {drifted} changed, {deleted} deleted.",
        reports.len()
    )
}

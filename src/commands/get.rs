//! `fluxdeck get [all|KIND] [NAME] [-A|-n NS] [-o table|yaml|json] [--watch]`.

use futures::StreamExt;
use kube::api::ListParams;
use kube::runtime::watcher;
use serde_json::{Value, json};

use super::table::{headers, matches_status_selector, render, row};
use super::{CommandError, Ctx, obj_name, obj_namespace};
use crate::cli::{GetArgs, Output};
use crate::cluster::kinds::{KindName, Served, all_flux_kinds, parse_flux_kind};
use crate::engine::yaml;

struct Section {
    kind: String,
    objects: Vec<Value>,
}

pub async fn run(ctx: &Ctx, args: &GetArgs) -> Result<i32, CommandError> {
    let all = args.words.is_empty() || args.words[0].eq_ignore_ascii_case("all");
    let (kinds, name): (Vec<KindName>, Option<String>) = if all {
        (all_flux_kinds(), args.words.get(1).cloned())
    } else {
        let (kind, used) = parse_flux_kind(&args.words).ok_or_else(|| {
            CommandError::Usage(format!(
                "unknown kind {:?}: try ks, hr, source git, image policy, all",
                args.words.join(" ")
            ))
        })?;
        (vec![kind], args.words.get(used).cloned())
    };
    let served = ctx.served().await?;
    if args.watch {
        let kind = kinds
            .first()
            .ok_or_else(|| CommandError::Usage("nothing to watch".into()))?;
        return watch(ctx, &served, kind, args).await;
    }
    let mut sections = Vec::new();
    for kind in &kinds {
        let (ar, caps) = match served.resolve(kind) {
            Ok(found) => found,
            Err(_) if all => continue,
            Err(e) => return Err(e.into()),
        };
        let api = ctx.api(&ar, Served::is_namespaced(&caps), args.all_namespaces);
        let mut params = ListParams::default();
        if let Some(n) = &name {
            params = params.fields(&format!("metadata.name={n}"));
        }
        let mut objects = ctx.list(&api, &params).await?;
        if let Some(sel) = &args.status_selector {
            objects.retain(|o| matches_status_selector(o, sel));
        }
        sort_objects(&mut objects);
        sections.push(Section {
            kind: kind.kind.clone(),
            objects,
        });
    }
    if sections.iter().all(|s| s.objects.is_empty()) {
        let scope = if args.all_namespaces {
            "any".to_string()
        } else {
            ctx.namespace.clone()
        };
        let what = match (&name, kinds.as_slice()) {
            (Some(n), [k]) => format!("{} '{n}'", k.kind),
            (None, [k]) => format!("{} objects", k.kind),
            _ => "Flux objects".to_string(),
        };
        eprintln!("{} no {what} found in {scope} namespace", ctx.glyph_fail());
        return Ok(if name.is_some() { 1 } else { 0 });
    }
    print!(
        "{}",
        format_sections(&sections, args.output, all, args.all_namespaces)?
    );
    Ok(0)
}

fn sort_objects(objects: &mut [Value]) {
    objects.sort_by(|a, b| (obj_namespace(a), obj_name(a)).cmp(&(obj_namespace(b), obj_name(b))));
}

fn format_sections(
    sections: &[Section],
    output: Output,
    prefixed: bool,
    all_ns: bool,
) -> Result<String, CommandError> {
    match output {
        Output::Table => {
            let mut blocks = Vec::new();
            for s in sections.iter().filter(|s| !s.objects.is_empty()) {
                blocks.push(table_for(&s.kind, &s.objects, prefixed, all_ns));
            }
            Ok(blocks.join("\n"))
        }
        Output::Json | Output::Yaml => {
            let items: Vec<&Value> = sections.iter().flat_map(|s| s.objects.iter()).collect();
            let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
            if output == Output::Json {
                serde_json::to_string_pretty(&list)
                    .map(|s| s + "\n")
                    .map_err(|e| CommandError::Render(e.to_string()))
            } else {
                yaml::to_string(&list).map_err(|e| CommandError::Render(e.to_string()))
            }
        }
    }
}

/// One kind's table; with `get all` names carry a `kind/` prefix, with -A a NAMESPACE column leads.
pub fn table_for(kind: &str, objects: &[Value], prefixed: bool, all_ns: bool) -> String {
    let mut hdr = headers(kind);
    if all_ns {
        hdr.insert(0, "NAMESPACE");
    }
    let rows: Vec<Vec<String>> = objects
        .iter()
        .map(|o| {
            let name = if prefixed {
                format!("{}/{}", kind.to_ascii_lowercase(), obj_name(o))
            } else {
                obj_name(o).to_string()
            };
            let mut r = row(o, &name);
            if all_ns {
                r.insert(0, obj_namespace(o).to_string());
            }
            r
        })
        .collect();
    render(&hdr, &rows)
}

async fn watch(
    ctx: &Ctx,
    served: &Served,
    kind: &KindName,
    args: &GetArgs,
) -> Result<i32, CommandError> {
    let (ar, caps) = served.resolve(kind)?;
    let api = ctx.api(&ar, Served::is_namespaced(&caps), args.all_namespaces);
    let mut hdr = headers(&kind.kind);
    if args.all_namespaces {
        hdr.insert(0, "NAMESPACE");
    }
    println!("{}", hdr.join("\t"));
    let mut stream = watcher(api, watcher::Config::default()).boxed();
    while let Some(event) = stream.next().await {
        let obj = match event {
            Ok(watcher::Event::Apply(o)) | Ok(watcher::Event::InitApply(o)) => o,
            Ok(_) => continue,
            Err(e) => {
                eprintln!("{} watch error: {e}", ctx.glyph_fail());
                continue;
            }
        };
        let v = serde_json::to_value(obj).unwrap_or(Value::Null);
        let mut r = row(&v, obj_name(&v));
        if args.all_namespaces {
            r.insert(0, obj_namespace(&v).to_string());
        }
        println!("{}", r.join("\t"));
    }
    Ok(0)
}

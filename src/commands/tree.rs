//! `fluxdeck tree kustomization NAME [--compact] [-o json|yaml]`: the managed objects of a
//! Kustomization from its inventory, nested Kustomizations expanded, drawn like `flux tree`.

use serde::Serialize;
use serde_json::Value;

use super::{CommandError, Ctx};
use crate::api::meta::inventory::ObjMetadata;
use crate::cli::{Output, TreeArgs};
use crate::cluster::kinds::{KindName, Served, parse_flux_kind};
use crate::engine::yaml;

/// A node of the tree, in the JSON shape `flux tree -o json` prints (Go field names).
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    #[serde(rename = "resource")]
    pub resource: ObjMeta,
    #[serde(rename = "resources", skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjMeta {
    #[serde(rename = "Namespace")]
    pub namespace: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "GroupKind")]
    pub group_kind: GroupKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupKind {
    #[serde(rename = "Group")]
    pub group: String,
    #[serde(rename = "Kind")]
    pub kind: String,
}

impl ObjMeta {
    fn label(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.group_kind.kind, self.name)
        } else {
            format!("{}/{}/{}", self.group_kind.kind, self.namespace, self.name)
        }
    }
}

/// Draw the tree with `├── └── │` (or ASCII `|-- \-- |`).
pub fn draw(root: &Node, ascii: bool) -> String {
    let mut out = format!("{}\n", root.resource.label());
    draw_children(&root.children, "", ascii, &mut out);
    out
}

fn draw_children(children: &[Node], prefix: &str, ascii: bool, out: &mut String) {
    let (tee, elbow, pipe) = if ascii {
        ("|-- ", "`-- ", "|   ")
    } else {
        ("├── ", "└── ", "│   ")
    };
    for (i, child) in children.iter().enumerate() {
        let last = i + 1 == children.len();
        out.push_str(prefix);
        out.push_str(if last { elbow } else { tee });
        out.push_str(&child.resource.label());
        out.push('\n');
        let next = format!("{prefix}{}", if last { "    " } else { pipe });
        draw_children(&child.children, &next, ascii, out);
    }
}

fn meta_of(obj: &Value, group: &str) -> ObjMeta {
    let s = |p: &str| {
        obj.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    ObjMeta {
        namespace: s("/metadata/namespace"),
        name: s("/metadata/name"),
        group_kind: GroupKind {
            group: group.into(),
            kind: s("/kind"),
        },
    }
}

/// Build the node of a Kustomization from its inventory, expanding nested Kustomizations.
async fn build(
    ctx: &Ctx,
    served: &Served,
    ks: &Value,
    compact: bool,
    depth: usize,
) -> Result<Node, CommandError> {
    let mut node = Node {
        resource: meta_of(ks, "kustomize.toolkit.fluxcd.io"),
        children: Vec::new(),
    };
    let entries = ks
        .pointer("/status/inventory/entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let remote = ks.pointer("/spec/kubeConfig").is_some();
    for entry in entries {
        let Some(id) = entry
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| id.parse::<ObjMetadata>().ok())
        else {
            continue;
        };
        if compact && !id.group.contains("toolkit.fluxcd.io") {
            continue;
        }
        let meta = ObjMeta {
            namespace: id.namespace.clone(),
            name: id.name.clone(),
            group_kind: GroupKind {
                group: id.group.clone(),
                kind: id.kind.clone(),
            },
        };
        let same_as_root = id.kind == "Kustomization"
            && meta.name == node.resource.name
            && meta.namespace == node.resource.namespace;
        if same_as_root {
            continue;
        }
        let mut child = Node {
            resource: meta,
            children: Vec::new(),
        };
        if id.kind == "Kustomization"
            && id.group == "kustomize.toolkit.fluxcd.io"
            && !remote
            && depth < 32
        {
            let kind = KindName {
                group: id.group.clone(),
                kind: id.kind.clone(),
            };
            if let Ok((ar, _)) = served.resolve(&kind) {
                let api = kube::Api::<kube::api::DynamicObject>::namespaced_with(
                    ctx.client.clone(),
                    &id.namespace,
                    &ar,
                );
                if let Ok(Some(obj)) = api.get_opt(&id.name).await {
                    let v = serde_json::to_value(obj).unwrap_or_default();
                    child = Box::pin(build(ctx, served, &v, compact, depth + 1)).await?;
                }
            }
        }
        node.children.push(child);
    }
    Ok(node)
}

pub async fn run(ctx: &Ctx, args: &TreeArgs) -> Result<i32, CommandError> {
    let (kind, used) = parse_flux_kind(&args.words)
        .filter(|(k, _)| k.kind == "Kustomization")
        .ok_or_else(|| CommandError::Usage("usage: fluxdeck tree kustomization NAME".into()))?;
    let name = args
        .words
        .get(used)
        .ok_or_else(|| CommandError::Usage("Kustomization name is required".into()))?;
    let served = ctx.served().await?;
    let (ar, _) = served.resolve(&kind)?;
    let api = kube::Api::<kube::api::DynamicObject>::namespaced_with(
        ctx.client.clone(),
        &ctx.namespace,
        &ar,
    );
    let Some(root) = api.get_opt(name).await? else {
        eprintln!(
            "{} Kustomization '{name}' not found in {} namespace",
            ctx.glyph_fail(),
            ctx.namespace
        );
        return Ok(1);
    };
    let root = serde_json::to_value(root).unwrap_or_default();
    let tree = build(ctx, &served, &root, args.compact, 0).await?;
    let text = match args.output {
        Output::Table => draw(&tree, ctx.ascii) + "\n",
        Output::Json => {
            serde_json::to_string_pretty(&tree).map_err(|e| CommandError::Render(e.to_string()))?
                + "\n"
        }
        Output::Yaml => yaml::to_string(&tree).map_err(|e| CommandError::Render(e.to_string()))?,
    };
    print!("{text}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(kind: &str, ns: &str, name: &str) -> Node {
        Node {
            resource: ObjMeta {
                namespace: ns.into(),
                name: name.into(),
                group_kind: GroupKind {
                    group: String::new(),
                    kind: kind.into(),
                },
            },
            children: vec![],
        }
    }

    #[test]
    fn draws_like_flux_tree() {
        let mut infra = leaf("Kustomization", "flux-system", "infrastructure");
        infra.children = vec![
            leaf("Namespace", "", "cert-manager"),
            leaf("HelmRepository", "cert-manager", "cert-manager"),
        ];
        let mut root = leaf("Kustomization", "flux-system", "flux-system");
        root.children = vec![
            leaf("Namespace", "", "flux-system"),
            infra,
            leaf("GitRepository", "flux-system", "flux-system"),
        ];
        let expected = "Kustomization/flux-system/flux-system\n├── Namespace/flux-system\n├── Kustomization/flux-system/infrastructure\n│   ├── Namespace/cert-manager\n│   └── HelmRepository/cert-manager/cert-manager\n└── GitRepository/flux-system/flux-system\n";
        assert_eq!(draw(&root, false), expected);
    }
}

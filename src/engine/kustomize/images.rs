//! The images transformer: rewrite container image references (name, tag, digest) in every
//! `containers`/`initContainers` list anywhere in a resource and in the configured fields.

use super::fieldspec::{self, FieldSpec};
use super::kustfile::ImageEntry;
use super::resource::Resource;
use regex::Regex;
use serde_json::Value;

/// Split `registry/name:tag@digest`; a `:` in the registry part (a port) is not a tag.
pub fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0).unwrap_or(0);
    let search = &image[slash..];
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (c, Some(a)) if c.is_none_or(|c| a < c) => {
            let a = a + slash;
            (
                image[..a].to_string(),
                String::new(),
                image[a + 1..].to_string(),
            )
        }
        (Some(c), Some(a)) => {
            let (c, a) = (c + slash, a + slash);
            (
                image[..c].to_string(),
                image[c + 1..a].to_string(),
                image[a + 1..].to_string(),
            )
        }
        (Some(c), None) => {
            let c = c + slash;
            (
                image[..c].to_string(),
                image[c + 1..].to_string(),
                String::new(),
            )
        }
        (None, Some(_)) => (image.to_string(), String::new(), String::new()),
    }
}

struct Updater {
    entry: ImageEntry,
    matcher: Option<Regex>,
}

impl Updater {
    fn new(entry: &ImageEntry) -> Self {
        // kustomize matches the configured name as a pattern followed by an optional digest
        // marker and tag.
        let matcher = Regex::new(&format!(
            "^{}(@sha256)?(:[a-zA-Z0-9_.{{}}-]*)?$",
            entry.name
        ))
        .ok();
        Updater {
            entry: entry.clone(),
            matcher,
        }
    }

    fn update(&self, value: &mut Value) {
        let Some(image) = value.as_str() else { return };
        let matched = match &self.matcher {
            Some(re) => re.is_match(image),
            None => image == self.entry.name,
        };
        if !matched {
            return;
        }
        let (mut name, mut tag, mut digest) = split_image(image);
        let e = &self.entry;
        if !e.new_name.is_empty() {
            name = e.new_name.clone();
        }
        if !e.new_tag.is_empty() && !e.digest.is_empty() {
            tag = e.new_tag.clone();
            digest = e.digest.clone();
        } else if !e.new_tag.is_empty() {
            tag = e.new_tag.clone();
            digest.clear();
        } else if !e.digest.is_empty() {
            tag.clear();
            digest = e.digest.clone();
        }
        if !e.tag_suffix.is_empty() && !tag.is_empty() {
            tag.push_str(&e.tag_suffix);
        }
        let mut out = name;
        if !tag.is_empty() {
            out.push(':');
            out.push_str(&tag);
        }
        if !digest.is_empty() {
            out.push('@');
            out.push_str(&digest);
        }
        *value = Value::String(out);
    }
}

/// Every `image` of elements of `containers`/`initContainers` lists anywhere in the tree.
fn walk_containers(node: &mut Value, u: &Updater) {
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if (key == "containers" || key == "initContainers") && child.is_array() {
                    for c in child.as_array_mut().into_iter().flatten() {
                        if let Some(image) = c.get_mut("image") {
                            u.update(image);
                        }
                    }
                }
                walk_containers(child, u);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| walk_containers(i, u)),
        _ => {}
    }
}

pub fn transform(
    resources: &mut [Resource],
    images: &[ImageEntry],
    specs: &[FieldSpec],
) -> Result<(), String> {
    for entry in images {
        let u = Updater::new(entry);
        for r in resources.iter_mut() {
            walk_containers(&mut r.obj, &u);
            if r.kind() == "CustomResourceDefinition" {
                continue;
            }
            let (g, v) = r.group_version();
            let kind = r.kind().to_string();
            for spec in specs.iter().filter(|s| s.selects(&g, &v, &kind)) {
                let spec = FieldSpec {
                    create: false,
                    ..spec.clone()
                };
                fieldspec::apply(&mut r.obj, &spec, None, &mut |val| {
                    u.update(val);
                    Ok(())
                })?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_registry_ports_tags_and_digests() {
        assert_eq!(split_image("nginx"), ("nginx".into(), "".into(), "".into()));
        assert_eq!(
            split_image("reg:5000/nginx:1.2"),
            ("reg:5000/nginx".into(), "1.2".into(), "".into())
        );
        assert_eq!(
            split_image("nginx@sha256:ab"),
            ("nginx".into(), "".into(), "sha256:ab".into())
        );
        assert_eq!(
            split_image("nginx:1@sha256:ab"),
            ("nginx".into(), "1".into(), "sha256:ab".into())
        );
    }
}

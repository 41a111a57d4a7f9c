//! The accumulation of one kustomization: its resources (files and nested kustomizations),
//! transformer configurations, components, generators and transformers, in kustomize's order.

use super::config::TransformerConfig;
use super::error::{KustomizeError, Result};
use super::fs::{KustFs, join_clean};
use super::generators::{self, GenKind};
use super::kustfile::{self, KustFile};
use super::resource::{Behavior, Resource};
use super::restrict::{LoadRestrictor, RootOnlyFs, check_root_only};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Resources and transformer configuration gathered so far.
pub struct Accumulator {
    pub resources: Vec<Resource>,
    pub config: TransformerConfig,
    pub vars: Vec<super::vars::Var>,
}

impl Accumulator {
    pub fn new() -> Self {
        Accumulator {
            resources: Vec::new(),
            config: TransformerConfig::defaults(),
            vars: Vec::new(),
        }
    }

    /// Append resources, refusing an id that is already present.
    pub fn append(&mut self, more: Vec<Resource>, origin: &Path) -> Result<()> {
        let mut seen: HashSet<String> = self.resources.iter().map(id_key).collect();
        for r in more {
            if !seen.insert(id_key(&r)) {
                return Err(KustomizeError::Build(format!(
                    "{}: may not add resource with an already registered id: {}",
                    origin.display(),
                    r.cur_id().describe()
                )));
            }
            self.resources.push(r);
        }
        Ok(())
    }
}

impl Accumulator {
    /// Declare vars here: bind them to the resources accumulated so far, then add them.
    pub fn declare_vars(&mut self, more: Vec<super::vars::Var>) -> std::result::Result<(), String> {
        super::vars::bind(&mut self.resources, &more)?;
        self.add_vars(more)
    }

    /// Add vars (already bound), refusing a name already declared anywhere in the tree.
    pub fn add_vars(&mut self, more: Vec<super::vars::Var>) -> std::result::Result<(), String> {
        for v in more {
            if self.vars.iter().any(|x| x.name == v.name) {
                return Err(format!("var '{}' already encountered", v.name));
            }
            self.vars.push(v);
        }
        Ok(())
    }
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new()
    }
}

fn id_key(r: &Resource) -> String {
    let id = r.cur_id();
    format!(
        "{}|{}|{}|{}|{}",
        id.group,
        id.version,
        id.kind,
        id.effective_namespace(),
        id.name
    )
}

/// Whether a resource entry names something kustomize would fetch over the network.
pub fn looks_remote(entry: &str) -> bool {
    let e = entry.trim();
    e.contains("://")
        || e.starts_with("git@")
        || e.starts_with("github.com/")
        || e.starts_with("gitlab.com/")
        || e.starts_with("bitbucket.org/")
        || e.contains("?ref=")
        || e.contains(".git//")
        || e.contains("?version=")
}

pub struct Builder<'a> {
    pub fs: &'a dyn KustFs,
    stack: Vec<PathBuf>,
    /// The top-level build directory, for origin annotations.
    pub root: PathBuf,
    /// buildMetadata: [originAnnotations] in the top-level kustomization.
    pub origins: bool,
    /// buildMetadata transformerAnnotations of the top kustomization.
    pub transformations: bool,
    pub restrictor: LoadRestrictor,
}

pub const ORIGIN: &str = "config.kubernetes.io/origin";

/// `path` relative to `base`, with `..` where it leaves `base`.
pub fn relative(base: &Path, path: &Path) -> String {
    let b: Vec<_> = base.components().collect();
    let p: Vec<_> = path.components().collect();
    let common = b.iter().zip(p.iter()).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".to_string(); b.len() - common];
    parts.extend(
        p[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().to_string()),
    );
    parts.join("/")
}

/// Parse a resource file into resources (expanding `kind: List`).
/// Annotation values are strings: kustomize reads `port: 8080` or `happy: true` under
/// metadata.annotations as the strings "8080" and "true" (labels are left as written).
fn string_annotations(mut doc: Value) -> Value {
    let annotations = doc
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut);
    for v in annotations.into_iter().flat_map(|a| a.values_mut()) {
        match v {
            Value::Number(n) => *v = Value::String(n.to_string()),
            Value::Bool(b) => *v = Value::String(b.to_string()),
            _ => {}
        }
    }
    doc
}

pub fn parse_resources(text: &str, file: &Path) -> Result<Vec<Resource>> {
    let docs = crate::engine::yaml::parse_documents(text).map_err(|e| KustomizeError::Yaml {
        file: file.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for doc in docs {
        if !doc.is_object() {
            return Err(KustomizeError::Yaml {
                file: file.to_path_buf(),
                message: "a resource must be a YAML mapping".into(),
            });
        }
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List") && doc.get("items").is_some() {
            for item in doc
                .get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Resource::new(string_annotations(item.clone())));
            }
            continue;
        }
        if doc.as_object().is_some_and(|m| m.is_empty()) {
            continue;
        }
        out.push(Resource::new(string_annotations(doc)));
    }
    Ok(out)
}

impl<'a> Builder<'a> {
    pub fn new(fs: &'a dyn KustFs) -> Self {
        Builder {
            fs,
            stack: Vec::new(),
            root: PathBuf::new(),
            origins: false,
            transformations: false,
            restrictor: LoadRestrictor::None,
        }
    }

    /// The kustomization directory whose files are being loaded.
    fn current_root(&self) -> Option<&Path> {
        self.stack.last().map(PathBuf::as_path)
    }

    /// The filesystem one kustomization's file loads go through: under the root-only rule
    /// (kubectl's default) only files in or below `root` can be read.
    pub fn loader<'s>(&'s self, root: &'s Path) -> Box<dyn KustFs + 's> {
        match self.restrictor {
            LoadRestrictor::RootOnly => Box::new(RootOnlyFs {
                inner: self.fs,
                root,
            }),
            LoadRestrictor::None => Box::new(self.fs),
        }
    }

    /// Read a file the current kustomization loads (a resource, patch, configuration, …).
    pub fn read_text(&self, path: &Path) -> Result<String> {
        let io = |e: std::io::Error| KustomizeError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        if let (LoadRestrictor::RootOnly, Some(root)) = (self.restrictor, self.current_root()) {
            check_root_only(self.fs, path, root).map_err(io)?;
        }
        let bytes = self.fs.read(path).map_err(io)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Build a kustomization directory into an accumulator.
    pub fn accumulate_dir(
        &mut self,
        dir: &Path,
        want_component: bool,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let canonical = super::fs::clean(dir);
        if self.stack.contains(&canonical) {
            return Err(KustomizeError::Build(format!(
                "cycle detected: {} includes itself",
                canonical.display()
            )));
        }
        let kf = kustfile::load(self.fs, dir)?;
        if kf.is_component() != want_component {
            let msg = if want_component {
                format!(
                    "expected kind 'Component' for path '{}' listed under components",
                    dir.display()
                )
            } else {
                format!(
                    "expected kind != 'Component' for path '{}': list it under components",
                    dir.display()
                )
            };
            return Err(KustomizeError::InvalidKustomization {
                file: kf.file.clone(),
                message: msg,
            });
        }
        self.stack.push(canonical);
        let result = self.accumulate_target(&kf, acc);
        self.stack.pop();
        result
    }

    fn accumulate_target(&mut self, kf: &KustFile, acc: &mut Accumulator) -> Result<()> {
        // Before the resources: an overlay's schema also serves its bases' patches.
        if let Some(path) =
            kf.k.openapi
                .as_ref()
                .and_then(|o| o.get("path"))
                .and_then(Value::as_str)
        {
            let file = join_clean(&kf.dir, path);
            if !self.fs.is_file(&file) {
                return Err(KustomizeError::field(
                    &kf.file,
                    "openapi",
                    format!("schema file '{path}' does not exist"),
                ));
            }
            if !super::openapi::chosen() {
                let schema = super::openapi::OpenApiSchema::parse(&self.read_text(&file)?)
                    .map_err(|m| {
                        KustomizeError::field(&kf.file, "openapi", format!("{path}: {m}"))
                    })?;
                super::openapi::choose(Some(schema));
            }
        } else if kf
            .k
            .openapi
            .as_ref()
            .is_some_and(|o| o.get("version").is_some())
        {
            super::openapi::choose(None);
        }
        for entry in &kf.k.resources {
            self.accumulate_resource(kf, entry, acc)?;
        }
        for c in &kf.k.configurations {
            let path = join_clean(&kf.dir, c);
            let text = self.read_text(&path)?;
            let value: Value =
                crate::engine::yaml::parse_one(&text).map_err(|e| KustomizeError::Yaml {
                    file: path.clone(),
                    message: e.to_string(),
                })?;
            let cfg = TransformerConfig::from_value(&value)
                .map_err(|m| KustomizeError::field(&path, "configurations", m))?;
            acc.config.merge(&cfg);
        }
        for crd in &kf.k.crds {
            let path = join_clean(&kf.dir, crd);
            let text = self.read_text(&path)?;
            let defs: Value =
                crate::engine::yaml::parse_one(&text).map_err(|e| KustomizeError::Yaml {
                    file: path.clone(),
                    message: e.to_string(),
                })?;
            acc.config
                .merge(&super::crds::config_from_definitions(&defs));
        }
        // The kustomization's own generators run before its components, so a component's
        // transformers see the generated objects too (as kustomize v5 does).
        self.run_generators(kf, acc)?;
        for entry in &kf.k.components {
            if looks_remote(entry) {
                return Err(KustomizeError::RemoteNotSupported {
                    file: kf.file.clone(),
                    field: "components".into(),
                    target: entry.clone(),
                });
            }
            let path = join_clean(&kf.dir, entry);
            if !self.fs.is_dir(&path) {
                let message = match self.fs.refusal(&path) {
                    Some(why) => format!("'{entry}': {why}"),
                    None => format!("'{entry}' is not a directory"),
                };
                return Err(KustomizeError::field(&kf.file, "components", message));
            }
            self.accumulate_dir(&path, true, acc)?;
        }
        super::pipeline::run_transformers(self, kf, acc)?;
        let mut vars = Vec::new();
        for v in &kf.k.vars {
            let var: super::vars::Var = serde_json::from_value(v.clone())
                .map_err(|e| KustomizeError::field(&kf.file, "vars", e.to_string()))?;
            vars.push(var);
        }
        acc.declare_vars(vars)
            .map_err(|m| KustomizeError::field(&kf.file, "vars", m))
    }

    fn accumulate_resource(
        &mut self,
        kf: &KustFile,
        entry: &str,
        acc: &mut Accumulator,
    ) -> Result<()> {
        let path = join_clean(&kf.dir, entry);
        if self.fs.is_file(&path) {
            let text = self.read_text(&path)?;
            let mut resources = parse_resources(&text, &path)?;
            if self.origins {
                let origin = format!("path: {}\n", relative(&self.root, &path));
                for r in resources
                    .iter_mut()
                    .filter(|r| r.annotation(ORIGIN).is_none())
                {
                    r.set_annotation(ORIGIN, &origin);
                }
            }
            return acc.append(resources, &path);
        }
        if self.fs.is_dir(&path) {
            let mut sub = Accumulator::new();
            self.accumulate_dir(&path, false, &mut sub)?;
            acc.config.merge(&sub.config);
            acc.add_vars(sub.vars)
                .map_err(|m| KustomizeError::field(&kf.file, "vars", m))?;
            return acc.append(sub.resources, &path);
        }
        if looks_remote(entry) {
            return Err(KustomizeError::RemoteNotSupported {
                file: kf.file.clone(),
                field: "resources".into(),
                target: entry.into(),
            });
        }
        if let Some(why) = self.fs.refusal(&path) {
            return Err(KustomizeError::field(
                &kf.file,
                "resources",
                format!("'{entry}': {why}"),
            ));
        }
        Err(KustomizeError::field(
            &kf.file,
            "resources",
            format!(
                "'{entry}' must resolve to a file or a directory ({} does not exist)",
                path.display()
            ),
        ))
    }

    /// Plugin configurations of a `transformers:`/`generators:` entry: inline YAML, a file, or
    /// a kustomization directory whose output is the configurations.
    pub fn plugin_configs(
        &mut self,
        kf: &KustFile,
        entry: &str,
        field: &str,
    ) -> Result<(PathBuf, Vec<Value>)> {
        if entry.contains('\n') {
            let configs = crate::engine::yaml::parse_documents(entry).map_err(|e| {
                KustomizeError::field(&kf.file, field, format!("inline plugin configuration: {e}"))
            })?;
            return Ok((kf.file.clone(), configs));
        }
        let path = join_clean(&kf.dir, entry);
        if self.fs.is_dir(&path) {
            let mut sub = Accumulator::new();
            self.accumulate_dir(&path, false, &mut sub)?;
            let configs = sub
                .resources
                .into_iter()
                .map(|mut r| {
                    r.strip_build_annotations();
                    r.obj
                })
                .collect();
            return Ok((path.join("kustomization.yaml"), configs));
        }
        if !self.fs.is_file(&path) && looks_remote(entry) {
            return Err(KustomizeError::RemoteNotSupported {
                file: kf.file.clone(),
                field: field.into(),
                target: entry.into(),
            });
        }
        let text = self.read_text(&path)?;
        let configs =
            crate::engine::yaml::parse_documents(&text).map_err(|e| KustomizeError::Yaml {
                file: path.clone(),
                message: e.to_string(),
            })?;
        Ok((path, configs))
    }

    fn run_generators(&mut self, kf: &KustFile, acc: &mut Accumulator) -> Result<()> {
        let global = kf.k.generator_options.as_ref();
        let mut generated = Vec::new();
        for args in &kf.k.config_map_generator {
            generated.push(generators::generate(
                &*self.loader(&kf.dir),
                &kf.dir,
                &kf.file,
                GenKind::ConfigMap,
                args,
                global,
            )?);
        }
        for args in &kf.k.secret_generator {
            generated.push(generators::generate(
                &*self.loader(&kf.dir),
                &kf.dir,
                &kf.file,
                GenKind::Secret,
                args,
                global,
            )?);
        }
        let mut from_plugins = Vec::new();
        for entry in &kf.k.generators {
            let (path, configs) = self.plugin_configs(kf, entry, "generators")?;
            for config in configs {
                let mut made = super::plugins::run_generator(self, &kf.dir, &path, &config)?;
                if self.origins {
                    let origin = plugin_origin(&relative(&self.root, &path), &config);
                    for r in made.iter_mut() {
                        r.set_annotation(ORIGIN, &origin);
                    }
                }
                from_plugins.extend(made);
            }
        }
        if self.origins {
            let configured_in = relative(&self.root, &kf.file);
            for r in generated.iter_mut() {
                let by = if r.kind() == "Secret" {
                    "SecretGenerator"
                } else {
                    "ConfigMapGenerator"
                };
                let origin = format!(
                    "configuredIn: {configured_in}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {by}\n"
                );
                r.set_annotation(ORIGIN, &origin);
            }
        }
        generated.extend(from_plugins);
        let global_disable = global.is_some_and(|g| g.disable_name_suffix_hash);
        for r in generated {
            absorb_generated(acc, r, global_disable)
                .map_err(|m| KustomizeError::Build(format!("{}: {m}", kf.file.display())))?;
        }
        Ok(())
    }
}

/// Add a generated resource, merging into or replacing an existing one as its behavior says.
/// The origin annotation of what a generator plugin configuration made: the file it was
/// configured in and the configuration's apiVersion, kind, name and namespace.
fn plugin_origin(configured_in: &str, config: &Value) -> String {
    let field = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    let mut out = format!("configuredIn: {configured_in}\nconfiguredBy:\n");
    let meta = config.get("metadata");
    for (key, value) in [
        ("apiVersion", field(config.get("apiVersion"))),
        ("kind", field(config.get("kind"))),
        ("name", field(meta.and_then(|m| m.get("name")))),
        ("namespace", field(meta.and_then(|m| m.get("namespace")))),
    ] {
        if !value.is_empty() {
            out.push_str(&format!("  {key}: {}\n", value));
        }
    }
    out
}

pub fn absorb_generated(
    acc: &mut Accumulator,
    r: Resource,
    global_disable: bool,
) -> std::result::Result<(), String> {
    let id = r.cur_id();
    let r_behavior = r.behavior;
    let matches: Vec<usize> = acc
        .resources
        .iter()
        .enumerate()
        .filter(|(_, old)| {
            let mut ids = old.prev_ids();
            ids.push(old.cur_id());
            ids.iter().any(|oid| oid.same_as(&id))
        })
        .map(|(i, _)| i)
        .collect();
    match (matches.len(), r.behavior) {
        (0, Behavior::Create) => {
            acc.resources.push(r);
            Ok(())
        }
        (0, _) => Err(format!(
            "id {} does not exist; cannot merge or replace",
            id.describe()
        )),
        (1, Behavior::Create) => Err(format!(
            "id {} exists; behavior must be merge or replace",
            id.describe()
        )),
        (1, _) => {
            let i = matches[0];
            let mut merged = generators::absorb(&acc.resources[i], r, global_disable);
            // A merged resource keeps where it was first defined; a replaced one is new.
            let old_origin = acc.resources[i].annotation(ORIGIN).map(str::to_string);
            if let (Some(origin), false) = (old_origin, r_behavior == Behavior::Replace) {
                merged.set_annotation(ORIGIN, &origin);
            }
            acc.resources[i] = merged;
            Ok(())
        }
        _ => Err(format!(
            "found multiple objects that could accept merge of {}",
            id.describe()
        )),
    }
}

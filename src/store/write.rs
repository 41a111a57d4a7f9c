//! Create, update and patch with kube-apiserver semantics, as operations on `State`.
//! Callers hold the state lock; the changes they make are published by the `Store`.

use std::sync::Arc;

use serde_json::{Value, json};

use super::convert;
use super::crd;
use super::meta;
use super::patching;
use super::schema_hook;
use super::state::{State, gr_display, key_of, not_found};
use super::types::{GroupResource, PatchKind, ResourceType, StoreError, Subresource};
use super::write_checks::*;

/// Who writes, when, and whether for real.
pub struct Ctx<'a> {
    pub now: &'a str,
    pub manager: &'a str,
    pub dry_run: bool,
    /// What to do with fields the schema does not know (CRD objects only).
    pub validation: crate::engine::schema::FieldValidation,
}

const CRD_GROUP: &str = "apiextensions.k8s.io";

fn is_crd(rt: &ResourceType) -> bool {
    rt.group == CRD_GROUP && rt.plural == "customresourcedefinitions"
}

impl State {
    /// The storage version of the resource and the key its objects live under.
    pub fn storage_of(
        &self,
        rt: &ResourceType,
    ) -> Result<(ResourceType, GroupResource), StoreError> {
        let gr = convert::storage_group_resource(rt);
        let storage = if convert::is_events_v1(rt) {
            self.catalog.resolve("", "v1", "events")
        } else {
            self.catalog.storage_type(&gr)
        };
        storage
            .map(|s| (s, gr))
            .ok_or_else(|| StoreError::UnknownResource(gr_display(rt)))
    }

    /// Namespace of the request for a namespaced kind (None for cluster-scoped ones).
    fn request_namespace(
        &self,
        rt: &ResourceType,
        ns: Option<&str>,
        body: &Value,
        creating: bool,
    ) -> Result<Option<String>, StoreError> {
        if !rt.namespaced {
            return Ok(None);
        }
        let in_body = meta::meta_str(body, "namespace").filter(|s| !s.is_empty());
        let ns = match (ns, in_body) {
            (Some(a), Some(b)) if a != b => {
                return Err(StoreError::BadRequest(format!(
                    "the namespace of the provided object ({b}) does not match the namespace sent on the request ({a})"
                )));
            }
            (Some(a), _) => a.to_string(),
            (None, Some(b)) => b.to_string(),
            (None, None) => {
                return Err(StoreError::BadRequest(format!(
                    "a namespace is required for {}",
                    rt.plural
                )));
            }
        };
        if creating {
            let Some(nsobj) = self.namespace(&ns) else {
                return Err(StoreError::NotFound {
                    resource: "namespaces".into(),
                    name: ns,
                });
            };
            if meta::is_deleting(nsobj) {
                return Err(StoreError::Forbidden(format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                    rt.plural,
                    meta::name_of(body)
                )));
            }
        }
        Ok(Some(ns))
    }

    pub fn create(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        body: Value,
        ctx: &Ctx,
    ) -> Result<Value, StoreError> {
        self.create_with(rt, ns, body, ctx, None)
    }

    /// `managed`: the managedFields server-side apply computed (None: record an Update).
    fn create_with(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        body: Value,
        ctx: &Ctx,
        managed: Option<Value>,
    ) -> Result<Value, StoreError> {
        if rt.kind == "SelfSubjectAccessReview" {
            return Ok(access_review(body));
        }
        check_body(rt, &body)?;
        let (storage, gr) = self.storage_of(rt)?;
        let ns = self.request_namespace(rt, ns, &body, true)?;
        let mut obj = convert::ingest(rt, &storage, body);
        let mut name = meta::name_of(&obj).to_string();
        if name.is_empty() {
            if let Some(prefix) = meta::meta_str(&obj, "generateName").filter(|p| !p.is_empty()) {
                let prefix = prefix.to_string();
                name = (0..8)
                    .map(|_| meta::generated_name(&prefix))
                    .find(|n| self.get(&gr, &key_of(ns.as_deref(), n)).is_none())
                    .unwrap_or_else(|| meta::generated_name(&prefix));
            }
        }
        meta::validate_name(rt, &name)?;
        meta::validate_labels(rt, &name, &obj)?;
        let key = key_of(ns.as_deref(), &name);
        if self.get(&gr, &key).is_some() {
            return Err(StoreError::AlreadyExists {
                resource: gr_display(rt),
                name,
            });
        }
        {
            let m = meta::meta_mut(&mut obj);
            m.insert("name".into(), json!(name));
            match &ns {
                Some(ns) => m.insert("namespace".into(), json!(ns)),
                None => m.remove("namespace"),
            };
            for server_set in [
                "resourceVersion",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "managedFields",
                "selfLink",
            ] {
                m.remove(server_set);
            }
            m.insert("uid".into(), json!(meta::new_uid()));
            m.insert("creationTimestamp".into(), json!(ctx.now));
            m.insert("generation".into(), json!(1));
        }
        if rt.status_subresource
            && let Some(map) = obj.as_object_mut()
        {
            map.remove("status");
        }
        defaults_on_create(rt, &name, &mut obj);
        if let Some(schema) = rt.schema.as_ref() {
            schema_hook::admit(rt, schema, &mut obj, ctx.validation)?;
        }
        match managed {
            Some(mf) => {
                meta::meta_mut(&mut obj).insert("managedFields".into(), mf);
            }
            None => patching::record_update(
                &storage,
                None,
                &mut obj,
                ctx.manager,
                Subresource::Main,
                ctx.now,
            ),
        }
        if is_crd(rt) {
            crd::validate(rt, &obj)?;
        }
        if ctx.dry_run {
            return Ok(convert::present(rt, &obj));
        }
        if is_crd(rt) {
            let conflict = self.register_crd(&obj);
            crd::set_status(&mut obj, conflict.as_deref(), ctx.now);
        }
        let stored = self.put(&gr, key, obj);
        Ok(convert::present(rt, &stored))
    }

    pub fn replace(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        body: Value,
        sub: Subresource,
        ctx: &Ctx,
    ) -> Result<Value, StoreError> {
        check_body(rt, &body)?;
        check_subresource(rt, sub)?;
        let (storage, gr) = self.storage_of(rt)?;
        let ns = self.request_namespace(rt, ns, &body, false)?;
        let key = key_of(ns.as_deref(), name);
        let old = self
            .get(&gr, &key)
            .cloned()
            .ok_or_else(|| not_found(rt, name))?;
        let body_name = meta::name_of(&body);
        if !body_name.is_empty() && body_name != name {
            return Err(StoreError::BadRequest(format!(
                "the name of the object ({body_name}) does not match the name on the URL ({name})"
            )));
        }
        check_preconditions(rt, name, &old, &body)?;
        let new = convert::ingest(rt, &storage, body);
        self.commit_update(rt, &storage, &gr, &old, new, sub, ctx, true)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn patch(
        &mut self,
        rt: &ResourceType,
        ns: Option<&str>,
        name: &str,
        kind: &PatchKind,
        body: &Value,
        sub: Subresource,
        ctx: &Ctx,
    ) -> Result<Value, StoreError> {
        check_subresource(rt, sub)?;
        let (storage, gr) = self.storage_of(rt)?;
        let ns = self.request_namespace(rt, ns, &json!({}), false)?;
        let old = self.get(&gr, &key_of(ns.as_deref(), name)).cloned();
        if let PatchKind::Apply { force } = kind {
            if ctx.manager == "unknown" || ctx.manager.is_empty() {
                return Err(StoreError::BadRequest(
                    "PATCH requests for apply must have a fieldManager".into(),
                ));
            }
            check_body(rt, body)?;
            let live = old.as_ref().map(|o| convert::present(rt, o));
            let applied =
                patching::apply(rt, live.as_ref(), body, ctx.manager, *force, sub, ctx.now)?;
            return match old {
                None => {
                    let mut obj = applied.object;
                    meta::meta_mut(&mut obj).insert("name".into(), json!(name));
                    let managed = obj.pointer("/metadata/managedFields").cloned();
                    self.create_with(rt, ns.as_deref(), obj, ctx, managed)
                }
                Some(old) => {
                    let new = convert::ingest(rt, &storage, applied.object);
                    self.commit_update(rt, &storage, &gr, &old, new, sub, ctx, false)
                }
            };
        }
        let old = old.ok_or_else(|| not_found(rt, name))?;
        let current = convert::present(rt, &old);
        let patched = match kind {
            PatchKind::Merge => patching::merge_patch(&current, body),
            PatchKind::Json => {
                patching::json_patch(&current, body).map_err(|e| with_object(e, rt, name))?
            }
            PatchKind::Strategic if !self.catalog.is_builtin(rt) => {
                return Err(StoreError::UnsupportedMediaType(
                    "application/strategic-merge-patch+json is not supported for custom resources; use a merge or JSON patch".into(),
                ));
            }
            PatchKind::Strategic => patching::strategic_patch(rt, &current, body)?,
            PatchKind::Apply { .. } => unreachable!("handled above"),
        };
        if meta::name_of(&patched) != name {
            return Err(StoreError::BadRequest(format!(
                "the name of the object ({}) does not match the name on the URL ({name})",
                meta::name_of(&patched)
            )));
        }
        check_preconditions(rt, name, &old, &patched)?;
        let new = convert::ingest(rt, &storage, patched);
        self.commit_update(rt, &storage, &gr, &old, new, sub, ctx, true)
    }

    #[allow(clippy::too_many_arguments)]
    fn commit_update(
        &mut self,
        rt: &ResourceType,
        storage: &ResourceType,
        gr: &GroupResource,
        old: &Arc<Value>,
        mut new: Value,
        sub: Subresource,
        ctx: &Ctx,
        record: bool,
    ) -> Result<Value, StoreError> {
        let name = meta::name_of(old).to_string();
        if sub == Subresource::Status {
            // a status write changes status only
            let status = new.get("status").cloned();
            new = (**old).clone();
            match status {
                Some(s) => new["status"] = s,
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        } else if rt.status_subresource {
            match old.get("status") {
                Some(s) => new["status"] = s.clone(),
                None => {
                    if let Some(m) = new.as_object_mut() {
                        m.remove("status");
                    }
                }
            }
        }
        let managed_from_apply = if record {
            None
        } else {
            new.pointer("/metadata/managedFields").cloned()
        };
        {
            let old_meta = old.get("metadata").cloned().unwrap_or_else(|| json!({}));
            let m = meta::meta_mut(&mut new);
            for keep in [
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
                "resourceVersion",
            ] {
                match old_meta.get(keep) {
                    Some(v) => m.insert(keep.into(), v.clone()),
                    None => m.remove(keep),
                };
            }
            if sub == Subresource::Status || !record {
                m.insert(
                    "managedFields".into(),
                    old_meta.get("managedFields").cloned().unwrap_or(json!([])),
                );
            }
        }
        if is_namespace(rt) && sub == Subresource::Main {
            // spec.finalizers of a namespace change only through /finalize
            match old.pointer("/spec/finalizers") {
                Some(f) => new["spec"]["finalizers"] = f.clone(),
                None => {
                    if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                        spec.remove("finalizers");
                    }
                }
            }
        }
        if meta::is_deleting(old) {
            let added: Vec<String> = meta::finalizers(&new)
                .into_iter()
                .filter(|f| !meta::finalizers(old).contains(f))
                .collect();
            if !added.is_empty() {
                return Err(StoreError::Forbidden(format!(
                    "{} \"{name}\" is forbidden: no new finalizers can be added if the object is being deleted, found new finalizers {added:?}",
                    gr_display(rt)
                )));
            }
        }
        meta::validate_labels(rt, &name, &new)?;
        if let Some(schema) = rt.schema.as_ref() {
            schema_hook::admit(rt, schema, &mut new, ctx.validation)?;
        }
        if is_crd(rt) {
            crd::validate(rt, &new)?;
        }
        if meta::spec_changed(rt, old, &new) {
            let next = meta::generation(old) + 1;
            meta::meta_mut(&mut new).insert("generation".into(), json!(next));
        }
        if record {
            patching::record_update(storage, Some(old), &mut new, ctx.manager, sub, ctx.now);
        } else if let Some(mf) = managed_from_apply {
            meta::meta_mut(&mut new).insert("managedFields".into(), mf);
        }
        if unchanged(old, &new) {
            return Ok(convert::present(rt, old));
        }
        if is_crd(rt) && sub == Subresource::Main {
            if let Some(s) = old.get("status") {
                new["status"] = s.clone();
            }
        }
        if ctx.dry_run {
            return Ok(convert::present(rt, &new));
        }
        let key = key_of(meta::meta_str(old, "namespace"), &name);
        if meta::is_deleting(&new) && meta::finalizers(&new).is_empty() && !namespace_held(rt, &new)
        {
            let gone = self
                .remove_as(gr, &key, Some(new))
                .ok_or_else(|| not_found(rt, &name))?;
            self.after_removal(rt, &gone);
            return Ok(convert::present(rt, &gone));
        }
        if is_crd(rt) {
            let conflict = self.register_crd(&new);
            crd::set_status(&mut new, conflict.as_deref(), ctx.now);
        }
        let stored = self.put(gr, key, new);
        Ok(convert::present(rt, &stored))
    }
}

//! `helm.toolkit.fluxcd.io/v2` HelmRelease. v2beta2 objects read into the same type (their
//! `patchesStrategicMerge`/`patchesJson6902` post-renderer fields and `lastAppliedRevision`
//! are explicit; anything else is kept in `extra`).

pub mod spec;
pub mod status;

pub use spec::*;
pub use status::*;

use crate::api::resource::flux_resource;

pub const GROUP: &str = "helm.toolkit.fluxcd.io";

flux_resource! {
    /// A Helm release managed by helm-controller.
    HelmRelease {
        group: "helm.toolkit.fluxcd.io",
        version: "v2",
        plural: "helmreleases",
        spec: HelmReleaseSpec,
        status: HelmReleaseStatus,
    }
}

impl HelmRelease {
    /// `spec.releaseName`, else `[<targetNamespace>-]<name>`, shortened like helm-controller
    /// when longer than 53 characters: `name[:40] + "-" + hex(sha256(name))[:12]`.
    pub fn release_name(&self) -> String {
        use sha2::{Digest, Sha256};
        if let Some(name) = self.spec.release_name.as_deref().filter(|n| !n.is_empty()) {
            return name.to_string();
        }
        let own = self.metadata.name.clone().unwrap_or_default();
        let name = match self
            .spec
            .target_namespace
            .as_deref()
            .filter(|n| !n.is_empty())
        {
            Some(ns) => format!("{ns}-{own}"),
            None => own,
        };
        if name.len() <= 53 {
            return name;
        }
        let digest = Sha256::digest(name.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{}-{}", &name[..40], &hex[..12])
    }

    /// The HelmChart helm-controller creates for `spec.chart`: `(namespace, <ns>-<name>)`.
    pub fn helm_chart_ref(&self) -> Option<(String, String)> {
        let template = self.spec.chart.as_ref()?;
        let own_ns = self.metadata.namespace.clone().unwrap_or_default();
        let own = self.metadata.name.clone().unwrap_or_default();
        let ns = template
            .spec
            .source_ref
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or(own_ns.clone());
        Some((ns, format!("{own_ns}-{own}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names_default_and_shorten_like_helm_controller() {
        let mut hr = HelmRelease::new("podinfo", HelmReleaseSpec::default()).in_namespace("apps");
        assert_eq!(hr.release_name(), "podinfo");
        hr.spec.target_namespace = Some("prod".into());
        assert_eq!(hr.release_name(), "prod-podinfo");
        hr.metadata.name = Some("a".repeat(60));
        let long = hr.release_name();
        assert_eq!(long.len(), 53);
        assert!(long.starts_with(&format!("prod-{}", "a".repeat(35))));
        hr.spec.release_name = Some("fixed".into());
        assert_eq!(hr.release_name(), "fixed");
    }
}

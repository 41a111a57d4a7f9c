//! Every annotation and label key a console or controller needs (SPEC §2.4).

/// Opaque token; a new value requests an immediate reconcile (mirrored to
/// `status.lastHandledReconcileAt`).
pub const RECONCILE_REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";
/// HelmRelease: one-off forced install/upgrade when equal to `requestedAt`.
pub const RECONCILE_FORCE_AT: &str = "reconcile.fluxcd.io/forceAt";
/// HelmRelease: reset of the failure counters when equal to `requestedAt`.
pub const RECONCILE_RESET_AT: &str = "reconcile.fluxcd.io/resetAt";
/// Label on ConfigMaps/Secrets that opts them in to watch-triggered reconciles.
pub const RECONCILE_WATCH_LABEL: &str = "reconcile.fluxcd.io/watch";
/// The value of [`RECONCILE_WATCH_LABEL`] that enables the watch.
pub const RECONCILE_WATCH_ENABLED: &str = "Enabled";

/// Applied objects: `disabled` means never applied and never pruned.
pub const KUSTOMIZE_RECONCILE: &str = "kustomize.toolkit.fluxcd.io/reconcile";
/// Applied objects: `disabled` means never garbage-collected.
pub const KUSTOMIZE_PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";
/// Applied objects: `Override` (default), `Merge`, `IfNotPresent` or `Ignore`.
pub const KUSTOMIZE_SSA: &str = "kustomize.toolkit.fluxcd.io/ssa";
/// Applied objects: `enabled` recreates the object on an immutable-field error.
pub const KUSTOMIZE_FORCE: &str = "kustomize.toolkit.fluxcd.io/force";
/// Applied objects: `disabled` (exact lowercase) skips post-build substitution.
pub const KUSTOMIZE_SUBSTITUTE: &str = "kustomize.toolkit.fluxcd.io/substitute";
/// Applied objects: `Disabled` (case-insensitive) skips SOPS decryption.
pub const KUSTOMIZE_DECRYPT: &str = "kustomize.toolkit.fluxcd.io/decrypt";
/// Ownership label: name of the Kustomization that applied the object.
pub const KUSTOMIZE_NAME_LABEL: &str = "kustomize.toolkit.fluxcd.io/name";
/// Ownership label: namespace of the Kustomization that applied the object.
pub const KUSTOMIZE_NAMESPACE_LABEL: &str = "kustomize.toolkit.fluxcd.io/namespace";
/// Event metadata key for the applied revision.
pub const KUSTOMIZE_REVISION: &str = "kustomize.toolkit.fluxcd.io/revision";
/// Event metadata key for the origin revision of an OCI artifact.
pub const KUSTOMIZE_ORIGIN_REVISION: &str = "kustomize.toolkit.fluxcd.io/originRevision";

/// Ownership label: name of the HelmRelease that rendered the object.
pub const HELM_NAME_LABEL: &str = "helm.toolkit.fluxcd.io/name";
/// Ownership label: namespace of the HelmRelease that rendered the object.
pub const HELM_NAMESPACE_LABEL: &str = "helm.toolkit.fluxcd.io/namespace";
/// Helm-rendered objects: `disabled` excludes them from drift detection.
pub const HELM_DRIFT_DETECTION: &str = "helm.toolkit.fluxcd.io/driftDetection";

/// Helm's own label on rendered objects (`Helm`).
pub const HELM_MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Helm's annotation naming the release.
pub const HELM_RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// Helm's annotation naming the release namespace.
pub const HELM_RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Prefix of object annotations copied into every event's metadata.
pub const EVENT_METADATA_PREFIX: &str = "event.toolkit.fluxcd.io/";

/// Finalizer every Flux controller adds to the objects it reconciles.
pub const FINALIZER: &str = "finalizers.fluxcd.io";

/// Value comparison the kustomize-controller uses for reconcile/prune/ssa/force selectors.
pub fn value_is(actual: Option<&str>, wanted: &str) -> bool {
    actual.is_some_and(|v| v.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_values_compare_case_insensitively() {
        assert!(value_is(Some("Disabled"), "disabled"));
        assert!(!value_is(Some("enabled"), "disabled"));
        assert!(!value_is(None, "disabled"));
    }
}

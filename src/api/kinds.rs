//! The table of Flux kinds: API coordinates, served versions, REST names, the names the flux
//! CLI and the TUI accept for them, and the capabilities a console asks about.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FluxKind {
    GitRepository,
    OCIRepository,
    HelmRepository,
    HelmChart,
    Bucket,
    ExternalArtifact,
    Kustomization,
    HelmRelease,
    ImageRepository,
    ImagePolicy,
    ImageUpdateAutomation,
    Alert,
    Provider,
    Receiver,
}

/// Everything the table knows about one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: &'static str,
    pub group: &'static str,
    /// The version current Flux serves (and stores).
    pub version: &'static str,
    /// Versions older Flux releases served that still read into the same type.
    pub older_versions: &'static [&'static str],
    pub plural: &'static str,
    pub singular: &'static str,
    /// kubectl short names from the CRD.
    pub short_names: &'static [&'static str],
    /// How the flux CLI spells the kind: `["source", "git"]`, `["kustomization"]`.
    pub cli_words: &'static [&'static str],
    /// Extra single- or multi-word names accepted by the CLI and TUI.
    pub aliases: &'static [&'static [&'static str]],
    /// Has `spec.suspend` (`flux suspend|resume` work on it).
    pub suspendable: bool,
    /// Consumes another object's artifact through a source reference.
    pub has_source_ref: bool,
    /// Records applied objects in `status.inventory`.
    pub has_inventory: bool,
    /// Publishes `status.artifact`.
    pub has_artifact: bool,
    /// Has no status at the current version (Alert, Provider).
    pub is_static: bool,
}

const SOURCE: &str = "source.toolkit.fluxcd.io";
const IMAGE: &str = "image.toolkit.fluxcd.io";
const NOTIFICATION: &str = "notification.toolkit.fluxcd.io";

const fn info(
    kind: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
) -> KindInfo {
    KindInfo {
        kind,
        group,
        version,
        older_versions: &[],
        plural,
        singular,
        short_names: &[],
        cli_words: &[],
        aliases: &[],
        suspendable: true,
        has_source_ref: false,
        has_inventory: false,
        has_artifact: false,
        is_static: false,
    }
}

static TABLE: [KindInfo; 14] = [
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["gitrepo"],
        cli_words: &["source", "git"],
        aliases: &[
            &["gitrepository"],
            &["gitrepositories"],
            &["gitrepo"],
            &["gitrepos"],
            &["sources", "git"],
        ],
        has_artifact: true,
        ..info(
            "GitRepository",
            SOURCE,
            "v1",
            "gitrepositories",
            "gitrepository",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["ocirepo"],
        cli_words: &["source", "oci"],
        aliases: &[
            &["ocirepository"],
            &["ocirepositories"],
            &["ocirepo"],
            &["ocirepos"],
            &["sources", "oci"],
        ],
        has_artifact: true,
        ..info(
            "OCIRepository",
            SOURCE,
            "v1",
            "ocirepositories",
            "ocirepository",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["helmrepo"],
        cli_words: &["source", "helm"],
        aliases: &[
            &["helmrepository"],
            &["helmrepositories"],
            &["helmrepo"],
            &["helmrepos"],
            &["sources", "helm"],
        ],
        has_artifact: true,
        ..info(
            "HelmRepository",
            SOURCE,
            "v1",
            "helmrepositories",
            "helmrepository",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["hc"],
        cli_words: &["source", "chart"],
        aliases: &[
            &["helmchart"],
            &["helmcharts"],
            &["hc"],
            &["sources", "chart"],
        ],
        has_source_ref: true,
        has_artifact: true,
        ..info("HelmChart", SOURCE, "v1", "helmcharts", "helmchart")
    },
    KindInfo {
        older_versions: &["v1beta2"],
        cli_words: &["source", "bucket"],
        aliases: &[&["bucket"], &["buckets"], &["sources", "bucket"]],
        has_artifact: true,
        ..info("Bucket", SOURCE, "v1", "buckets", "bucket")
    },
    KindInfo {
        short_names: &["ea"],
        cli_words: &["externalartifact"],
        aliases: &[&["externalartifacts"], &["ea"]],
        suspendable: false,
        has_artifact: true,
        ..info(
            "ExternalArtifact",
            SOURCE,
            "v1",
            "externalartifacts",
            "externalartifact",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["ks"],
        cli_words: &["kustomization"],
        aliases: &[&["kustomizations"], &["ks"]],
        has_source_ref: true,
        has_inventory: true,
        ..info(
            "Kustomization",
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "kustomizations",
            "kustomization",
        )
    },
    KindInfo {
        older_versions: &["v2beta2"],
        short_names: &["hr"],
        cli_words: &["helmrelease"],
        aliases: &[&["helmreleases"], &["hr"]],
        has_source_ref: true,
        has_inventory: true,
        ..info(
            "HelmRelease",
            "helm.toolkit.fluxcd.io",
            "v2",
            "helmreleases",
            "helmrelease",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["imgrepo", "imagerepo"],
        cli_words: &["image", "repository"],
        aliases: &[
            &["imagerepository"],
            &["imagerepositories"],
            &["imagerepo"],
            &["imgrepo"],
            &["images", "repository"],
        ],
        ..info(
            "ImageRepository",
            IMAGE,
            "v1",
            "imagerepositories",
            "imagerepository",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        short_names: &["imgpol", "imagepol"],
        cli_words: &["image", "policy"],
        aliases: &[
            &["imagepolicy"],
            &["imagepolicies"],
            &["imagepol"],
            &["imgpol"],
            &["images", "policy"],
        ],
        ..info("ImagePolicy", IMAGE, "v1", "imagepolicies", "imagepolicy")
    },
    KindInfo {
        older_versions: &["v1beta2", "v1beta1"],
        short_names: &["iua", "imgupd", "imgauto"],
        cli_words: &["image", "update"],
        aliases: &[
            &["imageupdateautomation"],
            &["imageupdateautomations"],
            &["iua"],
            &["imgupd"],
            &["imgauto"],
            &["images", "update"],
        ],
        has_source_ref: true,
        ..info(
            "ImageUpdateAutomation",
            IMAGE,
            "v1",
            "imageupdateautomations",
            "imageupdateautomation",
        )
    },
    KindInfo {
        older_versions: &["v1beta2"],
        cli_words: &["alert"],
        aliases: &[&["alerts"]],
        is_static: true,
        ..info("Alert", NOTIFICATION, "v1beta3", "alerts", "alert")
    },
    KindInfo {
        older_versions: &["v1beta2"],
        cli_words: &["alert-provider"],
        aliases: &[&["alert-providers"], &["provider"], &["providers"]],
        is_static: true,
        ..info("Provider", NOTIFICATION, "v1beta3", "providers", "provider")
    },
    KindInfo {
        older_versions: &["v1beta2"],
        cli_words: &["receiver"],
        aliases: &[&["receivers"]],
        ..info("Receiver", NOTIFICATION, "v1", "receivers", "receiver")
    },
];

impl FluxKind {
    pub const ALL: [FluxKind; 14] = [
        FluxKind::GitRepository,
        FluxKind::OCIRepository,
        FluxKind::HelmRepository,
        FluxKind::HelmChart,
        FluxKind::Bucket,
        FluxKind::ExternalArtifact,
        FluxKind::Kustomization,
        FluxKind::HelmRelease,
        FluxKind::ImageRepository,
        FluxKind::ImagePolicy,
        FluxKind::ImageUpdateAutomation,
        FluxKind::Alert,
        FluxKind::Provider,
        FluxKind::Receiver,
    ];

    pub fn info(self) -> &'static KindInfo {
        &TABLE[self as usize]
    }
    pub fn kind(self) -> &'static str {
        self.info().kind
    }
    pub fn group(self) -> &'static str {
        self.info().group
    }
    pub fn version(self) -> &'static str {
        self.info().version
    }
    pub fn plural(self) -> &'static str {
        self.info().plural
    }
    /// `group/version` at the current version.
    pub fn api_version(self) -> String {
        format!("{}/{}", self.group(), self.version())
    }
    /// Current version first, then the older ones, newest first.
    pub fn served_versions(self) -> Vec<&'static str> {
        std::iter::once(self.version())
            .chain(self.info().older_versions.iter().copied())
            .collect()
    }
    /// The kind's CLI spelling, e.g. `source git`.
    pub fn cli_name(self) -> String {
        self.info().cli_words.join(" ")
    }

    /// The kind named by `kind` (exact, as in an object's `kind` field).
    pub fn from_kind(kind: &str) -> Option<FluxKind> {
        FluxKind::ALL.into_iter().find(|k| k.kind() == kind)
    }

    /// The kind of an object with this apiVersion and kind, if Flux (any served version) has it.
    pub fn from_type(api_version: &str, kind: &str) -> Option<FluxKind> {
        let k = FluxKind::from_kind(kind)?;
        let (group, version) = api_version.split_once('/')?;
        (group == k.group() && k.served_versions().contains(&version)).then_some(k)
    }

    /// Parse all of `words` as one kind name (case-insensitive): the CLI form
    /// (`source git`, `image policy`), the kind, plural, singular, short names and aliases.
    pub fn parse(words: &[&str]) -> Option<FluxKind> {
        match FluxKind::parse_prefix(words) {
            Some((kind, used)) if used == words.len() => Some(kind),
            _ => None,
        }
    }

    /// Parse the longest kind name at the start of `words`; returns it and the words used,
    /// so `["source", "git", "podinfo"]` gives `(GitRepository, 2)`.
    pub fn parse_prefix(words: &[&str]) -> Option<(FluxKind, usize)> {
        let mut best: Option<(FluxKind, usize)> = None;
        for kind in FluxKind::ALL {
            for name in kind.names() {
                let fits = name.len() <= words.len()
                    && name
                        .iter()
                        .zip(words)
                        .all(|(n, w)| n.eq_ignore_ascii_case(w));
                if fits && best.is_none_or(|(_, used)| name.len() > used) {
                    best = Some((kind, name.len()));
                }
            }
        }
        best
    }

    /// Every accepted spelling, as word lists.
    pub fn names(self) -> Vec<Vec<&'static str>> {
        let info = self.info();
        let mut names: Vec<Vec<&'static str>> = vec![
            info.cli_words.to_vec(),
            vec![info.kind],
            vec![info.plural],
            vec![info.singular],
        ];
        names.extend(info.short_names.iter().map(|s| vec![*s]));
        names.extend(info.aliases.iter().map(|a| a.to_vec()));
        names
    }
}

impl fmt::Display for FluxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_their_variants() {
        for kind in FluxKind::ALL {
            assert_eq!(kind.to_string(), kind.info().kind);
            assert_eq!(kind.info().singular, kind.kind().to_ascii_lowercase());
        }
    }

    #[test]
    fn cli_and_tui_spellings_parse() {
        use FluxKind::*;
        for (words, kind) in [
            (&["kustomization"][..], Kustomization),
            (&["kustomizations"], Kustomization),
            (&["ks"], Kustomization),
            (&["KS"], Kustomization),
            (&["helmrelease"], HelmRelease),
            (&["hr"], HelmRelease),
            (&["gitrepository"], GitRepository),
            (&["gitrepo"], GitRepository),
            (&["source", "git"], GitRepository),
            (&["helmrepository"], HelmRepository),
            (&["helmrepo"], HelmRepository),
            (&["source", "helm"], HelmRepository),
            (&["ocirepository"], OCIRepository),
            (&["ocirepo"], OCIRepository),
            (&["source", "oci"], OCIRepository),
            (&["helmchart"], HelmChart),
            (&["source", "chart"], HelmChart),
            (&["bucket"], Bucket),
            (&["source", "bucket"], Bucket),
            (&["imagerepository"], ImageRepository),
            (&["image", "repository"], ImageRepository),
            (&["imagepolicy"], ImagePolicy),
            (&["image", "policy"], ImagePolicy),
            (&["imageupdateautomation"], ImageUpdateAutomation),
            (&["image", "update"], ImageUpdateAutomation),
            (&["alert"], Alert),
            (&["provider"], Provider),
            (&["alert-provider"], Provider),
            (&["receiver"], Receiver),
            (&["ImageUpdateAutomation"], ImageUpdateAutomation),
        ] {
            assert_eq!(FluxKind::parse(words), Some(kind), "{words:?}");
        }
        assert_eq!(FluxKind::parse(&["source"]), None);
        assert_eq!(FluxKind::parse(&["source", "git", "extra"]), None);
        assert_eq!(FluxKind::parse(&["deployment"]), None);
    }

    #[test]
    fn prefix_parsing_reports_the_words_used() {
        assert_eq!(
            FluxKind::parse_prefix(&["source", "git", "podinfo"]),
            Some((FluxKind::GitRepository, 2))
        );
        assert_eq!(
            FluxKind::parse_prefix(&["ks", "apps"]),
            Some((FluxKind::Kustomization, 1))
        );
    }

    #[test]
    fn capabilities_and_versions() {
        assert!(
            FluxKind::Kustomization.info().has_inventory
                && FluxKind::HelmRelease.info().has_inventory
        );
        assert!(!FluxKind::ExternalArtifact.info().suspendable);
        assert!(FluxKind::Alert.info().is_static);
        assert_eq!(
            FluxKind::ImageUpdateAutomation.served_versions(),
            ["v1", "v1beta2", "v1beta1"]
        );
        assert_eq!(
            FluxKind::from_type("helm.toolkit.fluxcd.io/v2beta2", "HelmRelease"),
            Some(FluxKind::HelmRelease)
        );
        assert_eq!(
            FluxKind::from_type("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease"),
            None
        );
        assert_eq!(FluxKind::from_type("apps/v1", "Deployment"), None);
        assert_eq!(FluxKind::Bucket.cli_name(), "source bucket");
    }
}

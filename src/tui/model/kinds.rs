//! The Flux kinds a console lists: their `:` names and aliases (flux CLI and kubectl short
//! names), and the `flux get` columns for each (SPEC.md §1.2, §4.4).

/// A list column. Which ones a kind shows follows `flux get <kind>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Kind,
    Namespace,
    Name,
    Revision,
    Source,
    Suspended,
    Ready,
    Message,
    LastScan,
    Image,
    Tag,
    LastRun,
    LastEvent,
}

impl Column {
    pub fn title(self) -> &'static str {
        match self {
            Column::Kind => "KIND",
            Column::Namespace => "NAMESPACE",
            Column::Name => "NAME",
            Column::Revision => "REVISION",
            Column::Source => "SOURCE",
            Column::Suspended => "SUSPENDED",
            Column::Ready => "READY",
            Column::Message => "MESSAGE",
            Column::LastScan => "LAST SCAN",
            Column::Image => "IMAGE",
            Column::Tag => "TAG",
            Column::LastRun => "LAST RUN",
            Column::LastEvent => "LAST EVENT",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: &'static str,
    pub group: &'static str,
    /// Names accepted after `:` (first = canonical flux name).
    pub names: &'static [&'static str],
    pub columns: &'static [Column],
    /// No status at all (notification v1beta3 Alert/Provider): never "waiting".
    pub static_object: bool,
    /// Short name for the unified list's KIND column.
    pub short: &'static str,
}

use Column::*;
const STD: &[Column] = &[Name, Revision, Suspended, Ready, Message];
const APPLIER: &[Column] = &[Name, Revision, Source, Suspended, Ready, Message];

pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: "Kustomization",
        group: "kustomize.toolkit.fluxcd.io",
        names: &["kustomization", "kustomizations", "ks"],
        columns: APPLIER,
        static_object: false,
        short: "ks",
    },
    KindInfo {
        kind: "HelmRelease",
        group: "helm.toolkit.fluxcd.io",
        names: &["helmrelease", "helmreleases", "hr"],
        columns: APPLIER,
        static_object: false,
        short: "hr",
    },
    KindInfo {
        kind: "GitRepository",
        group: "source.toolkit.fluxcd.io",
        names: &[
            "gitrepository",
            "gitrepositories",
            "gitrepo",
            "git",
            "source-git",
        ],
        columns: STD,
        static_object: false,
        short: "gitrepo",
    },
    KindInfo {
        kind: "OCIRepository",
        group: "source.toolkit.fluxcd.io",
        names: &[
            "ocirepository",
            "ocirepositories",
            "ocirepo",
            "oci",
            "source-oci",
        ],
        columns: STD,
        static_object: false,
        short: "ocirepo",
    },
    KindInfo {
        kind: "HelmRepository",
        group: "source.toolkit.fluxcd.io",
        names: &[
            "helmrepository",
            "helmrepositories",
            "helmrepo",
            "source-helm",
        ],
        columns: STD,
        static_object: false,
        short: "helmrepo",
    },
    KindInfo {
        kind: "HelmChart",
        group: "source.toolkit.fluxcd.io",
        names: &["helmchart", "helmcharts", "hc", "chart", "source-chart"],
        columns: STD,
        static_object: false,
        short: "hc",
    },
    KindInfo {
        kind: "Bucket",
        group: "source.toolkit.fluxcd.io",
        names: &["bucket", "buckets", "source-bucket"],
        columns: STD,
        static_object: false,
        short: "bucket",
    },
    KindInfo {
        kind: "ExternalArtifact",
        group: "source.toolkit.fluxcd.io",
        names: &["externalartifact", "externalartifacts", "ea"],
        columns: &[Name, Revision, Ready, Message],
        static_object: false,
        short: "ea",
    },
    KindInfo {
        kind: "ImageRepository",
        group: "image.toolkit.fluxcd.io",
        names: &[
            "imagerepository",
            "imagerepositories",
            "imgrepo",
            "imagerepo",
            "image-repository",
        ],
        columns: &[Name, LastScan, Suspended, Ready, Message],
        static_object: false,
        short: "imgrepo",
    },
    KindInfo {
        kind: "ImagePolicy",
        group: "image.toolkit.fluxcd.io",
        names: &[
            "imagepolicy",
            "imagepolicies",
            "imgpol",
            "imagepol",
            "image-policy",
        ],
        columns: &[Name, Image, Tag, Ready, Message],
        static_object: false,
        short: "imgpol",
    },
    KindInfo {
        kind: "ImageUpdateAutomation",
        group: "image.toolkit.fluxcd.io",
        names: &[
            "imageupdateautomation",
            "imageupdateautomations",
            "iua",
            "imgupd",
            "imgauto",
            "image-update",
        ],
        columns: &[Name, LastRun, Suspended, Ready, Message],
        static_object: false,
        short: "iua",
    },
    KindInfo {
        kind: "Alert",
        group: "notification.toolkit.fluxcd.io",
        names: &["alert", "alerts"],
        columns: &[Name, Suspended, Ready, Message],
        static_object: true,
        short: "alert",
    },
    KindInfo {
        kind: "Provider",
        group: "notification.toolkit.fluxcd.io",
        names: &["provider", "providers", "alert-provider", "alert-providers"],
        columns: &[Name, Suspended, Ready, Message],
        static_object: true,
        short: "provider",
    },
    KindInfo {
        kind: "Receiver",
        group: "notification.toolkit.fluxcd.io",
        names: &["receiver", "receivers"],
        columns: STD,
        static_object: false,
        short: "receiver",
    },
];

/// Columns of the unified list (`flux get all` prints kind/name in NAME).
pub const UNIFIED: &[Column] = &[Name, Revision, Suspended, Ready, Message];

pub fn info(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

pub fn is_flux_kind(kind: &str) -> bool {
    info(kind).is_some()
}

/// What the main list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindScope {
    All,
    Sources,
    Kind(&'static KindInfo),
}

impl KindScope {
    /// Resolve a `:` command word (`ks`, `hr`, `gitrepo`, `all`, `sources`, …).
    pub fn from_command(word: &str) -> Option<Self> {
        let w = word.trim().to_ascii_lowercase();
        match w.as_str() {
            "all" | "flux" | "a" => return Some(KindScope::All),
            "sources" | "source" | "src" => return Some(KindScope::Sources),
            _ => {}
        }
        KINDS
            .iter()
            .find(|k| k.names.contains(&w.as_str()) || k.kind.eq_ignore_ascii_case(&w))
            .map(KindScope::Kind)
    }

    pub fn includes(&self, kind: &str) -> bool {
        match self {
            KindScope::All => true,
            KindScope::Sources => info(kind).is_some_and(|k| k.group == "source.toolkit.fluxcd.io"),
            KindScope::Kind(k) => k.kind == kind,
        }
    }

    pub fn title(&self) -> String {
        match self {
            KindScope::All => "all".into(),
            KindScope::Sources => "sources".into(),
            KindScope::Kind(k) => k.names[0].into(),
        }
    }
}

/// Every `:` word that selects a list, for the help overlay and completion.
pub fn command_words() -> Vec<&'static str> {
    let mut words = vec!["all", "sources"];
    for k in KINDS {
        words.extend(k.names.iter().copied());
    }
    words
}

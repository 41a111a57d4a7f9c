//! The Flux kinds a console lists: their `:` names and aliases (flux CLI and kubectl short
//! names), and the `flux get` columns for each (SPEC.md §1.2, §4.4).

use crate::api::kinds::FluxKind;

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

/// What the console adds to a Flux kind of the API table (`crate::api::kinds`): its list
/// columns. Names, the short KIND label, group and capabilities come from the API table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub flux: FluxKind,
    pub columns: &'static [Column],
}

impl KindInfo {
    pub fn kind(&self) -> &'static str {
        self.flux.kind()
    }
    pub fn group(&self) -> &'static str {
        self.flux.group()
    }
    /// No status at all (notification v1beta3 Alert/Provider): never "waiting".
    pub fn static_object(&self) -> bool {
        self.flux.info().is_static
    }
    /// Short label for the unified list's KIND column: the first kubectl short name, else
    /// the singular (`ks`, `gitrepo`, `bucket`).
    pub fn short(&self) -> &'static str {
        let info = self.flux.info();
        info.short_names.first().copied().unwrap_or(info.singular)
    }
    /// `flux suspend|resume` apply (every kind with `spec.suspend`).
    pub fn suspendable(&self) -> bool {
        self.flux.info().suspendable
    }
    /// The canonical `:` name (the kind's singular).
    pub fn name(&self) -> &'static str {
        self.flux.info().singular
    }
    /// Every single-word `:` name; multi-word CLI names (`source git`) joined with `-`.
    pub fn command_names(&self) -> Vec<String> {
        self.flux
            .names()
            .into_iter()
            .map(|words| words.join("-").to_ascii_lowercase())
            .collect()
    }
}

use Column::*;
const STD: &[Column] = &[Name, Revision, Suspended, Ready, Message];
const APPLIER: &[Column] = &[Name, Revision, Source, Suspended, Ready, Message];

pub const KINDS: &[KindInfo] = &[
    KindInfo {
        flux: FluxKind::Kustomization,
        columns: APPLIER,
    },
    KindInfo {
        flux: FluxKind::HelmRelease,
        columns: APPLIER,
    },
    KindInfo {
        flux: FluxKind::GitRepository,
        columns: STD,
    },
    KindInfo {
        flux: FluxKind::OCIRepository,
        columns: STD,
    },
    KindInfo {
        flux: FluxKind::HelmRepository,
        columns: STD,
    },
    KindInfo {
        flux: FluxKind::HelmChart,
        columns: STD,
    },
    KindInfo {
        flux: FluxKind::Bucket,
        columns: STD,
    },
    KindInfo {
        flux: FluxKind::ExternalArtifact,
        columns: &[Name, Revision, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::ImageRepository,
        columns: &[Name, LastScan, Suspended, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::ImagePolicy,
        columns: &[Name, Image, Tag, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::ImageUpdateAutomation,
        columns: &[Name, LastRun, Suspended, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::Alert,
        columns: &[Name, Suspended, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::Provider,
        columns: &[Name, Suspended, Ready, Message],
    },
    KindInfo {
        flux: FluxKind::Receiver,
        columns: STD,
    },
];

/// Columns of the unified list (`flux get all` prints kind/name in NAME).
pub const UNIFIED: &[Column] = &[Name, Revision, Suspended, Ready, Message];

pub fn info(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind() == kind)
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
        // `source git`, `source-git`, `gitrepo`, `GitRepository`: the API table's names.
        let words: Vec<&str> = w
            .split(|c: char| c.is_whitespace() || c == '-')
            .filter(|p| !p.is_empty())
            .collect();
        let flux = FluxKind::parse(&words)
            .or_else(|| FluxKind::parse(&[w.as_str()]))
            // `git`, `oci`, `chart`: the word after `flux get source`.
            .or_else(|| FluxKind::parse(&["source", w.as_str()]))?;
        KINDS.iter().find(|k| k.flux == flux).map(KindScope::Kind)
    }

    pub fn includes(&self, kind: &str) -> bool {
        match self {
            KindScope::All => true,
            KindScope::Sources => {
                info(kind).is_some_and(|k| k.group() == "source.toolkit.fluxcd.io")
            }
            KindScope::Kind(k) => k.kind() == kind,
        }
    }

    pub fn title(&self) -> String {
        match self {
            KindScope::All => "all".into(),
            KindScope::Sources => "sources".into(),
            KindScope::Kind(k) => k.name().into(),
        }
    }
}

/// Every `:` word that selects a list, for the help overlay and completion.
pub fn command_words() -> Vec<String> {
    let mut words = vec!["all".to_string(), "sources".to_string()];
    for k in KINDS {
        for name in k.command_names() {
            if !words.contains(&name) {
                words.push(name);
            }
        }
    }
    words
}

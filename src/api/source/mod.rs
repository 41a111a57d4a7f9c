//! `source.toolkit.fluxcd.io/v1`: GitRepository, OCIRepository, HelmRepository, HelmChart,
//! Bucket and ExternalArtifact. v1beta2 objects (Flux ≤ 2.7) read into the same types; the
//! fields v1 dropped (`accessFrom`, `gitImplementation`, `valuesFile`, `contentConfigChecksum`)
//! are kept in `extra` or, where a console still needs them, as explicit fields.

pub mod bucket;
pub mod git;
pub mod helm;
pub mod oci;

pub use bucket::*;
pub use git::*;
pub use helm::*;
pub use oci::*;

pub const GROUP: &str = "source.toolkit.fluxcd.io";

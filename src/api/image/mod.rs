//! `image.toolkit.fluxcd.io/v1`: ImageRepository, ImagePolicy, ImageUpdateAutomation.
//! v1beta2 (and IUA v1beta1) objects read into the same types; ImagePolicy's older
//! `status.latestImage` string is exposed through [`ImagePolicyStatus::latest`] uniformly.

pub mod automation;
pub mod policy;
pub mod repository;

pub use automation::*;
pub use policy::*;
pub use repository::*;

pub const GROUP: &str = "image.toolkit.fluxcd.io";

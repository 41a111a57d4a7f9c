//! What one reconcile attempt concluded: the single value every controller returns, from which
//! the runtime derives the status summary, the Warning event and the requeue.

use std::fmt;
use std::time::Duration;

/// The verdict of one reconcile.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done: Ready=True with this reason and message; requeue after interval ± jitter.
    Ready { reason: String, message: String },
    /// Not an error, not done (a dependency, a missing artifact): Ready=False, requeue `after`.
    Waiting {
        after: Duration,
        reason: String,
        message: String,
    },
    /// Nothing will change until the object does (invalid spec): Ready=False and Stalled=True,
    /// observedGeneration set, no requeue.
    Stalled(Failure),
    /// A failure worth retrying: Ready=False, requeue by the controller's retry policy.
    Retry(Failure),
    /// `spec.suspend: true`: nothing reconciled, no requeue.
    Suspended,
}

/// A reconcile body written with `?` returns `Result<Outcome, Failure>`: an error is a failure
/// worth retrying unless the body said otherwise (`Ok(Outcome::Stalled(..))`).
impl From<Result<Outcome, Failure>> for Outcome {
    fn from(result: Result<Outcome, Failure>) -> Outcome {
        result.unwrap_or_else(Outcome::Retry)
    }
}

impl Outcome {
    pub fn ready(reason: &str, message: impl Into<String>) -> Outcome {
        Outcome::Ready {
            reason: reason.to_string(),
            message: message.into(),
        }
    }

    pub fn waiting(after: Duration, reason: &str, message: impl Into<String>) -> Outcome {
        Outcome::Waiting {
            after,
            reason: reason.to_string(),
            message: message.into(),
        }
    }

    /// Short label for telemetry and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Ready { .. } => "Ready",
            Outcome::Waiting { .. } => "Waiting",
            Outcome::Stalled(_) => "Stalled",
            Outcome::Retry(_) => "Retry",
            Outcome::Suspended => "Suspended",
        }
    }
}

/// A failure with the Flux condition reason it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub reason: String,
    pub message: String,
}

impl Failure {
    pub fn new(reason: &str, message: impl Into<String>) -> Failure {
        Failure {
            reason: reason.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

/// Typed controller errors name the Flux reason they are reported under.
pub trait FluxReason: fmt::Display {
    fn reason(&self) -> &'static str;
}

impl<E: FluxReason> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::new(e.reason(), e.to_string())
    }
}

/// How failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// Kustomization: always `retryInterval`, no backoff.
    Fixed(Duration),
    /// controller-runtime's per-item exponential limiter (source-controller).
    Exponential { min: Duration, max: Duration },
}

impl RetryPolicy {
    /// controller-runtime defaults as set by Flux (`--min-retry-delay`, `--max-retry-delay`).
    pub const FLUX_DEFAULT: RetryPolicy = RetryPolicy::Exponential {
        min: Duration::from_millis(750),
        max: Duration::from_secs(15 * 60),
    };

    /// Delay before retry number `failures` (1 for the first failure in a row).
    pub fn delay(self, failures: u32) -> Duration {
        match self {
            RetryPolicy::Fixed(d) => d,
            RetryPolicy::Exponential { min, max } => {
                let exp = failures.saturating_sub(1).min(30);
                let d = min.saturating_mul(1u32 << exp.min(31));
                d.min(max)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_retry_doubles_up_to_the_cap() {
        let p = RetryPolicy::FLUX_DEFAULT;
        assert_eq!(p.delay(1), Duration::from_millis(750));
        assert_eq!(p.delay(2), Duration::from_millis(1500));
        assert_eq!(p.delay(4), Duration::from_millis(6000));
        assert_eq!(p.delay(40), Duration::from_secs(900));
        assert_eq!(
            RetryPolicy::Fixed(Duration::from_secs(60)).delay(9),
            Duration::from_secs(60)
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("artifact missing")]
    struct Missing;
    impl FluxReason for Missing {
        fn reason(&self) -> &'static str {
            "ArtifactFailed"
        }
    }

    #[test]
    fn typed_errors_carry_their_reason() {
        let f: Failure = Missing.into();
        assert_eq!(f, Failure::new("ArtifactFailed", "artifact missing"));
    }
}

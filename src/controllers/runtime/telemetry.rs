//! The telemetry path (ARCHITECTURE.md): short-lived controller data on a typed broadcast bus.
//! Nothing here is durable; subscribers that lag simply miss messages.

use std::time::Duration;

use tokio::sync::broadcast;

/// Which object a message is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// One telemetry message.
#[derive(Debug, Clone, PartialEq)]
pub enum Telemetry {
    Started {
        controller: &'static str,
        object: ObjectKey,
    },
    /// A named step (fetch, build, apply, prune, health, ...) finished.
    Phase {
        controller: &'static str,
        object: ObjectKey,
        phase: &'static str,
        took: Duration,
    },
    Finished {
        controller: &'static str,
        object: ObjectKey,
        /// `Outcome::label()`.
        outcome: &'static str,
        message: String,
        took: Duration,
        phases: Vec<(&'static str, Duration)>,
    },
    Log {
        controller: &'static str,
        object: Option<ObjectKey>,
        line: String,
    },
}

/// Cheap to clone; sending never blocks and never fails when nobody listens.
#[derive(Clone)]
pub struct Bus {
    tx: broadcast::Sender<Telemetry>,
}

impl Default for Bus {
    fn default() -> Self {
        Bus::new(4096)
    }
}

impl Bus {
    pub fn new(capacity: usize) -> Bus {
        let (tx, _) = broadcast::channel(capacity.max(1));
        Bus { tx }
    }

    pub fn send(&self, message: Telemetry) {
        // No receivers is normal (headless runs): dropping the message is the contract.
        let _ = self.tx.send(message);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Telemetry> {
        self.tx.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_receive_in_order_and_sending_without_them_is_fine() {
        let bus = Bus::new(8);
        bus.send(Telemetry::Log {
            controller: "x",
            object: None,
            line: "lost".into(),
        });
        let mut rx = bus.subscribe();
        let key = ObjectKey {
            kind: "GitRepository".into(),
            namespace: "ns".into(),
            name: "n".into(),
        };
        bus.send(Telemetry::Started {
            controller: "source-controller",
            object: key.clone(),
        });
        match rx.recv().await.unwrap() {
            Telemetry::Started { object, .. } => assert_eq!(object, key),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(key.to_string(), "GitRepository/ns/n");
    }
}

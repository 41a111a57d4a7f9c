//! The garbage-collector task: woken after deletes and updates, it runs GC passes (dependents
//! of deleted owners, foreground deletion, namespace termination) until nothing changes. It
//! holds only a weak reference, so it ends when the last `Store` clone is dropped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::Notify;

use super::store::{Store, StoreInner};

pub async fn run(store: Weak<StoreInner>, wake: Arc<Notify>) {
    loop {
        // a periodic sweep too, so work left by a crash or a missed wake-up still happens
        let _ = tokio::time::timeout(Duration::from_secs(5), wake.notified()).await;
        let Some(inner) = store.upgrade() else { return };
        let s = Store::from_inner(inner);
        if let Err(e) = s.gc_round().await {
            tracing::warn!(error = %e, "garbage collection pass failed");
        }
    }
}

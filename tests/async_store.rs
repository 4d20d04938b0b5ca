//! The async store conformance suite on the in-process stores (through `SyncAsAsync`), on
//! tokio's current-thread and multi-thread runtimes, and the shared-store impls (`Arc<S>`).
#![cfg(all(feature = "async", feature = "testing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::testing::{async_store_conformance, store_conformance};
use aftersales::{InMemoryStore, Store, StoreError, SyncAsAsync};
use std::error::Error as _;
use std::sync::Arc;

#[tokio::test(flavor = "current_thread")]
async fn in_memory_conforms_on_a_current_thread_runtime() {
    let report = async_store_conformance(|| async { SyncAsAsync(InMemoryStore::new()) }).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16, "{:?}", report.passed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_conforms_on_a_multi_thread_runtime() {
    let report = async_store_conformance(|| async { SyncAsAsync(InMemoryStore::new()) }).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16, "{:?}", report.passed);
}

#[tokio::test(flavor = "current_thread")]
async fn a_shared_async_store_conforms() {
    let report =
        async_store_conformance(|| async { Arc::new(SyncAsAsync(InMemoryStore::new())) }).await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

#[test]
fn a_shared_sync_store_conforms() {
    let report = store_conformance(|| Arc::new(InMemoryStore::new()));
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16, "{:?}", report.passed);
    // An engine and a scheduler can share one store without a newtype.
    let store = Arc::new(InMemoryStore::new());
    let engine = aftersales::Engine::new(store.clone());
    assert!(Store::list(engine.store(), "nothing").unwrap().is_empty());
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "current_thread")]
async fn sqlite_conforms_on_a_current_thread_runtime() {
    let report = async_store_conformance(|| async {
        SyncAsAsync(aftersales::SqliteStore::open_in_memory().unwrap())
    })
    .await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16, "{:?}", report.passed);
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_conforms_on_a_multi_thread_runtime() {
    let report = async_store_conformance(|| async {
        SyncAsAsync(aftersales::SqliteStore::open_in_memory().unwrap())
    })
    .await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
}

#[test]
fn a_backend_error_keeps_its_source() {
    let io = std::io::Error::other("disk gone");
    let e = StoreError::backend_from("write failed", io);
    assert_eq!(
        e.source().map(|s| s.to_string()).as_deref(),
        Some("disk gone")
    );
    assert!(StoreError::backend("no source").source().is_none());
    // Equality compares what the error says, not the source object.
    assert_eq!(e, StoreError::backend("write failed"));
}

//! A durable embedded [`Store`]: [`SqliteStore`], on SQLite through `rusqlite` with the
//! bundled SQLite (feature `sqlite`; nothing to install on the host).

use super::{
    Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError, check_commit, check_link,
};
use crate::Event;
use crate::chain::{ChainHead, ChainedEvent};
use crate::digest::Digest;
use crate::{Instance, InstanceId};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Schema migrations: entry `i` takes a database from version `i` to version `i + 1`.
/// Append only; an entry once released is never edited.
const MIGRATIONS: [&str; 4] = [
    // v0 -> v1: the initial schema.
    "
    CREATE TABLE instances (
        id             TEXT    NOT NULL PRIMARY KEY,
        definition     TEXT    NOT NULL,
        state          TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        next_due       INTEGER,
        next_due_nanos INTEGER,
        snapshot       TEXT    NOT NULL
    );
    CREATE INDEX instances_by_state ON instances (definition, state, id);
    CREATE INDEX instances_by_due ON instances (next_due, next_due_nanos, id)
        WHERE next_due IS NOT NULL;
    CREATE TABLE events (
        instance TEXT    NOT NULL,
        seq      INTEGER NOT NULL CHECK (seq >= 1),
        body     TEXT    NOT NULL,
        PRIMARY KEY (instance, seq)
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TABLE idempotency (
        instance    TEXT    NOT NULL,
        key         TEXT    NOT NULL,
        fingerprint INTEGER NOT NULL,
        first_seq   INTEGER NOT NULL,
        last_seq    INTEGER NOT NULL,
        PRIMARY KEY (instance, key)
    );
    ",
    // v1 -> v2: query events by kind.
    "
    ALTER TABLE events ADD COLUMN kind TEXT
        GENERATED ALWAYS AS (json_extract(body, '$.kind.type')) VIRTUAL;
    CREATE INDEX events_by_kind ON events (kind, instance, seq);
    ",
    // v2 -> v3: the hash chain. Events kept before stay without a hash (NULL): they are
    // read as unchained, and the first event committed after them links to their hash.
    "
    ALTER TABLE events ADD COLUMN hash TEXT CHECK (hash IS NULL OR length(hash) = 64);
    ",
    // v3 -> v4: scheduler leases on due instances; the transactional outbox.
    "
    ALTER TABLE instances ADD COLUMN lease_claimant TEXT;
    ALTER TABLE instances ADD COLUMN lease_until INTEGER;
    ALTER TABLE instances ADD COLUMN lease_until_nanos INTEGER;
    CREATE TABLE outbox (
        position          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
        instance          TEXT    NOT NULL,
        first_seq         INTEGER NOT NULL,
        last_seq          INTEGER NOT NULL,
        lease_claimant    TEXT,
        lease_until       INTEGER,
        lease_until_nanos INTEGER,
        UNIQUE (instance, first_seq)
    );
    ",
];

/// SQL: the lease in columns `lease_until`, `lease_until_nanos` is absent or expired at the
/// instant (`?1` seconds, `?2` nanoseconds).
const LEASE_FREE: &str = "(lease_until IS NULL OR lease_until < ?1
     OR (lease_until = ?1 AND lease_until_nanos <= ?2))";

/// SQLite's `PRAGMA synchronous` setting for the store's connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Synchronous {
    /// Sync the WAL at every commit: committed data survives power loss (the default).
    #[default]
    Full,
    /// Sync at WAL checkpoints only: faster commits, still atomic and never corrupt; the
    /// last commits before a power loss or OS crash may be lost.
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// How [`SqliteStore::open_with`] sets up its connection.
///
/// ```
/// use aftersales::{SqliteOptions, Synchronous};
/// let fast = SqliteOptions { synchronous: Synchronous::Normal, ..SqliteOptions::default() };
/// # let _ = fast;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Durability of each commit (default [`Synchronous::Full`]).
    pub synchronous: Synchronous,
    /// How long a writer waits for another connection's write lock before failing with
    /// [`StoreError::Backend`] (default 5 s).
    pub busy_timeout: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// Why [`SqliteStore::open`] refused or failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SqliteOpenError {
    /// The database was written by a newer version of this crate; it is left untouched.
    #[error("`{path}` has schema version {found}, newer than the {supported} this build supports")]
    NewerSchema {
        /// The database file.
        path: String,
        /// Its `user_version`.
        found: i64,
        /// [`SqliteStore::SCHEMA_VERSION`].
        supported: i64,
    },
    /// The file holds tables but no schema version: not a database of this crate. It is
    /// left untouched.
    #[error("`{path}` is not an aftersales database (it has tables but no schema version)")]
    Foreign {
        /// The database file.
        path: String,
    },
    /// SQLite failed (cannot open, not a database, I/O, a failed migration).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SqliteOpenError> for StoreError {
    fn from(e: SqliteOpenError) -> Self {
        match e {
            SqliteOpenError::Store(e) => e,
            other => StoreError::backend_from(other.to_string(), other),
        }
    }
}

/// A durable [`Store`] in one SQLite database file, on SQLite through `rusqlite` with the
/// bundled SQLite (feature `sqlite`; nothing to install on the host).
///
/// ```no_run
/// use aftersales::{Engine, SqliteStore};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut engine = Engine::new(SqliteStore::open("aftersales.sqlite")?);
/// // register definitions, start and fire as with any store; after a restart, open the same
/// // file again and `engine.next_due()` / `engine.handle_due(now)` find what is due.
/// # Ok(()) }
/// ```
///
/// # Layout
///
/// Snapshots and events are stored as JSON text (`serde_json`), with the fields the contract
/// queries by in indexed columns:
///
/// | table | columns | indexes |
/// |---|---|---|
/// | `instances` | `id` (key), `definition`, `state`, `version`, `next_due` (Unix seconds), `next_due_nanos`, `snapshot` (JSON) | `(definition, state, id)`; `(next_due, next_due_nanos, id)` where `next_due` is set |
/// | `events` | `instance`, `seq`, `body` (JSON); since v2 `kind` | key `(instance, seq)`; since v2 `(kind, instance, seq)` |
/// | `idempotency` | `instance`, `key`, `fingerprint`, `first_seq`, `last_seq` | key `(instance, key)` |
///
/// `events` is append-only in the database itself: triggers abort any `UPDATE` or `DELETE`
/// on it. The due-index is the `next_due` columns of `instances`, written in the same
/// transaction as the snapshot, so a restarted host finds what is due.
///
/// # Commits and concurrency
///
/// Each [`commit`](Store::commit) is one `BEGIN IMMEDIATE` transaction: read the stored
/// version, check it and the idempotency key, insert the events, upsert the snapshot and
/// its due-index entry, record the key, `COMMIT`. `IMMEDIATE` takes the database write lock
/// before the version is read, so of two writers (threads, [`SqliteStore`] values, or
/// processes on the same file) expecting the same version exactly one commits and the other
/// gets [`StoreError::Conflict`]. The database runs in WAL mode (readers do not block the
/// writer) with a busy timeout ([`SqliteOptions::busy_timeout`]) for writers waiting on each
/// other. Any failure rolls the transaction back: a commit is written whole or not at all,
/// also across a crash (SQLite's journal recovers the last committed state on the next
/// open).
///
/// One [`SqliteStore`] holds one connection behind a mutex: calls on the same value are
/// serialised; open several values on the same file for parallel readers.
///
/// # Durability
///
/// [`Synchronous::Full`] (the default) syncs the WAL at every commit: a committed command
/// survives power loss. [`Synchronous::Normal`] syncs at checkpoints only: much faster
/// commits, still atomic and never corrupt, but the last commits before a power loss or OS
/// crash may be rolled back (an application crash loses nothing). See
/// `docs/benchmarks.md` for the cost.
///
/// # Schema versions and migrations
///
/// The schema version is kept in `PRAGMA user_version`; [`SqliteStore::SCHEMA_VERSION`] is
/// the version this build writes.
///
/// | version | change |
/// |---|---|
/// | 1 | `instances`, `events` (append-only triggers), `idempotency`, and their indexes |
/// | 2 | `events.kind`: a generated column (the event's `kind.type`, e.g. `escalated`) with an index, for [`SqliteStore::events_of_kind`] |
/// | 3 | `events.hash`: each event's hash in the instance's hash chain (64 hex digits); `NULL` for events written before, which read as unchained (see the `chain` room) |
/// | 4 | `instances.lease_*`: the scheduler lease on due work; `outbox`: messages written with their commits, leased and acknowledged |
///
/// Opening a database runs every migration from its version to the current one, in order,
/// each in its own `IMMEDIATE` transaction that also bumps `user_version`, so an interrupted
/// migration leaves the database at the previous version and the next open resumes. A new
/// file (version 0, no tables) goes through the same path from version 1. A database of a
/// newer version than this build is refused with [`SqliteOpenError::NewerSchema`] (never
/// downgraded), and a database with tables but no version with
/// [`SqliteOpenError::Foreign`]. To add version N+1: append its SQL to the migrations list
/// (never edit an earlier entry), add a row to the table above, and test opening a database
/// written by version N.
///
/// # Errors
///
/// Every SQLite failure, a JSON snapshot or event that no longer parses, and a poisoned lock
/// are [`StoreError::Backend`]; nothing in this module panics.
///
/// `Send + Sync`: one connection behind a mutex. Several `SqliteStore` values (in one process
/// or several) may open the same file; their commits are serialised by SQLite's write lock
/// and checked by optimistic concurrency.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    #[cfg(test)]
    fault: Option<tests::Fault>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// `rusqlite::Error` → [`StoreError::Backend`], saying what was being done.
fn db(what: impl std::fmt::Display) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| StoreError::backend_from(format!("sqlite: {what}: {e}"), e)
}

fn backend(message: String) -> StoreError {
    StoreError::backend(message)
}

/// A `u64` counter as an SQLite INTEGER.
fn to_sql_int(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| backend(format!("sqlite: {what} {n} exceeds SQLite's INTEGER")))
}

/// An SQLite INTEGER as a `u64` counter.
fn from_sql_int(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| backend(format!("sqlite: stored {what} {n} is negative")))
}

/// The due-index key of an instant: (Unix seconds, nanoseconds), ordered like the instant.
fn due_key(t: DateTime<Utc>) -> (i64, i64) {
    (t.timestamp(), i64::from(t.timestamp_subsec_nanos()))
}

fn parse_hash(text: &str, what: &str) -> Result<Digest, StoreError> {
    text.parse()
        .map_err(|e| backend(format!("sqlite: corrupt {what}: {e}")))
}

/// The hash of the last stored event of `id` (at `version`), inside the commit's transaction:
/// the recorded hash, or for an event kept before schema v3, the hash of the event as read.
fn stored_head(
    tx: &rusqlite::Transaction<'_>,
    id: &InstanceId,
    version: i64,
) -> Result<Digest, StoreError> {
    let failed = |what: &str| db(format!("commit to `{id}` rolled back: {what}"));
    let (hash, body) = tx
        .prepare_cached("SELECT hash, body FROM events WHERE instance = ?1 AND seq = ?2")
        .and_then(|mut s| {
            s.query_row(params![id.as_str(), version], |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?))
            })
        })
        .map_err(failed("read the chain head"))?;
    match hash {
        Some(h) => parse_hash(&h, &format!("hash of event {version} of `{id}`")),
        None => Ok(parse_json::<Event>(&body, &format!("event {version} of `{id}`"))?.hash()),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| backend(format!("sqlite: corrupt {what}: {e}")))
}

impl SqliteStore {
    /// The schema version this build writes (`PRAGMA user_version`).
    pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    /// Open (or create) the database at `path` with the default [`SqliteOptions`]
    /// (`synchronous = FULL`, 5 s busy timeout), migrating it to the current schema.
    ///
    /// # Errors
    /// [`SqliteOpenError::NewerSchema`], [`SqliteOpenError::Foreign`], or
    /// [`SqliteOpenError::Store`] when SQLite fails.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SqliteOpenError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Open (or create) the database at `path` with `options`, in WAL mode, migrating it to
    /// the current schema.
    ///
    /// # Errors
    /// As [`open`](Self::open).
    pub fn open_with(
        path: impl AsRef<Path>,
        options: SqliteOptions,
    ) -> Result<Self, SqliteOpenError> {
        let path = path.as_ref().to_path_buf();
        let shown = path.display().to_string();
        let conn = Connection::open(&path).map_err(db(format!("open `{shown}`")))?;
        Self::setup(conn, path, options)
    }

    /// A private in-memory database (gone when the store is dropped), for tests and tools.
    ///
    /// # Errors
    /// [`SqliteOpenError::Store`] when SQLite fails.
    pub fn open_in_memory() -> Result<Self, SqliteOpenError> {
        let conn = Connection::open_in_memory().map_err(db("open in memory"))?;
        Self::setup(conn, PathBuf::from(":memory:"), SqliteOptions::default())
    }

    fn setup(
        mut conn: Connection,
        path: PathBuf,
        options: SqliteOptions,
    ) -> Result<Self, SqliteOpenError> {
        let shown = path.display().to_string();
        conn.busy_timeout(options.busy_timeout)
            .map_err(db("set busy timeout"))?;
        // WAL where the file system allows it; an in-memory database answers `memory`. Any
        // journal mode keeps commits atomic, WAL adds readers that do not block the writer.
        set_wal(&conn, options.busy_timeout).map_err(db(format!("set WAL mode on `{shown}`")))?;
        conn.pragma_update(None, "synchronous", options.synchronous.pragma())
            .map_err(db("set synchronous"))?;
        migrate(&mut conn, &shown)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            path,
            #[cfg(test)]
            fault: None,
        })
    }

    /// The database file (`:memory:` for [`open_in_memory`](Self::open_in_memory)).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The database's schema version (`PRAGMA user_version`); after a successful open it is
    /// [`SCHEMA_VERSION`](Self::SCHEMA_VERSION).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.lock()?
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(db("read user_version"))
    }

    /// Every event of kind `kind` ([`EventKind::name`](crate::EventKind::name), e.g.
    /// `"escalated"`, `"overridden"`), across all instances, by instance then `seq`. Uses the
    /// `events.kind` index (schema v2).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub fn events_of_kind(&self, kind: &str) -> Result<Vec<Event>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached("SELECT body FROM events WHERE kind = ?1 ORDER BY instance, seq")
            .map_err(db("prepare events_of_kind"))?;
        let rows = stmt
            .query_map([kind], |r| r.get::<_, String>(0))
            .map_err(db("query events_of_kind"))?;
        let mut out = Vec::new();
        for body in rows {
            out.push(parse_json(&body.map_err(db("read event"))?, "event")?);
        }
        Ok(out)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| {
            StoreError::backend(format!(
                "sqlite store `{}`: connection lock poisoned",
                self.path.display()
            ))
        })
    }

    fn list_ids(&self, sql: &str, params: &[&str]) -> Result<Vec<InstanceId>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(sql).map_err(db("prepare listing"))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                r.get::<_, String>(0)
            })
            .map_err(db("query listing"))?;
        rows.map(|r| r.map(InstanceId::from).map_err(db("read listing")))
            .collect()
    }
}

/// Bring `conn` to [`SqliteStore::SCHEMA_VERSION`], one transaction per version.
fn migrate(conn: &mut Connection, shown: &str) -> Result<(), SqliteOpenError> {
    // Up to date (the usual case): no write lock needed.
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db(format!("read user_version of `{shown}`")))?;
    if current == SqliteStore::SCHEMA_VERSION {
        return Ok(());
    }
    // Otherwise re-read under the write lock: another process may be migrating too.
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db(format!("begin migration of `{shown}`")))?;
        let version: i64 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(db("read user_version"))?;
        if version == SqliteStore::SCHEMA_VERSION {
            return Ok(());
        }
        if version > SqliteStore::SCHEMA_VERSION {
            return Err(SqliteOpenError::NewerSchema {
                path: shown.to_owned(),
                found: version,
                supported: SqliteStore::SCHEMA_VERSION,
            });
        }
        if version == 0 {
            let tables: i64 = tx
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
                    [],
                    |r| r.get(0),
                )
                .map_err(db("inspect schema"))?;
            if tables > 0 {
                return Err(SqliteOpenError::Foreign {
                    path: shown.to_owned(),
                });
            }
        }
        let step = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
            .ok_or_else(|| backend(format!("sqlite: `{shown}` has schema version {version}")))?;
        let next = version + 1;
        tx.execute_batch(step)
            .map_err(db(format!("migrate `{shown}` to schema v{next}")))?;
        tx.pragma_update(None, "user_version", next)
            .map_err(db("write user_version"))?;
        tx.commit()
            .map_err(db(format!("commit migration of `{shown}` to v{next}")))?;
    }
}

/// Switch to WAL mode. Switching takes an exclusive lock, and SQLite answers "database is
/// locked" at once (without the busy handler) when another connection opens the same new file
/// at that moment, so this step retries until the busy timeout has passed.
fn set_wal(conn: &Connection, timeout: Duration) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        let r =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0));
        match r {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && started.elapsed() < timeout =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            other => return other.map(|_| ()),
        }
    }
}

impl Store for SqliteStore {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        check_commit(&commit)?;
        let snap = &commit.instance;
        let id = snap.id();
        // Everything that can fail without the database, before taking the lock.
        let snapshot = serde_json::to_string(snap)
            .map_err(|e| backend(format!("sqlite: serialise snapshot of `{id}`: {e}")))?;
        let mut events = Vec::with_capacity(commit.events.len());
        for (e, hash) in commit.events.iter().zip(&commit.hashes) {
            let body = serde_json::to_string(e)
                .map_err(|err| backend(format!("sqlite: serialise event {}: {err}", e.seq)))?;
            events.push((to_sql_int(e.seq, "seq")?, body, hash.to_string()));
        }
        let version = to_sql_int(snap.version(), "version")?;
        let due = snap.next_due().map(due_key);
        let key = match &commit.idempotency {
            Some(k) => Some((
                k,
                to_sql_int(k.first_seq, "seq")?,
                to_sql_int(k.last_seq, "seq")?,
            )),
            None => None,
        };

        let mut conn = self.lock()?;
        let failed = |what: &str| db(format!("commit to `{id}` rolled back: {what}"));
        // IMMEDIATE: the write lock is held from here, so the version read below cannot go
        // stale before COMMIT. Dropping `tx` on any early return rolls everything back.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed("begin"))?;
        let actual = tx
            .prepare_cached("SELECT version FROM instances WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id.as_str()], |r| r.get::<_, i64>(0))
                    .optional()
            })
            .map_err(failed("read version"))?
            .map_or(Ok(0), |v| from_sql_int(v, "version"))?;
        if actual != commit.expected_version {
            return Err(StoreError::Conflict {
                instance: id.clone(),
                expected: commit.expected_version,
                actual,
            });
        }
        let head = if actual == 0 {
            Digest::ZERO
        } else {
            stored_head(&tx, id, to_sql_int(actual, "version")?)?
        };
        check_link(&commit, head)?;
        if let Some((k, _, _)) = &key {
            let known = tx
                .prepare_cached("SELECT 1 FROM idempotency WHERE instance = ?1 AND key = ?2")
                .and_then(|mut s| s.exists(params![id.as_str(), &k.key]))
                .map_err(failed("read idempotency key"))?;
            if known {
                return Err(StoreError::DuplicateKey {
                    instance: id.clone(),
                    key: k.key.clone(),
                });
            }
        }
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO events (instance, seq, body, hash) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(failed("prepare event insert"))?;
            for (seq, body, hash) in &events {
                insert
                    .execute(params![id.as_str(), seq, body, hash])
                    .map_err(failed("insert event"))?;
            }
        }
        #[cfg(test)]
        if let Some(f) = &self.fault {
            f.after_events()?;
        }
        tx.prepare_cached(
            "INSERT INTO instances
                 (id, definition, state, version, next_due, next_due_nanos, snapshot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (id) DO UPDATE SET
                 definition = excluded.definition, state = excluded.state,
                 version = excluded.version, next_due = excluded.next_due,
                 next_due_nanos = excluded.next_due_nanos, snapshot = excluded.snapshot",
        )
        .and_then(|mut s| {
            s.execute(params![
                id.as_str(),
                snap.definition().as_str(),
                snap.state().as_str(),
                version,
                due.map(|d| d.0),
                due.map(|d| d.1),
                snapshot,
            ])
        })
        .map_err(failed("write snapshot"))?;
        if let Some((k, first, last)) = key {
            tx.prepare_cached(
                "INSERT INTO idempotency (instance, key, fingerprint, first_seq, last_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut s| {
                // The fingerprint's 64 bits, stored as SQLite's signed INTEGER.
                s.execute(params![
                    id.as_str(),
                    &k.key,
                    i64::from_ne_bytes(k.fingerprint.to_ne_bytes()),
                    first,
                    last
                ])
            })
            .map_err(failed("record idempotency key"))?;
        }
        if commit.outbox {
            tx.prepare_cached(
                "INSERT INTO outbox (instance, first_seq, last_seq) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut s| {
                let first = events.first().map_or(0, |e| e.0);
                let last = events.last().map_or(0, |e| e.0);
                s.execute(params![id.as_str(), first, last])
            })
            .map_err(failed("write outbox message"))?;
        }
        tx.commit().map_err(failed("COMMIT"))?;
        #[cfg(test)]
        if let Some(f) = &self.fault {
            f.after_commit()?;
        }
        Ok(())
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        let conn = self.lock()?;
        let text = conn
            .prepare_cached("SELECT snapshot FROM instances WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id.as_str()], |r| r.get::<_, String>(0))
                    .optional()
            })
            .map_err(db(format!("load `{id}`")))?;
        text.map(|t| parse_json(&t, &format!("snapshot of `{id}`")).map(Arc::new))
            .transpose()
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        // Past SQLite's INTEGER range nothing can follow.
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached("SELECT body FROM events WHERE instance = ?1 AND seq > ?2 ORDER BY seq")
            .map_err(db("prepare events"))?;
        let rows = stmt
            .query_map(params![id.as_str(), after], |r| r.get::<_, String>(0))
            .map_err(db(format!("read events of `{id}`")))?;
        let mut out = Vec::new();
        for body in rows {
            let body = body.map_err(db(format!("read events of `{id}`")))?;
            out.push(parse_json(&body, &format!("event of `{id}`"))?);
        }
        Ok(out)
    }

    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT body, hash FROM events WHERE instance = ?1 AND seq > ?2 ORDER BY seq",
            )
            .map_err(db("prepare chained events"))?;
        let rows = stmt
            .query_map(params![id.as_str(), after], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .map_err(db(format!("read events of `{id}`")))?;
        let mut out = Vec::new();
        for row in rows {
            let (body, hash) = row.map_err(db(format!("read events of `{id}`")))?;
            out.push(ChainedEvent {
                event: parse_json(&body, &format!("event of `{id}`"))?,
                hash: hash
                    .map(|h| parse_hash(&h, &format!("hash of an event of `{id}`")))
                    .transpose()?,
            });
        }
        Ok(out)
    }

    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let conn = self.lock()?;
        // Each instance's last event: the greatest `seq` of its events (not the snapshot's
        // version, which is the snapshot's own claim), found through the primary key.
        let mut stmt = conn
            .prepare_cached(
                "SELECT e.instance, e.seq, e.hash, e.body FROM instances i
                 JOIN events e ON e.instance = i.id
                  AND e.seq = (SELECT max(seq) FROM events WHERE instance = i.id)
                 ORDER BY i.id",
            )
            .map_err(db("prepare chain heads"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(db("read chain heads"))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, seq, hash, body) = row.map_err(db("read chain heads"))?;
            let hash = match hash {
                Some(h) => parse_hash(&h, &format!("hash of the last event of `{id}`"))?,
                None => parse_json::<Event>(&body, &format!("event of `{id}`"))?.hash(),
            };
            out.push(ChainHead {
                instance: InstanceId::from(id),
                seq: from_sql_int(seq, "seq")?,
                hash,
            });
        }
        Ok(out)
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let conn = self.lock()?;
        let row = conn
            .prepare_cached(
                "SELECT fingerprint, first_seq, last_seq FROM idempotency
                 WHERE instance = ?1 AND key = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![id.as_str(), key], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .optional()
            })
            .map_err(db(format!("read idempotency key of `{id}`")))?;
        row.map(|(fingerprint, first, last)| {
            Ok(IdempotencyRecord {
                key: key.to_owned(),
                fingerprint: u64::from_ne_bytes(fingerprint.to_ne_bytes()),
                first_seq: from_sql_int(first, "seq")?,
                last_seq: from_sql_int(last, "seq")?,
            })
        })
        .transpose()
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.list_ids(
            "SELECT id FROM instances WHERE definition = ?1 AND state = ?2 ORDER BY id",
            &[definition, state],
        )
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.list_ids(
            "SELECT id FROM instances WHERE definition = ?1 ORDER BY id",
            &[definition],
        )
    }

    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        let conn = self.lock()?;
        let row = conn
            .prepare_cached(
                "SELECT next_due, next_due_nanos, id FROM instances WHERE next_due IS NOT NULL
                 ORDER BY next_due, next_due_nanos, id LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .optional()
            })
            .map_err(db("read next due"))?;
        row.map(|(secs, nanos, id)| {
            let at = u32::try_from(nanos)
                .ok()
                .and_then(|n| DateTime::from_timestamp(secs, n))
                .ok_or_else(|| {
                    backend(format!(
                        "sqlite: corrupt due instant {secs}.{nanos} of `{id}`"
                    ))
                })?;
            Ok((at, InstanceId::from(id)))
        })
        .transpose()
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        let (secs, nanos) = due_key(now);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT id FROM instances
                 WHERE next_due IS NOT NULL
                   AND (next_due < ?1 OR (next_due = ?1 AND next_due_nanos <= ?2))
                 ORDER BY next_due, next_due_nanos, id LIMIT ?3",
            )
            .map_err(db("prepare due"))?;
        let rows = stmt
            .query_map(params![secs, nanos, limit], |r| r.get::<_, String>(0))
            .map_err(db("read due"))?;
        rows.map(|r| r.map(InstanceId::from).map_err(db("read due")))
            .collect()
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        let (secs, nanos) = due_key(now);
        let (until, until_nanos) = due_key(lease.until);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("begin claim_due"))?;
        let ids: Vec<String> = {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT id FROM instances
                     WHERE next_due IS NOT NULL
                       AND (next_due < ?1 OR (next_due = ?1 AND next_due_nanos <= ?2))
                       AND {LEASE_FREE}
                     ORDER BY next_due, next_due_nanos, id LIMIT ?3"
                ))
                .map_err(db("prepare claim_due"))?;
            let rows = stmt
                .query_map(params![secs, nanos, limit], |r| r.get::<_, String>(0))
                .map_err(db("read claimable due"))?;
            rows.collect::<Result<_, _>>()
                .map_err(db("read claimable due"))?
        };
        {
            let mut take = tx
                .prepare_cached(
                    "UPDATE instances SET lease_claimant = ?2, lease_until = ?3,
                     lease_until_nanos = ?4 WHERE id = ?1",
                )
                .map_err(db("prepare lease"))?;
            for id in &ids {
                take.execute(params![id, &lease.claimant, until, until_nanos])
                    .map_err(db(format!("lease `{id}`")))?;
            }
        }
        tx.commit().map_err(db("commit claim_due"))?;
        Ok(ids.into_iter().map(InstanceId::from).collect())
    }

    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        self.lock()?
            .prepare_cached(
                "UPDATE instances SET lease_claimant = NULL, lease_until = NULL,
                 lease_until_nanos = NULL WHERE id = ?1 AND lease_claimant = ?2",
            )
            .and_then(|mut s| s.execute(params![id.as_str(), claimant]))
            .map_err(db(format!("release lease on `{id}`")))?;
        Ok(())
    }

    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let (secs, nanos) = due_key(now);
        let (until, until_nanos) = due_key(lease.until);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("begin claim_outbox"))?;
        let rows: Vec<(i64, String, i64, i64)> = {
            let mut stmt = tx
                .prepare_cached(&format!(
                    "SELECT position, instance, first_seq, last_seq FROM outbox
                     WHERE {LEASE_FREE} ORDER BY position LIMIT ?3"
                ))
                .map_err(db("prepare claim_outbox"))?;
            let rows = stmt
                .query_map(params![secs, nanos, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(db("read outbox"))?;
            rows.collect::<Result<_, _>>().map_err(db("read outbox"))?
        };
        let mut out = Vec::with_capacity(rows.len());
        {
            let mut take = tx
                .prepare_cached(
                    "UPDATE outbox SET lease_claimant = ?2, lease_until = ?3,
                     lease_until_nanos = ?4 WHERE position = ?1",
                )
                .map_err(db("prepare outbox lease"))?;
            for (position, instance, first, last) in rows {
                take.execute(params![position, &lease.claimant, until, until_nanos])
                    .map_err(db("lease outbox message"))?;
                out.push(OutboxMessage {
                    instance: InstanceId::from(instance),
                    first_seq: from_sql_int(first, "seq")?,
                    last_seq: from_sql_int(last, "seq")?,
                });
            }
        }
        tx.commit().map_err(db("commit claim_outbox"))?;
        Ok(out)
    }

    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        let Ok(first) = i64::try_from(message.first_seq) else {
            return Ok(()); // past SQLite's INTEGER range: never stored
        };
        self.lock()?
            .prepare_cached("DELETE FROM outbox WHERE instance = ?1 AND first_seq = ?2")
            .and_then(|mut s| s.execute(params![message.instance.as_str(), first]))
            .map_err(db("acknowledge outbox message"))?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    //! Crash safety: a commit interrupted after its events were inserted but before the
    //! snapshot was written, by an error (rolled back) and by killing the process (recovered
    //! by SQLite on the next open), leaves the whole previous state and none of the commit.

    use super::*;
    use crate::{
        Actor, Builder, BusinessDuration, Command, DeadlineSpec, Definition, Registry, Trigger,
    };
    use chrono::TimeZone;
    use serde_json::json;
    use std::process::Command as Process;
    use std::time::Instant;

    /// Where a test makes a commit stop.
    pub(super) enum Fault {
        /// Fail with a backend error after the events insert, before the snapshot update.
        FailAfterEvents,
        /// After the events insert, create `marker` and hang until the process is killed.
        HangAfterEvents { marker: PathBuf },
        /// After `COMMIT` returned, create `marker` and hang until the process is killed.
        HangAfterCommit { marker: PathBuf },
    }

    fn hang(marker: &Path) -> ! {
        std::fs::write(marker, b"here").expect("write marker");
        loop {
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    impl Fault {
        pub(super) fn after_events(&self) -> Result<(), StoreError> {
            match self {
                Fault::FailAfterEvents => Err(backend("injected fault after events".into())),
                Fault::HangAfterEvents { marker } => hang(marker),
                Fault::HangAfterCommit { .. } => Ok(()),
            }
        }

        pub(super) fn after_commit(&self) -> Result<(), StoreError> {
            match self {
                Fault::HangAfterCommit { marker } => hang(marker),
                _ => Ok(()),
            }
        }
    }

    fn definition() -> Definition {
        Builder::new("crash", 1)
            .roles(["clerk"])
            .start_roles(["clerk"])
            .initial("open")
            .normal("working")
            .terminal("done")
            .transition("open", "begin", "working", |t| t.roles(["clerk"]))
            .transition("working", "finish", "done", |t| t.roles(["clerk"]))
            .deadline(DeadlineSpec::new(
                "answer",
                Trigger::enter("working"),
                BusinessDuration::WorkingHours(4),
            ))
            .build(&Registry::with_calendar(
                crate::BusinessCalendar::china_standard(),
            ))
            .unwrap()
    }

    fn clerk() -> Actor {
        Actor::new("c", ["clerk"])
    }

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
    }

    /// The first commit (create) and the second (begin: several events, a due-index entry).
    fn commits() -> (Commit, Commit) {
        let def = definition();
        let d0 = crate::start(&def, "x".into(), &clerk(), json!({}), t0()).unwrap();
        let d1 =
            crate::decide(&def, &d0.instance, &Command::fire(&clerk(), "begin"), t0()).unwrap();
        assert!(
            d1.events.len() > 1,
            "the interrupted commit has several events"
        );
        let c0 = Commit::linked(d0.instance.clone(), d0.events, Digest::ZERO, 0, None);
        let head = c0.instance.chain_head().unwrap();
        let c1 = Commit::linked(
            d1.instance,
            d1.events,
            head,
            d0.instance.version(),
            Some(IdempotencyRecord {
                key: "k".into(),
                fingerprint: u64::MAX,
                first_seq: d0.instance.version() + 1,
                last_seq: d0.instance.version() + 1,
            }),
        );
        let c1 = Commit { outbox: true, ..c1 };
        (c0, c1)
    }

    struct TempDb(PathBuf);

    impl TempDb {
        fn new(tag: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            TempDb(std::env::temp_dir().join(format!(
                "aftersales-unit-{tag}-{}-{nanos}.sqlite",
                std::process::id()
            )))
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut p = self.0.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }

    /// Exactly the first commit is in the database, with none of the second.
    fn assert_only_first(store: &SqliteStore, c0: &Commit, c1: &Commit) {
        let id = c0.instance.id();
        assert_eq!(store.load(id).unwrap().as_ref(), Some(&c0.instance));
        assert_eq!(store.events(id, 0).unwrap(), c0.events);
        assert_eq!(store.idempotency(id, "k").unwrap(), None);
        assert_eq!(store.next_due().unwrap(), None);
        // A lease ending at `now` is not live: looking does not hide the message.
        let look = Lease::new("check", t0());
        assert_eq!(store.claim_outbox(t0(), 10, &look).unwrap(), vec![]);
        assert_eq!(
            store.list_by_state("crash", "open").unwrap(),
            vec![id.clone()]
        );
        // Nothing half-written is in the way: the same commit now goes through whole.
        store.commit(c1.clone()).unwrap();
        assert_whole(store, c0, c1);
    }

    /// Both commits are in the database, whole.
    fn assert_whole(store: &SqliteStore, c0: &Commit, c1: &Commit) {
        let id = c0.instance.id();
        assert_eq!(store.load(id).unwrap().as_ref(), Some(&c1.instance));
        let mut all = c0.events.clone();
        all.extend(c1.events.iter().cloned());
        assert_eq!(store.events(id, 0).unwrap(), all);
        assert_eq!(store.idempotency(id, "k").unwrap(), c1.idempotency);
        let look = Lease::new("check", t0());
        let message = OutboxMessage::of(c1).unwrap();
        assert_eq!(store.claim_outbox(t0(), 10, &look).unwrap(), vec![message]);
        let due = c1.instance.next_due().unwrap();
        assert_eq!(store.next_due().unwrap(), Some((due, id.clone())));
        c1.instance.verify(&all).unwrap();
    }

    #[test]
    fn a_commit_failing_between_events_and_snapshot_writes_nothing() {
        let db = TempDb::new("fail");
        let (c0, c1) = commits();
        {
            let mut store = SqliteStore::open(&db.0).unwrap();
            store.commit(c0.clone()).unwrap();
            store.fault = Some(Fault::FailAfterEvents);
            let err = store.commit(c1.clone()).unwrap_err();
            assert!(
                matches!(&err, StoreError::Backend { message, .. } if message.contains("injected")),
                "{err:?}"
            );
            // Same connection, after the rollback.
            store.fault = None;
            assert_eq!(store.events(c0.instance.id(), 0).unwrap(), c0.events);
        }
        let store = SqliteStore::open(&db.0).unwrap();
        assert_only_first(&store, &c0, &c1);
    }

    #[test]
    fn a_poisoned_lock_is_a_backend_error() {
        let store = SqliteStore::open_in_memory().unwrap();
        let poison = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _held = store.conn.lock().unwrap();
            panic!("a panic while holding the connection");
        }));
        assert!(poison.is_err());
        let (c0, _) = commits();
        for result in [
            store.commit(c0.clone()),
            store.load(c0.instance.id()).map(|_| ()),
        ] {
            assert!(
                matches!(&result, Err(StoreError::Backend { message, .. }) if message.contains("poisoned")),
                "{result:?}"
            );
        }
    }

    const CHILD_DB: &str = "AFTERSALES_SQLITE_CRASH_DB";
    const CHILD_STAGE: &str = "AFTERSALES_SQLITE_CRASH_STAGE";

    /// Run in a child process: commit `c0`, then `c1` with a fault that hangs at `stage`.
    fn child(db: &str, stage: &str) -> ! {
        let (c0, c1) = commits();
        let mut store = SqliteStore::open(db).unwrap();
        store.commit(c0.clone()).unwrap();
        let marker = PathBuf::from(format!("{db}.marker"));
        store.fault = Some(match stage {
            "after_events" => Fault::HangAfterEvents { marker },
            _ => Fault::HangAfterCommit { marker },
        });
        let _ = store.commit(c1.clone());
        unreachable!("the fault hangs");
    }

    /// Start this test binary again as a child running `test` with `stage`, wait until it is
    /// inside the commit, and kill it (SIGKILL on Unix: no destructor, no rollback runs).
    fn kill_child_at(test: &str, db: &TempDb, stage: &str) {
        let marker = PathBuf::from(format!("{}.marker", db.0.display()));
        let mut child = Process::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--test-threads=1"])
            .env(CHILD_DB, &db.0)
            .env(CHILD_STAGE, stage)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !marker.exists() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("child exited before the fault: {status}");
            }
            if started.elapsed() > Duration::from_secs(120) {
                child.kill().unwrap();
                panic!("child never reached the fault");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success(), "killed, not finished: {status}");
        let _ = std::fs::remove_file(marker);
    }

    fn child_mode() -> bool {
        if let (Ok(db), Ok(stage)) = (std::env::var(CHILD_DB), std::env::var(CHILD_STAGE)) {
            child(&db, &stage);
        }
        false
    }

    #[test]
    fn a_process_killed_between_events_and_snapshot_leaves_none_of_the_commit() {
        if child_mode() {
            return;
        }
        let db = TempDb::new("kill-mid");
        kill_child_at(
            "store::sqlite::tests::a_process_killed_between_events_and_snapshot_leaves_none_of_the_commit",
            &db,
            "after_events",
        );
        let (c0, c1) = commits();
        let store = SqliteStore::open(&db.0).unwrap();
        assert_only_first(&store, &c0, &c1);
    }

    #[test]
    fn a_process_killed_after_commit_keeps_the_whole_commit() {
        if child_mode() {
            return;
        }
        let db = TempDb::new("kill-after");
        kill_child_at(
            "store::sqlite::tests::a_process_killed_after_commit_keeps_the_whole_commit",
            &db,
            "after_commit",
        );
        let (c0, c1) = commits();
        let store = SqliteStore::open(&db.0).unwrap();
        assert_whole(&store, &c0, &c1);
    }
}

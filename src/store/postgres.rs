//! A store several processes share: [`PostgresStore`], on PostgreSQL through
//! `tokio-postgres` with a `deadpool-postgres` pool (feature `postgres`; needs tokio), and
//! [`BlockingPostgresStore`], the same store for sync hosts.
//!
//! Layout (schema version [`PostgresStore::SCHEMA_VERSION`], migrations applied by
//! [`PostgresStore::connect`] under an advisory lock and recorded in `aftersales_schema`):
//!
//! - `instances`: one row per instance with its `version`, state, due-index columns, the
//!   snapshot (JSON text) and the scheduler lease;
//! - `events`: primary key `(instance, seq)`, each with its hash in the instance's hash chain
//!   (checked to link to the stored head in the commit's transaction); a trigger refuses every
//!   `UPDATE`, `DELETE` and `TRUNCATE` (append-only, enforced by the database);
//! - `idempotency`: primary key `(instance, key)`, written in the commit's transaction;
//! - `outbox`: one row per undelivered message, written in the commit's transaction.
//!
//! Instants are stored as (seconds, nanoseconds) pairs, so they round-trip exactly
//! (`timestamptz` keeps microseconds).

use super::asynchronous::AsyncStore;
use super::{
    Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError, check_commit, check_link,
};
use crate::chain::{ChainHead, ChainedEvent};
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::InstanceId;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use deadpool_postgres::tokio_postgres::error::SqlState;
use deadpool_postgres::tokio_postgres::{self, NoTls};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::str::FromStr;
use std::sync::Arc;

/// Schema migrations: entry `i` takes a database from version `i` to `i + 1`. Append only.
const MIGRATIONS: [&str; 1] = [
    // v0 -> v1: the initial schema.
    "
    CREATE TABLE instances (
        id                TEXT    COLLATE \"C\" NOT NULL PRIMARY KEY,
        definition        TEXT    NOT NULL,
        state             TEXT    NOT NULL,
        version           BIGINT  NOT NULL CHECK (version >= 1),
        next_due          BIGINT,
        next_due_nanos    INTEGER,
        snapshot          TEXT    NOT NULL,
        lease_claimant    TEXT,
        lease_until       BIGINT,
        lease_until_nanos INTEGER
    );
    CREATE INDEX instances_by_state ON instances (definition, state, id);
    CREATE INDEX instances_by_due ON instances (next_due, next_due_nanos, id)
        WHERE next_due IS NOT NULL;
    CREATE TABLE events (
        instance TEXT   COLLATE \"C\" NOT NULL,
        seq      BIGINT NOT NULL CHECK (seq >= 1),
        body     TEXT   NOT NULL,
        hash     TEXT   NOT NULL CHECK (length(hash) = 64),
        PRIMARY KEY (instance, seq)
    );
    CREATE FUNCTION aftersales_events_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'events are append-only (% refused)', TG_OP
                USING ERRCODE = 'restrict_violation';
        END $$;
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION aftersales_events_append_only();
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION aftersales_events_append_only();
    CREATE TABLE idempotency (
        instance    TEXT   NOT NULL,
        key         TEXT   NOT NULL,
        fingerprint BIGINT NOT NULL,
        first_seq   BIGINT NOT NULL,
        last_seq    BIGINT NOT NULL,
        PRIMARY KEY (instance, key)
    );
    CREATE TABLE outbox (
        position          BIGSERIAL NOT NULL PRIMARY KEY,
        instance          TEXT      NOT NULL,
        first_seq         BIGINT    NOT NULL,
        last_seq          BIGINT    NOT NULL,
        lease_claimant    TEXT,
        lease_until       BIGINT,
        lease_until_nanos INTEGER,
        UNIQUE (instance, first_seq)
    );
    ",
];

/// The advisory lock key serialising migrations across processes ("aftersal" in ASCII).
const MIGRATION_LOCK: i64 = 0x6166_7465_7273_616c;

/// SQL: the lease in `lease_until`, `lease_until_nanos` is absent or expired at (`$1`, `$2`).
const LEASE_FREE: &str =
    "(lease_until IS NULL OR (lease_until, lease_until_nanos) <= ($1::BIGINT, $2::INTEGER))";

/// How to open a [`PostgresStore`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PostgresOptions {
    /// The PostgreSQL schema holding the tables, created when missing (default: the
    /// server's default `search_path`, usually `public`). Letters, digits and `_` only.
    pub schema: Option<String>,
    /// Connections in the pool (default 16).
    pub pool_size: usize,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            schema: None,
            pool_size: 16,
        }
    }
}

impl PostgresOptions {
    /// Keep the tables in `schema` (created when missing).
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Keep up to `n` connections (at least 1).
    #[must_use]
    pub fn pool_size(mut self, n: usize) -> Self {
        self.pool_size = n.max(1);
        self
    }
}

/// Why [`PostgresStore::connect`] refused or failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PostgresOpenError {
    /// The connection string does not parse.
    #[error("invalid PostgreSQL connection string: {reason}")]
    InvalidUrl {
        /// The driver's reason.
        reason: String,
    },
    /// The schema name is empty or holds other characters than ASCII letters, digits, `_`.
    #[error("invalid schema name `{schema}` (ASCII letters, digits and `_` only)")]
    InvalidSchema {
        /// The name.
        schema: String,
    },
    /// The database was migrated by a newer version of this crate; it is left untouched.
    #[error(
        "the database has schema version {found}, newer than the {supported} this build supports"
    )]
    NewerSchema {
        /// The version found.
        found: i64,
        /// [`PostgresStore::SCHEMA_VERSION`].
        supported: i64,
    },
    /// The server failed (unreachable, refused, a failed migration).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The durable store for several nodes: every [`Store`] contract clause on PostgreSQL.
///
/// - One transaction per commit: the instance row is updated only if its `version` is the
///   one the writer read (`UPDATE ... WHERE version = $expected`; a new instance is an
///   `INSERT ... ON CONFLICT DO NOTHING`), and `(instance, seq)` is the events' primary
///   key, so of two commits expecting the same version exactly one lands; the idempotency
///   key and the outbox message are written in the same transaction.
/// - Due work and outbox messages are claimed with `FOR UPDATE SKIP LOCKED`: concurrent
///   schedulers never wait for each other and never take the same row.
/// - Connections are pooled (`deadpool-postgres`) and use no TLS: run it over loopback or a
///   private network.
///
/// Its futures need a tokio runtime (the driver's connections are tokio tasks).
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    schema: Option<String>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("pool", &self.pool.status())
            .finish()
    }
}

fn pg(what: impl std::fmt::Display) -> impl FnOnce(tokio_postgres::Error) -> StoreError {
    move |e| StoreError::backend_from(format!("postgres: {what}: {}", describe(&e)), e)
}

/// The driver's error with the server's message (its `Display` says only "db error").
fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

fn to_sql_int(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n)
        .map_err(|_| StoreError::backend(format!("postgres: {what} {n} exceeds BIGINT")))
}

fn from_sql_int(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n)
        .map_err(|_| StoreError::backend(format!("postgres: stored {what} {n} is negative")))
}

/// An instant as (Unix seconds, nanoseconds), ordered like the instant.
fn instant_key(t: DateTime<Utc>) -> (i64, i32) {
    // Nanoseconds are below 2e9 (a leap second adds 1e9), within i32.
    (
        t.timestamp(),
        i32::try_from(t.timestamp_subsec_nanos()).unwrap_or(i32::MAX),
    )
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::backend_from(format!("postgres: corrupt {what}: {e}"), e))
}

fn parse_hash(text: &str, what: &str) -> Result<Digest, StoreError> {
    Digest::from_str(text)
        .map_err(|e| StoreError::backend_from(format!("postgres: corrupt {what}: {e}"), e))
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

impl PostgresStore {
    /// The schema version this build writes.
    pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

    /// Connect to `url` (`postgres://user@host:port/db`, or key=value form) with the default
    /// [`PostgresOptions`], migrating the database to the current schema.
    ///
    /// # Errors
    /// [`PostgresOpenError`].
    pub async fn connect(url: &str) -> Result<Self, PostgresOpenError> {
        Self::connect_with(url, PostgresOptions::default()).await
    }

    /// Connect to `url` with `options`, creating the schema when missing and migrating it.
    ///
    /// # Errors
    /// [`PostgresOpenError`].
    pub async fn connect_with(
        url: &str,
        options: PostgresOptions,
    ) -> Result<Self, PostgresOpenError> {
        let mut config =
            tokio_postgres::Config::from_str(url).map_err(|e| PostgresOpenError::InvalidUrl {
                reason: e.to_string(),
            })?;
        if let Some(schema) = &options.schema {
            let valid = !schema.is_empty()
                && schema
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !valid {
                return Err(PostgresOpenError::InvalidSchema {
                    schema: schema.clone(),
                });
            }
            config.options(format!("-c search_path={schema}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .build()
            .map_err(|e| StoreError::backend(format!("postgres: build pool: {e}")))?;
        let store = PostgresStore {
            pool,
            schema: options.schema,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The schema the tables live in, when one was named.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::backend_from(format!("postgres: get connection: {e}"), e))
    }

    /// Bring the database to [`SCHEMA_VERSION`](Self::SCHEMA_VERSION), one transaction per
    /// version, under an advisory lock (two processes starting at once migrate once).
    async fn migrate(&self) -> Result<(), PostgresOpenError> {
        let mut client = self.client().await?;
        loop {
            let tx = client.transaction().await.map_err(pg("begin migration"))?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await
                .map_err(pg("take the migration lock"))?;
            // Under the lock: `IF NOT EXISTS` alone races when nodes start together.
            if let Some(schema) = &self.schema {
                tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                    .await
                    .map_err(pg(format!("create schema `{schema}`")))?;
            }
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS aftersales_schema (
                     version    BIGINT      NOT NULL PRIMARY KEY,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 )",
            )
            .await
            .map_err(pg("create aftersales_schema"))?;
            let version: i64 = tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM aftersales_schema",
                    &[],
                )
                .await
                .map_err(pg("read schema version"))?
                .get(0);
            if version == Self::SCHEMA_VERSION {
                tx.commit().await.map_err(pg("end migration"))?;
                return Ok(());
            }
            if version > Self::SCHEMA_VERSION {
                return Err(PostgresOpenError::NewerSchema {
                    found: version,
                    supported: Self::SCHEMA_VERSION,
                });
            }
            let step = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
                .ok_or_else(|| {
                    StoreError::backend(format!("postgres: schema version {version}"))
                })?;
            let next = version + 1;
            tx.batch_execute(step)
                .await
                .map_err(pg(format!("migrate to schema v{next}")))?;
            tx.execute(
                "INSERT INTO aftersales_schema (version) VALUES ($1)",
                &[&next],
            )
            .await
            .map_err(pg("record schema version"))?;
            tx.commit()
                .await
                .map_err(pg(format!("commit migration to v{next}")))?;
        }
    }

    /// The database's schema version; after a successful connect it is
    /// [`SCHEMA_VERSION`](Self::SCHEMA_VERSION).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM aftersales_schema",
                &[],
            )
            .await
            .map_err(pg("read schema version"))?;
        Ok(row.get(0))
    }

    /// The database server's clock (`clock_timestamp()`, to the microsecond): one clock for
    /// every node of a fleet, so the `now` that nodes pass to the engine agrees across
    /// machines. (The store itself never reads a clock; this is for the host.)
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub async fn database_now(&self) -> Result<DateTime<Utc>, StoreError> {
        let client = self.client().await?;
        let micros: i64 = client
            .query_one(
                "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::BIGINT",
                &[],
            )
            .await
            .map_err(pg("read the database clock"))?
            .get(0);
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::backend(format!("postgres: clock reads {micros} µs")))
    }

    /// Run `sql` (statements without results) on a pooled connection: for tools and tests
    /// (e.g. proving that the database itself refuses to change an event).
    ///
    /// # Errors
    /// [`StoreError::Backend`] with the server's error as source.
    pub async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        client.batch_execute(sql).await.map_err(pg("execute"))
    }

    async fn current_version(
        &self,
        client: &deadpool_postgres::Client,
        id: &InstanceId,
    ) -> Result<u64, StoreError> {
        let row = client
            .query_opt(
                "SELECT version FROM instances WHERE id = $1",
                &[&id.as_str()],
            )
            .await
            .map_err(pg(format!("read version of `{id}`")))?;
        row.map_or(Ok(0), |r| from_sql_int(r.get(0), "version"))
    }

    async fn list_ids(&self, sql: &str, params: &[&str]) -> Result<Vec<InstanceId>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(sql)
            .await
            .map_err(pg("prepare listing"))?;
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = params
            .iter()
            .map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let rows = client
            .query(&stmt, &params)
            .await
            .map_err(pg("query listing"))?;
        Ok(rows
            .iter()
            .map(|r| InstanceId::from(r.get::<_, String>(0)))
            .collect())
    }

    /// The commit's transaction; `Ok(Err(..))` is a refusal (rolled back by the caller).
    async fn write(&self, commit: &Commit, rows: &Rows) -> Result<(), StoreError> {
        let id = commit.instance.id();
        let mut client = self.client().await?;
        let failed = |what: &str| pg(format!("commit to `{id}` rolled back: {what}"));
        let tx = client.transaction().await.map_err(failed("begin"))?;
        let snap = &commit.instance;
        let updated = if commit.expected_version == 0 {
            tx.execute(
                "INSERT INTO instances
                     (id, definition, state, version, next_due, next_due_nanos, snapshot)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
                &[
                    &id.as_str(),
                    &snap.definition().as_str(),
                    &snap.state().as_str(),
                    &rows.version,
                    &rows.due.map(|d| d.0),
                    &rows.due.map(|d| d.1),
                    &rows.snapshot,
                ],
            )
            .await
            .map_err(failed("insert instance"))?
        } else {
            tx.execute(
                "UPDATE instances SET definition = $2, state = $3, version = $4,
                     next_due = $5, next_due_nanos = $6, snapshot = $7
                 WHERE id = $1 AND version = $8",
                &[
                    &id.as_str(),
                    &snap.definition().as_str(),
                    &snap.state().as_str(),
                    &rows.version,
                    &rows.due.map(|d| d.0),
                    &rows.due.map(|d| d.1),
                    &rows.snapshot,
                    &rows.expected,
                ],
            )
            .await
            .map_err(failed("update instance"))?
        };
        if updated != 1 {
            drop(tx);
            let actual = self.current_version(&client, id).await?;
            return Err(StoreError::Conflict {
                instance: id.clone(),
                expected: commit.expected_version,
                actual,
            });
        }
        // The instance row is locked by the update: the stored head cannot move under us.
        let head = if commit.expected_version == 0 {
            Digest::ZERO
        } else {
            let row = tx
                .query_one(
                    "SELECT hash FROM events WHERE instance = $1 AND seq = $2",
                    &[&id.as_str(), &rows.expected],
                )
                .await
                .map_err(failed("read the stored chain head"))?;
            parse_hash(
                row.get(0),
                &format!("hash of event {} of `{id}`", rows.expected),
            )?
        };
        check_link(commit, head)?;
        let inserted = tx
            .execute(
                "INSERT INTO events (instance, seq, body, hash)
                 SELECT $1::TEXT, * FROM unnest($2::BIGINT[], $3::TEXT[], $4::TEXT[])",
                &[&id.as_str(), &rows.seqs, &rows.bodies, &rows.hashes],
            )
            .await;
        match inserted {
            Ok(_) => {}
            Err(e) if is_unique_violation(&e) => {
                drop(tx);
                let actual = self.current_version(&client, id).await?;
                return Err(StoreError::Conflict {
                    instance: id.clone(),
                    expected: commit.expected_version,
                    actual,
                });
            }
            Err(e) => return Err(failed("insert events")(e)),
        }
        if let Some((k, first, last)) = &rows.key {
            let r = tx
                .execute(
                    "INSERT INTO idempotency (instance, key, fingerprint, first_seq, last_seq)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &id.as_str(),
                        &k.key,
                        &i64::from_ne_bytes(k.fingerprint.to_ne_bytes()),
                        first,
                        last,
                    ],
                )
                .await;
            match r {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::DuplicateKey {
                        instance: id.clone(),
                        key: k.key.clone(),
                    });
                }
                Err(e) => return Err(failed("record idempotency key")(e)),
            }
        }
        if commit.outbox {
            let first = rows.seqs.first().copied().unwrap_or(0);
            let last = rows.seqs.last().copied().unwrap_or(0);
            tx.execute(
                "INSERT INTO outbox (instance, first_seq, last_seq) VALUES ($1, $2, $3)",
                &[&id.as_str(), &first, &last],
            )
            .await
            .map_err(failed("write outbox message"))?;
        }
        tx.commit().await.map_err(failed("COMMIT"))
    }
}

/// A commit turned into column values, before any connection is taken.
struct Rows {
    snapshot: String,
    version: i64,
    expected: i64,
    due: Option<(i64, i32)>,
    seqs: Vec<i64>,
    bodies: Vec<String>,
    hashes: Vec<String>,
    key: Option<(IdempotencyRecord, i64, i64)>,
}

impl Rows {
    fn of(commit: &Commit) -> Result<Rows, StoreError> {
        let snap = &commit.instance;
        let id = snap.id();
        let snapshot = serde_json::to_string(snap.as_ref()).map_err(|e| {
            StoreError::backend_from(format!("postgres: serialise snapshot of `{id}`: {e}"), e)
        })?;
        let mut seqs = Vec::with_capacity(commit.events.len());
        let mut bodies = Vec::with_capacity(commit.events.len());
        for e in &commit.events {
            bodies.push(serde_json::to_string(e).map_err(|err| {
                StoreError::backend_from(format!("postgres: serialise event {}: {err}", e.seq), err)
            })?);
            seqs.push(to_sql_int(e.seq, "seq")?);
        }
        let hashes = commit.hashes.iter().map(Digest::to_string).collect();
        let key = match &commit.idempotency {
            Some(k) => Some((
                k.clone(),
                to_sql_int(k.first_seq, "seq")?,
                to_sql_int(k.last_seq, "seq")?,
            )),
            None => None,
        };
        Ok(Rows {
            snapshot,
            version: to_sql_int(snap.version(), "version")?,
            expected: to_sql_int(commit.expected_version, "version")?,
            due: snap.next_due().map(instant_key),
            seqs,
            bodies,
            hashes,
            key,
        })
    }
}

impl AsyncStore for PostgresStore {
    async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        check_commit(&commit)?;
        let rows = Rows::of(&commit)?;
        self.write(&commit, &rows).await
    }

    async fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT snapshot FROM instances WHERE id = $1")
            .await
            .map_err(pg("prepare load"))?;
        let row = client
            .query_opt(&stmt, &[&id.as_str()])
            .await
            .map_err(pg(format!("load `{id}`")))?;
        row.map(|r| parse_json::<Instance>(r.get(0), &format!("snapshot of `{id}`")).map(Arc::new))
            .transpose()
    }

    async fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new()); // past BIGINT nothing can follow
        };
        let client = self.client().await?;
        let stmt = client
            .prepare_cached("SELECT body FROM events WHERE instance = $1 AND seq > $2 ORDER BY seq")
            .await
            .map_err(pg("prepare events"))?;
        let rows = client
            .query(&stmt, &[&id.as_str(), &after])
            .await
            .map_err(pg(format!("read events of `{id}`")))?;
        rows.iter()
            .map(|r| parse_json(r.get(0), &format!("event of `{id}`")))
            .collect()
    }

    async fn chained_events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> Result<Vec<ChainedEvent>, StoreError> {
        let Ok(after) = i64::try_from(after) else {
            return Ok(Vec::new());
        };
        let client = self.client().await?;
        let stmt = client
            .prepare_cached(
                "SELECT body, hash FROM events WHERE instance = $1 AND seq > $2 ORDER BY seq",
            )
            .await
            .map_err(pg("prepare chained events"))?;
        let rows = client
            .query(&stmt, &[&id.as_str(), &after])
            .await
            .map_err(pg(format!("read events of `{id}`")))?;
        rows.iter()
            .map(|r| {
                let event: Event = parse_json(r.get(0), &format!("event of `{id}`"))?;
                let hash = parse_hash(r.get(1), &format!("hash of event {} of `{id}`", event.seq))?;
                Ok(ChainedEvent {
                    event,
                    hash: Some(hash),
                })
            })
            .collect()
    }

    async fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT i.id, e.seq, e.hash FROM instances i
                 JOIN events e ON e.instance = i.id AND e.seq = i.version
                 ORDER BY i.id",
                &[],
            )
            .await
            .map_err(pg("read chain heads"))?;
        rows.iter()
            .map(|r| {
                let instance = InstanceId::from(r.get::<_, String>(0));
                Ok(ChainHead {
                    seq: from_sql_int(r.get(1), "seq")?,
                    hash: parse_hash(r.get(2), &format!("chain head of `{instance}`"))?,
                    instance,
                })
            })
            .collect()
    }

    async fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT fingerprint, first_seq, last_seq FROM idempotency
                 WHERE instance = $1 AND key = $2",
                &[&id.as_str(), &key],
            )
            .await
            .map_err(pg(format!("read idempotency key of `{id}`")))?;
        row.map(|r| {
            Ok(IdempotencyRecord {
                key: key.to_owned(),
                fingerprint: u64::from_ne_bytes(r.get::<_, i64>(0).to_ne_bytes()),
                first_seq: from_sql_int(r.get(1), "seq")?,
                last_seq: from_sql_int(r.get(2), "seq")?,
            })
        })
        .transpose()
    }

    async fn list_by_state(
        &self,
        definition: &str,
        state: &str,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.list_ids(
            "SELECT id FROM instances WHERE definition = $1 AND state = $2 ORDER BY id",
            &[definition, state],
        )
        .await
    }

    async fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.list_ids(
            "SELECT id FROM instances WHERE definition = $1 ORDER BY id",
            &[definition],
        )
        .await
    }

    async fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT next_due, next_due_nanos, id FROM instances WHERE next_due IS NOT NULL
                 ORDER BY next_due, next_due_nanos, id LIMIT 1",
                &[],
            )
            .await
            .map_err(pg("read next due"))?;
        row.map(|r| {
            let (secs, nanos, id): (i64, i32, String) = (r.get(0), r.get(1), r.get(2));
            let at = u32::try_from(nanos)
                .ok()
                .and_then(|n| DateTime::from_timestamp(secs, n))
                .ok_or_else(|| {
                    StoreError::backend(format!(
                        "postgres: corrupt due instant {secs}.{nanos} of `{id}`"
                    ))
                })?;
            Ok((at, InstanceId::from(id)))
        })
        .transpose()
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        let (secs, nanos) = instant_key(now);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT id FROM instances
                 WHERE next_due IS NOT NULL
                   AND (next_due, next_due_nanos) <= ($1::BIGINT, $2::INTEGER)
                 ORDER BY next_due, next_due_nanos, id LIMIT $3",
                &[&secs, &nanos, &limit],
            )
            .await
            .map_err(pg("read due"))?;
        Ok(rows
            .iter()
            .map(|r| InstanceId::from(r.get::<_, String>(0)))
            .collect())
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        let (secs, nanos) = instant_key(now);
        let (until, until_nanos) = instant_key(lease.until);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "WITH picked AS (
                         SELECT id FROM instances
                         WHERE next_due IS NOT NULL
                           AND (next_due, next_due_nanos) <= ($1::BIGINT, $2::INTEGER)
                           AND {LEASE_FREE}
                         ORDER BY next_due, next_due_nanos, id
                         LIMIT $3
                         FOR UPDATE SKIP LOCKED)
                     UPDATE instances i
                     SET lease_claimant = $4, lease_until = $5, lease_until_nanos = $6
                     FROM picked WHERE i.id = picked.id
                     RETURNING i.next_due, i.next_due_nanos, i.id"
                ),
                &[&secs, &nanos, &limit, &lease.claimant, &until, &until_nanos],
            )
            .await
            .map_err(pg("claim due"))?;
        let mut picked: Vec<(i64, i32, String)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        picked.sort();
        Ok(picked
            .into_iter()
            .map(|(_, _, id)| InstanceId::from(id))
            .collect())
    }

    async fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE instances SET lease_claimant = NULL, lease_until = NULL,
                 lease_until_nanos = NULL WHERE id = $1 AND lease_claimant = $2",
                &[&id.as_str(), &claimant],
            )
            .await
            .map_err(pg(format!("release lease on `{id}`")))?;
        Ok(())
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let (secs, nanos) = instant_key(now);
        let (until, until_nanos) = instant_key(lease.until);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "WITH picked AS (
                         SELECT position FROM outbox WHERE {LEASE_FREE}
                         ORDER BY position LIMIT $3
                         FOR UPDATE SKIP LOCKED)
                     UPDATE outbox o
                     SET lease_claimant = $4, lease_until = $5, lease_until_nanos = $6
                     FROM picked WHERE o.position = picked.position
                     RETURNING o.position, o.instance, o.first_seq, o.last_seq"
                ),
                &[&secs, &nanos, &limit, &lease.claimant, &until, &until_nanos],
            )
            .await
            .map_err(pg("claim outbox"))?;
        let mut picked: Vec<(i64, String, i64, i64)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        picked.sort();
        picked
            .into_iter()
            .map(|(_, instance, first, last)| {
                Ok(OutboxMessage {
                    instance: InstanceId::from(instance),
                    first_seq: from_sql_int(first, "seq")?,
                    last_seq: from_sql_int(last, "seq")?,
                })
            })
            .collect()
    }

    async fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        let Ok(first) = i64::try_from(message.first_seq) else {
            return Ok(()); // past BIGINT: never stored
        };
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM outbox WHERE instance = $1 AND first_seq = $2",
                &[&message.instance.as_str(), &first],
            )
            .await
            .map_err(pg("acknowledge outbox message"))?;
        Ok(())
    }
}

/// [`PostgresStore`] for sync hosts: a [`Store`] that runs each call on a tokio runtime of
/// its own (one worker thread, which also drives the pooled connections).
///
/// Call it from plain threads. Called from inside an async runtime it refuses with a
/// [`StoreError::Backend`] (blocking there would stall, or panic, that runtime): async hosts
/// use [`PostgresStore`] itself.
pub struct BlockingPostgresStore {
    runtime: tokio::runtime::Runtime,
    inner: PostgresStore,
}

impl std::fmt::Debug for BlockingPostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingPostgresStore")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl BlockingPostgresStore {
    /// Connect as [`PostgresStore::connect_with`] does, on a runtime of its own.
    ///
    /// # Errors
    /// [`PostgresOpenError`]; a runtime that cannot be started (or a call from inside an
    /// async runtime) is [`PostgresOpenError::Store`].
    pub fn connect_with(url: &str, options: PostgresOptions) -> Result<Self, PostgresOpenError> {
        outside_runtime()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| StoreError::backend_from(format!("postgres: start runtime: {e}"), e))?;
        let inner = runtime.block_on(PostgresStore::connect_with(url, options))?;
        Ok(BlockingPostgresStore { runtime, inner })
    }

    /// The async store inside (for use from async code on any tokio runtime).
    pub fn as_async(&self) -> &PostgresStore {
        &self.inner
    }

    /// [`PostgresStore::database_now`]: the database server's clock.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    pub fn database_now(&self) -> Result<DateTime<Utc>, StoreError> {
        self.run(self.inner.database_now())
    }

    fn run<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        outside_runtime()?;
        self.runtime.block_on(f)
    }
}

fn outside_runtime() -> Result<(), StoreError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(StoreError::backend(
            "BlockingPostgresStore called from inside an async runtime: use PostgresStore there",
        ));
    }
    Ok(())
}

impl Store for BlockingPostgresStore {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        self.run(self.inner.commit(commit))
    }
    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        self.run(self.inner.load(id))
    }
    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.run(self.inner.events(id, after))
    }
    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        self.run(self.inner.chained_events(id, after))
    }
    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.run(self.inner.chain_heads())
    }
    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.run(self.inner.idempotency(id, key))
    }
    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.run(self.inner.list_by_state(definition, state))
    }
    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.run(self.inner.list(definition))
    }
    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        self.run(self.inner.next_due())
    }
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        self.run(self.inner.due(now, limit))
    }
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.run(self.inner.claim_due(now, limit, lease))
    }
    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        self.run(self.inner.release_due(id, claimant))
    }
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.run(self.inner.claim_outbox(now, limit, lease))
    }
    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        self.run(self.inner.ack_outbox(message))
    }
}

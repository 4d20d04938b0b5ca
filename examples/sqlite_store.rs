//! examples/sqlite_store.rs — a procedure survives a host restart in a SQLite file.
//!
//! A warranty repair is reported and sent to diagnosis on Friday afternoon; the host stops.
//! On Monday a new host opens the same database file in a new `Engine`, asks the store what
//! is due (`next_due`), lets the missed diagnosis deadline escalate (`handle_due`), and the
//! repair continues to the end. The stored snapshot is then proven equal to the replay of
//! the stored audit trail (`verify`).
//!
//! Run with `cargo run --example sqlite_store --features sqlite`.

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::error::Error;
use std::io::Write;
use std::path::PathBuf;

/// Local time in UTC+8 (the default business calendar), November 2026, as a UTC instant.
fn local(d: u32, h: u32, m: u32) -> Result<DateTime<Utc>, Box<dyn Error>> {
    let t = Utc
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .single()
        .ok_or("bad time")?;
    Ok(t - TimeDelta::hours(8))
}

fn shown(t: DateTime<Utc>) -> String {
    (t + TimeDelta::hours(8))
        .format("%a %m-%d %H:%M")
        .to_string()
}

/// The definition, built inline: both hosts build the same one (definitions are code; the
/// database holds instances and their history).
fn definition() -> Result<Definition, BuildError> {
    Builder::new("warranty_repair", 1)
        .roles(["service", "technician", "supervisor"])
        .start_roles(["service"])
        .initial("reported")
        .normal("diagnosis")
        .normal("supervisor_review")
        .normal("repair")
        .terminal("closed")
        .transition("reported", "submit", "diagnosis", |t| t.roles(["service"]))
        .transition("diagnosis", "diagnose", "repair", |t| {
            t.roles(["technician"]).merge_payload()
        })
        .transition("supervisor_review", "assign", "repair", |t| {
            t.roles(["supervisor"]).merge_payload()
        })
        .transition("repair", "repaired", "closed", |t| t.roles(["technician"]))
        .deadline(
            DeadlineSpec::new(
                "diagnose_in_8h",
                Trigger::enter("diagnosis"),
                BusinessDuration::WorkingHours(8),
            )
            .escalate(EscalationSpec::move_to("supervisor_review").and_notify(["supervisor"]))
            .owner("technician"),
        )
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
}

/// Removes the database file and its WAL side files, also on an early error.
struct TempDb(PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Run the scenario, printing to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();
    let db = TempDb(std::env::temp_dir().join(format!(
        "aftersales-example-{}-{nanos}.sqlite",
        std::process::id()
    )));
    let service = Actor::new("li.service", ["service"]);
    let technician = Actor::new("zhao.tech", ["technician"]);
    let supervisor = Actor::new("wang.sup", ["supervisor"]);
    let id = InstanceId::from("WR-2026-017");

    // Friday: the first host reports the repair and sends it to diagnosis, then stops.
    {
        let mut engine = Engine::new(SqliteStore::open(&db.0)?);
        engine.register(definition()?)?;
        engine.start(
            "warranty_repair",
            id.clone(),
            &service,
            json!({"serial": "SN-88412"}),
            local(20, 15, 30)?,
        )?;
        engine.fire(&id, &Command::fire(&service, "submit"), local(20, 16, 0)?)?;
        let inst = engine.load(&id)?;
        writeln!(
            out,
            "host 1: `{id}` in {} at version {}; stopping",
            inst.state(),
            inst.version()
        )?;
    } // the engine, the store and its connection are gone

    // Monday: a new host opens the same file.
    let mut engine = Engine::new(SqliteStore::open(&db.0)?);
    engine.register(definition()?)?;
    writeln!(
        out,
        "host 2: reopened {} (schema v{})",
        db.0.display(),
        engine.store().schema_version()?
    )?;
    let due = engine.next_due()?.ok_or("the deadline was not persisted")?;
    writeln!(out, "host 2: next due {} (local)", shown(due))?;

    let now = local(23, 16, 30)?;
    let report = engine.handle_due(now)?;
    for (handled, events) in &report.handled {
        writeln!(
            out,
            "host 2: handle_due at {}: `{handled}` +{} events",
            shown(now),
            events.len()
        )?;
    }
    writeln!(out, "host 2: `{id}` now in {}", engine.load(&id)?.state())?;

    engine.fire(
        &id,
        &Command::fire(&supervisor, "assign").with_payload(json!({"bench": 3})),
        local(23, 16, 45)?,
    )?;
    let done = engine.fire(
        &id,
        &Command::fire(&technician, "repaired"),
        local(24, 11, 0)?,
    )?;
    writeln!(
        out,
        "host 2: `{id}` reached {} (closed: {}), nothing due: {}",
        done.instance.state(),
        done.instance.is_closed(),
        engine.next_due()?.is_none()
    )?;

    engine.verify(&id)?;
    writeln!(
        out,
        "\n-- audit trail from the database (replay verified) --"
    )?;
    let offset = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    write!(out, "{}", Trail::new(&engine.history(&id)?).offset(offset))?;
    let escalations = engine.store().events_of_kind("escalated")?;
    writeln!(
        out,
        "\nescalations on record (events_of_kind): {}",
        escalations.len()
    )?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout().lock())
}

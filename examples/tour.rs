//! A tour of the engine: a small definition run through a happy path, a forbidden attempt,
//! a guard rejection, a sign-off, and a missed deadline that escalates; then the audit trail
//! and the Mermaid diagram, on one screen or two; then it names the example of each built-in
//! procedure to run next.
//!
//! Run with `cargo run --example tour`.

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::error::Error;
use std::io::Write;

/// Local time in UTC+8 (the default business calendar) as a UTC instant.
fn local(d: u32, h: u32, m: u32) -> Result<DateTime<Utc>, Box<dyn Error>> {
    let t = Utc
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .single()
        .ok_or("bad time")?;
    Ok(t - TimeDelta::hours(8))
}

fn definition() -> Result<Definition, BuildError> {
    let registry = Registry::with_calendar(aftersales::BusinessCalendar::china_standard()).guard(
        "has_photos",
        |c| match c.payload["photos"].as_u64() {
            Some(n) if n > 0 => Ok(()),
            _ => Err("a complaint without a returned part needs photos".to_owned()),
        },
    );
    Builder::new("tour_complaint", 1)
        .roles(["service", "cqe", "quality_manager", "vp"])
        .start_roles(["service"])
        .initial("received")
        .normal("analysis")
        .normal("meeting")
        .normal("approval")
        .terminal("closed")
        .transition("received", "accept", "analysis", |t| {
            t.roles(["service"]).guard("has_photos").merge_payload()
        })
        .transition("analysis", "conclude", "approval", |t| t.roles(["cqe"]))
        .transition("meeting", "conclude", "approval", |t| {
            t.roles(["quality_manager"])
        })
        .transition("approval", "approve", "closed", |t| {
            t.sign_off(
                ["quality_manager", "vp"],
                SignOrder::Sequential,
                "approve the 8D",
            )
            .on_refuse("analysis")
        })
        .deadline(
            DeadlineSpec::new(
                "analysis_3wd",
                Trigger::enter("analysis"),
                BusinessDuration::WorkingDays(3),
            )
            .escalate(EscalationSpec::move_to("meeting").and_notify(["quality_manager", "vp"]))
            .owner("cqe"),
        )
        .build(&registry)
}

/// Run the tour, printing to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let def = definition()?;
    let diagram = Mermaid(&def).to_string();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def)?;

    let service = Actor::new("li.service", ["service"]);
    let qm = Actor::new("wang.qm", ["quality_manager"]);
    let vp = Actor::new("chen.vp", ["vp"]);
    let id = InstanceId::from("KS-2026-001");

    writeln!(out, "== aftersales tour ==")?;
    engine.start(
        "tour_complaint",
        id.clone(),
        &service,
        json!({"customer": "ACME"}),
        local(16, 10, 0)?,
    )?;

    // A guard rejection: no photos.
    let refused = engine.fire(&id, &Command::fire(&service, "accept"), local(16, 10, 5)?);
    writeln!(
        out,
        "guard rejection: {}",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    )?;
    engine.fire(
        &id,
        &Command::fire(&service, "accept").with_payload(json!({"photos": 3})),
        local(16, 10, 10)?,
    )?;

    // A forbidden attempt: the service clerk may not conclude the analysis.
    let refused = engine.fire(&id, &Command::fire(&service, "conclude"), local(16, 11, 0)?);
    writeln!(
        out,
        "forbidden: {}",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    )?;

    // The CQE misses the 3-working-day limit: the host asks what is due and feeds `now`.
    let due = engine.next_due()?.ok_or("no deadline")?;
    writeln!(
        out,
        "next due: {} (Asia/Shanghai, UTC+08:00)",
        (due + TimeDelta::hours(8)).format("%a %m-%d %H:%M")
    )?;
    let report = engine.handle_due(local(19, 10, 30)?)?;
    writeln!(
        out,
        "handle_due escalated {} instance(s)",
        report.handled.len()
    )?;
    let again = engine.handle_due(local(19, 10, 30)?)?;
    writeln!(
        out,
        "handle_due again: {} (idempotent)",
        again.handled.len()
    )?;

    // The meeting concludes; the 8D is signed by the quality manager, then the VP.
    engine.fire(&id, &Command::fire(&qm, "conclude"), local(19, 15, 0)?)?;
    let early = engine.fire(&id, &Command::sign(&vp, "approve"), local(19, 15, 5)?);
    writeln!(
        out,
        "sign-off order: {}",
        early.err().map(|e| e.to_string()).unwrap_or_default()
    )?;
    engine.fire(&id, &Command::sign(&qm, "approve"), local(19, 15, 10)?)?;
    let done = engine.fire(&id, &Command::sign(&vp, "approve"), local(19, 16, 0)?)?;
    writeln!(
        out,
        "final state: {} (closed: {})",
        done.instance.state(),
        done.instance.is_closed()
    )?;

    engine.verify(&id)?;
    writeln!(
        out,
        "\n-- audit trail (replay verified; times in Asia/Shanghai, UTC+08:00) --"
    )?;
    let offset = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    write!(out, "{}", Trail::new(&engine.history(&id)?).offset(offset))?;

    let sla = engine.sla_report(local(19, 16, 0)?)?;
    writeln!(
        out,
        "\nSLA: {} met, {} breached, on-time {}‰ (goal {}‰: {})",
        sla.total.met,
        sla.total.breached,
        sla.total.on_time_permille().unwrap_or(1000),
        sla.goal_permille,
        if sla.meets_goal() { "met" } else { "missed" }
    )?;
    writeln!(out, "\n-- diagram (Mermaid) --\n{diagram}")?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut out = std::io::stdout().lock();
    run(&mut out)?;
    writeln!(out, "\nNext, one built-in procedure each:")?;
    for (example, what) in [
        ("batch_quality", "batch quality issue (售后批量质量问题)"),
        ("complaint", "customer complaint (客诉) with 8D"),
        (
            "customer_return",
            "customer return / exchange / loan (客退/客换/客借)",
        ),
        ("consumables", "outsourced consumables request (耗材申请单)"),
        (
            "concession",
            "concession (让步接受) with A/B/C sign-off chains",
        ),
    ] {
        writeln!(out, "  cargo run --example {example:<16} # {what}")?;
    }
    Ok(())
}

//! Business time as the documents write it: each whole-day limit of the built-in procedures,
//! and of a host's own 001 visit, ends at the close-of-day instant the document means
//! (product decision `PD-DUR` (docs/sources.md)), and one boundary rule decides met and breached at
//! exactly that instant, whichever of the host's timer or the action comes first.
//!
//! Each test is named after its clause: `RF-PROP (004 L36–73)` (RF-PROP §4.2 item 1 (004 L60–67), the customer-service proposal),
//! `QD-004 §8` (QD-004 §8 (004 L623), the complaint time limits), `BQ-E §5.2.1 (000 L654)` (the batch R&D limits),
//! `SVC-WTY §4 (001 L131)` (the on-site visit, a definition of the host's). Instants are local times in
//! `Asia/Shanghai` (UTC+8) unless a test names `Europe/Berlin`.
#![cfg(all(feature = "tz", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::customer_return::{
    self as cr, ArrivalPromise, Case, CaseKind, ClaimedReturnType, Customer, CustomerClass,
    DealerCommitment, ReplacementRequest, ReturnNotice, ReturnRegion,
};
use aftersales::procedures::{batch_quality as bq, complaint, shanghai_calendar};
use aftersales::testing::fixtures;
use aftersales::*;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use common::defs::{engine_with, visit_definition};
use serde_json::json;
use std::sync::Arc;

mod common;

/// A local time in `Asia/Shanghai` (UTC+8 all year).
fn cn(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap() - TimeDelta::hours(8)
}

/// A local time in `Europe/Berlin` (never in a gap or a repeat in these tests).
fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let local = day(y, mo, d).and_hms_opt(h, mi, 0).unwrap();
    berlin_office().to_utc(local).unwrap()
}

fn day(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

/// `Asia/Shanghai` with National Day 2026 (Oct 1–7), the make-up Saturday Oct 10 and New
/// Year's Day 2027, from a plain holiday file as a host would keep it.
fn shanghai_2026() -> Arc<dyn Calendar> {
    let mut file = String::from("# National Day 2026\n");
    for d in day(2026, 10, 1).iter_days().take(7) {
        file.push_str(&format!("{d}\n"));
    }
    file.push_str("+2026-10-10 # make-up Saturday (调休)\n");
    file.push_str("2027-01-01 # New Year's Day\n");
    let cal = BusinessCalendar::asia_shanghai()
        .to_builder()
        .holidays_from_str(&file)
        .unwrap()
        .build()
        .unwrap();
    assert!(cal.periods_on(day(2026, 10, 3)).is_empty(), "a holiday");
    assert!(
        !cal.periods_on(day(2026, 10, 10)).is_empty(),
        "a make-up day"
    );
    Arc::new(cal)
}

/// The default week in `Europe/Berlin`, with daylight saving time.
fn berlin_office() -> Arc<dyn Calendar> {
    Arc::new(
        BusinessCalendar::builder()
            .zone("Europe/Berlin")
            .build()
            .unwrap(),
    )
}

/// The fixed limit of deadline `name` in a built definition.
fn limit_of(def: &Definition, name: &str) -> BusinessDuration {
    let spec = def
        .spec()
        .deadlines
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no deadline `{name}`"));
    match &spec.limit {
        DurationSpec::Fixed(d) => *d,
        other => panic!("`{name}` is not a fixed limit: {other:?}"),
    }
}

// ---------------------------------------------------------------- SVC-WTY §4 (001 L131), the host's visit

struct Visit {
    engine: Engine<InMemoryStore>,
    desk: Actor,
    engineer: Actor,
}

impl Visit {
    fn new(calendar: Arc<dyn Calendar>) -> Self {
        let registry = Registry::new().shared_calendar(calendar);
        Visit {
            engine: engine_with([visit_definition(&registry)]),
            desk: Actor::new("desk-1", ["desk"]),
            engineer: Actor::new("eng-1", ["engineer"]),
        }
    }

    /// Report `id` at `at`, scheduled at once; the due instant of its visit.
    fn report(&self, id: &str, at: DateTime<Utc>) -> DateTime<Utc> {
        self.engine
            .start("service_visit", id, &self.desk, json!({}), at)
            .unwrap();
        self.engine
            .fire(&id.into(), &Command::fire(&self.desk, "schedule"), at)
            .unwrap();
        self.clock(id).due_at
    }

    fn visit(&self, id: &str, at: DateTime<Utc>) {
        self.engine
            .fire(&id.into(), &Command::fire(&self.engineer, "visit"), at)
            .unwrap();
    }

    fn clock(&self, id: &str) -> DeadlineState {
        self.engine
            .load(&id.into())
            .unwrap()
            .clock("on_site")
            .cloned()
            .unwrap()
    }

    /// The deadline events `handle_due(now)` records for `id`.
    fn timer(&self, id: &str, now: DateTime<Utc>) -> Vec<&'static str> {
        self.engine
            .handle_due(now)
            .unwrap()
            .handled
            .into_iter()
            .filter(|(i, _)| i.as_str() == id)
            .flat_map(|(_, events)| events)
            .map(|e| e.kind.name())
            .collect()
    }
}

#[test]
fn s001_l131_friday_1600_report_is_on_time_at_monday_1730() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("V-1", cn(2026, 11, 20, 16, 0));
    // The close of business of the next working day, not Monday 16:00.
    assert_eq!(due, cn(2026, 11, 23, 18, 0));
    v.visit("V-1", cn(2026, 11, 23, 17, 30));
    let stopped = v.clock("V-1").stopped.unwrap();
    assert!(stopped.met && !v.clock("V-1").breached);
    // Half an hour of working time to spare.
    assert_eq!(stopped.margin_secs, 30 * 60);
}

#[test]
fn s001_l131_visit_due_at_close_of_the_next_working_day_from_any_start() {
    let v = Visit::new(shanghai_2026());
    #[rustfmt::skip]
    let cases = [
        ("Wednesday before opening", cn(2026, 11, 18, 7, 0), cn(2026, 11, 19, 18, 0)),
        ("in the lunch break", cn(2026, 11, 18, 12, 30), cn(2026, 11, 19, 18, 0)),
        ("a minute before the close", cn(2026, 11, 20, 17, 59), cn(2026, 11, 23, 18, 0)),
        ("at the exact close: counts from Monday", cn(2026, 11, 20, 18, 0), cn(2026, 11, 24, 18, 0)),
        ("Friday evening", cn(2026, 11, 20, 21, 0), cn(2026, 11, 24, 18, 0)),
        ("Saturday", cn(2026, 11, 21, 10, 0), cn(2026, 11, 24, 18, 0)),
        ("on a holiday", cn(2026, 10, 3, 10, 0), cn(2026, 10, 9, 18, 0)),
        ("the eve of the holidays, at the close", cn(2026, 9, 30, 18, 0), cn(2026, 10, 9, 18, 0)),
        ("the day before a make-up Saturday", cn(2026, 10, 9, 16, 0), cn(2026, 10, 10, 18, 0)),
        ("on the make-up Saturday", cn(2026, 10, 10, 10, 0), cn(2026, 10, 12, 18, 0)),
    ];
    for (i, (name, reported, due)) in cases.into_iter().enumerate() {
        assert_eq!(v.report(&format!("V-{i}"), reported), due, "{name}");
    }
}

#[test]
fn s001_l131_visit_across_daylight_saving_changes_in_berlin() {
    let v = Visit::new(berlin_office());
    #[rustfmt::skip]
    let cases = [
        // Spring forward on Sun 29 Mar: Monday's close is 18:00 CEST (16:00 UTC).
        ("spring", berlin(2026, 3, 27, 16, 0), berlin(2026, 3, 30, 18, 0), "2026-03-30T16:00:00+00:00"),
        // Fall back on Sun 25 Oct: Monday's close is 18:00 CET (17:00 UTC).
        ("autumn", berlin(2026, 10, 23, 16, 0), berlin(2026, 10, 26, 18, 0), "2026-10-26T17:00:00+00:00"),
    ];
    for (name, reported, due, utc) in cases {
        let got = v.report(name, reported);
        assert_eq!(got, due, "{name}");
        assert_eq!(got.to_rfc3339(), utc, "{name}");
    }
}

// ---------------------------------------------------------------- the boundary rule

#[test]
fn boundary_action_first_at_the_exact_due_instant_is_met() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("B-1", cn(2026, 11, 20, 16, 0));
    v.visit("B-1", due);
    assert!(v.clock("B-1").stopped.unwrap().met);
    // The timer afterwards, at and after the limit, finds nothing: the clock is stopped.
    assert!(v.timer("B-1", due).is_empty());
    assert!(v.timer("B-1", breach_instant(due)).is_empty());
    assert!(matches!(
        v.clock("B-1").status(),
        SlaStatus::Met { margin_secs: 0 }
    ));
}

#[test]
fn boundary_timer_first_at_due_then_action_at_due_is_met() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("B-2", cn(2026, 11, 20, 16, 0));
    // The host's scheduler is told the first instant a breach is real.
    assert_eq!(v.engine.next_due().unwrap(), Some(breach_instant(due)));
    // A timer firing at exactly the limit records nothing ...
    assert!(v.timer("B-2", due).is_empty());
    assert_eq!(v.clock("B-2").status_at(due), SlaStatus::Pending);
    // ... so the action at the same instant is on time.
    v.visit("B-2", due);
    let clock = v.clock("B-2");
    assert!(clock.stopped.unwrap().met && !clock.breached);
    assert!(v.timer("B-2", breach_instant(due)).is_empty());
}

#[test]
fn boundary_timer_one_nanosecond_after_due_breaches() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("B-3", cn(2026, 11, 20, 16, 0));
    let late = breach_instant(due);
    assert_eq!(late, due + TimeDelta::nanoseconds(1));
    assert_eq!(v.clock("B-3").status_at(late), SlaStatus::Breached);
    assert_eq!(v.timer("B-3", late), vec!["deadline_breached"]);
    // Idempotent, and the host's next wake-up is gone.
    assert!(v.timer("B-3", late).is_empty());
    assert_eq!(v.engine.next_due().unwrap(), None);
    // The visit afterwards is late, and the breach stays.
    v.visit("B-3", late);
    let clock = v.clock("B-3");
    assert!(!clock.stopped.unwrap().met);
    assert_eq!(clock.status(), SlaStatus::Breached);
}

#[test]
fn boundary_action_one_nanosecond_late_without_a_timer_is_late() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("B-4", cn(2026, 11, 20, 16, 0));
    v.visit("B-4", breach_instant(due));
    let stopped = v.clock("B-4").stopped.unwrap();
    assert!(!stopped.met);
    assert_eq!(v.clock("B-4").status(), SlaStatus::Breached);
}

#[test]
fn boundary_sla_periods_count_a_running_clock_late_only_once_the_limit_has_passed() {
    let v = Visit::new(shanghai_calendar());
    let due = v.report("B-5", cn(2026, 11, 20, 16, 0));
    let from = cn(2026, 11, 20, 0, 0);
    let counts = |to| {
        v.engine
            .sla_report_for(Period::new(from, to))
            .unwrap()
            .total
    };
    // A period ending just after the limit holds no instant past it: still open.
    let open = counts(breach_instant(due));
    assert_eq!((open.open, open.breached), (1, 0));
    // One nanosecond more and the breach falls inside it.
    let late = counts(breach_instant(breach_instant(due)));
    assert_eq!((late.open, late.breached), (0, 1));
}

// ---------------------------------------------------------------- RF-PROP (004 L36–73) (RF-PROP §4.2 item 1 (004 L60–67))

/// A dealer's return of class `class` wanting a replacement, announced and its replacement
/// requested at `at` (the complaint), on the built-in procedure in `calendar`.
struct Dealer {
    engine: Engine<InMemoryStore>,
    cast: fixtures::customer_return::Cast,
}

impl Dealer {
    fn new(calendar: Arc<dyn Calendar>) -> Self {
        let def = cr::definition(&cr::Config::default(), calendar).unwrap();
        Dealer {
            engine: engine_with([def.definition().clone()]),
            cast: fixtures::customer_return::Cast::new(),
        }
    }

    fn complaint(&self, id: &str, class: CustomerClass, at: DateTime<Utc>) -> Arc<Instance> {
        use fixtures::customer_return::form;
        let case = Case {
            kind: CaseKind::Return {
                claimed_type: ClaimedReturnType::SalesReturn,
                replacement_wanted: true,
            },
            customer: Customer {
                id: "DEALER-7".into(),
                class,
                region: ReturnRegion::Domestic,
                dealer_account: Some("ACC-7".into()),
            },
            product: "LED panel 600x600".into(),
        };
        let css = self.cast.actor(cr::Role::CustomerServiceSpecialist);
        let data = cr::Data::new(case).to_value().unwrap();
        self.engine.start(cr::ID, id, css, data, at).unwrap();
        let notice = form(&ReturnNotice {
            returned_qty: 10,
            material: "LED panel / P-6060".into(),
            reason: "housing scratched".into(),
            customer_request: "replace".into(),
            dealer_commitment: Some(DealerCommitment {
                handling_time: "2 days".into(),
                ship_time: "tomorrow".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        });
        let request = form(&ReplacementRequest {
            qty: 10,
            special_requirement: None,
            customer_line_defect: false,
            customer_ack: false,
            dealer_commitment: Some(DealerCommitment {
                handling_time: "today".into(),
                ship_time: "tomorrow".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        });
        let id = InstanceId::from(id);
        self.engine
            .fire(
                &id,
                &Command::fire(css, cr::Action::Announce).with_form(notice),
                at,
            )
            .unwrap();
        self.engine
            .fire(
                &id,
                &Command::fire(css, cr::Action::RequestReplacement).with_form(request),
                at,
            )
            .unwrap()
            .instance
    }

    fn confirm(&self, id: &str, at: DateTime<Utc>) -> Arc<Instance> {
        let csm = self.cast.actor(cr::Role::CustomerServiceManager);
        self.engine
            .fire(
                &id.into(),
                &Command::fire(csm, cr::Action::ConfirmReplacement),
                at,
            )
            .unwrap()
            .instance
    }

    fn promise(&self, id: &str, at: DateTime<Utc>) -> Arc<Instance> {
        let css = self.cast.actor(cr::Role::CustomerServiceSpecialist);
        let promise = fixtures::customer_return::form(&ArrivalPromise {
            promised_arrival: at + TimeDelta::days(2),
        });
        self.engine
            .fire(
                &id.into(),
                &Command::fire(css, cr::Action::PromiseArrival).with_form(promise),
                at,
            )
            .unwrap()
            .instance
    }
}

fn due(inst: &Instance, deadline: cr::Deadline) -> DateTime<Utc> {
    inst.clock(deadline).unwrap().due_at
}

#[test]
fn d2_class_a_promise_due_at_close_of_complaint_day() {
    // RF-PROP §4.2 item 1, §4.2 item 1 处理时间 (004 L62, L65): 「接到投诉的当日…承诺」, 「A类客户:1天,即当天承诺到货时间」
    let d = Dealer::new(shanghai_calendar());
    let inst = d.complaint("A-1", CustomerClass::A, cn(2026, 11, 16, 10, 0));
    assert_eq!(
        due(&inst, cr::Deadline::ArrivalPromise),
        cn(2026, 11, 16, 18, 0)
    );
    // A promise at 09:00 the next morning is late: 当天 is not 24 hours.
    let inst = d.promise("A-1", cn(2026, 11, 17, 9, 0));
    let clock = inst.clock(cr::Deadline::ArrivalPromise).unwrap();
    assert!(!clock.stopped.unwrap().met);
    // At the close of the complaint day it is on time.
    let d = Dealer::new(shanghai_calendar());
    d.complaint("A-2", CustomerClass::A, cn(2026, 11, 16, 10, 0));
    let inst = d.promise("A-2", cn(2026, 11, 16, 18, 0));
    assert!(
        inst.clock(cr::Deadline::ArrivalPromise)
            .unwrap()
            .stopped
            .unwrap()
            .met
    );
}

#[test]
fn d2_class_a_promise_after_close_or_on_a_non_working_day_is_due_the_next_working_close() {
    // RF-PROP §4.2 item 1 处理时间 (004 L65) 当天; product decision PD-DUR: a start after close or on a non-working day moves to the
    // next working day's close.
    let d = Dealer::new(shanghai_2026());
    #[rustfmt::skip]
    let cases = [
        ("after close", cn(2026, 11, 16, 19, 0), cn(2026, 11, 17, 18, 0)),
        ("at the exact close", cn(2026, 11, 20, 18, 0), cn(2026, 11, 23, 18, 0)),
        ("Saturday", cn(2026, 11, 21, 10, 0), cn(2026, 11, 23, 18, 0)),
        ("National Day", cn(2026, 10, 2, 10, 0), cn(2026, 10, 8, 18, 0)),
        ("the make-up Saturday", cn(2026, 10, 10, 10, 0), cn(2026, 10, 10, 18, 0)),
    ];
    for (i, (name, at, expected)) in cases.into_iter().enumerate() {
        let inst = d.complaint(&format!("A-{i}"), CustomerClass::A, at);
        assert_eq!(due(&inst, cr::Deadline::ArrivalPromise), expected, "{name}");
    }
}

#[test]
fn d2_l60_replacement_order_due_at_close_of_the_confirmation_day() {
    // RF-PROP §4.2 item 1 (004 L60) 「经客服经理确认后,当日立即知会生产厂生产」
    let d = Dealer::new(shanghai_2026());
    #[rustfmt::skip]
    let cases = [
        ("Friday afternoon", cn(2026, 11, 20, 16, 0), cn(2026, 11, 20, 18, 0)),
        ("Friday evening: the next working day", cn(2026, 11, 20, 19, 0), cn(2026, 11, 23, 18, 0)),
        ("before the holidays, after close", cn(2026, 9, 30, 20, 0), cn(2026, 10, 8, 18, 0)),
    ];
    for (i, (name, at, expected)) in cases.into_iter().enumerate() {
        let id = format!("O-{i}");
        d.complaint(&id, CustomerClass::B, at);
        let inst = d.confirm(&id, at);
        assert_eq!(
            due(&inst, cr::Deadline::ReplacementOrderSameDay),
            expected,
            "{name}"
        );
    }
}

#[test]
fn d2_class_b_promise_counts_the_complaint_day_as_day_1() {
    // RF-PROP §4.2 item 1 处理时间 (004 L66) 「B类客户:2天,即2天内承诺到货时间」: 24:00 at the end of the next calendar day.
    let d = Dealer::new(shanghai_2026());
    #[rustfmt::skip]
    let cases = [
        ("Monday morning", cn(2026, 11, 16, 10, 0), cn(2026, 11, 18, 0, 0)),
        ("Monday just before midnight", cn(2026, 11, 16, 23, 30), cn(2026, 11, 18, 0, 0)),
        ("Friday: calendar days run over the weekend", cn(2026, 11, 20, 16, 0), cn(2026, 11, 22, 0, 0)),
        ("calendar days ignore holidays", cn(2026, 10, 1, 9, 0), cn(2026, 10, 3, 0, 0)),
    ];
    for (i, (name, at, expected)) in cases.into_iter().enumerate() {
        let inst = d.complaint(&format!("B-{i}"), CustomerClass::B, at);
        assert_eq!(due(&inst, cr::Deadline::ArrivalPromise), expected, "{name}");
    }
}

#[test]
fn d2_class_c_promise_counts_the_complaint_day_as_day_1() {
    // RF-PROP §4.2 item 1 处理时间 (004 L67) 「C类客户:3天,即3天内承诺到货时间」: 24:00 at the end of the day after next.
    let d = Dealer::new(shanghai_calendar());
    let inst = d.complaint("C-1", CustomerClass::C, cn(2026, 11, 16, 10, 0));
    assert_eq!(
        due(&inst, cr::Deadline::ArrivalPromise),
        cn(2026, 11, 19, 0, 0)
    );
    let inst = d.complaint("C-2", CustomerClass::C, cn(2026, 11, 20, 16, 0));
    assert_eq!(
        due(&inst, cr::Deadline::ArrivalPromise),
        cn(2026, 11, 23, 0, 0)
    );
    // A promise at 23:59 on day 3 is on time.
    let inst = d.promise("C-1", cn(2026, 11, 18, 23, 59));
    assert!(
        inst.clock(cr::Deadline::ArrivalPromise)
            .unwrap()
            .stopped
            .unwrap()
            .met
    );
}

// ---------------------------------------------------------------- QD-004 §8 (004 L623)

#[test]
fn d12_s8_response_analysis_and_reply_due_at_close_of_the_1st_3rd_7th_working_day() {
    // QD-004 §8 (004 L623) 「一个工作日内积极响应…3个工作日内完成分析,7个工作日内解决问题并回复」
    let s = fixtures::complaint::Scenario::at(complaint::State::Submitted).unwrap();
    let inst = s.instance();
    let clock = |d| inst.clock(d).unwrap().clone();
    // The fixture submits on Monday 16 Nov 2026 at 11:00.
    assert_eq!(
        clock(complaint::Deadline::Response).started_at,
        cn(2026, 11, 16, 11, 0)
    );
    assert_eq!(
        clock(complaint::Deadline::Response).due_at,
        cn(2026, 11, 17, 18, 0)
    );
    assert_eq!(
        clock(complaint::Deadline::Analysis).due_at,
        cn(2026, 11, 19, 18, 0)
    );
    assert_eq!(
        clock(complaint::Deadline::SolveAndReply).due_at,
        cn(2026, 11, 25, 18, 0)
    );
}

#[test]
fn d12_s8_working_day_limits_from_any_start() {
    // QD-004 §8 (004 L623): the limits of the complaint definition, applied from starts outside working
    // time, on a holiday, on a make-up day and at the exact close.
    let cal = shanghai_2026();
    let def = complaint::definition(&complaint::Config::default(), cal.clone()).unwrap();
    let def = def.definition();
    let limit = |d: complaint::Deadline| limit_of(def, d.name());
    let (response, analysis, reply) = (
        limit(complaint::Deadline::Response),
        limit(complaint::Deadline::Analysis),
        limit(complaint::Deadline::SolveAndReply),
    );
    #[rustfmt::skip]
    let cases = [
        // start, response (1), analysis (3), solve and reply (7)
        ("Friday 16:00", cn(2026, 11, 20, 16, 0), cn(2026, 11, 23, 18, 0), cn(2026, 11, 25, 18, 0), cn(2026, 12, 1, 18, 0)),
        ("Friday at the exact close", cn(2026, 11, 20, 18, 0), cn(2026, 11, 24, 18, 0), cn(2026, 11, 26, 18, 0), cn(2026, 12, 2, 18, 0)),
        ("Sunday", cn(2026, 11, 22, 15, 0), cn(2026, 11, 24, 18, 0), cn(2026, 11, 26, 18, 0), cn(2026, 12, 2, 18, 0)),
        ("on a holiday", cn(2026, 10, 3, 10, 0), cn(2026, 10, 9, 18, 0), cn(2026, 10, 12, 18, 0), cn(2026, 10, 16, 18, 0)),
        ("on the make-up Saturday", cn(2026, 10, 10, 10, 0), cn(2026, 10, 12, 18, 0), cn(2026, 10, 14, 18, 0), cn(2026, 10, 20, 18, 0)),
    ];
    for (name, start, r, a, s) in cases {
        assert_eq!(cal.add(start, response).unwrap(), r, "{name}: response");
        assert_eq!(cal.add(start, analysis).unwrap(), a, "{name}: analysis");
        assert_eq!(cal.add(start, reply).unwrap(), s, "{name}: solve and reply");
    }
}

#[test]
fn d12_s8_the_response_is_met_at_the_close_and_breached_after_it() {
    // QD-004 §8 (004 L623) 一个工作日内积极响应: a response at the close of Tuesday is on time.
    let s = fixtures::complaint::Scenario::at(complaint::State::Submitted).unwrap();
    let close = cn(2026, 11, 17, 18, 0);
    assert!(s.engine().handle_due(close).unwrap().handled.is_empty());
    let report = s.engine().handle_due(breach_instant(close)).unwrap();
    let breached: Vec<String> = report
        .handled
        .iter()
        .flat_map(|(_, events)| events)
        .filter_map(|e| match &e.kind {
            EventKind::DeadlineBreached { deadline, .. } => Some(deadline.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(breached, vec!["response".to_owned()]);
}

// ---------------------------------------------------------------- BQ-E §5.2.1 (000 L654)

/// A batch issue started at `at` and driven to R&D analysis (forwarded to R&D at `at`).
fn at_rd(
    calendar: Arc<dyn Calendar>,
    acceptance: bq::Acceptance,
    at: DateTime<Utc>,
) -> Arc<Instance> {
    let cast = fixtures::batch_quality::Cast::new();
    let mut s = fixtures::batch_quality::Scenario::started(
        &bq::Config::default(),
        calendar,
        at,
        &cast.authorised_station,
    )
    .unwrap();
    s.set_acceptance(acceptance)
        .drive_to(bq::State::RdAnalysis)
        .unwrap();
    let inst = s.instance();
    assert_eq!(inst.clock(bq::Deadline::RdSolution).unwrap().started_at, at);
    inst
}

fn rd(inst: &Instance, d: bq::Deadline) -> DateTime<Utc> {
    inst.clock(d).unwrap().due_at
}

#[test]
fn l654_not_accepted_solution_due_at_close_of_the_2nd_working_day() {
    // BQ-E §5.2.1 (000 L654) 「对于未验收的机器,要求产品研发中心在2个工作日内提供有效方案」
    let na = bq::Acceptance::NotAccepted;
    #[rustfmt::skip]
    let cases = [
        ("Tuesday 10:30", cn(2026, 11, 17, 10, 30), cn(2026, 11, 19, 18, 0)),
        ("Friday 16:00", cn(2026, 11, 20, 16, 0), cn(2026, 11, 24, 18, 0)),
        ("Friday at the exact close", cn(2026, 11, 20, 18, 0), cn(2026, 11, 25, 18, 0)),
        ("Saturday", cn(2026, 11, 21, 10, 0), cn(2026, 11, 25, 18, 0)),
    ];
    for (name, at, expected) in cases {
        let inst = at_rd(shanghai_calendar(), na, at);
        assert_eq!(rd(&inst, bq::Deadline::RdSolution), expected, "{name}");
    }
}

#[test]
fn l654_accepted_response_and_conclusion_due_at_close_of_the_1st_and_4th_working_day() {
    // BQ-E §5.2.1 (000 L654) 「对于已经验收合格的机器,要求产品研发中心在1个工作日内响应,4个工作日内反馈有效结论」
    let ac = bq::Acceptance::Accepted;
    let inst = at_rd(shanghai_calendar(), ac, cn(2026, 11, 17, 10, 30));
    assert_eq!(rd(&inst, bq::Deadline::RdResponse), cn(2026, 11, 18, 18, 0));
    assert_eq!(rd(&inst, bq::Deadline::RdSolution), cn(2026, 11, 23, 18, 0));
    // Forwarded on a holiday (New Year's Day, a Friday): counted from the first working day
    // after it, Monday 4 Jan.
    let inst = at_rd(shanghai_2026(), ac, cn(2027, 1, 1, 10, 0));
    assert_eq!(rd(&inst, bq::Deadline::RdResponse), cn(2027, 1, 5, 18, 0));
    assert_eq!(rd(&inst, bq::Deadline::RdSolution), cn(2027, 1, 8, 18, 0));
}

#[test]
fn l654_limits_follow_local_close_of_business_across_dst_in_berlin() {
    // BQ-E §5.2.1 (000 L654) in a plant in Europe/Berlin: Friday 23 Oct 10:00 CEST, fall back on the
    // Sunday; each close is 18:00 CET.
    let ac = bq::Acceptance::Accepted;
    let inst = at_rd(berlin_office(), ac, berlin(2026, 10, 23, 10, 0));
    assert_eq!(
        rd(&inst, bq::Deadline::RdResponse),
        berlin(2026, 10, 26, 18, 0)
    );
    assert_eq!(
        rd(&inst, bq::Deadline::RdResponse).to_rfc3339(),
        "2026-10-26T17:00:00+00:00"
    );
    assert_eq!(
        rd(&inst, bq::Deadline::RdSolution),
        berlin(2026, 10, 29, 18, 0)
    );
}

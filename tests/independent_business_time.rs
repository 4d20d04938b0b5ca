//! Independent conformance tests of the built-in procedures' time limits (issue 16).
//!
//! Written from the source documents' own wording and the product decisions ("Duration
//! semantics", "Working calendar"), against the public API only, without reading how the
//! procedures configure their limits. Every expected instant below is derived by hand from
//! the clause quoted above the test.
//!
//! Calendar (product decision "Working calendar"): Monday–Friday 09:00–12:00 and 13:00–18:00,
//! Asia/Shanghai (UTC+08:00 all year), no holidays. Readings (product decision "Duration
//! semantics"):
//! - 「N个工作小时」: N hours of working time, exact;
//! - 「N个工作日内」: the close of business (18:00) of the N-th working day following the day
//!   the clock starts; a start outside working time (after 18:00, at 18:00 itself, in the
//!   lunch break, on a weekend) counts as the start of the next working period;
//! - 「当天 / 当日」: the close of business of the start day; a start after close or on a
//!   non-working day moves to the next working day;
//! - RF-PROP (004 L36–73) classes B / C (「2天」 / 「3天」, the complaint day counted as day 1): 24:00 at the
//!   end of the next / the day after the next calendar day;
//! - one boundary rule: an action at exactly the due instant is on time; a breach only when
//!   `now > due`.
//!
//! The week used: Monday 2026-11-16 … Sunday 2026-11-22, Monday 2026-11-23 … (local dates).
//! Starts used: a weekday morning, just before close (17:59), at the exact close (18:00),
//! after close (18:30), a Friday afternoon (16:00) and a Saturday morning.
#![cfg(feature = "procedures")]

use aftersales::procedures::batch_quality::{self as bq, Acceptance};
use aftersales::procedures::complaint::{
    self as complaint, ComplaintRegion, PartKind,
    forms::{ComplaintHandlingForm, SpecialApprovalRequest, SupplierReferral},
};
use aftersales::procedures::customer_return::{
    self as cr, ArrivalPromise, CaseKind, ClaimedReturnType, CustomerClass, ReplacementOrder,
    ReplacementRequest, ReplacementSource, ReturnNotice,
};
use aftersales::testing::fixtures::{
    batch_quality as bqf, complaint as cf, customer_return as crf,
};
use aftersales::{
    BusinessCalendar, Command, DeadlineState, Engine, Form, InMemoryStore, Instance, InstanceId,
    SlaStatus, TypedForm, breach_instant,
};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

type Res<T> = Result<T, Box<dyn std::error::Error>>;
type R = Res<()>;

// ---------------------------------------------------------------------------------------
// Time helpers
// ---------------------------------------------------------------------------------------

/// A local (Asia/Shanghai, UTC+08:00 without DST) wall-clock instant.
fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(8 * 3600)
        .and_then(|z| z.with_ymd_and_hms(y, mo, d, h, mi, 0).single())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A local instant in November 2026.
fn nov(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    sh(2026, 11, d, h, mi)
}

/// A local instant in December 2026.
fn dec(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    sh(2026, 12, d, h, mi)
}

/// The host's calendar of the product decision with one holiday (Tuesday 17 November) and
/// one make-up working day (Saturday 21 November, Monday's hours).
fn host_calendar() -> Res<Arc<BusinessCalendar>> {
    let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).ok_or("bad date");
    Ok(Arc::new(
        BusinessCalendar::asia_shanghai()
            .to_builder()
            .holiday(d(17)?)
            .extra_working_day(d(21)?)
            .build()?,
    ))
}

/// The calendar of the product decision, chosen explicitly.
fn calendar() -> Arc<BusinessCalendar> {
    Arc::new(BusinessCalendar::asia_shanghai())
}

fn clock(inst: &Instance, name: impl AsRef<str>) -> Result<DeadlineState, String> {
    inst.clock(name.as_ref())
        .cloned()
        .ok_or_else(|| format!("clock `{}` never started", name.as_ref()))
}

fn due(inst: &Instance, name: impl AsRef<str>) -> Result<DateTime<Utc>, String> {
    clock(inst, name).map(|c| c.due_at)
}

fn form<T: TypedForm>(t: &T) -> Form {
    Form::new(T::KIND, serde_json::to_value(t).unwrap_or_default())
}

// ---------------------------------------------------------------------------------------
// RF-PROP (004 L36–73) (客服部投诉(退换货)处理流程建议, RF-PROP (004 L36–73)): replace first, investigate later
// ---------------------------------------------------------------------------------------

/// A customer return with a replacement wanted, class `class`, opened and announced at `at`
/// by customer service (the complaint reaches the specialist at `at`).
struct Return {
    engine: Engine<InMemoryStore>,
    id: InstanceId,
    cast: crf::Cast,
}

impl Return {
    fn open(class: CustomerClass, at: DateTime<Utc>) -> Res<Return> {
        Return::open_in(calendar(), class, at)
    }

    fn open_in(cal: Arc<BusinessCalendar>, class: CustomerClass, at: DateTime<Utc>) -> Res<Return> {
        let def = cr::definition(&cr::Config::default(), cal)?;
        let mut engine = Engine::new(InMemoryStore::new());
        engine.register(def.definition().clone())?;
        let cast = crf::Cast::new();
        let mut case = crf::default_case();
        case.kind = CaseKind::Return {
            claimed_type: ClaimedReturnType::SalesReturn,
            replacement_wanted: true,
        };
        case.customer.class = class;
        let id = InstanceId::from("CR-IND");
        let data = cr::Data::new(case).to_value()?;
        engine.start(
            cr::ID,
            id.clone(),
            &cast.customer_service_specialist,
            data,
            at,
        )?;
        let notice = ReturnNotice {
            returned_qty: crf::UNITS,
            material: "LED panel / P-6060".into(),
            reason: "housing cracked in transit".into(),
            customer_request: "replace at once".into(),
            dealer_commitment: Some(cr::DealerCommitment {
                handling_time: "2 days".into(),
                ship_time: "tomorrow".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        };
        let cmd = Command::fire(&cast.customer_service_specialist, cr::Action::Announce)
            .with_form(form(&notice));
        engine.fire(&id, &cmd, at)?;
        Ok(Return { engine, id, cast })
    }

    fn instance(&self) -> Res<Arc<Instance>> {
        Ok(self.engine.load(&self.id)?)
    }

    /// 客服专员 requests the replacement (the arrival-promise clock).
    fn request(&mut self, at: DateTime<Utc>) -> R {
        let req = ReplacementRequest {
            qty: crf::UNITS,
            special_requirement: None,
            customer_line_defect: false,
            customer_ack: false,
            dealer_commitment: None,
        };
        let cmd = Command::fire(
            &self.cast.customer_service_specialist,
            cr::Action::RequestReplacement,
        )
        .with_form(form(&req));
        self.engine.fire(&self.id, &cmd, at)?;
        Ok(())
    }

    /// 客服经理 confirms it (the same-day order clock).
    fn confirm(&mut self, at: DateTime<Utc>) -> R {
        let cmd = Command::fire(
            &self.cast.customer_service_manager,
            cr::Action::ConfirmReplacement,
        );
        self.engine.fire(&self.id, &cmd, at)?;
        Ok(())
    }

    /// Production and logistics told (补货单). A produced replacement first has its
    /// 《客诉排产通知单》 checked and approved (QD-004 §5.2.2.5 (004 L666)), at the same instant.
    fn order(&mut self, at: DateTime<Utc>) -> R {
        let notice = cr::ProductionNotice {
            qty: crf::UNITS,
            bom_ref: "BOM-1".into(),
            needed_by: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
        };
        let file = Command::fire(&self.cast.cqe, cr::Action::FileProductionNotice)
            .with_form(form(&notice));
        self.engine.fire(&self.id, &file, at)?;
        for signer in [&self.cast.quality_manager, &self.cast.adc_vice_president] {
            let sign = Command::sign(signer, cr::Action::ApproveProductionNotice);
            self.engine.fire(&self.id, &sign, at)?;
        }
        let order = ReplacementOrder {
            order_ref: "BH-1".into(),
            source: ReplacementSource::Production,
            production_notified: true,
            logistics_notified: true,
            value_fen: 120_000,
        };
        let cmd = Command::fire(
            &self.cast.customer_service_specialist,
            cr::Action::OrderReplacement,
        )
        .with_form(form(&order));
        self.engine.fire(&self.id, &cmd, at)?;
        Ok(())
    }

    /// The arrival promise given to the dealer.
    fn promise(&mut self, at: DateTime<Utc>) -> R {
        let p = ArrivalPromise {
            promised_arrival: at + TimeDelta::days(3),
        };
        let cmd = Command::fire(
            &self.cast.customer_service_specialist,
            cr::Action::PromiseArrival,
        )
        .with_form(form(&p));
        self.engine.fire(&self.id, &cmd, at)?;
        Ok(())
    }
}

/// The arrival-promise due instant for a complaint of class `class` requested at `at`.
fn promise_due(class: CustomerClass, at: DateTime<Utc>) -> Res<DateTime<Utc>> {
    let mut r = Return::open(class, at)?;
    r.request(at)?;
    Ok(due(&*r.instance()?, cr::Deadline::ArrivalPromise)?)
}

// RF-PROP §4.2 item 1 (004 L62): 「客服专员接到投诉的当日并向经销商承诺处理时间及发货时间」
// RF-PROP §4.2 item 1 处理时间 (004 L65): 「A类客户:1天,即当天承诺到货时间」 — class A: the promise is given the same day,
// i.e. by the close of business of the complaint day (product decision `PD-DUR`, 当天).

#[test]
fn qd004_d2_class_a_promise_same_day_weekday_morning() -> R {
    // Monday 10:00 → Monday 18:00.
    assert_eq!(
        promise_due(CustomerClass::A, nov(16, 10, 0))?,
        nov(16, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_just_before_close() -> R {
    // Monday 17:59 → still Monday 18:00 (one minute left, but it is the same day).
    assert_eq!(
        promise_due(CustomerClass::A, nov(16, 17, 59))?,
        nov(16, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_after_close_moves_to_next_working_day() -> R {
    // Monday 18:30 → "a start after close moves to the next working day" → Tuesday 18:00.
    assert_eq!(
        promise_due(CustomerClass::A, nov(16, 18, 30))?,
        nov(17, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_at_exact_close() -> R {
    // Monday 18:00:00: business is closed (working time is 13:00–18:00, the close itself is
    // outside it) → the next working day, Tuesday 18:00; not a zero-length limit at 18:00.
    assert_eq!(
        promise_due(CustomerClass::A, nov(16, 18, 0))?,
        nov(17, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_friday() -> R {
    // Friday 16:00 → Friday 18:00 (not Monday).
    assert_eq!(
        promise_due(CustomerClass::A, nov(20, 16, 0))?,
        nov(20, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_weekend_moves_to_monday() -> R {
    // Saturday 10:00 → a non-working day moves to the next working day → Monday 18:00.
    assert_eq!(
        promise_due(CustomerClass::A, nov(21, 10, 0))?,
        nov(23, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_at_close_is_on_time_next_morning_is_late() -> R {
    // RF-PROP §4.2 item 1 处理时间 (004 L65) 「当天承诺」: a promise at exactly Monday 18:00 is on time (boundary rule); one
    // given at 09:00 the next morning is late (issue 16: the old 24-hour reading let it pass).
    let mut on_time = Return::open(CustomerClass::A, nov(16, 10, 0))?;
    on_time.request(nov(16, 10, 0))?;
    on_time.confirm(nov(16, 10, 30))?;
    on_time.order(nov(16, 11, 0))?;
    on_time.promise(nov(16, 18, 0))?;
    let c = clock(&*on_time.instance()?, cr::Deadline::ArrivalPromise)?;
    assert_eq!(c.status(), SlaStatus::Met { margin_secs: 0 });

    let mut late = Return::open(CustomerClass::A, nov(16, 10, 0))?;
    late.request(nov(16, 10, 0))?;
    late.confirm(nov(16, 10, 30))?;
    late.order(nov(16, 11, 0))?;
    late.promise(nov(17, 9, 0))?;
    let c = clock(&*late.instance()?, cr::Deadline::ArrivalPromise)?;
    assert_eq!(c.status(), SlaStatus::Breached);
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_on_a_holiday_moves_to_the_next_working_day() -> R {
    // Host calendar: Tuesday 17 is a holiday → a complaint that day is promised by the close
    // of Wednesday 18.
    let mut r = Return::open_in(host_calendar()?, CustomerClass::A, nov(17, 10, 0))?;
    r.request(nov(17, 10, 0))?;
    assert_eq!(
        due(&*r.instance()?, cr::Deadline::ArrivalPromise)?,
        nov(18, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_a_promise_same_day_on_a_make_up_saturday() -> R {
    // Host calendar: Saturday 21 is a make-up working day → the same day, Saturday 18:00.
    let mut r = Return::open_in(host_calendar()?, CustomerClass::A, nov(21, 10, 0))?;
    r.request(nov(21, 10, 0))?;
    assert_eq!(
        due(&*r.instance()?, cr::Deadline::ArrivalPromise)?,
        nov(21, 18, 0)
    );
    Ok(())
}

// RF-PROP §4.2 item 1 处理时间 (004 L66): 「B类客户:2天,即2天内承诺到货时间」 — class B: two calendar days, the complaint day
// counted as day 1: 24:00 at the end of the next calendar day (README, RF-PROP (004 L36–73)).

#[test]
fn qd004_d2_class_b_promise_within_2_days_weekday_morning() -> R {
    // Monday 10:00 → Tuesday 24:00 = Wednesday 00:00.
    assert_eq!(
        promise_due(CustomerClass::B, nov(16, 10, 0))?,
        nov(18, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_within_2_days_after_close() -> R {
    // Monday 18:30: calendar days; Monday is still day 1 → Wednesday 00:00.
    assert_eq!(
        promise_due(CustomerClass::B, nov(16, 18, 30))?,
        nov(18, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_within_2_days_friday_runs_through_the_weekend() -> R {
    // Friday 16:00 → Saturday 24:00 = Sunday 00:00 (calendar days, not working days).
    assert_eq!(
        promise_due(CustomerClass::B, nov(20, 16, 0))?,
        nov(22, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_within_2_days_weekend() -> R {
    // Saturday 10:00 → Sunday 24:00 = Monday 00:00.
    assert_eq!(
        promise_due(CustomerClass::B, nov(21, 10, 0))?,
        nov(23, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_within_2_days_sunday_just_before_midnight() -> R {
    // Sunday 23:59: Sunday is day 1 → Monday 24:00 = Tuesday 00:00.
    assert_eq!(
        promise_due(CustomerClass::B, nov(22, 23, 59))?,
        nov(24, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_counts_calendar_days_through_a_holiday() -> R {
    // 「2天」 are calendar days: a Monday 10:00 complaint is due Wednesday 00:00 even when
    // Tuesday is a holiday of the host's calendar.
    let mut r = Return::open_in(host_calendar()?, CustomerClass::B, nov(16, 10, 0))?;
    r.request(nov(16, 10, 0))?;
    assert_eq!(
        due(&*r.instance()?, cr::Deadline::ArrivalPromise)?,
        nov(18, 0, 0)
    );
    Ok(())
}

// RF-PROP §4.2 item 1 处理时间 (004 L67): 「C类客户:3天,即3天内承诺到货时间」 — class C: 24:00 at the end of the day after
// the next calendar day.

#[test]
fn qd004_d2_class_c_promise_within_3_days_weekday_morning() -> R {
    // Monday 10:00 → Wednesday 24:00 = Thursday 00:00.
    assert_eq!(
        promise_due(CustomerClass::C, nov(16, 10, 0))?,
        nov(19, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_c_promise_within_3_days_just_before_close() -> R {
    // Monday 17:59 → Thursday 00:00.
    assert_eq!(
        promise_due(CustomerClass::C, nov(16, 17, 59))?,
        nov(19, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_c_promise_within_3_days_friday() -> R {
    // Friday 16:00 → Sunday 24:00 = Monday 00:00.
    assert_eq!(
        promise_due(CustomerClass::C, nov(20, 16, 0))?,
        nov(23, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_c_promise_within_3_days_weekend() -> R {
    // Saturday 10:00 → Monday 24:00 = Tuesday 00:00.
    assert_eq!(
        promise_due(CustomerClass::C, nov(21, 10, 0))?,
        nov(24, 0, 0)
    );
    Ok(())
}

#[test]
fn qd004_d2_class_b_promise_just_before_midnight_is_on_time() -> R {
    // RF-PROP §4.2 item 1 处理时间 (004 L66) 「2天内」: a promise at Tuesday 23:59 for a Monday 10:00 complaint is on time;
    // the clock is not breached at Wednesday 00:00 itself, only after it.
    let mut r = Return::open(CustomerClass::B, nov(16, 10, 0))?;
    r.request(nov(16, 10, 0))?;
    let c = clock(&*r.instance()?, cr::Deadline::ArrivalPromise)?;
    assert_ne!(c.status_at(nov(18, 0, 0)), SlaStatus::Breached);
    assert_eq!(
        c.status_at(breach_instant(nov(18, 0, 0))),
        SlaStatus::Breached
    );
    r.confirm(nov(16, 10, 30))?;
    r.order(nov(16, 11, 0))?;
    r.promise(nov(17, 23, 59))?;
    let c = clock(&*r.instance()?, cr::Deadline::ArrivalPromise)?;
    assert_eq!(c.status(), SlaStatus::Met { margin_secs: 60 });
    Ok(())
}

// RF-PROP §4.2 item 1 (004 L60): 「若客户需立即补货,则经客服经理确认后,当日立即知会生产厂生产再由物流部发货到经销商」
// — the replacement is ordered the day the customer-service manager confirms it: the close of
// business of the confirmation day; after close or on a weekend, the next working day.

fn order_due(confirm_at: DateTime<Utc>) -> Res<DateTime<Utc>> {
    let mut r = Return::open(CustomerClass::B, confirm_at)?;
    r.request(confirm_at)?;
    r.confirm(confirm_at)?;
    Ok(due(&*r.instance()?, cr::Deadline::ReplacementOrderSameDay)?)
}

#[test]
fn qd004_d2_replacement_order_same_day_weekday_morning() -> R {
    assert_eq!(order_due(nov(16, 10, 0))?, nov(16, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_same_day_just_before_close() -> R {
    assert_eq!(order_due(nov(20, 17, 59))?, nov(20, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_same_day_at_exact_close() -> R {
    // Confirmed at Monday 18:00:00, after business → Tuesday 18:00.
    assert_eq!(order_due(nov(16, 18, 0))?, nov(17, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_same_day_after_close() -> R {
    assert_eq!(order_due(nov(16, 18, 30))?, nov(17, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_same_day_friday_after_close_moves_to_monday() -> R {
    assert_eq!(order_due(nov(20, 18, 30))?, nov(23, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_same_day_weekend() -> R {
    assert_eq!(order_due(nov(22, 10, 0))?, nov(23, 18, 0));
    Ok(())
}

#[test]
fn qd004_d2_replacement_order_timer_first_then_order_at_close_is_on_time() -> R {
    // RF-PROP §4.2 item 1 (004 L60) 「当日」: the host's timer handles what is due at Monday 18:00:00 first, then the
    // order comes at the same instant: on time, whichever comes first.
    let mut r = Return::open(CustomerClass::C, nov(16, 10, 0))?;
    r.request(nov(16, 10, 0))?;
    r.confirm(nov(16, 10, 0))?;
    r.engine.handle_due(nov(16, 18, 0))?;
    assert!(!clock(&*r.instance()?, cr::Deadline::ReplacementOrderSameDay)?.breached);
    r.order(nov(16, 18, 0))?;
    let c = clock(&*r.instance()?, cr::Deadline::ReplacementOrderSameDay)?;
    assert_eq!(c.status(), SlaStatus::Met { margin_secs: 0 });
    Ok(())
}

#[test]
fn qd004_d2_replace_first_order_before_the_goods_are_back() -> R {
    // RF-PROP §2 (004 L46) 「先补发,再追究」 / RF-PROP §4.2 item 1 (004 L60): the replacement is ordered while the damaged goods are
    // still out (announced, not received), and an order at 18:00 sharp is on time.
    let mut r = Return::open(CustomerClass::A, nov(16, 10, 0))?;
    r.request(nov(16, 10, 0))?;
    r.confirm(nov(16, 11, 0))?;
    r.order(nov(16, 18, 0))?;
    let inst = r.instance()?;
    assert_eq!(inst.state().as_ref(), cr::State::Announced.as_ref());
    let c = clock(&inst, cr::Deadline::ReplacementOrderSameDay)?;
    assert_eq!(c.status(), SlaStatus::Met { margin_secs: 0 });
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 004 ZJHP-3-WI-QD-004 D12 §8 「客诉的时效性」 (L623) — the complaint procedure
// ---------------------------------------------------------------------------------------

/// The domestic complaint submitted (《客诉、客退产品处理单》 opened by the domestic ADC) at
/// `at`. The fixture starts Monday 10:00 and takes each step one hour after the last, so
/// `at` must be Monday 11:00 or later.
fn complaint_submitted(at: DateTime<Utc>) -> Res<cf::Scenario> {
    let mut s = cf::Scenario::new(&complaint::Config::default())?;
    let by = at - s.now() - TimeDelta::hours(1);
    s.advance(by);
    s.drive_to(complaint::State::Submitted)?;
    assert_eq!(s.now(), at, "the submission happens at the chosen instant");
    Ok(s)
}

fn complaint_due(at: DateTime<Utc>, d: complaint::Deadline) -> Res<DateTime<Utc>> {
    Ok(due(&complaint_submitted(at)?.instance(), d)?)
}

// 「我司在一个工作日内积极响应,CQE在接获客诉信息后…」 (QD-004 §8 (004 L623)): respond within 1 working day
// of receiving the complaint: the close of the next working day.

#[test]
fn qd004_d12_s8_response_1_working_day_weekday_morning() -> R {
    // Monday 11:00 → Tuesday 18:00.
    assert_eq!(
        complaint_due(nov(16, 11, 0), complaint::Deadline::Response)?,
        nov(17, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_response_1_working_day_just_before_close() -> R {
    // Monday 17:59 → Tuesday 18:00.
    assert_eq!(
        complaint_due(nov(16, 17, 59), complaint::Deadline::Response)?,
        nov(17, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_response_1_working_day_at_exact_close() -> R {
    // Monday 18:00:00 is outside working time → counts from Tuesday 09:00 → Wednesday 18:00.
    assert_eq!(
        complaint_due(nov(16, 18, 0), complaint::Deadline::Response)?,
        nov(18, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_response_1_working_day_after_close() -> R {
    // Monday 18:30 → counts from Tuesday 09:00 → Wednesday 18:00.
    assert_eq!(
        complaint_due(nov(16, 18, 30), complaint::Deadline::Response)?,
        nov(18, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_response_1_working_day_friday() -> R {
    // Friday 16:00 → Monday 18:00 (issue 16's own example: on time at Monday 17:30).
    let s = complaint_submitted(nov(20, 16, 0))?;
    let c = clock(&s.instance(), complaint::Deadline::Response)?;
    assert_eq!(c.due_at, nov(23, 18, 0));
    assert_ne!(c.status_at(nov(23, 17, 30)), SlaStatus::Breached);
    Ok(())
}

#[test]
fn qd004_d12_s8_response_1_working_day_weekend() -> R {
    // Saturday 10:00 → counts from Monday 09:00 → Tuesday 18:00.
    assert_eq!(
        complaint_due(nov(21, 10, 0), complaint::Deadline::Response)?,
        nov(24, 18, 0)
    );
    Ok(())
}

// 「自国内应用设计中心开出《客诉、客退产品处理单》起,品质部一般情况下在3个工作日内完成分析,
// 7个工作日内解决问题并回复」 (QD-004 §8 (004 L623)).

#[test]
fn qd004_d12_s8_analysis_3_working_days_weekday_morning() -> R {
    // Monday 11:00 → Thursday 18:00.
    assert_eq!(
        complaint_due(nov(16, 11, 0), complaint::Deadline::Analysis)?,
        nov(19, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_analysis_3_working_days_after_close() -> R {
    // Monday 18:30 → from Tuesday 09:00 → Friday 18:00.
    assert_eq!(
        complaint_due(nov(16, 18, 30), complaint::Deadline::Analysis)?,
        nov(20, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_analysis_3_working_days_friday() -> R {
    // Friday 16:00 → Mon(1), Tue(2), Wed(3) → Wednesday 25 18:00.
    assert_eq!(
        complaint_due(nov(20, 16, 0), complaint::Deadline::Analysis)?,
        nov(25, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_analysis_3_working_days_weekend() -> R {
    // Sunday 15:00 → from Monday 09:00 → Tue(1), Wed(2), Thu(3) → Thursday 26 18:00.
    assert_eq!(
        complaint_due(nov(22, 15, 0), complaint::Deadline::Analysis)?,
        nov(26, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_analysis_boundary_at_the_due_instant() -> R {
    // Due Thursday 18:00 for a Monday 11:00 form: not breached at 18:00:00, breached one
    // nanosecond later; the host's timer finds nothing at 18:00 itself.
    let s = complaint_submitted(nov(16, 11, 0))?;
    let c = clock(&s.instance(), complaint::Deadline::Analysis)?;
    assert_eq!(c.due_at, nov(19, 18, 0));
    assert_ne!(c.status_at(nov(19, 18, 0)), SlaStatus::Breached);
    assert_eq!(
        c.status_at(breach_instant(nov(19, 18, 0))),
        SlaStatus::Breached
    );
    s.engine().handle_due(nov(19, 18, 0))?;
    let c = clock(&s.instance(), complaint::Deadline::Analysis)?;
    assert!(!c.breached, "nothing is late at the due instant itself");
    s.engine().handle_due(breach_instant(nov(19, 18, 0)))?;
    let c = clock(&s.instance(), complaint::Deadline::Analysis)?;
    assert!(c.breached, "late one nanosecond after the due instant");
    Ok(())
}

#[test]
fn qd004_d12_s8_solve_and_reply_7_working_days_weekday_morning() -> R {
    // Monday 11:00 → Tue17(1) … Fri20(4), Mon23(5), Tue24(6), Wed25(7) → Wednesday 25 18:00.
    assert_eq!(
        complaint_due(nov(16, 11, 0), complaint::Deadline::SolveAndReply)?,
        nov(25, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_solve_and_reply_7_working_days_friday() -> R {
    // Friday 16:00 → Mon23(1) … Fri27(5), Mon30(6), Tue 1 Dec(7) → Tuesday 1 December 18:00.
    assert_eq!(
        complaint_due(nov(20, 16, 0), complaint::Deadline::SolveAndReply)?,
        dec(1, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_solve_and_reply_7_working_days_just_before_close() -> R {
    // Friday 17:59 → still counts Friday as the start day → Tuesday 1 December 18:00.
    assert_eq!(
        complaint_due(nov(20, 17, 59), complaint::Deadline::SolveAndReply)?,
        dec(1, 18, 0)
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_solve_and_reply_7_working_days_friday_at_exact_close() -> R {
    // Friday 18:00:00 → from Monday 09:00 → Tue24(1) … Mon30(5), Tue1(6), Wed2(7) → Wednesday
    // 2 December 18:00.
    assert_eq!(
        complaint_due(nov(20, 18, 0), complaint::Deadline::SolveAndReply)?,
        dec(2, 18, 0)
    );
    Ok(())
}

// 「紧急情况下经公司领导特批后可加急处理,2个工作日内解决问题并回复」 (QD-004 §8 (004 L623)), domestic.

/// The urgent clock of a complaint submitted at `at` whose special approval (特批) is
/// requested by the CQE and signed by the company leadership at the same instant.
fn urgent_due(international: bool, at: DateTime<Utc>) -> Res<DateTime<Utc>> {
    let mut s = if international {
        Either::I(Box::new(International::submitted(at)?))
    } else {
        Either::D(Box::new(complaint_submitted(at)?))
    };
    let req = SpecialApprovalRequest {
        reason: "line stopped at the customer".into(),
    };
    let cast = cf::Cast::new();
    s.fire(
        Command::fire(&cast.cqe, complaint::Action::RequestUrgent).with_form(form(&req)),
        at,
    )?;
    s.fire(
        Command::sign(&cast.company_leadership, complaint::Action::GrantUrgent),
        at,
    )?;
    Ok(due(&*s.instance()?, complaint::Deadline::UrgentReply)?)
}

#[test]
fn qd004_d12_s8_urgent_domestic_2_working_days_weekday_morning() -> R {
    // Form and special approval Monday 11:00 → Wednesday 18:00.
    assert_eq!(urgent_due(false, nov(16, 11, 0))?, nov(18, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s8_urgent_domestic_2_working_days_friday() -> R {
    // Friday 16:00 → Monday(1), Tuesday(2) → Tuesday 24 18:00.
    assert_eq!(urgent_due(false, nov(20, 16, 0))?, nov(24, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s8_urgent_domestic_2_working_days_count_from_the_form() -> R {
    // 「自国内应用设计中心开出《客诉、客退产品处理单》起,…7个工作日内解决问题并回复,紧急情况下经
    // 公司领导特批后可加急处理,2个工作日内解决问题并回复」: the sentence has one anchor, 「自…开出…
    // 起」; the urgent 2 working days replace the normal 7 for the same 「解决问题并回复」. Form on
    // Monday 11:00, special approval on Tuesday 10:00 → Wednesday 18 18:00 (from the form).
    let mut s = complaint_submitted(nov(16, 11, 0))?;
    s.advance(nov(17, 10, 0) - nov(16, 11, 0));
    let cast = cf::Cast::new();
    let req = SpecialApprovalRequest {
        reason: "line stopped at the customer".into(),
    };
    s.fire(Command::fire(&cast.cqe, complaint::Action::RequestUrgent).with_form(form(&req)))?;
    s.fire(Command::sign(
        &cast.company_leadership,
        complaint::Action::GrantUrgent,
    ))?;
    assert_eq!(
        due(&s.instance(), complaint::Deadline::UrgentReply)?,
        nov(18, 18, 0)
    );
    Ok(())
}

// International: 「国际应用设计中心项目客诉15-30个工作日内给出解决方案并与客户协商处理,紧急情况下
// 经公司领导特批后可加急处理,3个工作日给出处理方案」 (QD-004 §8 (004 L623)); README: "Ranges such as 15–30
// working days carry both a target and a limit."

/// An international complaint opened and submitted by the international ADC at `at`, with
/// the handling form the domestic fixture files, its region set to international.
struct International {
    engine: Engine<InMemoryStore>,
    id: InstanceId,
}

impl International {
    fn submitted(at: DateTime<Utc>) -> Res<International> {
        let domestic = cf::Scenario::at(complaint::State::Submitted)?;
        let body = domestic
            .instance()
            .latest_form(complaint::FormKind::HandlingForm.as_ref())
            .cloned()
            .ok_or("the domestic fixture filed no handling form")?;
        let mut handling: ComplaintHandlingForm = serde_json::from_value(body)?;
        handling.region = ComplaintRegion::International;
        let def = complaint::definition(&complaint::Config::default(), calendar())?;
        let mut engine = Engine::new(InMemoryStore::new());
        engine.register(def.definition().clone())?;
        let cast = cf::Cast::new();
        let id = InstanceId::from("KS-1");
        let data = complaint::Data::new("KS-1", ComplaintRegion::International, "Acme", "FL-200")
            .to_value()?;
        engine.start(complaint::ID, id.clone(), &cast.adc_international, data, at)?;
        let cmd = Command::fire(
            &cast.adc_international,
            complaint::Action::SubmitInternational,
        )
        .with_form(form(&handling));
        engine.fire(&id, &cmd, at)?;
        Ok(International { engine, id })
    }
}

enum Either {
    D(Box<cf::Scenario>),
    I(Box<International>),
}

impl Either {
    fn fire(&mut self, cmd: Command, at: DateTime<Utc>) -> R {
        match self {
            Either::D(s) => {
                assert_eq!(s.now(), at);
                s.fire(cmd)?;
            }
            Either::I(i) => {
                i.engine.fire(&i.id, &cmd, at)?;
            }
        }
        Ok(())
    }

    fn instance(&self) -> Res<Arc<Instance>> {
        Ok(match self {
            Either::D(s) => s.instance(),
            Either::I(i) => i.engine.load(&i.id)?,
        })
    }
}

#[test]
fn qd004_d12_s8_international_solution_15_to_30_working_days_weekday_morning() -> R {
    // Monday 16 Nov 11:00: working days after it — Tue17=1 … Fri27=9, Mon30=10, Tue1=11,
    // Wed2=12, Thu3=13, Fri4=14, Mon7=15 … Mon14=20, Mon21=25, Tue22=26, Wed23=27, Thu24=28,
    // Fri25=29, Mon28=30. Target: Monday 7 December 18:00; limit: Monday 28 December 18:00.
    let i = International::submitted(nov(16, 11, 0))?;
    let c = clock(
        &*i.engine.load(&i.id)?,
        complaint::Deadline::InternationalSolution,
    )?;
    assert_eq!(
        c.warn_at,
        Some(dec(7, 18, 0)),
        "target: close of the 15th working day"
    );
    assert_eq!(
        c.due_at,
        dec(28, 18, 0),
        "limit: close of the 30th working day"
    );
    Ok(())
}

#[test]
fn qd004_d12_s8_international_solution_15_to_30_working_days_weekend() -> R {
    // Saturday 21 Nov → from Monday 23 09:00: Tue24=1, Wed25=2, Thu26=3, Fri27=4, Mon30=5, Tue1=6, Wed2=7, Thu3=8, Fri4=9, Mon7=10,
    // Tue8=11, Wed9=12, Thu10=13, Fri11=14, Mon14=15, … Mon21=20, Mon28=25, Tue29=26,
    // Wed30=27, Thu31=28, Fri 1 Jan 2027=29, Mon 4 Jan 2027=30 (no holidays by default).
    let i = International::submitted(nov(21, 10, 0))?;
    let c = clock(
        &*i.engine.load(&i.id)?,
        complaint::Deadline::InternationalSolution,
    )?;
    assert_eq!(c.warn_at, Some(dec(14, 18, 0)));
    assert_eq!(c.due_at, sh(2027, 1, 4, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s8_urgent_international_3_working_days_weekday_morning() -> R {
    // Monday 11:00 → Thursday 18:00.
    assert_eq!(urgent_due(true, nov(16, 11, 0))?, nov(19, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s8_urgent_international_3_working_days_after_close() -> R {
    // Monday 18:30 → from Tuesday 09:00 → Wed(1), Thu(2), Fri(3) → Friday 18:00.
    assert_eq!(urgent_due(true, nov(16, 18, 30))?, nov(20, 18, 0));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// QD-004 §7.1.2 (004 L601): 「当供应商提供的原材料非批量(参照质量协议)不良时,品质部将不良原材料退回
// 供应商,跟踪供应商在2个工作日内回复8D报告和具体的处理方案」
// ---------------------------------------------------------------------------------------

fn supplier_8d_due(at: DateTime<Utc>) -> Res<DateTime<Utc>> {
    let mut s = cf::Scenario::at(complaint::State::Remediation)?;
    assert!(
        s.now() <= at,
        "the fixture reaches remediation before the chosen instant"
    );
    let by = at - s.now();
    s.advance(by);
    let referral = SupplierReferral {
        supplier: "PSU Co".into(),
        part_kind: PartKind::PowerSupply,
        quality_agreement_clause: "QA-2026 §4.2 non-batch".into(),
        material_returned_on: NaiveDate::from_ymd_opt(2026, 11, 16),
    };
    let cqe = s.cast().cqe.clone();
    s.fire(Command::fire(&cqe, complaint::Action::ReturnToSupplier).with_form(form(&referral)))?;
    Ok(due(&s.instance(), complaint::Deadline::Supplier8d)?)
}

#[test]
fn qd004_d12_s7_1_2_supplier_8d_2_working_days_weekday() -> R {
    // Monday 16:00 → Tuesday(1), Wednesday(2) → Wednesday 18:00.
    assert_eq!(supplier_8d_due(nov(16, 16, 0))?, nov(18, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s7_1_2_supplier_8d_2_working_days_just_before_close() -> R {
    // Monday 17:59 → Wednesday 18:00.
    assert_eq!(supplier_8d_due(nov(16, 17, 59))?, nov(18, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s7_1_2_supplier_8d_2_working_days_at_exact_close() -> R {
    // Monday 18:00:00 → from Tuesday 09:00 → Thursday 18:00.
    assert_eq!(supplier_8d_due(nov(16, 18, 0))?, nov(19, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s7_1_2_supplier_8d_2_working_days_friday() -> R {
    // Friday 16:00 → Monday(1), Tuesday(2) → Tuesday 24 18:00.
    assert_eq!(supplier_8d_due(nov(20, 16, 0))?, nov(24, 18, 0));
    Ok(())
}

#[test]
fn qd004_d12_s7_1_2_supplier_8d_2_working_days_weekend() -> R {
    // Saturday 10:00 → from Monday 09:00 → Tuesday(1), Wednesday(2) → Wednesday 25 18:00.
    assert_eq!(supplier_8d_due(nov(21, 10, 0))?, nov(25, 18, 0));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 000 售后批量质量问题处理流程 (E 版), §5.1.1 / §5.2.1 (L650–L654)
// ---------------------------------------------------------------------------------------

/// A batch issue received by the station at `at`, every step of the fixture's route taken at
/// `at`, acceptance `acc`, driven to `state`.
fn batch_at(at: DateTime<Utc>, acc: Acceptance, state: bq::State) -> Res<bqf::Scenario> {
    let station = bqf::Cast::new().authorised_station;
    let mut s = bqf::Scenario::started(&bq::Config::default(), calendar(), at, &station)?;
    s.set_acceptance(acc);
    s.drive_to(state)?;
    assert_eq!(s.now(), at);
    Ok(s)
}

// L650 §5.1.1: 「区域技术支持工程师在 4 个工作小时内响应」 — 4 hours of working time, exact.

fn rtse_due(at: DateTime<Utc>) -> Res<DateTime<Utc>> {
    let s = batch_at(
        at,
        Acceptance::NotAccepted,
        bq::State::PendingRtseVerification,
    )?;
    Ok(due(&s.instance(), bq::Deadline::RtseVerify)?)
}

#[test]
fn b000_l650_rtse_4_working_hours_weekday_morning() -> R {
    // Monday 10:00: 10–12 (2 h), 13–15 (2 h) → Monday 15:00.
    assert_eq!(rtse_due(nov(16, 10, 0))?, nov(16, 15, 0));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_in_the_lunch_break() -> R {
    // Monday 12:30 → counts from 13:00 → Monday 17:00.
    assert_eq!(rtse_due(nov(16, 12, 30))?, nov(16, 17, 0));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_just_before_close() -> R {
    // Monday 17:59: 1 min Monday; 3 h 59 min left: Tuesday 09–12 (3 h), 13:00 + 59 min →
    // Tuesday 13:59.
    assert_eq!(rtse_due(nov(16, 17, 59))?, nov(17, 13, 59));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_at_exact_close() -> R {
    // Monday 18:00 → Tuesday 09–12 (3 h), 13–14 (1 h) → Tuesday 14:00.
    assert_eq!(rtse_due(nov(16, 18, 0))?, nov(17, 14, 0));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_after_close() -> R {
    assert_eq!(rtse_due(nov(16, 18, 30))?, nov(17, 14, 0));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_friday_over_the_weekend() -> R {
    // Friday 16:00: 2 h Friday, 2 h Monday → Monday 11:00.
    assert_eq!(rtse_due(nov(20, 16, 0))?, nov(23, 11, 0));
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_weekend() -> R {
    // Saturday 10:00 → Monday 09–12 (3 h), 13–14 (1 h) → Monday 14:00.
    assert_eq!(rtse_due(nov(21, 10, 0))?, nov(23, 14, 0));
    Ok(())
}

// L654 §5.2.1: 「区域质量处对提交的批量问题进行确认,并在 4 个工作小时内流转到产品研发中心」.

#[test]
fn b000_l654_rqs_forward_to_rd_4_working_hours_friday() -> R {
    // Started Friday 16:00 (the batch process starts, the quality section must forward
    // within 4 working hours) → Monday 11:00.
    let s = batch_at(
        nov(20, 16, 0),
        Acceptance::NotAccepted,
        bq::State::BatchStarted,
    )?;
    assert_eq!(
        due(&s.instance(), bq::Deadline::RqsForwardToRd)?,
        nov(23, 11, 0)
    );
    Ok(())
}

// L654 §5.2.1: 「对于未验收的机器,要求产品研发中心在 2 个工作日内提供有效方案」.

fn rd_dues(at: DateTime<Utc>, acc: Acceptance) -> Res<(Option<DateTime<Utc>>, DateTime<Utc>)> {
    let s = batch_at(at, acc, bq::State::RdAnalysis)?;
    let inst = s.instance();
    let response = inst
        .clock(bq::Deadline::RdResponse.as_ref())
        .map(|c| c.due_at);
    Ok((response, due(&inst, bq::Deadline::RdSolution)?))
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_weekday_morning() -> R {
    // Forwarded Monday 10:00 → Tuesday(1), Wednesday(2) → Wednesday 18:00.
    assert_eq!(
        rd_dues(nov(16, 10, 0), Acceptance::NotAccepted)?.1,
        nov(18, 18, 0)
    );
    Ok(())
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_after_close() -> R {
    // Monday 18:30 → from Tuesday 09:00 → Wednesday(1), Thursday(2) → Thursday 18:00.
    assert_eq!(
        rd_dues(nov(16, 18, 30), Acceptance::NotAccepted)?.1,
        nov(19, 18, 0)
    );
    Ok(())
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_friday() -> R {
    // Friday 16:00 → Monday(1), Tuesday(2) → Tuesday 24 18:00.
    assert_eq!(
        rd_dues(nov(20, 16, 0), Acceptance::NotAccepted)?.1,
        nov(24, 18, 0)
    );
    Ok(())
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_weekend() -> R {
    // Sunday 20:00 → from Monday 09:00 → Tuesday(1), Wednesday(2) → Wednesday 25 18:00.
    assert_eq!(
        rd_dues(nov(22, 20, 0), Acceptance::NotAccepted)?.1,
        nov(25, 18, 0)
    );
    Ok(())
}

// L654: 「对于已经验收合格的机器,要求产品研发中心在 1 个工作日内响应,4[…]个工作日内反馈有效结论」
// (the page header 「售后批量质量问题处理流程(E 版」 is spliced between 「4」 and 「个工作日」).

#[test]
fn b000_l654_rd_accepted_response_1_and_conclusion_4_working_days_weekday_morning() -> R {
    // Forwarded Monday 10:00 → response Tuesday 18:00; conclusion Tue(1) … Fri(4) → Friday
    // 18:00.
    let (response, solution) = rd_dues(nov(16, 10, 0), Acceptance::Accepted)?;
    assert_eq!(response, Some(nov(17, 18, 0)));
    assert_eq!(solution, nov(20, 18, 0));
    Ok(())
}

#[test]
fn b000_l654_rd_accepted_response_1_and_conclusion_4_working_days_just_before_close() -> R {
    // Monday 17:59 → response Tuesday 18:00; conclusion Friday 18:00.
    let (response, solution) = rd_dues(nov(16, 17, 59), Acceptance::Accepted)?;
    assert_eq!(response, Some(nov(17, 18, 0)));
    assert_eq!(solution, nov(20, 18, 0));
    Ok(())
}

#[test]
fn b000_l654_rd_accepted_response_1_and_conclusion_4_working_days_at_exact_close() -> R {
    // Monday 18:00:00 → from Tuesday 09:00 → response Wednesday 18:00; conclusion Wed(1),
    // Thu(2), Fri(3), Mon(4) → Monday 23 18:00.
    let (response, solution) = rd_dues(nov(16, 18, 0), Acceptance::Accepted)?;
    assert_eq!(response, Some(nov(18, 18, 0)));
    assert_eq!(solution, nov(23, 18, 0));
    Ok(())
}

#[test]
fn b000_l654_rd_accepted_response_1_and_conclusion_4_working_days_friday() -> R {
    // Friday 16:00 → response Monday 23 18:00; conclusion Mon(1) … Thu(4) → Thursday 26
    // 18:00.
    let (response, solution) = rd_dues(nov(20, 16, 0), Acceptance::Accepted)?;
    assert_eq!(response, Some(nov(23, 18, 0)));
    assert_eq!(solution, nov(26, 18, 0));
    Ok(())
}

#[test]
fn b000_l654_rd_accepted_response_1_and_conclusion_4_working_days_weekend() -> R {
    // Saturday 10:00 → from Monday 09:00 → response Tuesday 24 18:00; conclusion Tue(1) …
    // Fri(4) → Friday 27 18:00.
    let (response, solution) = rd_dues(nov(21, 10, 0), Acceptance::Accepted)?;
    assert_eq!(response, Some(nov(24, 18, 0)));
    assert_eq!(solution, nov(27, 18, 0));
    Ok(())
}

#[test]
fn b000_l654_l656_rd_solution_late_only_after_the_close() -> R {
    // L656 「如果在规定时限内无法提供有效结论,由区域质量处适时召集相关部门召开总监级会议」: the
    // not-accepted limit of a Monday 10:00 forward ends Wednesday 18:00; handling what is due
    // at 18:00:00 records no breach, one nanosecond later it does.
    let s = batch_at(
        nov(16, 10, 0),
        Acceptance::NotAccepted,
        bq::State::RdAnalysis,
    )?;
    s.engine().handle_due(nov(18, 18, 0))?;
    assert!(!clock(&s.instance(), bq::Deadline::RdSolution)?.breached);
    s.engine().handle_due(breach_instant(nov(18, 18, 0)))?;
    assert!(clock(&s.instance(), bq::Deadline::RdSolution)?.breached);
    Ok(())
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_skip_a_host_holiday() -> R {
    // 「2 个工作日内」 on the host's calendar (Tuesday 17 a holiday): forwarded Monday 10:00 →
    // Wednesday(1), Thursday(2) → Thursday 19 18:00.
    let station = bqf::Cast::new().authorised_station;
    let mut s = bqf::Scenario::started(
        &bq::Config::default(),
        host_calendar()?,
        nov(16, 10, 0),
        &station,
    )?;
    s.drive_to(bq::State::RdAnalysis)?;
    assert_eq!(
        due(&s.instance(), bq::Deadline::RdSolution)?,
        nov(19, 18, 0)
    );
    Ok(())
}

#[test]
fn b000_l654_rd_not_accepted_solution_2_working_days_count_a_make_up_saturday() -> R {
    // Host calendar: Saturday 21 a make-up working day; forwarded Friday 16:00 → Saturday(1),
    // Monday(2) → Monday 23 18:00.
    let station = bqf::Cast::new().authorised_station;
    let mut s = bqf::Scenario::started(
        &bq::Config::default(),
        host_calendar()?,
        nov(20, 16, 0),
        &station,
    )?;
    s.drive_to(bq::State::RdAnalysis)?;
    assert_eq!(
        due(&s.instance(), bq::Deadline::RdSolution)?,
        nov(23, 18, 0)
    );
    Ok(())
}

#[test]
fn b000_l650_rtse_4_working_hours_on_a_make_up_saturday() -> R {
    // Host calendar: Saturday 21 works Monday's hours; received Saturday 16:00 → 2 h Saturday,
    // 2 h Monday → Monday 23 11:00.
    let station = bqf::Cast::new().authorised_station;
    let mut s = bqf::Scenario::started(
        &bq::Config::default(),
        host_calendar()?,
        nov(21, 16, 0),
        &station,
    )?;
    s.drive_to(bq::State::PendingRtseVerification)?;
    assert_eq!(
        due(&s.instance(), bq::Deadline::RtseVerify)?,
        nov(23, 11, 0)
    );
    Ok(())
}

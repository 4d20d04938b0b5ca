//! Guards: The obligations that run beside the main line: urgency, spares and defectives, costs, and closure (`QD-004 §4.4 (004 L621)`, `QD-004 §8 (004 L623)`, `QD-004 §5.2.2.2 (004 L671)`, `QD-004 §5.4 (004 L602)`, `QD-004 §9 note 2 (004 L508)/QD-004 §9 note 2 (004 L626)`).

use super::view::*;
use crate::Context;
use crate::procedures::complaint::Action;
use crate::procedures::complaint::Guard;
use crate::procedures::complaint::config::Config;
use crate::procedures::complaint::data::*;
use crate::procedures::complaint::forms::eight_d::*;
use crate::procedures::complaint::forms::*;
use crate::{TypedForm, Vocabulary};
use serde_json::Value;

/// The guards of this phase, each registered under its [`Guard`] name.
pub(super) const GUARDS: &[(Guard, GuardFn)] = &[
    (Guard::FirstReplyPending, first_reply_pending),
    (Guard::UrgentRequested, urgent_requested),
    (Guard::UrgentNotGranted, urgent_not_granted),
    (Guard::ReturnExpected, return_expected),
    (Guard::NoReturnDecided, no_return_decided),
    (Guard::ReturnSettlesOutstanding, return_settles_outstanding),
    (Guard::CostsUnconfirmed, costs_unconfirmed),
    (Guard::ConfirmerNotRecorder, confirmer_not_recorder),
    (Guard::ClosureReady, closure_ready),
    (Guard::PlanOnFile, plan_on_file),
    (Guard::ReturnPartial, return_partial),
    (Guard::SeriousNow, serious_now),
];

// --- the CQE's downgrade (QD-004 §3.7 (004 L662)) ---

fn serious_now(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let on_file = Forms {
        current: None,
        ..*f
    };
    check(
        severity_of(&on_file, cfg)? == crate::procedures::complaint::Severity::Serious,
        || "only a serious complaint can be downgraded (QD-004 §3.7 (004 L662))".into(),
    )
}

// --- the accepted plan as the baseline (CC-PROC §5.2.2 (004 L480)) ---

fn plan_on_file(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(
        d.verdict == Some(ComplaintVerdict::Fail)
            && f.body(CorrectiveActionPlan::KIND).is_some()
            && d.first_reply_sent,
        || {
            "only a corrective and preventive plan sent to the customer can be accepted \
             (CC-PROC §5.2.2 (004 L480))"
                .into()
        },
    )
}

// --- urgency (QD-004 §8 (004 L623)) ---

fn first_reply_pending(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.data()?.first_reply_sent, || {
        "the customer already has the reply".into()
    })
}

fn urgent_requested(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.urgent.requested, || {
        "nobody requested urgent handling".into()
    })
}

fn urgent_not_granted(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.data()?.urgent.granted, || {
        "urgent handling is already approved".into()
    })
}

// --- spares (QD-004 §4.4 (004 L621)) ---

fn return_expected(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.need::<SparesShipment>()?.no_return_reason.is_none(),
        || {
            "this shipment says the defectives stay with the customer: use ship_spares_no_return"
                .into()
        },
    )
}

fn no_return_decided(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let s = f.need::<SparesShipment>()?;
    check(
        s.no_return_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty()),
        || {
            "international: the decision not to take the defectives back needs a reason (QD-004 §4.4 (004 L621))"
                .into()
        },
    )
}

fn return_settles_outstanding(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let before = outstanding_defectives(&Forms {
        current: None,
        ..*f
    })?;
    let now: i64 = ctx
        .forms
        .iter()
        .filter(|x| x.kind == DefectivesReturn::KIND || x.kind == DefectivesWriteOff::KIND)
        .filter_map(|x| x.body.get("qty").and_then(Value::as_i64))
        .sum();
    check(before > 0 && now == before, || {
        format!(
            "{before} replaced defective(s) outstanding: this settles them all; \
             record fewer with `record_partial_return` (QD-004 §4.4 (004 L621))"
        )
    })
}

fn return_partial(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let before = outstanding_defectives(&Forms {
        current: None,
        ..*f
    })?;
    let now: i64 = ctx
        .forms
        .iter()
        .filter(|x| x.kind == DefectivesReturn::KIND)
        .filter_map(|x| x.body.get("qty").and_then(Value::as_i64))
        .sum();
    check(now > 0 && now < before, || {
        format!(
            "{before} replaced defective(s) outstanding: a partial return is fewer than that; \
             the last lot is `record_defectives_returned` (QD-004 §4.4 (004 L621))"
        )
    })
}

// --- costs (QD-004 §5.2.2.2, §5.4 (004 L671, L602)) ---

fn costs_unconfirmed(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(d.cost_lines > d.cost_lines_confirmed, || {
        "no cost line awaits confirmation".into()
    })
}

fn confirmer_not_recorder(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    let skip = usize::try_from(d.cost_lines_confirmed).unwrap_or(usize::MAX);
    let own = f
        .instance
        .forms()
        .iter()
        .filter(|x| x.form.kind == CostEntry::KIND && x.action == Action::RecordCostLine.name())
        .skip(skip)
        .any(|x| {
            x.by.as_ref()
                .is_some_and(|b| ctx.actor.identities().any(|i| i == b))
        });
    check(!own, || {
        "a cost line may not be confirmed by whoever recorded it".into()
    })
}

// --- closure (QD-004 §8, §9 note 2, §4.4 (004 L623, L508/L626, L621)) ---

fn closure_ready(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(d.ledger_recorded, || {
        "the ledger entry with the T6 reference is missing (QD-004 §9 note 2 (004 L508))".into()
    })?;
    check(
        !cfg.require_satisfaction_before_close || d.satisfaction_records > 0,
        || "no customer-satisfaction record (QD-004 §8 (004 L623))".into(),
    )?;
    let out = outstanding_defectives(&Forms {
        current: None,
        ..*f
    })?;
    check(out <= 0, || {
        format!("{out} replaced defective(s) not back (QD-004 §4.4 (004 L621))")
    })?;
    check(!d.supplier.replenishment_open, || {
        "the supplier replenishment is still open (QD-004 §7.1.1, §5.2.2.1 (004 L600, L670))".into()
    })?;
    check(d.cost_lines == d.cost_lines_confirmed, || {
        "cost lines await confirmation".into()
    })?;
    check(d.evidence_forwarded >= d.evidence_provided, || {
        "improvement evidence was not forwarded to the customer".into()
    })?;
    if d.verdict == Some(ComplaintVerdict::Fail) {
        f.need::<EightDReport>()?.require_through(Discipline::D8)?;
    }
    let re = f.need::<ClosureRecheck>()?;
    check(re.abnormality_closed && !re.recurrence_found, || {
        "the re-check does not confirm the abnormality closed: reopen instead (QD-004 §8 (004 L623))".into()
    })
}

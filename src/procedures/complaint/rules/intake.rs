//! Guards: Intake, the verdict, the 8D gates and the restock (`QD-004 §5.1 (004 L661)`, `QD-004 §8 (004 L623)`, `QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §5.2.1.1 item 2 (004 L649)`, `QD-004 §5.2.2 (004 L669)`; 8D gates product decision `PD-8D`).

use super::view::*;
use crate::Context;
use crate::Vocabulary;
use crate::procedures::complaint::Action;
use crate::procedures::complaint::Guard;
use crate::procedures::complaint::config::Config;
use crate::procedures::complaint::data::*;
use crate::procedures::complaint::forms::eight_d::*;
use crate::procedures::complaint::forms::*;

/// The guards of this phase, each registered under its [`Guard`] name.
pub(super) const GUARDS: &[(Guard, GuardFn)] = &[
    (Guard::RegionDomestic, region_domestic),
    (Guard::RegionInternational, region_international),
    (Guard::AdcOfRegion, adc_of_region),
    (Guard::AdcOfRegionIfAdc, adc_of_region_if_adc),
    (Guard::NotYetSubmitted, not_yet_submitted),
    (Guard::AwaitingResubmission, awaiting_resubmission),
    (Guard::FormMatchesCase, form_matches_case),
    (Guard::PassWithoutRestock, pass_without_restock),
    (Guard::PassRestock, pass_restock),
    (Guard::VerdictFail, verdict_fail),
    (Guard::VerdictIsFail, verdict_is_fail),
    (Guard::EightDThroughD2, eight_d_through_d2),
    (Guard::EightDThroughD5, eight_d_through_d5),
    (Guard::EightDThroughD7, eight_d_through_d7),
    (Guard::EightDEffective, eight_d_effective),
    (Guard::RestockApproved, restock_approved),
    (Guard::SellableAsNew, sellable_as_new),
    (Guard::NotSellableAsNew, not_sellable_as_new),
    (Guard::ReturnShipmentIfNeeded, return_shipment_if_needed),
    (Guard::ReplyClassified, reply_classified),
];

/// The reply letter passes the default-deny filter (QD-004 §3.6 (004 L628)).
fn reply_classified(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    use crate::procedures::complaint::forms::outgoing::{Releases, redact_reply};
    let reply = f.need::<CustomerReply>()?;
    let red = redact_reply(
        &f.data()?.complaint_no,
        &reply,
        &cfg.confidentiality,
        &Releases::of(f.instance),
    );
    check(red.is_sendable(), || {
        format!(
            "unclassified statements may not leave the company (QD-004 §3.6 (004 L628)): {}",
            red.unclassified.join(", ")
        )
    })
}

// --- intake (QD-004 §5.1, §8 (004 L661, L623)) ---

fn region_domestic(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.region == ComplaintRegion::Domestic, || {
        "the complaint is not domestic".into()
    })
}

fn region_international(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.region == ComplaintRegion::International, || {
        "the complaint is not international".into()
    })
}

fn adc_of_region(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let role = adc_role(f.data()?.region);
    check(ctx.actor.has_role(role.name()), || {
        format!(
            "only the `{role}` of this complaint's region talks to its customer (QD-004 §4.1 (004 L664))"
        )
    })
}

fn adc_of_region_if_adc(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    if !is_adc(ctx.actor) {
        return Ok(());
    }
    let role = adc_role(f.data()?.region);
    check(ctx.actor.has_role(role.name()), || {
        format!("only the `{role}` of this complaint's region acts for its customer")
    })
}

fn not_yet_submitted(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.data()?.submitted, || {
        "the handling form was already submitted".into()
    })
}

fn awaiting_resubmission(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.awaiting_resubmission, || {
        "the CQE has not returned the form for revision".into()
    })
}

fn form_matches_case(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    let h = f.need::<ComplaintHandlingForm>()?;
    check(
        h.no == d.complaint_no
            && h.region == d.region
            && h.customer == d.customer
            && h.product_model == d.product_model,
        || {
            format!(
                "the handling form ({}, {}, {}, {}) does not match the case ({}, {}, {}, {})",
                h.no,
                h.region.name(),
                h.customer,
                h.product_model,
                d.complaint_no,
                d.region.name(),
                d.customer,
                d.product_model
            )
        },
    )
}

// --- verdict (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2, §5.2.2 (004 L593, L649, L669)) ---

fn pass_without_restock(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let r = f.need::<ComplaintInspectionRecord>()?;
    let h = f.need::<ComplaintHandlingForm>()?;
    check(r.verdict == ComplaintVerdict::Pass, || {
        "the inspection did not pass".into()
    })?;
    match r.goods_disposition {
        GoodsDisposition::ReturnToCustomer => check(h.goods_returned, || {
            "nothing was returned: there are no goods to send back".into()
        }),
        GoodsDisposition::NoGoodsReturned => check(!h.goods_returned, || {
            "goods were returned: send them back or restock them".into()
        }),
        _ => Err(
            "restock goes through record_pass_restock (QD-004 §5.2.1.1 item 2 (004 L649))".into(),
        ),
    }
}

fn pass_restock(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let r = f.need::<ComplaintInspectionRecord>()?;
    let h = f.need::<ComplaintHandlingForm>()?;
    check(
        r.verdict == ComplaintVerdict::Pass && r.goods_disposition == GoodsDisposition::Restock,
        || {
            "restock needs a pass verdict with the restock disposition (QD-004 §5.2.1.1 item 2 (004 L649))".into()
        },
    )?;
    check(h.goods_returned, || {
        "nothing was returned: nothing to stock in".into()
    })
}

fn verdict_fail(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.need::<ComplaintInspectionRecord>()?.verdict == ComplaintVerdict::Fail,
        || "the inspection record does not fail the goods".into(),
    )
}

fn verdict_is_fail(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.verdict == Some(ComplaintVerdict::Fail), || {
        "only a failed complaint has corrective actions to reopen".into()
    })
}

// --- 8D gates (product decision `PD-8D`) ---

fn eight_d_through_d2(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    f.need::<EightDReport>()?.require_through(Discipline::D2)
}

fn eight_d_through_d5(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    f.need::<EightDReport>()?.require_through(Discipline::D5)
}

fn eight_d_through_d7(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    f.need::<EightDReport>()?.require_through(Discipline::D7)
}

fn eight_d_effective(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let r = f.need::<EightDReport>()?;
    r.require_through(Discipline::D7)?;
    r.check_effective()
}

// --- restock (QD-004 §5.2.1.1 item 2 (004 L649)) ---

fn restock_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?.approved.contains(Action::ApproveRestock.name()),
        || {
            "the restock request lacks the OQC inspector, quality manager and planning manager signatures (QD-004 §5.2.1.1 item 2 (004 L649))".into()
        },
    )
}

fn sellable_as_new(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.need::<RestockRequest>()?.sellable_as_new, || {
        "the lamps cannot be sold as new".into()
    })
}

fn not_sellable_as_new(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.need::<RestockRequest>()?.sellable_as_new, || {
        "the lamps can be sold as new".into()
    })
}

fn return_shipment_if_needed(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let r = f.need::<ComplaintInspectionRecord>()?;
    let reply = f.need::<CustomerReply>()?;
    let needs = r.goods_disposition == GoodsDisposition::ReturnToCustomer;
    check(
        !needs
            || reply
                .return_shipment_ref
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
        || {
            "the goods go back to the customer: the return shipment is required (QD-004 §5.2.1.1 item 1 (004 L593))".into()
        },
    )
}

//! The guard and effect functions, each named by a [`Guard`] or [`Effect`] variant and
//! registered in [`registry`]. The chain guards pick the sign-off the form on file takes
//! ([`Chain::of`]); the re-inspection guards split the re-inspection by its result.

use super::data::Data;
use super::forms::{
    ConcessionForm, DefectCategory, HandledBy, HandlingOpinion, HandlingRecord, ReinspectionRecord,
};
use super::{Chain, Config, Effect, Guard, Role};
use crate::Context;
use crate::Registry;
use crate::Vocabulary;
use serde_json::Value;

/// Guards, effects and typed forms of the procedure, the chain guards reading `config`'s
/// grades. Deadlines in `Asia/Shanghai` ([`shanghai_calendar`](crate::procedures::shanghai_calendar)).
pub fn registry(config: &Config) -> Registry {
    let mut r = Registry::new()
        .shared_calendar(crate::procedures::shanghai_calendar())
        .typed_form::<ConcessionForm>()
        .typed_form::<HandlingOpinion>()
        .typed_form::<HandlingRecord>()
        .typed_form::<ReinspectionRecord>()
        .guard(Guard::ReinspectionPassed, |ctx: &Context<'_>| {
            reinspection(ctx, true)
        })
        .guard(Guard::ReinspectionFailed, |ctx: &Context<'_>| {
            reinspection(ctx, false)
        })
        .guard(Guard::OpinionAuthor, {
            let config = config.clone();
            move |ctx: &Context<'_>| opinion_author(ctx, &config)
        })
        .effect(Effect::RecordForm, record_form)
        .effect(Effect::RecordOpinion, record_opinion)
        .effect(Effect::RecordFailedReinspection, record_failed_reinspection);
    for &chain in Chain::ALL {
        let config = config.clone();
        r = r.guard(chain.guard(), move |ctx: &Context<'_>| {
            takes_chain(ctx, chain, &config)
        });
    }
    r
}

/// A chain guard: the form on file takes `chain` (`CONC steps 4–6 (000 L399–L405)`, `CONC roles
/// (000 L421)`).
fn takes_chain(ctx: &Context<'_>, chain: Chain, config: &Config) -> Result<(), String> {
    let form: ConcessionForm = ctx.typed_form()?;
    let takes = Chain::of(form.grade, form.involves_third_party(), config);
    if takes == chain {
        return Ok(());
    }
    let who = if form.involves_third_party() {
        "with a third party"
    } else {
        "without a third party"
    };
    Err(format!(
        "a grade {:?} concession {who} takes the chain `{}`, not `{}`",
        form.grade,
        takes.guard().name(),
        chain.guard().name()
    ))
}

/// [`Guard::OpinionAuthor`]: the opinion's `handled_by` is a role the actor holds (the record of
/// who handled it is true, `CONC step 3 (000 L399)`), and with
/// [`Config::opinion_by_category`] the designer answers only design defects and the process
/// engineer only process and machining defects (`CONC roles (000 L425)`); equipment and other
/// defects stay with the site technician (INF: L425 gives them to neither).
fn opinion_author(ctx: &Context<'_>, config: &Config) -> Result<(), String> {
    let opinion: HandlingOpinion = ctx.typed_form()?;
    let role = match opinion.handled_by {
        HandledBy::SiteTechnician => Role::SiteTechnician,
        HandledBy::Designer => Role::Designer,
        HandledBy::ProcessEngineer => Role::ProcessEngineer,
    };
    if !ctx.actor.has_role(role.as_str()) {
        return Err(format!(
            "the opinion names `{}` as its author, a role `{}` does not hold",
            role.as_str(),
            ctx.actor.id
        ));
    }
    if !config.opinion_by_category {
        return Ok(());
    }
    let form: ConcessionForm = ctx.typed_form()?;
    let relevant = match opinion.handled_by {
        HandledBy::SiteTechnician => true,
        HandledBy::Designer => form.category == DefectCategory::Design,
        HandledBy::ProcessEngineer => {
            matches!(
                form.category,
                DefectCategory::Process | DefectCategory::Machining
            )
        }
    };
    if relevant {
        return Ok(());
    }
    Err(format!(
        "a {:?} defect is not the `{}`'s to handle (CONC roles, 000 L425)",
        form.category,
        role.as_str()
    ))
}

/// [`Guard::ReinspectionPassed`] / [`Guard::ReinspectionFailed`]: the re-inspection attached by
/// this command has the result `passed` (`CONC step 7 (000 L407)`).
fn reinspection(ctx: &Context<'_>, passed: bool) -> Result<(), String> {
    let r: ReinspectionRecord = ctx.attached_form()?;
    match (r.passed, passed) {
        (true, true) | (false, false) => Ok(()),
        (false, true) => {
            Err("the re-inspection failed: not released (CONC step 7 (000 L407))".into())
        }
        (true, false) => Err("the re-inspection passed".into()),
    }
}

/// [`Effect::RecordForm`]: the form as issued or revised.
fn record_form(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let form: ConcessionForm = ctx.attached_form()?;
    Data::edit(data, |d| {
        d.form = Some(form);
        Ok(())
    })
}

/// [`Effect::RecordOpinion`]: the latest handling opinion.
fn record_opinion(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let opinion: HandlingOpinion = ctx.attached_form()?;
    Data::edit(data, |d| {
        d.opinion = Some(opinion);
        Ok(())
    })
}

/// [`Effect::RecordFailedReinspection`]: one more failed re-inspection.
fn record_failed_reinspection(data: &mut Value, _ctx: &Context<'_>) -> Result<(), String> {
    Data::edit(data, |d| {
        d.failed_reinspections = d
            .failed_reinspections
            .checked_add(1)
            .ok_or("too many failed re-inspections")?;
        Ok(())
    })
}

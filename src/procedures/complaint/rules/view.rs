//! What the rules read: the forms on file (only the actions the graph declares with `attach`
//! can attach the kinds the rules read) and the current command's, the instance data, and what follows from them
//! (severity, the outgoing report kind, whether the VP reviews, outstanding defectives).

use crate::Actor;
use crate::Context;
use crate::Form;
use crate::Instance;
use crate::TypedForm;
use crate::Vocabulary;
use crate::procedures::complaint::config::severity::{self, Severity};
use crate::procedures::complaint::config::{Config, VpReview};
use crate::procedures::complaint::data::{ComplaintRegion, Data};
use crate::procedures::complaint::forms::outgoing::ReportKind;
use crate::procedures::complaint::forms::*;
use crate::procedures::complaint::{Role, State};
use serde_json::Value;

/// A guard of the procedure: reads the forms and the data, refuses with a reason that names
/// the rule and its line.
pub(crate) type GuardFn = fn(&Forms<'_>, &Context<'_>, &Config) -> Result<(), String>;

/// The forms visible to a rule: those on file, plus those the current command attaches.
#[derive(Clone, Copy)]
pub(crate) struct Forms<'a> {
    pub(crate) instance: &'a Instance,
    pub(crate) current: Option<(&'a str, &'a [Form])>,
}

impl<'a> Forms<'a> {
    pub(crate) fn of(instance: &'a Instance) -> Self {
        Forms {
            instance,
            current: None,
        }
    }

    pub(crate) fn ctx(ctx: &Context<'a>) -> Self {
        Forms {
            instance: ctx.instance,
            current: Some((ctx.action.as_str(), ctx.forms)),
        }
    }

    /// The latest body of `kind`: the current command's, else the latest on file (only the
    /// actions the graph declares with `attach` can have attached it).
    pub(crate) fn body(&self, kind: &str) -> Option<&'a Value> {
        if let Some(f) = self
            .current
            .and_then(|(_, forms)| forms.iter().rev().find(|f| f.kind == kind))
        {
            return Some(&f.body);
        }
        self.instance
            .forms()
            .iter()
            .rev()
            .find(|f| f.form.kind == kind)
            .map(|f| &f.form.body)
    }

    pub(crate) fn latest<T: TypedForm>(&self) -> Result<Option<T>, String> {
        self.body(T::KIND)
            .map(|b| T::deserialize(b).map_err(|e| format!("{} does not parse: {e}", T::KIND)))
            .transpose()
    }

    pub(crate) fn need<T: TypedForm>(&self) -> Result<T, String> {
        self.latest::<T>()?
            .ok_or_else(|| format!("no {} on file", T::KIND))
    }

    /// Every body of `kind`, oldest first (current last).
    pub(crate) fn all<T: TypedForm>(&self) -> Result<Vec<T>, String> {
        let mut out: Vec<&Value> = self
            .instance
            .forms()
            .iter()
            .filter(|f| f.form.kind == T::KIND)
            .map(|f| &f.form.body)
            .collect();
        if let Some((_, forms)) = self.current {
            out.extend(forms.iter().filter(|f| f.kind == T::KIND).map(|f| &f.body));
        }
        out.into_iter()
            .map(|b| T::deserialize(b).map_err(|e| format!("{} does not parse: {e}", T::KIND)))
            .collect()
    }

    pub(crate) fn data(&self) -> Result<Data, String> {
        self.instance
            .data_as::<Data>()
            .map_err(|e| format!("complaint data does not parse: {e}"))
    }
}

/// The severity of the complaint: the CQE's inspection when there is one, else the ADC's
/// report (§3.7, `QD-004 §3.7 (004 L662)`; D1 table `RET-PC Att. 1 (004 L23–30)`).
pub(crate) fn severity_of(forms: &Forms<'_>, cfg: &Config) -> Result<Severity, String> {
    // The CQE's downgrade holds until a later inspection record (QD-004 §3.7 (004 L662)).
    let last_seq = |kind: &str| {
        forms
            .instance
            .forms()
            .iter()
            .rev()
            .find(|f| f.form.kind == kind)
            .map(|f| f.seq)
    };
    if let Some(down) = last_seq(SeverityDowngrade::KIND) {
        if last_seq(ComplaintInspectionRecord::KIND).is_none_or(|insp| insp < down) {
            return Ok(Severity::General);
        }
    }
    if let Some(r) = forms.latest::<ComplaintInspectionRecord>()? {
        return Ok(severity::classify(
            r.functional_abnormality,
            r.mold_findings.as_ref(),
            cfg.mold_severity.as_ref(),
        ));
    }
    let reported = forms
        .latest::<ComplaintHandlingForm>()?
        .is_some_and(|f| f.reported_functional_abnormality);
    Ok(severity::classify(reported, None, None))
}

/// Whether the customer asked for an 8D (at intake or later).
pub(crate) fn customer_requests_8d(forms: &Forms<'_>) -> Result<bool, String> {
    let data = forms.data()?;
    let at_intake = forms
        .latest::<ComplaintHandlingForm>()?
        .is_some_and(|f| f.customer_requests_8d);
    Ok(data.customer_requests_8d || at_intake)
}

/// The outgoing report kind: the 8D when serious or asked for, else the measures reply.
pub(crate) fn outgoing_kind(forms: &Forms<'_>, cfg: &Config) -> Result<ReportKind, String> {
    let ext = severity::external_8d_required(
        cfg.external_8d,
        severity_of(forms, cfg)?,
        customer_requests_8d(forms)?,
    );
    Ok(if ext {
        ReportKind::EightD
    } else {
        ReportKind::MeasuresReply
    })
}

pub(crate) fn vp_required(forms: &Forms<'_>, cfg: &Config) -> Result<bool, String> {
    let referred = forms.data()?.vp_referred;
    Ok(match cfg.vp_review {
        VpReview::Always => true,
        VpReview::WhenReferred => referred,
        VpReview::WhenSeriousOrReferred => {
            referred || severity_of(forms, cfg)? == Severity::Serious
        }
    })
}

pub(crate) fn outstanding_defectives(forms: &Forms<'_>) -> Result<i64, String> {
    let due: i64 = forms
        .all::<SparesShipment>()?
        .iter()
        .filter(|s| s.no_return_reason.is_none())
        .map(|s| i64::from(s.replaced_qty_due))
        .sum();
    let back: i64 = forms
        .all::<DefectivesReturn>()?
        .iter()
        .map(|r| i64::from(r.qty))
        .sum();
    let off: i64 = forms
        .all::<DefectivesWriteOff>()?
        .iter()
        .map(|r| i64::from(r.qty))
        .sum();
    Ok(due - back - off)
}

pub(crate) fn burn_in_needed(forms: &Forms<'_>, cfg: &Config) -> Result<bool, String> {
    let state = forms.instance.state();
    let involves = if state == State::MaterialRequisition.name() {
        forms.need::<MaterialRequisition>()?.involves
    } else if state == State::ProductionScheduling.name() {
        forms.need::<ProductionNotice>()?.involves
    } else if state == State::ManufacturingRepair.name() {
        let liaison = forms.need::<WorkLiaison>()?;
        let mut kinds = liaison.involves;
        if liaison.material_source == MaterialSource::Requisition {
            kinds.extend(forms.need::<MaterialRequisition>()?.involves);
        }
        kinds
    } else {
        return Err(format!("no goods being prepared in `{state}`"));
    };
    Ok(involves.iter().any(|k| cfg.burn_in_part_kinds.contains(k)))
}

pub(crate) fn adc_role(region: ComplaintRegion) -> Role {
    match region {
        ComplaintRegion::Domestic => Role::AdcDomestic,
        ComplaintRegion::International => Role::AdcInternational,
    }
}

pub(crate) fn is_adc(actor: &Actor) -> bool {
    actor.has_role(Role::AdcDomestic.name()) || actor.has_role(Role::AdcInternational.name())
}

pub(crate) fn check(ok: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(reason()) }
}

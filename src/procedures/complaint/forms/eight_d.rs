//! The 8D report (8D报告) as a typed form, D0–D8.
//!
//! The seed asks for an analysis report for every failed inspection (「不良品分析具体原因并出具分析报告
//! (8D报告)」, `QD-004 §5.2.2.7 (004 L650)`) and for an 8D when the customer asks (`QD-004 §4.3 (004 L620)`, `QD-004 §5.2.2.8 (004 L651)`) without
//! spelling the disciplines out; product decision `PD-8D` fixes the industry-standard D0–D8: D2 as
//! 5W1H (`CE-5W1H §1 (002 L9)`), D4 with the root cause of both occurrence and escape, D5 actions with owners
//! and dates (`CE-CAPA §2.3 (002 L90–91)`).
//!
//! A revision may be partly filled. Its [`TypedForm::validate`](crate::TypedForm::validate) refuses a problem-solving
//! discipline (D0–D5) that is complete while an earlier one is not ("D(n) cannot complete
//! before D(n−1)"); D6–D8 legitimately reopen when the measures prove ineffective and the
//! causes and actions are revised (`QD-004 §5.3.4 (004 L654/L657)`), so their order is enforced by the gates:
//! each gate calls [`EightDReport::require_through`], which checks every discipline up to the
//! gate's in order.

use super::check::need;
use crate::procedures::complaint::FormKind;
use crate::procedures::complaint::config::confidentiality::{InfoCategory, Statement, SupplierRef};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The eight disciplines (plus D0).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Discipline {
    /// Prepare / emergency response.
    D0,
    /// Team.
    D1,
    /// Problem description (5W1H).
    D2,
    /// Containment.
    D3,
    /// Root cause (occurrence and escape).
    D4,
    /// Chosen corrective actions.
    D5,
    /// Implemented (D6a) and verified (D6b).
    D6,
    /// Prevent recurrence.
    D7,
    /// Closure and recognition.
    D8,
}

impl Discipline {
    /// Every discipline, in order.
    pub const ALL: [Discipline; 9] = [
        Discipline::D0,
        Discipline::D1,
        Discipline::D2,
        Discipline::D3,
        Discipline::D4,
        Discipline::D5,
        Discipline::D6,
        Discipline::D7,
        Discipline::D8,
    ];
}

impl fmt::Display for Discipline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// An action with an owner and a due date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ActionItem {
    /// What is done (classified for the confidentiality filter).
    pub what: Statement,
    /// Who owns it (person or department).
    pub owner: String,
    /// When it is due.
    pub due: NaiveDate,
    /// When it was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_on: Option<NaiveDate>,
}

impl ActionItem {
    /// An open action.
    pub fn new(what: Statement, owner: impl Into<String>, due: NaiveDate) -> Self {
        ActionItem {
            what,
            owner: owner.into(),
            due,
            done_on: None,
        }
    }

    fn check(&self, label: &str) -> Result<(), String> {
        if self.what.is_blank() {
            return Err(format!("{label}: the action text is empty"));
        }
        if self.owner.trim().is_empty() {
            return Err(format!("{label}: the action has no owner"));
        }
        Ok(())
    }
}

/// D0: symptom and emergency response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Prepare {
    /// The symptom as the customer sees it.
    pub symptom: String,
    /// Emergency response actions.
    pub emergency_actions: Vec<ActionItem>,
}

/// A team member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TeamMember {
    /// Name or actor id.
    pub name: String,
    /// Department.
    pub department: String,
    /// Role in the team.
    pub role: String,
}

/// D1: the team, led by the CQE (`QD-004 §5.3.1 (004 L588)`, `QD-004 §5.2.2.8 (004 L651)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Team {
    /// The leader (the CQE).
    pub leader: String,
    /// The other members.
    pub members: Vec<TeamMember>,
}

/// D2: the problem in 5W1H (`CE-5W1H §1 (002 L9)`), with the optional How (5W2H).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ProblemDescription {
    /// Who, what, when, where, why, how many.
    pub problem: FiveW1H,
    /// How (the seventh element of 5W2H), optional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
    /// Lot or date codes concerned.
    pub lot_codes: Vec<String>,
}

/// D3: containment of work in progress and unshipped stock (`QD-004 §5.3 (004 L652)`, `QD-004 §5.3 (004 L587)`) and on the
/// customer's side.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Containment {
    /// Work in progress of the same model checked.
    pub wip_checked: bool,
    /// Unshipped stock of the same model checked.
    pub unshipped_checked: bool,
    /// A similar defect was found.
    pub similar_defect_found: bool,
    /// Temporary countermeasures (required when a similar defect was found).
    pub actions: Vec<ActionItem>,
}

/// An analysis tool (`CE-5W1H §2 (002 L12)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisMethod {
    /// Fishbone (鱼骨图).
    Fishbone,
    /// 5 Why.
    FiveWhy,
    /// Test / reproduction.
    Test,
    /// Another method.
    Other(String),
}

/// Who is responsible for the root cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Responsibility {
    /// An internal department.
    Internal {
        /// The department.
        department: String,
    },
    /// A supplier (§7, `QD-004 §7.1 (004 L599)`).
    Supplier(SupplierRef),
    /// The customer.
    Customer,
    /// Not determined.
    Undetermined,
}

impl Responsibility {
    /// A supplier responsibility names a raw-material supplier: filter it.
    pub(crate) fn as_statement(&self) -> Option<Statement> {
        match self {
            Responsibility::Supplier(s) => Some(Statement::new(
                format!("supplier {}", s.name),
                InfoCategory::RawMaterialSupplier(s.clone()),
            )),
            _ => None,
        }
    }
}

impl fmt::Display for Responsibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Responsibility::Internal { department } => write!(f, "internal ({department})"),
            Responsibility::Supplier(s) => write!(f, "supplier {}", s.name),
            Responsibility::Customer => f.write_str("customer"),
            Responsibility::Undetermined => f.write_str("undetermined"),
        }
    }
}

/// D4: root cause of occurrence and of escape (`CE-5W1H §2 (002 L10–12)`, product decision `PD-8D`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct RootCause {
    /// Why it happened.
    pub occurrence: Vec<Statement>,
    /// Why it was not caught.
    pub escape: Vec<Statement>,
    /// Tools used.
    pub methods: Vec<AnalysisMethod>,
    /// How the root cause was verified.
    pub verification: Statement,
    /// Who is responsible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responsibility: Option<Responsibility>,
}

/// Whether a D5 action addresses the occurrence or the escape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Addresses {
    /// The occurrence cause.
    Occurrence,
    /// The escape cause.
    Escape,
}

impl fmt::Display for Addresses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Addresses::Occurrence => "occurrence",
            Addresses::Escape => "escape",
        })
    }
}

/// A chosen corrective action (`CE-CAPA §2.3 (002 L90–91)`: steps, schedule, owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorrectiveAction {
    /// Its id, referred to by D6.
    pub id: String,
    /// What is done.
    pub what: Statement,
    /// Which cause it addresses.
    pub addresses: Addresses,
    /// Owner.
    pub owner: String,
    /// Due date.
    pub due: NaiveDate,
}

/// D5: chosen corrective actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ChosenActions {
    /// The actions.
    pub actions: Vec<CorrectiveAction>,
}

/// D6a: one implemented action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Implemented {
    /// The D5 action id.
    pub action_id: String,
    /// When it was done.
    pub done_on: NaiveDate,
    /// The evidence.
    pub evidence: Statement,
}

/// D6b: verification of effectiveness (`QD-004 §5.3.4 (004 L654)`, `QD-004 §5.3.4 (004 L657)`: 「若无效果,则重新分析原因,直至有效为止」).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Verification {
    /// How it was verified.
    pub method: String,
    /// The result.
    pub result: Statement,
    /// Whether the measures are effective.
    pub effective: bool,
    /// When.
    pub verified_on: NaiveDate,
}

/// D6: implemented and verified.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ImplementedActions {
    /// D6a.
    pub implemented: Vec<Implemented>,
    /// D6b.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// D7: prevent recurrence (standardisation, horizontal deployment).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Prevention {
    /// Work instructions, FMEA, control plan, specifications.
    pub standardisation: Vec<ActionItem>,
    /// The same fix on similar products and lines.
    pub horizontal_deployment: Vec<ActionItem>,
    /// Why nothing further is needed, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub none_needed_reason: Option<String>,
}

/// D8: closure.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Closure {
    /// When the 8D was closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
    /// Recognition of the team.
    pub recognition: String,
    /// The customer's acknowledgement, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_ack: Option<String>,
}

/// The 8D report (form kind `eight_d_report`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct EightDReport {
    /// D0.
    pub d0: Prepare,
    /// D1.
    pub d1: Team,
    /// D2.
    pub d2: ProblemDescription,
    /// D3.
    pub d3: Containment,
    /// D4.
    pub d4: RootCause,
    /// D5.
    pub d5: ChosenActions,
    /// D6.
    pub d6: ImplementedActions,
    /// D7.
    pub d7: Prevention,
    /// D8.
    pub d8: Closure,
}

fn statements_present(list: &[Statement], what: &str) -> Result<(), String> {
    if list.is_empty() || list.iter().all(Statement::is_blank) {
        return Err(format!("the root cause of {what} is empty"));
    }
    if list.iter().any(Statement::is_blank) {
        return Err(format!("a root cause of {what} is blank"));
    }
    Ok(())
}

impl EightDReport {
    /// Whether discipline `d` is complete (for D6: D6a, every D5 action implemented).
    ///
    /// # Errors
    /// Why it is not.
    pub fn check(&self, d: Discipline) -> Result<(), String> {
        match d {
            Discipline::D0 => {
                if self.d0.symptom.trim().is_empty() {
                    return Err("the symptom is empty".into());
                }
                for (i, a) in self.d0.emergency_actions.iter().enumerate() {
                    a.check(&format!("emergency action #{}", i + 1))?;
                }
                Ok(())
            }
            Discipline::D1 => {
                if self.d1.leader.trim().is_empty() {
                    return Err("the team has no leader".into());
                }
                if self.d1.members.is_empty() {
                    return Err("the team has no member besides the leader".into());
                }
                Ok(())
            }
            Discipline::D2 => self.d2.problem.check(),
            Discipline::D3 => {
                let c = &self.d3;
                if !c.wip_checked || !c.unshipped_checked {
                    return Err("work in progress and unshipped stock must both be checked".into());
                }
                if c.similar_defect_found && c.actions.is_empty() {
                    return Err("a similar defect was found but no countermeasure is set".into());
                }
                for (i, a) in c.actions.iter().enumerate() {
                    a.check(&format!("containment action #{}", i + 1))?;
                }
                Ok(())
            }
            Discipline::D4 => {
                let r = &self.d4;
                statements_present(&r.occurrence, "occurrence")?;
                statements_present(&r.escape, "escape")?;
                if r.methods.is_empty() {
                    return Err("no analysis method is given".into());
                }
                if r.verification.is_blank() {
                    return Err("the root cause is not verified".into());
                }
                Ok(())
            }
            Discipline::D5 => {
                let acts = &self.d5.actions;
                for addr in [Addresses::Occurrence, Addresses::Escape] {
                    if !acts.iter().any(|a| a.addresses == addr) {
                        return Err(format!("no corrective action addresses the {addr} cause"));
                    }
                }
                let mut ids = BTreeSet::new();
                for a in acts {
                    if a.id.trim().is_empty() {
                        return Err("a corrective action has no id".into());
                    }
                    if !ids.insert(a.id.as_str()) {
                        return Err(format!("corrective action id `{}` is repeated", a.id));
                    }
                    if a.what.is_blank() {
                        return Err(format!("corrective action `{}` is empty", a.id));
                    }
                    if a.owner.trim().is_empty() {
                        return Err(format!("corrective action `{}` has no owner", a.id));
                    }
                }
                Ok(())
            }
            Discipline::D6 => {
                if self.d5.actions.is_empty() {
                    return Err("no corrective action to implement".into());
                }
                for a in &self.d5.actions {
                    match self.d6.implemented.iter().find(|i| i.action_id == a.id) {
                        None => return Err(format!("action `{}` is not implemented", a.id)),
                        Some(i) if i.evidence.is_blank() => {
                            return Err(format!(
                                "action `{}` has no implementation evidence",
                                a.id
                            ));
                        }
                        Some(_) => {}
                    }
                }
                Ok(())
            }
            Discipline::D7 => {
                let p = &self.d7;
                let items: Vec<&ActionItem> = p
                    .standardisation
                    .iter()
                    .chain(&p.horizontal_deployment)
                    .collect();
                if items.is_empty()
                    && p.none_needed_reason
                        .as_deref()
                        .is_none_or(|r| r.trim().is_empty())
                {
                    return Err(
                        "no standardisation or horizontal deployment, and no reason why none is needed"
                            .into(),
                    );
                }
                for (i, a) in items.iter().enumerate() {
                    a.check(&format!("prevention action #{}", i + 1))?;
                }
                Ok(())
            }
            Discipline::D8 => {
                if self.d8.closed_on.is_none() {
                    return Err("the closure date is not set".into());
                }
                Ok(())
            }
        }
    }

    /// Every discipline up to and including `d` is complete (D6 = D6a).
    ///
    /// # Errors
    /// The first incomplete discipline, e.g. `D4 incomplete: the root cause of escape is empty`.
    pub fn require_through(&self, d: Discipline) -> Result<(), String> {
        for x in Discipline::ALL.into_iter().filter(|x| *x <= d) {
            self.check(x)
                .map_err(|e| format!("8D {x} incomplete: {e}"))?;
        }
        Ok(())
    }

    /// D6b: the measures were verified effective.
    ///
    /// # Errors
    /// Why not.
    pub fn check_effective(&self) -> Result<(), String> {
        match &self.d6.verification {
            None => Err("8D D6 verification is missing".into()),
            Some(v) if !v.effective => {
                Err("8D D6 verification says the measures are not effective".into())
            }
            Some(v) if v.result.is_blank() => Err("8D D6 verification has no result".into()),
            Some(_) => Ok(()),
        }
    }

    /// The highest discipline such that it and every earlier one are complete.
    pub fn complete_through(&self) -> Option<Discipline> {
        Discipline::ALL
            .into_iter()
            .take_while(|d| self.check(*d).is_ok())
            .last()
    }
}

impl crate::TypedForm for EightDReport {
    const KIND: &'static str = FormKind::EightDReport.as_str();

    fn validate(&self) -> Result<(), String> {
        let mut first_gap: Option<(Discipline, String)> = None;
        for d in Discipline::ALL.into_iter().filter(|d| *d <= Discipline::D5) {
            match self.check(d) {
                Err(e) => {
                    if first_gap.is_none() {
                        first_gap = Some((d, e));
                    }
                }
                Ok(()) => {
                    if let Some((gap, why)) = &first_gap {
                        return Err(format!(
                            "8D {d} is complete but {gap} is not ({why}): disciplines complete in order"
                        ));
                    }
                }
            }
        }
        let ids: BTreeSet<&str> = self.d5.actions.iter().map(|a| a.id.as_str()).collect();
        if let Some(i) = self
            .d6
            .implemented
            .iter()
            .find(|i| !ids.contains(i.action_id.as_str()))
        {
            return Err(format!(
                "8D D6 refers to action `{}` which is not in D5",
                i.action_id
            ));
        }
        Ok(())
    }
}

/// The problem in 5W1H: Who, What, When, Why, Where, How Many (`CE-5W1H §1 (002 L9)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FiveW1H {
    /// Who found it (customer, site).
    pub who: String,
    /// What was found.
    pub what: String,
    /// When.
    pub when: String,
    /// Where.
    pub r#where: String,
    /// Why it is a problem for the customer.
    pub why: String,
    /// How many are affected.
    pub how_many: u32,
}

impl FiveW1H {
    /// Every element present (`CE-5W1H §1 (002 L9)`).
    ///
    /// # Errors
    /// The first missing element.
    pub fn check(&self) -> Result<(), String> {
        for (v, name) in [
            (&self.who, "5W1H who"),
            (&self.what, "5W1H what"),
            (&self.when, "5W1H when"),
            (&self.r#where, "5W1H where"),
            (&self.why, "5W1H why"),
        ] {
            need(v, name)?;
        }
        if self.how_many == 0 {
            return Err("5W1H how many is zero".into());
        }
        Ok(())
    }
}

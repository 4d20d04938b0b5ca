//! The confidentiality principle for outgoing reports (保密原则, §3.6, `004 L628`):
//!
//! > 在对外出具的报告中(8D报告等),严禁泄露我司保密信息,保密信息包括但不限于生产技术、生产流程、
//! > 生产工艺、原材料供应商(不包含电源供应商信息、导线供应商信息(除防水接头)、飞利浦常规颗粒信息
//! > (Luxeon T和Rebel ES))。
//!
//! Every statement that may leave the company carries an [`InfoCategory`]; a statement without
//! one is *unclassified* and blocks sending (deny by default, ours). [`ConfidentialityPolicy::decide`]
//! says what happens to one statement; [`redact_8d`] and [`redact_statements`] are pure
//! functions producing the [`OutgoingReport`] (what is sent, `Display` + `Serialize`) and the
//! internal list of what was withheld.

use super::eight_d::EightDReport;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// What a raw-material supplier supplies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Commodity {
    /// Power supplies (电源).
    PowerSupply,
    /// Wire (导线); `waterproof_connector` for waterproof connectors (防水接头).
    Wire {
        /// The item is a waterproof connector.
        waterproof_connector: bool,
    },
    /// LED packages (颗粒) of a maker's family, e.g. Philips "Luxeon T".
    LedPackage {
        /// The maker, e.g. `Philips` / `飞利浦`.
        maker: String,
        /// The package family, e.g. `Luxeon T`.
        family: String,
    },
    /// Anything else.
    Other(String),
}

/// A raw-material supplier named in a statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SupplierRef {
    /// The supplier's name.
    pub name: String,
    /// What it supplies.
    pub commodity: Commodity,
}

impl SupplierRef {
    /// A supplier `name` of `commodity`.
    pub fn new(name: impl Into<String>, commodity: Commodity) -> Self {
        SupplierRef {
            name: name.into(),
            commodity,
        }
    }
}

/// What kind of information a statement discloses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InfoCategory {
    /// Not confidential: facts of the complaint, results, dates, quantities.
    General,
    /// 生产技术 (production technology).
    ProductionTechnology,
    /// 生产流程 (production flow).
    ProductionFlow,
    /// 生产工艺 (production process).
    ProductionProcess,
    /// 原材料供应商 (raw-material supplier).
    RawMaterialSupplier(SupplierRef),
    /// A host-defined category (「包括但不限于」); withheld when listed in
    /// [`ConfidentialityPolicy::withheld_other`].
    Other(String),
}

/// The confidential categories of §3.6 (`004 L628`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialCategory {
    /// 生产技术.
    ProductionTechnology,
    /// 生产流程.
    ProductionFlow,
    /// 生产工艺.
    ProductionProcess,
    /// 原材料供应商.
    RawMaterialSupplier,
}

/// A supplier disclosure allowed despite [`ConfidentialCategory::RawMaterialSupplier`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplierDisclosure {
    /// Power-supply suppliers (「不包含电源供应商信息」).
    PowerSupply,
    /// Wire suppliers (「导线供应商信息(除防水接头)」).
    Wire {
        /// Waterproof connectors stay confidential.
        except_waterproof_connector: bool,
    },
    /// A maker's standard LED packages (「飞利浦常规颗粒信息(Luxeon T和Rebel ES)」).
    LedPackage {
        /// The maker (matched with [`ConfidentialityPolicy::maker_aliases`]).
        maker: String,
        /// The allowed families (case-insensitive, whitespace-normalised, exact).
        families: Vec<String>,
    },
}

/// The outgoing-report filter's configuration. [`Default`] is §3.6 (`004 L628`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ConfidentialityPolicy {
    /// Withheld categories: production technology, flow, process, raw-material suppliers.
    pub withheld: BTreeSet<ConfidentialCategory>,
    /// Host-defined [`InfoCategory::Other`] categories that are also withheld.
    pub withheld_other: BTreeSet<String>,
    /// Supplier information that may be disclosed.
    pub allowed_suppliers: Vec<SupplierDisclosure>,
    /// Other names of a maker (`Philips` → `飞利浦`); a host may add e.g. `Lumileds`.
    pub maker_aliases: BTreeMap<String, Vec<String>>,
}

impl Default for ConfidentialityPolicy {
    fn default() -> Self {
        ConfidentialityPolicy {
            withheld: [
                ConfidentialCategory::ProductionTechnology,
                ConfidentialCategory::ProductionFlow,
                ConfidentialCategory::ProductionProcess,
                ConfidentialCategory::RawMaterialSupplier,
            ]
            .into(),
            withheld_other: BTreeSet::new(),
            allowed_suppliers: vec![
                SupplierDisclosure::PowerSupply,
                SupplierDisclosure::Wire {
                    except_waterproof_connector: true,
                },
                SupplierDisclosure::LedPackage {
                    maker: "Philips".into(),
                    families: vec!["Luxeon T".into(), "Rebel ES".into()],
                },
            ],
            maker_aliases: [("Philips".to_owned(), vec!["飞利浦".to_owned()])].into(),
        }
    }
}

/// What the filter does with one statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// It goes out.
    Disclose,
    /// It is withheld, with the rule.
    Withhold(String),
    /// It carries no category: it blocks sending until classified.
    Unclassified,
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl ConfidentialityPolicy {
    fn same_maker(&self, a: &str, b: &str) -> bool {
        let (a, b) = (normalise(a), normalise(b));
        if a == b {
            return true;
        }
        self.maker_aliases.iter().any(|(canon, aliases)| {
            let names: Vec<String> = std::iter::once(canon)
                .chain(aliases)
                .map(|n| normalise(n))
                .collect();
            names.contains(&a) && names.contains(&b)
        })
    }

    fn supplier_allowed(&self, s: &SupplierRef) -> bool {
        self.allowed_suppliers
            .iter()
            .any(|rule| match (rule, &s.commodity) {
                (SupplierDisclosure::PowerSupply, Commodity::PowerSupply) => true,
                (
                    SupplierDisclosure::Wire {
                        except_waterproof_connector,
                    },
                    Commodity::Wire {
                        waterproof_connector,
                    },
                ) => !(*except_waterproof_connector && *waterproof_connector),
                (
                    SupplierDisclosure::LedPackage { maker, families },
                    Commodity::LedPackage {
                        maker: m,
                        family: f,
                    },
                ) => {
                    self.same_maker(maker, m)
                        && families.iter().any(|x| normalise(x) == normalise(f))
                }
                _ => false,
            })
    }

    /// What happens to a statement of category `info` (`None` = unclassified).
    pub fn decide(&self, info: Option<&InfoCategory>) -> Disclosure {
        let withheld = |c: ConfidentialCategory, rule: &str| {
            if self.withheld.contains(&c) {
                Disclosure::Withhold(rule.to_owned())
            } else {
                Disclosure::Disclose
            }
        };
        match info {
            None => Disclosure::Unclassified,
            Some(InfoCategory::General) => Disclosure::Disclose,
            Some(InfoCategory::ProductionTechnology) => withheld(
                ConfidentialCategory::ProductionTechnology,
                "production technology (生产技术), 004 L628",
            ),
            Some(InfoCategory::ProductionFlow) => withheld(
                ConfidentialCategory::ProductionFlow,
                "production flow (生产流程), 004 L628",
            ),
            Some(InfoCategory::ProductionProcess) => withheld(
                ConfidentialCategory::ProductionProcess,
                "production process (生产工艺), 004 L628",
            ),
            Some(InfoCategory::RawMaterialSupplier(s)) => {
                if !self
                    .withheld
                    .contains(&ConfidentialCategory::RawMaterialSupplier)
                    || self.supplier_allowed(s)
                {
                    Disclosure::Disclose
                } else {
                    Disclosure::Withhold(format!(
                        "raw-material supplier `{}` (原材料供应商) not in the allowed list, 004 L628",
                        s.name
                    ))
                }
            }
            Some(InfoCategory::Other(c)) => {
                if self.withheld_other.contains(c) {
                    Disclosure::Withhold(format!("host-defined confidential category `{c}`"))
                } else {
                    Disclosure::Disclose
                }
            }
        }
    }
}

/// A piece of text that may leave the company, with its category.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Statement {
    /// The text.
    pub text: String,
    /// Its category; `None` = unclassified (blocks sending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<InfoCategory>,
}

impl Statement {
    /// A statement of category `info`.
    pub fn new(text: impl Into<String>, info: InfoCategory) -> Self {
        Statement {
            text: text.into(),
            info: Some(info),
        }
    }

    /// A non-confidential statement.
    pub fn general(text: impl Into<String>) -> Self {
        Self::new(text, InfoCategory::General)
    }

    /// A statement nobody classified yet.
    pub fn unclassified(text: impl Into<String>) -> Self {
        Statement {
            text: text.into(),
            info: None,
        }
    }

    /// Whether the text is blank.
    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// Which outgoing report is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The 8D report, D0–D8 (sent when serious or asked for).
    EightD,
    /// The reply with the handling measures (处理措施, `004 L654`): D3, D4, D5, D7.
    MeasuresReply,
    /// Improvement evidence (改善证据, `004 L623`).
    ImprovementEvidence,
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportKind::EightD => "8D report",
            ReportKind::MeasuresReply => "measures reply",
            ReportKind::ImprovementEvidence => "improvement evidence",
        })
    }
}

/// One section of an outgoing report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutgoingSection {
    /// The heading (`D4 Root cause`).
    pub heading: String,
    /// The lines, withheld ones replaced by [`WITHHELD_PLACEHOLDER`].
    pub lines: Vec<String>,
}

/// The text that replaces a withheld statement in the outgoing report.
pub const WITHHELD_PLACEHOLDER: &str = "[confidential information withheld / 保密信息不予提供]";

/// What goes to the customer: nothing confidential in it. Also the body of the
/// `outgoing_report` form attached when the CQE emails it to the ADC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutgoingReport {
    /// The complaint (handling-form) number.
    pub complaint_no: String,
    /// Which report.
    pub kind: ReportKind,
    /// The sections.
    pub sections: Vec<OutgoingSection>,
}

impl crate::TypedForm for OutgoingReport {
    const KIND: &'static str = "outgoing_report";
    fn validate(&self) -> Result<(), String> {
        if self.complaint_no.trim().is_empty() {
            return Err("the outgoing report has no complaint number".into());
        }
        if self.sections.is_empty() {
            return Err("the outgoing report is empty".into());
        }
        Ok(())
    }
}

impl fmt::Display for OutgoingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} — complaint {}", self.kind, self.complaint_no)?;
        for s in &self.sections {
            writeln!(f, "## {}", s.heading)?;
            for l in &s.lines {
                writeln!(f, "- {l}")?;
            }
        }
        Ok(())
    }
}

/// One statement withheld from an outgoing report (internal record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WithheldItem {
    /// Where it was (`D4 occurrence #1`).
    pub location: String,
    /// The rule that withheld it.
    pub rule: String,
    /// The withheld text (internal only).
    pub text: String,
}

/// The result of filtering: the outgoing report plus what was withheld and what blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Redaction {
    /// What may be sent.
    pub report: OutgoingReport,
    /// What was withheld, and why.
    pub withheld: Vec<WithheldItem>,
    /// Locations of unclassified statements; non-empty ⇒ the report may not be sent.
    pub unclassified: Vec<String>,
}

impl Redaction {
    /// Whether the report may be sent (every statement classified).
    pub fn is_sendable(&self) -> bool {
        self.unclassified.is_empty()
    }
}

struct Filter<'a> {
    policy: &'a ConfidentialityPolicy,
    sections: Vec<OutgoingSection>,
    withheld: Vec<WithheldItem>,
    unclassified: Vec<String>,
}

impl Filter<'_> {
    fn section(&mut self, heading: &str) {
        self.sections.push(OutgoingSection {
            heading: heading.to_owned(),
            lines: Vec::new(),
        });
    }

    fn plain(&mut self, line: String) {
        if let Some(s) = self.sections.last_mut() {
            s.lines.push(line);
        }
    }

    /// A statement rendered as `prefix` + text (+ `suffix`), or withheld.
    fn statement(&mut self, location: String, prefix: &str, st: &Statement, suffix: &str) {
        match self.policy.decide(st.info.as_ref()) {
            Disclosure::Disclose => self.plain(format!("{prefix}{}{suffix}", st.text)),
            Disclosure::Withhold(rule) => {
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.withheld.push(WithheldItem {
                    location,
                    rule,
                    text: st.text.clone(),
                });
            }
            Disclosure::Unclassified => {
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.unclassified.push(location);
            }
        }
    }

    fn finish(self, complaint_no: &str, kind: ReportKind) -> Redaction {
        Redaction {
            report: OutgoingReport {
                complaint_no: complaint_no.to_owned(),
                kind,
                sections: self.sections,
            },
            withheld: self.withheld,
            unclassified: self.unclassified,
        }
    }
}

/// Filter an 8D report into the outgoing [`ReportKind::EightD`] or
/// [`ReportKind::MeasuresReply`] (any other kind renders as the measures reply).
pub fn redact_8d(
    complaint_no: &str,
    report: &EightDReport,
    kind: ReportKind,
    policy: &ConfidentialityPolicy,
) -> Redaction {
    let mut f = Filter {
        policy,
        sections: Vec::new(),
        withheld: Vec::new(),
        unclassified: Vec::new(),
    };
    let full = kind == ReportKind::EightD;
    let kind = if full {
        ReportKind::EightD
    } else {
        ReportKind::MeasuresReply
    };
    if full {
        let d0 = &report.d0;
        f.section("D0 Symptom and emergency response");
        f.plain(format!("symptom: {}", d0.symptom));
        for (i, a) in d0.emergency_actions.iter().enumerate() {
            f.statement(
                format!("D0 emergency action #{}", i + 1),
                "",
                &a.what,
                &a.suffix(),
            );
        }
        f.section("D1 Team");
        f.plain(format!("leader: {}", report.d1.leader));
        for m in &report.d1.members {
            f.plain(format!("{} ({}, {})", m.name, m.department, m.role));
        }
        f.section("D2 Problem description (5W1H)");
        let p = &report.d2.problem;
        for (k, v) in [
            ("who", &p.who),
            ("what", &p.what),
            ("when", &p.when),
            ("where", &p.r#where),
            ("why", &p.why),
        ] {
            f.plain(format!("{k}: {v}"));
        }
        f.plain(format!("how many: {}", p.how_many));
        if let Some(how) = &report.d2.how {
            f.plain(format!("how: {how}"));
        }
    }
    let d3 = &report.d3;
    f.section("D3 Containment");
    f.plain(format!(
        "work in progress checked: {}; unshipped stock checked: {}; similar defect found: {}",
        yes(d3.wip_checked),
        yes(d3.unshipped_checked),
        yes(d3.similar_defect_found)
    ));
    for (i, a) in d3.actions.iter().enumerate() {
        f.statement(format!("D3 action #{}", i + 1), "", &a.what, &a.suffix());
    }
    let d4 = &report.d4;
    f.section("D4 Root cause");
    for (i, s) in d4.occurrence.iter().enumerate() {
        f.statement(format!("D4 occurrence #{}", i + 1), "occurrence: ", s, "");
    }
    for (i, s) in d4.escape.iter().enumerate() {
        f.statement(format!("D4 escape #{}", i + 1), "escape: ", s, "");
    }
    f.statement(
        "D4 verification".into(),
        "verified by: ",
        &d4.verification,
        "",
    );
    if let Some(r) = &d4.responsibility {
        match r.as_statement() {
            Some(st) => f.statement("D4 responsibility".into(), "responsibility: ", &st, ""),
            None => f.plain(format!("responsibility: {r}")),
        }
    }
    f.section("D5 Corrective actions");
    for (i, a) in report.d5.actions.iter().enumerate() {
        let prefix = format!("[{}] ", a.addresses);
        f.statement(
            format!("D5 action #{}", i + 1),
            &prefix,
            &a.what,
            &a.suffix(),
        );
    }
    if full {
        f.section("D6 Implementation and verification");
        for (i, done) in report.d6.implemented.iter().enumerate() {
            let prefix = format!("{} done {}: ", done.action_id, done.done_on);
            f.statement(
                format!("D6 evidence #{}", i + 1),
                &prefix,
                &done.evidence,
                "",
            );
        }
        if let Some(v) = &report.d6.verification {
            f.statement(
                "D6 verification".into(),
                &format!(
                    "verified {} (effective: {}): ",
                    v.verified_on,
                    yes(v.effective)
                ),
                &v.result,
                "",
            );
        }
    }
    let d7 = &report.d7;
    f.section("D7 Prevent recurrence");
    for (i, a) in d7.standardisation.iter().enumerate() {
        f.statement(
            format!("D7 standardisation #{}", i + 1),
            "",
            &a.what,
            &a.suffix(),
        );
    }
    for (i, a) in d7.horizontal_deployment.iter().enumerate() {
        let loc = format!("D7 horizontal deployment #{}", i + 1);
        f.statement(loc, "", &a.what, &a.suffix());
    }
    if let Some(r) = &d7.none_needed_reason {
        f.plain(format!("no further action needed: {r}"));
    }
    if full {
        f.section("D8 Closure");
        match report.d8.closed_on {
            Some(d) => f.plain(format!("closed on {d}")),
            None => f.plain("open".into()),
        }
        if !report.d8.recognition.trim().is_empty() {
            f.plain(format!("recognition: {}", report.d8.recognition));
        }
    }
    f.finish(complaint_no, kind)
}

/// Filter loose statements (improvement evidence) into an outgoing report.
pub fn redact_statements(
    complaint_no: &str,
    statements: &[Statement],
    policy: &ConfidentialityPolicy,
) -> Redaction {
    let mut f = Filter {
        policy,
        sections: Vec::new(),
        withheld: Vec::new(),
        unclassified: Vec::new(),
    };
    f.section("Improvement evidence");
    for (i, s) in statements.iter().enumerate() {
        f.statement(format!("evidence #{}", i + 1), "", s, "");
    }
    f.finish(complaint_no, ReportKind::ImprovementEvidence)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

//! The confidentiality principle for every text that leaves the company (保密原则,
//! QD-004 §3.6 (004 L628)), shared by the procedures that send something to a customer
//! (the complaint's 8D, reply letter and outcome notices; the customer return's outcome
//! notice):
//!
//! > 在对外出具的报告中(8D报告等),严禁泄露我司保密信息,保密信息包括但不限于生产技术、生产流程、
//! > 生产工艺、原材料供应商(不包含电源供应商信息、导线供应商信息(除防水接头)、飞利浦常规颗粒信息
//! > (Luxeon T和Rebel ES))。
//!
//! ## Deny by default (「严禁泄露…包括但不限于」)
//!
//! An outgoing text contains only what the [`ConfidentialityPolicy`] allows:
//!
//! - structured fields (dates, yes/no, counts, the kind of an action) go out as they are
//!   ([`Redactor::plain`]);
//! - a [`Statement`] whose writer gave it an [`InfoCategory`] goes out or is withheld as the
//!   policy says for its category ([`ConfidentialityPolicy::decide`], [`Redactor::statement`]);
//! - free text nobody categorised ([`Redactor::free`]) and statements without a category are
//!   withheld unless a reviewer released that very text: a [`TextRelease`] form (action
//!   [`RELEASE_ACTION`]) naming the field path and the SHA-256 of the text, recorded in the
//!   instance's history with who released it ([`Releases::of`]). A change to the text changes
//!   its digest and the release no longer applies.
//!
//! Every withheld text is replaced by [`WITHHELD_PLACEHOLDER`] and listed in
//! [`Filtered::withheld`] with its field path and the reason. A statement without a category
//! and without a release also blocks sending ([`Filtered::unclassified`]): its writer must
//! categorise it or have it released. A procedure builds its outgoing text section by section
//! with a [`Redactor`] and wraps the [`Filtered`] result in its own report type.
//!
//! ```
//! use aftersales::procedures::confidentiality::*;
//!
//! let policy = ConfidentialityPolicy::default();
//! let releases = Releases::none();
//! let mut r = Redactor::new(&policy, &releases);
//! r.section("Outcome");
//! r.statement("cause".into(), "cause".into(), "cause: ",
//!     &Statement::new("reflow profile at 245 °C", InfoCategory::ProductionProcess), "");
//! r.statement("result".into(), "result".into(), "result: ",
//!     &Statement::general("replaced 20 pcs"), "");
//! let done = r.finish();
//! assert!(done.is_sendable());
//! assert_eq!(done.sections[0].lines[0], format!("cause: {WITHHELD_PLACEHOLDER}"));
//! assert_eq!(done.sections[0].lines[1], "result: replaced 20 pcs");
//! assert_eq!(done.withheld[0].path, "cause");
//! ```

use crate::{ActorId, Digest, Instance, TypedForm};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The action name under which a [`TextRelease`] form is attached (`release_text`).
pub const RELEASE_ACTION: &str = "release_text";

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

/// The confidential categories of QD-004 §3.6 (004 L628).
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

/// The outgoing-report filter's configuration. [`Default`] is QD-004 §3.6 (004 L628).
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
                "production technology (生产技术), QD-004 §3.6 (004 L628)",
            ),
            Some(InfoCategory::ProductionFlow) => withheld(
                ConfidentialCategory::ProductionFlow,
                "production flow (生产流程), QD-004 §3.6 (004 L628)",
            ),
            Some(InfoCategory::ProductionProcess) => withheld(
                ConfidentialCategory::ProductionProcess,
                "production process (生产工艺), QD-004 §3.6 (004 L628)",
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
                        "raw-material supplier `{}` (原材料供应商) not in the allowed list, QD-004 §3.6 (004 L628)",
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

/// The release of one free text for an outgoing text (form kind `text_release`, attached
/// with [`RELEASE_ACTION`] by a reviewer the procedure names, e.g. the complaint's quality
/// manager): the field path (`d2.how`, `d0.emergency_actions[0].what`) and the SHA-256 of the
/// released text's UTF-8 bytes. The reviewer is whoever attached it (recorded with the form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TextRelease {
    /// The field path in the outgoing text's source (`d2.how` in a complaint's 8D report,
    /// `evidence[i]` in its improvement evidence).
    pub path: String,
    /// SHA-256 of the text released.
    pub digest: Digest,
}

impl TextRelease {
    /// The release of `text` at `path`.
    pub fn of(path: impl Into<String>, text: &str) -> Self {
        TextRelease {
            path: path.into(),
            digest: Digest::of_bytes(text.as_bytes()),
        }
    }
}

impl TypedForm for TextRelease {
    const KIND: &'static str = "text_release";
    fn validate(&self) -> Result<(), String> {
        if self.path.trim().is_empty() {
            return Err("a text release names the field path it releases".into());
        }
        Ok(())
    }
}

/// One recorded release: what, and who released it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Release {
    /// The release.
    pub release: TextRelease,
    /// The reviewer who released it.
    pub reviewer: Option<ActorId>,
    /// The event that recorded it.
    pub seq: u64,
}

/// The text releases recorded on an instance (see the [module docs](self)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Releases(Vec<Release>);

impl Releases {
    /// No release at all: every uncategorised free text is withheld.
    pub fn none() -> Self {
        Releases(Vec::new())
    }

    /// The releases recorded on `instance`: `text_release` forms attached with the action
    /// [`RELEASE_ACTION`] (`release_text`; a form that does not parse releases nothing).
    pub fn of(instance: &Instance) -> Self {
        Self::recorded_with(instance, RELEASE_ACTION)
    }

    /// The releases recorded on `instance`: `text_release` forms attached with the action
    /// named `action` (for a procedure naming its release action otherwise).
    pub fn recorded_with(instance: &Instance, action: &str) -> Self {
        Releases(
            instance
                .forms()
                .iter()
                .filter(|f| f.form.kind == TextRelease::KIND && f.action == action)
                .filter_map(|f| {
                    let release = TextRelease::deserialize(&f.form.body).ok()?;
                    Some(Release {
                        release,
                        reviewer: f.by.clone(),
                        seq: f.seq,
                    })
                })
                .collect(),
        )
    }

    /// Releases given directly (for a host rendering outside an instance).
    pub fn from_releases(releases: impl IntoIterator<Item = Release>) -> Self {
        Releases(releases.into_iter().collect())
    }

    /// The release of exactly `text` at `path`, if any.
    pub fn find(&self, path: &str, text: &str) -> Option<&Release> {
        let digest = Digest::of_bytes(text.as_bytes());
        self.0
            .iter()
            .find(|r| r.release.path == path && r.release.digest == digest)
    }

    /// Every release.
    pub fn iter(&self) -> impl Iterator<Item = &Release> {
        self.0.iter()
    }
}

/// One text withheld from an outgoing report (internal record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WithheldItem {
    /// Where it was (`D4 occurrence #1`).
    pub location: String,
    /// The field path in the form (`d4.occurrence[0]`, `d2.how`).
    pub path: String,
    /// The rule that withheld it.
    pub rule: String,
    /// The withheld text (internal only).
    pub text: String,
}

/// Why uncategorised free text is withheld.
pub const FREE_TEXT_RULE: &str = "free text without a category, not released by a reviewer (QD-004 §3.6 (004 L628): deny by default)";

/// Why a statement without a category is withheld.
pub const UNCLASSIFIED_RULE: &str = "statement without a category, not released by a reviewer (QD-004 §3.6 (004 L628): deny by default)";

/// The result of filtering one outgoing text: its sections plus what was withheld, what blocks
/// and what went out by release.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Filtered {
    /// The sections that may be sent, withheld texts replaced by [`WITHHELD_PLACEHOLDER`].
    pub sections: Vec<OutgoingSection>,
    /// What was withheld: field path, reason and text (internal only).
    pub withheld: Vec<WithheldItem>,
    /// Locations of unclassified statements not released; non-empty ⇒ the text may not be
    /// sent.
    pub unclassified: Vec<String>,
    /// Field paths of uncategorised texts that went out because a reviewer released them.
    pub released: Vec<String>,
}

impl Filtered {
    /// Whether the text may be sent (every statement classified or released).
    pub fn is_sendable(&self) -> bool {
        self.unclassified.is_empty()
    }
}

/// Builds one outgoing text section by section under a policy and the releases (see the
/// [module docs](self)).
#[derive(Debug)]
pub struct Redactor<'a> {
    policy: &'a ConfidentialityPolicy,
    releases: &'a Releases,
    out: Filtered,
}

impl<'a> Redactor<'a> {
    /// A redactor applying `policy`, letting through the uncategorised texts `releases` hold.
    pub fn new(policy: &'a ConfidentialityPolicy, releases: &'a Releases) -> Self {
        Redactor {
            policy,
            releases,
            out: Filtered::default(),
        }
    }

    /// Start a section headed `heading`; later lines go into it.
    pub fn section(&mut self, heading: &str) {
        self.out.sections.push(OutgoingSection {
            heading: heading.to_owned(),
            lines: Vec::new(),
        });
    }

    /// A structured line (dates, counts, yes/no) that goes out as it is. Ignored before the
    /// first [`section`](Self::section).
    pub fn plain(&mut self, line: impl Into<String>) {
        if let Some(s) = self.out.sections.last_mut() {
            s.lines.push(line.into());
        }
    }

    fn withhold(&mut self, location: String, path: String, rule: String, text: &str) {
        self.out.withheld.push(WithheldItem {
            location,
            path,
            rule,
            text: text.to_owned(),
        });
    }

    /// Uncategorised free text at `path`: itself when blank or released, the placeholder
    /// otherwise (and recorded as withheld under [`FREE_TEXT_RULE`]). Adds no line: the
    /// caller places the returned text.
    pub fn free(&mut self, location: &str, path: impl Into<String>, text: &str) -> String {
        let path = path.into();
        if text.trim().is_empty() {
            return text.to_owned();
        }
        if self.releases.find(&path, text).is_some() {
            self.out.released.push(path);
            return text.to_owned();
        }
        self.withhold(location.to_owned(), path, FREE_TEXT_RULE.to_owned(), text);
        WITHHELD_PLACEHOLDER.to_owned()
    }

    /// A free-text line `label: text` (see [`free`](Self::free)).
    pub fn free_line(&mut self, location: &str, path: impl Into<String>, label: &str, text: &str) {
        let shown = self.free(location, path, text);
        self.plain(format!("{label}: {shown}"));
    }

    /// A statement rendered as `prefix` + text + `suffix`, or with the placeholder in place of
    /// its text when the policy withholds it or it is unclassified and not released (then it
    /// also blocks sending).
    pub fn statement(
        &mut self,
        location: String,
        path: String,
        prefix: &str,
        st: &Statement,
        suffix: &str,
    ) {
        match self.policy.decide(st.info.as_ref()) {
            Disclosure::Disclose => self.plain(format!("{prefix}{}{suffix}", st.text)),
            Disclosure::Withhold(rule) => {
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.withhold(location, path, rule, &st.text);
            }
            Disclosure::Unclassified => {
                if self.releases.find(&path, &st.text).is_some() {
                    self.out.released.push(path);
                    self.plain(format!("{prefix}{}{suffix}", st.text));
                    return;
                }
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.out.unclassified.push(location.clone());
                self.withhold(location, path, UNCLASSIFIED_RULE.to_owned(), &st.text);
            }
        }
    }

    /// The filtered text.
    pub fn finish(self) -> Filtered {
        self.out
    }
}

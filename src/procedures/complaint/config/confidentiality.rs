//! The confidentiality principle for outgoing reports (保密原则, §3.6, `004 L628`):
//!
//! > 在对外出具的报告中(8D报告等),严禁泄露我司保密信息,保密信息包括但不限于生产技术、生产流程、
//! > 生产工艺、原材料供应商(不包含电源供应商信息、导线供应商信息(除防水接头)、飞利浦常规颗粒信息
//! > (Luxeon T和Rebel ES))。
//!
//! Every statement that may leave the company carries an [`InfoCategory`]; a statement without
//! one is *unclassified* and blocks sending (deny by default, ours). [`ConfidentialityPolicy::decide`]
//! says what happens to one statement; [`redact_8d`](crate::procedures::complaint::forms::outgoing::redact_8d) and
//! [`redact_statements`](crate::procedures::complaint::forms::outgoing::redact_statements) are pure
//! functions producing the
//! [`OutgoingReport`](crate::procedures::complaint::forms::outgoing::OutgoingReport) (what is sent, `Display` + `Serialize`) and the
//! internal list of what was withheld.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

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

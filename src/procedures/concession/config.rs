//! Configuration. The source (`CONC`) gives one choice and no numbers: which grades the chief
//! engineer countersigns (A and B, "B类以上", `CONC step 6 (000 L405)`). The two limits are
//! off by default: the text only says the form is issued at once (须立即开具, `CONC step 2
//! (000 L399)`) and sets no time for the approval or the re-inspection. A limit set here is
//! read in working time of the definition's calendar ([`BusinessDuration`]); a miss is
//! recorded and notified, the concession does not move (OURS).

use super::{Grade, Guard, Role};
use crate::BusinessDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The procedure's choices and limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Config {
    /// The grades whose handling opinion the chief engineer countersigns after the inspection
    /// section chief: default A and B (`CONC step 4 (000 L399)`: 对"A","B"类让步单 … 转交总工程师
    /// 会签; `CONC step 6 (000 L405)`: "B"类以上). Every other grade is final with the chief's
    /// approval (`CONC roles (000 L421)`: 对"C"类缺陷具有终审权).
    pub chief_engineer_grades: Vec<Grade>,
    /// Limit for the approval chain (clock `approval`, from entering `approval`; no default).
    pub approval_within: Option<BusinessDuration>,
    /// Limit for the re-inspection after handling (clock `reinspection`, from entering
    /// `handled`; no default).
    pub reinspection_within: Option<BusinessDuration>,
    /// Whether the designer and the process engineer give an opinion only on the defects the
    /// document makes theirs: default true (`CONC roles (000 L425)`: 设计人员：负责对设计类缺陷的
    /// 处理；工艺人员：负责对工艺加工类缺陷的处理; `CONC step 3 (000 L399)`: 交**相关的**设计人员或
    /// 工艺人员处理). The site technician may give the opinion on every category (`CONC step 3`:
    /// 所有问题首先交由现场技术员作初步处理). With false, any of the three may give it.
    pub opinion_by_category: bool,
}

impl Config {
    /// Whether the chief engineer countersigns a form of `grade`.
    pub fn chief_engineer_countersigns(&self, grade: Grade) -> bool {
        self.chief_engineer_grades.contains(&grade)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chief_engineer_grades: vec![Grade::A, Grade::B],
            approval_within: None,
            reinspection_within: None,
            opinion_by_category: true,
        }
    }
}

/// The sign-off chain a concession takes: the inspection section chief always first (`CONC
/// step 4 (000 L399)`); then, in one stage and in any order (INF), the chief engineer for the
/// grades of [`Config::chief_engineer_grades`] (`CONC step 6 (000 L405)`) and the third party
/// when one is involved (`CONC step 5 (000 L401)`). With neither, the chief's approval is
/// final (`CONC roles (000 L421)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Chain {
    /// The inspection section chief alone (grade C, no third party).
    Chief,
    /// The chief, then the third party.
    ChiefAndThirdParty,
    /// The chief, then the chief engineer.
    ChiefEngineer,
    /// The chief, then the chief engineer and the third party.
    ChiefEngineerAndThirdParty,
}

impl Chain {
    /// Every chain.
    pub const ALL: &'static [Chain] = &[
        Chain::Chief,
        Chain::ChiefAndThirdParty,
        Chain::ChiefEngineer,
        Chain::ChiefEngineerAndThirdParty,
    ];

    /// The chain of a form of `grade`, with a third party or not, under `config`.
    pub fn of(grade: Grade, third_party: bool, config: &Config) -> Chain {
        match (config.chief_engineer_countersigns(grade), third_party) {
            (false, false) => Chain::Chief,
            (false, true) => Chain::ChiefAndThirdParty,
            (true, false) => Chain::ChiefEngineer,
            (true, true) => Chain::ChiefEngineerAndThirdParty,
        }
    }

    /// The guard that selects this chain's sign-off in the graph.
    pub fn guard(self) -> Guard {
        match self {
            Chain::Chief => Guard::ChainChief,
            Chain::ChiefAndThirdParty => Guard::ChainChiefAndThirdParty,
            Chain::ChiefEngineer => Guard::ChainChiefEngineer,
            Chain::ChiefEngineerAndThirdParty => Guard::ChainChiefEngineerAndThirdParty,
        }
    }

    /// The chain's stages: every role of a stage signs, in any order, before the next stage.
    pub fn stages(self) -> &'static [&'static [Role]] {
        match self {
            Chain::Chief => &[&[Role::InspectionChief]],
            Chain::ChiefAndThirdParty => &[&[Role::InspectionChief], &[Role::ThirdParty]],
            Chain::ChiefEngineer => &[&[Role::InspectionChief], &[Role::ChiefEngineer]],
            Chain::ChiefEngineerAndThirdParty => &[
                &[Role::InspectionChief],
                &[Role::ChiefEngineer, Role::ThirdParty],
            ],
        }
    }
}

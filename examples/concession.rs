//! Concession (让步接受, document `CONC`): four concessions on one engine —
//!
//! 1. a grade C concession, final with the inspection section chief's approval, handled,
//!    re-inspected and released (granted);
//! 2. a grade B concession the chief has approved, refused for handling until the chief
//!    engineer countersigns — and a changed quantity on the way invalidating the chief's
//!    signature;
//! 3. a casting defect, whose casting supplier is always a third party and must countersign;
//! 4. the inspector who found the defect refused as approver;
//!
//! then the report of open and granted concessions.
//!
//! Run with `cargo run --example concession`.

use aftersales::procedures::concession::{
    self as conc, Action, CastingDefect, ConcessionForm, DefectCategory, Deviation, Disposition,
    FoundBy, Grade, HandledBy, HandlingOpinion, HandlingRecord, ReinspectionRecord, Role,
    ThirdParty, ThirdPartyKind,
};
use aftersales::{
    Actor, BusinessCalendar, Command, Engine, Form, InMemoryStore, InstanceId, TypedForm,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::error::Error;
use std::io::Write;
use std::sync::Arc;

type R<T> = Result<T, Box<dyn Error>>;

fn form<F: TypedForm>(f: &F) -> R<Form> {
    Ok(Form::typed(F::KIND, f)?)
}

/// The people of the plant.
struct Plant {
    inspector: Actor,
    technician: Actor,
    chief: Actor,
    chief_engineer: Actor,
    foundry: Actor,
}

/// One engine, a clock, and what happens printed.
struct Floor<'a> {
    engine: Engine<InMemoryStore>,
    now: DateTime<Utc>,
    out: &'a mut dyn Write,
}

impl Floor<'_> {
    /// Fire `cmd` on `id`; print the new state, or the refusal (and go on).
    fn try_fire(&mut self, id: &str, what: &str, cmd: Command) -> R<bool> {
        self.now += TimeDelta::minutes(20);
        match self.engine.fire(&InstanceId::from(id), &cmd, self.now) {
            Ok(o) => {
                writeln!(self.out, "  {what}: ok, now `{}`", o.instance.state())?;
                Ok(true)
            }
            Err(e) => {
                writeln!(self.out, "  {what}: REFUSED — {e}")?;
                Ok(false)
            }
        }
    }

    /// Fire `cmd`, which must be accepted.
    fn fire(&mut self, id: &str, what: &str, cmd: Command) -> R<()> {
        if self.try_fire(id, what, cmd)? {
            Ok(())
        } else {
            Err(format!("{id}: `{what}` was refused").into())
        }
    }

    /// Print the signatures on `id`'s approval and their status.
    fn signatures(&mut self, id: &str) -> R<()> {
        let i = self.engine.load(&InstanceId::from(id))?;
        for s in i
            .signatures()
            .iter()
            .filter(|s| s.action == Action::Approve)
        {
            writeln!(
                self.out,
                "    signature {} as {}: {:?}",
                s.signer, s.role, s.status
            )?;
        }
        Ok(())
    }

    /// Start `id`, issue `f` as the inspector `by`, and give the technician's opinion.
    fn open(&mut self, id: &str, by: &Actor, f: &ConcessionForm, p: &Plant) -> R<()> {
        writeln!(
            self.out,
            "\n{id}: grade {:?}, {} of {} {}{}",
            f.grade,
            f.nonconforming,
            f.inspected,
            f.part_number,
            f.third_party
                .as_ref()
                .map(|t| format!(", third party {}", t.name))
                .unwrap_or_default()
        )?;
        self.engine.start(
            conc::ID,
            InstanceId::from(id),
            by,
            serde_json::json!({}),
            self.now,
        )?;
        let issue = Command::fire(by, Action::IssueForm).with_form(form(f)?);
        self.fire(id, "inspector issues the 让步使用单", issue)?;
        let opinion = HandlingOpinion {
            handled_by: HandledBy::SiteTechnician,
            disposition: Disposition::UseAsIs,
            plan: "use as is; mark the parts, note it on the traveller".into(),
        };
        let give = Command::fire(&p.technician, Action::GiveOpinion).with_form(form(&opinion)?);
        self.fire(id, "technician gives the handling opinion", give)
    }

    /// Handle, re-inspect and release `id`.
    fn handle_and_release(&mut self, id: &str, p: &Plant) -> R<()> {
        let done = HandlingRecord {
            done: "parts marked, traveller annotated".into(),
        };
        let handle = Command::fire(&p.technician, Action::RecordHandling).with_form(form(&done)?);
        self.fire(id, "technician records the handling", handle)?;
        let passed = ReinspectionRecord {
            passed: true,
            note: String::new(),
        };
        let reinspect = Command::fire(&p.inspector, Action::Reinspect).with_form(form(&passed)?);
        self.fire(id, "inspector re-inspects: passed, released", reinspect)
    }
}

/// 3 of 40 housings HX-210 with the bore 0.05 mm over size, grade `grade`.
fn housing(grade: Grade) -> ConcessionForm {
    ConcessionForm {
        part_number: "HX-210".into(),
        lot: "WO-2611".into(),
        found_by: FoundBy::Inspector,
        grade,
        category: DefectCategory::Machining,
        responsible: "machining cell 3".into(),
        inspected: 40,
        nonconforming: 3,
        deviation: Deviation {
            characteristic: "bore Ø52".into(),
            specified: "52.00 +0.03/0".into(),
            actual: "52.05".into(),
        },
        justification: "assembly needs the housings this week".into(),
        casting: None,
        third_party: None,
    }
}

/// The signature of `who` on the approval.
fn sign(who: &Actor) -> Command {
    Command::sign(who, Action::Approve)
}

/// Grade C: the chief's approval is final; handled, re-inspected, released.
fn grade_c(f: &mut Floor<'_>, p: &Plant) -> R<()> {
    // 1. Grade C: the chief's approval is final (CONC roles (000 L421)).
    f.open("CONC-C", &p.inspector, &housing(Grade::C), p)?;
    f.fire(
        "CONC-C",
        "inspection chief approves (final for C)",
        sign(&p.chief),
    )?;
    f.handle_and_release("CONC-C", p)?;

    Ok(())
}

/// Grade B: held until the chief engineer countersigns; a revision on the way invalidates the chief's signature.
fn grade_b(f: &mut Floor<'_>, p: &Plant) -> R<()> {
    // 2. Grade B: the chief engineer countersigns (CONC step 6 (000 L405)); the signatures
    //    bind the form, so a changed quantity invalidates the chief's.
    f.open("CONC-B", &p.inspector, &housing(Grade::B), p)?;
    f.fire("CONC-B", "inspection chief approves", sign(&p.chief))?;
    let handle =
        Command::fire(&p.technician, Action::RecordHandling).with_form(form(&HandlingRecord {
            done: "parts marked".into(),
        })?);
    f.try_fire(
        "CONC-B",
        "technician records the handling (too early)",
        handle,
    )?;
    let five = ConcessionForm {
        nonconforming: 5,
        ..housing(Grade::B)
    };
    let revise = Command::fire(&p.inspector, Action::ReviseForm).with_form(form(&five)?);
    f.fire(
        "CONC-B",
        "inspector revises: 5 nonconforming, not 3",
        revise,
    )?;
    f.signatures("CONC-B")?;
    f.try_fire(
        "CONC-B",
        "chief engineer countersigns (chief's signature invalidated)",
        sign(&p.chief_engineer),
    )?;
    f.fire(
        "CONC-B",
        "inspection chief approves the revised form",
        sign(&p.chief),
    )?;
    f.fire(
        "CONC-B",
        "chief engineer countersigns",
        sign(&p.chief_engineer),
    )?;

    Ok(())
}

/// A casting defect: its supplier is a third party and countersigns.
fn casting(f: &mut Floor<'_>, p: &Plant) -> R<()> {
    // 3. A casting defect: the casting supplier is always a third party (CONC step 5 (000 L403)).
    let porosity = ConcessionForm {
        casting: Some(CastingDefect {
            supplier: "Hubei Foundry".into(),
            defect: "气孔 porosity in the flange".into(),
        }),
        third_party: Some(ThirdParty {
            name: "Hubei Foundry".into(),
            kind: ThirdPartyKind::CastingSupplier,
        }),
        ..housing(Grade::C)
    };
    let no_supplier = ConcessionForm {
        third_party: None,
        ..porosity.clone()
    };
    if let Err(why) = no_supplier.validate() {
        writeln!(
            f.out,
            "\na casting form without its supplier as third party: invalid — {why}"
        )?;
    }
    f.open("CONC-CAST", &p.inspector, &porosity, p)?;
    f.fire("CONC-CAST", "inspection chief approves", sign(&p.chief))?;
    let handle =
        Command::fire(&p.technician, Action::RecordHandling).with_form(form(&HandlingRecord {
            done: "parts marked".into(),
        })?);
    f.try_fire(
        "CONC-CAST",
        "technician records the handling (supplier has not countersigned)",
        handle,
    )?;
    f.fire(
        "CONC-CAST",
        "casting supplier countersigns",
        sign(&p.foundry),
    )?;

    Ok(())
}

/// The inspector who found the defect refused as approver.
fn finder_refused(f: &mut Floor<'_>, p: &Plant) -> R<()> {
    // 4. The inspector who found the defect may not approve (CONC roles (000 L417)).
    let inspecting_chief = Actor::new("qc-ma", [Role::Inspector, Role::InspectionChief]);
    f.open("CONC-SOD", &inspecting_chief, &housing(Grade::C), p)?;
    f.try_fire(
        "CONC-SOD",
        "inspector insp-liu approves",
        sign(&p.inspector),
    )?;
    f.try_fire(
        "CONC-SOD",
        "qc-ma (found the defect) approves as inspection chief",
        sign(&inspecting_chief),
    )?;
    f.fire(
        "CONC-SOD",
        "inspection chief chief-zhao approves",
        sign(&p.chief),
    )?;

    Ok(())
}

/// Run the example, printing to `out`.
pub fn run(out: &mut dyn Write) -> R<()> {
    let def = conc::definition(
        &conc::Config::default(),
        Arc::new(BusinessCalendar::china_standard()),
    )?;
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone())?;
    let p = Plant {
        inspector: Actor::new("insp-liu", [Role::Inspector]),
        technician: Actor::new("tech-sun", [Role::SiteTechnician]),
        chief: Actor::new("chief-zhao", [Role::InspectionChief]),
        chief_engineer: Actor::new("ce-wang", [Role::ChiefEngineer]),
        foundry: Actor::new("foundry-hu", [Role::ThirdParty]),
    };
    let now = Utc
        .with_ymd_and_hms(2026, 11, 16, 2, 0, 0)
        .single()
        .ok_or("start")?;
    let mut f = Floor { engine, now, out };
    grade_c(&mut f, &p)?;
    grade_b(&mut f, &p)?;
    casting(&mut f, &p)?;
    finder_refused(&mut f, &p)?;

    let all: Vec<_> = ["CONC-C", "CONC-B", "CONC-CAST", "CONC-SOD"]
        .iter()
        .map(|id| f.engine.load(&InstanceId::from(*id)))
        .collect::<Result<_, _>>()?;
    let report = conc::report(all.iter().map(|i| &**i))?;
    writeln!(f.out, "\n-- report --")?;
    for (title, lines) in [("open", &report.open), ("granted", &report.granted)] {
        let ids: Vec<String> = lines.iter().map(|l| l.concession.to_string()).collect();
        writeln!(f.out, "{title} ({}): {}", lines.len(), ids.join(", "))?;
    }
    for i in &all {
        let verdict = conc::verdict(i)?;
        writeln!(f.out, "{}: `{}`, verdict {verdict:?}", i.id(), i.state())?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout().lock())
}

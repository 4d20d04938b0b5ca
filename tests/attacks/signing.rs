//! Sign-offs under attack (issue 15, findings 1, 4, 13 and 14), against the pure core
//! (`start` / `decide`), every history replayed to the same snapshot.

use aftersales::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap()
}

fn registry() -> Registry {
    Registry::new()
        .guard("never", |_: &Context<'_>| Err("never passes".into()))
        .form("quote", |_: &Value| Ok(()))
}

/// draft -submit-> pending -approve [sign-off qa, director, binding amount and currency]->
/// approved -pay-> paid; `amend` merges the payload into the data in `pending` and `approved`.
/// `pay` may not be done by whoever submitted.
fn payment(order: SignOrder, policy: OnBoundChange) -> Definition {
    Builder::new("payment", 1)
        .roles(["clerk", "qa", "director", "payer"])
        .start_roles(["clerk"])
        .form("quote")
        .initial("draft")
        .normal("pending")
        .normal("approved")
        .terminal("paid")
        .transition("draft", "submit", "pending", |t| {
            t.roles(["clerk"]).merge_payload()
        })
        .transition("pending", "amend", "pending", |t| {
            t.roles(["clerk"]).merge_payload()
        })
        .transition("pending", "approve", "approved", |t| {
            t.sign_off(["qa", "director"], order, "approve the payment")
                .binds(["amount", "currency"])
                .on_bound_change(policy)
        })
        .transition("approved", "amend", "approved", |t| {
            t.roles(["clerk"]).merge_payload()
        })
        .transition("approved", "pay", "paid", |t| {
            t.roles(["clerk", "payer"]).not_same_actor_as("submit")
        })
        .build(&registry())
        .unwrap()
}

/// An instance and its history, every step replayed.
struct Case {
    def: Definition,
    inst: Instance,
    events: Vec<Event>,
}

impl Case {
    fn new(def: Definition) -> Case {
        let d = start(
            &def,
            InstanceId::from("P-1"),
            &clerk(),
            json!({"amount": 100, "currency": "CNY"}),
            now(),
        )
        .unwrap();
        Case {
            def,
            inst: d.instance,
            events: d.events,
        }
    }

    fn try_(&mut self, cmd: Command) -> Result<(), Rejection> {
        let d = decide(&self.def, &self.inst, &cmd, now())?;
        self.events.extend(d.events);
        self.inst = d.instance;
        assert_eq!(Instance::replay(&self.events).unwrap(), self.inst);
        Ok(())
    }

    fn ok(&mut self, cmd: Command) {
        let what = format!("{cmd:?}");
        if let Err(r) = self.try_(cmd) {
            panic!("{what} refused: {r}");
        }
    }

    fn refused(&mut self, cmd: Command) -> Rejection {
        let before = self.inst.clone();
        let r = self.try_(cmd).expect_err("must be refused");
        assert_eq!(self.inst, before, "a refusal changes nothing");
        r
    }

    fn statuses(&self) -> Vec<(&str, SignatureStatus)> {
        self.inst
            .signatures()
            .iter()
            .map(|s| (s.signer.as_str(), s.status))
            .collect()
    }
}

fn clerk() -> Actor {
    Actor::new("cl", ["clerk"])
}
fn qa() -> Actor {
    Actor::new("quinn", ["qa"])
}
fn director() -> Actor {
    Actor::new("dora", ["director"])
}
fn amend(amount: i64) -> Command {
    Command::fire(&clerk(), "amend").with_payload(json!({"amount": amount}))
}

fn submitted(order: SignOrder, policy: OnBoundChange) -> Case {
    let mut c = Case::new(payment(order, policy));
    c.ok(Command::fire(&clerk(), "submit"));
    c
}

// --- finding 1: one person, one signature ---------------------------------------------------

/// Finding 1: an actor with role `qa` acting for `sam` signs, then `sam` (director) signs
/// himself. `sam` would count twice: refused, naming the person and the earlier signer.
#[test]
fn a_person_signed_for_may_not_sign_again_himself() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa().acting_for("sam"), "approve"));
    let sam = Actor::new("sam", ["director"]);
    let r = c.refused(Command::sign(&sam, "approve"));
    assert_eq!(
        r,
        Rejection::AlreadySigned {
            action: Name::new("approve"),
            actor: "sam".into(),
            person: Some("sam".into()),
            signed_by: Some("quinn".into()),
        }
    );
    assert_eq!(c.inst.state(), "pending", "the sign-off did not complete");
}

/// Finding 1, the other order: `sam` signs himself, then someone acting for him.
#[test]
fn a_person_who_signed_may_not_be_signed_for_again() {
    let mut c = submitted(SignOrder::AnyOrder, OnBoundChange::Invalidate);
    let sam = Actor::new("sam", ["director"]);
    c.ok(Command::sign(&sam, "approve"));
    let r = c.refused(Command::sign(&qa().acting_for("sam"), "approve"));
    assert_eq!(
        r,
        Rejection::AlreadySigned {
            action: Name::new("approve"),
            actor: "quinn".into(),
            person: Some("sam".into()),
            signed_by: Some("sam".into()),
        }
    );
    assert_eq!(c.inst.state(), "pending");
}

/// A delegate who signed for one person may not sign again for another: the delegate is a
/// person too.
#[test]
fn a_delegate_counts_once_too() {
    let mut c = submitted(SignOrder::AnyOrder, OnBoundChange::Invalidate);
    let both = Actor::new("del", ["qa", "director"]);
    c.ok(Command::sign(&both.clone().acting_for("ann"), "approve"));
    let r = c.refused(Command::sign(&both.acting_for("bob"), "approve"));
    assert!(
        matches!(&r, Rejection::AlreadySigned { person: Some(p), signed_by: Some(b), .. }
            if p == "del" && b == "del"),
        "{r:?}"
    );
}

/// Separation of duties applies to the person and to whom they act for, both ways.
#[test]
fn separation_of_duties_sees_through_delegation() {
    // The submitter's delegate may not pay.
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::sign(&director(), "approve"));
    let payer = Actor::new("pat", ["payer"]);
    let r = c.refused(Command::fire(&payer.clone().acting_for("cl"), "pay"));
    assert!(
        matches!(&r, Rejection::SeparationOfDuties { action, actor, .. }
            if *action == "pay" && actor == "pat"),
        "{r:?}"
    );
    // A submission made for `cl` by a delegate: neither the delegate nor `cl` may pay.
    let mut c = Case::new(payment(SignOrder::Sequential, OnBoundChange::Invalidate));
    let del = Actor::new("del", ["clerk", "payer"]);
    c.ok(Command::fire(&del.clone().acting_for("cl2"), "submit"));
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::sign(&director(), "approve"));
    let r = c.refused(Command::fire(&Actor::new("cl2", ["payer"]), "pay"));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    let r = c.refused(Command::fire(&del, "pay"));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    c.ok(Command::fire(&payer, "pay"));
    assert!(c.inst.is_closed());
}

// --- finding 4: signatures bound to content -------------------------------------------------

/// Each signature records the digest of the content its step binds.
#[test]
fn a_signature_records_the_digest_of_what_it_approves() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    let s = &c.inst.signatures()[0];
    assert_eq!(&*s.binds, ["amount".to_owned(), "currency".to_owned()]);
    let expected = Digest::of_json(&json!({"amount": 100, "currency": "CNY"}));
    assert_eq!(s.digest, Some(expected));
    let signed = c.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Signed { digest, .. } => *digest,
        _ => None,
    });
    assert_eq!(signed, Some(expected), "the event carries it too");
}

/// Finding 4 (pending): QA approves 100, the amount becomes 1,000,000, the director signs:
/// QA's approval no longer stands, so the director's signature is out of order and the
/// payment is not approved. QA signs again for the new amount and the sign-off completes.
#[test]
fn a_changed_amount_invalidates_a_pending_signature() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(amend(1_000_000));
    assert_eq!(c.statuses(), [("quinn", SignatureStatus::Invalidated)]);
    let r = c.refused(Command::sign(&director(), "approve"));
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: Name::new("approve"),
            expected_role: Name::new("qa"),
        }
    );
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::sign(&director(), "approve"));
    assert_eq!(c.inst.state(), "approved");
    assert_eq!(
        c.statuses(),
        [
            ("quinn", SignatureStatus::Invalidated),
            ("quinn", SignatureStatus::Completed),
            ("dora", SignatureStatus::Completed)
        ]
    );
}

/// Finding 4 (any order): the director's signature does not complete a sign-off whose other
/// signature was invalidated.
#[test]
fn an_invalidated_signature_does_not_count_in_any_order() {
    let mut c = submitted(SignOrder::AnyOrder, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(amend(1_000_000));
    c.ok(Command::sign(&director(), "approve"));
    assert_eq!(c.inst.state(), "pending", "QA has not approved 1,000,000");
}

/// Finding 4 (completed): the payment is approved at 100, the amount becomes 1,000,000, and
/// closing the payment is refused until both roles approve the new amount again (in place).
#[test]
fn a_changed_amount_invalidates_a_completed_approval() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::sign(&director(), "approve"));
    assert_eq!(c.inst.state(), "approved");
    c.ok(amend(1_000_000));
    let payer = Actor::new("pat", ["payer"]);
    let r = c.refused(Command::fire(&payer, "pay"));
    assert_eq!(
        r,
        Rejection::ApprovalInvalidated {
            action: Name::new("pay"),
            sign_off: Name::new("approve"),
            signers: vec!["quinn".into(), "dora".into()],
        }
    );
    // The approval is offered again to its signers.
    let offered = available_actions(&c.def, &c.inst, &qa(), now());
    assert!(
        offered
            .iter()
            .any(|a| a.action == "approve" && a.sign_off && a.verdict.is_ok()),
        "{offered:?}"
    );
    // Given again in order, in place: the instance stays in `approved`.
    let r = c.refused(Command::sign(&director(), "approve"));
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    c.ok(Command::sign(&qa(), "approve"));
    let r = c.refused(Command::fire(&payer, "pay"));
    assert!(matches!(r, Rejection::ApprovalInvalidated { .. }), "{r:?}");
    c.ok(Command::sign(&director(), "approve"));
    assert_eq!(c.inst.state(), "approved");
    c.ok(Command::fire(&payer, "pay"));
    assert!(c.inst.is_closed());
    let now_signed = Digest::of_json(&json!({"amount": 1_000_000, "currency": "CNY"}));
    let standing: Vec<_> = c
        .inst
        .signatures()
        .iter()
        .filter(|s| s.status == SignatureStatus::Completed)
        .map(|s| s.digest)
        .collect();
    assert_eq!(standing, [Some(now_signed), Some(now_signed)]);
}

/// A change that leaves the bound content as it was invalidates nothing.
#[test]
fn unrelated_changes_leave_signatures_standing() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::fire(&clerk(), "amend").with_payload(json!({"note": "urgent"})));
    c.ok(amend(100));
    c.ok(Command::sign(&director(), "approve"));
    assert_eq!(c.inst.state(), "approved");
}

/// Policy `Refuse`: a command that would change approved content is refused, pending or
/// completed; other changes go through.
#[test]
fn refuse_policy_refuses_changes_to_signed_content() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Refuse);
    c.ok(Command::sign(&qa(), "approve"));
    let r = c.refused(amend(1_000_000));
    assert_eq!(
        r,
        Rejection::BoundContentLocked {
            action: Name::new("amend"),
            sign_off: Name::new("approve"),
            signers: vec!["quinn".into()],
        }
    );
    c.ok(Command::fire(&clerk(), "amend").with_payload(json!({"note": "urgent"})));
    c.ok(Command::sign(&director(), "approve"));
    let r = c.refused(amend(1_000_000));
    assert!(
        matches!(&r, Rejection::BoundContentLocked { signers, .. } if signers.len() == 2),
        "{r:?}"
    );
    // `check` answers the same as `decide`.
    assert_eq!(check(&c.def, &c.inst, &amend(1_000_000), now()), Err(r));
}

/// A binding into a form: attaching a new revision with another amount invalidates.
#[test]
fn a_bound_form_revision_invalidates() {
    let def = Builder::new("quoted", 1)
        .roles(["clerk", "qa", "director"])
        .start_roles(["clerk"])
        .form("quote")
        .initial("open")
        .terminal("done")
        .transition("open", "quote", "open", |t| t.roles(["clerk"]))
        .transition("open", "approve", "done", |t| {
            t.sign_off(
                ["qa", "director"],
                SignOrder::Sequential,
                "approve the quote",
            )
            .binds(["form:quote.amount"])
        })
        .build(&registry())
        .unwrap();
    let mut c = Case::new(def);
    let quote = |n: i64| Form::new("quote", json!({"amount": n, "vendor": "acme"}));
    c.ok(Command::fire(&clerk(), "quote").with_form(quote(100)));
    c.ok(Command::sign(&qa(), "approve"));
    // Another vendor, same amount: what QA approved is unchanged.
    c.ok(Command::fire(&clerk(), "quote").with_form(Form::new(
        "quote",
        json!({"amount": 100, "vendor": "other"}),
    )));
    assert_eq!(c.statuses(), [("quinn", SignatureStatus::Open)]);
    c.ok(Command::fire(&clerk(), "quote").with_form(quote(1_000_000)));
    assert_eq!(c.statuses(), [("quinn", SignatureStatus::Invalidated)]);
    // The director cannot slip a new quote in with the last signature either.
    c.ok(Command::sign(&qa(), "approve"));
    let r = c.refused(Command::sign(&director(), "approve").with_form(quote(5)));
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    c.ok(Command::sign(&director(), "approve"));
    assert!(c.inst.is_closed());
}

/// `binds` is checked at build time and read from JSON definitions.
#[test]
fn bindings_are_validated_and_serialised() {
    let spec = payment(SignOrder::Sequential, OnBoundChange::Refuse)
        .spec()
        .clone();
    let text = serde_json::to_string(&spec).unwrap();
    assert!(
        text.contains(r#""binds":["amount","currency"],"on_change":"refuse""#),
        "{text}"
    );
    let back: DefinitionSpec = serde_json::from_str(&text).unwrap();
    assert_eq!(back, spec);
    let mut bad = spec.clone();
    let so = bad
        .transitions
        .iter_mut()
        .find_map(|t| t.sign_off.as_mut())
        .unwrap();
    so.binds = vec![
        "a..b".into(),
        "form:nope".into(),
        "form:quote.amount".into(),
    ];
    let Err(BuildError::Invalid { problems, .. }) = bad.build(&registry()) else {
        panic!("bad bindings accepted");
    };
    let bad: Vec<&str> = problems
        .iter()
        .filter_map(|p| match p {
            Problem::BadBinding { binding, .. } => Some(binding.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(bad, ["a..b", "form:nope"]);
}

// --- finding 13: the acting role --------------------------------------------------------------

/// One person holding `quality_department` (declared first) and `cqe`, on a CQE action that
/// lists `cqe` first.
fn roles_def() -> Definition {
    Builder::new("roles", 1)
        .roles(["quality_department", "cqe", "clerk", "director"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("analysed")
        .terminal("done")
        .transition("open", "analyse", "analysed", |t| {
            t.roles(["cqe", "quality_department"])
        })
        .transition("analysed", "sign_analysis", "done", |t| {
            t.sign_off(
                ["cqe", "director"],
                SignOrder::AnyOrder,
                "the analysis is right",
            )
            .roles(["cqe", "quality_department", "director"])
        })
        .build(&registry())
        .unwrap()
}

fn attributed_role(c: &Case) -> Option<Name> {
    c.events
        .last()
        .and_then(|e| e.by.as_ref())
        .and_then(|b| b.role)
}

/// Finding 13: the role the transition lists first that the actor holds is recorded, not the
/// first role the actor (or the definition) lists.
#[test]
fn the_role_the_transition_allows_is_recorded() {
    let mut c = Case::new(roles_def());
    let both = Actor::new("cai", ["quality_department", "cqe"]);
    c.ok(Command::fire(&both, "analyse"));
    assert_eq!(attributed_role(&c), Some(Name::new("cqe")));
}

/// A command may name its role; it is recorded, on events and signatures.
#[test]
fn a_command_may_name_its_role() {
    let mut c = Case::new(roles_def());
    let both = Actor::new("cai", ["quality_department", "cqe", "director"]);
    c.ok(Command::fire(&both, "analyse").as_role("quality_department"));
    assert_eq!(attributed_role(&c), Some(Name::new("quality_department")));
    c.ok(Command::sign(&both, "sign_analysis").as_role("director"));
    assert_eq!(c.inst.signatures()[0].role, "director");
    assert_eq!(attributed_role(&c), Some(Name::new("director")));
}

/// Naming a role the actor does not hold, or one the transition does not allow, is a typed
/// refusal.
#[test]
fn a_named_role_must_be_held_and_allowed() {
    let mut c = Case::new(roles_def());
    let cqe = Actor::new("cai", ["cqe", "clerk"]);
    let r = c.refused(Command::fire(&cqe, "analyse").as_role("quality_department"));
    assert_eq!(
        r,
        Rejection::RoleNotHeld {
            actor: "cai".into(),
            role: Name::new("quality_department"),
        }
    );
    let r = c.refused(Command::fire(&cqe, "analyse").as_role("clerk"));
    assert_eq!(
        r,
        Rejection::RoleNotAllowed {
            action: Name::new("analyse"),
            role: Name::new("clerk"),
            allowed: vec![Name::new("quality_department"), Name::new("cqe")],
        }
    );
    // A sign-off role the actor holds but the sign-off does not take.
    c.ok(Command::fire(&cqe, "analyse"));
    let qd = Actor::new("qin", ["quality_department"]);
    let r = c.refused(Command::sign(&qd, "sign_analysis").as_role("quality_department"));
    assert!(
        matches!(&r, Rejection::RoleNotAllowed { role, .. } if *role == "quality_department"),
        "{r:?}"
    );
}

// --- finding 14: refusals in one order ------------------------------------------------------

/// review -decide-> a (managers, guard never) | b (directors); plus a sign-off whose guard
/// fails.
fn order_def() -> Definition {
    Builder::new("order", 1)
        .roles(["clerk", "manager", "director", "qa"])
        .start_roles(["clerk"])
        .initial("review")
        .normal("a")
        .normal("b")
        .terminal("done")
        .transition("review", "decide", "a", |t| {
            t.roles(["manager"]).guard("never")
        })
        .transition("review", "decide", "b", |t| t.roles(["director"]))
        .transition("a", "close", "done", |t| t.roles(["manager"]))
        .transition("b", "close", "done", |t| t.roles(["director"]))
        .transition("review", "approve", "done", |t| {
            t.sign_off(["qa", "director"], SignOrder::AnyOrder, "approve")
                .guard("never")
        })
        .build(&registry())
        .unwrap()
}

/// Role first: an actor with no allowed role gets `Forbidden` naming every allowed role here,
/// never another candidate's guard refusal; an actor with an allowed role gets its own
/// candidate's refusal.
#[test]
fn role_is_checked_before_any_guard() {
    let mut c = Case::new(order_def());
    let r = c.refused(Command::fire(&clerk(), "decide"));
    assert_eq!(
        r,
        Rejection::Forbidden {
            action: Name::new("decide"),
            actor: "cl".into(),
            allowed: vec![Name::new("manager"), Name::new("director")],
        }
    );
    let r = c.refused(Command::fire(&Actor::new("mo", ["manager"]), "decide"));
    assert!(matches!(r, Rejection::GuardRejected { .. }), "{r:?}");
}

/// The same "this person may not do this" in every state: `Forbidden` even where the action
/// has no transition; `NoSuchTransition` only for someone who may do it elsewhere.
#[test]
fn forbidden_does_not_depend_on_the_state() {
    let mut c = Case::new(order_def());
    let r = c.refused(Command::fire(&clerk(), "close"));
    assert!(
        matches!(&r, Rejection::Forbidden { action, .. } if *action == "close"),
        "{r:?}"
    );
    let r = c.refused(Command::fire(&Actor::new("mo", ["manager"]), "close"));
    assert!(matches!(r, Rejection::NoSuchTransition { .. }), "{r:?}");
}

/// A signature on a step whose guards already fail is refused at once: the doomed sign-off
/// collects no signature.
#[test]
fn a_doomed_sign_off_collects_no_signature() {
    let mut c = Case::new(order_def());
    let r = c.refused(Command::sign(&qa(), "approve"));
    assert!(
        matches!(&r, Rejection::GuardRejected { action, .. } if *action == "approve"),
        "{r:?}"
    );
    assert!(c.inst.signatures().is_empty());
    // Refusing to sign stays possible.
    c.ok(Command::refuse(&qa(), "approve", "not like this"));
}

/// A renewal may be refused (with a reason); the approval stays invalidated and the way out of
/// the state stays closed.
#[test]
fn a_refused_renewal_keeps_the_state_blocked() {
    let mut c = submitted(SignOrder::Sequential, OnBoundChange::Invalidate);
    c.ok(Command::sign(&qa(), "approve"));
    c.ok(Command::sign(&director(), "approve"));
    c.ok(amend(1_000_000));
    c.ok(Command::refuse(&qa(), "approve", "not at this amount"));
    assert_eq!(
        c.inst.state(),
        "approved",
        "a renewal refused does not move"
    );
    let r = c.refused(Command::fire(&Actor::new("pat", ["payer"]), "pay"));
    assert!(matches!(r, Rejection::ApprovalInvalidated { .. }), "{r:?}");
    // Back to the approved amount does not revive the invalidated signatures.
    c.ok(amend(100));
    let r = c.refused(Command::fire(&Actor::new("pat", ["payer"]), "pay"));
    assert!(matches!(r, Rejection::ApprovalInvalidated { .. }), "{r:?}");
}

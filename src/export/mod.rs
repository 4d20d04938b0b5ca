//! Exporters: Mermaid and Graphviz DOT diagrams and the audit [`Trail`] as deterministic
//! `Display` adapters, and
//! JSON Schemas of the serde types.
//!
//! Diagrams list states in definition order and transitions in definition order, so the
//! same definition always prints the same text (golden-file tested).

mod dot;
mod mermaid;
mod schema;
mod trail;

pub use dot::Dot;
pub use mermaid::Mermaid;
pub use schema::{command_schema, definition_schema, event_schema, instance_schema};
pub use trail::Trail;

use crate::definition::{Definition, TransitionSpec};

/// The label of a transition edge: action, roles, sign-off, guards, forms.
pub(crate) fn edge_label(t: &TransitionSpec) -> String {
    let mut label = t.action.clone();
    if let Some(so) = &t.sign_off {
        let who = match &so.order {
            crate::SignOrder::Sequential => so.roles.join(" then "),
            crate::SignOrder::AnyOrder => so.roles.join(" and "),
            crate::SignOrder::Stages(sizes) => {
                let mut rest = so.roles.as_slice();
                let mut groups = Vec::new();
                for &n in sizes {
                    let (group, tail) = rest.split_at(n.min(rest.len()));
                    groups.push(match group {
                        [one] => one.clone(),
                        many => format!("({})", many.join(" and ")),
                    });
                    rest = tail;
                }
                groups.join(" then ")
            }
        };
        label.push_str(&format!(" [sign-off {who}]"));
    } else if !t.roles.is_empty() {
        label.push_str(&format!(" [{}]", t.roles.join(", ")));
    }
    if !t.guards.is_empty() {
        let g: Vec<String> = t.guards.iter().map(ToString::to_string).collect();
        label.push_str(&format!(" if {}", g.join(" and ")));
    }
    let forms: Vec<String> = t
        .forms
        .iter()
        .cloned()
        .chain(t.fresh_forms.iter().map(|f| format!("new {f}")))
        .collect();
    if !forms.is_empty() {
        label.push_str(&format!(" with {}", forms.join(", ")));
    }
    label
}

/// Escalation moves declared by deadlines: (from state, to state, deadline name). A deadline
/// started by leaving a state or by an action can escalate from any state where its clock
/// runs.
pub(crate) fn escalation_edges(def: &Definition) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for d in &def.spec().deadlines {
        for step in &d.escalation {
            if let Some(to) = &step.move_to {
                for from in crate::deadline::escalation_sources(def.spec(), d, to) {
                    out.push((from.to_owned(), to.clone(), d.name.clone()));
                }
            }
        }
    }
    out
}

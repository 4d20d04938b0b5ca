//! Exporters: Mermaid, Graphviz DOT and SVG diagrams and the audit [`Trail`] as deterministic
//! `Display` adapters, and
//! JSON Schemas of the serde types.
//!
//! Diagrams list states in definition order and transitions in definition order, so the
//! same definition always prints the same text (golden-file tested).

mod dot;
mod mermaid;
mod schema;
mod svg;
mod trail;

pub use dot::Dot;
pub use mermaid::Mermaid;
pub use schema::{command_schema, definition_schema, event_schema, instance_schema};
pub use svg::Svg;
pub use trail::Trail;

use crate::definition::{Definition, EdgeKind, TransitionSpec};

/// The label of a transition edge: action, roles, sign-off, conditions (texts the payload
/// must give, as `<field> given`, then guards), forms.
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
    let conditions: Vec<String> = t
        .requires_text
        .iter()
        .map(|field| format!("{field} given"))
        .chain(t.guards.iter().map(ToString::to_string))
        .collect();
    if !conditions.is_empty() {
        label.push_str(&format!(" if {}", conditions.join(" and ")));
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

/// Escalation moves declared by deadlines: (from state, to state, deadline name), as the
/// definition's graph holds them.
pub(crate) fn escalation_edges(def: &Definition) -> Vec<(String, String, String)> {
    def.edges()
        .filter_map(|e| match e.kind {
            EdgeKind::Escalation(d) => Some((e.from.to_string(), e.to.to_string(), d.name.clone())),
            _ => None,
        })
        .collect()
}

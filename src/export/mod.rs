//! Exporters: Mermaid, Graphviz DOT and SVG diagrams and the audit [`Trail`] as deterministic
//! `Display` adapters, and
//! JSON Schemas of the serde types.
//!
//! Diagrams list states in definition order and transitions in definition order, so the
//! same definition always prints the same text (golden-file tested). Both diagram exporters
//! draw from one model (`model.rs`): compact by default, verbose on request ([`Verbose`]).

mod dot;
mod mermaid;
mod model;
mod schema;
mod svg;
mod trail;

pub use dot::Dot;
pub use mermaid::Mermaid;
pub use schema::{command_schema, definition_schema, event_schema, instance_schema};
pub use svg::Svg;
pub use trail::Trail;

use crate::definition::{Definition, EdgeKind, TransitionSpec};
use std::fmt;

/// A diagram exporter in its verbose form: `Mermaid(&def).verbose()`, `Dot(&def).verbose()`.
/// Every transition is an edge of its own, labelled with its roles or sign-off, conditions
/// (`<field> given`, guards) and forms; the actions that stay in a state are listed in it with
/// theirs.
#[derive(Debug, Clone, Copy)]
pub struct Verbose<E>(pub E);

/// The lines a state shows for the actions that stay in it: verbose, every label; compact,
/// the names when there are at most three, otherwise their count.
pub(crate) fn in_state_summary(actions: &[String], verbose: bool) -> Vec<String> {
    match actions.len() {
        0 => Vec::new(),
        _ if verbose => actions.iter().map(|a| format!("⟲ {a}")).collect(),
        1..=3 => vec![format!("⟲ {}", actions.join(", "))],
        n => vec![format!("⟲ {n} in-state actions")],
    }
}

/// The actions that stay in their state, per state, as a Markdown table: what the compact
/// diagrams fold into the state boxes, with roles or sign-off, conditions and forms. A
/// procedure's doc page shows it under its diagram.
///
/// ```
/// # use aftersales::{Builder, Registry, InStateActions};
/// let def = Builder::new("tiny", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").terminal("done")
///     .transition("open", "note", "open", |t| t.roles(["clerk"]))
///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::new())?;
/// assert!(InStateActions(&def).to_string().contains("| `open` | `note [clerk]` |"));
/// # Ok::<(), aftersales::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct InStateActions<'a>(pub &'a Definition);

impl fmt::Display for InStateActions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let model = model::Model::of(self.0, true);
        let cell = |actions: &[String]| {
            actions
                .iter()
                .map(|a| format!("`{}`", a.replace('|', "\\|")))
                .collect::<Vec<_>>()
                .join("; ")
        };
        writeln!(f, "| state | actions that stay in the state |")?;
        writeln!(f, "|---|---|")?;
        for n in model.nodes.iter().filter(|n| !n.in_state.is_empty()) {
            writeln!(f, "| `{}` | {} |", n.name, cell(&n.in_state))?;
        }
        if !model.anywhere_in_place.is_empty() {
            writeln!(
                f,
                "| every open state | {} |",
                cell(&model.anywhere_in_place)
            )?;
        }
        Ok(())
    }
}

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

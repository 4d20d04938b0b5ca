//! Graphviz DOT.

use super::{edge_label, escalation_edges};
use crate::{Definition, StateKind};
use std::fmt;

/// Displays a definition as a Graphviz `digraph`.
///
/// Terminal states are double circles, the initial state is bold, escalation moves are
/// dashed red, sign-off refusal routes dotted.
#[derive(Debug, Clone, Copy)]
pub struct Dot<'a>(pub &'a Definition);

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl fmt::Display for Dot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.0.spec();
        writeln!(
            f,
            "digraph {} {{",
            quote(&format!("{} v{}", spec.id, spec.version))
        )?;
        writeln!(f, "    rankdir=LR;")?;
        writeln!(f, "    node [shape=box, style=rounded];")?;
        for s in &spec.states {
            let attrs = match s.kind {
                StateKind::Initial => ", style=\"rounded,bold\"",
                StateKind::Terminal => ", shape=doublecircle",
                StateKind::Normal if s.pauses_clocks => ", style=\"rounded,dashed\"",
                StateKind::Normal => "",
            };
            writeln!(
                f,
                "    {} [label={}{attrs}];",
                quote(&s.name),
                quote(&s.name)
            )?;
        }
        for t in &spec.transitions {
            writeln!(
                f,
                "    {} -> {} [label={}];",
                quote(&t.from),
                quote(&t.to),
                quote(&edge_label(t))
            )?;
            if let Some(target) = t.sign_off.as_ref().and_then(|s| s.on_refuse.as_ref()) {
                writeln!(
                    f,
                    "    {} -> {} [label={}, style=dotted];",
                    quote(&t.from),
                    quote(target),
                    quote(&format!("{} refused", t.action))
                )?;
            }
        }
        if !spec.anywhere.is_empty() {
            writeln!(
                f,
                "    \"*anywhere*\" [label=\"in every open state\", shape=note];"
            )?;
        }
        for a in &spec.anywhere {
            let to =
                a.to.as_deref()
                    .map_or_else(|| "\"*anywhere*\"".to_owned(), quote);
            writeln!(
                f,
                "    \"*anywhere*\" -> {to} [label={}, style=dashed];",
                quote(&a.action)
            )?;
        }
        for (from, to, name) in escalation_edges(self.0) {
            writeln!(
                f,
                "    {} -> {} [label={}, style=dashed, color=red];",
                quote(&from),
                quote(&to),
                quote(&format!("deadline {name} missed"))
            )?;
        }
        writeln!(f, "}}")
    }
}

//! Graphviz DOT.

use super::model::{ANYWHERE, Model, Style};
use super::{Verbose, in_state_summary};
use crate::{Definition, StateKind};
use std::fmt;

/// Displays a definition as a Graphviz `digraph`, compact: top to bottom, one edge per pair of
/// states labelled with the action names, the actions that stay in a state listed in its box
/// (named when there are at most three, counted otherwise), a start marker and a legend.
/// [`verbose`](Dot::verbose) adds roles, sign-offs, guards and forms.
///
/// Terminal states are double octagons, the initial state is bold, waiting states (clocks
/// paused) dashed; escalation moves are dashed red, sign-off refusal routes dotted blue,
/// actions available in every open state dashed grey. Refusals, those actions and edges back
/// to a state listed earlier do not shape the layout (`constraint=false`), so the main path
/// reads from top to bottom.
///
/// ```
/// # use aftersales::{Builder, Registry, Dot};
/// let def = Builder::new("tiny", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").normal("check").terminal("done")
///     .transition("open", "submit", "check", |t| t.roles(["clerk"]))
///     .transition("check", "reject", "open", |t| t.roles(["clerk"]))
///     .transition("check", "finish", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::new())?;
/// let text = Dot(&def).to_string();
/// assert!(text.contains("rankdir=TB;"));
/// assert!(text.contains("\"check\" -> \"open\" [label=\"reject\", constraint=false];"));
/// # Ok::<(), aftersales::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Dot<'a>(pub &'a Definition);

impl<'a> Dot<'a> {
    /// The verbose diagram: an edge per transition, labelled with its roles or sign-off,
    /// conditions and forms; the actions that stay in a state listed in it with theirs.
    pub fn verbose(self) -> Verbose<Dot<'a>> {
        Verbose(self)
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A quoted label of several lines, left-justified after the first (`\l` in DOT).
fn lines_label(first: &str, rest: &[String]) -> String {
    let escape = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut label = escape(first);
    if !rest.is_empty() {
        label.push_str("\\n");
        for line in rest {
            label.push_str(&escape(line));
            label.push_str("\\l");
        }
    }
    format!("\"{label}\"")
}

fn node_id(name: &str) -> String {
    if name == ANYWHERE {
        "\"*anywhere*\"".into()
    } else {
        quote(name)
    }
}

fn write(f: &mut fmt::Formatter<'_>, model: &Model, verbose: bool) -> fmt::Result {
    writeln!(f, "digraph {} {{", quote(&model.title))?;
    writeln!(f, "    rankdir=TB;")?;
    writeln!(f, "    node [shape=box, style=rounded];")?;
    writeln!(f, "    \"*start*\" [shape=point, width=0.15, label=\"\"];")?;
    for s in &model.nodes {
        let attrs = match s.kind {
            StateKind::Initial => ", style=\"rounded,bold\"",
            StateKind::Terminal => ", shape=doubleoctagon",
            StateKind::Normal if s.pauses_clocks => ", style=\"rounded,dashed\"",
            StateKind::Normal => "",
        };
        let mut lines = in_state_summary(&s.in_state, verbose);
        if s.pauses_clocks {
            lines.push("clocks paused".into());
        }
        let label = lines_label(&s.name, &lines);
        writeln!(f, "    {} [label={label}{attrs}];", quote(&s.name))?;
    }
    if model.has_anywhere {
        let label = lines_label("in every open state", &model.anywhere_in_place);
        writeln!(f, "    \"*anywhere*\" [label={label}, shape=note];")?;
    }
    if let Some(initial) = model.initial() {
        writeln!(f, "    \"*start*\" -> {};", quote(initial))?;
    }
    for e in &model.edges {
        let style = match e.style {
            Style::Action => "",
            Style::Refusal => ", style=dotted, color=blue, fontcolor=blue",
            Style::Escalation => ", style=dashed, color=red, fontcolor=red",
            Style::Anywhere => ", style=dashed, color=gray40",
        };
        let loose = e.back || matches!(e.style, Style::Refusal | Style::Anywhere);
        writeln!(
            f,
            "    {} -> {} [label={}{style}{}];",
            node_id(&e.from),
            node_id(&e.to),
            quote(&e.labels.join(", ")),
            if loose { ", constraint=false" } else { "" }
        )?;
    }
    writeln!(
        f,
        "    \"*legend*\" [shape=note, fontsize=10, label=\"Legend\\nsolid: actions (names joined)\\l\
         dashed red: a missed deadline escalates\\ldotted blue: a refused sign-off returns\\l\
         dashed grey: in every open state\\llines in a box: actions that stay there\\l\"];"
    )?;
    writeln!(f, "}}")
}

impl fmt::Display for Dot<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, &Model::of(self.0, false), false)
    }
}

impl fmt::Display for Verbose<Dot<'_>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, &Model::of(self.0.0, true), true)
    }
}

//! Mermaid `stateDiagram-v2`.

use super::model::{ANYWHERE, Model, Style};
use super::{Verbose, in_state_summary};
use crate::{Definition, StateKind};
use std::fmt;

/// Displays a definition as a Mermaid `stateDiagram-v2`, compact: top to bottom, one edge per
/// pair of states labelled with the action names, the actions that stay in a state folded into
/// it (named when there are at most three, counted otherwise; [`InStateActions`] lists them),
/// escalations marked `⏰` and refused sign-offs `✗`, the start marker and a legend.
/// [`verbose`](Mermaid::verbose) adds roles, sign-offs, guards and forms.
///
/// No state carries a self-transition: Mermaid draws only the last one of each state
/// (mermaid-js/mermaid#6132), so they are folded into the state in both forms.
///
/// [`InStateActions`]: crate::InStateActions
///
/// ```
/// # use aftersales::{Builder, Registry, Mermaid};
/// let def = Builder::new("tiny", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").terminal("done")
///     .transition("open", "note", "open", |t| t.roles(["clerk"]))
///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
///     .transition("open", "cancel", "done", |t| t.roles(["clerk"]).reason_required())
///     .build(&Registry::new())?;
/// let text = Mermaid(&def).to_string();
/// assert!(text.contains("open --> done: finish, cancel\n"));
/// assert!(text.contains("open : ⟲ note\n")); // folded into the state
/// let verbose = Mermaid(&def).verbose().to_string();
/// assert!(verbose.contains("open --> done: cancel [clerk] if reason given\n"));
/// # Ok::<(), aftersales::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Mermaid<'a>(pub &'a Definition);

impl<'a> Mermaid<'a> {
    /// The verbose diagram: an edge per transition, labelled with its roles or sign-off,
    /// conditions and forms; the actions that stay in a state listed in it with theirs.
    pub fn verbose(self) -> Verbose<Mermaid<'a>> {
        Verbose(self)
    }
}

/// Mermaid labels break on `:` `;` and `#`; replace them.
fn clean(s: &str) -> String {
    s.replace([':', ';', '#'], " ")
}

/// Whether `name` can stand as a Mermaid state id as it is.
fn plain(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The Mermaid id of state `name`: the name itself when it is a plain identifier, otherwise
/// an alias `state_<position>` (declared with the name as its label).
fn state_id(model: &Model, name: &str) -> String {
    if name == ANYWHERE {
        return "anywhere".into();
    }
    if plain(name) {
        return name.into();
    }
    let ix = model
        .nodes
        .iter()
        .position(|s| s.name == name)
        .unwrap_or(usize::MAX);
    format!("state_{ix}")
}

fn marker(style: Style) -> &'static str {
    match style {
        Style::Escalation => "⏰ ",
        Style::Refusal => "✗ ",
        Style::Action | Style::Anywhere => "",
    }
}

fn write(f: &mut fmt::Formatter<'_>, model: &Model, verbose: bool) -> fmt::Result {
    let id = |name: &str| state_id(model, name);
    writeln!(f, "---")?;
    writeln!(f, "title: {}", model.title)?;
    writeln!(f, "---")?;
    writeln!(f, "stateDiagram-v2")?;
    writeln!(f, "    direction TB")?;
    for s in model.nodes.iter().filter(|s| !plain(&s.name)) {
        let label = s.name.replace('"', "'");
        writeln!(f, "    state \"{label}\" as {}", id(&s.name))?;
    }
    if model.has_anywhere {
        writeln!(f, "    state \"in every open state\" as anywhere")?;
    }
    if let Some(initial) = model.initial() {
        writeln!(f, "    [*] --> {}", id(initial))?;
    }
    for e in &model.edges {
        let label = format!("{}{}", marker(e.style), e.labels.join(", "));
        writeln!(
            f,
            "    {} --> {}: {}",
            id(&e.from),
            id(&e.to),
            clean(&label)
        )?;
    }
    for s in &model.nodes {
        for line in in_state_summary(&s.in_state, verbose) {
            writeln!(f, "    {} : {}", id(&s.name), clean(&line))?;
        }
        if s.pauses_clocks {
            writeln!(f, "    {} : clocks paused", id(&s.name))?;
        }
    }
    if !model.anywhere_in_place.is_empty() {
        let actions = model.anywhere_in_place.join(", ");
        writeln!(f, "    anywhere : {}", clean(&actions))?;
    }
    for s in model.nodes.iter().filter(|s| s.kind == StateKind::Terminal) {
        writeln!(f, "    {} --> [*]", id(&s.name))?;
    }
    if let Some(initial) = model.initial() {
        writeln!(f, "    note left of {}", id(initial))?;
        writeln!(f, "        Legend")?;
        writeln!(f, "        arrow label - the actions taking that route")?;
        writeln!(f, "        ⏰ - a missed deadline escalates")?;
        writeln!(f, "        ✗ - where a refused sign-off returns")?;
        writeln!(f, "        ⟲ - actions that stay in the state")?;
        writeln!(f, "    end note")?;
    }
    Ok(())
}

impl fmt::Display for Mermaid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, &Model::of(self.0, false), false)
    }
}

impl fmt::Display for Verbose<Mermaid<'_>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, &Model::of(self.0.0, true), true)
    }
}

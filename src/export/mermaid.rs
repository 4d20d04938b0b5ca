//! Mermaid `stateDiagram-v2`.

use super::{edge_label, escalation_edges};
use crate::{Definition, StateKind};
use std::fmt;

/// Displays a definition as a Mermaid `stateDiagram-v2`.
///
/// ```
/// # use aftersales::{Builder, Registry, Mermaid};
/// let def = Builder::new("tiny", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").terminal("done")
///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::with_calendar(aftersales::BusinessCalendar::china_standard()))?;
/// let text = Mermaid(&def).to_string();
/// assert!(text.contains("open --> done: finish [clerk]"));
/// # Ok::<(), aftersales::BuildError>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Mermaid<'a>(pub &'a Definition);

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
fn state_id<'s>(spec: &'s crate::DefinitionSpec, name: &'s str) -> std::borrow::Cow<'s, str> {
    if plain(name) {
        return name.into();
    }
    let ix = spec
        .states
        .iter()
        .position(|s| s.name == name)
        .unwrap_or(usize::MAX);
    format!("state_{ix}").into()
}

impl fmt::Display for Mermaid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.0.spec();
        let id = |name: &'_ str| state_id(spec, name).into_owned();
        writeln!(f, "---")?;
        writeln!(f, "title: {} v{}", spec.id, spec.version)?;
        writeln!(f, "---")?;
        writeln!(f, "stateDiagram-v2")?;
        for s in spec.states.iter().filter(|s| !plain(&s.name)) {
            let label = s.name.replace('"', "'");
            writeln!(f, "    state \"{label}\" as {}", id(&s.name))?;
        }
        for s in &spec.states {
            if s.kind == StateKind::Initial {
                writeln!(f, "    [*] --> {}", id(&s.name))?;
            }
        }
        for t in &spec.transitions {
            let (from, to) = (id(&t.from), id(&t.to));
            writeln!(f, "    {from} --> {to}: {}", clean(&edge_label(t)))?;
            if let Some(target) = t.sign_off.as_ref().and_then(|s| s.on_refuse.as_ref()) {
                let target = id(target);
                writeln!(f, "    {from} --> {target}: {} refused", clean(&t.action))?;
            }
        }
        if !spec.anywhere.is_empty() {
            writeln!(f, "    state \"in every open state\" as anywhere")?;
        }
        for a in &spec.anywhere {
            match &a.to {
                Some(to) => writeln!(f, "    anywhere --> {}: {}", id(to), clean(&a.action))?,
                None => writeln!(f, "    note right of anywhere: {}", clean(&a.action))?,
            }
        }
        for (from, to, name) in escalation_edges(self.0) {
            let (from, to) = (id(&from), id(&to));
            writeln!(f, "    {from} --> {to}: deadline {} missed", clean(&name))?;
        }
        for s in &spec.states {
            if s.kind == StateKind::Terminal {
                writeln!(f, "    {} --> [*]", id(&s.name))?;
            }
            if s.pauses_clocks {
                writeln!(f, "    note right of {}: clocks paused", id(&s.name))?;
            }
        }
        Ok(())
    }
}

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
///     .build(&Registry::new())?;
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

impl fmt::Display for Mermaid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.0.spec();
        writeln!(f, "---")?;
        writeln!(f, "title: {} v{}", spec.id, spec.version)?;
        writeln!(f, "---")?;
        writeln!(f, "stateDiagram-v2")?;
        for s in &spec.states {
            if s.kind == StateKind::Initial {
                writeln!(f, "    [*] --> {}", s.name)?;
            }
        }
        for t in &spec.transitions {
            writeln!(f, "    {} --> {}: {}", t.from, t.to, clean(&edge_label(t)))?;
            if let Some(target) = t.sign_off.as_ref().and_then(|s| s.on_refuse.as_ref()) {
                writeln!(
                    f,
                    "    {} --> {}: {} refused",
                    t.from,
                    target,
                    clean(&t.action)
                )?;
            }
        }
        if !spec.anywhere.is_empty() {
            writeln!(f, "    state \"in every open state\" as anywhere")?;
        }
        for a in &spec.anywhere {
            match &a.to {
                Some(to) => writeln!(f, "    anywhere --> {to}: {}", clean(&a.action))?,
                None => writeln!(f, "    note right of anywhere: {}", clean(&a.action))?,
            }
        }
        for (from, to, name) in escalation_edges(self.0) {
            writeln!(f, "    {from} --> {to}: deadline {} missed", clean(&name))?;
        }
        for s in &spec.states {
            if s.kind == StateKind::Terminal {
                writeln!(f, "    {} --> [*]", s.name)?;
            }
            if s.pauses_clocks {
                writeln!(f, "    note right of {}: clocks paused", s.name)?;
            }
        }
        Ok(())
    }
}

//! What a diagram shows, computed once for both exporters: the states with the actions that
//! stay in them folded in, and the edges between different states, merged per pair in the
//! compact form.
//!
//! Mermaid draws only the last self-transition of a state (mermaid-js/mermaid#6132), and a
//! diagram with one edge per transition is unreadable at page width; so an action that
//! leaves the instance in its state is never an edge here but a line of its state.

use super::{edge_label, escalation_edges};
use crate::{Definition, StateKind};

/// The pseudo-state standing for "every open state" (actions declared with `anywhere`).
pub(crate) const ANYWHERE: &str = "*anywhere*";

/// How an edge is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// An action.
    Action,
    /// The route a refused sign-off takes.
    Refusal,
    /// An escalation move of a missed deadline.
    Escalation,
    /// An action available in every open state.
    Anywhere,
}

/// One edge between two different states.
#[derive(Clone, Debug)]
pub(crate) struct Edge {
    pub(crate) from: String,
    pub(crate) to: String,
    /// Labels, one per action (compact: action names, each once).
    pub(crate) labels: Vec<String>,
    pub(crate) style: Style,
    /// Goes back to a state listed earlier (a loop): kept from shaping the layout.
    pub(crate) back: bool,
}

/// A state and the actions that stay in it.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) kind: StateKind,
    pub(crate) pauses_clocks: bool,
    pub(crate) in_state: Vec<String>,
}

/// The diagram of a definition.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub(crate) title: String,
    pub(crate) nodes: Vec<Node>,
    pub(crate) edges: Vec<Edge>,
    /// Whether the definition declares actions available in every open state.
    pub(crate) has_anywhere: bool,
    /// Actions available in every open state that stay in the state.
    pub(crate) anywhere_in_place: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, label: String) {
    if !list.contains(&label) {
        list.push(label);
    }
}

/// Collects the nodes and edges while the definition is walked.
struct Collect<'d> {
    def: &'d crate::DefinitionSpec,
    verbose: bool,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Collect<'_> {
    fn position(&self, name: &str) -> Option<usize> {
        self.def.states.iter().position(|s| s.name == name)
    }

    /// An action from `from` to `to`: a line of the state when it stays there, otherwise an
    /// edge (merged with one of the same ends and style unless verbose).
    fn add(&mut self, from: &str, to: &str, label: String, style: Style) {
        if from == to {
            if let Some(n) = self.nodes.iter_mut().find(|n| n.name == from) {
                push_unique(&mut n.in_state, label);
            }
            return;
        }
        let back = match (self.position(from), self.position(to)) {
            (Some(f), Some(t)) => t < f,
            _ => false,
        };
        let verbose = self.verbose;
        let same = |e: &&mut Edge| e.from == from && e.to == to && e.style == style;
        match self.edges.iter_mut().find(same) {
            Some(e) if !verbose => push_unique(&mut e.labels, label),
            _ => self.edges.push(Edge {
                from: from.to_owned(),
                to: to.to_owned(),
                labels: vec![label],
                style,
                back,
            }),
        }
    }
}

impl Model {
    /// The diagram of `def`: `verbose` labels carry roles, sign-offs, conditions and forms,
    /// and every transition is an edge of its own; otherwise labels are action names and
    /// edges with the same ends and style are merged.
    pub(crate) fn of(def: &Definition, verbose: bool) -> Model {
        let spec = def.spec();
        let nodes = spec
            .states
            .iter()
            .map(|s| Node {
                name: s.name.clone(),
                kind: s.kind,
                pauses_clocks: s.pauses_clocks,
                in_state: Vec::new(),
            })
            .collect();
        let mut c = Collect {
            def: spec,
            verbose,
            nodes,
            edges: Vec::new(),
        };
        for t in &spec.transitions {
            let label = if verbose {
                edge_label(t)
            } else {
                t.action.clone()
            };
            c.add(&t.from, &t.to, label, Style::Action);
            if let Some(target) = t.sign_off.as_ref().and_then(|s| s.on_refuse.as_ref()) {
                // The marker says "refused" in the compact form.
                let label = if verbose {
                    format!("{} refused", t.action)
                } else {
                    t.action.clone()
                };
                c.add(&t.from, target, label, Style::Refusal);
            }
        }
        let mut anywhere_in_place = Vec::new();
        for a in &spec.anywhere {
            match &a.to {
                Some(to) => c.add(ANYWHERE, to, a.action.clone(), Style::Anywhere),
                None => push_unique(&mut anywhere_in_place, a.action.clone()),
            }
        }
        for (from, to, name) in escalation_edges(def) {
            let label = if verbose {
                format!("deadline {name} missed")
            } else {
                format!("{name} missed")
            };
            c.add(&from, &to, label, Style::Escalation);
        }
        Model {
            title: format!("{} v{}", spec.id, spec.version),
            nodes: c.nodes,
            edges: c.edges,
            has_anywhere: !spec.anywhere.is_empty(),
            anywhere_in_place,
        }
    }

    /// The initial state's name, if any.
    pub(crate) fn initial(&self) -> Option<&str> {
        self.nodes
            .iter()
            .find(|n| n.kind == StateKind::Initial)
            .map(|n| n.name.as_str())
    }
}

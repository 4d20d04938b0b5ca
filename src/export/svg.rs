//! SVG: the procedure diagram drawn by the library, with a layered top-to-bottom layout of its
//! own (no layout engine); the layout is described on [`Svg`].

use super::escalation_edges;
use crate::{Definition, Event, EventKind, StateKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

/// Displays a definition as a standalone SVG diagram (layered, top to bottom), optionally
/// highlighting an instance's current state and the path its trail took.
///
/// # Layout
///
/// 1. **Boxes.** One box per state, in definition order. In-state actions (transitions whose
///    source is their target) are folded into the box as lines `↻ action` under the name.
/// 2. **Edges.** One edge per `(from, to)` pair, labelled with every action it stands for,
///    one line each: transitions as they are, sign-off refusal routes as `action refused`,
///    deadline escalation moves as `deadline <name> missed`. An edge made only of refusals is
///    drawn dotted, one made only of escalations dashed red; any plain transition draws it
///    solid.
/// 3. **Layers.** A depth-first search from the initial state (then from any state not
///    reached yet, in definition order) following edges in definition order marks the edges
///    that close a cycle as *back edges*. On the remaining acyclic graph each state's layer is
///    the longest path to it (initial state on top).
/// 4. **Order within layers.** Definition order first, then four sweeps (down, up, down, up)
///    of the barycenter heuristic: a state moves to the mean position of its neighbours in the
///    adjacent layer; ties keep the previous order. Everything is deterministic.
/// 5. **Coordinates.** Text widths are estimated from character counts (a monospace font is
///    requested). Layers are centred horizontally; the gap below a layer grows with the
///    tallest label leaving it.
/// 6. **Routing.** Forward edges are cubic curves from the bottom of the source to the top of
///    the target; their labels are stacked in the gap under the source (sized for them), each
///    beside its curve on the side it leans to. Back edges and edges within one layer leave
///    the source's right side and enter the target's right side, bulging right, labelled at
///    the bulge. Labels have a white halo.
///
/// Highlighting: [`Svg::current`] fills the current state; [`Svg::path`] draws the states and
/// the `(from, to)` moves an instance's trail visited in blue.
///
/// ```
/// # use aftersales::{Builder, Registry, Svg};
/// let def = Builder::new("tiny", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").terminal("done")
///     .transition("open", "note", "open", |t| t.roles(["clerk"]))
///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::with_calendar(aftersales::BusinessCalendar::china_standard()))?;
/// let svg = Svg::new(&def).current("open").to_string();
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("↻ note")); // the in-state action, folded into the box
/// assert!(svg.contains(">finish</tspan>"));
/// # Ok::<(), aftersales::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Svg<'a> {
    def: &'a Definition,
    current: Option<String>,
    visited: BTreeSet<String>,
    moves: BTreeSet<(String, String)>,
}

impl<'a> Svg<'a> {
    /// The plain diagram of `def`.
    pub fn new(def: &'a Definition) -> Self {
        Svg {
            def,
            current: None,
            visited: BTreeSet::new(),
            moves: BTreeSet::new(),
        }
    }

    /// Highlight `state` as the current one.
    #[must_use]
    pub fn current(mut self, state: impl AsRef<str>) -> Self {
        self.current = Some(state.as_ref().to_owned());
        self
    }

    /// Highlight the path an instance took: the states and the `(from, to)` moves of its
    /// trail (`Created`, `Transitioned` and escalation moves; other events are ignored).
    #[must_use]
    pub fn path(mut self, trail: &[Event]) -> Self {
        for e in trail {
            match &e.kind {
                EventKind::Created { state, .. } => {
                    self.visited.insert(state.to_string());
                }
                EventKind::Transitioned { from, to, .. } => self.visit(from, to),
                EventKind::Escalated {
                    moved: Some((from, to)),
                    ..
                } => self.visit(from, to),
                _ => {}
            }
        }
        self
    }

    fn visit(&mut self, from: &str, to: &str) {
        self.visited.insert(from.to_owned());
        self.visited.insert(to.to_owned());
        self.moves.insert((from.to_owned(), to.to_owned()));
    }
}

/// What kind of action a label line stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Line {
    Transition,
    Refusal,
    Escalation,
}

/// One drawn edge: every action between a pair of states.
struct Edge {
    from: usize,
    to: usize,
    lines: Vec<(Line, String)>,
}

impl Edge {
    fn style(&self) -> Line {
        self.lines
            .iter()
            .map(|l| l.0)
            .min()
            .unwrap_or(Line::Transition)
    }
}

/// Where an edge stands among the edges leaving its source.
#[derive(Clone, Copy, Default)]
struct Slot {
    /// Its position among them.
    index: usize,
    /// Label lines of the forward edges before it.
    lines_before: usize,
}

/// The x of a cubic Bézier curve (monotone in y) where it crosses `y`, by bisection.
fn bezier_x_at_y(xs: [f64; 4], ys: [f64; 4], y: f64) -> f64 {
    let at = |p: [f64; 4], t: f64| {
        let u = 1.0 - t;
        p[0] * u * u * u + 3.0 * p[1] * u * u * t + 3.0 * p[2] * u * t * t + p[3] * t * t * t
    };
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..30 {
        let mid = (lo + hi) / 2.0;
        if at(ys, mid) < y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    at(xs, (lo + hi) / 2.0)
}

/// A laid-out state box.
struct Node {
    name: String,
    kind: StateKind,
    pauses: bool,
    loops: Vec<String>,
    layer: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

const CHAR_W: f64 = 7.0;
const LINE_H: f64 = 15.0;
const PAD: f64 = 10.0;
const H_GAP: f64 = 40.0;
const V_GAP: f64 = 50.0;
const MARGIN: f64 = 20.0;

fn text_w(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_W
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Nodes (with their in-state actions) and the grouped edges, in definition order.
fn graph(def: &Definition) -> (Vec<Node>, Vec<Edge>) {
    let spec = def.spec();
    let ix: BTreeMap<&str, usize> = spec
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut nodes: Vec<Node> = spec
        .states
        .iter()
        .map(|s| Node {
            name: s.name.clone(),
            kind: s.kind,
            pauses: s.pauses_clocks,
            loops: Vec::new(),
            layer: 0,
            x: 0.0,
            y: 0.0,
            w: 0.0,
            h: 0.0,
        })
        .collect();
    let mut edges: Vec<Edge> = Vec::new();
    let mut add = |from: &str, to: &str, line: (Line, String), nodes: &mut Vec<Node>| {
        let (Some(&a), Some(&b)) = (ix.get(from), ix.get(to)) else {
            return;
        };
        if a == b {
            let text = match line.0 {
                Line::Transition => line.1,
                _ => format!("{} (stays)", line.1),
            };
            if !nodes[a].loops.contains(&text) {
                nodes[a].loops.push(text);
            }
            return;
        }
        match edges.iter_mut().find(|e| e.from == a && e.to == b) {
            Some(e) if e.lines.contains(&line) => {}
            Some(e) => e.lines.push(line),
            None => edges.push(Edge {
                from: a,
                to: b,
                lines: vec![line],
            }),
        }
    };
    for t in &spec.transitions {
        add(
            &t.from,
            &t.to,
            (Line::Transition, t.action.clone()),
            &mut nodes,
        );
        if let Some(target) = t.sign_off.as_ref().and_then(|s| s.on_refuse.as_ref()) {
            let line = (Line::Refusal, format!("{} refused", t.action));
            add(&t.from, target, line, &mut nodes);
        }
    }
    for (from, to, name) in escalation_edges(def) {
        add(
            &from,
            &to,
            (Line::Escalation, format!("deadline {name} missed")),
            &mut nodes,
        );
    }
    (nodes, edges)
}

/// Marks back edges (closing a cycle in a DFS from the initial state, then from every state
/// not reached yet) and returns, per edge, whether it points forward.
fn forward_edges(n: usize, start: usize, edges: &[Edge]) -> Vec<bool> {
    let mut forward = vec![true; edges.len()];
    // 0 = new, 1 = on the stack, 2 = done.
    let mut mark = vec![0u8; n];
    let roots = std::iter::once(start).chain(0..n);
    for root in roots {
        if mark[root] != 0 {
            continue;
        }
        // Iterative DFS: (node, index of the next edge to look at).
        let mut stack = vec![(root, 0usize)];
        mark[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            let out = edges.iter().enumerate().filter(|(_, e)| e.from == v);
            match out.clone().nth(*next) {
                Some((i, e)) => {
                    *next += 1;
                    match mark[e.to] {
                        0 => {
                            mark[e.to] = 1;
                            stack.push((e.to, 0));
                        }
                        1 => forward[i] = false,
                        _ => {}
                    }
                }
                None => {
                    mark[v] = 2;
                    stack.pop();
                }
            }
        }
    }
    forward
}

/// Longest-path layers over the forward edges.
fn layers(nodes: &mut [Node], edges: &[Edge], forward: &[bool]) {
    // Relax n times at most: the forward graph is acyclic.
    for _ in 0..nodes.len() {
        let mut changed = false;
        for (e, _) in edges.iter().zip(forward).filter(|(_, f)| **f) {
            let want = nodes[e.from].layer + 1;
            if nodes[e.to].layer < want {
                nodes[e.to].layer = want;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// The states of each layer, ordered by the barycenter sweeps.
fn order(nodes: &[Node], edges: &[Edge]) -> Vec<Vec<usize>> {
    let depth = nodes.iter().map(|n| n.layer).max().unwrap_or(0) + 1;
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (i, n) in nodes.iter().enumerate() {
        rows[n.layer].push(i);
    }
    let mut pos = vec![0.0f64; nodes.len()];
    let place = |rows: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for row in rows {
            for (p, &v) in row.iter().enumerate() {
                pos[v] = p as f64;
            }
        }
    };
    place(&rows, &mut pos);
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for r in range {
            let adjacent = if down { r - 1 } else { r + 1 };
            let mut keyed: Vec<(f64, usize)> = rows[r]
                .iter()
                .map(|&v| {
                    let near: Vec<f64> = edges
                        .iter()
                        .filter_map(|e| match () {
                            _ if e.to == v && nodes[e.from].layer == adjacent => Some(pos[e.from]),
                            _ if e.from == v && nodes[e.to].layer == adjacent => Some(pos[e.to]),
                            _ => None,
                        })
                        .collect();
                    let key = if near.is_empty() {
                        pos[v]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(pos[a.1].total_cmp(&pos[b.1])));
            rows[r] = keyed.into_iter().map(|(_, v)| v).collect();
            place(&rows, &mut pos);
        }
    }
    rows
}

/// Sizes and coordinates; returns the drawing's width and height.
fn coordinates(nodes: &mut [Node], edges: &[Edge], rows: &[Vec<usize>]) -> (f64, f64) {
    for n in nodes.iter_mut() {
        let widest = n
            .loops
            .iter()
            .map(|l| text_w(l) + 2.0 * CHAR_W)
            .fold(text_w(&n.name), f64::max);
        n.w = widest + 2.0 * PAD;
        n.h = LINE_H * (1 + n.loops.len()) as f64 + 2.0 * PAD;
    }
    let widths: Vec<f64> = rows
        .iter()
        .map(|row| {
            row.iter().map(|&v| nodes[v].w).sum::<f64>()
                + H_GAP * row.len().saturating_sub(1) as f64
        })
        .collect();
    let width = widths.iter().copied().fold(0.0, f64::max) + 2.0 * MARGIN;
    // Room on the right for back edges' bulges and their labels.
    let back_room = edges
        .iter()
        .filter(|e| nodes[e.to].layer <= nodes[e.from].layer)
        .flat_map(|e| e.lines.iter().map(|l| text_w(&l.1)))
        .fold(0.0, f64::max);
    let mut y = MARGIN;
    for (r, row) in rows.iter().enumerate() {
        let mut x = (width - widths[r]) / 2.0;
        let tallest = row.iter().map(|&v| nodes[v].h).fold(0.0, f64::max);
        for &v in row {
            nodes[v].x = x;
            nodes[v].y = y + (tallest - nodes[v].h) / 2.0;
            x += nodes[v].w + H_GAP;
        }
        // The labels of the forward edges leaving one state are stacked under it.
        let label_lines = row
            .iter()
            .map(|&v| {
                edges
                    .iter()
                    .filter(|e| e.from == v && nodes[e.to].layer > r)
                    .map(|e| e.lines.len())
                    .sum::<usize>()
            })
            .max()
            .unwrap_or(0);
        y += tallest + V_GAP + LINE_H * label_lines as f64;
    }
    (width + back_room + 60.0, y - V_GAP + MARGIN)
}

const STYLE: &str = "text{font-family:monospace;font-size:12px;fill:#222}\
.as-state rect{fill:#fff;stroke:#555;stroke-width:1.5}\
.as-state.initial rect.box{stroke-width:3}\
.as-state.terminal rect.box{fill:#eee}\
.as-state.pauses rect.box{stroke-dasharray:5 3}\
.as-state.visited rect.box{stroke:#1f6feb;fill:#eef4ff}\
.as-state.current rect.box{fill:#ffd33d;stroke:#9a6700;stroke-width:3}\
.as-state .loop{fill:#555}\
.as-edge path{fill:none;stroke:#555;stroke-width:1.3}\
.as-edge.refusal path{stroke:#bc4c00;stroke-dasharray:2 3}\
.as-edge.escalation path{stroke:#cf222e;stroke-dasharray:7 4}\
.as-edge.taken path{stroke:#1f6feb;stroke-width:3}\
.as-edge text{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}\
tspan.refusal{fill:#bc4c00}tspan.escalation{fill:#cf222e}";

impl Svg<'_> {
    fn write_node(&self, out: &mut String, n: &Node) -> fmt::Result {
        let mut class = String::from("as-state");
        for (on, c) in [
            (n.kind == StateKind::Initial, " initial"),
            (n.kind == StateKind::Terminal, " terminal"),
            (n.pauses, " pauses"),
            (self.visited.contains(&n.name), " visited"),
            (self.current.as_deref() == Some(n.name.as_str()), " current"),
        ] {
            if on {
                class.push_str(c);
            }
        }
        writeln!(out, "<g class=\"{class}\" data-state=\"{}\">", esc(&n.name))?;
        writeln!(
            out,
            "<rect class=\"box\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"8\"/>",
            n.x, n.y, n.w, n.h
        )?;
        if n.kind == StateKind::Terminal {
            writeln!(
                out,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" style=\"fill:none\"/>",
                n.x + 3.0,
                n.y + 3.0,
                n.w - 6.0,
                n.h - 6.0
            )?;
        }
        let cx = n.x + n.w / 2.0;
        writeln!(
            out,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            n.y + PAD + LINE_H - 3.0,
            esc(&n.name)
        )?;
        for (i, l) in n.loops.iter().enumerate() {
            writeln!(
                out,
                "<text class=\"loop\" x=\"{:.1}\" y=\"{:.1}\">↻ {}</text>",
                n.x + PAD,
                n.y + PAD + LINE_H * (i + 2) as f64 - 3.0,
                esc(l)
            )?;
        }
        writeln!(out, "</g>")
    }

    fn write_edge(&self, out: &mut String, nodes: &[Node], e: &Edge, slot: Slot) -> fmt::Result {
        let (a, b) = (&nodes[e.from], &nodes[e.to]);
        let style = match e.style() {
            Line::Transition => "",
            Line::Refusal => " refusal",
            Line::Escalation => " escalation",
        };
        let taken = self.moves.contains(&(a.name.clone(), b.name.clone()));
        let class = format!("as-edge{style}{}", if taken { " taken" } else { "" });
        let (path, lx, ly, anchor) = if b.layer > a.layer {
            // Spread the ports a little so parallel edges stay apart.
            let shift = ((slot.index % 5) as f64 - 2.0) * 6.0;
            let (x1, y1) = (a.x + a.w / 2.0 + shift, a.y + a.h);
            let (x2, y2) = (b.x + b.w / 2.0 + shift, b.y);
            let dy = (y2 - y1) / 2.0;
            let (c1, c2) = (y1 + dy, y2 - dy);
            let path = format!("M{x1:.1},{y1:.1} C{x1:.1},{c1:.1} {x2:.1},{c2:.1} {x2:.1},{y2:.1}");
            // Labels of the edges leaving one state are stacked in the gap under it (sized
            // for them), each beside its own curve, on the side the curve leans to.
            let ly = y1 + 14.0 + LINE_H * slot.lines_before as f64;
            let x = bezier_x_at_y([x1, x1, x2, x2], [y1, c1, c2, y2], ly);
            if x2 >= x1 {
                (path, x + 6.0, ly, "start")
            } else {
                (path, x - 6.0, ly, "end")
            }
        } else {
            let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0 + 4.0);
            let (x2, y2) = (b.x + b.w, b.y + b.h / 2.0 - 4.0);
            let bulge = x1.max(x2) + 40.0 + 12.0 * (slot.index % 4) as f64;
            let path =
                format!("M{x1:.1},{y1:.1} C{bulge:.1},{y1:.1} {bulge:.1},{y2:.1} {x2:.1},{y2:.1}");
            (path, bulge - 8.0, (y1 + y2) / 2.0, "start")
        };
        writeln!(
            out,
            "<g class=\"{class}\" data-from=\"{}\" data-to=\"{}\">",
            esc(&a.name),
            esc(&b.name)
        )?;
        writeln!(out, "<path d=\"{path}\" marker-end=\"url(#as-arrow)\"/>")?;
        write!(
            out,
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"{anchor}\">"
        )?;
        for (i, (kind, text)) in e.lines.iter().enumerate() {
            let c = match kind {
                Line::Transition => "transition",
                Line::Refusal => "refusal",
                Line::Escalation => "escalation",
            };
            let dy = if i == 0 { 0.0 } else { LINE_H };
            write!(
                out,
                "<tspan class=\"{c}\" x=\"{lx:.1}\" dy=\"{dy:.1}\">{}</tspan>",
                esc(text)
            )?;
        }
        writeln!(out, "</text>")?;
        writeln!(out, "</g>")
    }

    fn write_anywhere(&self, out: &mut String, x: f64) -> Result<f64, fmt::Error> {
        let spec = self.def.spec();
        if spec.anywhere.is_empty() {
            return Ok(0.0);
        }
        let lines: Vec<String> = spec
            .anywhere
            .iter()
            .map(|a| match &a.to {
                Some(to) => format!("{} → {to}", a.action),
                None => a.action.clone(),
            })
            .collect();
        let w = lines
            .iter()
            .map(|l| text_w(l))
            .fold(text_w("in every open state"), f64::max)
            + 2.0 * PAD;
        let h = LINE_H * (lines.len() + 1) as f64 + 2.0 * PAD;
        writeln!(out, "<g class=\"as-anywhere\">")?;
        writeln!(
            out,
            "<rect x=\"{x:.1}\" y=\"{MARGIN:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" style=\"fill:#fffbe6;stroke:#bf8700\"/>"
        )?;
        writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-style=\"italic\">in every open state</text>",
            x + PAD,
            MARGIN + PAD + LINE_H - 3.0
        )?;
        for (i, l) in lines.iter().enumerate() {
            writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                x + PAD,
                MARGIN + PAD + LINE_H * (i + 2) as f64 - 3.0,
                esc(l)
            )?;
        }
        writeln!(out, "</g>")?;
        Ok(w + MARGIN)
    }
}

impl fmt::Display for Svg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let spec = self.def.spec();
        let (mut nodes, edges) = graph(self.def);
        let start = spec
            .states
            .iter()
            .position(|s| s.kind == StateKind::Initial)
            .unwrap_or(0);
        let forward = forward_edges(nodes.len(), start, &edges);
        layers(&mut nodes, &edges, &forward);
        let rows = order(&nodes, &edges);
        let (width, height) = coordinates(&mut nodes, &edges, &rows);
        let mut body = String::new();
        let extra = self.write_anywhere(&mut body, width)?;
        // Edges first so that boxes cover their ends.
        let mut slots: BTreeMap<usize, Slot> = BTreeMap::new();
        for e in &edges {
            let slot = slots.entry(e.from).or_default();
            self.write_edge(&mut body, &nodes, e, *slot)?;
            slot.index += 1;
            if nodes[e.to].layer > nodes[e.from].layer {
                slot.lines_before += e.lines.len();
            }
        }
        for n in &nodes {
            self.write_node(&mut body, n)?;
        }
        let (w, h) = (width + extra, height.max(MARGIN * 2.0));
        writeln!(
            f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"aftersales-diagram\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\">"
        )?;
        writeln!(f, "<title>{} v{}</title>", esc(&spec.id), spec.version)?;
        writeln!(f, "<style>{STYLE}</style>")?;
        writeln!(
            f,
            "<defs><marker id=\"as-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"
        )?;
        f.write_str(&body)?;
        writeln!(f, "</svg>")
    }
}

//! The desk's pages: queue, case, SLA, and the test clock.

use crate::schema_form::{self, Errors, Schema, esc};
use crate::{App, Prefill};
use aftersales::procedures::complaint;
use aftersales::{
    Actor, AsyncStore, Command, Definition, EngineError, Form, Instance, InstanceId, Period,
    Rejection, SlaStatus, Svg, TransitionSpec,
};
use axum::Router;
use axum::extract::{Form as Posted, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

type Shared<S> = State<Arc<App<S>>>;
type Params = Query<HashMap<String, String>>;

pub(crate) fn router<S: AsyncStore + 'static>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route("/", get(queue::<S>))
        .route("/file", post(file::<S>))
        .route("/case/{id}", get(case::<S>))
        .route("/case/{id}/act", post(act::<S>))
        .route("/sla", get(sla::<S>))
        .route("/clock/advance", post(advance::<S>))
        .with_state(app)
}

const CSS: &str = "body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#f6f8fa}\
header{background:#24292f;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}\
header a{color:#fff;text-decoration:none;font-weight:600}header form{margin:0}main{padding:12px 16px}\
table{border-collapse:collapse;background:#fff}td:first-child{white-space:nowrap}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}\
.badge{white-space:nowrap;border-radius:10px;padding:1px 8px;font-size:12px;color:#fff}.breached{background:#cf222e}.warned{background:#bf8700}.ok{background:#1a7f37}.paused{background:#6e7781}\
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:10px 0}\
.diagram{overflow:auto;max-height:720px;border:1px solid #d0d7de}fieldset{border:1px solid #d0d7de;margin:4px 0;padding:4px 8px}\
label.field{display:block;margin:3px 0}label.field>span{display:inline-block;min-width:220px;color:#444}\
.err{color:#cf222e;font-weight:600;margin-left:8px}.refusal{color:#cf222e}.notice{background:#fff8c5;border:1px solid #bf8700;padding:6px;margin:6px 0}\
.action{border-left:4px solid #1a7f37;padding-left:8px;margin:8px 0}.action.unavailable{border-color:#cf222e}\
.chain-ok{color:#1a7f37;font-weight:600}.chain-bad{color:#cf222e;font-weight:600}code{font-size:12px}td>time{white-space:nowrap}";

const SCRIPT: &str = "function addRow(b){var f=b.parentNode,t=f.querySelector('template'),rows=f.querySelector('.rows');\
var n=rows.children.length+Date.now()%1000*100;var d=document.createElement('div');d.className='row';\
d.innerHTML=t.innerHTML.split('.__N').join('.'+n);rows.appendChild(d);}\
document.addEventListener('DOMContentLoaded',function(){var z=Intl.DateTimeFormat().resolvedOptions().timeZone;\
document.querySelectorAll('.zone').forEach(function(e){e.textContent=z;});\
document.querySelectorAll('time[datetime]').forEach(function(e){var d=new Date(e.getAttribute('datetime'));\
e.title=e.getAttribute('datetime');e.textContent=d.toLocaleString(undefined,{dateStyle:'medium',timeStyle:'short'});});\
var c=document.querySelector('.diagram .current rect');if(c){var b=c.getBBox(),p=c.closest('.diagram');\
p.scrollTop=Math.max(0,b.y-p.clientHeight/3);p.scrollLeft=Math.max(0,b.x+b.width/2-p.clientWidth/2);}});";

/// The acting person: `?as=role` (a person holding that role; empty for nobody chosen).
fn actor(q: &HashMap<String, String>) -> Option<Actor> {
    q.get("as")
        .filter(|r| !r.is_empty())
        .map(|r| Actor::new(r.as_str(), [r.as_str()]))
}

fn as_param(actor: &Option<Actor>) -> String {
    actor
        .as_ref()
        .map(|a| format!("?as={}", a.id))
        .unwrap_or_default()
}

fn page<S: AsyncStore>(
    app: &App<S>,
    title: &str,
    actor: &Option<Actor>,
    path: &str,
    body: &str,
) -> Html<String> {
    let now = app.clock.now();
    let who = actor.as_ref().map(|a| a.id.to_string()).unwrap_or_default();
    let mut options = String::from("<option value=\"\">everyone (no actor)</option>");
    for r in &app.roles {
        let sel = if *r == who { " selected" } else { "" };
        let _ = write!(options, "<option{sel}>{}</option>", esc(r));
    }
    let a = as_param(actor);
    let clock = match app.clock {
        crate::Clock::Test(_) => format!(
            "<form method=\"post\" action=\"/clock/advance\"><input type=\"hidden\" name=\"back\" value=\"{}\">test clock <time datetime=\"{}\">{}</time> \
             <input id=\"advance-hours\" name=\"hours\" type=\"number\" value=\"72\" style=\"width:5em\"> h <button id=\"advance\">advance</button></form>",
            esc(&format!("{path}{a}")),
            now.to_rfc3339(),
            now.to_rfc3339()
        ),
        crate::Clock::System => format!(
            "now <time datetime=\"{}\">{}</time>",
            now.to_rfc3339(),
            now.to_rfc3339()
        ),
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t} · aftersales desk</title><style>{CSS}</style><script>{SCRIPT}</script></head><body>\
         <header><a href=\"/{a}\">Queue</a><a href=\"/sla{a}\">SLA</a>\
         <form method=\"get\" action=\"{p}\">acting as <select id=\"actor\" name=\"as\" onchange=\"this.form.submit()\">{options}</select></form>\
         <span>times in <span class=\"zone\">UTC</span></span>{clock}</header><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title),
        p = esc(path),
    ))
}

fn fail(e: impl std::fmt::Display) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("desk: {e}")).into_response()
}

fn time(t: DateTime<Utc>) -> String {
    format!(
        "<time datetime=\"{}\">{}</time>",
        t.to_rfc3339(),
        t.format("%Y-%m-%d %H:%M UTC")
    )
}

/// The roles that may act in the instance's current state (transition roles and signers).
fn responsible(def: &Definition, inst: &Instance) -> Vec<String> {
    let state = inst.state();
    let mut roles: Vec<String> = def
        .spec()
        .transitions
        .iter()
        .filter(|t| t.from == state.as_str())
        .flat_map(|t| {
            t.sign_off
                .as_ref()
                .map(|s| s.roles.clone())
                .unwrap_or_else(|| t.roles.clone())
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn badges(inst: &Instance, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for c in inst.deadlines().iter().filter(|c| c.is_active()) {
        let (class, word) = match c.status_at(now) {
            SlaStatus::Breached => ("breached", "breached"),
            SlaStatus::Warned => ("warned", "warned"),
            SlaStatus::Paused => ("paused", "paused"),
            _ => continue,
        };
        let _ = write!(
            out,
            "<span class=\"badge {class}\" title=\"{}\">{} {word}</span> ",
            esc(c.name.as_str()),
            esc(c.name.as_str())
        );
    }
    out
}

async fn queue<S: AsyncStore + 'static>(State(app): Shared<S>, Query(q): Params) -> Response {
    let who = actor(&q);
    let now = app.clock.now();
    let mut rows: Vec<(String, String)> = Vec::new();
    for p in &app.procedures {
        let Some(def) = app.engine.definition(*p) else {
            continue;
        };
        let ids = match app.engine.store().list(p).await {
            Ok(ids) => ids,
            Err(e) => return fail(e),
        };
        for id in ids {
            let Ok(inst) = app.engine.load(&id).await else {
                continue;
            };
            if inst.is_closed() {
                continue;
            }
            let roles = responsible(def, &inst);
            if let Some(a) = &who {
                if !roles.iter().any(|r| a.has_role(r.as_str())) {
                    continue;
                }
            }
            let next = inst
                .deadlines()
                .iter()
                .filter(|c| c.is_active() && !c.breached)
                .map(|c| c.due_at)
                .min();
            let key = format!(
                "{p}/{}/{}",
                inst.state(),
                next.map(|t| t.to_rfc3339()).unwrap_or_default()
            );
            rows.push((key, format!(
                "<tr data-id=\"{id}\"><td><a href=\"/case/{id}{a}\">{id}</a></td><td>{p}</td><td>{state}</td><td>{next}</td><td>{badges}</td><td>{roles}</td></tr>",
                id = esc(id.as_str()),
                a = as_param(&who),
                state = esc(inst.state().as_str()),
                next = next.map(time).unwrap_or_else(|| "—".into()),
                badges = badges(&inst, now),
                roles = esc(&roles.join(", ")),
            )));
        }
    }
    rows.sort();
    let filter = match &who {
        Some(a) => format!(
            "<p>Cases where <b>{}</b> may act ({} open). <a href=\"/\">Show all</a></p>",
            esc(a.id.as_str()),
            rows.len()
        ),
        None => format!(
            "<p>All open cases ({}). Choose who is acting above to see only theirs.</p>",
            rows.len()
        ),
    };
    let mut body = filter;
    body.push_str("<table id=\"queue\"><tr><th>Case</th><th>Procedure</th><th>State</th><th>Next deadline</th><th>Clocks</th><th>Responsible roles</th></tr>");
    for (_, r) in &rows {
        body.push_str(r);
    }
    body.push_str("</table>");
    let n = rows.len() + 1;
    let _ = write!(
        body,
        "<section><h2>File a complaint</h2><form method=\"post\" action=\"/file\" id=\"file-complaint\">\
         <label class=\"field\"><span>complaint no.</span><input name=\"no\" value=\"KS-{n}\"></label>\
         <label class=\"field\"><span>customer</span><input name=\"customer\" value=\"Acme\"></label>\
         <label class=\"field\"><span>model</span><input name=\"model\" value=\"FL-200\"></label>\
         <label class=\"field\"><span>region</span><select name=\"region\"><option>domestic</option><option>international</option></select></label>\
         <button id=\"file\">File (as the region's ADC)</button></form></section>"
    );
    page(&app, "Queue", &who, "/", &body).into_response()
}

async fn file<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Posted(f): Posted<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let region = if get("region") == "international" {
        complaint::ComplaintRegion::International
    } else {
        complaint::ComplaintRegion::Domestic
    };
    let role = match region {
        complaint::ComplaintRegion::Domestic => complaint::Role::AdcDomestic,
        complaint::ComplaintRegion::International => complaint::Role::AdcInternational,
    };
    let no = get("no");
    let data = match complaint::Data::new(&no, region, get("customer"), get("model")).to_value() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let adc = Actor::new(role.as_ref(), [role]);
    match app
        .engine
        .start(
            complaint::ID,
            InstanceId::from(no.as_str()),
            &adc,
            data,
            app.clock.now(),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/case/{no}?as={}", role.as_ref())).into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                &app,
                "Not filed",
                &None,
                "/",
                &format!("<p class=\"refusal\">{}</p>", esc(&e.to_string())),
            ),
        )
            .into_response(),
    }
}

/// What a re-rendered case page shows about the last attempt.
#[derive(Default)]
struct Attempt {
    action: Option<String>,
    values: HashMap<String, Value>,
    errors: Errors,
    message: Option<String>,
}

async fn case<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Path(id): Path<String>,
    Query(q): Params,
) -> Response {
    let mut attempt = Attempt::default();
    if let Some(m) = q.get("done") {
        attempt.message = Some(format!("<p class=\"notice\" id=\"done\">{}</p>", esc(m)));
    }
    render_case(&app, &id, &actor(&q), attempt).await
}

async fn render_case<S: AsyncStore + 'static>(
    app: &App<S>,
    id: &str,
    who: &Option<Actor>,
    attempt: Attempt,
) -> Response {
    let iid = InstanceId::from(id);
    let inst = match app.engine.load(&iid).await {
        Ok(i) => i,
        Err(EngineError::NotFound { .. }) => {
            return (StatusCode::NOT_FOUND, "no such case").into_response();
        }
        Err(e) => return fail(e),
    };
    let Some(def) = app.engine.definition(inst.definition()) else {
        return fail("unknown definition");
    };
    let trail = match app.engine.history(&iid).await {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let now = app.clock.now();
    let mut body = attempt.message.clone().unwrap_or_default();
    let _ = write!(
        body,
        "<p id=\"summary\">{} · state <b id=\"state\">{}</b>{} · responsible: {}</p>",
        esc(inst.definition().as_str()),
        esc(inst.state().as_str()),
        if inst.is_closed() { " (closed)" } else { "" },
        esc(&responsible(def, &inst).join(", "))
    );
    body.push_str(&clocks(&inst, now));
    body.push_str(&signoffs(def, &inst));
    body.push_str(&actions(app, def, &inst, who, &attempt, now).await);
    let svg = Svg::new(def).current(inst.state()).path(&trail).to_string();
    let _ = write!(
        body,
        "<section><h2>Diagram</h2><div class=\"diagram\" id=\"diagram\">{svg}</div></section>"
    );
    body.push_str(&trail_section(app, &iid, &trail).await);
    page(
        app,
        &format!("Case {id}"),
        who,
        &format!("/case/{id}"),
        &body,
    )
    .into_response()
}

fn clocks(inst: &Instance, now: DateTime<Utc>) -> String {
    if inst.deadlines().is_empty() {
        return "<section id=\"clocks\"><h2>Clocks</h2><p>No clock has started yet.</p></section>"
            .into();
    }
    let mut out = String::from(
        "<section id=\"clocks\"><h2>Clocks</h2><table><tr><th>Deadline</th><th>Started</th><th>Warn at</th><th>Due</th><th>Status</th></tr>",
    );
    for c in inst.deadlines() {
        let status = match c.status_at(now) {
            SlaStatus::Breached => "<span class=\"badge breached\">breached</span>".to_owned(),
            SlaStatus::Warned => "<span class=\"badge warned\">warned</span>".to_owned(),
            SlaStatus::Paused => "<span class=\"badge paused\">paused</span>".to_owned(),
            SlaStatus::Pending => "running".to_owned(),
            SlaStatus::Early => "stopped early".to_owned(),
            SlaStatus::Met { .. } => "<span class=\"badge ok\">met</span>".to_owned(),
        };
        let _ = write!(
            out,
            "<tr data-clock=\"{n}\"><td>{n}</td><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            time(c.started_at),
            c.warn_at.map(time).unwrap_or_default(),
            time(c.due_at),
            n = esc(c.name.as_str()),
        );
    }
    out.push_str("</table></section>");
    out
}

fn signoffs(def: &Definition, inst: &Instance) -> String {
    let mut out = String::new();
    let mut seen: Vec<&str> = Vec::new();
    for t in def
        .spec()
        .transitions
        .iter()
        .filter(|t| t.from == inst.state().as_str())
    {
        let Some(so) = &t.sign_off else { continue };
        if seen.contains(&t.action.as_str()) {
            continue;
        }
        seen.push(&t.action);
        let signed: Vec<&str> = inst
            .open_signatures()
            .filter(|s| s.action.as_str() == t.action)
            .map(|s| s.role.as_str())
            .collect();
        let next = so.next_signers(&signed);
        let _ = write!(
            out,
            "<li><b>{}</b> ({}): signed by [{}], next: [{}]</li>",
            esc(&t.action),
            esc(&so.meaning),
            esc(&signed.join(", ")),
            esc(&next.join(", "))
        );
    }
    if out.is_empty() {
        return String::new();
    }
    format!("<section id=\"signoffs\"><h2>Pending sign-offs</h2><ul>{out}</ul></section>")
}

async fn actions<S: AsyncStore>(
    app: &App<S>,
    def: &Definition,
    inst: &Instance,
    who: &Option<Actor>,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> String {
    if inst.is_closed() {
        return String::new();
    }
    let Some(actor) = who else {
        return "<section id=\"actions\"><h2>Actions</h2><p>Choose who is acting (top bar) to see what they may do.</p></section>".into();
    };
    let list = app
        .engine
        .available_actions(inst.id(), actor, now)
        .await
        .unwrap_or_default();
    let mut out = format!(
        "<section id=\"actions\"><h2>Actions for {}</h2>",
        esc(actor.id.as_str())
    );
    for a in list {
        let Some(t) = def
            .spec()
            .transitions
            .iter()
            .find(|t| t.from == inst.state().as_str() && t.action == a.action.as_str())
        else {
            continue;
        };
        let (class, why) = match &a.verdict {
            Ok(()) => ("action", String::new()),
            // What the form below provides: not a refusal.
            Err(
                r @ (Rejection::MissingForm { .. }
                | Rejection::TextRequired { .. }
                | Rejection::ReasonRequired),
            ) => (
                "action",
                format!("<p class=\"why\">to fill in: {}</p>", esc(&r.to_string())),
            ),
            Err(r) => (
                "action unavailable",
                format!(
                    "<p class=\"refusal why\">not now: {}</p>",
                    esc(&r.to_string())
                ),
            ),
        };
        let _ = write!(
            out,
            "<div class=\"{class}\" id=\"action-{a}\"><h3>{a}{}</h3>{why}",
            if a.sign_off { " (sign-off)" } else { "" },
            a = esc(a.action.as_str())
        );
        let tried = attempt.action.as_deref() == Some(a.action.as_str());
        if tried {
            if let Some(m) = &attempt.message {
                out.push_str(m);
            }
        }
        let form = action_form(app, def, inst, t, a.sign_off, actor, attempt);
        // Not this person's to take: the form folds away (it can still be tried, and the
        // engine's refusal is shown and recorded).
        let not_theirs = matches!(
            &a.verdict,
            Err(Rejection::Forbidden { .. }
                | Rejection::RoleNotHeld { .. }
                | Rejection::RoleNotAllowed { .. }
                | Rejection::SeparationOfDuties { .. }
                | Rejection::AlreadySigned { .. })
        );
        if not_theirs && !tried {
            let _ = write!(
                out,
                "<details><summary>try anyway</summary>{form}</details>"
            );
        } else {
            out.push_str(&form);
        }
        out.push_str("</div>");
    }
    out.push_str("</section>");
    out
}

/// The form kinds to show for a transition, each once: those it requires, then those the
/// fixtures attached with it (optional attachments such as the 8D report).
fn kinds(t: &TransitionSpec, prefill: &Prefill) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let attached = prefill.forms.iter().map(|f| f.kind.to_string());
    for k in t
        .forms
        .iter()
        .chain(&t.fresh_forms)
        .cloned()
        .chain(attached)
    {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

fn action_form<S: AsyncStore>(
    app: &App<S>,
    def: &Definition,
    inst: &Instance,
    t: &TransitionSpec,
    sign_off: bool,
    actor: &Actor,
    attempt: &Attempt,
) -> String {
    let action = t.action.as_str();
    let prefill = app.prefill.for_case(inst, action);
    let mine = attempt.action.as_deref() == Some(action);
    let mut out = format!(
        "<form method=\"post\" action=\"/case/{}/act?as={}\" class=\"act\"><input type=\"hidden\" name=\"action\" value=\"{}\">",
        esc(inst.id().as_str()),
        esc(actor.id.as_str()),
        esc(action)
    );
    if !sign_off {
        for kind in &kinds(t, &prefill) {
            let Some(schema) = def.form_schema(kind.as_str()) else {
                continue;
            };
            let schema = schema.to_value();
            let path = format!("f.{kind}");
            let value = if mine {
                attempt.values.get(kind).cloned().unwrap_or(Value::Null)
            } else {
                prefill
                    .forms
                    .iter()
                    .find(|f| f.kind.as_str() == kind)
                    .map(|f| f.body.clone())
                    .or_else(|| inst.latest_form(kind.as_str()).cloned())
                    .unwrap_or(Value::Null)
            };
            let errors = if mine {
                attempt.errors.clone()
            } else {
                Errors::new()
            };
            let form = Schema::with_errors(&schema, &errors);
            schema_form::render(&form, &schema, (&path, kind, true), &value, &mut out);
        }
    }
    let payload = if prefill.payload.is_null() && !t.requires_text.is_empty() {
        Value::Object(
            t.requires_text
                .iter()
                .map(|f| (f.clone(), Value::String(String::new())))
                .collect(),
        )
    } else {
        prefill.payload.clone()
    };
    if !payload.is_null() {
        let _ = write!(
            out,
            "<label class=\"field\"><span>payload (JSON)</span><textarea name=\"payload\" rows=\"2\" cols=\"60\">{}</textarea></label>",
            esc(&payload.to_string())
        );
    }
    if sign_off {
        let _ = write!(
            out,
            "<button name=\"intent\" value=\"sign\" id=\"sign-{a}\">sign</button> <input name=\"reason\" placeholder=\"reason to refuse\"> <button name=\"intent\" value=\"refuse\" id=\"refuse-{a}\">refuse</button>",
            a = esc(action)
        );
    } else {
        let _ = write!(
            out,
            "<button name=\"intent\" value=\"fire\" id=\"do-{a}\">{a}</button>",
            a = esc(action)
        );
    }
    out.push_str("</form>");
    out
}

async fn trail_section<S: AsyncStore>(
    app: &App<S>,
    id: &InstanceId,
    trail: &[aftersales::Event],
) -> String {
    let chain = match app.engine.verify(id).await {
        Ok(()) => format!(
            "<span class=\"chain-ok\" id=\"chain\">hash chain intact</span> ({} events)",
            trail.len()
        ),
        Err(e) => format!(
            "<span class=\"chain-bad\" id=\"chain\">hash chain broken: {}</span>",
            esc(&e.to_string())
        ),
    };
    let mut out = format!(
        "<section><h2>Audit trail</h2><p>{chain}</p><table id=\"trail\"><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Details</th></tr>"
    );
    for e in trail {
        let who =
            e.by.as_ref()
                .map(|b| {
                    format!(
                        "{}{}",
                        b.actor,
                        b.role.map(|r| format!(" ({r})")).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|| "clock".into());
        let mut detail = serde_json::to_value(&e.kind).unwrap_or_default();
        if let Some(o) = detail.as_object_mut() {
            o.remove("type");
            for big in ["data", "body", "payload"] {
                if o.get(big).is_some_and(|v| v.to_string().len() > 120) {
                    o.insert(big.into(), json!("…"));
                }
            }
        }
        let mut detail = detail.to_string();
        if detail.chars().count() > 240 {
            detail = detail.chars().take(240).chain(['…']).collect();
        }
        let _ = write!(
            out,
            "<tr class=\"ev-{k}\"><td>{}</td><td>{}</td><td>{}</td><td>{k}</td><td><code>{}</code></td></tr>",
            e.seq,
            time(e.at),
            esc(&who),
            esc(&detail),
            k = e.kind.name(),
        );
    }
    out.push_str("</table></section>");
    out
}

async fn act<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Path(id): Path<String>,
    Query(q): Params,
    Posted(f): Posted<Vec<(String, String)>>,
) -> Response {
    let who = actor(&q);
    let Some(actor) = who.clone() else {
        return Redirect::to(&format!("/case/{id}")).into_response();
    };
    let fields: HashMap<String, String> = f.into_iter().collect();
    let action = fields.get("action").cloned().unwrap_or_default();
    let iid = InstanceId::from(id.as_str());
    let inst = match app.engine.load(&iid).await {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let Some(def) = app.engine.definition(inst.definition()) else {
        return fail("unknown definition");
    };
    let mut attempt = Attempt {
        action: Some(action.clone()),
        ..Attempt::default()
    };
    let mut cmd = match fields.get("intent").map(String::as_str) {
        Some("sign") => Command::sign(&actor, &action),
        Some("refuse") => Command::refuse(
            &actor,
            &action,
            fields.get("reason").cloned().unwrap_or_default(),
        ),
        _ => Command::fire(&actor, &action),
    };
    if let Some(t) = def
        .spec()
        .transitions
        .iter()
        .find(|t| t.from == inst.state().as_str() && t.action == action)
    {
        if !matches!(
            fields.get("intent").map(String::as_str),
            Some("sign" | "refuse")
        ) {
            for kind in &kinds(t, &app.prefill.for_case(&inst, &action)) {
                let Some(schema) = def.form_schema(kind.as_str()) else {
                    continue;
                };
                let schema = schema.to_value();
                let body = schema_form::parse(
                    &Schema::new(&schema),
                    &schema,
                    &format!("f.{kind}"),
                    true,
                    &fields,
                    &mut attempt.errors,
                );
                let body = body.unwrap_or(Value::Null);
                attempt.values.insert(kind.clone(), body.clone());
                cmd = cmd.with_form(Form::new(kind, body));
            }
        }
    }
    if let Some(p) = fields
        .get("payload")
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
    {
        match serde_json::from_str(p) {
            Ok(v) => cmd = cmd.with_payload(v),
            Err(e) => {
                attempt.errors.insert("payload".into(), e.to_string());
            }
        }
    }
    if !attempt.errors.is_empty() {
        let n = attempt.errors.len();
        attempt.message = Some(format!(
            "<p class=\"notice refusal\" id=\"invalid\">{n} field(s) to correct below.</p>"
        ));
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            render_case(&app, &id, &who, attempt).await,
        )
            .into_response();
    }
    match app.engine.fire(&iid, &cmd, app.clock.now()).await {
        Ok(out) => {
            let to = out.instance.state();
            let msg = format!("{} {action}: now in {to}", actor.id);
            Redirect::to(&format!(
                "/case/{id}?as={}&done={}",
                actor.id,
                urlencode(&msg)
            ))
            .into_response()
        }
        Err(e) => {
            let text = match e.rejection() {
                Some(r) => format!("refused: {r}"),
                None => e.to_string(),
            };
            attempt.message = Some(format!(
                "<p class=\"notice refusal\" id=\"refused\">{}</p>",
                esc(&text)
            ));
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                render_case(&app, &id, &who, attempt).await,
            )
                .into_response()
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn advance<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Posted(f): Posted<HashMap<String, String>>,
) -> Response {
    let hours: i64 = match f.get("hours").map(|h| h.trim().parse()) {
        Some(Ok(h)) if (1..=24 * 365).contains(&h) => h,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "hours: a whole number from 1 to 8760",
            )
                .into_response();
        }
    };
    if !app.clock.advance(TimeDelta::hours(hours)) {
        return (
            StatusCode::FORBIDDEN,
            "the desk runs on the machine's clock (start it with --test-clock)",
        )
            .into_response();
    }
    app.run_due().await;
    let back = f
        .get("back")
        .filter(|b| b.starts_with('/'))
        .cloned()
        .unwrap_or_else(|| "/".into());
    Redirect::to(&back).into_response()
}

async fn sla<S: AsyncStore + 'static>(State(app): Shared<S>, Query(q): Params) -> Response {
    let who = actor(&q);
    let now = app.clock.now();
    let days: i64 = q
        .get("days")
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=3660).contains(d))
        .unwrap_or(30);
    let period = Period::new(now - TimeDelta::days(days), now);
    let report = match app.engine.sla_report_for(period).await {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let mut body = format!(
        "<form method=\"get\" action=\"/sla\">period: the last <input name=\"days\" type=\"number\" value=\"{days}\" style=\"width:5em\"> days (to {}) <button>show</button></form>",
        time(now)
    );
    let mut bars: Vec<(String, aftersales::SlaCounts, bool)> = Vec::new();
    for (p, c) in &report.by_procedure {
        bars.push((p.clone(), *c, true));
        for (d, c) in report
            .by_deadline
            .iter()
            .filter(|(d, _)| d.starts_with(&format!("{p}/")))
        {
            bars.push((d.clone(), *c, false));
        }
    }
    body.push_str(&chart(&bars, report.goal_permille));
    page(&app, "SLA: on-time rate", &who, "/sla", &body).into_response()
}

/// A horizontal bar chart: on-time rate per procedure (bold) and per deadline.
fn chart(bars: &[(String, aftersales::SlaCounts, bool)], goal: u64) -> String {
    let (label_w, bar_w, row_h) = (300.0, 420.0, 22.0);
    let h = 40.0 + row_h * bars.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"sla-chart\" width=\"{w}\" height=\"{h}\" font-family=\"system-ui,sans-serif\" font-size=\"12\">",
        w = label_w + bar_w + 360.0
    );
    let gx = label_w + bar_w * goal as f64 / 1000.0;
    let _ = write!(
        svg,
        "<line x1=\"{gx}\" y1=\"10\" x2=\"{gx}\" y2=\"{}\" stroke=\"#24292f\" stroke-dasharray=\"4 3\"/><text x=\"{gx}\" y=\"10\" text-anchor=\"middle\">goal {}%</text>",
        h - 10.0,
        goal / 10
    );
    for (i, (name, c, proc_row)) in bars.iter().enumerate() {
        let y = 24.0 + row_h * i as f64;
        let weight = if *proc_row { "bold" } else { "normal" };
        let indent = if *proc_row { 4.0 } else { 20.0 };
        let _ = write!(
            svg,
            "<text x=\"{indent}\" y=\"{}\" font-weight=\"{weight}\">{}</text>",
            y + 14.0,
            esc(name)
        );
        let _ = write!(
            svg,
            "<rect x=\"{label_w}\" y=\"{}\" width=\"{bar_w}\" height=\"16\" fill=\"#eaeef2\"/>",
            y + 2.0
        );
        let text = match c.on_time_permille() {
            Some(r) => {
                let color = if r >= goal { "#1a7f37" } else { "#cf222e" };
                let _ = write!(
                    svg,
                    "<rect class=\"bar\" x=\"{label_w}\" y=\"{}\" width=\"{:.1}\" height=\"16\" fill=\"{color}\"/>",
                    y + 2.0,
                    bar_w * r as f64 / 1000.0
                );
                format!(
                    "{:.1}% on time ({} met, {} breached, {} open)",
                    r as f64 / 10.0,
                    c.met,
                    c.breached,
                    c.open
                )
            }
            None => format!("nothing judged yet ({} open)", c.open),
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            label_w + bar_w + 6.0,
            y + 14.0,
            esc(&text)
        );
    }
    svg.push_str("</svg>");
    format!(
        "<section><h2>On-time rate per procedure and deadline</h2>{svg}<p>Dashed: the goal. Green bars meet it, red ones do not.</p></section>"
    )
}

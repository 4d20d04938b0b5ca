//! Feature `tracing`: a span per command and per due run / outbox delivery, with the
//! instance, definition, action and outcome, from both engines.
#![cfg(all(feature = "tracing", feature = "async", feature = "testing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, AsyncEngine, Builder, BusinessDuration, Command, DeadlineSpec, Definition, Engine,
    InMemoryStore, InstanceId, Lease, Registry, SyncAsAsync, Trigger,
};
use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

type Fields = BTreeMap<String, String>;

/// Records every span's name and fields.
#[derive(Default)]
struct Capture {
    spans: Mutex<Vec<(String, Fields)>>,
}

struct Collect<'a>(&'a mut Fields);

impl Visit for Collect<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = Fields::new();
        attrs.record(&mut Collect(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((attrs.metadata().name().into(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let (_, fields) = &mut spans[span.into_u64() as usize - 1];
        values.record(&mut Collect(fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn definition() -> Definition {
    Builder::new("job", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("working")
        .terminal("done")
        .transition("open", "begin", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::Minutes(30),
        ))
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap()
}

fn field<'a>(spans: &'a [(String, Fields)], name: &str, nth: usize) -> &'a Fields {
    &spans.iter().filter(|(n, _)| n == name).nth(nth).unwrap().1
}

#[test]
fn the_async_engine_makes_a_span_per_command_and_per_run() {
    let capture = Arc::new(Capture::default());
    let clerk = Actor::new("clerk-1", ["clerk"]);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        let mut e = AsyncEngine::new(SyncAsAsync(InMemoryStore::new()));
        e.register(definition()).unwrap();
        let id = InstanceId::from("j");
        aftersales::testing::block_on(async {
            e.start("job", id.clone(), &clerk, json!({}), t0)
                .await
                .unwrap();
            e.fire(&id, &Command::fire(&clerk, "begin"), t0)
                .await
                .unwrap();
            e.fire(&id, &Command::fire(&clerk, "nope"), t0)
                .await
                .unwrap_err();
            let due = e.next_due().await.unwrap().unwrap();
            let lease = Lease::new("node-1", due + TimeDelta::minutes(1));
            e.run_due(due, &lease, 10).await.unwrap();
        });
    });
    let spans = capture.spans.lock().unwrap().clone();
    let start = field(&spans, "aftersales.start", 0);
    assert_eq!(start["instance"], "j");
    assert_eq!(start["definition"], "job");
    assert_eq!(start["outcome"], "accepted");
    let begin = field(&spans, "aftersales.fire", 0);
    assert_eq!(begin["action"], "begin");
    assert_eq!(begin["definition"], "job");
    assert_eq!(begin["outcome"], "accepted");
    assert_eq!(field(&spans, "aftersales.fire", 1)["outcome"], "rejected");
    let due = field(&spans, "aftersales.due", 0);
    assert_eq!(due["claimant"], "node-1");
    assert_eq!(due["handled"], "1");
    assert_eq!(due["outcome"], "ok");
}

#[test]
fn the_sync_engine_makes_a_span_per_due_run_and_delivery() {
    let capture = Arc::new(Capture::default());
    let clerk = Actor::new("clerk-1", ["clerk"]);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
    tracing::subscriber::with_default(capture.clone(), || {
        let mut e = Engine::new(InMemoryStore::new()).with_outbox(true);
        e.register(definition()).unwrap();
        let id = InstanceId::from("j");
        e.start("job", id.clone(), &clerk, json!({}), t0).unwrap();
        e.fire(&id, &Command::fire(&clerk, "begin"), t0).unwrap();
        let lease = Lease::new("node-2", t0 + TimeDelta::minutes(1));
        let sink = |_: &aftersales::OutboxMessage, _: &[aftersales::Event]| Ok(());
        e.deliver_outbox(&sink, t0, &lease, 10).unwrap();
        e.run_due(t0, &lease, 10).unwrap();
    });
    let spans = capture.spans.lock().unwrap().clone();
    let sent = field(&spans, "aftersales.outbox", 0);
    assert_eq!(sent["delivered"], "2");
    assert_eq!(sent["claimant"], "node-2");
    assert_eq!(field(&spans, "aftersales.due", 0)["handled"], "0");
}

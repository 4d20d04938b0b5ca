//! Batch detection (000 L638) over 1,000,000 failure records: a grouping pass, then distinct
//! units counted only in the groups that could qualify.
//!
//! Needs `[[bench]] name = "batch_detection" harness = false` in Cargo.toml.

use aftersales::procedures::batch_quality::{
    ComponentBase, Config, FailureRecord, InstalledBase, Scope, UserBase, detect,
};
use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::collections::BTreeSet;
use std::hint::black_box;

const RECORDS: usize = 1_000_000;
const CUSTOMERS: u64 = 5000;
const MODELS: u64 = 20;
const COMPONENTS: u64 = 50;
const REGIONS: u64 = 30;

/// A small deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Random records: most groups are small, few could qualify.
fn data() -> (Vec<FailureRecord>, InstalledBase, NaiveDate) {
    records(CUSTOMERS, COMPONENTS, 8, 200)
}

/// 1,000,000 records over `customers` users × every model, `components` components and
/// `modes` failure modes; each user holds `units` (+ up to 399) units of each model.
fn records(
    customers: u64,
    components: u64,
    modes: u64,
    units: i64,
) -> (Vec<FailureRecord>, InstalledBase, NaiveDate) {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 16).unwrap_or_default();
    let mut rng = Lcg(42);
    let mut pairs = BTreeSet::new();
    let records: Vec<FailureRecord> = (0..RECORDS)
        .map(|i| {
            let customer = rng.next(customers);
            let model = rng.next(MODELS);
            pairs.insert((customer, model));
            let component = (rng.next(2) == 0).then(|| format!("comp-{}", rng.next(components)));
            let mode = format!("mode-{}", rng.next(modes));
            // about 5 % of records repeat a unit (a unit failing twice)
            let unit = if rng.next(20) == 0 {
                format!("sn-{customer}-{model}-{}", rng.next(50))
            } else {
                format!("sn-{i}")
            };
            FailureRecord {
                id: format!("r-{i}"),
                unit,
                model: format!("model-{model}"),
                customer: format!("cust-{customer}"),
                component,
                failure_mode: mode,
                region: format!("region-{}", customer % REGIONS),
                date: as_of.checked_sub_days(Days::new(rng.next(180))),
                in_service_period: rng.next(10) != 0,
            }
        })
        .collect();
    let users = pairs
        .iter()
        .enumerate()
        .map(|(i, (c, m))| UserBase {
            id: format!("ub-{i}"),
            customer: format!("cust-{c}"),
            model: format!("model-{m}"),
            units: units + (i as i64 % 400),
        })
        .collect();
    let mut components = Vec::new();
    for c in 0..COMPONENTS {
        components.push(ComponentBase {
            id: format!("cb-{c}-n"),
            component: format!("comp-{c}"),
            scope: Scope::National,
            units: 2_000_000,
        });
        for r in 0..REGIONS {
            components.push(ComponentBase {
                id: format!("cb-{c}-{r}"),
                component: format!("comp-{c}"),
                scope: Scope::Region(format!("region-{r}")),
                units: 60_000,
            });
        }
    }
    (records, InstalledBase { users, components }, as_of)
}

fn records_clustered() -> (Vec<FailureRecord>, InstalledBase, NaiveDate) {
    records(50, 3, 2, 1000)
}

fn bench(c: &mut Criterion) {
    let cfg = Config::default();
    let mut g = c.benchmark_group("batch_detection");
    g.sample_size(10);
    g.throughput(Throughput::Elements(RECORDS as u64));
    let (records, base, as_of) = data();
    g.bench_function("detect_1m_records", |b| {
        b.iter(|| detect(black_box(&records), black_box(&base), as_of, &cfg))
    });
    drop((records, base));
    // Clustered: 50 users × 20 models × 4 component choices × 2 modes, ~125 records per
    // group against 1,000–1,399 units: every group is a candidate, distinct units are counted
    // everywhere and many groups qualify.
    let (records, base, as_of) = records_clustered();
    g.bench_function("detect_1m_records_clustered", |b| {
        b.iter(|| detect(black_box(&records), black_box(&base), as_of, &cfg))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

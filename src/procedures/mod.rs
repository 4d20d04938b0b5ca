//! The built-in procedures, one module each, in the documents' vocabulary.
//!
//! Each exposes typed states, actions and roles, a config struct whose defaults are the
//! seed's numbers (each citing its source line), typed forms, and a function building its
//! validated definition.
//!
//! # Calendar
//!
//! Each procedure's `registry(config)` computes deadlines in [`shanghai_calendar`]: the
//! documents are written for Chinese plants, so the built-in procedures choose
//! `Asia/Shanghai` (Monday–Friday 09:00–12:00, 13:00–18:00) explicitly. A host with other
//! hours, holidays or zone passes its own calendar to the procedure's `definition`, or
//! replaces it on the registry ([`Registry::calendar`](crate::Registry::calendar)).
pub mod batch_quality;
pub mod complaint;
pub mod concession;
pub mod confidentiality;
pub mod consumables;
pub mod customer_return;

use crate::calendar::{BusinessCalendar, Calendar};
use std::sync::Arc;

/// The calendar the built-in procedures' registries choose: the product week
/// (Monday–Friday 09:00–12:00, 13:00–18:00) in `Asia/Shanghai`
/// ([`BusinessCalendar::asia_shanghai`]); without feature `tz`, the same week at the fixed
/// offset UTC+08:00 ([`BusinessCalendar::china_standard`], identical instants since 1991).
/// No holidays: a host loads its own (`BusinessCalendarBuilder::holidays_from_str`).
pub fn shanghai_calendar() -> Arc<dyn Calendar> {
    #[cfg(feature = "tz")]
    let calendar = BusinessCalendar::asia_shanghai();
    #[cfg(not(feature = "tz"))]
    let calendar = BusinessCalendar::china_standard();
    Arc::new(calendar)
}

//! aftersales: after-sales quality procedures as validated state graphs.
pub mod calendar;

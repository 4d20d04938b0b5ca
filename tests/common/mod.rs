//! Shared test fixtures.
#![allow(dead_code)]

pub(crate) mod batch;

//! The built-in procedures, one module each, in the documents' vocabulary.
//!
//! Each exposes typed states, actions and roles, a config struct whose defaults are the
//! seed's numbers (each citing its source line), typed forms, and a function building its
//! validated definition.
pub mod batch_quality;
pub mod complaint;
pub mod consumables;
pub mod customer_return;

//! Business calendar (placeholder until the calendar branch lands).

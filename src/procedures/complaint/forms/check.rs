//! Small checks the forms' `validate` share.

/// A text that must not be blank.
pub(super) fn need(value: &str, what: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

/// A list that must not be empty.
pub(super) fn need_some<T>(list: &[T], what: &str) -> Result<(), String> {
    if list.is_empty() {
        Err(format!("{what}: none given"))
    } else {
        Ok(())
    }
}

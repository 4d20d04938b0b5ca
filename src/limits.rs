//! Limits on what comes in from outside: commands (payloads, form bodies, names, texts) and
//! definitions authored as JSON. Each is checked before any expensive work (loading
//! definitions' graphs, running guards, validating forms, hashing), and exceeding one is a
//! typed refusal that names the limit, its value and the size found:
//! [`Rejection::OverLimit`](crate::Rejection::OverLimit) for commands,
//! [`BuildError::OverLimit`](crate::BuildError::OverLimit) for definitions.
//!
//! The defaults are tabled on [`CommandLimits`].

use crate::command::{Command, Intent};
use crate::rejection::{Limit, MAX_JSON_DEPTH, Rejection, depth};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Limits on one command (and on the data a new instance starts with). [`Default`] gives the
/// documented defaults.
///
/// The documents set no such numbers; the defaults are ours, chosen far above what the
/// built-in procedures use (their largest form, an 8D report, is a few KiB; their largest
/// definition has fewer than 60 states) and low enough that one request cannot grow the audit
/// log or the CPU bill without bound. Hosts change them with [`Engine::with_limits`](crate::Engine::with_limits) and
/// [`DefinitionSpec::from_json_with`](crate::DefinitionSpec::from_json_with).
///
/// | limit | default | applies to |
/// |---|---|---|
/// | [`CommandLimits::name_bytes`] | 256 bytes | actor id, on-behalf-of, each role, the action or override target, each form kind, the idempotency key |
/// | [`CommandLimits::roles`] | 64 | roles an actor claims |
/// | [`CommandLimits::forms`] | 16 | forms attached to one command |
/// | [`CommandLimits::depth`] | [`MAX_JSON_DEPTH`] (64) | nesting of the payload, each form body and a new instance's data |
/// | [`CommandLimits::payload_bytes`] | 64 KiB | the payload (compact JSON) |
/// | [`CommandLimits::form_bytes`] | 256 KiB | each form body (compact JSON) |
/// | [`CommandLimits::command_bytes`] | 1 MiB | the whole command (compact JSON), and a new instance's data |
/// | [`DefinitionLimits::bytes`] | 1 MiB | definition JSON text |
/// | [`DefinitionLimits::depth`] | [`MAX_JSON_DEPTH`] (64) | its nesting |
/// | [`DefinitionLimits::states`] | 1,000 | states |
/// | [`DefinitionLimits::transitions`] | 10,000 | transitions, `anywhere` actions counted once per open state |
/// | [`DefinitionLimits::deadlines`] | 1,000 | deadlines |
///
/// A depth above [`MAX_JSON_DEPTH`] cannot be configured (the events recording such a value
/// would not parse back from JSON): larger settings act as [`MAX_JSON_DEPTH`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CommandLimits {
    /// Bytes of one name or identifier (default 256).
    pub name_bytes: usize,
    /// Roles an actor may claim in one command (default 64: a definition has at most 64).
    pub roles: usize,
    /// Forms attached to one command (default 16).
    pub forms: usize,
    /// Nesting depth of the payload, each form body and a new instance's data (default and
    /// ceiling [`MAX_JSON_DEPTH`]).
    pub depth: usize,
    /// Bytes of the payload as compact JSON (default 64 KiB).
    pub payload_bytes: usize,
    /// Bytes of each form body as compact JSON (default 256 KiB).
    pub form_bytes: usize,
    /// Bytes of the whole command as compact JSON, and of a new instance's data (default 1 MiB).
    pub command_bytes: usize,
}

impl Default for CommandLimits {
    fn default() -> Self {
        CommandLimits {
            name_bytes: 256,
            roles: 64,
            forms: 16,
            depth: MAX_JSON_DEPTH,
            payload_bytes: 64 * 1024,
            form_bytes: 256 * 1024,
            command_bytes: 1024 * 1024,
        }
    }
}

fn over(limit: Limit, what: impl Into<String>, max: usize, found: usize) -> Rejection {
    Rejection::OverLimit {
        limit,
        what: what.into(),
        max: max as u64,
        found: found as u64,
    }
}

/// Counts the bytes written to it: the size of a JSON value without building its text.
#[derive(Default)]
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The size of `value` as compact JSON, in bytes, computed without allocating its text.
pub fn json_size<T: Serialize + ?Sized>(value: &T) -> usize {
    let mut c = Counter::default();
    // Writing to a counter cannot fail; a value that cannot be serialized counts what was
    // written before the failure.
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

impl CommandLimits {
    fn depth_limit(&self) -> usize {
        self.depth.min(MAX_JSON_DEPTH)
    }

    fn name(&self, what: &str, text: &str) -> Result<(), Rejection> {
        if text.len() > self.name_bytes {
            return Err(over(Limit::NameBytes, what, self.name_bytes, text.len()));
        }
        Ok(())
    }

    fn value(&self, what: &str, v: &Value, limit: Limit, max: usize) -> Result<(), Rejection> {
        let d = depth(v);
        if d > self.depth_limit() {
            return Err(over(Limit::Depth, what, self.depth_limit(), d));
        }
        let size = json_size(v);
        if size > max {
            return Err(over(limit, what, max, size));
        }
        Ok(())
    }

    /// Check `cmd`: names and counts first, then each JSON value's depth and size, then the
    /// whole command's size. Linear in the command's size; no allocation but for depth
    /// bookkeeping.
    ///
    /// # Errors
    /// [`Rejection::OverLimit`] naming the first limit exceeded, its value and the size found.
    pub fn check(&self, cmd: &Command) -> Result<(), Rejection> {
        self.name("actor id", cmd.actor.id.as_str())?;
        if let Some(p) = &cmd.actor.on_behalf_of {
            self.name("on_behalf_of", p.as_str())?;
        }
        if cmd.actor.roles.len() > self.roles {
            return Err(over(
                Limit::Roles,
                "actor roles",
                self.roles,
                cmd.actor.roles.len(),
            ));
        }
        for r in cmd.actor.roles.iter() {
            self.name("role", r)?;
        }
        match &cmd.intent {
            Intent::Fire { action } | Intent::Sign { action } | Intent::Refuse { action, .. } => {
                self.name("action", action)?;
            }
            Intent::Override { to, .. } => self.name("override target", to)?,
            Intent::Comment { .. } => {}
        }
        if let Some(k) = &cmd.idempotency_key {
            self.name("idempotency key", k)?;
        }
        if cmd.forms.len() > self.forms {
            return Err(over(Limit::Forms, "forms", self.forms, cmd.forms.len()));
        }
        for f in &cmd.forms {
            self.name("form kind", &f.kind)?;
        }
        self.value(
            "payload",
            &cmd.payload,
            Limit::PayloadBytes,
            self.payload_bytes,
        )?;
        for f in &cmd.forms {
            let what = format!("form `{}`", f.kind);
            self.value(&what, &f.body, Limit::FormBytes, self.form_bytes)?;
        }
        let size = json_size(cmd);
        if size > self.command_bytes {
            return Err(over(
                Limit::CommandBytes,
                "command",
                self.command_bytes,
                size,
            ));
        }
        Ok(())
    }

    /// Check the data a new instance starts with: depth, then size against
    /// [`command_bytes`](Self::command_bytes).
    ///
    /// # Errors
    /// [`Rejection::OverLimit`].
    pub fn check_data(&self, data: &Value) -> Result<(), Rejection> {
        self.value("data", data, Limit::CommandBytes, self.command_bytes)
    }
}

/// Limits on a definition authored as JSON. [`Default`] gives the documented defaults (tabled
/// on [`CommandLimits`]). Definitions built in code (the built-in procedures) are trusted and
/// not limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DefinitionLimits {
    /// Bytes of the JSON text (default 1 MiB).
    pub bytes: usize,
    /// Nesting depth of the JSON text (default and ceiling [`MAX_JSON_DEPTH`]).
    pub depth: usize,
    /// States (default 1,000).
    pub states: usize,
    /// Transitions, each `anywhere` action counted once per open state (default 10,000).
    pub transitions: usize,
    /// Deadlines (default 1,000).
    pub deadlines: usize,
}

impl Default for DefinitionLimits {
    fn default() -> Self {
        DefinitionLimits {
            bytes: 1024 * 1024,
            depth: MAX_JSON_DEPTH,
            states: 1_000,
            transitions: 10_000,
            deadlines: 1_000,
        }
    }
}

/// A limit exceeded by a definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("definition exceeds the limit on {limit}: {found} > {max}")]
pub struct DefinitionOverLimit {
    /// Which limit.
    pub limit: Limit,
    /// Its value.
    pub max: u64,
    /// The size found (for depth: at least this deep; the scan stops there).
    pub found: u64,
}

impl DefinitionLimits {
    /// Check the JSON text before parsing it: its length, then its nesting (one pass over the
    /// bytes that stops at the first level too deep).
    ///
    /// # Errors
    /// [`DefinitionOverLimit`] for [`Limit::DefinitionBytes`] or [`Limit::Depth`].
    pub fn check_text(&self, json: &str) -> Result<(), DefinitionOverLimit> {
        if json.len() > self.bytes {
            return Err(DefinitionOverLimit {
                limit: Limit::DefinitionBytes,
                max: self.bytes as u64,
                found: json.len() as u64,
            });
        }
        let max = self.depth.min(MAX_JSON_DEPTH);
        let (mut level, mut in_string, mut escaped) = (0usize, false, false);
        for b in json.bytes() {
            if in_string {
                match (escaped, b) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    level += 1;
                    if level > max {
                        return Err(DefinitionOverLimit {
                            limit: Limit::Depth,
                            max: max as u64,
                            found: level as u64,
                        });
                    }
                }
                b']' | b'}' => level = level.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Actor;
    use serde_json::json;

    #[test]
    fn json_size_is_the_compact_length() {
        let v = json!({"a": [1, 2, "x"], "b": null});
        assert_eq!(
            json_size(&v),
            serde_json::to_string(&v).map(|s| s.len()).unwrap_or(0)
        );
    }

    #[test]
    fn the_definition_depth_scan_skips_strings() {
        let lim = DefinitionLimits {
            depth: 2,
            ..DefinitionLimits::default()
        };
        assert_eq!(lim.check_text(r#"{"a": "[[[[{{{{\"[["}"#), Ok(()));
        assert_eq!(
            lim.check_text(r#"{"a": [[1]]}"#)
                .map_err(|e| (e.limit, e.found)),
            Err((Limit::Depth, 3))
        );
    }

    #[test]
    fn names_are_checked_before_values() {
        let long = "x".repeat(300);
        let cmd = Command::fire(&Actor::new(long.as_str(), ["r"]), "a")
            .with_payload(json!("y".repeat(100_000)));
        assert!(matches!(
            CommandLimits::default().check(&cmd),
            Err(Rejection::OverLimit {
                limit: Limit::NameBytes,
                found: 300,
                ..
            })
        ));
    }
}

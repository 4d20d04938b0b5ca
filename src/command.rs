//! Commands: what an actor asks the engine to do to an instance.

use crate::access::Actor;
use crate::form::Form;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the command is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "intent", rename_all = "snake_case")]
pub enum Intent {
    /// Fire the transition on `action` from the current state.
    Fire {
        /// The action.
        action: String,
    },
    /// Sign the sign-off of the transition on `action`.
    Sign {
        /// The action.
        action: String,
    },
    /// Refuse to sign the sign-off of the transition on `action`.
    Refuse {
        /// The action.
        action: String,
        /// Why (required).
        reason: String,
    },
    /// Add a comment to the audit trail.
    Comment {
        /// The text.
        text: String,
    },
    /// Force the instance into `to`, outside the procedure (only for the definition's
    /// override roles; always recorded, with a penalty when the payload carries one).
    Override {
        /// Target state.
        to: String,
        /// Why (required).
        reason: String,
    },
}

impl Intent {
    /// The action concerned, if any.
    pub fn action(&self) -> Option<&str> {
        match self {
            Intent::Fire { action } | Intent::Sign { action } | Intent::Refuse { action, .. } => {
                Some(action)
            }
            Intent::Comment { .. } | Intent::Override { .. } => None,
        }
    }
}

/// A request by an actor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Command {
    /// Who asks.
    pub actor: Actor,
    /// What for.
    pub intent: Intent,
    /// Data for guards and effects (`null` when none).
    #[serde(default)]
    pub payload: Value,
    /// Forms attached with the command.
    #[serde(default)]
    pub forms: Vec<Form>,
    /// A key making retries safe: a retried command with the same key returns the original
    /// result and appends nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

impl Command {
    fn new(actor: Actor, intent: Intent) -> Self {
        Command {
            actor,
            intent,
            payload: Value::Null,
            forms: Vec::new(),
            idempotency_key: None,
        }
    }

    /// Fire `action`.
    pub fn fire(actor: &Actor, action: impl AsRef<str>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Fire {
                action: action.as_ref().to_owned(),
            },
        )
    }

    /// Sign the sign-off on `action`.
    pub fn sign(actor: &Actor, action: impl AsRef<str>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Sign {
                action: action.as_ref().to_owned(),
            },
        )
    }

    /// Refuse the sign-off on `action`.
    pub fn refuse(actor: &Actor, action: impl AsRef<str>, reason: impl Into<String>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Refuse {
                action: action.as_ref().to_owned(),
                reason: reason.into(),
            },
        )
    }

    /// Comment.
    pub fn comment(actor: &Actor, text: impl Into<String>) -> Self {
        Self::new(actor.clone(), Intent::Comment { text: text.into() })
    }

    /// Override into `to`.
    pub fn override_to(actor: &Actor, to: impl AsRef<str>, reason: impl Into<String>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Override {
                to: to.as_ref().to_owned(),
                reason: reason.into(),
            },
        )
    }

    /// With this payload.
    #[must_use]
    pub fn with_payload(mut self, payload: Value) -> Self {
        self.payload = payload;
        self
    }

    /// With this form attached.
    #[must_use]
    pub fn with_form(mut self, form: Form) -> Self {
        self.forms.push(form);
        self
    }

    /// With an idempotency key.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// A stable fingerprint of everything but the key (FNV-1a over the canonical JSON), used
    /// to tell a retry from a different command reusing a key. Stable across runs and builds.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for part in [
            serde_json::to_string(&self.actor),
            serde_json::to_string(&self.intent),
            serde_json::to_string(&self.payload),
            serde_json::to_string(&self.forms),
        ] {
            feed(part.unwrap_or_default().as_bytes());
            feed(&[0]);
        }
        h
    }
}

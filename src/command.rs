//! Commands: what an actor asks the engine to do to an instance.

use crate::access::Actor;
use crate::form::Form;
use crate::ids::Name;
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
        action: Name,
    },
    /// Sign the sign-off of the transition on `action`.
    Sign {
        /// The action.
        action: Name,
    },
    /// Refuse to sign the sign-off of the transition on `action`.
    Refuse {
        /// The action.
        action: Name,
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
        to: Name,
        /// Why (required).
        reason: String,
    },
}

impl Intent {
    /// The action concerned, if any.
    pub fn action(&self) -> Option<Name> {
        match self {
            Intent::Fire { action } | Intent::Sign { action } | Intent::Refuse { action, .. } => {
                Some(*action)
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
    /// The role the actor acts in ([`as_role`](Self::as_role)); absent: the first role the
    /// transition lists that the actor holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Name>,
}

impl Command {
    fn new(actor: Actor, intent: Intent) -> Self {
        Command {
            actor,
            intent,
            payload: Value::Null,
            forms: Vec::new(),
            idempotency_key: None,
            role: None,
        }
    }

    /// Fire `action`.
    pub fn fire(actor: &Actor, action: impl AsRef<str>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Fire {
                action: Name::new(action),
            },
        )
    }

    /// Sign the sign-off on `action`.
    pub fn sign(actor: &Actor, action: impl AsRef<str>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Sign {
                action: Name::new(action),
            },
        )
    }

    /// Refuse the sign-off on `action`.
    pub fn refuse(actor: &Actor, action: impl AsRef<str>, reason: impl Into<String>) -> Self {
        Self::new(
            actor.clone(),
            Intent::Refuse {
                action: Name::new(action),
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
                to: Name::new(to),
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

    /// Acting in `role`: the role recorded on the events (and signatures) this command
    /// produces. The actor must hold it ([`Rejection::RoleNotHeld`](crate::Rejection::RoleNotHeld))
    /// and the transition must allow it ([`Rejection::RoleNotAllowed`](crate::Rejection::RoleNotAllowed));
    /// only that role counts for this command.
    #[must_use]
    pub fn as_role(mut self, role: impl AsRef<str>) -> Self {
        self.role = Some(Name::new(role));
        self
    }

    /// With an idempotency key.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// A stable fingerprint of everything but the key, used to tell a retry from a
    /// different command reusing a key: FNV-1a over the command's fields, the JSON values
    /// (payload, form bodies) in their canonical encoding (RFC 8785), so the figure is the same
    /// across runs, builds and `serde_json` features (such as `preserve_order`).
    pub fn fingerprint(&self) -> u64 {
        let mut h = Fnv::default();
        h.text(self.actor.id.as_str());
        h.count(self.actor.roles.len());
        for r in self.actor.roles.iter() {
            h.text(r);
        }
        h.text(self.actor.on_behalf_of.as_ref().map_or("", |p| p.as_str()));
        h.count(usize::from(self.actor.on_behalf_of.is_some()));
        h.text(self.role.as_ref().map_or("", |r| r.as_str()));
        h.count(usize::from(self.role.is_some()));
        match &self.intent {
            Intent::Fire { action } => h.parts(&["fire", action]),
            Intent::Sign { action } => h.parts(&["sign", action]),
            Intent::Refuse { action, reason } => h.parts(&["refuse", action, reason]),
            Intent::Comment { text } => h.parts(&["comment", text]),
            Intent::Override { to, reason } => h.parts(&["override", to, reason]),
        }
        let mut buf = String::new();
        crate::canonical::write_canonical(&self.payload, &mut buf);
        h.text(&buf);
        h.count(self.forms.len());
        for f in &self.forms {
            h.text(&f.kind);
            buf.clear();
            crate::canonical::write_canonical(&f.body, &mut buf);
            h.text(&buf);
        }
        h.0
    }
}

/// FNV-1a, 64 bits; each text is followed by its length so that fields cannot run into
/// each other.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn count(&mut self, n: usize) {
        self.bytes(&(n as u64).to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.bytes(s.as_bytes());
        self.count(s.len());
    }

    fn parts(&mut self, parts: &[&str]) {
        for p in parts {
            self.text(p);
        }
    }
}

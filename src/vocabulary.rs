//! Typed vocabularies: Rust enums for the states, actions and roles of a procedure.
//!
//! The generic engine speaks in names (strings), so that definitions can also be loaded
//! from JSON. The built-in procedures name their states, actions and roles with enums that
//! implement [`Vocabulary`], so a misspelled state does not compile, and
//! [`TypedDefinition`](crate::TypedDefinition) turns names back into enum values.
//!
//! The [`vocabulary!`](crate::vocabulary!) macro declares such an enum together with its
//! names in one place.

use std::fmt::Debug;
use std::hash::Hash;

/// A closed set of names used as states, actions or roles of a typed procedure.
///
/// Contract: `name` is injective (no two variants share a name) and
/// `from_name(v.name()) == Some(v)` for every variant in [`ALL`](Vocabulary::ALL).
pub trait Vocabulary: Copy + Eq + Hash + Debug + Send + Sync + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];

    /// The stable name used in definitions, events and snapshots.
    fn name(self) -> &'static str;

    /// The variant with this name, if any.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Declares a `#[non_exhaustive]`-free enum implementing [`Vocabulary`], `Display` and
/// `AsRef<str>`, with a stable snake-case name per variant.
///
/// ```
/// aftersales::vocabulary! {
///     /// States of a tiny ticket.
///     pub enum Ticket {
///         /// Just opened.
///         Open = "open",
///         /// Done.
///         Closed = "closed",
///     }
/// }
/// use aftersales::Vocabulary;
/// assert_eq!(Ticket::Open.name(), "open");
/// assert_eq!(Ticket::from_name("closed"), Some(Ticket::Closed));
/// ```
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $crate::Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn name(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                $crate::Vocabulary::name(*self)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::Vocabulary::name(*self))
            }
        }
    };
}

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
    fn from_name(name: impl AsRef<str>) -> Option<Self> {
        let name = name.as_ref();
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Declares an enum implementing [`Vocabulary`], `Display`, `AsRef<str>`, `Into<Name>` (the
/// interned handle, cached per variant), `Into<GuardExpr>` (so a typed guard name can be
/// passed to [`TransitionBuilder::guard`](crate::TransitionBuilder::guard)), comparison with a
/// [`Name`](crate::Name), serde (serialized as its name) and `JsonSchema` (a string enum), with
/// a stable name per variant.
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
/// const OPEN: &str = Ticket::Open.as_str();
/// assert_eq!(OPEN, "open");
/// assert_eq!(Ticket::from_name("closed"), Some(Ticket::Closed));
/// assert_eq!(serde_json::to_string(&Ticket::Open).unwrap(), "\"open\"");
/// assert!(serde_json::from_str::<Ticket>("\"lost\"").is_err());
/// let handle: aftersales::Name = Ticket::Closed.into();
/// assert_eq!(handle, "closed");
/// assert!(handle == Ticket::Closed);
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

        impl $name {
            /// The variant's stable name, in a `const` context too (the one source of a typed
            /// form's `KIND`: `const KIND: &str = FormKind::Report.as_str();`).
            #[allow(dead_code)]
            $vis const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl $crate::Vocabulary for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl ::core::convert::From<$name> for $crate::Name {
            /// The interned handle of the variant's name (interned once per variant).
            fn from(v: $name) -> $crate::Name {
                static HANDLES: ::std::sync::OnceLock<::std::vec::Vec<$crate::Name>> =
                    ::std::sync::OnceLock::new();
                let all = HANDLES.get_or_init(|| {
                    <$name as $crate::Vocabulary>::ALL
                        .iter()
                        .map(|v| $crate::Name::new($crate::Vocabulary::name(*v)))
                        .collect()
                });
                all.get(v as usize)
                    .copied()
                    .unwrap_or_else(|| $crate::Name::new($crate::Vocabulary::name(v)))
            }
        }

        impl ::core::convert::From<$name> for $crate::GuardExpr {
            fn from(v: $name) -> $crate::GuardExpr {
                $crate::GuardExpr::Named(::std::string::ToString::to_string($crate::Vocabulary::name(v)))
            }
        }

        impl ::core::cmp::PartialEq<$name> for $crate::Name {
            fn eq(&self, other: &$name) -> bool {
                *self == $crate::Name::from(*other)
            }
        }

        impl ::core::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                $crate::Vocabulary::name(*self)
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::Vocabulary::name(*self))
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                let name = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(d)?;
                <Self as $crate::Vocabulary>::from_name(&name).ok_or_else(|| {
                    <D::Error as $crate::__private::serde::de::Error>::custom(::std::format!(
                        "unknown {} `{}`",
                        ::core::stringify!($name),
                        name
                    ))
                })
            }
        }

        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::concat!(::core::module_path!(), "::", ::core::stringify!($name)))
            }

            fn json_schema(_: &mut $crate::__private::schemars::SchemaGenerator) -> $crate::__private::schemars::Schema {
                let names: ::std::vec::Vec<&str> = <Self as $crate::Vocabulary>::ALL
                    .iter()
                    .map(|v| $crate::Vocabulary::name(*v))
                    .collect();
                $crate::__private::schemars::json_schema!({ "type": "string", "enum": names })
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str($crate::Vocabulary::name(*self))
            }
        }
    };
}

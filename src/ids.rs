//! Identifiers, on the ground floor of the crate.
//!
//! - [`Name`]: the name of a state, action, role, deadline, form kind or definition, interned
//!   once per process. A `Name` is a `Copy` handle (one pointer) compared by address, and it
//!   serialises as the name itself, so stored events and JSON stay readable and stable across
//!   builds while the engine never compares or hashes strings on its hot path.
//! - [`InstanceId`], [`ActorId`]: ids chosen by the host, cheap to clone (`Arc<str>`).
//! - [`Region`]: the scope an actor and an instance belong to, chosen by the host (a region,
//!   a branch); see [`Actor::region`](crate::Actor::region).
//! - Crate-private typed indices into a compiled definition (`StateIx`, `TransitionIx`,
//!   `ActionIx`, `RoleIx`, `DeadlineIx`) and the role set `RoleMask`.
//!
//! # Interning
//!
//! Interned names live for the rest of the process (they are never freed), which is what
//! makes a `Name` one pointer. Definitions, typed vocabularies and deserialised events and
//! commands intern their names; a service that accepts names from untrusted clients should
//! resolve them against a definition with [`Name::lookup`] (which never interns) instead of
//! deserialising arbitrary names, so that clients cannot grow the table.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

type Table = HashMap<&'static str, &'static &'static str, foldhash::fast::FixedState>;

static TABLE: LazyLock<RwLock<Table>> = LazyLock::new(|| RwLock::new(Table::default()));

/// An interned name (of a state, action, role, deadline, form kind, guard or definition).
///
/// `Copy`, one pointer wide, compared and hashed by address; ordered, displayed and
/// serialised as the text. Two `Name`s are equal exactly when their texts are.
///
/// ```
/// use aftersales::Name;
/// let a = Name::new("submit");
/// assert_eq!(a, Name::new(String::from("submit")));
/// assert_eq!(a, "submit");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "\"submit\"");
/// ```
#[derive(Clone, Copy)]
pub struct Name(&'static &'static str);

impl Name {
    /// Intern `text` (once per process) and return its handle.
    pub fn new(text: impl AsRef<str>) -> Name {
        let text = text.as_ref();
        if let Some(found) = Name::lookup(text) {
            return found;
        }
        let mut table = TABLE.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(&p) = table.get(text) {
            return Name(p);
        }
        let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
        let handle: &'static &'static str = Box::leak(Box::new(leaked));
        table.insert(leaked, handle);
        Name(handle)
    }

    /// The handle of `text` if it was interned before; never interns.
    pub fn lookup(text: &str) -> Option<Name> {
        let table = TABLE.read().unwrap_or_else(PoisonError::into_inner);
        table.get(text).map(|&p| Name(p))
    }

    /// The text.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.0
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Name {}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(self.0, state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Name) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Name) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.0.cmp(other.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        *self.0 == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == *other.0
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == *other.0
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(*self.0, f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name::new(s)
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Name {
        Name::new(s)
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name::new(s)
    }
}

impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0.to_string()
    }
}

impl Serialize for Name {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Name, D::Error> {
        let text = Cow::<'de, str>::deserialize(d)?;
        Ok(Name::new(text))
    }
}

impl JsonSchema for Name {
    fn schema_name() -> Cow<'static, str> {
        "Name".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

/// Join names with `sep` (for messages).
pub(crate) fn join(names: &[Name], sep: &str) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(n);
    }
    out
}

macro_rules! host_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Eq, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                // By the text, as equality compares it (the pointer is only a shortcut).
                self.0.hash(state);
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                // Clones of one id share their text: compare the pointer first.
                Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
            }
        }

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), &*self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(Arc::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(Arc::from(s))
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                $name(Arc::from(s.as_str()))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                &*self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                &*self.0 == *other
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Cow::<'de, str>::deserialize(d).map(|s| $name(Arc::from(s.as_ref())))
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn inline_schema() -> bool {
                true
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                String::json_schema(generator)
            }
        }
    };
}

host_id! {
    /// The id of an instance (one complaint, one return, ...), chosen by the host. Cheap to
    /// clone.
    InstanceId
}

host_id! {
    /// The id of a person or system acting on an instance. Cheap to clone.
    ActorId
}

host_id! {
    /// A scope the host defines (a sales region, a branch) that actors and instances carry:
    /// an actor acts on an instance of its own region, or through a role the definition
    /// declares region-wide (see [`Builder::region_wide_roles`](crate::Builder::region_wide_roles)).
    /// Compared by its text. Cheap to clone.
    Region
}

macro_rules! index {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) struct $name(u32);

        impl $name {
            /// The index for position `i` (definitions are bounded far below `u32::MAX`).
            pub(crate) fn new(i: usize) -> Self {
                $name(u32::try_from(i).unwrap_or(u32::MAX))
            }

            /// The position.
            pub(crate) fn ix(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index! {
    /// A state of a compiled definition.
    StateIx
}
index! {
    /// A transition of a compiled definition (its position in the spec).
    TransitionIx
}
index! {
    /// An action of a compiled definition.
    ActionIx
}
index! {
    /// A role of a compiled definition (at most 64: bit positions of a [`RoleMask`]).
    RoleIx
}
index! {
    /// A deadline policy of a compiled definition.
    DeadlineIx
}

/// A set of roles of one definition, as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct RoleMask(pub(crate) u64);

impl RoleMask {
    /// Whether the sets share a role.
    pub(crate) fn intersects(self, other: RoleMask) -> bool {
        self.0 & other.0 != 0
    }

    /// The set with `role` added.
    pub(crate) fn with(self, role: RoleIx) -> RoleMask {
        if role.ix() < 64 {
            RoleMask(self.0 | 1 << role.ix())
        } else {
            self
        }
    }

    /// The lowest role of the set, if any.
    pub(crate) fn first(self) -> Option<RoleIx> {
        (self.0 != 0).then(|| RoleIx::new(self.0.trailing_zeros() as usize))
    }

    /// The roles of the set, lowest first.
    pub(crate) fn iter(self) -> impl Iterator<Item = RoleIx> {
        (0..64usize)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(RoleIx::new)
    }
}

/// A fast hash map for handles and ids (foldhash: not DoS-resistant against chosen keys of
/// a hostile peer beyond its per-process seed, which is why ids are hashed with the seeded
/// variant).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

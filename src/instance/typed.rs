//! A typed view of an instance's data, deserialized once per data version and shared by the
//! snapshot's clones, so guards that read typed data do not re-parse JSON on every command.

use std::any::Any;
use std::sync::{Arc, OnceLock};

type View = Arc<dyn Any + Send + Sync>;

/// The cached typed view (at most one type per data version). Not part of the snapshot's
/// value: equality ignores it and serialization skips it.
#[derive(Clone, Default, Debug)]
pub(crate) struct TypedCache(OnceLock<View>);

impl PartialEq for TypedCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The data as `T`: borrowed from the cache, or owned when the cache holds another type.
#[derive(Debug)]
pub enum TypedData<'a, T> {
    /// The cached view.
    Cached(&'a T),
    /// Deserialized for this call (the cache holds a view of another type).
    Owned(T),
}

impl<T> std::ops::Deref for TypedData<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self {
            TypedData::Cached(t) => t,
            TypedData::Owned(t) => t,
        }
    }
}

impl TypedCache {
    /// The view of `value` as `T`, cached on first use.
    pub(crate) fn get<T>(&self, value: &serde_json::Value) -> Result<TypedData<'_, T>, String>
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        let parse = || T::deserialize(value).map_err(|e| format!("malformed data: {e}"));
        if self.0.get().is_none() {
            let view: View = Arc::new(parse()?);
            let _ = self.0.set(view);
        }
        match self.0.get().and_then(|v| v.downcast_ref::<T>()) {
            Some(t) => Ok(TypedData::Cached(t)),
            None => parse().map(TypedData::Owned),
        }
    }

    /// Forget the view (the data changed).
    pub(crate) fn reset(&mut self) {
        self.0 = OnceLock::new();
    }
}

//! A definition seen through the typed vocabularies of a built-in procedure.

use super::Definition;
use crate::instance::Instance;
use crate::vocabulary::Vocabulary;
use std::marker::PhantomData;
use std::sync::Arc;

/// The typed vocabularies do not match the definition (a state or role missing on either
/// side). Raised by [`TypedDefinition::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("definition `{definition}`: {what} `{name}` is in one vocabulary but not the other")]
pub struct VocabularyMismatch {
    /// The definition id.
    pub definition: String,
    /// `state`, `action` or `role`.
    pub what: &'static str,
    /// The name without a counterpart.
    pub name: String,
}

/// Marks the vocabularies without owning values of them (always `Send + Sync`).
type Vocab<S, A, R> = PhantomData<fn() -> (S, A, R)>;

/// A [`Definition`] whose states, actions and roles are the enums `S`, `A`, `R`.
#[derive(Debug)]
pub struct TypedDefinition<S, A, R> {
    definition: Arc<Definition>,
    _vocab: Vocab<S, A, R>,
}

impl<S, A, R> Clone for TypedDefinition<S, A, R> {
    fn clone(&self) -> Self {
        TypedDefinition {
            definition: self.definition.clone(),
            _vocab: PhantomData,
        }
    }
}

fn same<V: Vocabulary>(
    definition: &str,
    what: &'static str,
    names: &[String],
) -> Result<(), VocabularyMismatch> {
    let mismatch = |name: &str| VocabularyMismatch {
        definition: definition.to_owned(),
        what,
        name: name.to_owned(),
    };
    if let Some(v) = V::ALL.iter().find(|v| !names.iter().any(|n| n == v.name())) {
        return Err(mismatch(v.name()));
    }
    match names.iter().find(|n| V::from_name(n).is_none()) {
        Some(n) => Err(mismatch(n)),
        None => Ok(()),
    }
}

impl<S: Vocabulary, A: Vocabulary, R: Vocabulary> TypedDefinition<S, A, R> {
    /// Check that the enums name exactly the definition's states, actions and roles.
    ///
    /// # Errors
    /// The first name without a counterpart.
    pub fn new(definition: Definition) -> Result<Self, VocabularyMismatch> {
        let spec = definition.spec();
        let states: Vec<String> = spec.states.iter().map(|s| s.name.clone()).collect();
        same::<S>(&spec.id, "state", &states)?;
        same::<A>(&spec.id, "action", &spec.actions)?;
        same::<R>(&spec.id, "role", &spec.roles)?;
        Ok(TypedDefinition {
            definition: Arc::new(definition),
            _vocab: PhantomData,
        })
    }

    /// The untyped definition, for the engine.
    pub fn definition(&self) -> &Arc<Definition> {
        &self.definition
    }

    /// The typed state of an instance of this definition (`None` if the instance belongs to
    /// another definition).
    pub fn state(&self, instance: &Instance) -> Option<S> {
        S::from_name(instance.state())
    }

    /// The typed actions available from `state`, in definition order.
    pub fn actions_from(&self, state: S) -> Vec<A> {
        self.definition
            .actions_from(state.name())
            .into_iter()
            .filter_map(A::from_name)
            .collect()
    }

    /// The roles of this procedure, typed.
    pub fn roles(&self) -> &'static [R] {
        R::ALL
    }
}

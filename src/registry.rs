//! The registry binds the names a definition uses to code: guards, effects, form
//! validators, duration selectors, and the business calendar deadlines are computed in.
//!
//! The calendar is always the host's explicit choice: [`Registry::new`] has none, and a
//! definition with deadlines built without one (and naming none) is refused by `build()`
//! with [`Problem::NoCalendar`](crate::Problem::NoCalendar), reported with every other
//! problem. [`Registry::with_calendar`] or [`Registry::calendar`] choose it, e.g.
//! [`BusinessCalendar::asia_shanghai`] (feature `tz`) or
//! [`BusinessCalendar::china_standard`] for the product's Chinese working week.
//!
//! JSON definitions name their guards; the host registers the code under those names before
//! building. The built-in procedures come with a registry of their own.

#[cfg(doc)]
use crate::calendar::BusinessCalendar;
use crate::calendar::Calendar;
use crate::context::Context;
use crate::effect::Effect;
use crate::form::{FormValidator, TypedForm};
use crate::guard::Guard;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Picks the case of a data-dependent deadline duration from the instance data (e.g. the
/// customer class `"A"`). `None` means "use the default case".
pub type Selector = dyn Fn(&Value) -> Option<String> + Send + Sync;

/// Names bound to code, used by [`DefinitionSpec::build`](crate::DefinitionSpec::build).
/// [`Default`] is [`Registry::new`]: empty, no calendar.
#[derive(Clone, Default)]
pub struct Registry {
    pub(crate) guards: BTreeMap<String, Arc<dyn Guard>>,
    pub(crate) effects: BTreeMap<String, Arc<dyn Effect>>,
    pub(crate) forms: BTreeMap<String, Arc<dyn FormValidator>>,
    /// JSON Schemas of the typed forms ([`Registry::typed_form`]), by kind.
    pub(crate) form_schemas: BTreeMap<String, fn() -> schemars::Schema>,
    pub(crate) selectors: BTreeMap<String, Arc<Selector>>,
    /// The calendar for definitions that name none; `None` until the host chooses one.
    pub(crate) calendar: Option<Arc<dyn Calendar>>,
    /// Calendars a definition may name (`DefinitionSpec::calendar`).
    pub(crate) calendars: BTreeMap<String, Arc<dyn Calendar>>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("guards", &self.guards.keys().collect::<Vec<_>>())
            .field("effects", &self.effects.keys().collect::<Vec<_>>())
            .field("forms", &self.forms.keys().collect::<Vec<_>>())
            .field("selectors", &self.selectors.keys().collect::<Vec<_>>())
            .field("calendar", &self.calendar)
            .field("calendars", &self.calendars.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// An empty registry **without a calendar**: building a definition with deadlines needs
    /// one (set with [`calendar`](Self::calendar) or named by the definition), otherwise
    /// `build()` reports [`Problem::NoCalendar`](crate::Problem::NoCalendar). Definitions
    /// without deadlines need none.
    ///
    /// ```
    /// use aftersales::{BuildError, Builder, BusinessDuration, DeadlineSpec, Problem, Registry,
    ///     Trigger};
    /// let ticket = Builder::new("ticket", 1)
    ///     .roles(["clerk"]).start_roles(["clerk"])
    ///     .initial("open").terminal("done")
    ///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
    ///     .deadline(DeadlineSpec::new(
    ///         "answer", Trigger::enter("open"), BusinessDuration::WorkingHours(4)));
    /// let Err(BuildError::Invalid { problems, .. }) = ticket.clone().build(&Registry::new()) else {
    ///     panic!("a deadline without a calendar must be refused");
    /// };
    /// assert!(problems.contains(&Problem::NoCalendar { deadlines: vec!["answer".into()] }));
    /// # #[cfg(feature = "tz")]
    /// ticket.build(&Registry::with_calendar(aftersales::BusinessCalendar::asia_shanghai()))?;
    /// # Ok::<(), BuildError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty registry computing deadlines in `calendar` (the host's explicit choice).
    pub fn with_calendar(calendar: impl Calendar + 'static) -> Self {
        Self::new().calendar(calendar)
    }

    /// The calendar for definitions that name none, if the host chose one.
    pub fn default_calendar(&self) -> Option<&Arc<dyn Calendar>> {
        self.calendar.as_ref()
    }

    /// Register a guard function or closure under `name` (replacing any earlier one). A
    /// closure needs no type annotation:
    ///
    /// ```
    /// use aftersales::Registry;
    /// let registry = Registry::new().guard("has_payload", |ctx| {
    ///     if ctx.payload.is_null() { Err("no payload".into()) } else { Ok(()) }
    /// });
    /// # let _ = registry;
    /// ```
    #[must_use]
    pub fn guard<F>(self, name: impl AsRef<str>, guard: F) -> Self
    where
        F: Fn(&Context<'_>) -> Result<(), String> + Send + Sync + 'static,
    {
        self.guard_object(name, guard)
    }

    /// Register any [`Guard`] implementation under `name`.
    #[must_use]
    pub fn guard_object(mut self, name: impl AsRef<str>, guard: impl Guard + 'static) -> Self {
        self.guards
            .insert(name.as_ref().to_owned(), Arc::new(guard));
        self
    }

    /// Register an effect function or closure under `name` (no annotation needed on a
    /// closure's parameters).
    #[must_use]
    pub fn effect<F>(self, name: impl AsRef<str>, effect: F) -> Self
    where
        F: Fn(&mut Value, &Context<'_>) -> Result<(), String> + Send + Sync + 'static,
    {
        self.effect_object(name, effect)
    }

    /// Register any [`Effect`] implementation under `name`.
    #[must_use]
    pub fn effect_object(mut self, name: impl AsRef<str>, effect: impl Effect + 'static) -> Self {
        self.effects
            .insert(name.as_ref().to_owned(), Arc::new(effect));
        self
    }

    /// Register a validator for form kind `kind`. Form kinds with no validator accept any
    /// JSON object.
    #[must_use]
    pub fn form(mut self, kind: impl AsRef<str>, validator: impl FormValidator + 'static) -> Self {
        self.forms
            .insert(kind.as_ref().to_owned(), Arc::new(validator));
        self
    }

    /// Register a typed form: the body must deserialize into `T` and pass `T::validate`.
    /// The form's JSON Schema is kept with it ([`Definition::form_schema`](crate::Definition::form_schema)).
    #[must_use]
    pub fn typed_form<T: TypedForm + 'static>(mut self) -> Self {
        self.form_schemas
            .insert(T::KIND.to_owned(), crate::form::schema_of::<T>);
        self.form(T::KIND, |body: &Value| {
            let form: T =
                T::deserialize(body).map_err(|e| format!("malformed {}: {e}", T::KIND))?;
            form.validate()
        })
    }

    /// Record `T`'s JSON Schema for form kind `kind` (for kinds validated by a function of
    /// their own with [`form`](Self::form); [`typed_form`](Self::typed_form) records it
    /// itself).
    #[must_use]
    pub fn form_schema<T: schemars::JsonSchema>(mut self, kind: impl AsRef<str>) -> Self {
        self.form_schemas
            .insert(kind.as_ref().to_owned(), crate::form::schema_of::<T>);
        self
    }

    /// Register a duration selector under `name`. Selector names starting with `/` need no
    /// registration: they are JSON pointers into the instance data.
    #[must_use]
    pub fn selector(
        mut self,
        name: impl Into<String>,
        selector: impl Fn(&Value) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.selectors.insert(name.into(), Arc::new(selector));
        self
    }

    /// Use `calendar` for every deadline of definitions built with this registry.
    #[must_use]
    pub fn calendar(mut self, calendar: impl Calendar + 'static) -> Self {
        self.calendar = Some(Arc::new(calendar));
        self
    }

    /// Use a shared calendar.
    #[must_use]
    pub fn shared_calendar(mut self, calendar: Arc<dyn Calendar>) -> Self {
        self.calendar = Some(calendar);
        self
    }

    /// Register `calendar` under `name`, for definitions that name their calendar
    /// (`"calendar": "shanghai-plant"` in JSON, [`Builder::calendar`](crate::Builder::calendar)).
    ///
    /// ```
    /// use aftersales::{BusinessCalendar, Builder, Registry};
    /// let registry = Registry::new().named_calendar("plant", BusinessCalendar::china_standard());
    /// let def = Builder::new("repair", 1)
    ///     .roles(["clerk"]).start_roles(["clerk"])
    ///     .initial("open").terminal("done")
    ///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
    ///     .calendar("plant")
    ///     .build(&registry)?;
    /// # let _ = def;
    /// # Ok::<(), aftersales::BuildError>(())
    /// ```
    #[must_use]
    pub fn named_calendar(
        mut self,
        name: impl AsRef<str>,
        calendar: impl Calendar + 'static,
    ) -> Self {
        self.calendars
            .insert(name.as_ref().to_owned(), Arc::new(calendar));
        self
    }

    /// Add every binding of `other` (its default calendar is ignored; its named calendars
    /// are added).
    #[must_use]
    pub fn merge(mut self, other: Registry) -> Self {
        self.guards.extend(other.guards);
        self.effects.extend(other.effects);
        self.forms.extend(other.forms);
        self.form_schemas.extend(other.form_schemas);
        self.selectors.extend(other.selectors);
        self.calendars.extend(other.calendars);
        self
    }
}

//! Guides: longer walkthroughs, one page each. Their examples are doctests, so they compile
//! and run with the crate's tests.
//!
//! - [`json_definition`]: authoring a definition in JSON, a complete annotated example.
//! - [`store`]: implementing a [`Store`](crate::Store), checked by the conformance suite.
//! - [`async_service`]: embedding in an async service: `AsyncEngine`, `PostgresStore`,
//!   leases for due work and the transactional outbox.
//! - [`procedure`]: writing a procedure, and the template every built-in procedure follows.

#[doc = include_str!("../docs/guides/json-definition.md")]
pub mod json_definition {}

#[doc = include_str!("../docs/guides/store.md")]
pub mod store {}

#[doc = include_str!("../docs/guides/async-service.md")]
pub mod async_service {}

#[doc = include_str!("../docs/guides/procedure.md")]
#[doc = include_str!("../docs/procedures/README.md")]
pub mod procedure {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    /// The JSON shown in the guide is the JSON its doctest builds and runs: the first ```json
    /// block equals the doctest's hidden `JSON` constant, and it parses as a spec.
    #[test]
    fn json_guide_shows_the_definition_its_doctest_runs() {
        let page = include_str!("../docs/guides/json-definition.md");
        let shown = page
            .split("```json\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .expect("the guide shows a JSON definition");
        let start = page
            .find("# const JSON: &str = r#\"")
            .expect("the doctest holds the JSON");
        let hidden: String = page[start..]
            .lines()
            .take_while(|l| !l.starts_with("# }\"#;"))
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect::<Vec<_>>()
            .join("\n")
            .replacen("const JSON: &str = r#\"", "", 1)
            + "\n}";
        let shown_value: serde_json::Value = serde_json::from_str(shown).unwrap();
        let hidden_value: serde_json::Value = serde_json::from_str(&hidden).unwrap();
        assert_eq!(shown_value, hidden_value);
        let spec = crate::DefinitionSpec::from_json(shown).unwrap();
        assert_eq!(spec.id, "repair");
        assert_eq!(spec.transitions.len(), 4);
    }
}

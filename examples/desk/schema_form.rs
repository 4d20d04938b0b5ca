//! HTML forms generated from a form's JSON Schema (as schemars writes it), and the parse of
//! a submitted form back into JSON with errors by field.
//!
//! Handles what the built-in forms use: objects (nested), arrays of objects (rows added and
//! removed by a little script), arrays of strings (one per line), string enums (a select),
//! strings, integers, numbers, booleans, dates (`format: date`), instants (`date-time`,
//! RFC 3339), optional fields (`null` alternatives, not `required`) and optional objects (an
//! "include" box). Anything else (tagged unions of objects) is edited as a JSON text area:
//! the fallback keeps every schema editable.
//!
//! Field names are JSON paths joined by `.`: `f.<kind>.d2.description`, array rows
//! `...items.0.name`.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Errors by field name.
pub(crate) type Errors = BTreeMap<String, String>;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema with its `$defs` at hand.
pub(crate) struct Schema<'a> {
    root: &'a Value,
    /// The errors of the last submission, shown next to their fields.
    errors: Option<&'a Errors>,
}

/// What a schema node is, for rendering and parsing.
enum Shape<'a> {
    Object(&'a Value),
    Array(&'a Value),
    Enum(Vec<String>),
    Text(Option<&'a str>),
    Integer,
    Number,
    Boolean,
    Json,
}

impl<'a> Schema<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Schema { root, errors: None }
    }

    pub(crate) fn with_errors(root: &'a Value, errors: &'a Errors) -> Self {
        Schema {
            root,
            errors: Some(errors),
        }
    }

    /// Follows `$ref`s into `$defs`.
    fn resolve(&self, mut node: &'a Value) -> &'a Value {
        for _ in 0..16 {
            let Some(r) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let name = r.rsplit('/').next().unwrap_or_default();
            match self
                .root
                .get("$defs")
                .or_else(|| self.root.get("definitions"))
                .and_then(|d| d.get(name))
            {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The node without its `null` alternative, and whether it had one.
    fn strip_null(&self, node: &'a Value) -> (&'a Value, bool) {
        let node = self.resolve(node);
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = node.get(key).and_then(Value::as_array) {
                let non_null: Vec<&Value> = alts
                    .iter()
                    .filter(|a| a.get("type").and_then(Value::as_str) != Some("null"))
                    .collect();
                if non_null.len() == 1 && alts.len() == 2 {
                    return (self.resolve(non_null[0]), true);
                }
            }
        }
        (node, false)
    }

    fn shape(&self, node: &'a Value) -> Shape<'a> {
        if let Some(values) = node.get("enum").and_then(Value::as_array) {
            return Shape::Enum(strings(values));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = node.get(key).and_then(Value::as_array) {
                let consts: Vec<String> = alts
                    .iter()
                    .map(|a| self.resolve(a))
                    .filter_map(|a| {
                        a.get("const")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .or_else(|| match a.get("enum").and_then(Value::as_array) {
                                Some(v) if v.len() == 1 => v[0].as_str().map(str::to_owned),
                                _ => None,
                            })
                    })
                    .collect();
                if consts.len() == alts.len() {
                    return Shape::Enum(consts);
                }
                return Shape::Json;
            }
        }
        let ty = match node.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ => "",
        };
        match ty {
            "object" if node.get("properties").is_some() => Shape::Object(node),
            "array" => Shape::Array(node.get("items").unwrap_or(&Value::Null)),
            "string" => Shape::Text(node.get("format").and_then(Value::as_str)),
            "integer" => Shape::Integer,
            "number" => Shape::Number,
            "boolean" => Shape::Boolean,
            _ => Shape::Json,
        }
    }

    fn nullable(node: &Value) -> bool {
        matches!(node.get("type"), Some(Value::Array(ts)) if ts.iter().any(|t| t == "null"))
    }
}

fn strings(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn title(name: &str) -> String {
    name.replace('_', " ")
}

fn description(node: &Value) -> String {
    node.get("description")
        .and_then(Value::as_str)
        .map(|d| format!(" title=\"{}\"", esc(d)))
        .unwrap_or_default()
}

/// Renders HTML fields for `node` at `path` with `value`.
pub(crate) fn render(
    s: &Schema<'_>,
    node: &Value,
    (path, label, required): (&str, &str, bool),
    value: &Value,
    out: &mut String,
) {
    let (node, had_null) = s.strip_null(node);
    let optional = !required || had_null || Schema::nullable(node);
    let err = s
        .errors
        .and_then(|e| e.get(path))
        .map(|e| {
            format!(
                "<span class=\"err\" data-field=\"{}\">{}</span>",
                esc(path),
                esc(e)
            )
        })
        .unwrap_or_default();
    let mark = if optional {
        ""
    } else {
        " <b title=\"required\">*</b>"
    };
    let tip = description(node);
    match s.shape(node) {
        Shape::Object(obj) => {
            let include = if optional && !label.is_empty() {
                let on = if value.is_object() { " checked" } else { "" };
                format!(
                    " <label class=\"inc\"><input type=\"checkbox\" name=\"{}.__present\" value=\"1\"{on}> include</label>",
                    esc(path)
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<fieldset class=\"obj\"><legend{tip}>{}{mark}{include}</legend>{err}",
                esc(&title(label))
            );
            let req: Vec<&str> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = obj.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    let v = value.get(name).unwrap_or(&Value::Null);
                    let field = format!("{path}.{name}");
                    let required = req.contains(&name.as_str());
                    render(s, sub, (&field, name, required), v, out);
                }
            }
            out.push_str("</fieldset>");
        }
        Shape::Array(items) => {
            render_array(s, items, (path, label), value, (&tip, mark, &err), out)
        }
        Shape::Enum(options) => {
            let current = value.as_str().unwrap_or_default();
            let _ = write!(
                out,
                "<label class=\"field\"><span{tip}>{}{mark}</span><select name=\"{}\">",
                esc(&title(label)),
                esc(path)
            );
            if optional {
                out.push_str("<option value=\"\">—</option>");
            }
            for o in options {
                let sel = if o == current { " selected" } else { "" };
                let _ = write!(out, "<option{sel}>{}</option>", esc(&o));
            }
            let _ = write!(out, "</select>{err}</label>");
        }
        Shape::Boolean => {
            let on = if value.as_bool() == Some(true) {
                " checked"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<label class=\"field check\"><input type=\"checkbox\" name=\"{}\" value=\"true\"{on}><span{tip}>{}</span>{err}</label>",
                esc(path),
                esc(&title(label))
            );
        }
        Shape::Integer | Shape::Number | Shape::Text(_) => {
            let (ty, extra) = match s.shape(node) {
                Shape::Integer => ("number", " step=\"1\""),
                Shape::Number => ("number", " step=\"any\""),
                Shape::Text(Some("date")) => ("date", ""),
                _ => ("text", ""),
            };
            let v = match value {
                Value::String(t) => t.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            let _ = write!(
                out,
                "<label class=\"field\"><span{tip}>{}{mark}</span><input type=\"{ty}\"{extra} name=\"{}\" value=\"{}\">{err}</label>",
                esc(&title(label)),
                esc(path),
                esc(&v)
            );
        }
        Shape::Json => json_field(path, label, &tip, mark, value, &err, out),
    }
}

/// Renders a list: rows of objects (added and removed by the page's script), strings one per
/// line, anything else as JSON.
fn render_array(
    s: &Schema<'_>,
    items: &Value,
    (path, label): (&str, &str),
    value: &Value,
    (tip, mark, err): (&str, &str, &str),
    out: &mut String,
) {
    let items = s.resolve(items);
    let rows: &[Value] = value.as_array().map(Vec::as_slice).unwrap_or_default();
    match s.shape(s.strip_null(items).0) {
        Shape::Object(_) => {
            let _ = write!(
                out,
                "<fieldset class=\"arr\" data-path=\"{}\"><legend{tip}>{} (list){mark}</legend>{err}<div class=\"rows\">",
                esc(path),
                esc(&title(label))
            );
            for (i, row) in rows.iter().enumerate() {
                out.push_str("<div class=\"row\">");
                let (field, name) = (format!("{path}.{i}"), format!("{label} {}", i + 1));
                render(s, items, (&field, &name, true), row, out);
                out.push_str("<button type=\"button\" class=\"rm\" onclick=\"this.parentNode.remove()\">remove</button></div>");
            }
            out.push_str("</div><template>");
            let mut t = String::new();
            // The template of a new row: no values, no errors.
            let (field, name) = (format!("{path}.__N"), format!("{label} (new)"));
            let plain = Schema::new(s.root);
            render(&plain, items, (&field, &name, true), &Value::Null, &mut t);
            out.push_str(&t);
            out.push_str("<button type=\"button\" class=\"rm\" onclick=\"this.parentNode.remove()\">remove</button></template>");
            let _ = write!(
                out,
                "<button type=\"button\" class=\"add\" onclick=\"addRow(this)\">add {}</button></fieldset>",
                esc(&title(label))
            );
        }
        Shape::Text(_) | Shape::Enum(_) => {
            let text: Vec<String> = rows
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let _ = write!(
                out,
                "<label class=\"field\"><span{tip}>{} (one per line){mark}</span><textarea name=\"{}\" rows=\"3\" cols=\"60\">{}</textarea>{err}</label>",
                esc(&title(label)),
                esc(path),
                esc(&text.join("\n"))
            );
        }
        _ => json_field(path, label, tip, mark, value, err, out),
    }
}

fn json_field(
    path: &str,
    label: &str,
    tip: &str,
    mark: &str,
    value: &Value,
    err: &str,
    out: &mut String,
) {
    let text = if value.is_null() {
        String::new()
    } else {
        value.to_string()
    };
    let _ = write!(
        out,
        "<label class=\"field\"><span{tip}>{} (JSON){mark}</span><textarea name=\"{}.__json\" rows=\"3\" cols=\"60\">{}</textarea>{err}</label>",
        esc(&title(label)),
        esc(path),
        esc(&text)
    );
}

/// Reads the submitted fields of `node` at `path` back into JSON (`None`: absent).
pub(crate) fn parse(
    s: &Schema<'_>,
    node: &Value,
    path: &str,
    required: bool,
    fields: &HashMap<String, String>,
    errors: &mut Errors,
) -> Option<Value> {
    let (node, had_null) = s.strip_null(node);
    let optional = !required || had_null || Schema::nullable(node);
    let raw = fields.get(path).map(|v| v.trim()).filter(|v| !v.is_empty());
    let missing = |errors: &mut Errors| {
        if !optional {
            errors.insert(path.to_owned(), "required".into());
        }
        None
    };
    match s.shape(node) {
        Shape::Object(obj) => {
            let is_top = !path.contains('.') || path.matches('.').count() == 1;
            if optional && !is_top && !fields.contains_key(&format!("{path}.__present")) {
                return None;
            }
            let req: Vec<&str> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut map = Map::new();
            if let Some(props) = obj.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    let p = format!("{path}.{name}");
                    if let Some(v) = parse(s, sub, &p, req.contains(&name.as_str()), fields, errors)
                    {
                        map.insert(name.clone(), v);
                    }
                }
            }
            Some(Value::Object(map))
        }
        Shape::Array(items) => {
            let items = s.resolve(items);
            match s.shape(s.strip_null(items).0) {
                Shape::Object(_) => {
                    let prefix = format!("{path}.");
                    let mut rows: Vec<usize> = fields
                        .keys()
                        .filter_map(|k| k.strip_prefix(&prefix)?.split('.').next()?.parse().ok())
                        .collect();
                    rows.sort_unstable();
                    rows.dedup();
                    let out: Vec<Value> = rows
                        .into_iter()
                        .filter_map(|i| {
                            parse(s, items, &format!("{path}.{i}"), true, fields, errors)
                        })
                        .collect();
                    Some(Value::Array(out))
                }
                Shape::Text(_) | Shape::Enum(_) => Some(Value::Array(
                    raw.unwrap_or_default()
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Value::String(l.to_owned()))
                        .collect(),
                )),
                _ => parse_json(path, optional, fields, errors),
            }
        }
        Shape::Boolean => Some(Value::Bool(raw == Some("true"))),
        Shape::Enum(options) => match raw {
            None => missing(errors),
            Some(v) if options.iter().any(|o| o == v) => Some(Value::String(v.to_owned())),
            Some(v) => {
                errors.insert(path.to_owned(), format!("`{v}` is not one of the choices"));
                Some(Value::String(v.to_owned()))
            }
        },
        Shape::Integer | Shape::Number => match raw {
            None => missing(errors),
            Some(v) => match serde_json::from_str::<serde_json::Number>(v) {
                Ok(n) if matches!(s.shape(node), Shape::Number) || n.is_i64() || n.is_u64() => {
                    if n.as_f64().is_some_and(|x| x < 0.0)
                        && node
                            .get("minimum")
                            .and_then(Value::as_f64)
                            .is_some_and(|m| m >= 0.0)
                    {
                        errors.insert(path.to_owned(), "must not be negative".into());
                    }
                    Some(Value::Number(n))
                }
                _ => {
                    errors.insert(
                        path.to_owned(),
                        format!("`{v}` is not a number of this kind"),
                    );
                    Some(Value::String(v.to_owned()))
                }
            },
        },
        Shape::Text(format) => match raw {
            // An empty text is a value (the form's own validation judges it); an empty date
            // is not.
            None if format.is_none() && !optional => Some(Value::String(String::new())),
            None => missing(errors),
            Some(v) => {
                let bad = match format {
                    Some("date") => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_err(),
                    Some("date-time") => chrono::DateTime::parse_from_rfc3339(v).is_err(),
                    _ => false,
                };
                if bad {
                    let want = if format == Some("date") {
                        "a date (YYYY-MM-DD)"
                    } else {
                        "an instant (RFC 3339)"
                    };
                    errors.insert(path.to_owned(), format!("`{v}` is not {want}"));
                }
                Some(Value::String(v.to_owned()))
            }
        },
        Shape::Json => parse_json(path, optional, fields, errors),
    }
}

fn parse_json(
    path: &str,
    optional: bool,
    fields: &HashMap<String, String>,
    errors: &mut Errors,
) -> Option<Value> {
    let raw = fields
        .get(&format!("{path}.__json"))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty());
    match raw {
        None => {
            if !optional {
                errors.insert(path.to_owned(), "required".into());
            }
            None
        }
        Some(text) => match serde_json::from_str(text) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.insert(path.to_owned(), format!("not JSON: {e}"));
                None
            }
        },
    }
}

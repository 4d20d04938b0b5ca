//! Data transformations addressed by JSON Pointer (RFC 6901).

use super::DataOp;
use super::TransformFn;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Whether `ptr` is a well-formed JSON Pointer (`root_ok`: the whole document, `""`, too).
pub(super) fn check_pointer(ptr: &str, root_ok: bool) -> Result<(), String> {
    if ptr.is_empty() {
        return if root_ok {
            Ok(())
        } else {
            Err("addresses the whole data, which cannot be moved, set or removed".into())
        };
    }
    if !ptr.starts_with('/') {
        return Err("does not start with `/`".into());
    }
    let mut chars = ptr.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.peek(), Some('0' | '1')) {
            return Err("has a `~` not followed by `0` or `1`".into());
        }
    }
    Ok(())
}

/// The parent pointer and the last reference token (unescaped) of a non-root pointer.
fn split(ptr: &str) -> (&str, String) {
    let cut = ptr.rfind('/').unwrap_or(0);
    let token = ptr[cut + 1..].replace("~1", "/").replace("~0", "~");
    (&ptr[..cut], token)
}

/// Set `value` at `ptr`: the parent must be an object (any key) or an array (an index up
/// to its length, or `-` to append).
fn set(data: &mut Value, ptr: &str, value: Value) -> Result<(), String> {
    let (parent, token) = split(ptr);
    match data.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.insert(token, value);
            Ok(())
        }
        Some(Value::Array(items)) => {
            let at = if token == "-" {
                items.len()
            } else {
                token
                    .parse::<usize>()
                    .map_err(|_| format!("`{token}` is not an array index"))?
            };
            match at.cmp(&items.len()) {
                std::cmp::Ordering::Less => items[at] = value,
                std::cmp::Ordering::Equal => items.push(value),
                std::cmp::Ordering::Greater => {
                    return Err(format!("index {at} is past the end of `{parent}`"));
                }
            }
            Ok(())
        }
        Some(_) => Err(format!("`{parent}` holds neither an object nor an array")),
        None => Err(format!("nothing at `{parent}`, the parent of `{ptr}`")),
    }
}

/// Remove and return the value at `ptr`, if any.
fn take(data: &mut Value, ptr: &str) -> Option<Value> {
    let (parent, token) = split(ptr);
    match data.pointer_mut(parent)? {
        Value::Object(map) => map.remove(&token),
        Value::Array(items) => {
            let at = token.parse::<usize>().ok().filter(|&i| i < items.len())?;
            Some(items.remove(at))
        }
        _ => None,
    }
}

/// Apply `ops` to `data`; the description of each operation that changed something.
pub(super) fn apply(
    ops: &[DataOp],
    functions: &BTreeMap<String, Arc<TransformFn>>,
    data: &mut Value,
) -> Result<Vec<String>, (usize, String)> {
    let mut changes = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let before = data.clone();
        let described = match op {
            DataOp::Move { from, path } => {
                match take(data, from) {
                    Some(v) => set(data, path, v).map_err(|e| (i, e))?,
                    // Moved already (e.g. by hand): nothing to do.
                    None if data.pointer(path).is_some() => {}
                    None => return Err((i, format!("nothing at `{from}` to move"))),
                }
                format!("moved {from} to {path}")
            }
            DataOp::Copy { from, path } => {
                let v = data
                    .pointer(from)
                    .cloned()
                    .ok_or_else(|| (i, format!("nothing at `{from}` to copy")))?;
                set(data, path, v).map_err(|e| (i, e))?;
                format!("copied {from} to {path}")
            }
            DataOp::SetDefault { path, value } => {
                if data.pointer(path).is_none() {
                    set(data, path, value.clone()).map_err(|e| (i, e))?;
                }
                format!("set {path} to {value}")
            }
            DataOp::Remove { path } => {
                take(data, path);
                format!("removed {path}")
            }
            DataOp::Function { name } => {
                let f = functions
                    .get(name)
                    .ok_or_else(|| (i, format!("no function `{name}`")))?;
                f(data).map_err(|e| (i, format!("`{name}`: {e}")))?;
                format!("ran {name}")
            }
        };
        if *data != before {
            changes.push(described);
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointers_are_checked_and_escaped() {
        assert!(check_pointer("/a~1b", false).is_ok());
        assert!(check_pointer("a", false).is_err());
        assert!(check_pointer("/a~2", false).is_err());
        assert!(check_pointer("", false).is_err());
        assert!(check_pointer("", true).is_ok());
        let mut data = json!({"a/b": 1, "list": [1, 2]});
        let ops = vec![
            DataOp::Move {
                from: "/a~1b".into(),
                path: "/c".into(),
            },
            DataOp::SetDefault {
                path: "/list/-".into(),
                value: json!(3),
            },
            DataOp::Remove {
                path: "/missing".into(),
            },
        ];
        let changes = apply(&ops, &BTreeMap::new(), &mut data).unwrap();
        assert_eq!(data, json!({"c": 1, "list": [1, 2, 3]}));
        assert_eq!(
            changes.len(),
            2,
            "removing nothing changes nothing: {changes:?}"
        );
        let bad = [DataOp::Copy {
            from: "/nope".into(),
            path: "/x".into(),
        }];
        assert_eq!(apply(&bad, &BTreeMap::new(), &mut data).unwrap_err().0, 0);
    }
}

//! Postman environment exports: `{"name", "values": [{"key", "value", "type",
//! "enabled"}], "_postman_variable_scope": "environment"}`.

use std::path::Path;

use serde::Deserialize;

use super::classify::{guess_kind, guess_provider, looks_secret};
use super::{ImportError, ImportItem, line_error};
use keyward_model::SecretValue;

#[derive(Deserialize)]
struct Environment {
    #[serde(rename = "_postman_variable_scope")]
    scope: Option<String>,
    values: Option<Vec<serde_json::Value>>,
    info: Option<serde_json::Value>,
    item: Option<serde_json::Value>,
}

pub(super) fn items(path: &Path, text: &str) -> Result<Vec<ImportItem>, ImportError> {
    let wrong = |reason: String| ImportError::WrongFormat {
        path: path.to_owned(),
        reason,
    };
    let environment: Environment = serde_json::from_str(text).map_err(|error| {
        // serde_json's messages carry no input text, only positions.
        line_error(path, error.line(), format!("invalid JSON: {error}"))
    })?;
    if environment.info.is_some() && environment.item.is_some() {
        return Err(wrong(
            "this is a Postman collection; export the environment instead".into(),
        ));
    }
    if let Some(scope) = environment
        .scope
        .as_deref()
        .filter(|scope| *scope != "environment")
    {
        return Err(wrong(format!(
            "this is a Postman `{scope}` export, not an environment"
        )));
    }
    let values = environment
        .values
        .ok_or_else(|| wrong("not a Postman environment: no `values` list".into()))?;
    let mut items = Vec::new();
    for (index, raw) in values.into_iter().enumerate() {
        let line = line_of_value(text, index);
        let object = raw
            .as_object()
            .ok_or_else(|| line_error(path, line, format!("values[{index}] is not an object")))?;
        let key = object
            .get("key")
            .and_then(|key| key.as_str())
            .filter(|key| !key.is_empty())
            .ok_or_else(|| line_error(path, line, format!("values[{index}] has no `key`")))?;
        let value = match object.get("value") {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let enabled = object
            .get("enabled")
            .and_then(|enabled| enabled.as_bool())
            .unwrap_or(true);
        let marked_secret = object.get("type").and_then(|kind| kind.as_str()) == Some("secret");
        let skip = if !enabled {
            Some("disabled in Postman".to_owned())
        } else if value.is_empty() {
            Some("empty value".to_owned())
        } else if !(marked_secret || looks_secret(key, &value)) {
            Some("does not look like a secret".to_owned())
        } else {
            None
        };
        items.push(ImportItem {
            name: key.to_owned(),
            kind: guess_kind(key, &value),
            provider: guess_provider(key, &value),
            integration: None,
            hosts: Vec::new(),
            rotate_every_days: None,
            notes: None,
            line,
            value: SecretValue::from_string(value),
            skip,
        });
    }
    Ok(items)
}

/// The line on which the `index`th object of the `values` array starts; Postman files
/// are pretty-printed, one value object per few lines, so errors can point at a line.
fn line_of_value(text: &str, index: usize) -> usize {
    let Some(values_at) = text.find("\"values\"") else {
        return 1;
    };
    let mut depth = 0i32;
    let mut seen = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, c) in text[values_at..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                if c == '{' && depth == 1 {
                    if seen == index {
                        return text[..values_at + offset].matches('\n').count() + 1;
                    }
                    seen += 1;
                }
                depth += 1;
            }
            ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    1
}

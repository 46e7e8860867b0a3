//! The one error type of the headphones subsystem, and the helpers that turn a byte offset in a
//! profile into the line, column and field a person can find in an editor.
//!
//! A profile is hand-written TOML, so every error must say which file, which line and which
//! field is wrong; "invalid profile" alone would leave the author guessing. TOML's own errors
//! carry a byte span but not always the key (a wrong type names only the value), so the key is
//! recovered from the text around the span.

use std::ops::Range;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What went wrong while reading profiles or the user's headphone declarations.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum ProfileError {
    #[error("cannot read the headphone profile folder ({reason}): {}", path.display())]
    ReadFolder { path: PathBuf, reason: String },
    #[error("cannot read headphone profile ({reason}): {}", path.display())]
    ReadFile { path: PathBuf, reason: String },
    /// The file is not valid TOML, does not follow the schema, or holds an impossible value.
    #[error(
        "bad headphone profile (line {line}, column {column}{}: {problem}): {}",
        field.as_deref().map(|f| format!(", field `{f}`")).unwrap_or_default(),
        file.display()
    )]
    Invalid {
        file: PathBuf,
        line: usize,
        column: usize,
        /// Dotted key path (`impedance.ohm`, `match[2].words`; rules count from 1).
        field: Option<String>,
        problem: String,
    },
    /// Two profiles from the same place (both shipped, or both the user's) claim one id.
    #[error(
        "headphone profile id `{id}` (line {line}, field `id`) is already used by {}; this file is skipped: {}",
        first.display(),
        file.display()
    )]
    DuplicateId {
        id: String,
        file: PathBuf,
        line: usize,
        first: PathBuf,
    },
    #[error("no config folder for this user (HOME unset?)")]
    NoConfigDir,
    #[error("cannot read headphone declarations ({reason}): {}", path.display())]
    DeclarationsRead { path: PathBuf, reason: String },
    #[error("headphone declarations are damaged (line {line}: {problem}): {}", path.display())]
    DeclarationsParse {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("cannot save headphone declarations ({reason}): {}", path.display())]
    DeclarationsWrite { path: PathBuf, reason: String },
}

impl ProfileError {
    /// The file the error is about.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::ReadFolder { path, .. }
            | Self::ReadFile { path, .. }
            | Self::DeclarationsRead { path, .. }
            | Self::DeclarationsParse { path, .. }
            | Self::DeclarationsWrite { path, .. } => Some(path),
            Self::Invalid { file, .. } | Self::DuplicateId { file, .. } => Some(file),
            Self::NoConfigDir => None,
        }
    }

    /// The 1-based line in that file, when the error points at one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Invalid { line, .. }
            | Self::DuplicateId { line, .. }
            | Self::DeclarationsParse { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The field the error is about, when known.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => field.as_deref(),
            Self::DuplicateId { .. } => Some("id"),
            _ => None,
        }
    }

    /// An `Invalid` error for a value whose span and field are known (the validator's case).
    pub(crate) fn at(
        file: &Path,
        text: &str,
        span: Range<usize>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        let (line, column) = line_column(text, span.start);
        Self::Invalid {
            file: file.to_path_buf(),
            line,
            column,
            field: Some(field.into()),
            problem: problem.into(),
        }
    }

    /// An `Invalid` error from TOML's parser or serde: the field is recovered from the text.
    pub(crate) fn from_toml(file: &Path, text: &str, error: &toml::de::Error) -> Self {
        let span = error.span().unwrap_or(0..0);
        let (line, column) = line_column(text, span.start);
        Self::Invalid {
            file: file.to_path_buf(),
            line,
            column,
            field: field_at(text, span, error.message()),
            problem: error.message().to_owned(),
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The largest char boundary at or before `offset` (spans from a parser are trusted, but a
/// stray offset must not panic while an error is being reported).
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The dotted key path of the value or key at `span`, e.g. `sensitivity.db_spl` or
/// `match[2].unless`. `message` is TOML's message: for a missing field it names the field,
/// while the span points at the table that lacks it.
fn field_at(text: &str, span: Range<usize>, message: &str) -> Option<String> {
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end.max(start));
    let table = table_at(text, start);
    let join = |key: &str| match &table {
        Some(t) => format!("{t}.{key}"),
        None => key.to_owned(),
    };
    if let Some(missing) = backticked_after(message, "missing field ") {
        return Some(join(&missing));
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[line_start..line_end];
    if line.trim_start().starts_with('[') {
        // The error is about a table header: the table is the field.
        return table;
    }
    let rest = text[end..line_end].trim_start();
    if text[line_start..start].trim().is_empty() && (rest.starts_with('=') || rest.starts_with('.'))
    {
        // The span is a key at the start of a line (an unknown or duplicate key), not a value
        // on a line of its own inside a multi-line array.
        let key = text[start..end].trim().trim_matches('"');
        return (!key.is_empty()).then(|| join(key));
    }
    // A value: its key is the one before the nearest `=` (which may be lines above, inside a
    // multi-line array, but never above the table header).
    let section_start = header_start(text, start);
    let eq = section_start + text[section_start..start].rfind('=')?;
    let key = key_before(&text[..eq])?;
    // Inside an inline table (`impedance = { ohm = -3, … }`) the outer key comes first.
    let stmt_start = text[..eq].rfind('\n').map_or(0, |i| i + 1);
    let statement = &text[stmt_start..eq];
    let outer = statement
        .find('=')
        .filter(|&i| statement[i..].contains('{'))
        .and_then(|i| key_before(&statement[..i]));
    Some(match outer {
        Some(outer) if outer != key => join(&format!("{outer}.{key}")),
        _ => join(&key),
    })
}

/// The start of the line holding the last table header before `offset` (0 if none).
fn header_start(text: &str, offset: usize) -> usize {
    let mut start = 0;
    let mut pos = 0;
    for line in text[..offset].split_inclusive('\n') {
        if line.trim_start().starts_with('[') {
            start = pos;
        }
        pos += line.len();
    }
    start
}

/// The table that `offset` lies in, as a key path: `impedance`, or `match[2]` for the second
/// `[[match]]` (arrays of tables count from 1, as people count rules).
fn table_at(text: &str, offset: usize) -> Option<String> {
    let mut current = None;
    let mut counts: Vec<(String, usize)> = Vec::new();
    let upto = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    for line in text[..upto].lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 1));
                    1
                }
            };
            current = Some(format!("{name}[{n}]"));
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = Some(name.trim().to_owned());
        }
    }
    current
}

/// The bare or quoted key that ends `text` (ignoring trailing spaces).
fn key_before(text: &str) -> Option<String> {
    let t = text.trim_end();
    let key: String = t
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let key = key.trim_matches('"').to_owned();
    (!key.is_empty()).then_some(key)
}

/// The backticked word after `prefix` in `message` (`missing field `id`` → `id`).
fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let rest = message.split_once(prefix)?.1.strip_prefix('`')?;
    Some(rest.split('`').next()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str, needle: &str, message: &str) -> Option<String> {
        let start = text.find(needle).expect("needle in text");
        field_at(text, start..start + needle.len(), message)
    }

    #[test]
    fn lines_and_columns_count_from_one() {
        assert_eq!(line_column("a = 1\nbb = 2\n", 0), (1, 1));
        assert_eq!(line_column("a = 1\nbb = 2\n", 11), (2, 6));
        assert_eq!(line_column("ä = 1", 4), (1, 4));
    }

    #[test]
    fn keys_are_found_for_values_keys_and_missing_fields() {
        let text = "id = 3\n[impedance]\nohm = \"x\"\n[[match]]\nwords = \"a\"\n[[match]]\nbad = 1\nunless = [\n  \"x\",\n  4,\n]\n";
        assert_eq!(field(text, "3", "").as_deref(), Some("id"));
        assert_eq!(field(text, "\"x\"", "").as_deref(), Some("impedance.ohm"));
        assert_eq!(field(text, "bad", "").as_deref(), Some("match[2].bad"));
        assert_eq!(field(text, "4", "").as_deref(), Some("match[2].unless"));
        assert_eq!(
            field(text, "[impedance]", "missing field `source`").as_deref(),
            Some("impedance.source")
        );
        assert_eq!(
            field_at(text, 0..0, "missing field `maker`").as_deref(),
            Some("maker")
        );
        let inline = "impedance = { ohm = 3, verified = 1 }\n";
        assert_eq!(
            field(inline, "1 }", "").as_deref(),
            Some("impedance.verified")
        );
    }
}

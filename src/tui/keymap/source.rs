//! Errors that point into a TOML file the user edits (the keymap, the layouts): file, line,
//! column, the line itself with carets under the offending text, and what is allowed there.

use std::fmt;
use std::ops::Range;

/// A problem at a place in a TOML file. `line` and `column` count from 1; `column` in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The text of the offending line.
    pub excerpt: String,
    /// How many characters of `excerpt` (from `column`) are at fault.
    pub width: usize,
    /// What is wrong, and what is allowed instead.
    pub message: String,
}

impl SourceError {
    /// An error about `text[span]`, as read from `file`.
    pub fn at(file: &str, text: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = floor_boundary(text, span.start);
        let end = floor_boundary(text, span.end.max(start));
        let before = &text[..start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let excerpt = text[line_start..].lines().next().unwrap_or_default();
        let column = before[line_start..].chars().count() + 1;
        let on_line = excerpt.chars().count().saturating_sub(column - 1);
        SourceError {
            file: file.to_string(),
            line: before.matches('\n').count() + 1,
            column,
            excerpt: excerpt.to_string(),
            width: text[start..end].chars().count().clamp(1, on_line.max(1)),
            message: message.into(),
        }
    }

    /// A syntax or type error reported by the TOML parser.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim_end().to_string();
        match err.span() {
            Some(span) => SourceError::at(file, text, span, message),
            None => SourceError {
                file: file.to_string(),
                line: 0,
                column: 0,
                excerpt: String::new(),
                width: 0,
                message,
            },
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: {}", self.file, self.message);
        }
        let (line, column) = (self.line, self.column);
        write!(
            f,
            "{}, line {line}, column {column}: {}",
            self.file, self.message
        )?;
        write!(f, "\n{line:>5} | {}", self.excerpt)?;
        let pad = " ".repeat(column - 1);
        write!(f, "\n      | {pad}{}", "^".repeat(self.width))
    }
}

impl std::error::Error for SourceError {}

/// `a, b, c` for error messages.
pub fn one_of<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names.into_iter().collect::<Vec<_>>().join(", ")
}

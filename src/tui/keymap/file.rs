//! Reading one keymap file into bindings. Sections are contexts (`[global]`, `[chart]`, …) plus
//! `[lists]`, shorthand for every list pane; entries are `key = "action"` or `key = "none"`. Every
//! section name, key and action is checked here, with errors pointing at the offending text.

use super::source::{SourceError, one_of};
use super::{Action, Context, Key, parse_key};
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

/// The section that applies to every list pane; a pane's own section overrides it.
const LISTS: &str = "lists";

/// The panes `[lists]` applies to.
const LIST_CONTEXTS: [Context; 6] = [
    Context::Positions,
    Context::Orders,
    Context::Fills,
    Context::Strategies,
    Context::Backtests,
    Context::Log,
];

/// One `key = "action"` line; `action` is `None` for `"none"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Binding {
    pub context: Context,
    pub key: Key,
    pub action: Option<Action>,
}

type Section = BTreeMap<Spanned<String>, Spanned<String>>;

/// Parses a keymap file into bindings in the order they apply: `[lists]` first (expanded to each
/// list pane), then the other sections.
pub(super) fn parse(text: &str, file: &str) -> Result<Vec<Binding>, SourceError> {
    let sections: BTreeMap<Spanned<String>, Section> = toml::from_str(text).map_err(|e| {
        let mut error = SourceError::from_toml(file, text, &e);
        if error.message.ends_with("expected a map") {
            error.message += ": bindings go under a section such as [global] or [chart]";
        }
        error
    })?;
    let mut grouped = Vec::new();
    let mut own = Vec::new();
    for (name, section) in in_file_order(&sections) {
        if name.get_ref() == LISTS {
            // Any list pane stands for all of them: none of them takes text input.
            for (key, action) in read_section(text, file, Context::Orders, section)? {
                grouped.extend(LIST_CONTEXTS.map(|context| Binding {
                    context,
                    key,
                    action,
                }));
            }
            continue;
        }
        let Some(context) = Context::from_name(name.get_ref()) else {
            let allowed = one_of(Context::ALL.iter().map(|c| c.name()).chain([LISTS]));
            return Err(SourceError::at(
                file,
                text,
                name.span(),
                format!(
                    "unknown section `[{}]`: use one of {allowed}",
                    name.get_ref()
                ),
            ));
        };
        let bindings = read_section(text, file, context, section)?;
        own.extend(bindings.into_iter().map(|(key, action)| Binding {
            context,
            key,
            action,
        }));
    }
    grouped.extend(own);
    Ok(grouped)
}

/// The section's (key, action) pairs, each checked; two spellings of one key are an error.
fn read_section(
    text: &str,
    file: &str,
    context: Context,
    section: &Section,
) -> Result<Vec<(Key, Option<Action>)>, SourceError> {
    let mut seen: HashMap<Key, &Spanned<String>> = HashMap::new();
    let mut out = Vec::with_capacity(section.len());
    for (key_text, action_text) in in_file_order(section) {
        let fail = |span, message| SourceError::at(file, text, span, message);
        let key = parse_key(key_text.get_ref()).map_err(|m| fail(key_text.span(), m))?;
        if let Some(first) = seen.insert(key, key_text) {
            let line = SourceError::at(file, text, first.span(), "").line;
            let message = format!(
                "`{}` is the same key as `{}` on line {line}: bind each key once per section",
                key_text.get_ref(),
                first.get_ref()
            );
            return Err(fail(key_text.span(), message));
        }
        if context.is_text_input() && key.is_printable() {
            let message = format!(
                "`{}` types text in [{}]: bind named keys (enter, esc, up, …) or ctrl-/alt- keys there",
                key_text.get_ref(),
                context.name()
            );
            return Err(fail(key_text.span(), message));
        }
        out.push((
            key,
            parse_action(action_text).map_err(|m| fail(action_text.span(), m))?,
        ));
    }
    Ok(out)
}

fn parse_action(text: &Spanned<String>) -> Result<Option<Action>, String> {
    let name = text.get_ref();
    if name == "none" {
        return Ok(None);
    }
    Action::from_name(name).map(Some).ok_or_else(|| {
        let guess = Action::ALL
            .iter()
            .find(|a| !name.is_empty() && a.name().contains(name.as_str()));
        let guess = guess
            .map(|a| format!(" (did you mean `{}`?)", a.name()))
            .unwrap_or_default();
        let allowed = one_of(Action::ALL.iter().map(|a| a.name()));
        format!("unknown action `{name}`{guess}: use one of {allowed}, or none to unbind the key")
    })
}

/// A table's entries in the order they appear in the file, so errors come in reading order.
fn in_file_order<V>(table: &BTreeMap<Spanned<String>, V>) -> Vec<(&Spanned<String>, &V)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

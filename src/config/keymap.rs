//! keymap.toml: layers of `{ on, run, desc }` entries. The embedded default (top-level
//! keymap.toml) is the base; a user file in the config directory can, per layer, replace
//! entries with the same keys (`keymap = [...]`) or put entries in front (`prepend_keymap`).
//! `run = "noop"` unbinds a key. Errors say file, line, key and list the valid actions.

use super::key::{Key, KeySeq};
use super::line_of;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The embedded default keymap (top-level keymap.toml).
pub const DEFAULT_KEYMAP: &str = include_str!("../../keymap.toml");

macro_rules! actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Everything a key can do. The names are what `run = "..."` accepts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }
        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Action::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    Quit => "quit", Back => "back", Help => "help", Command => "command", Filter => "filter",
    ViewList => "list", Tree => "tree", Events => "events", Diff => "diff", Approvals => "approvals",
    CopyName => "copy_name", CopyYaml => "copy_yaml", CancelAction => "cancel_action",
    ActionLog => "action_log", Noop => "noop",
    Up => "up", Down => "down", PageUp => "page_up", PageDown => "page_down", Top => "top",
    Bottom => "bottom",
    Open => "open", Suspend => "suspend", Resume => "resume", Reconcile => "reconcile",
    ReconcileWithSource => "reconcile_with_source", HelmForce => "helm_force",
    HelmReset => "helm_reset", Yaml => "yaml", Describe => "describe", Trace => "trace",
    History => "history", Conditions => "conditions", Delete => "delete", Edit => "edit",
    EditExternal => "edit_external", Select => "select", SelectAll => "select_all",
    ClearSelection => "clear_selection",
    SortNext => "sort_next", SortReverse => "sort_reverse", HealthFilter => "health_filter",
    Expand => "expand", Collapse => "collapse", ToggleExpand => "toggle_expand",
    ExpandAll => "expand_all", CollapseAll => "collapse_all", Jump => "jump",
    Follow => "follow", TypeFilter => "type_filter", GlobalEvents => "global_events",
    Approve => "approve", Reject => "reject", NextTab => "next_tab", PrevTab => "prev_tab",
    Save => "save", Cancel => "cancel", Submit => "submit",
    NextHunk => "next_hunk", PrevHunk => "prev_hunk", ToggleFullDiff => "toggle_full_diff",
    CopyDiff => "copy_diff",
}

impl Action {
    /// Actions that change the cluster: hidden or greyed in read-only mode.
    pub fn is_write(self) -> bool {
        use Action::*;
        matches!(
            self,
            Suspend
                | Resume
                | Reconcile
                | ReconcileWithSource
                | HelmForce
                | HelmReset
                | Delete
                | Edit
                | EditExternal
                | Approve
                | Reject
                | Save
        )
    }

    /// "quit, back, help, …" for error messages.
    pub fn valid_names() -> String {
        Action::ALL
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

macro_rules! layers {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// Where a binding applies. `Global` applies in every view (not in editor or prompt,
        /// which receive text); the others apply while that view or input has focus.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Layer { $($variant),* }
        impl Layer {
            pub const ALL: &'static [Layer] = &[$(Layer::$variant),*];
            pub fn name(self) -> &'static str { match self { $(Layer::$variant => $name),* } }
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Layer::$variant),)* _ => None }
            }
        }
    };
}

layers! {
    Global => "global", List => "list", Tree => "tree", Events => "events", Diff => "diff",
    Detail => "detail", Approvals => "approvals", Editor => "editor", Prompt => "prompt",
}

/// One resolved entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub on: KeySeq,
    pub run: Action,
    pub desc: String,
}

/// All layers, each in priority order (first match wins).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keymap {
    pub layers: BTreeMap<Layer, Vec<Binding>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("{origin}:{line}: invalid keymap TOML: {message}")]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{origin}:{line}: unknown layer [{layer}]; valid layers: {}", Layer::ALL.iter().map(|l| l.name()).collect::<Vec<_>>().join(", "))]
    UnknownLayer {
        origin: String,
        line: usize,
        layer: String,
    },
    #[error("{origin}:{line}: key {key:?} runs unknown action {action:?}; valid actions: {valid}")]
    UnknownAction {
        origin: String,
        line: usize,
        key: String,
        action: String,
        valid: String,
    },
    #[error("{origin}:{line}: {source}")]
    BadKey {
        origin: String,
        line: usize,
        source: super::key::KeyParseError,
    },
    #[error("{origin}:{line}: key {key:?} is bound twice in [{layer}]; remove one of the entries")]
    Duplicate {
        origin: String,
        line: usize,
        key: String,
        layer: String,
    },
    #[error(
        "{origin}:{line}: chord {key:?} in [{layer}] can never fire because {prefix:?} is bound too; rebind one of them"
    )]
    Shadowed {
        origin: String,
        line: usize,
        key: String,
        prefix: String,
        layer: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    on: toml::Spanned<String>,
    run: toml::Spanned<String>,
    #[serde(default)]
    desc: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLayer {
    #[serde(default)]
    keymap: Vec<RawEntry>,
    #[serde(default)]
    prepend_keymap: Vec<RawEntry>,
}

struct Parsed {
    layer: Layer,
    replace: Vec<Binding>,
    prepend: Vec<Binding>,
}

fn parse_file(text: &str, origin: &str) -> Result<Vec<Parsed>, KeymapError> {
    let raw: BTreeMap<toml::Spanned<String>, RawLayer> =
        toml::from_str(text).map_err(|e| KeymapError::Syntax {
            origin: origin.to_string(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })?;
    let mut out = Vec::new();
    for (name, raw_layer) in raw {
        let line = line_of(text, name.span().start);
        let layer = Layer::from_name(name.get_ref()).ok_or_else(|| KeymapError::UnknownLayer {
            origin: origin.to_string(),
            line,
            layer: name.get_ref().clone(),
        })?;
        let convert = |entries: Vec<RawEntry>| -> Result<Vec<Binding>, KeymapError> {
            let mut bindings: Vec<(Binding, usize)> = Vec::new();
            for e in entries {
                let line = line_of(text, e.on.span().start);
                let on = KeySeq::parse(e.on.get_ref()).map_err(|source| KeymapError::BadKey {
                    origin: origin.to_string(),
                    line,
                    source,
                })?;
                let run = Action::from_name(e.run.get_ref()).ok_or_else(|| {
                    KeymapError::UnknownAction {
                        origin: origin.to_string(),
                        line: line_of(text, e.run.span().start),
                        key: e.on.get_ref().clone(),
                        action: e.run.get_ref().clone(),
                        valid: Action::valid_names(),
                    }
                })?;
                check_conflicts(&bindings, &on, line, origin, layer)?;
                let desc = e.desc.unwrap_or_else(|| run.name().replace('_', " "));
                bindings.push((Binding { on, run, desc }, line));
            }
            Ok(bindings.into_iter().map(|(b, _)| b).collect())
        };
        out.push(Parsed {
            layer,
            replace: convert(raw_layer.keymap)?,
            prepend: convert(raw_layer.prepend_keymap)?,
        });
    }
    Ok(out)
}

/// Within one list, a key bound twice or a chord hidden behind its own prefix is a mistake.
fn check_conflicts(
    earlier: &[(Binding, usize)],
    on: &KeySeq,
    line: usize,
    origin: &str,
    layer: Layer,
) -> Result<(), KeymapError> {
    for (b, _) in earlier {
        let (a, c) = (&b.on.0, &on.0);
        if a == c {
            return Err(KeymapError::Duplicate {
                origin: origin.into(),
                line,
                key: on.to_string(),
                layer: layer.name().into(),
            });
        }
        let (short, long) = if a.len() < c.len() { (a, c) } else { (c, a) };
        if long.starts_with(short) {
            let (key, prefix) = if a.len() < c.len() {
                (on, &b.on)
            } else {
                (&b.on, on)
            };
            return Err(KeymapError::Shadowed {
                origin: origin.into(),
                line,
                key: key.to_string(),
                prefix: prefix.to_string(),
                layer: layer.name().into(),
            });
        }
    }
    Ok(())
}

impl Keymap {
    /// Parse a complete keymap (the default file's format: `keymap = [...]` per layer).
    pub fn parse(text: &str, origin: &str) -> Result<Self, KeymapError> {
        let mut km = Keymap::default();
        for p in parse_file(text, origin)? {
            let layer = km.layers.entry(p.layer).or_default();
            layer.extend(p.prepend);
            layer.extend(p.replace);
        }
        Ok(km)
    }

    /// The embedded defaults.
    pub fn defaults() -> Result<Self, KeymapError> {
        Self::parse(DEFAULT_KEYMAP, "keymap.toml (built in)")
    }

    /// Apply a user file: `keymap` entries replace the binding with the same keys (or are
    /// added), `prepend_keymap` entries go first and so win over any default.
    pub fn apply_user(mut self, text: &str, origin: &str) -> Result<Self, KeymapError> {
        for p in parse_file(text, origin)? {
            let layer = self.layers.entry(p.layer).or_default();
            for b in p.replace {
                match layer.iter_mut().find(|x| x.on == b.on) {
                    Some(existing) => *existing = b,
                    None => layer.push(b),
                }
            }
            let mut merged = p.prepend;
            merged.append(layer);
            *layer = merged;
        }
        Ok(self)
    }

    pub fn layer(&self, layer: Layer) -> &[Binding] {
        self.layers.get(&layer).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Resolve pressed keys in the given layers (in order). `Exact` fires, `Prefix` waits for
    /// more keys of a chord, `None` means nothing is bound. `noop` bindings resolve to None.
    pub fn resolve(&self, layers: &[Layer], pressed: &[Key]) -> Resolution {
        let mut prefix = false;
        for layer in layers {
            for b in self.layer(*layer) {
                if b.on.0.as_slice() == pressed {
                    if b.run == Action::Noop {
                        return Resolution::None;
                    }
                    return Resolution::Exact(b.run);
                }
                if b.on.0.len() > pressed.len() && b.on.0.starts_with(pressed) {
                    prefix = true;
                }
            }
        }
        if prefix {
            Resolution::Prefix
        } else {
            Resolution::None
        }
    }

    /// The first key sequence bound to `action` in these layers (for hints such as "esc back").
    pub fn key_for(&self, layers: &[Layer], action: Action) -> Option<&KeySeq> {
        layers
            .iter()
            .flat_map(|l| self.layer(*l))
            .find(|b| b.run == action)
            .map(|b| &b.on)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Exact(Action),
    Prefix,
    None,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

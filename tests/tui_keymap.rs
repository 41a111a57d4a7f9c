//! Keymap parsing over folders of valid and invalid user keymaps, and the default bindings.

use fluxdeck::config::keymap::Resolution;
use fluxdeck::config::{Action, Key, KeySeq, Keymap, Layer};
use std::path::PathBuf;

fn dir(kind: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keymaps"
    ))
    .join(kind)
}

fn files(kind: &str) -> Vec<(String, String)> {
    let mut out: Vec<_> = std::fs::read_dir(dir(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn resolve(km: &Keymap, layers: &[Layer], keys: &str) -> Resolution {
    km.resolve(layers, &KeySeq::parse(keys).unwrap().0)
}

#[test]
fn defaults_have_the_documented_bindings() {
    let km = Keymap::defaults().unwrap();
    let list = [Layer::List, Layer::Global];
    let expect = [
        ("/", Action::Filter),
        (":", Action::Command),
        ("?", Action::Help),
        ("esc", Action::Back),
        ("q", Action::Quit),
        ("j", Action::Down),
        ("k", Action::Up),
        ("down", Action::Down),
        ("up", Action::Up),
        ("enter", Action::Open),
        ("s", Action::Suspend),
        ("r", Action::Resume),
        ("R", Action::Reconcile),
        ("W", Action::ReconcileWithSource),
        ("y", Action::Yaml),
        ("d", Action::Describe),
        ("t", Action::Tree),
        ("e", Action::Events),
        ("D", Action::Diff),
        ("A", Action::Approvals),
        ("space", Action::Select),
        ("ctrl-e", Action::Edit),
        ("ctrl-d", Action::Delete),
        ("g g", Action::Top),
    ];
    for (keys, action) in expect {
        assert_eq!(
            resolve(&km, &list, keys),
            Resolution::Exact(action),
            "{keys}"
        );
    }
    let approvals = [Layer::Approvals, Layer::Global];
    assert_eq!(
        resolve(&km, &approvals, "a"),
        Resolution::Exact(Action::Approve)
    );
    assert_eq!(
        resolve(&km, &approvals, "x"),
        Resolution::Exact(Action::Reject)
    );
    assert_eq!(resolve(&km, &list, "g"), Resolution::Prefix);
    assert_eq!(resolve(&km, &list, "Z"), Resolution::None);
    for layer in Layer::ALL {
        assert!(!km.layer(*layer).is_empty(), "layer {layer} has bindings");
    }
}

#[test]
fn every_valid_keymap_applies() {
    let valid = files("valid");
    assert!(valid.len() >= 5);
    for (name, text) in valid {
        let km = Keymap::defaults().unwrap().apply_user(&text, "keymap.toml");
        assert!(km.is_ok(), "{name}: {}", km.unwrap_err());
    }
}

#[test]
fn user_entries_override_prepend_and_unbind() {
    let load = |name: &str| {
        let text = std::fs::read_to_string(dir("valid").join(name)).unwrap();
        Keymap::defaults().unwrap().apply_user(&text, name).unwrap()
    };
    let km = load("override.toml");
    let list = [Layer::List, Layer::Global];
    assert_eq!(resolve(&km, &list, "S"), Resolution::Exact(Action::Suspend));
    assert_eq!(resolve(&km, &list, "s"), Resolution::None, "noop unbinds");
    let km = load("prepend.toml");
    assert_eq!(
        resolve(&km, &list, "q"),
        Resolution::Exact(Action::Back),
        "prepended entries win"
    );
    assert_eq!(
        resolve(&km, &list, "ctrl-q"),
        Resolution::Exact(Action::Quit)
    );
    let km = load("chords.toml");
    assert_eq!(resolve(&km, &list, "g t"), Resolution::Exact(Action::Tree));
    assert_eq!(
        resolve(&km, &list, "g g"),
        Resolution::Exact(Action::Top),
        "defaults kept"
    );
    let km = load("all_layers.toml");
    assert_eq!(
        resolve(&km, &[Layer::Editor], "ctrl-w"),
        Resolution::Exact(Action::Save)
    );
    assert_eq!(
        km.key_for(&[Layer::Editor], Action::Save)
            .unwrap()
            .to_string(),
        "ctrl-s"
    );
}

#[test]
fn every_invalid_keymap_fails_with_line_key_and_help() {
    let invalid = files("invalid");
    assert!(invalid.len() >= 8);
    for (name, text) in invalid {
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{name} lacks # expect:"));
        let err = Keymap::defaults()
            .unwrap()
            .apply_user(&text, "keymap.toml")
            .expect_err(&name)
            .to_string();
        assert!(
            err.starts_with(expect),
            "{name}:\n  got      {err}\n  expected {expect}"
        );
        if name == "unknown_action.toml" {
            for action in Action::ALL {
                assert!(
                    err.contains(action.name()),
                    "valid action {} listed",
                    action.name()
                );
            }
        }
    }
}

#[test]
fn keys_round_trip_through_display() {
    for text in [
        "ctrl-e", "space", "R", "g g", "enter", "esc", "backtab", "f5", "alt-x", "pageup",
    ] {
        assert_eq!(KeySeq::parse(text).unwrap().to_string(), text);
    }
    assert_eq!(Key::parse("C-d").unwrap().to_string(), "ctrl-d");
}

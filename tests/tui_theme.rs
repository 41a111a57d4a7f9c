//! Theme parsing: built-ins, user themes in the config directory, colour modes, errors.

use fluxdeck::config::theme::BUILTIN_THEMES;
use fluxdeck::config::{ColorMode, ConfigPaths, Settings, Slot, Theme, ThemeError};
use ratatui::style::{Color, Modifier};

#[test]
fn builtin_themes_parse_with_every_slot() {
    assert_eq!(
        BUILTIN_THEMES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["dark", "light", "high-contrast", "monochrome"]
    );
    for (name, text) in BUILTIN_THEMES {
        let t = Theme::parse(text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.name, *name);
    }
    let mono = Theme::builtin("monochrome").unwrap();
    for slot in Slot::ALL {
        assert!(
            mono.style(*slot).fg.is_none() && mono.style(*slot).bg.is_none(),
            "monochrome has no colours"
        );
    }
    assert_eq!(Theme::default_dark().name, "dark");
}

#[test]
fn colour_modes_adapt_styles() {
    let dark = Theme::builtin("dark").unwrap();
    assert!(matches!(dark.style(Slot::Ready).fg, Some(Color::Rgb(..))));
    let c256 = dark.clone().with_mode(ColorMode::Ansi256);
    assert!(matches!(
        c256.style(Slot::Ready).fg,
        Some(Color::Indexed(_))
    ));
    let none = dark.with_mode(ColorMode::NoColor);
    for slot in Slot::ALL {
        let s = none.style(*slot);
        assert!(
            s.fg.is_none() && s.bg.is_none(),
            "{slot:?} has no colour under NO_COLOR"
        );
    }
    assert!(
        none.style(Slot::Selected)
            .add_modifier
            .contains(Modifier::REVERSED),
        "selection stays visible"
    );
}

#[test]
fn user_theme_wins_over_builtin() {
    let dir = tempfile::tempdir().unwrap();
    let paths = ConfigPaths::at(dir.path());
    std::fs::create_dir_all(dir.path().join("themes")).unwrap();
    let mut text = BUILTIN_THEMES[0]
        .1
        .replace("name = \"dark\"", "name = \"mine\"");
    text = text.replace("ready = { fg = \"green\" }", "ready = { fg = \"#010203\" }");
    std::fs::write(paths.theme("dark"), &text).unwrap();
    let t = Theme::load("dark", Some(&paths)).unwrap();
    assert_eq!(t.name, "mine");
    assert_eq!(t.style(Slot::Ready).fg, Some(Color::Rgb(1, 2, 3)));
    assert!(matches!(
        Theme::load("nope", Some(&paths)),
        Err(ThemeError::NotFound { .. })
    ));
    std::fs::write(
        paths.settings(),
        "theme = \"light\"\nascii = true\n[contexts.prod]\nread_only = true\n",
    )
    .unwrap();
    let s = Settings::load(&paths).unwrap();
    assert!(s.ascii && s.read_only_for("prod") && !s.read_only_for("dev"));
    assert_eq!(
        fluxdeck::config::settings::load_theme(&s, Some(&paths))
            .unwrap()
            .name,
        "light"
    );
}

#[test]
fn bad_themes_explain_themselves() {
    let base = BUILTIN_THEMES[0].1;
    let err = Theme::parse(
        &base.replace(
            "ready = { fg = \"green\" }",
            "ready = { fg = \"greenish\" }",
        ),
        "t.toml",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("slot \"ready\": colour \"greenish\""),
        "{err}"
    );
    let err = Theme::parse(&base.replace("ready = { fg = \"green\" }", ""), "t.toml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.toml: slots missing: ready; every slot needs a style"
    );
    let err =
        Theme::parse(&base.replace("[slots]", "[slots]\nsparkle = {}"), "t.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("t.toml: unknown slot \"sparkle\"; valid slots: text, muted"),
        "{err}"
    );
    let err = Theme::parse(
        &base.replace(
            "modifiers = [\"bold\"] }\nsuspended",
            "modifiers = [\"blink\"] }\nsuspended",
        ),
        "t.toml",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown modifier \"blink\""),
        "{err}"
    );
    let err = Theme::parse("name = \"x\"\n[slots\n", "t.toml").unwrap_err();
    assert!(
        err.to_string().starts_with("t.toml:2: invalid theme TOML"),
        "{err}"
    );
    let err = Settings::parse("colour = 1\n", "config.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("config.toml:1: invalid settings"),
        "{err}"
    );
}

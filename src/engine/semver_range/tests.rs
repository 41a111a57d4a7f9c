use super::*;

fn check(range: &str, version: &str) -> bool {
    Constraints::parse(range)
        .unwrap()
        .check(&Version::parse(version).unwrap())
}

#[test]
fn comma_and_space_are_and_and_pipes_are_or() {
    assert!(check(">= 1.0.0, < 2.0.0", "1.5.0"));
    assert!(!check(">= 1.0.0, < 2.0.0", "0.9.0"));
    assert!(!check(">= 1.0.0 < 2.0.0", "2.0.0"));
    assert!(check("<1 || >=3", "3.1.0"));
    assert!(!check("<1 || >=3", "2.0.0"));
}

#[test]
fn hyphen_ranges_tilde_caret_and_wildcards() {
    assert!(check("1.2 - 1.4.5", "1.4.5"));
    assert!(!check("1.2 - 1.4.5", "1.4.6"));
    assert!(check("~1.2.3", "1.2.9") && !check("~1.2.3", "1.3.0"));
    assert!(check("~> 1.2", "1.2.9"));
    assert!(check("^0.2.3", "0.2.9") && !check("^0.2.3", "0.3.0"));
    assert!(check("v1.0.x", "1.0.7") && !check("1.0.x", "1.1.0"));
    assert!(check("*", "99.0.0"));
}

#[test]
fn prereleases_need_a_prerelease_in_the_group() {
    assert!(!check(">=1.0.0", "1.2.0-rc.1"));
    assert!(check(">=1.0.0-0", "1.2.0-rc.1"));
    assert!(!check(">=1.0.0-0 || >=1.0.0", "0.9.0-rc.1"));
    let mut c = Constraints::parse(">=1.0.0").unwrap();
    c.include_prerelease = true;
    assert!(c.check(&Version::parse("1.2.0-rc.1").unwrap()));
}

#[test]
fn lenient_and_strict_versions() {
    assert_eq!(Version::parse("v1.2").unwrap().to_string(), "1.2.0");
    assert!(!Version::parse("v1.2").unwrap().has_three_parts());
    assert_eq!(Version::parse("1.02.3").unwrap().minor(), 2);
    assert!(Version::parse_strict("1.02.3").is_err());
    assert!(Version::parse("1.2.3-01").is_err());
    assert!(Version::parse("1.2.3.4").is_err());
    assert!(Version::parse("1.2.3+b1").unwrap() == Version::parse("1.2.3+b2").unwrap());
}

#[test]
fn invalid_ranges_are_rejected_with_the_text() {
    for bad in [
        "",
        "1x",
        "x1",
        "-1",
        "a",
        "1.0.0p",
        "12.3.34~ 1.2.3",
        ">= bar",
    ] {
        assert!(
            Constraints::parse(bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
    let err = Constraints::parse("foo").unwrap_err().to_string();
    assert!(err.contains("improper constraint: foo"), "{err}");
}

//! Conformance: every row of the Masterminds/semver tables in
//! ../shared/conformance/semver-constraint-cases.json.

use std::cmp::Ordering;

use fluxdeck::engine::semver_range::{Constraint, Constraints, Op, Version};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/conformance/semver-constraint-cases.json"
);

fn go_func_name(op: Op) -> &'static str {
    match op {
        Op::TildeOrEqual => "constraintTildeOrEqual",
        Op::NotEqual => "constraintNotEqual",
        Op::GreaterThan => "constraintGreaterThan",
        Op::LessThan => "constraintLessThan",
        Op::GreaterThanEqual => "constraintGreaterThanEqual",
        Op::LessThanEqual => "constraintLessThanEqual",
        Op::Tilde => "constraintTilde",
        Op::Caret => "constraintCaret",
    }
}

fn s<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key].as_str().unwrap_or_else(|| {
        row[key]["original"]
            .as_str()
            .expect("string or Version field")
    })
}

fn version(text: &str) -> Result<Version, String> {
    Version::parse(text).map_err(|e| e.to_string())
}

fn constraints(text: &str, include_prerelease: bool) -> Result<Constraints, String> {
    let mut c = Constraints::parse(text).map_err(|e| e.to_string())?;
    c.include_prerelease = include_prerelease;
    Ok(c)
}

/// Run one row; `Ok(())` when our result equals the upstream expectation.
fn run_row(table: &str, row: &Value) -> Result<(), String> {
    let test = table.split(':').next().unwrap();
    let include_pre = test.contains("IncludePrerelease");
    match (test, table.ends_with("tests2")) {
        ("TestParseConstraint", _) => match Constraint::parse(s(row, "in")) {
            Err(_) if row["err"] == true => Ok(()),
            Ok(c) if row["err"] == false => {
                let got = (go_func_name(c.op()), c.version().to_string());
                let want = (
                    row["f"]["__func__"].as_str().unwrap(),
                    s(row, "v").to_string(),
                );
                if (got.0, got.1.as_str()) == (want.0, want.1.as_str()) {
                    Ok(())
                } else {
                    Err(format!("{got:?} != {want:?}"))
                }
            }
            other => Err(format!("{other:?}")),
        },
        ("TestConstraintCheck", _) => {
            let c = Constraint::parse(s(row, "constraint")).map_err(|e| e.to_string())?;
            let got = c.matches(&version(s(row, "version"))?);
            if got == row["check"] {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        }
        ("TestNewConstraint", _) => match Constraints::parse(s(row, "input")) {
            Err(_) if row["err"] == true => Ok(()),
            Ok(c) if row["err"] == false => {
                let got = (c.groups().len() as u64, c.groups()[0].len() as u64);
                let want = (row["ors"].as_u64().unwrap(), row["count"].as_u64().unwrap());
                if got == want {
                    Ok(())
                } else {
                    Err(format!("ors/count {got:?} != {want:?}"))
                }
            }
            other => Err(format!("{other:?}")),
        },
        ("TestConstraintsCheck" | "TestConstraintsCheckIncludePrerelease", _) => {
            let got =
                constraints(s(row, "constraint"), include_pre)?.check(&version(s(row, "version"))?);
            if got == row["check"] {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        }
        ("TestConstraintsValidate" | "TestConstraintsValidateIncludePrerelease", false) => {
            let got = constraints(s(row, "constraint"), include_pre)?
                .validate(&version(s(row, "version"))?);
            if got.is_ok() == row["check"] {
                Ok(())
            } else {
                Err(format!("got {got:?}"))
            }
        }
        ("TestConstraintsValidate" | "TestConstraintsValidateIncludePrerelease", true) => {
            let got = constraints(s(row, "constraint"), include_pre)?
                .validate(&version(s(row, "version"))?);
            match got {
                Err(reasons) if reasons.iter().any(|r| r == s(row, "msg")) => Ok(()),
                other => Err(format!("got {other:?}")),
            }
        }
        ("TestStrictNewVersion", _) => {
            let got = Version::parse_strict(s(row, "version")).is_err();
            if got == row["err"] {
                Ok(())
            } else {
                Err(format!("err={got}"))
            }
        }
        ("TestEqual", _) => {
            // Go's Equal accepts nil versions: nil equals only nil.
            let parse = |key: &str| {
                (!row[key].is_null())
                    .then(|| version(s(row, key)))
                    .transpose()
            };
            let got = match (parse("v1")?, parse("v2")?) {
                (Some(a), Some(b)) => a.cmp(&b) == Ordering::Equal,
                (a, b) => a.is_none() && b.is_none(),
            };
            if got == row["expected"] {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        }
        (cmp_test, _) => {
            let (a, b) = (version(s(row, "v1"))?, version(s(row, "v2"))?);
            let got: Value = match cmp_test {
                "TestCompare" => (a.cmp(&b) as i8).into(),
                "TestLessThan" => (a < b).into(),
                "TestLessThanEqual" => (a <= b).into(),
                "TestGreaterThan" => (a > b).into(),
                "TestGreaterThanEqual" => (a >= b).into(),
                other => return Err(format!("unknown table {other}")),
            };
            if got == row["expected"] {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        }
    }
}

#[test]
fn semver_constraint_conformance() {
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(CORPUS).unwrap()).unwrap();
    let (mut total, mut failures) = (0, Vec::new());
    for (table, body) in corpus["tables"].as_object().unwrap() {
        for row in body["rows"].as_array().unwrap() {
            total += 1;
            if let Err(e) = run_row(table, row) {
                failures.push(format!("{table} {row}: {e}"));
            }
        }
    }
    println!(
        "semver constraint conformance: {}/{total} rows pass",
        total - failures.len()
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert_eq!(total, 722, "corpus size changed");
    assert!(failures.is_empty());
}

//! Timestamps from the API (RFC 3339) and kubectl-style ages ("45s", "12m", "3h", "7d").

use jiff::Timestamp;
use serde_json::Value;

pub fn parse(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<Timestamp>().ok())
}

/// Age of `t` at `now`, the way kubectl prints it.
pub fn age(t: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second().saturating_sub(t.as_second()).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 3600 * 2 => format!("{}m", s / 60),
        s if s < 86400 * 2 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

/// `2024-05-07 05:02:34 +0000 UTC`, Go's `time.Time.String()` for UTC times (flux trace).
pub fn go_string(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn ages() {
        let now: Timestamp = "2026-01-01T12:00:00Z".parse().unwrap();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(age(t("2026-01-01T11:59:15Z"), now), "45s");
        assert_eq!(age(t("2026-01-01T11:00:00Z"), now), "60m");
        assert_eq!(age(t("2026-01-01T06:00:00Z"), now), "6h");
        assert_eq!(age(t("2025-12-25T12:00:00Z"), now), "7d");
        assert_eq!(
            go_string(t("2024-05-07T05:02:34Z")),
            "2024-05-07 05:02:34 +0000 UTC"
        );
    }
}

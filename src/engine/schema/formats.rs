//! String formats kube-apiserver checks (`k8s.io/kube-openapi/pkg/validation/strfmt`).
//! Formats it does not know are accepted, as the apiserver does; numeric formats such as
//! `int64` are annotations only. Flux expresses its durations as patterns, not formats.

use base64::Engine;
use std::net::{Ipv4Addr, Ipv6Addr};

pub(crate) fn is_valid(format: &str, text: &str) -> bool {
    match format {
        "date-time" | "datetime" => is_date_time(text),
        "date" => jiff::civil::Date::strptime("%Y-%m-%d", text).is_ok(),
        "byte" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .is_ok(),
        "uuid" | "uuid3" | "uuid4" | "uuid5" => is_uuid(format, text),
        "ipv4" => text.parse::<Ipv4Addr>().is_ok(),
        "ipv6" => text.parse::<Ipv6Addr>().is_ok(),
        "cidr" => is_cidr(text),
        "mac" => is_mac(text),
        "hostname" => is_hostname(text),
        "email" => is_email(text),
        "uri" => is_uri(text),
        "duration" => crate::engine::duration::parse(text).is_ok(),
        _ => true,
    }
}

/// RFC 3339 date-time; like strfmt, a lowercase `t`/`z` is accepted.
fn is_date_time(text: &str) -> bool {
    text.to_ascii_uppercase().parse::<jiff::Timestamp>().is_ok()
}

fn is_uuid(format: &str, text: &str) -> bool {
    let Ok(id) = uuid::Uuid::parse_str(text) else {
        return false;
    };
    // Only the canonical 8-4-4-4-12 form is accepted.
    if text.len() != 36 {
        return false;
    }
    match format {
        "uuid3" => id.get_version_num() == 3,
        "uuid4" => id.get_version_num() == 4,
        "uuid5" => id.get_version_num() == 5,
        _ => true,
    }
}

fn is_cidr(text: &str) -> bool {
    let Some((addr, bits)) = text.split_once('/') else {
        return false;
    };
    let Ok(bits) = bits.parse::<u8>() else {
        return false;
    };
    match (addr.parse::<Ipv4Addr>(), addr.parse::<Ipv6Addr>()) {
        (Ok(_), _) => bits <= 32,
        (_, Ok(_)) => bits <= 128,
        _ => false,
    }
}

fn is_mac(text: &str) -> bool {
    let groups: Vec<&str> = text.split([':', '-']).collect();
    matches!(groups.len(), 6 | 8 | 20)
        && groups
            .iter()
            .all(|g| g.len() == 2 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_hostname(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_email(text: &str) -> bool {
    match text.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !local.contains(char::is_whitespace) && is_hostname(domain)
        }
        None => false,
    }
}

fn is_uri(text: &str) -> bool {
    match text.split_once(':') {
        Some((scheme, rest)) => {
            let mut chars = scheme.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn formats_accept_and_reject() {
        for (format, good, bad) in [
            ("date-time", "2024-01-02T03:04:05Z", "2024-01-02 03:04"),
            ("date-time", "2024-01-02T03:04:05.123+02:00", "yesterday"),
            ("date", "2024-01-02", "2024-13-02"),
            ("byte", "aGVsbG8=", "not base64!"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567"),
            ("ipv4", "10.0.0.1", "10.0.0.256"),
            ("ipv6", "::1", "1::2::3"),
            ("cidr", "10.0.0.0/8", "10.0.0.0/33"),
            ("mac", "00:1a:2b:3c:4d:5e", "00:1a:2b"),
            ("hostname", "example.com", "-bad-.com"),
            ("email", "bot@example.com", "nobody"),
            ("uri", "https://example.com/x", "no scheme"),
        ] {
            assert!(is_valid(format, good), "{format} should accept {good}");
            assert!(!is_valid(format, bad), "{format} should reject {bad}");
        }
        assert!(
            is_valid("int64", "anything"),
            "unknown and numeric formats are annotations"
        );
    }
}

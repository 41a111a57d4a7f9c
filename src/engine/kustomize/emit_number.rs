//! Number and type-resolution helpers for the emitter: which plain strings go-yaml v2 would read
//! back as numbers or timestamps (so they must be quoted), and how Go prints a float after the
//! JSON round trip kubectl kustomize makes.

/// `strconv.ParseInt(s, 0, 64)`/`ParseUint` syntax (sign, 0x/0o/0b prefixes, leading-0 octal).
pub(super) fn parses_as_go_int(s: &str) -> bool {
    let body = s
        .strip_prefix('-')
        .or_else(|| s.strip_prefix('+'))
        .unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(rest) = lower.strip_prefix("0x") {
        (rest.to_string(), 16)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (rest.to_string(), 8)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (rest.to_string(), 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower[1..].to_string(), 8)
    } else {
        (lower, 10)
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

/// go-yaml v2's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
pub(super) fn parses_as_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// YAML 1.1 base-60 floats such as `1:20` or `190:20:30.15`.
pub(super) fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let group = &s[start..i];
        let ok = match group.len() {
            1 => true,
            2 => group.as_bytes()[0] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s
        .bytes()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n < min {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// The timestamp layouts go-yaml v2 recognises (`2006-1-2`, with an optional time part).
pub(super) fn looks_like_timestamp(s: &str) -> bool {
    let Some((_, rest)) = take_digits(s, 4, 4) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let Some((month, rest)) = take_digits(rest, 1, 2) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('-') else {
        return false;
    };
    let Some((day, rest)) = take_digits(rest, 1, 2) else {
        return false;
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return false;
    }
    if rest.is_empty() {
        return true;
    }
    let (sep, rest) = rest.split_at(1);
    let zoned = sep == "T" || sep == "t";
    if !zoned && sep != " " {
        return false;
    }
    let time = || -> Option<&str> {
        let (h, r) = take_digits(rest, 1, 2)?;
        let r = r.strip_prefix(':')?;
        let (m, r) = take_digits(r, 1, 2)?;
        let r = r.strip_prefix(':')?;
        let (sec, mut r) = take_digits(r, 1, 2)?;
        if h > 23 || m > 59 || sec > 59 {
            return None;
        }
        if let Some(frac) = r.strip_prefix('.') {
            let n = frac.bytes().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            r = &frac[n..];
        }
        Some(r)
    };
    let Some(r) = time() else { return false };
    if !zoned {
        return r.is_empty();
    }
    if r == "Z" {
        return true;
    }
    let Some(zone) = r.strip_prefix('+').or_else(|| r.strip_prefix('-')) else {
        return false;
    };
    let b = zone.as_bytes();
    b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
}

/// Shortest round-trip digits and decimal exponent of a finite float: (digits, exponent)
/// where value = 0.d1d2d3... × 10^(exponent+1).
fn shortest_digits(f: f64) -> (String, i32) {
    let text = format!("{:e}", f.abs());
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp.parse().unwrap_or(0))
}

fn format_f(f: f64) -> String {
    // Rust's Display prints the shortest round-trip digits in positional notation, as Go's 'f' -1.
    format!("{f}")
}

fn format_e(f: f64) -> String {
    let (digits, exp) = shortest_digits(f);
    let sign = if f < 0.0 { "-" } else { "" };
    let mantissa = if digits.len() > 1 {
        format!("{}.{}", &digits[..1], &digits[1..])
    } else {
        digits
    };
    let esign = if exp < 0 { '-' } else { '+' };
    format!("{sign}{mantissa}e{esign}{:02}", exp.abs())
}

/// What a float prints as after Go's `json.Marshal` and go-yaml v2's re-reading and printing.
pub(super) fn go_float_through_json(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let abs = f.abs();
    let json_text = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        format_e(f)
    } else {
        format_f(f)
    };
    let integral = !json_text.contains(['.', 'e']);
    if integral {
        let fits = json_text.parse::<i64>().is_ok() || json_text.parse::<u64>().is_ok();
        if fits {
            return json_text;
        }
    }
    // Re-read as a float and printed with strconv 'g' shortest: exponent form below 1e-4 or
    // from 1e6.
    let (_, exp) = shortest_digits(f);
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    if exp < -4 || exp >= 6 {
        format_e(f)
    } else {
        format_f(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_floats_are_recognised_like_go_yaml() {
        for s in ["012", "0x12", "1", "-3", "0b101", "1.0", ".5", "1e3", "08"] {
            assert!(parses_as_go_int(s) || parses_as_yaml_float(s), "{s}");
        }
        for s in ["1.2.3", "0x", "-", "1e", "abc"] {
            assert!(!parses_as_go_int(s) && !parses_as_yaml_float(s), "{s}");
        }
    }

    #[test]
    fn timestamps_and_base60() {
        assert!(looks_like_timestamp("2020-01-02"));
        assert!(looks_like_timestamp("2020-1-2T10:00:00Z"));
        assert!(!looks_like_timestamp("2020-13-02"));
        assert!(is_base60_float("1:20"));
        assert!(!is_base60_float("1:70"));
    }

    #[test]
    fn floats_print_like_go() {
        assert_eq!(go_float_through_json(1.0), "1");
        assert_eq!(go_float_through_json(0.5), "0.5");
        assert_eq!(go_float_through_json(1e21), "1e+21");
        assert_eq!(go_float_through_json(1e-7), "1e-07");
        assert_eq!(go_float_through_json(1234567.5), "1.2345675e+06");
    }
}

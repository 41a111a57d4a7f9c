//! The table-driven protobuf reader: wire format, message schemas, and the mapping of decoded
//! fields onto the JSON that Go's `encoding/json` would print for the same typed object.
//!
//! Go's generated marshallers write every non-pointer field, zero or not, so the bytes carry
//! empty strings and zeros for fields the client never set. Which of those survive is decided
//! per field ([`Zero`]), mirroring the Go JSON tags: `omitempty` scalars drop zeros, pointers
//! and tag-less scalars keep them, and structs (messages) always appear, as `{}` when empty.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::ProtobufError;

/// A protobuf message: its Go/proto name (for errors) and its known fields.
pub struct Message {
    pub name: &'static str,
    pub fields: &'static [Field],
}

#[derive(Clone, Copy)]
pub enum Kind {
    Str,
    /// int32/int64 (two's complement varint)
    Int,
    Bool,
    /// meta/v1 Time (seconds, nanos) → RFC 3339; the zero time is `null`, as Go prints it
    Time,
    /// resource.Quantity (a message holding its canonical string) → JSON string
    Quantity,
    /// intstr.IntOrString (type, intVal, strVal) → JSON number or string
    IntOrString,
    Msg(&'static Message),
    /// An embedded Go struct tagged `json:",inline"`: its fields land in the parent object.
    Inline(&'static Message),
    StrMap,
    BytesMap,
    QuantityMap,
}

/// Whether a zero value read from the wire is kept in the JSON object.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Zero {
    /// Non-pointer field with `omitempty`: a zero means "not set".
    Omit,
    /// Pointer field, or a field without `omitempty`: present means set, zero included.
    Keep,
}

#[derive(Clone, Copy)]
pub struct Field {
    pub number: u64,
    pub name: &'static str,
    pub kind: Kind,
    pub repeated: bool,
    pub zero: Zero,
    /// A slice without `omitempty`: Go prints a nil one as `null`.
    pub null_when_absent: bool,
}

/// An `omitempty` field.
pub const fn f(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        number,
        name,
        kind,
        repeated: false,
        zero: Zero::Omit,
        null_when_absent: false,
    }
}
/// A pointer field or one without `omitempty`: zeros are kept.
pub const fn k(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        number,
        name,
        kind,
        repeated: false,
        zero: Zero::Keep,
        null_when_absent: false,
    }
}
/// A repeated field (a JSON array).
pub const fn r(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        number,
        name,
        kind,
        repeated: true,
        zero: Zero::Keep,
        null_when_absent: false,
    }
}
/// A repeated field without `omitempty` (`json:"rules"`): `null` when nothing was sent.
pub const fn rn(number: u64, name: &'static str, kind: Kind) -> Field {
    Field {
        null_when_absent: true,
        ..r(number, name, kind)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, ProtobufError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or(ProtobufError::Malformed("truncated varint"))?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ProtobufError::Malformed("varint too long"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ProtobufError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or(ProtobufError::Malformed("truncated field"))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }
}

pub enum Wire<'a> {
    Varint(u64),
    Len(&'a [u8]),
    /// fixed32/fixed64: no Kubernetes field the decoder knows uses them
    Fixed,
}

impl Wire<'_> {
    /// The zero value Go writes for a non-pointer field that was never set.
    fn is_zero(&self) -> bool {
        match self {
            Wire::Varint(v) => *v == 0,
            Wire::Len(b) => b.is_empty(),
            Wire::Fixed => false,
        }
    }
}

pub fn fields(bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, ProtobufError> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut out = Vec::new();
    while reader.pos < bytes.len() {
        let key = reader.varint()?;
        let wire = match key & 7 {
            0 => Wire::Varint(reader.varint()?),
            1 => {
                reader.take(8)?;
                Wire::Fixed
            }
            2 => {
                let len = usize::try_from(reader.varint()?)
                    .map_err(|_| ProtobufError::Malformed("length"))?;
                Wire::Len(reader.take(len)?)
            }
            5 => {
                reader.take(4)?;
                Wire::Fixed
            }
            _ => return Err(ProtobufError::Malformed("unsupported wire type")),
        };
        out.push((key >> 3, wire));
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Result<String, ProtobufError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ProtobufError::Malformed("string is not UTF-8"))
}

fn base64(bytes: &[u8]) -> Value {
    json!(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Decodes one message into a JSON object. A field the schema does not know is an error
/// unless it carries Go's zero value: storing the object without it would lose what the
/// client set.
pub fn decode_message(
    bytes: &[u8],
    message: &Message,
) -> Result<Map<String, Value>, ProtobufError> {
    let mut object = Map::new();
    for (number, wire) in fields(bytes)? {
        let Some(field) = message.fields.iter().find(|f| f.number == number) else {
            if wire.is_zero() {
                continue;
            }
            return Err(ProtobufError::UnknownField {
                message: message.name,
                number,
            });
        };
        let mismatch = || ProtobufError::WireType {
            message: message.name,
            field: field.name,
        };
        let value = match (field.kind, wire) {
            (Kind::Str, Wire::Len(b)) => json!(text(b)?),
            (Kind::Int, Wire::Varint(v)) => json!(v as i64),
            (Kind::Bool, Wire::Varint(v)) => json!(v != 0),
            (Kind::Time, Wire::Len(b)) => time(b)?,
            (Kind::Quantity, Wire::Len(b)) => quantity(b)?,
            (Kind::IntOrString, Wire::Len(b)) => int_or_string(b)?,
            (Kind::Msg(inner), Wire::Len(b)) => Value::Object(decode_message(b, inner)?),
            (Kind::Inline(inner), Wire::Len(b)) => {
                object.extend(decode_message(b, inner)?);
                continue;
            }
            (Kind::StrMap | Kind::BytesMap | Kind::QuantityMap, Wire::Len(b)) => {
                let (key, value) = map_entry(b, field.kind)?;
                let entry = object.entry(field.name).or_insert_with(|| json!({}));
                if let Value::Object(map) = entry {
                    map.insert(key, value);
                }
                continue;
            }
            _ => return Err(mismatch()),
        };
        // A zero metav1.Time is a struct Go prints as `null`, even under `omitempty` (pointer
        // Times are only on the wire when set, and then print the same way).
        let unset = match value {
            Value::Null => !matches!(field.kind, Kind::Time),
            _ => field.zero == Zero::Omit && is_zero(&value),
        };
        if unset {
            continue;
        }
        if field.repeated {
            let entry = object.entry(field.name).or_insert_with(|| json!([]));
            if let Value::Array(items) = entry {
                items.push(value);
            }
        } else {
            object.insert(field.name.to_string(), value);
        }
    }
    for field in message.fields.iter().filter(|f| f.null_when_absent) {
        object.entry(field.name).or_insert(Value::Null);
    }
    Ok(object)
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_i64() == Some(0),
        Value::Bool(b) => !b,
        // Go never omits a struct for `omitempty`
        Value::Object(_) | Value::Array(_) => false,
    }
}

fn map_entry(bytes: &[u8], kind: Kind) -> Result<(String, Value), ProtobufError> {
    let mut key = String::new();
    let mut value = match kind {
        Kind::QuantityMap => json!("0"),
        _ => json!(""),
    };
    for (number, wire) in fields(bytes)? {
        match (number, wire, kind) {
            (1, Wire::Len(b), _) => key = text(b)?,
            (2, Wire::Len(b), Kind::BytesMap) => value = base64(b),
            (2, Wire::Len(b), Kind::QuantityMap) => value = quantity(b)?,
            (2, Wire::Len(b), _) => value = json!(text(b)?),
            _ => return Err(ProtobufError::Malformed("map entry")),
        }
    }
    Ok((key, value))
}

fn quantity(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut value = String::from("0");
    for (number, wire) in fields(bytes)? {
        match (number, wire) {
            (1, Wire::Len(b)) => value = text(b)?,
            _ => return Err(ProtobufError::Malformed("resource.Quantity")),
        }
    }
    Ok(json!(value))
}

fn int_or_string(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let (mut is_string, mut int, mut string) = (false, 0i64, String::new());
    for (number, wire) in fields(bytes)? {
        match (number, wire) {
            (1, Wire::Varint(v)) => is_string = v == 1,
            (2, Wire::Varint(v)) => int = i64::from(v as i32),
            (3, Wire::Len(b)) => string = text(b)?,
            _ => return Err(ProtobufError::Malformed("intstr.IntOrString")),
        }
    }
    Ok(if is_string { json!(string) } else { json!(int) })
}

fn time(bytes: &[u8]) -> Result<Value, ProtobufError> {
    let mut seconds = 0i64;
    for (number, wire) in fields(bytes)? {
        match (number, wire) {
            (1, Wire::Varint(v)) => seconds = v as i64,
            // nanos: JSON's metav1.Time has second precision
            (2, Wire::Varint(_)) => {}
            _ => return Err(ProtobufError::Malformed("meta/v1 Time")),
        }
    }
    if seconds == 0 {
        return Ok(Value::Null); // the zero metav1.Time
    }
    let ts = jiff::Timestamp::from_second(seconds)
        .map_err(|_| ProtobufError::Malformed("timestamp out of range"))?;
    Ok(json!(ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

//! The message of one handler call, as a stream entry.
//!
//! Each entry is a flat list of fields (what `XADD` takes):
//!
//! | field | value |
//! |---|---|
//! | `v` | the format version, [`FORMAT_VERSION`] (`1`) |
//! | `e` | the event's path (`Event::PATH`, `crate::module::Type`) |
//! | `l` | the name of the handler's linker |
//! | `h` | the handler's path (`crate::module::function`) |
//! | `p` | the event, as JSON |
//! | `x-…` | headers: any other field whose name starts with `x-` (none are written yet; a worker keeps them, ignores those it does not know, and copies them to the dead-letter stream) |
//!
//! A worker refuses (dead-letters) an entry whose version it does not know, so a change of layout is a
//! new version, never a silent reinterpretation.

use std::sync::Arc;

use redis::Value;

/// The version of the entry layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

pub(crate) const VERSION: &str = "v";
pub(crate) const EVENT: &str = "e";
pub(crate) const LINKER: &str = "l";
pub(crate) const HANDLER: &str = "h";
pub(crate) const PAYLOAD: &str = "p";

/// One handler call on its way to Redis.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) shard: usize,
    pub(crate) event: &'static str,
    pub(crate) linker: &'static str,
    pub(crate) handler: &'static str,
    /// Shared by the calls of one emit.
    pub(crate) payload: Arc<[u8]>,
}

impl Outgoing {
    /// Appends this entry's `XADD` to `pipe`.
    pub(crate) fn add_to(&self, pipe: &mut redis::Pipeline, key: &str) {
        pipe.cmd("XADD")
            .arg(key)
            .arg("*")
            .arg(VERSION)
            .arg(FORMAT_VERSION)
            .arg(EVENT)
            .arg(self.event)
            .arg(LINKER)
            .arg(self.linker)
            .arg(HANDLER)
            .arg(self.handler)
            .arg(PAYLOAD)
            .arg(&*self.payload)
            .ignore();
    }
}

/// An entry read back from a stream.
#[derive(Debug, Clone)]
pub(crate) struct Incoming {
    /// The entry's id in its stream.
    pub(crate) id: String,
    /// Its fields, in the order they were written.
    pub(crate) fields: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Why an entry is not a handler call this worker can run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Malformed {
    Missing(&'static str),
    NotText(&'static str),
    Version(String),
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Malformed::Missing(field) => write!(f, "malformed entry: it has no `{field}` field"),
            Malformed::NotText(field) => {
                write!(f, "malformed entry: its `{field}` field is not UTF-8 text")
            }
            Malformed::Version(version) => write!(
                f,
                "format version `{version}` is not understood by this worker (it reads version \
                 {FORMAT_VERSION}): upgrade the worker, or route that producer elsewhere"
            ),
        }
    }
}

/// The parts of a well-formed entry.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) event: &'a str,
    pub(crate) linker: &'a str,
    pub(crate) handler: &'a str,
    pub(crate) payload: &'a [u8],
}

impl Incoming {
    /// Reads one entry from the reply of `XREADGROUP` / `XAUTOCLAIM` (`[id, [field, value, ...]]`);
    /// `None` for an entry deleted since it was delivered (its fields are nil).
    pub(crate) fn from_value(value: Value) -> Option<Incoming> {
        let Value::Array(mut parts) = value else {
            return None;
        };
        if parts.len() != 2 {
            return None;
        }
        let fields = parts.pop()?;
        let id = text(parts.pop()?)?;
        let Value::Array(flat) = fields else {
            return None;
        };
        let mut fields = Vec::with_capacity(flat.len() / 2);
        let mut flat = flat.into_iter();
        while let (Some(name), Some(value)) = (flat.next(), flat.next()) {
            fields.push((bytes(name)?, bytes(value)?));
        }
        Some(Incoming { id, fields })
    }

    fn field(&self, name: &'static str) -> Result<&[u8], Malformed> {
        self.fields
            .iter()
            .find(|(field, _)| field == name.as_bytes())
            .map(|(_, value)| value.as_slice())
            .ok_or(Malformed::Missing(name))
    }

    fn text_field(&self, name: &'static str) -> Result<&str, Malformed> {
        std::str::from_utf8(self.field(name)?).map_err(|_| Malformed::NotText(name))
    }

    /// The handler call this entry describes, if it is one this format version defines.
    pub(crate) fn call(&self) -> Result<Call<'_>, Malformed> {
        let version = self.text_field(VERSION)?;
        if version != "1" {
            return Err(Malformed::Version(version.to_owned()));
        }
        Ok(Call {
            event: self.text_field(EVENT)?,
            linker: self.text_field(LINKER)?,
            handler: self.text_field(HANDLER)?,
            payload: self.field(PAYLOAD)?,
        })
    }
}

fn bytes(value: Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(bytes) => Some(bytes),
        Value::SimpleString(text) => Some(text.into_bytes()),
        Value::Int(number) => Some(number.to_string().into_bytes()),
        _ => None,
    }
}

fn text(value: Value) -> Option<String> {
    String::from_utf8(bytes(value)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fields: &[(&str, &str)]) -> Incoming {
        Incoming {
            id: "1-0".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn a_well_formed_entry_is_a_call() {
        let e = entry(&[
            ("v", "1"),
            ("e", "app::Ev"),
            ("l", "EventLinker"),
            ("h", "app::f"),
            ("p", "{}"),
            ("x-trace", "abc"),
        ]);
        let call = e.call().unwrap();
        assert_eq!(
            (call.event, call.linker, call.handler, call.payload),
            ("app::Ev", "EventLinker", "app::f", &b"{}"[..])
        );
    }

    #[test]
    fn unknown_versions_and_missing_fields_are_refused() {
        let newer = entry(&[("v", "2"), ("e", "a"), ("l", "b"), ("h", "c"), ("p", "")]);
        assert_eq!(newer.call().unwrap_err(), Malformed::Version("2".into()));
        assert!(
            newer
                .call()
                .unwrap_err()
                .to_string()
                .contains("version `2`")
        );
        let no_handler = entry(&[("v", "1"), ("e", "a"), ("l", "b"), ("p", "")]);
        assert_eq!(no_handler.call().unwrap_err(), Malformed::Missing("h"));
        assert_eq!(entry(&[]).call().unwrap_err(), Malformed::Missing("v"));
    }

    #[test]
    fn entries_are_read_from_stream_replies() {
        let value = Value::Array(vec![
            Value::BulkString(b"5-1".to_vec()),
            Value::Array(vec![
                Value::BulkString(b"v".to_vec()),
                Value::BulkString(b"1".to_vec()),
            ]),
        ]);
        let incoming = Incoming::from_value(value).unwrap();
        assert_eq!(incoming.id, "5-1");
        assert_eq!(incoming.fields, vec![(b"v".to_vec(), b"1".to_vec())]);
        let deleted = Value::Array(vec![Value::BulkString(b"5-2".to_vec()), Value::Nil]);
        assert!(Incoming::from_value(deleted).is_none());
    }
}

//! What keeps a long-running stream small: acknowledged entries trimmed, departed consumers removed.
//!
//! Redis keeps a stream's entries after every group acknowledged them, and a group's consumers after
//! they left. The reclaim loop, on each pass, trims each shard below the oldest entry any group still
//! needs (`XTRIM MINID ~`: the oldest pending entry of each group, or, for a group with none pending,
//! the last entry it read) and deletes consumers that hold nothing and have been idle for a long time
//! (`XGROUP DELCONSUMER`, which only drops a name when it holds no pending entry). Entries not yet
//! read by some group are never trimmed.

use std::time::Duration;

use redis::Value;
use redis::aio::ConnectionManager;

use crate::worker::Core;

/// A consumer idle this long with nothing pending has left (workers read at least every few hundred
/// milliseconds).
const DEPARTED: Duration = Duration::from_secs(600);

/// Trims acknowledged entries of shard `key` and removes departed consumers of this worker's group;
/// the number of entries trimmed.
pub(crate) async fn tidy(
    core: &Core,
    connection: &mut ConnectionManager,
    key: &str,
) -> Result<u64, redis::RedisError> {
    let groups: Value = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(key)
        .query_async(connection)
        .await?;
    let Value::Array(groups) = groups else {
        return Ok(0);
    };
    let mut keep: Option<(u64, u64)> = None;
    for group in groups {
        let group = Fields(group);
        let (Some(name), Some(last)) = (group.text("name"), group.text("last-delivered-id")) else {
            return Ok(0); // a reply this code does not understand: trim nothing
        };
        let needed = if group.int("pending").unwrap_or(1) > 0 {
            let summary: Value = redis::cmd("XPENDING")
                .arg(key)
                .arg(&name)
                .query_async(connection)
                .await?;
            match oldest_pending(summary) {
                Some(id) => id,
                None => return Ok(0),
            }
        } else {
            match parse_id(&last) {
                Some(id) => id,
                None => return Ok(0),
            }
        };
        keep = Some(keep.map_or(needed, |kept| kept.min(needed)));
        if name == core.config.group {
            remove_departed(core, connection, key).await?;
        }
    }
    let Some((ms, seq)) = keep else {
        return Ok(0);
    };
    redis::cmd("XTRIM")
        .arg(key)
        .arg("MINID")
        .arg("~")
        .arg(format!("{ms}-{seq}"))
        .query_async(connection)
        .await
}

async fn remove_departed(
    core: &Core,
    connection: &mut ConnectionManager,
    key: &str,
) -> Result<(), redis::RedisError> {
    let consumers: Value = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(key)
        .arg(&core.config.group)
        .query_async(connection)
        .await?;
    let Value::Array(consumers) = consumers else {
        return Ok(());
    };
    for consumer in consumers {
        let consumer = Fields(consumer);
        let (Some(name), Some(0), Some(idle)) = (
            consumer.text("name"),
            consumer.int("pending"),
            consumer.int("idle"),
        ) else {
            continue;
        };
        if u128::from(idle.unsigned_abs()) > DEPARTED.as_millis() {
            let _: i64 = redis::cmd("XGROUP")
                .arg("DELCONSUMER")
                .arg(key)
                .arg(&core.config.group)
                .arg(&name)
                .query_async(connection)
                .await?;
        }
    }
    Ok(())
}

/// The smallest id in an `XPENDING` summary (`[count, min, max, consumers]`).
fn oldest_pending(summary: Value) -> Option<(u64, u64)> {
    let Value::Array(parts) = summary else {
        return None;
    };
    parts.get(1).and_then(text).as_deref().and_then(parse_id)
}

/// A stream id, `ms-seq`, as numbers (to compare).
pub(crate) fn parse_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        _ => None,
    }
}

/// A flat `[name, value, name, value, ...]` reply (RESP2) or a map (RESP3).
struct Fields(Value);

impl Fields {
    fn get(&self, name: &str) -> Option<&Value> {
        match &self.0 {
            Value::Array(flat) => flat
                .chunks(2)
                .find(|pair| text(&pair[0]).as_deref() == Some(name))
                .and_then(|pair| pair.get(1)),
            Value::Map(pairs) => pairs
                .iter()
                .find(|(key, _)| text(key).as_deref() == Some(name))
                .map(|(_, value)| value),
            _ => None,
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name).and_then(text)
    }

    fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(n) => Some(*n),
            other => text(other)?.parse().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_as_numbers() {
        assert!(parse_id("99-5") < parse_id("100-0"));
        assert!(parse_id("100-2") < parse_id("100-10"));
        assert_eq!(parse_id("nonsense"), None);
    }

    #[test]
    fn the_oldest_pending_id_is_read_from_the_summary() {
        let summary = Value::Array(vec![
            Value::Int(2),
            Value::BulkString(b"5-1".to_vec()),
            Value::BulkString(b"9-0".to_vec()),
            Value::Nil,
        ]);
        assert_eq!(oldest_pending(summary), Some((5, 1)));
        let none = Value::Array(vec![Value::Int(0), Value::Nil, Value::Nil, Value::Nil]);
        assert_eq!(oldest_pending(none), None);
    }
}

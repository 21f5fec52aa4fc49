//! Which stream keys a linker's handler calls go to.
//!
//! A processor and its workers agree on a *stream name* (`pyventus` by default) and a number of
//! *shards* (1 by default). Shard `i` is the stream key `<name>:<i>`; dead letters go to
//! `<name>:dead`. The entry format does not depend on the key, so spreading calls over more shards
//! (for Redis Cluster, where each key lives on one node, or for per-key ordering later) changes the
//! keys only: a worker reads every shard of its name.

/// The stream keys of one stream name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Layout {
    keys: Vec<String>,
    dead: String,
}

impl Layout {
    pub(crate) fn new(name: &str, shards: usize) -> Layout {
        let shards = shards.max(1);
        Layout {
            keys: (0..shards).map(|shard| format!("{name}:{shard}")).collect(),
            dead: format!("{name}:dead"),
        }
    }

    /// The key of each shard.
    pub(crate) fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The dead-letter stream.
    pub(crate) fn dead_letters(&self) -> &str {
        &self.dead
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    #[test]
    fn shards_are_numbered_keys_of_one_name() {
        let layout = Layout::new("orders", 3);
        assert_eq!(layout.keys(), ["orders:0", "orders:1", "orders:2"]);
        assert_eq!(layout.dead_letters(), "orders:dead");
        assert_eq!(Layout::new("p", 0).keys(), ["p:0"]);
    }
}

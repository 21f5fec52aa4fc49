//! A real `redis-server` for the tests: on a free loopback port, in a temporary directory, stopped
//! when dropped.
//!
//! When `redis-server` is not installed, `RedisServer::start` returns `None` after saying so loudly on
//! stderr, and the test returns; with `PYVENTUS_REQUIRE_REDIS=1` (which `.ci/run` sets) it panics
//! instead, so that CI cannot pass without running these tests.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
    appendonly: bool,
}

impl RedisServer {
    /// A server without persistence.
    pub(crate) fn start() -> Option<RedisServer> {
        RedisServer::start_with(false)
    }

    /// A server, with `appendonly yes` (fsync every write) when `appendonly`.
    pub(crate) fn start_with(appendonly: bool) -> Option<RedisServer> {
        if Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_err()
        {
            let message = "redis-server is not installed: the Redis tests cannot run \
                           (Debian: apt-get install redis-server)";
            if std::env::var_os("PYVENTUS_REQUIRE_REDIS").is_some() {
                panic!("{message}");
            }
            eprintln!("\n\n*** SKIPPED: {message} ***\n");
            return None;
        }
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("pyventus-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = RedisServer {
            child: None,
            port,
            dir,
            appendonly,
        };
        server.launch();
        Some(server)
    }

    fn launch(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", if self.appendonly { "yes" } else { "no" }])
            .args(["--appendfsync", "always"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let client = redis::Client::open(self.url()).expect("a valid URL");
        while Instant::now() < deadline {
            if let Ok(mut connection) = client.get_connection()
                && redis::cmd("PING").query::<String>(&mut connection).is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "redis-server did not answer on port {} within 10 s",
            self.port
        );
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A blocking connection, for the test's own checks.
    pub(crate) fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .expect("a valid URL")
            .get_connection()
            .expect("the server answers")
    }

    /// Stops the server (`SHUTDOWN`, which writes the append-only file) and waits for it to exit.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(mut connection) =
                redis::Client::open(self.url()).and_then(|c| c.get_connection())
            {
                let _: Result<(), _> = redis::cmd("SHUTDOWN").query(&mut connection);
            }
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, on the same port and directory.
    pub(crate) fn restart(&mut self) {
        self.stop();
        self.launch();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// Polls `done` every 10 ms until it holds or `within` passes; says whether it held.
pub(crate) fn eventually(within: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

/// A stream entry: its id and its fields.
pub(crate) type Entry = (String, Vec<(String, String)>);

/// The entries of a stream, as (id, fields) with text values.
pub(crate) fn entries(connection: &mut redis::Connection, key: &str) -> Vec<Entry> {
    type Raw = Vec<(String, Vec<(String, Vec<u8>)>)>;
    let reply: Raw = redis::cmd("XRANGE")
        .arg(key)
        .arg("-")
        .arg("+")
        .query(connection)
        .unwrap_or_default();
    reply
        .into_iter()
        .map(|(id, fields)| {
            let fields = fields
                .into_iter()
                .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
                .collect();
            (id, fields)
        })
        .collect()
}

/// The value of `field` in an entry.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

//! A hostile Redis, written in the tests: a TCP server on 127.0.0.1 (ephemeral ports only) that
//! answers each command as a script says, so that tests can make a server lie, stall, or send
//! bytes no real Redis sends. Real servers (tests/it/live.rs) stay the reference for what Redis
//! answers; this one is for what a broken or malicious server could.
//!
//! ```ignore
//! let server = Hostile::start(|call| {
//!     if call.is("INFO") {
//!         Answer::now(bulk(&info(&[("redis_version", "6.2.14")])))
//!     } else {
//!         Answer::now(status("OK"))
//!     }
//! });
//! ```
//!
//! Each connection is served in order, one command at a time, as Redis does: an answer held back
//! holds back the answers after it. Bytes that are not a RESP command (a TLS handshake, say) close
//! the connection.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One command a client sent.
pub struct Call<'a> {
    /// The port it came in on (a server may listen on several: a cluster's nodes).
    pub port: u16,
    /// The connection's number on that server, from 0.
    pub connection: usize,
    /// The command's arguments, `["CLUSTER", "NODES"]`.
    pub args: &'a [String],
}

impl Call<'_> {
    /// Whether the command is `command` (`"INFO"`, `"CLUSTER NODES"`), in any letter case.
    pub fn is(&self, command: &str) -> bool {
        let words: Vec<&str> = command.split(' ').collect();
        self.args.len() >= words.len()
            && words
                .iter()
                .zip(self.args)
                .all(|(w, a)| w.eq_ignore_ascii_case(a))
    }
}

/// What the server does with a command: sends these bytes after this long.
pub enum Answer {
    After(Duration, Vec<u8>),
}

impl Answer {
    pub fn now(bytes: Vec<u8>) -> Answer {
        Answer::After(Duration::ZERO, bytes)
    }

    pub fn late(after: Duration, bytes: Vec<u8>) -> Answer {
        Answer::After(after, bytes)
    }
}

/// `+text`
pub fn status(text: &str) -> Vec<u8> {
    format!("+{text}\r\n").into_bytes()
}

/// `-text`
pub fn error(text: &str) -> Vec<u8> {
    format!("-{text}\r\n").into_bytes()
}

/// A bulk string.
pub fn bulk(text: &str) -> Vec<u8> {
    let mut out = format!("${}\r\n", text.len()).into_bytes();
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

/// An array of replies.
pub fn array(items: &[Vec<u8>]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for item in items {
        out.extend_from_slice(item);
    }
    out
}

/// `INFO`'s text: `key:value` lines.
pub fn info(fields: &[(&str, &str)]) -> String {
    let mut text = String::from("# Server\r\n");
    for (key, value) in fields {
        text.push_str(&format!("{key}:{value}\r\n"));
    }
    text
}

/// The `INFO` fields of a healthy standalone Redis 6.2.14 with AOF on and no memory limit.
pub fn healthy() -> Vec<(&'static str, &'static str)> {
    vec![
        ("redis_version", "6.2.14"),
        ("redis_mode", "standalone"),
        ("cluster_enabled", "0"),
        ("used_memory", "1000000"),
        ("maxmemory", "0"),
        ("maxmemory_policy", "noeviction"),
        ("aof_enabled", "1"),
    ]
}

/// `INFO`'s text: `fields` over [`healthy`] (a field given replaces the healthy one, others are
/// added).
pub fn healthy_with(fields: &[(&str, &str)]) -> String {
    let mut all: Vec<(&str, &str)> = healthy();
    for (key, value) in fields {
        match all.iter_mut().find(|(k, _)| k == key) {
            Some(field) => field.1 = value,
            None => all.push((key, value)),
        }
    }
    info(&all)
}

/// The answer of a Redis 6.2 without RediSearch to `FT.INFO`.
pub fn no_search_module() -> Vec<u8> {
    error("ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ")
}

/// The answer of RediSearch to `FT.INFO` on an index that does not exist.
pub fn no_index() -> Vec<u8> {
    error("Unknown Index name")
}

type Script = dyn Fn(&Call) -> Answer + Send + Sync;
/// Every command received, with its port.
type Calls = Mutex<Vec<(u16, Vec<String>)>>;

/// A running hostile server; it stops listening when dropped.
pub struct Hostile {
    pub ports: Vec<u16>,
    connections: Arc<AtomicUsize>,
    calls: Arc<Calls>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    /// A server on one port.
    pub fn start(script: impl Fn(&Call) -> Answer + Send + Sync + 'static) -> Hostile {
        Hostile::start_many(1, script)
    }

    /// A server on `count` ports, one script for all (a cluster's nodes).
    pub fn start_many(count: usize, script: impl Fn(&Call) -> Answer + Send + Sync + 'static) -> Hostile {
        let script: Arc<Script> = Arc::new(script);
        let connections = Arc::new(AtomicUsize::new(0));
        let calls = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut ports = Vec::new();
        for _ in 0..count {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
            let port = listener.local_addr().unwrap().port();
            ports.push(port);
            let (script, connections, calls, stop) =
                (script.clone(), connections.clone(), calls.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut numbered = 0;
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (script, calls) = (script.clone(), calls.clone());
                    let connection = numbered;
                    numbered += 1;
                    std::thread::spawn(move || serve(stream, port, connection, &*script, &calls));
                }
            });
        }
        Hostile {
            ports,
            connections,
            calls,
            stop,
        }
    }

    /// `127.0.0.1:PORT` of the first port.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.ports[0])
    }

    /// Connections accepted so far, on every port.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Every command received so far, with its port.
    pub fn calls(&self) -> Vec<(u16, Vec<String>)> {
        self.calls.lock().unwrap().clone()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake each accept loop so that it sees the flag and lets its port go.
        for port in &self.ports {
            let _ = TcpStream::connect(("127.0.0.1", *port));
        }
    }
}

fn serve(
    stream: TcpStream,
    port: u16,
    connection: usize,
    script: &Script,
    calls: &Mutex<Vec<(u16, Vec<String>)>>,
) {
    let mut out = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some(args) = read_command(&mut reader) {
        calls.lock().unwrap().push((port, args.clone()));
        let call = Call {
            port,
            connection,
            args: &args,
        };
        let Answer::After(delay, bytes) = script(&call);
        std::thread::sleep(delay);
        if out.write_all(&bytes).is_err() {
            return;
        }
    }
}

/// One RESP command (`*N` then N bulk strings); `None` at the end of the connection or at bytes
/// that are not one.
fn read_command(reader: &mut BufReader<TcpStream>) -> Option<Vec<String>> {
    let count: usize = header(reader, b'*')?;
    let mut args = Vec::with_capacity(count.min(16));
    for _ in 0..count {
        let len: usize = header(reader, b'$')?;
        let mut data = vec![0; len + 2];
        reader.read_exact(&mut data).ok()?;
        data.truncate(len);
        args.push(String::from_utf8_lossy(&data).into_owned());
    }
    Some(args)
}

fn header(reader: &mut BufReader<TcpStream>, kind: u8) -> Option<usize> {
    // Not RESP (a TLS ClientHello): close at once rather than wait for a line feed.
    if reader.fill_buf().ok()?.first() != Some(&kind) {
        return None;
    }
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).ok()?;
    let rest = line.strip_prefix(&[kind])?.strip_suffix(b"\r\n")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `commands` on one connection and reads `bytes` bytes of answers.
    fn exchange(address: &str, commands: &[&[&str]], bytes: usize) -> Vec<u8> {
        let mut stream = TcpStream::connect(address).unwrap();
        for args in commands {
            let mut out = format!("*{}\r\n", args.len());
            for arg in *args {
                out.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
            }
            stream.write_all(out.as_bytes()).unwrap();
        }
        let mut answers = vec![0; bytes];
        stream.read_exact(&mut answers).unwrap();
        answers
    }

    #[test]
    fn replies_are_written_as_redis_writes_them() {
        assert_eq!(status("OK"), b"+OK\r\n");
        assert_eq!(error("ERR x"), b"-ERR x\r\n");
        assert_eq!(bulk("héllo"), b"$6\r\nh\xC3\xA9llo\r\n");
        assert_eq!(
            array(&[bulk("save"), bulk("")]),
            b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
        );
        assert_eq!(
            info(&[("redis_version", "6.2.14")]),
            "# Server\r\nredis_version:6.2.14\r\n"
        );
        let text = healthy_with(&[("redis_version", "7.0.15"), ("server_name", "valkey")]);
        assert!(text.contains("redis_version:7.0.15\r\n") && !text.contains("6.2.14"));
        assert!(text.ends_with("server_name:valkey\r\n"));
        assert!(no_index().starts_with(b"-Unknown Index name"));
        assert!(no_search_module().starts_with(b"-ERR unknown command `FT.INFO`"));
    }

    #[test]
    fn the_script_answers_each_command_in_order_and_sees_the_connection() {
        let server = Hostile::start_many(2, |call| {
            if call.is("PORT") {
                Answer::now(status(&call.port.to_string()))
            } else if call.is("CLUSTER NODES") {
                // Late, and the answer after it waits behind it, as in Redis.
                Answer::late(Duration::from_millis(200), status("nodes"))
            } else {
                Answer::now(status(&format!("{}:{}", call.connection, call.args.join(" "))))
            }
        });
        let answers = exchange(&server.address(), &[&["cluster", "nodes"], &["PING"]], 17);
        assert_eq!(answers, b"+nodes\r\n+0:PING\r\n");
        let second = format!("127.0.0.1:{}", server.ports[1]);
        assert_eq!(exchange(&second, &[&["INFO"]], 9), b"+0:INFO\r\n");
        let port = format!("+{}\r\n", server.ports[1]);
        assert_eq!(exchange(&second, &[&["PORT"]], port.len()), port.as_bytes());
        assert_eq!(exchange(&server.address(), &[&["INFO"]], 9), b"+1:INFO\r\n");
        assert_eq!(server.connections(), 4);
        let calls: Vec<(u16, Vec<String>)> = server.calls();
        assert_eq!(calls.len(), 5);
        assert_eq!(calls[2], (server.ports[1], vec!["INFO".to_string()]));

        // Bytes that are not a command (a TLS ClientHello) close the connection at once.
        let mut stream = TcpStream::connect(server.address()).unwrap();
        stream.write_all(b"\x16\x03\x01\x00\xa5").unwrap();
        let mut rest = Vec::new();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(stream.read_to_end(&mut rest).unwrap(), 0);
    }
}

//! A minimal, read-only Redis client: RESP2 over TCP or TLS, one command at a time, every write and
//! every reply bounded by a deadline. The commands it can send are an enum ([`Command`]), so the
//! probe cannot send anything outside the read-only list of the README, whatever the code above does.
//!
//! Why not the `redis` crate: the probe must see each node's exact error text, time out on a server
//! that accepts and never answers, never follow a redirect to an address it was not told to use, and
//! be provably read-only; a small client that does only this is easier to trust than configuring a
//! general one.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The only commands the probe sends.
#[derive(Clone, PartialEq, Eq)]
pub enum Command {
    /// `AUTH [user] password`.
    Auth {
        user: Option<String>,
        password: String,
    },
    Ping,
    /// `INFO` (the default sections).
    Info,
    ClusterInfo,
    ClusterNodes,
    /// `MODULE LIST`: each module's name and version (and its `loadmodule` arguments, which
    /// may hold a password and are never read).
    ModuleList,
    /// `COMMAND INFO name`: whether the server has the command (a nil entry when not).
    CommandInfo(&'static str),
    /// `FT.INFO index`.
    FtInfo(String),
    /// `CONFIG GET parameter`.
    ConfigGet(&'static str),
}

/// Never prints the password.
impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl Command {
    fn args(&self) -> Vec<&str> {
        match self {
            Command::Auth {
                user: Some(user),
                password,
            } => vec!["AUTH", user, password],
            Command::Auth { user: None, password } => vec!["AUTH", password],
            Command::Ping => vec!["PING"],
            Command::Info => vec!["INFO"],
            Command::ClusterInfo => vec!["CLUSTER", "INFO"],
            Command::ClusterNodes => vec!["CLUSTER", "NODES"],
            Command::ModuleList => vec!["MODULE", "LIST"],
            Command::CommandInfo(name) => vec!["COMMAND", "INFO", name],
            Command::FtInfo(index) => vec!["FT.INFO", index],
            Command::ConfigGet(parameter) => vec!["CONFIG", "GET", parameter],
        }
    }

    /// The command as an ACL rule names it (`+cluster|info`), and as a person reads it.
    pub fn acl_name(&self) -> &'static str {
        match self {
            Command::Auth { .. } => "auth",
            Command::Ping => "ping",
            Command::Info => "info",
            Command::ClusterInfo => "cluster|info",
            Command::ClusterNodes => "cluster|nodes",
            Command::ModuleList => "module|list",
            Command::CommandInfo(_) => "command|info",
            Command::FtInfo(_) => "ft.info",
            Command::ConfigGet(_) => "config|get",
        }
    }

    pub fn name(&self) -> String {
        self.acl_name().replace('|', " ").to_uppercase()
    }
}

/// A reply. Bulk strings are kept as text (lossily): the probe reads only text replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<String>),
    Array(Option<Vec<Reply>>),
}

impl Reply {
    pub fn text(&self) -> Option<&str> {
        match self {
            Reply::Status(s) | Reply::Bulk(Some(s)) => Some(s),
            _ => None,
        }
    }
}

/// Why a command got no reply.
#[derive(Debug)]
pub enum Failure {
    /// The host name did not resolve.
    Dns(String),
    /// TCP connect failed (refused, no route, …).
    Connect(io::Error),
    /// Nothing within the per-call timeout (connect or reply).
    Timeout,
    /// The whole probe's deadline came first (connect or reply).
    Deadline,
    /// Not sent: an earlier command on this connection failed (its late reply could be read as
    /// this one's), or the probe's deadline had passed before the command began.
    NotRun,
    /// The TLS handshake failed, or TLS broke.
    Tls(String),
    /// The server closed the connection before answering.
    Closed,
    /// The server closed the connection in the middle of a reply.
    Truncated,
    /// Some other I/O error after connecting.
    Io(io::Error),
    /// The bytes were not RESP (a TLS server answering plain text, or another protocol).
    Protocol(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Dns(e) => write!(f, "the host name does not resolve ({e})"),
            Failure::Connect(e) => write!(f, "{}", describe_io(e)),
            Failure::Timeout => f.write_str("no answer within the timeout"),
            Failure::Deadline => f.write_str("no answer before the probe's deadline"),
            Failure::NotRun => f.write_str("not run"),
            Failure::Tls(e) => write!(f, "TLS failed: {e}"),
            Failure::Closed => f.write_str("the server closed the connection"),
            Failure::Truncated => f.write_str("the server closed the connection in the middle of its reply"),
            Failure::Io(e) => write!(f, "{}", describe_io(e)),
            Failure::Protocol(e) => write!(f, "the answer is not the Redis protocol ({e})"),
        }
    }
}

/// An I/O error as a person reads it, without Rust's "(os error N)".
pub fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".into(),
        io::ErrorKind::ConnectionReset => "connection reset by the server".into(),
        io::ErrorKind::HostUnreachable => "no route to host".into(),
        io::ErrorKind::NetworkUnreachable => "network is unreachable".into(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "timed out".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(at) => text[..at].to_string(),
                None => text,
            }
        }
    }
}

/// TLS settings of a connection.
#[derive(Clone)]
pub struct Tls {
    pub config: Arc<rustls::ClientConfig>,
    /// The name the certificate must hold: the host of the address unless overridden.
    pub server_name: Option<String>,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// The largest reply accepted: `INFO` and `CLUSTER NODES` of a large cluster are well below it.
const MAX_REPLY_BYTES: usize = 8 << 20;
const MAX_ARRAY_ITEMS: usize = 1 << 16;
const MAX_NESTING: usize = 8;

/// How long each step of the probe (a connect with its TLS handshake, a command and its reply) may
/// take: the per-call `--timeout`, cut to what is left before the whole probe's `--deadline`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub timeout: Duration,
    pub deadline: Instant,
}

impl Budget {
    /// The deadline has passed: nothing more may start.
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// The bounds of a step that starts now.
    fn step(&self) -> Step {
        let by_timeout = Instant::now() + self.timeout;
        if self.deadline <= by_timeout {
            Step {
                end: self.deadline,
                by_deadline: true,
            }
        } else {
            Step {
                end: by_timeout,
                by_deadline: false,
            }
        }
    }
}

/// When one step must end, and whether the probe's deadline (rather than the timeout) sets it.
#[derive(Clone, Copy, Debug)]
struct Step {
    end: Instant,
    by_deadline: bool,
}

impl Step {
    /// The failure of a step that ran out of time.
    fn out_of_time(&self) -> Failure {
        if self.by_deadline {
            Failure::Deadline
        } else {
            Failure::Timeout
        }
    }

    /// The time left, or the failure if there is none.
    fn left(&self) -> Result<Duration, Failure> {
        let left = self.end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.out_of_time());
        }
        Ok(left)
    }

    /// Bounds the next read on `tcp` by the time left.
    fn arm(&self, tcp: &TcpStream) -> Result<(), Failure> {
        let left = self.left()?;
        tcp.set_read_timeout(Some(left)).map_err(Failure::Io)
    }
}

/// One connection to one node. After a failure (no reply in time, bytes that are not RESP, a
/// connection closed mid-reply) it sends nothing more: a late reply to one command must never be
/// read as the reply to the next.
pub struct Connection {
    stream: BufReader<Stream>,
    budget: Budget,
    failed: bool,
}

/// Resolves `host:port` within the step (the system resolver has no timeout of its own).
fn resolve(host: &str, port: u16, step: Step) -> Result<Vec<SocketAddr>, Failure> {
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let left = step.left()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let name = host.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(
            (name.as_str(), port)
                .to_socket_addrs()
                .map(|a| a.collect::<Vec<_>>()),
        );
    });
    match rx.recv_timeout(left) {
        Ok(Ok(addrs)) if !addrs.is_empty() => Ok(addrs),
        Ok(Ok(_)) => Err(Failure::Dns("no address".into())),
        Ok(Err(e)) => Err(Failure::Dns(describe_dns(&e))),
        Err(_) => Err(step.out_of_time()),
    }
}

fn describe_dns(e: &io::Error) -> String {
    let text = e.to_string();
    text.strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text)
        .to_string()
}

impl Connection {
    /// Connects to `host:port` (TCP, then TLS when given) within one step of `budget`; every
    /// command later is a step of its own.
    pub fn open(host: &str, port: u16, tls: Option<&Tls>, budget: Budget) -> Result<Connection, Failure> {
        let step = budget.step();
        let addrs = resolve(host, port, step)?;
        let mut last = step.out_of_time();
        let mut tcp = None;
        for addr in addrs {
            let left = match step.left() {
                Ok(left) => left,
                Err(out_of_time) => {
                    last = out_of_time;
                    break;
                }
            };
            match TcpStream::connect_timeout(&addr, left) {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
                    last = step.out_of_time()
                }
                Err(e) => last = Failure::Connect(e),
            }
        }
        let tcp = tcp.ok_or(last)?;
        let _ = tcp.set_nodelay(true);
        let stream = match tls {
            None => Stream::Plain(tcp),
            Some(tls) => {
                let name = tls
                    .server_name
                    .clone()
                    .unwrap_or_else(|| host.trim_matches(['[', ']']).to_string());
                let server_name = rustls::pki_types::ServerName::try_from(name.clone())
                    .map_err(|_| Failure::Tls(format!("`{name}` is not a valid TLS server name")))?;
                let conn = rustls::ClientConnection::new(tls.config.clone(), server_name)
                    .map_err(|e| Failure::Tls(e.to_string()))?;
                let mut stream = rustls::StreamOwned::new(conn, tcp);
                // A handshake cut by the probe's deadline is the deadline; one the server never
                // answers within the timeout is a port without TLS.
                let no_answer = |failure: Failure| match failure {
                    Failure::Timeout => Failure::Tls(
                        "no answer to the TLS handshake: a Redis port without TLS waits like this".into(),
                    ),
                    other => other,
                };
                while stream.conn.is_handshaking() {
                    step.arm(&stream.sock).map_err(no_answer)?;
                    if let Err(e) = stream.conn.complete_io(&mut stream.sock) {
                        return Err(no_answer(tls_failure(e, step)));
                    }
                }
                Stream::Tls(Box::new(stream))
            }
        };
        Ok(Connection {
            stream: BufReader::new(stream),
            budget,
            failed: false,
        })
    }

    /// Sends one command and reads its reply, both within one step. An error reply is a reply. A
    /// failure leaves the connection unusable: later calls return [`Failure::NotRun`].
    pub fn call(&mut self, command: &Command) -> Result<Reply, Failure> {
        if self.failed {
            return Err(Failure::NotRun);
        }
        let result = self.exchange(command);
        self.failed = result.is_err();
        result
    }

    /// Whether the connection can take another command (no command on it has failed).
    pub fn usable(&self) -> bool {
        !self.failed
    }

    fn exchange(&mut self, command: &Command) -> Result<Reply, Failure> {
        let step = self.budget.step();
        let mut out = Vec::new();
        let args = command.args();
        out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        let tls = self.is_tls();
        let tcp = self.stream.get_ref().tcp();
        tcp.set_write_timeout(Some(step.left()?)).map_err(Failure::Io)?;
        let stream = self.stream.get_mut();
        stream
            .write_all(&out)
            .and_then(|_| stream.flush())
            .map_err(|e| io_failure(e, tls, step))?;
        let mut budget = MAX_REPLY_BYTES;
        match read_reply(&mut self.stream, step, &mut budget, 0) {
            Err(Failure::Closed) if budget < MAX_REPLY_BYTES => Err(Failure::Truncated),
            other => other,
        }
    }

    fn is_tls(&self) -> bool {
        matches!(self.stream.get_ref(), Stream::Tls(_))
    }
}

/// Whether the port answers a TLS handshake (with any certificate): tells a TLS port that closes
/// plain connections from a server that closes every connection.
pub fn speaks_tls(address: &super::Address, budget: Budget) -> bool {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let Ok(builder) =
        rustls::ClientConfig::builder_with_provider(provider.clone()).with_safe_default_protocol_versions()
    else {
        return false;
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
        .with_no_client_auth();
    let tls = Tls {
        config: Arc::new(config),
        server_name: Some("localhost".into()),
    };
    match Connection::open(&address.host, address.port, Some(&tls), budget) {
        Ok(_) => true,
        // The server sent TLS records and then refused us (a client certificate required, …).
        Err(Failure::Tls(e)) => e.contains("refused the handshake"),
        Err(_) => false,
    }
}

fn tls_failure(e: io::Error, step: Step) -> Failure {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => step.out_of_time(),
        io::ErrorKind::UnexpectedEof => {
            Failure::Tls("the server closed the connection during the handshake".into())
        }
        io::ErrorKind::ConnectionReset => {
            Failure::Tls("the server reset the connection during the handshake".into())
        }
        _ => match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => Failure::Tls(describe_tls(tls)),
            None => Failure::Tls(describe_io(&e)),
        },
    }
}

/// A rustls error as a person reads it.
fn describe_tls(e: &rustls::Error) -> String {
    use rustls::{CertificateError, Error};
    match e {
        Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
            "the server's certificate is signed by an unknown authority".into()
        }
        Error::InvalidCertificate(CertificateError::NotValidForName)
        | Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. }) => {
            "the server's certificate is not valid for this host name".into()
        }
        Error::InvalidCertificate(CertificateError::Expired)
        | Error::InvalidCertificate(CertificateError::ExpiredContext { .. }) => {
            "the server's certificate has expired".into()
        }
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => {
            "the server does not speak TLS (its answer is not a TLS handshake)".into()
        }
        Error::AlertReceived(alert) => format!("the server refused the handshake ({alert:?})"),
        other => other.to_string(),
    }
}

fn io_failure(e: io::Error, tls: bool, step: Step) -> Failure {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => step.out_of_time(),
        io::ErrorKind::UnexpectedEof => Failure::Closed,
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionAborted => {
            Failure::Closed
        }
        _ if tls => tls_failure(e, step),
        _ => Failure::Io(e),
    }
}

/// One line of a reply, without its CRLF, as bytes: a server may send any bytes, and a reply is
/// only read as text where its type says it is text.
fn read_line(reader: &mut BufReader<Stream>, step: Step, budget: &mut usize) -> Result<Vec<u8>, Failure> {
    let mut line = Vec::new();
    loop {
        step.arm(reader.get_ref().tcp())?;
        let tls = matches!(reader.get_ref(), Stream::Tls(_));
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure(e, tls, step)),
        };
        if available.is_empty() {
            return Err(Failure::Closed);
        }
        let (taken, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, true),
            None => (available.len(), false),
        };
        if taken > *budget {
            return Err(Failure::Protocol("the reply is too large".into()));
        }
        *budget -= taken;
        line.extend_from_slice(&available[..taken]);
        reader.consume(taken);
        if done {
            break;
        }
    }
    if !line.ends_with(b"\r\n") {
        return Err(Failure::Protocol("a line without CRLF".into()));
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

/// Bytes a server sent, quoted on one line for a message.
fn quoted(bytes: &[u8]) -> String {
    crate::core::text::preview(&String::from_utf8_lossy(bytes), 24)
}

/// The number after a length or integer type byte.
fn number(rest: &[u8]) -> Result<i64, Failure> {
    std::str::from_utf8(rest)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| Failure::Protocol(format!("`{}` is not a number", quoted(rest))))
}

fn read_reply(
    reader: &mut BufReader<Stream>,
    step: Step,
    budget: &mut usize,
    depth: usize,
) -> Result<Reply, Failure> {
    if depth > MAX_NESTING {
        return Err(Failure::Protocol("the reply is nested too deeply".into()));
    }
    let line = read_line(reader, step, budget)?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    // The type is the first byte, whatever the bytes after it are.
    let Some((&kind, rest)) = line.split_first() else {
        return Err(Failure::Protocol("an empty line".into()));
    };
    match kind {
        b'+' => Ok(Reply::Status(text(rest))),
        b'-' => Ok(Reply::Error(text(rest))),
        b':' => Ok(Reply::Int(number(rest)?)),
        b'$' => {
            let len = number(rest)?;
            if len < 0 {
                return Ok(Reply::Bulk(None));
            }
            let len = usize::try_from(len)
                .ok()
                .filter(|len| len.checked_add(2).is_some_and(|n| n <= *budget))
                .ok_or_else(|| Failure::Protocol("the reply is too large".into()))?;
            *budget -= len + 2;
            let mut data = vec![0; len + 2];
            let mut filled = 0;
            while filled < data.len() {
                step.arm(reader.get_ref().tcp())?;
                let tls = matches!(reader.get_ref(), Stream::Tls(_));
                match reader.read(&mut data[filled..]) {
                    Ok(0) => return Err(Failure::Closed),
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(io_failure(e, tls, step)),
                }
            }
            if !data.ends_with(b"\r\n") {
                return Err(Failure::Protocol("a bulk string longer than its length".into()));
            }
            data.truncate(len);
            Ok(Reply::Bulk(Some(text(&data))))
        }
        b'*' => {
            let len = number(rest)?;
            if len < 0 {
                return Ok(Reply::Array(None));
            }
            if len as u64 > MAX_ARRAY_ITEMS as u64 {
                return Err(Failure::Protocol("the reply has too many items".into()));
            }
            let mut items = Vec::with_capacity(len as usize);
            for _ in 0..len {
                items.push(read_reply(reader, step, budget, depth + 1)?);
            }
            Ok(Reply::Array(Some(items)))
        }
        _ => Err(Failure::Protocol(format!("it begins with `{}`", quoted(&line)))),
    }
}

/// A certificate verifier that accepts any certificate: `--tls-insecure`, itself reported.
#[derive(Debug)]
pub struct AcceptAnyCertificate(pub Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

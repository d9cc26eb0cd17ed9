//! `duplicate-key`: a mapping repeats a key; Helm silently keeps only the last one.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;
use crate::yaml::Problem;

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a mapping repeats a key; Helm silently keeps only the last one",
    docs: r#"## What it checks
That no mapping sets the same key twice.

## Why it matters
Helm (go-yaml) keeps the last value and drops the first without a word. The setting you read first in
the file is not the one deployed, which is how a cluster ends up with the wrong password or node count.

## How to fix
Delete one of the two keys, keeping the value you mean. Both places are shown.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6
    replicas: 1
    nodes: 3      # this one wins
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for problem in cx.problems {
        if let Problem::DuplicateKey { key, first, second } = problem {
            out.push(
                Finding::new(&RULE, format!("key `{key}` is set twice in the same mapping"))
                    .at(*second)
                    .label("this value wins")
                    .related(*first, "first set here; Helm silently drops this value")
                    .help("delete one of the two keys"),
            );
        }
    }
}

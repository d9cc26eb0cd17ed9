//! `--diff`: a unified diff of a file's old and fixed text, as `diff -u` and `git diff` print it
//! (three lines of context). What it shows is the texts as a report may show them, their secrets
//! masked; which lines changed is worked out on the real texts, so that two lines that differ only
//! in their secret (two `password: ***`) are never taken for each other.

/// The unified diff of a file named `name`, from `old` to `new`, showing `old_shown` and
/// `new_shown` (the same texts with their secrets masked, line for line); empty when nothing
/// changes.
pub fn unified(name: &str, old: &str, new: &str, old_shown: &str, new_shown: &str) -> String {
    const CONTEXT: usize = 3;
    let (real_a, real_b): (Vec<&str>, Vec<&str>) = (
        old.split_inclusive('\n').collect(),
        new.split_inclusive('\n').collect(),
    );
    let a: Vec<&str> = old_shown.split_inclusive('\n').collect();
    let b: Vec<&str> = new_shown.split_inclusive('\n').collect();
    // Masking keeps every line; should it not, the script is worked out on what is shown.
    let ops = if a.len() == real_a.len() && b.len() == real_b.len() {
        script(&real_a, &real_b)
    } else {
        script(&a, &b)
    };
    if ops.iter().all(|op| matches!(op, Op::Same(..))) {
        return String::new();
    }
    let mut out = format!("--- {name}\n+++ {name}\n");
    // Hunks: runs of changes with up to 2 × CONTEXT unchanged lines between them.
    let changed: Vec<usize> = (0..ops.len())
        .filter(|&i| !matches!(ops[i], Op::Same(..)))
        .collect();
    let mut start = 0;
    while start < changed.len() {
        let mut end = start;
        while end + 1 < changed.len() && changed[end + 1] - changed[end] <= 2 * CONTEXT + 1 {
            end += 1;
        }
        let from = changed[start].saturating_sub(CONTEXT);
        let to = (changed[end] + CONTEXT + 1).min(ops.len());
        let (mut old_start, mut new_start) = (None, None);
        let (mut old_len, mut new_len) = (0, 0);
        let mut body = String::new();
        for op in &ops[from..to] {
            let (sign, line) = match *op {
                Op::Same(i, j) => {
                    old_start.get_or_insert(i);
                    new_start.get_or_insert(j);
                    old_len += 1;
                    new_len += 1;
                    (' ', a[i])
                }
                Op::Delete(i, j) => {
                    old_start.get_or_insert(i);
                    new_start.get_or_insert(j);
                    old_len += 1;
                    ('-', a[i])
                }
                Op::Insert(i, j) => {
                    old_start.get_or_insert(i);
                    new_start.get_or_insert(j);
                    new_len += 1;
                    ('+', b[j])
                }
            };
            body.push(sign);
            body.push_str(line);
            if !line.ends_with('\n') {
                body.push_str("\n\\ No newline at end of file\n");
            }
        }
        // A range of no lines starts at the line before it.
        let shown = |start: Option<usize>, len: usize| match len {
            0 => format!("{},0", start.unwrap_or(0)),
            1 => format!("{}", start.unwrap_or(0) + 1),
            n => format!("{},{n}", start.unwrap_or(0) + 1),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            shown(old_start, old_len),
            shown(new_start, new_len)
        ));
        out.push_str(&body);
        start = end + 1;
    }
    out
}

/// One step of the edit script: a line of both (at its index in each), of the old only, or of the
/// new only (each with the index the other text has reached).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Same(usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
}

/// The shortest edit script from `a` to `b` (Myers' O(ND) algorithm), after the lines both start
/// and end with are set aside: fixes change a few lines of a file.
fn script(a: &[&str], b: &[&str]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (x, y) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Same(i, i)).collect();
    for op in myers(x, y) {
        ops.push(match op {
            Op::Same(i, j) => Op::Same(i + prefix, j + prefix),
            Op::Delete(i, j) => Op::Delete(i + prefix, j + prefix),
            Op::Insert(i, j) => Op::Insert(i + prefix, j + prefix),
        });
    }
    let (da, db) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Same(da + k, db + k)));
    ops
}

fn myers(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let offset = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'search: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let i = (k + offset) as usize;
            let mut x = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
                v[i + 1]
            } else {
                v[i - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[i] = x;
            if x >= n && y >= m {
                trace.push(v.clone());
                break 'search;
            }
            k += 2;
        }
    }
    // Back from the end, through the furthest points of each round.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..trace.len() as isize - 1).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && v[(k - 1 + offset) as usize] < v[(k + 1 + offset) as usize]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[(prev_k + offset) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Op::Same(x as usize, y as usize));
        }
        if x == prev_x {
            y -= 1;
            ops.push(Op::Insert(x as usize, y as usize));
        } else {
            x -= 1;
            ops.push(Op::Delete(x as usize, y as usize));
        }
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        ops.push(Op::Same(x as usize, y as usize));
    }
    ops.reverse();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_a_hunk_with_its_context() {
        let old = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\ng: yes\nh: 8\n";
        let new = old.replace("g: yes", "g: \"yes\"");
        assert_eq!(
            unified("v.yaml", old, &new, old, &new),
            "--- v.yaml\n+++ v.yaml\n@@ -4,5 +4,5 @@\n d: 4\n e: 5\n f: 6\n-g: yes\n+g: \"yes\"\n h: 8\n"
        );
        assert_eq!(unified("v.yaml", old, old, old, old), "");
    }

    #[test]
    fn deleted_lines_and_far_apart_changes() {
        let old: String = (1..=20).map(|i| format!("k{i}: {i}\n")).collect();
        let new = old.replace("k2: 2\n", "").replace("k18: 18", "k18: \"18\"");
        let diff = unified("v.yaml", &old, &new, &old, &new);
        assert!(
            diff.contains("@@ -1,5 +1,4 @@\n k1: 1\n-k2: 2\n k3: 3\n"),
            "{diff}"
        );
        assert!(diff.contains("@@ -15,6 +14,6 @@\n"), "{diff}");
        // Every line of the new text is the old text with the diff applied.
        let mut rebuilt = Vec::new();
        let lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut at = 0;
        for hunk in diff.split("@@ -").skip(1) {
            let start: usize = hunk.split([',', ' ']).next().unwrap().parse().unwrap();
            rebuilt.extend(lines[at..start - 1].iter().map(|l| l.to_string()));
            at = start - 1;
            for line in hunk.split_inclusive('\n').skip(1) {
                match line.as_bytes()[0] {
                    b' ' => {
                        rebuilt.push(line[1..].to_string());
                        at += 1;
                    }
                    b'-' => at += 1,
                    b'+' => rebuilt.push(line[1..].to_string()),
                    _ => {}
                }
            }
        }
        rebuilt.extend(lines[at..].iter().map(|l| l.to_string()));
        assert_eq!(rebuilt.concat(), new);
    }

    #[test]
    fn every_edit_script_rebuilds_the_new_text() {
        let texts = [
            "",
            "a\n",
            "a\nb\n",
            "b\na\n",
            "a\nb\nc\n",
            "a\nx\nc\ny\n",
            "x\ny\nz",
        ];
        for old in texts {
            for new in texts {
                let a: Vec<&str> = old.split_inclusive('\n').collect();
                let b: Vec<&str> = new.split_inclusive('\n').collect();
                let ops = script(&a, &b);
                let rebuilt: String = ops
                    .iter()
                    .filter_map(|op| match *op {
                        Op::Same(i, _) => Some(a[i]),
                        Op::Insert(_, j) => Some(b[j]),
                        Op::Delete(..) => None,
                    })
                    .collect();
                assert_eq!(rebuilt, new, "{old:?} → {new:?}: {ops:?}");
            }
        }
    }

    #[test]
    fn lines_alike_once_masked_are_told_apart_by_their_real_text() {
        // Helm drops the first `password`; the fix deletes it, and the diff must say so, though
        // both lines show as `password: ***`.
        let old = "a:\n  password: one\n  password: two\nb: 1\n";
        let new = "a:\n  password: two\nb: 1\n";
        let shown = |t: &str| t.replace("one", "***").replace("two", "***");
        assert_eq!(
            unified("v.yaml", old, new, &shown(old), &shown(new)),
            "--- v.yaml\n+++ v.yaml\n@@ -1,4 +1,3 @@\n a:\n-  password: ***\n   password: ***\n b: 1\n"
        );
    }
}

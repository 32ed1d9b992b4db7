//! The `--dry-run` diff: a unified-style line diff of the file before and after, with
//! every secret-looking value masked. The old file may hold other servers' keys, and the new
//! one Claude Desktop's literal token; a diff is shown on a terminal and pasted into issues.

use crate::{config, redact::Redactor};

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Beyond this many line pairs, the whole file is shown as replaced (no LCS table).
const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Remove,
    Add,
}

/// `old` → `new` as a unified diff under the header `label`, secrets masked.
pub fn unified(old: &str, new: &str, label: &str, token: Option<&Redactor>) -> String {
    let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let ops = line_ops(&old, &new);
    let mut out = format!("--- {label}\n+++ {label} (new)\n");
    for (start, end) in hunks(&ops) {
        let (mut a, mut b) = position(&ops[..start]);
        let (a_len, b_len) = position(&ops[start..end]);
        out.push_str(&format!("@@ -{},{a_len} +{},{b_len} @@\n", a + 1, b + 1));
        for &op in &ops[start..end] {
            let (mark, line) = match op {
                Op::Keep => (' ', old[a]),
                Op::Remove => ('-', old[a]),
                Op::Add => ('+', new[b]),
            };
            a += usize::from(op != Op::Add);
            b += usize::from(op != Op::Remove);
            out.push(mark);
            out.push_str(&mask_line(line, token));
            out.push('\n');
        }
    }
    out
}

/// The edit script turning `old` into `new`, from a longest-common-subsequence table.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<Op> {
    let (n, m) = (old.len(), new.len());
    if n.saturating_mul(m) > MAX_CELLS {
        let removed = std::iter::repeat_n(Op::Remove, n);
        return removed.chain(std::iter::repeat_n(Op::Add, m)).collect();
    }
    // lcs[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut ops) = (0, 0, Vec::with_capacity(n + m));
    while i < n || j < m {
        let op = if i < n && j < m && old[i] == new[j] {
            Op::Keep
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            // Removals first, as diff(1) shows them.
            Op::Remove
        } else {
            Op::Add
        };
        i += usize::from(op != Op::Add);
        j += usize::from(op != Op::Remove);
        ops.push(op);
    }
    ops
}

/// Lines of the old and new file that `ops` cover.
fn position(ops: &[Op]) -> (usize, usize) {
    let old = ops.iter().filter(|&&op| op != Op::Add).count();
    let new = ops.iter().filter(|&&op| op != Op::Remove).count();
    (old, new)
}

/// Ranges of ops to show: each change with its context, overlapping ones merged.
fn hunks(ops: &[Op]) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (at, _) in ops.iter().enumerate().filter(|(_, op)| **op != Op::Keep) {
        let (start, end) = (
            at.saturating_sub(CONTEXT),
            (at + 1 + CONTEXT).min(ops.len()),
        );
        match ranges.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => ranges.push((start, end)),
        }
    }
    ranges
}

/// `line` with the token and every secret-looking JSON string value masked: a value under
/// a key such as `*_TOKEN`, `*_KEY` or `PASSWORD`, or one shaped like a JWT. References
/// (`${env:NAME}`, `${input:id}`) are kept: they are the point of the diff.
fn mask_line(line: &str, token: Option<&Redactor>) -> String {
    let line = match token {
        Some(redactor) => redactor.redact(line).into_owned(),
        None => line.to_owned(),
    };
    let literals = string_literals(&line);
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (index, &(start, end)) in literals.iter().enumerate() {
        let value = &line[start + 1..end - 1];
        let key = index
            .checked_sub(1)
            .map(|k| literals[k])
            .filter(|&(_, key_end)| line[key_end..start].trim() == ":")
            .map(|(key_start, key_end)| &line[key_start + 1..key_end - 1]);
        if is_secret(key, value) {
            out.push_str(&line[at..start]);
            out.push_str("\"[REDACTED]\"");
            at = end;
        }
    }
    out.push_str(&line[at..]);
    out
}

fn is_secret(key: Option<&str>, value: &str) -> bool {
    if value.starts_with("${") || value == "[REDACTED]" {
        return false;
    }
    let secret_key = key.is_some_and(|key| {
        let key = key.to_ascii_uppercase();
        [
            "TOKEN",
            "SECRET",
            "PASSWORD",
            "PASSWD",
            "CREDENTIAL",
            "AUTH",
            "PRIVATE",
        ]
        .iter()
        .any(|word| key.contains(word))
            || key.ends_with("KEY")
    });
    secret_key || config::safe_echo(value, None).starts_with("(value not shown")
}

/// Byte ranges of the JSON string literals in `line`, quotes included.
fn string_literals(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        if i >= bytes.len() {
            break;
        }
        i += 1;
        found.push((start, i));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changes_with_context_and_line_numbers() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
        let diff = unified(old, new, "f.json", None);
        assert_eq!(
            diff,
            "--- f.json\n+++ f.json (new)\n@@ -2,8 +2,9 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n+j\n"
        );
        assert_eq!(unified("x\n", "x\n", "f", None), "--- f\n+++ f (new)\n");
    }

    #[test]
    fn a_new_file_is_all_additions() {
        let diff = unified("", "{\n}\n", "f", None);
        assert!(diff.ends_with("@@ -1,0 +1,2 @@\n+{\n+}\n"), "{diff}");
    }

    #[test]
    fn secrets_are_masked_and_references_kept() {
        let jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZW5hbnQifQ.c2lnbmF0dXJlc2lnbmF0dXJl";
        let line = format!(
            r#"{{"GITHUB_TOKEN": "ghp_abc", "x": "{jwt}", "OPENAI_API_KEY": "sk", "T": "${{env:T}}", "name": "ok", "a\"b": "c"}}"#
        );
        let masked = mask_line(&line, None);
        assert_eq!(
            masked,
            r#"{"GITHUB_TOKEN": "[REDACTED]", "x": "[REDACTED]", "OPENAI_API_KEY": "[REDACTED]", "T": "${env:T}", "name": "ok", "a\"b": "c"}"#
        );
        let redactor = Redactor::new("plain-secret-value-123");
        assert!(!mask_line("x plain-secret-value-123 y", Some(&redactor)).contains("plain-secret"));
    }
}

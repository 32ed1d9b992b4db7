//! The `--dry-run` diff: a unified-style line diff of the file before and after, with
//! every secret-looking value masked. The old file may hold other servers' keys, and the new
//! one Claude Desktop's literal token; a diff is shown on a terminal and pasted into issues.

use similar::{ChangeTag, TextDiff};

use crate::redact::Redactor;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// `old` (`None`: no file yet) → `new` as a unified diff of the file `label`, secrets masked.
pub fn unified(old: Option<&str>, new: &str, label: &str, token: Option<&Redactor>) -> String {
    let diff = TextDiff::from_lines(old.unwrap_or(""), new);
    // As diff(1) heads the creation of a file: from /dev/null.
    let mut out = match old {
        Some(_) => format!("--- {label} (now)\n+++ {label} (after install)\n"),
        None => format!("--- /dev/null\n+++ {label} (new file)\n"),
    };
    for hunk in diff.unified_diff().context_radius(CONTEXT).iter_hunks() {
        out.push_str(&format!("{}\n", hunk.header()));
        for change in hunk.iter_changes() {
            let mark = match change.tag() {
                ChangeTag::Equal => ' ',
                ChangeTag::Delete => '-',
                ChangeTag::Insert => '+',
            };
            let line = change.value();
            let line = line.strip_suffix('\n').unwrap_or(line);
            out.push(mark);
            out.push_str(&mask_line(line.strip_suffix('\r').unwrap_or(line), token));
            out.push('\n');
        }
    }
    out
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
    secret_key || crate::redact::safe_echo(value, None).starts_with("(value not shown")
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
        let diff = unified(Some(old), new, "f.json", None);
        assert_eq!(
            diff,
            "--- f.json (now)\n+++ f.json (after install)\n@@ -2,8 +2,9 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n+j\n"
        );
        assert_eq!(
            unified(Some("x\n"), "x\n", "f", None),
            "--- f (now)\n+++ f (after install)\n"
        );
        assert_eq!(
            unified(None, "x\n", "f", None),
            "--- /dev/null\n+++ f (new file)\n@@ -0,0 +1 @@\n+x\n"
        );
    }

    #[test]
    fn a_new_file_is_all_additions() {
        let diff = unified(None, "{\n}\n", "f", None);
        assert!(diff.ends_with("@@ -0,0 +1,2 @@\n+{\n+}\n"), "{diff}");
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

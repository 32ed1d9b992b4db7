//! Reading and writing a client's JSON file as a person left it. VS Code and its forks
//! accept comments and trailing commas (JSONC) in their settings, so a file we are asked to
//! merge into may hold them: both are read, and comments are reported, since writing the
//! file back through serde_json would lose them.

use serde::Serialize;
use serde_json::{Value, ser::PrettyFormatter};

/// A parsed file and what is needed to write it back in the same style.
#[derive(Debug)]
pub struct Document {
    pub value: Value,
    /// Line of the first comment, if any: rewriting the file drops comments.
    pub comment_line: Option<usize>,
    indent: String,
    crlf: bool,
}

impl Document {
    /// An empty file (or none) is an empty object.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (plain, comment_line) = strip(text);
        let value = if plain.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&plain)?
        };
        Ok(Self {
            value,
            comment_line,
            indent: indent_of(text),
            crlf: text.contains("\r\n"),
        })
    }

    /// The value as text, indented as the original was, ending in a newline.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let formatter = PrettyFormatter::with_indent(self.indent.as_bytes());
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        self.value
            .serialize(&mut serializer)
            .expect("a Value always serializes");
        let text = String::from_utf8(out).expect("serde_json writes UTF-8") + "\n";
        if self.crlf {
            text.replace('\n', "\r\n")
        } else {
            text
        }
    }
}

/// `text` with comments blanked out (newlines kept, so parse errors still name the right
/// line) and trailing commas removed; and the line of the first comment.
fn strip(text: &str) -> (String, Option<usize>) {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut comment_line = None;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        if in_string {
            out.push(byte);
            if byte == b'\\' && next.is_some() {
                out.push(bytes[i + 1]);
                i += 1;
            } else if byte == b'"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        match (byte, next) {
            (b'/', Some(b'/' | b'*')) => {
                comment_line.get_or_insert_with(|| line_at(bytes, i));
                i = blank_comment(bytes, i, &mut out);
                continue;
            }
            (b'"', _) => in_string = true,
            (b'}' | b']', _) => drop_trailing_comma(&mut out),
            _ => {}
        }
        out.push(byte);
        i += 1;
    }
    // Only ASCII bytes were replaced, and only whole comments: still UTF-8.
    (String::from_utf8_lossy(&out).into_owned(), comment_line)
}

/// Blanks the comment starting at `start` into `out`; returns where it ends.
fn blank_comment(bytes: &[u8], start: usize, out: &mut Vec<u8>) -> usize {
    let block = bytes[start + 1] == b'*';
    let end = if block {
        find(bytes, start + 2, b"*/").map_or(bytes.len(), |at| at + 2)
    } else {
        find(bytes, start, b"\n").unwrap_or(bytes.len())
    };
    out.extend(
        bytes[start..end]
            .iter()
            .map(|&b| if b == b'\n' { b'\n' } else { b' ' }),
    );
    end
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

fn drop_trailing_comma(out: &mut [u8]) {
    if let Some(last) = out.iter().rposition(|b| !b.is_ascii_whitespace())
        && out[last] == b','
    {
        out[last] = b' ';
    }
}

fn line_at(bytes: &[u8], at: usize) -> usize {
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
}

/// The indentation of the first indented line: a tab, or that many spaces (2 if none).
fn indent_of(text: &str) -> String {
    let first = text
        .lines()
        .map(|line| &line[..line.len() - line.trim_start().len()])
        .find(|lead| !lead.is_empty() && lead.len() < 80);
    match first {
        Some(lead) if lead.starts_with('\t') => "\t".to_owned(),
        Some(lead) => " ".repeat(lead.len().clamp(1, 8)),
        None => "  ".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_trailing_commas_are_read_and_the_first_comment_is_found() {
        let text = "{\n  // a server\n  \"servers\": {\"a\": [1, 2,],}, /* b */\n  \"s\": \"// not a comment, \\\" /* */\"\n}\n";
        let doc = Document::parse(text).unwrap();
        assert_eq!(doc.comment_line, Some(2));
        assert_eq!(doc.value["servers"]["a"], serde_json::json!([1, 2]));
        assert_eq!(doc.value["s"], "// not a comment, \" /* */");
    }

    #[test]
    fn errors_name_the_line_of_the_original() {
        let error = Document::parse("{\n/* x\n y */\n \"a\": }").unwrap_err();
        assert_eq!(error.line(), 4);
    }

    #[test]
    fn written_back_with_the_original_indent_and_line_endings() {
        let doc = Document::parse("{\r\n\t\"a\": 1\r\n}").unwrap();
        assert_eq!(doc.comment_line, None);
        assert_eq!(doc.render(), "{\r\n\t\"a\": 1\r\n}\r\n");
        let doc = Document::parse("{\n    \"a\": [1]\n}").unwrap();
        assert_eq!(doc.render(), "{\n    \"a\": [\n        1\n    ]\n}\n");
        assert_eq!(Document::parse("").unwrap().render(), "{}\n");
    }
}

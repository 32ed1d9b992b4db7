//! One pass over a JSON body before it is parsed: how many values it holds (the parse is
//! refused past a bound), and which integers are too large for 64 bits (kept as strings).

/// What one pass over a JSON text finds outside its strings: about how many values it
/// holds (one more than its separators and container openings: cheap, and never an
/// undercount), and the integer literals too large for 64 bits, which serde_json would
/// round through `f64`.
pub(super) struct JsonScan {
    pub(super) values: usize,
    pub(super) big_integers: Vec<std::ops::Range<usize>>,
}

impl JsonScan {
    pub(super) fn of(body: &[u8]) -> Self {
        let mut scan = JsonScan {
            values: 1,
            big_integers: Vec::new(),
        };
        let (mut in_string, mut escaped) = (false, false);
        // Where the number-like token being read starts (digits, sign, fraction, exponent).
        let mut token: Option<usize> = None;
        for (at, byte) in body.iter().enumerate() {
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            let number_byte =
                byte.is_ascii_digit() || matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E');
            match (token, number_byte) {
                (None, true) => token = Some(at),
                (Some(from), false) => {
                    scan.note_token(body, from..at);
                    token = None;
                }
                _ => {}
            }
            match byte {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => scan.values += 1,
                _ => {}
            }
        }
        if let Some(from) = token {
            scan.note_token(body, from..body.len());
        }
        scan
    }

    /// Keeps `range` if it is a plain integer outside the i64/u64 range.
    fn note_token(&mut self, body: &[u8], range: std::ops::Range<usize>) {
        let Ok(text) = std::str::from_utf8(&body[range.clone()]) else {
            return;
        };
        let digits = text.strip_prefix('-').unwrap_or(text);
        let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let fits = text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
        if integer && !fits {
            self.big_integers.push(range);
        }
    }

    /// `body` with each too-large integer passed on as a string of its exact digits.
    /// Borrowed when there is none.
    pub(super) fn quote_big_integers<'a>(&self, body: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        if self.big_integers.is_empty() {
            return std::borrow::Cow::Borrowed(body);
        }
        let mut out = Vec::with_capacity(body.len() + 2 * self.big_integers.len());
        let mut at = 0;
        for literal in &self.big_integers {
            out.extend_from_slice(&body[at..literal.start]);
            out.push(b'"');
            out.extend_from_slice(&body[literal.clone()]);
            out.push(b'"');
            at = literal.end;
        }
        out.extend_from_slice(&body[at..]);
        std::borrow::Cow::Owned(out)
    }
}

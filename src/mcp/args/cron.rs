//! Cron expressions, checked against the grammar Hatchet's engine reads them with.
//!
//! Hatchet stores a cron trigger's expression as sent. Its ticker parses it later (robfig/cron
//! v3 through gocron, seconds optional) and deletes a trigger whose expression does not parse,
//! telling no one. So an expression is checked here, before it is sent, to that grammar: five
//! fields (minute, hour, day of month, month, day of week) or six (seconds first); each field
//! a comma-separated list of `*`, a value or a range `a-b`, any of them with a step `/n`
//! (`5/15` steps from 5 to the field's end); months and weekdays also by name (`JAN`, `mon`);
//! `?` for `*` in the two day fields. Sunday is 0: that parser refuses 7. Or one of the macros.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer};

use crate::text::preview;

/// A cron expression, checked locally: five or six fields, or one of Hatchet's macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpression(pub String);

const CRON_MACROS: [&str; 6] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

impl<'de> Deserialize<'de> for CronExpression {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        check(&text)
            .map(CronExpression)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for CronExpression {
    fn schema_name() -> Cow<'static, str> {
        "CronExpression".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// The expression as it is sent (fields one space apart, a macro in lower case: Hatchet's
/// parser knows no other), or what is wrong with it.
fn check(text: &str) -> Result<String, String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let expression = fields.join(" ");
    if expression.starts_with('@') {
        let lower = expression.to_ascii_lowercase();
        if CRON_MACROS.contains(&lower.as_str()) {
            return Ok(lower);
        }
    } else if matches!(fields.len(), 5 | 6) {
        let grammar = &FIELDS[FIELDS.len() - fields.len()..];
        for (field, value) in grammar.iter().zip(&fields) {
            field.check(value)?;
        }
        return Ok(expression);
    }
    Err(format!(
        "expected 5 or 6 cron fields (\"0 * * * *\") or one of {}, got {:?}",
        CRON_MACROS.join(" "),
        preview(text)
    ))
}

/// One field of the grammar.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// The names of `min`, `min + 1`, ... (compared in any case).
    names: &'static [&'static str],
    /// Whether `?` stands for `*` here.
    question_mark: bool,
    /// What the field takes, as an error says it.
    takes: &'static str,
}

/// The six fields; a five-field expression has no seconds.
const FIELDS: [Field; 6] = [
    Field::numeric("second", 0, 59, "seconds are 0-59"),
    Field::numeric("minute", 0, 59, "minutes are 0-59"),
    Field::numeric("hour", 0, 23, "hours are 0-23"),
    Field {
        question_mark: true,
        ..Field::numeric(
            "day-of-month",
            1,
            31,
            "days of the month are 1-31 (or ? for any)",
        )
    },
    Field {
        names: &[
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ],
        ..Field::numeric("month", 1, 12, "months are 1-12 or JAN-DEC")
    },
    Field {
        names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
        question_mark: true,
        ..Field::numeric(
            "day-of-week",
            0,
            6,
            "days of the week are 0-6 or SUN-SAT, 0 being Sunday (or ? for any)",
        )
    },
];

impl Field {
    const fn numeric(name: &'static str, min: u32, max: u32, takes: &'static str) -> Self {
        Self {
            name,
            min,
            max,
            names: &[],
            question_mark: false,
            takes,
        }
    }

    fn check(&self, text: &str) -> Result<(), String> {
        text.split(',')
            .try_for_each(|item| self.check_item(item))
            .map_err(|problem| {
                format!(
                    "{} field {:?}: {problem}; {}, and a field is *, a value, a range (9-17), a step (*/15, 0-30/5) or a comma-separated list of these",
                    self.name,
                    preview(text),
                    self.takes
                )
            })
    }

    /// `*`, `a` or `a-b`, with or without a `/step`.
    fn check_item(&self, item: &str) -> Result<(), String> {
        if item.is_empty() {
            return Err("an item of the list is empty".into());
        }
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        match step.map(number) {
            Some(Some(0)) => return Err("a step of 0 never moves on".into()),
            Some(None) => return Err(format!("the step in {} is not a number", preview(item))),
            _ => {}
        }
        if range == "*" || (self.question_mark && range == "?") {
            return Ok(());
        }
        match range.split_once('-') {
            Some((low, high)) if self.value(low)? > self.value(high)? => {
                Err(format!("the range {} runs backwards", preview(range)))
            }
            Some(_) => Ok(()),
            None => self.value(range).map(drop),
        }
    }

    fn value(&self, text: &str) -> Result<u32, String> {
        if let Some(value) = number(text) {
            return if (self.min..=self.max).contains(&value) {
                Ok(value)
            } else {
                Err(format!("{} is out of range", preview(text)))
            };
        }
        let named = self.names.iter().position(|n| n.eq_ignore_ascii_case(text));
        match named.and_then(|at| u32::try_from(at).ok()) {
            Some(at) => Ok(self.min + at),
            None if text.is_empty() => Err("a value is missing".into()),
            None if self.names.is_empty() => Err(format!("{:?} is not a number", preview(text))),
            None => Err(format!("{:?} is not a number or a name", preview(text))),
        }
    }
}

/// A run of ASCII digits; one too large for `u32` is `u32::MAX`, beyond every field.
fn number(text: &str) -> Option<u32> {
    (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mcp::args::{parse, schema_for};

    fn cron(text: &str) -> Result<String, String> {
        serde_json::from_value::<CronExpression>(json!(text))
            .map(|c| c.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn cron_expressions_are_checked_locally() {
        assert_eq!(cron("0  3 * * 1-5").unwrap(), "0 3 * * 1-5");
        assert_eq!(cron("*/5 * * * * *").unwrap(), "*/5 * * * * *");
        assert_eq!(cron("@daily").unwrap(), "@daily");
        assert!(cron("* * * *").unwrap_err().contains("5 or 6 cron fields"));
        assert!(cron("@sometimes").is_err());
        assert!(cron("0 3 * * 1; rm").is_err());
    }

    #[test]
    fn the_five_field_grammar_with_ranges_steps_lists_and_names() {
        for ok in [
            "*/15 9-17 * * MON-FRI",
            "0 0 1 JAN *",
            "0 0 1 jan-mar,oct *",
            "5/15 * * * *",
            "0 12 ? * sun",
            "0 0 1,15 1-12/3 ?",
            "59 23 31 12 6",
            "0 0 * * 0",
            "0-30/5 0,12 * * MON/2",
        ] {
            assert_eq!(cron(ok).as_deref(), Ok(ok), "{ok}");
        }
        // Hatchet's parser knows the macros in lower case only.
        assert_eq!(cron(" @Daily ").unwrap(), "@daily");
    }

    #[test]
    fn out_of_range_and_malformed_fields_are_refused() {
        for bad in [
            "99 99 99 99 99",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * 32 * *",
            "* * * 13 *",
            "* * * 0 *",
            "* * * * 8",
            "* * * * 7",
            "60 * * * * *",
            "*/0 * * * *",
            "17-9 * * * *",
            "1,,2 * * * *",
            "1- * * * *",
            "1-2-3 * * * *",
            "*/5/2 * * * *",
            "-1 * * * *",
            "? * * * *",
            "0 0 L * *",
            "0 0 * * 1#2",
            "0 0 * * MONDAY",
            "0 0 * FOO *",
            "99999999999 * * * *",
            "* * * * * * *",
        ] {
            assert!(cron(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn an_error_names_the_argument_the_field_and_what_it_takes() {
        #[derive(Debug, Deserialize, JsonSchema)]
        struct Args {
            #[allow(dead_code)]
            expression: CronExpression,
        }
        let error = |expression: &str| {
            let arguments = json!({ "expression": expression });
            parse::<Args>(&schema_for::<Args>(), arguments.as_object().cloned())
                .unwrap_err()
                .0
        };
        let grammar = "a field is *, a value, a range (9-17), a step (*/15, 0-30/5) or a comma-separated list of these.";
        assert_eq!(
            error("60 * * * *"),
            format!(
                "Invalid argument `expression`: minute field \"60\": 60 is out of range; minutes are 0-59, and {grammar}"
            )
        );
        assert_eq!(
            error("0 0 * * 1-8"),
            format!(
                "Invalid argument `expression`: day-of-week field \"1-8\": 8 is out of range; days of the week are 0-6 or SUN-SAT, 0 being Sunday (or ? for any), and {grammar}"
            )
        );
        assert_eq!(
            error("0 x * * *"),
            format!(
                "Invalid argument `expression`: hour field \"x\": \"x\" is not a number; hours are 0-23, and {grammar}"
            )
        );
        assert_eq!(
            error("0 17-9 * * *"),
            format!(
                "Invalid argument `expression`: hour field \"17-9\": the range 17-9 runs backwards; hours are 0-23, and {grammar}"
            )
        );
    }
}

//! The fake Hatchet held against a real engine: every answer of the fixture tenant
//! (`tests/support/fixture.rs`) is compared with what a real engine answered the same
//! request, as recorded by the real-engine suite (`tests/suite/real_hatchet.rs`) under
//! `tests/fixtures/real/`. The fake may leave out fields the engine sends, but it may not
//! send a field the engine never sends, nor a value of another JSON type, so the fast tests
//! cannot drift away from the engine again. Runs without the engine.

use std::{collections::BTreeMap, path::Path};

use serde_json::{Value, json};

use crate::support::{
    fixture::Tenant,
    shape::{Shape, departures, normalised},
    token::TENANT,
};

fn recordings_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real"))
}

/// `[{request: "GET /path", answer}]` recorded for one tool.
fn recording(tool: &str) -> Option<Vec<Value>> {
    let text = std::fs::read_to_string(recordings_dir().join(format!("{tool}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

fn is_uuid(segment: &str) -> bool {
    segment.len() == 36
        && segment.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a recorded path is the one a fixture's path pattern stands for: segment by
/// segment, an id pattern matching a UUID, a name pattern any segment.
fn same_endpoint(pattern: &str, recorded: &str) -> bool {
    // A name pattern holds a `/` of its own: stand it in before splitting.
    let pattern = pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .replace("[^/]+", "{name}");
    let wanted: Vec<&str> = pattern.split('/').collect();
    let got: Vec<&str> = recorded.split('/').collect();
    wanted.len() == got.len()
        && wanted.iter().zip(&got).all(|(w, g)| match *w {
            "[0-9a-f-]{36}" => is_uuid(g),
            "{name}" => !g.is_empty(),
            w if w == TENANT => is_uuid(g),
            w => w == *g,
        })
}

#[test]
fn the_fakes_answers_hold_the_fields_and_types_a_real_engine_sends() {
    let mut problems = BTreeMap::new();
    let mut compared = 0;
    for response in Tenant::new().responses() {
        let Some(recorded) = recording(response.tool) else {
            problems.insert(
                response.tool,
                vec![format!(
                    "no recording in tests/fixtures/real/{}.json: run the real-engine suite with HATCHET_MCP_UPDATE_REAL_FIXTURES=1",
                    response.tool
                )],
            );
            continue;
        };
        let answers: Vec<&Value> = recorded
            .iter()
            .filter(|r| {
                r["request"].as_str().is_some_and(|request| {
                    request.split_once(' ').is_some_and(|(method, path)| {
                        method == response.method && same_endpoint(&response.path, path)
                    })
                })
            })
            .map(|r| &r["answer"])
            .collect();
        if answers.is_empty() {
            problems.insert(
                response.tool,
                vec![format!(
                    "the recording holds no answer to {} {}",
                    response.method, response.path
                )],
            );
            continue;
        }
        if answers
            .iter()
            .all(|a| a.as_object().is_some_and(|o| o.is_empty()))
        {
            // The engine had nothing of this kind to send (no OpenTelemetry collector runs
            // beside it, so it has no spans): nothing to hold the fake against. Said, not
            // hidden.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!(
                    "real-recordings: UNCHECKED {}: the engine answered {{}}\n",
                    response.tool
                )
                .as_bytes(),
            );
            continue;
        }
        let found = departures(&response.body, &Shape::of(&answers));
        compared += 1;
        if !found.mismatches.is_empty() {
            problems.insert(response.tool, found.mismatches.into_iter().collect());
        }
    }
    assert!(
        problems.is_empty(),
        "the fake departs from the real engine ({compared} answers compared):\n{}",
        problems
            .iter()
            .map(|(tool, lines)| format!("{tool}:\n  {}", lines.join("\n  ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn recordings_hold_nothing_of_the_machine_or_of_a_secret() {
    let Ok(entries) = std::fs::read_dir(recordings_dir()) else {
        panic!("tests/fixtures/real/ is missing");
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        // Recordings are normalised: normalising them again changes nothing.
        assert_eq!(
            normalised(&value, "/nonexistent"),
            value,
            "{}",
            path.display()
        );
        for forbidden in ["/work/", "/root/", "/home/", "Bearer "] {
            assert!(
                !text.contains(forbidden),
                "{} holds {forbidden:?}",
                path.display()
            );
        }
        assert!(!holds_a_jwt(&text), "{} holds a token", path.display());
    }
}

/// Whether `text` holds something shaped like a JWT: `eyJ…` then two more dot-separated
/// base64url segments (a base64 JSON blob alone, as a workflow's stored schema, is not one).
fn holds_a_jwt(text: &str) -> bool {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices("eyJ").any(|(at, _)| {
        let segments: Vec<&str> = text[at..]
            .split(|c: char| !(base64url(c) || c == '.'))
            .next()
            .unwrap_or_default()
            .split('.')
            .collect();
        segments.len() >= 3 && segments[..3].iter().all(|s| s.len() >= 4)
    })
}

#[test]
fn a_jwt_is_told_from_a_base64_blob() {
    assert!(holds_a_jwt(
        r#"{"t": "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"}"#
    ));
    assert!(!holds_a_jwt(
        r#"{"schema": "eyJwcm9wZXJ0aWVzIjogeyJvcmRlcl9p="}"#
    ));
}

#[test]
fn the_fake_may_leave_fields_out_but_not_add_or_retype_them() {
    let real = Shape::of(&[&json!({"rows": [{"a": 1, "b": "x"}, {"a": 2, "c": null}]})]);
    assert!(
        departures(&json!({"rows": [{"a": 3}]}), &real)
            .mismatches
            .is_empty()
    );
    let found = departures(&json!({"rows": [{"a": "3", "d": 1}]}), &real);
    assert_eq!(found.mismatches.len(), 2, "{:?}", found.mismatches);
    assert!(
        departures(&json!({"rows": [{"c": 5}]}), &real)
            .mismatches
            .is_empty()
    );
}

#[test]
fn normalising_numbers_ids_in_order_and_removes_times_and_paths() {
    let id = "4ff4cd87-a629-4e76-8216-9520c44ba58e";
    let value =
        json!({"id": id, "at": "2026-12-02T11:47:46.1Z", "msg": format!("run {id} at /w/x")});
    assert_eq!(
        normalised(&value, "/w"),
        json!({"id": "00000000-0000-4000-8000-000000000001", "at": "2026-01-01T00:00:00Z",
               "msg": "run 00000000-0000-4000-8000-000000000001 at <root>/x"})
    );
}

#[test]
fn endpoints_match_segment_by_segment() {
    assert!(same_endpoint(
        "^/api/v1/stable/workflow-runs/[0-9a-f-]{36}/status$",
        "/api/v1/stable/workflow-runs/00000000-0000-4000-8000-000000000001/status"
    ));
    assert!(!same_endpoint(
        "^/api/v1/stable/workflow-runs/[0-9a-f-]{36}$",
        "/api/v1/stable/workflow-runs/00000000-0000-4000-8000-000000000001/status"
    ));
    assert!(same_endpoint(
        &format!("^/api/v1/stable/tenants/{TENANT}/webhooks/[^/]+$"),
        "/api/v1/stable/tenants/00000000-0000-4000-8000-000000000002/webhooks/e2e-github"
    ));
}

//! Contract checker: validates HTTP requests recorded by a fake Hatchet server
//! (wiremock) against Hatchet's official OpenAPI 3.1 spec.
//!
//! The spec lives outside this repository, at `../shared/hatchet-openapi/openapi.json`
//! relative to the crate root (or wherever `HATCHET_OPENAPI_SPEC` points; or, on a clone
//! without either, at `target/hatchet-openapi/openapi.json`, which
//! `bash scripts/real-hatchet.sh spec` writes), and is read at
//! test time (once per test binary). When it is absent:
//! - with `CI` set (to anything but empty, `0` or `false`), every check panics naming the
//!   expected path: CI must not pass without checking;
//! - otherwise every check reports [`Verdict::Skipped`] with the reason, so a fresh clone's
//!   `cargo test` still passes, and the run says so in one line on stderr, outside the
//!   test harness's capture (see [`announce_skip`]).
//!
//! What is checked for each request:
//! - the path matches exactly one path template (literal segments win over
//!   `{param}` segments, compared left to right) and the method is defined for it;
//! - path parameters (percent-decoded) validate against their schemas;
//! - query parameters: no undeclared names, every required one present, repeated
//!   keys only for `type: array`, and every value validates against its schema;
//! - the JSON body: present when the request body is required, absent when the
//!   operation declares none, and valid against the `application/json` schema.
//!
//! Values are validated by boon (JSON Schema 2020-12), against the spec's schemas
//! converted once from OpenAPI's dialect ([`schema`]: `nullable`, `allOf` folded), with
//! the formats `uuid`, `date-time`, `int32`, `int64` and `uint64` asserted.
//!
//! Two deliberate departures from JSON Schema. A schema without `type` that has
//! `properties` or `required` must be an object (`items`: an array), as code
//! generators read it. And an object schema that lists
//! `properties` and says nothing about `additionalProperties` is treated as
//! *closed*, so a misspelt or invented field is reported rather than silently
//! ignored. `additionalProperties: true`, `{}` or any schema opens it again, and an
//! object schema without `properties` (e.g. `input: {type: object}`) is open.

// Every test binary that includes `mod support;` uses a different subset of this
// module; without this, the unused parts would trip `-D warnings`.
#![allow(dead_code)]

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    sync::{Once, OnceLock},
    time::Duration,
};

use serde_json::Value;

mod schema;

/// Where Hatchet's OpenAPI spec is expected by default (outside this repository).
const DEFAULT_SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/hatchet-openapi/openapi.json"
);

/// Where `bash scripts/real-hatchet.sh spec` writes the spec of the pinned engine, for a
/// clone without the default one.
const ENGINE_SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/hatchet-openapi/openapi.json"
);

/// Names another location for the spec.
pub const SPEC_PATH_VAR: &str = "HATCHET_OPENAPI_SPEC";

/// The spec's path: `HATCHET_OPENAPI_SPEC` when set and not empty, else the default when it
/// exists, else the pinned engine's (which may not exist either).
pub fn spec_path() -> PathBuf {
    if let Some(path) = std::env::var_os(SPEC_PATH_VAR).filter(|path| !path.is_empty()) {
        return PathBuf::from(path);
    }
    [DEFAULT_SPEC_PATH, ENGINE_SPEC_PATH]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.exists())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SPEC_PATH))
}

/// Whether this is a CI run, where a missing spec is an error rather than a skip: `CI` set
/// to anything but empty, `0` or `false` (CI services set `CI=true`; `.ci/run` does too).
pub fn in_ci() -> bool {
    std::env::var("CI")
        .is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// The HTTP methods an OpenAPI path item can define (its other keys, such as
/// `parameters` or `summary`, are not operations).
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Guard against `$ref` cycles while resolving a parameter or body.
const MAX_REF_DEPTH: usize = 64;

/// One HTTP request as the fake server saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// Upper-case HTTP method, e.g. `GET`.
    pub method: String,
    /// The raw path as received (still percent-encoded), without the query.
    pub path: String,
    /// Percent-decoded query pairs, in order; repeated keys appear repeatedly.
    pub query: Vec<(String, String)>,
    /// The body parsed as JSON; `None` when the body was empty. A non-empty body
    /// that is not JSON is kept as a JSON string of its (lossy UTF-8) text, which
    /// then fails any object schema with a readable message.
    pub body: Option<Value>,
}

impl RecordedRequest {
    pub fn from_wiremock(req: &wiremock::Request) -> Self {
        let body =
            if req.body.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(serde_json::from_slice(&req.body).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&req.body).into_owned())
                }))
            };
        RecordedRequest {
            method: req.method.as_str().to_owned(),
            path: req.url.path().to_owned(),
            query: req
                .url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            body,
        }
    }
}

/// Outcome of a successful [`check_requests`] call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The spec was found and every request conforms to it.
    Checked { requests: usize },
    /// The spec was not found; nothing was checked. Holds the reason.
    Skipped(String),
}

/// Loads the spec once (std::sync::OnceLock) and checks every request; Err lists
/// every violation, one line each, naming the request
/// ("GET /api/v1/... : unknown query parameter `foo` (declared: a, b, c)").
///
/// Without the spec: panics in CI ([`in_ci`]); elsewhere announces the skip once per run
/// and returns [`Verdict::Skipped`].
pub fn check_requests(requests: &[RecordedRequest]) -> Result<Verdict, Vec<String>> {
    let spec = match spec() {
        Ok(spec) => spec,
        Err(reason) if in_ci() => panic!(
            "contract: {reason}. CI is set, so the contract checks may not be skipped: put \
             the spec there or point {SPEC_PATH_VAR} at it."
        ),
        Err(reason) => {
            announce_skip(reason);
            return Ok(Verdict::Skipped(reason.to_owned()));
        }
    };
    let mut violations = Vec::new();
    for req in requests {
        let mut problems = Vec::new();
        let req = &without_legacy_fields(req, &mut problems);
        spec.check(req, &mut problems);
        violations.extend(
            problems
                .into_iter()
                .map(|p| format!("{} {} : {p}", req.method, req.path)),
        );
    }
    if violations.is_empty() {
        Ok(Verdict::Checked {
            requests: requests.len(),
        })
    } else {
        Err(violations)
    }
}

/// Body fields this server sends on purpose although the current spec no longer declares
/// them, each checked here instead: `isPaused` (a boolean) on `PATCH /api/v1/workflows/{id}`,
/// which engines before v0.103.0 read instead of `pause` (TOOLS.md §3, `pause_workflow`);
/// newer engines ignore it.
fn without_legacy_fields(req: &RecordedRequest, problems: &mut Vec<String>) -> RecordedRequest {
    let mut req = req.clone();
    let is_workflow_patch = req.method == "PATCH"
        && req
            .path
            .strip_prefix("/api/v1/workflows/")
            .is_some_and(|rest| !rest.contains('/'));
    let body = req.body.as_mut().and_then(Value::as_object_mut);
    if let Some(legacy) = body
        .filter(|_| is_workflow_patch)
        .and_then(|b| b.remove("isPaused"))
        && !legacy.is_boolean()
    {
        problems.push(format!(
            "legacy field `isPaused` must be a boolean, got {legacy}"
        ));
    }
    req
}

/// Convenience for tests: checks and panics with all violations joined; prints
/// "contract: checked N requests" or "contract: SKIPPED (<reason>)" to stderr.
pub fn assert_conforms(requests: &[RecordedRequest]) {
    match check_requests(requests) {
        Ok(Verdict::Checked { requests }) => eprintln!("contract: checked {requests} requests"),
        Ok(Verdict::Skipped(reason)) => eprintln!("contract: SKIPPED ({reason})"),
        Err(violations) => panic!(
            "contract: {} violation(s) of Hatchet's OpenAPI spec:\n  {}",
            violations.len(),
            violations.join("\n  ")
        ),
    }
}

/// Convenience: pulls `server.received_requests().await` and calls assert_conforms.
pub async fn assert_server_conforms(server: &wiremock::MockServer) {
    let received = server.received_requests().await.expect(
        "contract: this MockServer was built with request recording disabled, \
         so there is nothing to check",
    );
    let recorded: Vec<RecordedRequest> = received
        .iter()
        .map(RecordedRequest::from_wiremock)
        .collect();
    assert_conforms(&recorded);
}

/// The spec itself, for a test that reads what it declares; `None` when it is absent (a
/// panic in CI; elsewhere the skip is announced once per run, as for requests).
pub fn spec_document() -> Option<&'static Value> {
    match spec() {
        Ok(spec) => Some(&spec.doc),
        Err(reason) if in_ci() => panic!("contract: {reason}. CI is set: put the spec there."),
        Err(reason) => {
            announce_skip(reason);
            None
        }
    }
}

/// The ways `value` breaks the spec's schema `name` (`#/components/schemas/<name>`), one
/// line each; `None` when the spec is absent (a panic in CI, as for requests). For fixtures
/// that must be answers a real engine could give.
pub fn schema_problems(name: &str, value: &Value) -> Option<Vec<String>> {
    let spec = match spec() {
        Ok(spec) => spec,
        Err(reason) if in_ci() => panic!("contract: {reason}. CI is set: put the spec there."),
        Err(reason) => {
            announce_skip(reason);
            return None;
        }
    };
    let schema = spec
        .doc
        .pointer(&format!("/components/schemas/{name}"))
        .unwrap_or_else(|| panic!("contract: the spec has no schema {name}"));
    let mut problems = Vec::new();
    spec.schemas.validate(value, schema, name, &mut problems);
    Some(problems)
}

// ---------------------------------------------------------------------------
// Spec loading

/// The parsed spec plus its pre-split path templates.
struct Spec {
    doc: Value,
    templates: Vec<Template>,
    /// Every schema of the spec, compiled.
    schemas: schema::Schemas,
}

/// A path template from `paths`, split into segments.
struct Template {
    raw: String,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(String),
    Param(String),
}

/// The shared spec, or the reason it is unavailable (the file is missing).
fn spec() -> Result<&'static Spec, &'static str> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    SPEC.get_or_init(load_spec).as_ref().map_err(String::as_str)
}

/// Reads and indexes the spec. A missing file is a skip (or, in CI, a failure); anything
/// else wrong with it is a broken test environment and panics with a clear message.
fn load_spec() -> Result<Spec, String> {
    let spec_path = spec_path();
    let path = spec_path.display();
    let text = match fs::read_to_string(&spec_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "Hatchet OpenAPI spec not found at {path} (`bash scripts/real-hatchet.sh spec` writes one)"
            ));
        }
        Err(e) => panic!("contract: cannot read Hatchet OpenAPI spec at {path}: {e}"),
    };
    let doc: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("contract: {path} is not valid JSON: {e}"));
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("contract: {path} has no `paths` object"));
    let templates = paths
        .keys()
        .map(|raw| Template {
            raw: raw.clone(),
            segments: split_path(raw)
                .map(
                    |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_owned()),
                        None => Segment::Literal(seg.to_owned()),
                    },
                )
                .collect(),
        })
        .collect();
    let schemas = schema::Schemas::compile(&doc);
    Ok(Spec {
        doc,
        templates,
        schemas,
    })
}

/// Says once per `cargo test` run, on a line of its own, that the contract checks were
/// skipped and why. The test harness captures `eprintln!` of passing tests, so this writes
/// to stderr directly. Several test binaries check requests, and `cargo test` runs them as
/// children of one cargo process: a marker named after that process's id keeps the line to
/// one per run rather than one per binary.
fn announce_skip(reason: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if first_skip_in_this_run() {
            let line = format!(
                "contract: SKIPPED ({reason}): tests that check their requests against \
                 Hatchet's API pass without checking them. Set {SPEC_PATH_VAR} to the spec's \
                 path; with CI=true a missing spec fails.\n"
            );
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    });
}

/// False only when an earlier test binary of this run has announced the skip already.
/// Markers older than an hour are removed, so process ids reused later start afresh.
fn first_skip_in_this_run() -> bool {
    #[cfg(unix)]
    let run = std::os::unix::process::parent_id();
    #[cfg(not(unix))]
    let run = std::process::id();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("contract-skips");
    let stale = |entry: &fs::DirEntry| {
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        let age = modified.and_then(|t| t.elapsed().ok());
        age.is_some_and(|age| age > Duration::from_secs(3600))
    };
    for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
        if stale(&entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
    let _ = fs::create_dir_all(&dir);
    let created = fs::File::create_new(dir.join(run.to_string()));
    !matches!(created, Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists)
}

/// Splits `/a/b/c` into `a`, `b`, `c`. A trailing slash yields an empty last
/// segment, which no template segment matches.
fn split_path(path: &str) -> std::str::Split<'_, char> {
    path.strip_prefix('/').unwrap_or(path).split('/')
}

// ---------------------------------------------------------------------------
// Request checks

impl Spec {
    /// Checks one request, pushing violations (without the request prefix).
    fn check(&self, req: &RecordedRequest, out: &mut Vec<String>) {
        let segments: Vec<String> = split_path(&req.path).map(percent_decode).collect();

        let Some(template) = self.match_template(&segments, out) else {
            return;
        };
        let path_item = &self.doc["paths"][&template.raw];
        let path_item = self.resolve(path_item);

        let method = req.method.to_ascii_lowercase();
        let operation = METHODS
            .contains(&method.as_str())
            .then(|| path_item.get(&method))
            .flatten();
        let Some(operation) = operation else {
            let defined: Vec<String> = METHODS
                .iter()
                .filter(|m| path_item.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            out.push(format!(
                "method {} is not defined for `{}` (defined: {})",
                req.method,
                template.raw,
                list_or_none(&defined)
            ));
            return;
        };

        let params = self.parameters(path_item, operation);
        self.check_path_params(template, &segments, &params, out);
        self.check_query(&req.query, &params, out);
        self.check_body(req.body.as_ref(), operation, out);
    }

    /// Finds the single best template for the decoded path segments, or reports
    /// why there is none.
    fn match_template(&self, segments: &[String], out: &mut Vec<String>) -> Option<&Template> {
        // For each fitting template, which segments matched literally. Comparing
        // these vectors lexicographically prefers a literal match at the first
        // segment where two templates differ (`/events/keys` over `/events/{id}`).
        let mut best: Vec<&Template> = Vec::new();
        let mut best_rank: Vec<bool> = Vec::new();
        for template in &self.templates {
            let Some(rank) = template_rank(template, segments) else {
                continue;
            };
            if best.is_empty() || rank > best_rank {
                best = vec![template];
                best_rank = rank;
            } else if rank == best_rank {
                best.push(template);
            }
        }
        match best.as_slice() {
            [] => {
                out.push("no path template in the spec matches this path".to_owned());
                None
            }
            [one] => Some(*one),
            many => {
                let names: Vec<&str> = many.iter().map(|t| t.raw.as_str()).collect();
                out.push(format!(
                    "path matches several templates equally well: {}",
                    names.join(", ")
                ));
                None
            }
        }
    }

    /// Path-level and operation-level parameters, `$ref`s resolved; an
    /// operation-level parameter overrides a path-level one with the same name and
    /// location, as OpenAPI specifies.
    fn parameters<'a>(&'a self, path_item: &'a Value, operation: &'a Value) -> Vec<&'a Value> {
        let mut merged: Vec<&Value> = Vec::new();
        for level in [path_item, operation] {
            let Some(list) = level.get("parameters").and_then(Value::as_array) else {
                continue;
            };
            for param in list {
                let param = self.resolve(param);
                let key = (param.get("name"), param.get("in"));
                merged.retain(|p| (p.get("name"), p.get("in")) != key);
                merged.push(param);
            }
        }
        merged
    }

    fn check_path_params(
        &self,
        template: &Template,
        segments: &[String],
        params: &[&Value],
        out: &mut Vec<String>,
    ) {
        for (segment, value) in template.segments.iter().zip(segments) {
            let Segment::Param(name) = segment else {
                continue;
            };
            // A template parameter the spec forgot to declare has no schema to check.
            let Some(param) = find_param(params, "path", name) else {
                continue;
            };
            if let Some(schema) = param.get("schema") {
                let at = format!("path parameter `{name}`");
                match self.typed(value, schema) {
                    Ok(value) => self.schemas.validate(&value, schema, &at, out),
                    Err(problem) => out.push(format!("{at}: {problem}")),
                }
            }
        }
    }

    fn check_query(&self, query: &[(String, String)], params: &[&Value], out: &mut Vec<String>) {
        let declared: Vec<&Value> = params
            .iter()
            .copied()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"))
            .collect();
        let declared_names: Vec<&str> = declared
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();

        // Group the sent values by name, keeping first-seen order for messages.
        let mut sent: Vec<(&str, Vec<&str>)> = Vec::new();
        for (name, value) in query {
            match sent.iter_mut().find(|(n, _)| n == name) {
                Some((_, values)) => values.push(value),
                None => sent.push((name, vec![value])),
            }
        }

        for (name, values) in &sent {
            let Some(param) = find_param(params, "query", name) else {
                out.push(format!(
                    "unknown query parameter `{name}` (declared: {})",
                    list_or_none(&declared_names)
                ));
                continue;
            };
            let Some(schema) = param.get("schema") else {
                continue; // no schema (e.g. `content`-style): nothing to check values against
            };
            let at = format!("query parameter `{name}`");
            let flat = self.resolve(schema);
            if declared_types(flat).is_some_and(|t| t.contains(&"array")) {
                // The values together, as the array the schema describes.
                let items = flat.get("items").unwrap_or(&Value::Bool(true));
                let mut typed = Vec::new();
                for (i, value) in values.iter().enumerate() {
                    match self.typed(value, items) {
                        Ok(value) => typed.push(value),
                        Err(problem) => out.push(format!("{at}[{i}]: {problem}")),
                    }
                }
                if typed.len() == values.len() {
                    self.schemas
                        .validate(&Value::Array(typed), schema, &at, out);
                }
            } else {
                if values.len() > 1 {
                    out.push(format!(
                        "{at} is repeated {} times but its schema is not an array",
                        values.len()
                    ));
                }
                for value in values {
                    match self.typed(value, schema) {
                        Ok(value) => self.schemas.validate(&value, schema, &at, out),
                        Err(problem) => out.push(format!("{at}: {problem}")),
                    }
                }
            }
        }

        for param in declared {
            let required = param.get("required").and_then(Value::as_bool) == Some(true);
            let name = param
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if required && !sent.iter().any(|(n, _)| *n == name) {
                out.push(format!("missing required query parameter `{name}`"));
            }
        }
    }

    fn check_body(&self, body: Option<&Value>, operation: &Value, out: &mut Vec<String>) {
        let Some(request_body) = operation.get("requestBody").map(|rb| self.resolve(rb)) else {
            if body.is_some() {
                out.push("sends a request body but the operation declares none".to_owned());
            }
            return;
        };
        let Some(body) = body else {
            if request_body.get("required").and_then(Value::as_bool) == Some(true) {
                out.push("missing required request body".to_owned());
            }
            return;
        };
        // Hatchet's spec has one request body whose `content` is null ("any payload
        // in any format"): with no media types declared, any body is accepted.
        let Some(content) = request_body.get("content").and_then(Value::as_object) else {
            return;
        };
        let Some(media) = content.get("application/json") else {
            let types: Vec<&str> = content.keys().map(String::as_str).collect();
            out.push(format!(
                "sends a JSON body but the operation does not accept application/json (declared: {})",
                list_or_none(&types)
            ));
            return;
        };
        if let Some(schema) = media.get("schema") {
            self.schemas.validate(body, schema, "body", out);
        }
    }

    /// A textual value (path segment or query value) as the JSON type its schema declares
    /// (the first one other than `null`; without one, that of the enum's values), or why it
    /// cannot be.
    fn typed(&self, raw: &str, schema: &Value) -> Result<Value, String> {
        let flat = self.resolve(schema);
        let ty = declared_types(flat)
            .and_then(|types| types.into_iter().find(|t| *t != "null"))
            .or_else(|| {
                flat.get("enum")
                    .and_then(Value::as_array)
                    .and_then(|values| values.first())
                    .map(json_type)
            })
            .unwrap_or("string");
        let value = match ty {
            "integer" => raw
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| raw.parse::<u64>().map(Value::from))
                .ok(),
            "number" => raw
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
            "boolean" => match raw {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            _ => Some(Value::String(raw.to_owned())),
        };
        value.ok_or_else(|| format!("expected {ty}, got `{raw}`"))
    }
}

/// For a template that fits the segments, which of its segments are literal.
fn template_rank(template: &Template, segments: &[String]) -> Option<Vec<bool>> {
    if template.segments.len() != segments.len() {
        return None;
    }
    template
        .segments
        .iter()
        .zip(segments)
        .map(|(t, s)| match t {
            Segment::Literal(lit) => (lit == s).then_some(true),
            Segment::Param(_) => (!s.is_empty()).then_some(false),
        })
        .collect()
}

fn find_param<'a>(params: &[&'a Value], location: &str, name: &str) -> Option<&'a Value> {
    params.iter().copied().find(|p| {
        p.get("in").and_then(Value::as_str) == Some(location)
            && p.get("name").and_then(Value::as_str) == Some(name)
    })
}

/// Decodes `%XX` escapes in one path segment (or any text). A `%` not followed
/// by two hex digits is kept as is; invalid UTF-8 becomes U+FFFD (and then fails
/// any format check rather than matching something by accident).
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                i += 3;
            }
            None => {
                decoded.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn list_or_none<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

// ---------------------------------------------------------------------------
// Schema handling

impl Spec {
    /// Follows `$ref`s (without merging siblings): for parameters, request bodies
    /// and path items.
    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        for _ in 0..MAX_REF_DEPTH {
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => value = self.lookup(reference),
                None => return value,
            }
        }
        panic!("contract: `$ref` chain in the spec is too deep (a cycle?)")
    }

    /// Looks up a local `$ref` such as `#/components/schemas/V1TaskStatus`.
    fn lookup(&self, reference: &str) -> &Value {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| {
            panic!("contract: only local `$ref`s are supported, the spec has `{reference}`")
        });
        self.doc.pointer(pointer).unwrap_or_else(|| {
            panic!("contract: the spec has an unresolvable `$ref`: `{reference}`")
        })
    }
}

/// The schema's `type` as a list (OpenAPI 3.1 allows `type: [string, "null"]`).
fn declared_types(schema: &Value) -> Option<Vec<&str>> {
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(list) => Some(list.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

//! Reading single values: aliased variables, the server URL, booleans, the namespace.

use reqwest::Url;

use super::{ConfigError, Source};

/// Reads a variable that has an alias; both set to different values is an error.
pub(super) fn aliased(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    primary: &'static str,
    alias: &'static str,
) -> Result<Option<(String, &'static str)>, ConfigError> {
    match (get(primary)?, get(alias)?) {
        (Some(a), Some(b)) if a != b => Err(ConfigError::ConflictingAliases { primary, alias }),
        (Some(a), _) => Ok(Some((a, primary))),
        (None, Some(b)) => Ok(Some((b, alias))),
        (None, None) => Ok(None),
    }
}

pub(super) fn origin_name(source: &Source, claim: &str) -> String {
    match source {
        Source::Token => format!("the token's `{claim}` claim"),
        Source::Variable(var) => (*var).to_owned(),
    }
}

pub(super) enum UrlProblem {
    Invalid,
    UserInfo,
}

/// Parses a REST base URL. A trailing `/api` or `/api/v1` is removed (and returned), since
/// every request path starts with `/api/v1` and keeping it would request `/api/api/v1/...`.
pub(super) fn parse_server_url(text: &str) -> Result<(Url, Option<&'static str>), UrlProblem> {
    let mut url = Url::parse(text).map_err(|_| UrlProblem::Invalid)?;
    // Credentials in the URL would be echoed by `check`, the logs and the MCP instructions.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::UserInfo);
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UrlProblem::Invalid);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlProblem::Invalid);
    }
    // Paths are appended segment by segment later; a trailing slash would leave an empty one.
    let mut segments: Vec<&str> = url.path().split('/').skip(1).collect();
    while segments.last() == Some(&"") {
        segments.pop();
    }
    let is = |segment: &str, name: &str| segment.eq_ignore_ascii_case(name);
    let (keep, removed) = match segments.as_slice() {
        [rest @ .., api, v1] if is(api, "api") && is(v1, "v1") => (rest.len(), Some("/api/v1")),
        [rest @ .., api] if is(api, "api") => (rest.len(), Some("/api")),
        _ => (segments.len(), None),
    };
    let path = format!("/{}", segments[..keep].join("/"));
    url.set_path(&path);
    Ok((url, removed))
}

pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The SDKs lower-case the namespace and end it with `_`.
pub(super) fn normalise_namespace(namespace: &str) -> String {
    let lower = namespace.to_lowercase();
    if lower.ends_with('_') {
        lower
    } else {
        format!("{lower}_")
    }
}

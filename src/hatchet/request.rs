//! A request before it is sent: its path (each segment percent-encoded, so no argument can
//! reach another endpoint), query, body, and whether it only reads.

use reqwest::{Method, Url};
use serde::Serialize;
use serde_json::Value;

use super::{ApiError, Client, ErrorKind, MAX_URL_BYTES};
use crate::text;

/// One REST request, before it is sent. Path segments are percent-encoded when the URL is
/// built, so no argument can reach another endpoint.
#[derive(Debug, Clone)]
pub struct Request {
    pub(super) method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    pub(super) body: Option<Value>,
    /// Whether it changes nothing: every GET, and a POST its endpoint declares a read
    /// ([`Request::reading`]). Only reads are sent in read-only mode, and only they are
    /// retried.
    reads: bool,
}

impl Request {
    pub(super) fn new(method: Method, segments: Vec<String>) -> Self {
        Self {
            segments,
            query: Vec::new(),
            body: None,
            reads: method == Method::GET,
            method,
        }
    }

    /// Adds `name=value`; call again with the same name for a repeated key.
    pub(super) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub(super) fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Repeated keys: `statuses=FAILED&statuses=RUNNING`.
    pub(super) fn query_each<T: ToString>(
        self,
        name: &'static str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        values
            .into_iter()
            .fold(self, |req, value| req.query(name, value))
    }

    /// A JSON body: one of the body types, which leave out each optional field that is not
    /// set (every endpoint here expects an unset field to be absent, not `null`).
    pub(super) fn body(mut self, body: impl Serialize) -> Self {
        // Body types hold strings, numbers, UUIDs and string-keyed maps: all of it is JSON,
        // so serializing cannot fail.
        let body = serde_json::to_value(body).expect("request bodies are plain JSON");
        self.body = Some(body);
        self
    }

    /// Declares that this request changes nothing although its method is not GET (say,
    /// a POST that evaluates an expression): it is then sent in read-only mode and retried.
    pub(super) fn reading(mut self) -> Self {
        self.reads = true;
        self
    }

    pub(super) fn is_read(&self) -> bool {
        self.reads
    }
}

impl Client {
    /// `/api/v1/{rest...}`
    pub(super) fn v1(&self, method: Method, rest: &[&str]) -> Request {
        let segments = ["api", "v1"]
            .iter()
            .chain(rest)
            .map(|s| (*s).to_owned())
            .collect();
        Request::new(method, segments)
    }

    /// `/api/v1/tenants/{tenant}/{rest...}`
    pub(super) fn tenant(&self, method: Method, rest: &[&str]) -> Request {
        let tenant = self.options.tenant_id.to_string();
        self.v1(method, &[&["tenants", tenant.as_str()], rest].concat())
    }

    /// `/api/v1/stable/tenants/{tenant}/{rest...}`
    pub(super) fn stable_tenant(&self, method: Method, rest: &[&str]) -> Request {
        let tenant = self.options.tenant_id.to_string();
        self.v1(
            method,
            &[&["stable", "tenants", tenant.as_str()], rest].concat(),
        )
    }

    pub(super) fn url(&self, request: &Request) -> Result<Url, ApiError> {
        // The URL parser silently drops tabs and newlines, so `.<TAB>.` would become `..`
        // after this check: control characters are refused outright.
        if let Some(bad) = request
            .segments
            .iter()
            .find(|s| s.is_empty() || *s == "." || *s == ".." || s.chars().any(char::is_control))
        {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "Refused to send a request whose path would contain the segment {:?}: an id or name may not be empty, `.` or `..`, or contain control characters.",
                    text::preview(bad)
                ),
            ));
        }
        let mut url = self.options.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| ApiError::new(ErrorKind::Transport, "the server URL cannot take a path"))?
            .pop_if_empty()
            .extend(&request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "Refused to send a {}-byte URL (the limit is {MAX_URL_BYTES}): shorten the names, ids or filters given.",
                    url.as_str().len()
                ),
            ));
        }
        Ok(url)
    }
}

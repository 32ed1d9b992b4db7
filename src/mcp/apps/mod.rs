//! MCP Apps (SEP-1865): HTML views a host renders beside a tool's answer. One view, of a
//! run (`run.html`): its tasks as bars on a time axis with their parents, status colours
//! with a legend, the failing task's error and last log lines, and the run's dashboard link.
//!
//! The view is one self-contained file (inline style and script, no fetch, no external
//! resource), so it renders offline and under the strict content security policy hosts
//! give views by default. It speaks the host side's postMessage JSON-RPC: `ui/initialize`,
//! then the tool's result (`ui/notifications/tool-result`), and, for an answer that names
//! no tasks (a wait, a failure report), a `tools/call` of `get_run` through the host.
//! Tools point at it with `_meta.ui.resourceUri` ([`ToolSpec::view`](crate::mcp::registry::ToolSpec::view));
//! their text answers do not change, for clients that render no apps.

use rmcp::model::{Resource, ResourceContents};

/// The run view's URI.
pub const RUN_VIEW: &str = "ui://hatchet-mcp/run";

/// MCP Apps' media type for an HTML view.
pub const MIME_TYPE: &str = "text/html;profile=mcp-app";

const RUN_HTML: &str = include_str!("run.html");

/// The views, as `resources/list` shows them.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(RUN_VIEW, "run-view")
            .with_title("Run view")
            .with_description("An MCP Apps view of one run: its tasks on a time axis, where it failed, its dashboard link.")
            .with_mime_type(MIME_TYPE),
    ]
}

/// The view `uri` names, if it is one of these.
pub fn read(uri: &str) -> Option<ResourceContents> {
    (uri == RUN_VIEW).then(|| ResourceContents::text(RUN_HTML, uri).with_mime_type(MIME_TYPE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_fetches_nothing_and_writes_no_html_from_data() {
        let lowered = RUN_HTML.to_ascii_lowercase();
        for needle in [
            " src=",
            "href=",
            "fetch(",
            "xmlhttprequest",
            "websocket",
            "eventsource",
            "@import",
            "url(",
            "innerhtml",
            "outerhtml",
            "eval(",
            "new function",
            "http:",
            "https:",
        ] {
            assert!(!lowered.contains(needle), "the view contains {needle:?}");
        }
        assert!(read(RUN_VIEW).is_some() && read("ui://hatchet-mcp/other").is_none());
    }
}

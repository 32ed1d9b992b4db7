//! Links into the Hatchet dashboard, for answers about one run, task or worker.
//!
//! The dashboard is served from the server URL (the API lives under its `/api`), and its
//! routes are those of Hatchet's frontend router, `frontend/app/src/router.tsx` in
//! hatchet-dev/hatchet (read at 89d130f, the commit of the OpenAPI spec this project
//! checks against). Every route below sits under `tenants/$tenant`.

use reqwest::Url;
use serde_json::Value;
use uuid::Uuid;

use crate::hatchet::Client;

/// The field a linked answer carries.
pub const FIELD: &str = "dashboard_url";

/// A dashboard page about one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `tenantRunRoute`, path `runs/$run`. The page looks the id up as a task first, then
    /// as a workflow run, so it serves both (the old `task-runs/$run` route redirects
    /// here).
    Run(Uuid),
    /// `tenantWorkerRoute`, path `workers/$worker`.
    Worker(Uuid),
}

/// The page's address under `base` (the server URL, any path prefix kept: the dashboard
/// can be served under a subpath).
pub fn url(base: &Url, tenant: Uuid, page: Page) -> String {
    let (kind, id) = match page {
        Page::Run(id) => ("runs", id),
        Page::Worker(id) => ("workers", id),
    };
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    let (tenant, id) = (tenant.to_string(), id.to_string());
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .extend(["tenants", tenant.as_str(), kind, id.as_str()]);
    }
    url.into()
}

/// The page's address on the server `client` talks to, for its tenant.
pub fn link(client: &Client, page: Page) -> String {
    url(client.base_url(), client.tenant_id(), page)
}

/// `answer` with the page's address added as [`FIELD`] (an answer that is not an object is
/// returned as it is).
pub fn with_link(mut answer: Value, client: &Client, page: Page) -> Value {
    if let Value::Object(map) = &mut answer {
        map.insert(FIELD.into(), link(client, page).into());
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";
    const ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    fn at(base: &str, page: Page) -> String {
        url(&base.parse().unwrap(), TENANT.parse().unwrap(), page)
    }

    #[test]
    fn runs_and_tasks_share_the_run_page_and_workers_have_theirs() {
        let id: Uuid = ID.parse().unwrap();
        assert_eq!(
            at("https://cloud.onhatchet.run", Page::Run(id)),
            format!("https://cloud.onhatchet.run/tenants/{TENANT}/runs/{ID}")
        );
        assert_eq!(
            at("https://cloud.onhatchet.run/", Page::Worker(id)),
            format!("https://cloud.onhatchet.run/tenants/{TENANT}/workers/{ID}")
        );
    }

    #[test]
    fn a_path_prefix_is_kept_and_a_query_dropped() {
        let id: Uuid = ID.parse().unwrap();
        assert_eq!(
            at("http://10.0.0.5:8080/hatchet/?x=1#top", Page::Run(id)),
            format!("http://10.0.0.5:8080/hatchet/tenants/{TENANT}/runs/{ID}")
        );
    }

    #[test]
    fn only_objects_get_a_link() {
        let client = Client::new(crate::hatchet::ClientOptions {
            base_url: "http://127.0.0.1:9".parse().unwrap(),
            tenant_id: Uuid::nil(),
            token: crate::config::Secret::new("t"),
            read_only: true,
            deadline: std::time::Duration::from_secs(1),
            retry: crate::hatchet::RetryPolicy::default(),
            max_body_bytes: 1024,
        })
        .unwrap();
        let id: Uuid = ID.parse().unwrap();
        let linked = with_link(serde_json::json!({"a": 1}), &client, Page::Run(id));
        assert_eq!(
            linked[FIELD],
            format!("http://127.0.0.1:9/tenants/00000000-0000-0000-0000-000000000000/runs/{ID}")
        );
        assert_eq!(
            with_link(Value::Null, &client, Page::Worker(id)),
            Value::Null
        );
    }
}

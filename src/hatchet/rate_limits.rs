//! Rate limits. This endpoint wants its sort direction in lower case.

use reqwest::Method;
use serde_json::Value;

use super::{ApiError, Client};

api_enum!(RateLimitOrderField { Key = "key", Value = "value", LimitValue = "limitValue" });
api_enum!(LowerSortDirection { Asc = "asc", Desc = "desc" });

/// Query of `GET /api/v1/tenants/{t}/rate-limits`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRateLimits {
    pub search: Option<String>,
    pub order_by_field: Option<RateLimitOrderField>,
    pub order_by_direction: Option<LowerSortDirection>,
    pub limit: u32,
    pub offset: u32,
}

impl Client {
    pub async fn list_rate_limits(&self, query: &ListRateLimits) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["rate-limits"])
            .query_opt("search", query.search.as_ref())
            .query_opt("orderByField", query.order_by_field)
            .query_opt("orderByDirection", query.order_by_direction)
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }
}

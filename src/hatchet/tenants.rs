//! The tenant itself: the one read that proves a token works (`/api/v1/users/current`
//! refuses API tokens).

use reqwest::Method;
use serde_json::Value;

use super::{ApiError, Client};

impl Client {
    pub async fn get_tenant(&self) -> Result<Value, ApiError> {
        self.send(self.tenant(Method::GET, &[])).await
    }
}

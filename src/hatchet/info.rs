//! The engine itself: which version serves this API.

use reqwest::Method;
use serde_json::Value;

use super::{ApiError, Client};

impl Client {
    /// `{version}`: the engine's version, such as `v0.104.7`.
    pub async fn get_version(&self) -> Result<Value, ApiError> {
        self.send(self.v1(Method::GET, &["version"])).await
    }
}

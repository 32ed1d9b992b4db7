//! Wiring for the entry points (`main.rs`, `check`): the REST client's plain options from
//! the validated settings. Here rather than in either, so that the client knows nothing of
//! the configuration and the configuration nothing of the client.

use crate::{config::Config, hatchet::ClientOptions};

/// The client's options for the tenant and mode `config` names.
pub fn client_options(config: &Config) -> ClientOptions {
    ClientOptions::new(
        config.server_url.clone(),
        config.tenant_id,
        config.token.clone(),
        config.policy.read_only,
        config.policy.timeout,
    )
}

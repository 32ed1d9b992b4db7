//! Team mode (`serve --http`): the built binary serving MCP over Streamable HTTP, each
//! caller with their own token, against the fake Hatchet. Real clients (rmcp's, the Python
//! SDK's), two replicas behind a round-robin proxy, hostile callers, the drain on SIGTERM,
//! and the Helm chart's offline checks.

mod chart;
mod clients;
mod hostile;
mod replicas;

//! hatchet-mcp: an MCP server that lets an AI agent inspect, and when allowed operate, a
//! Hatchet tenant through its REST API.
//!
//! Data flows one way: environment → [`config::Config`] → typed [`hatchet::Client`] →
//! [`mcp::HatchetServer`] → stdio, or, in team mode, Streamable HTTP ([`http`]).

pub mod check;
pub mod config;
pub mod hatchet;
pub mod http;
pub mod install;
pub mod logging;
pub mod mcp;
pub mod redact;
pub mod setup;
pub mod text;
pub mod token;
pub mod toolsets;
pub mod work;

//! The MCP surface: server, tools, arguments and output shaping. Knows nothing about HTTP;
//! it calls the typed client in [`crate::hatchet`].

pub mod apps;
pub mod args;
pub mod dashboard;
pub mod output;
pub mod prompts;
pub mod reference;
pub mod registry;
pub mod resources;
pub mod server;
pub mod stdio;
pub mod summary;
pub mod tasks;
pub mod tools;
pub mod workflow_names;
pub mod workflow_tools;

pub use server::{HatchetServer, ServerPolicy};

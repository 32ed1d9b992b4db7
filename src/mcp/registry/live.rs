//! The registered tools while serving. The set is an immutable snapshot swapped as a whole
//! (a call in flight keeps the tool it started with), and every change notifies the client:
//! `notifications/tools/list_changed` straight to a client that used `initialize`, and on
//! each `subscriptions/listen` stream that asked for it (protocol 2026-07-28 and later).

use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use rmcp::{
    RoleServer,
    model::Tool,
    service::{Peer, SubscriptionContext, SubscriptionSink},
};

use super::{Context, Group, ToolSpec};

/// One version of the registered tools, with `tools/list` built once, when first asked
/// for (not before `initialize` is answered: it generates every tool's schema).
pub struct ToolSet<C> {
    tools: Vec<Arc<ToolSpec<C>>>,
    listed: OnceLock<Vec<Tool>>,
}

impl<C: Context> ToolSet<C> {
    fn new(tools: Vec<Arc<ToolSpec<C>>>) -> Self {
        Self {
            tools,
            listed: OnceLock::new(),
        }
    }

    pub fn tools(&self) -> &[Arc<ToolSpec<C>>] {
        &self.tools
    }

    /// `tools/list`, in registration order.
    pub fn listed(&self) -> &[Tool] {
        self.listed
            .get_or_init(|| self.tools.iter().map(|t| t.to_mcp()).collect())
    }

    pub fn find(&self, name: &str) -> Option<&Arc<ToolSpec<C>>> {
        self.tools.iter().find(|t| t.name == name)
    }
}

/// Who hears about a change.
#[derive(Default)]
struct Listeners {
    /// A client that used the `initialize` handshake: notified directly.
    initialized_peer: Option<Peer<RoleServer>>,
    /// Open `subscriptions/listen` streams that accepted `toolsListChanged`.
    subscriptions: Vec<SubscriptionSink>,
}

/// Why a tool in the catalogue is not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withheld {
    /// A mutating tool, and the server is read-only.
    ReadOnly,
    /// Its group is not among the active toolsets.
    Toolset(Group),
}

pub struct Registry<C> {
    current: RwLock<Arc<ToolSet<C>>>,
    /// Tools left out on purpose, and why, so a call to one can say how to get it.
    withheld: Vec<(String, Withheld)>,
    listeners: Mutex<Listeners>,
}

impl<C: Context> Registry<C> {
    pub fn new(tools: Vec<ToolSpec<C>>, withheld: Vec<(String, Withheld)>) -> Self {
        let tools = tools.into_iter().map(Arc::new).collect();
        Self {
            current: RwLock::new(Arc::new(ToolSet::new(tools))),
            withheld,
            listeners: Mutex::default(),
        }
    }

    /// The tools registered now.
    pub fn snapshot(&self) -> Arc<ToolSet<C>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn find(&self, name: &str) -> Option<Arc<ToolSpec<C>>> {
        self.snapshot().find(name).cloned()
    }

    /// Why `name` is left out, when it is a tool of the catalogue.
    pub fn withheld(&self, name: &str) -> Option<Withheld> {
        self.withheld
            .iter()
            .find(|(withheld, _)| withheld == name)
            .map(|(_, why)| *why)
    }

    /// Registers `tool`, replacing one of the same name; notifies the client.
    pub fn insert(&self, tool: ToolSpec<C>) {
        self.insert_all(vec![tool]);
    }

    /// Registers each of `tools` (replacing any of the same name) with one notification.
    pub fn insert_all(&self, tools: Vec<ToolSpec<C>>) {
        self.update(tools, &[]);
    }

    /// Registers each of `tools` (replacing any of the same name) and unregisters the tools
    /// called `removed`, with one notification when anything changed.
    pub fn update(&self, tools: Vec<ToolSpec<C>>, removed: &[String]) -> bool {
        self.change(|registered| {
            let before = registered.len();
            registered.retain(|t| !removed.iter().any(|name| *name == t.name));
            let mut changed = registered.len() != before;
            for tool in tools {
                let tool = Arc::new(tool);
                match registered.iter_mut().find(|t| t.name == tool.name) {
                    Some(existing) => *existing = tool,
                    None => registered.push(tool),
                }
                changed = true;
            }
            changed
        })
    }

    /// Unregisters the tool called `name`; notifies the client when there was one.
    pub fn remove(&self, name: &str) -> bool {
        self.change(|tools| {
            let before = tools.len();
            tools.retain(|t| t.name != name);
            tools.len() != before
        })
    }

    /// Applies `edit` to a copy of the set; when it reports a change, swaps the copy in and
    /// notifies.
    fn change(&self, edit: impl FnOnce(&mut Vec<Arc<ToolSpec<C>>>) -> bool) -> bool {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        let mut tools = current.tools.clone();
        if !edit(&mut tools) {
            return false;
        }
        *current = Arc::new(ToolSet::new(tools));
        drop(current);
        self.notify();
        true
    }

    /// A client that completed `initialize` hears about changes from now on.
    pub fn notify_peer(&self, peer: Peer<RoleServer>) {
        self.lock_listeners().initialized_peer = Some(peer);
    }

    /// Serves one `subscriptions/listen` stream: it hears about changes until the client
    /// cancels it.
    pub async fn listen(&self, subscription: SubscriptionContext) {
        let sink = subscription.sink().clone();
        let id = sink.id().clone();
        if sink.accepted().tools_list_changed == Some(true) {
            self.lock_listeners().subscriptions.push(sink);
        }
        subscription.cancelled().await;
        self.lock_listeners()
            .subscriptions
            .retain(|s| *s.id() != id);
    }

    fn lock_listeners(&self) -> std::sync::MutexGuard<'_, Listeners> {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn notify(&self) {
        let (peer, subscriptions) = {
            let listeners = self.lock_listeners();
            (
                listeners.initialized_peer.clone(),
                listeners.subscriptions.clone(),
            )
        };
        if peer.is_none() && subscriptions.is_empty() {
            return;
        }
        // Listeners exist only while serving, so a runtime is there to send on.
        tokio::spawn(async move {
            if let Some(peer) = peer
                && let Err(error) = peer.notify_tool_list_changed().await
            {
                tracing::debug!(%error, "tools/list_changed not sent");
            }
            for sink in subscriptions {
                if let Err(error) = sink.notify_tool_list_changed().await {
                    tracing::debug!(%error, "tools/list_changed not sent on a subscription");
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::{
        args::NoArgs,
        output,
        registry::{
            About, Effect, Group, ToolResult,
            tests::{Call, TestContext, ToolSpec},
        },
    };

    type Registry = super::Registry<TestContext>;

    async fn answer(_: Call, _: NoArgs) -> ToolResult {
        Ok(output::item("ok".into()))
    }

    fn tool(name: &str, description: &str) -> ToolSpec {
        let about = About {
            name: name.to_owned(),
            title: name.to_owned(),
            group: Group::Runs,
            effect: Effect::Read,
            rest: "none".to_owned(),
            description: description.to_owned(),
        };
        ToolSpec::typed(about, answer)
    }

    #[test]
    fn a_change_swaps_the_set_and_a_held_snapshot_keeps_its_tools() {
        let registry = Registry::new(
            vec![tool("a", "first")],
            vec![("b_mutating".into(), Withheld::ReadOnly)],
        );
        let before = registry.snapshot();
        registry.insert(tool("b", "second"));
        registry.insert(tool("a", "replaced"));
        assert_eq!(before.listed().len(), 1);
        let after = registry.snapshot();
        let names: Vec<&str> = after.tools().iter().map(|t| &*t.name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(registry.find("a").unwrap().description, "replaced");
        assert!(registry.remove("b") && !registry.remove("b"));
        assert!(registry.update(vec![tool("c", "third")], &["a".to_owned()]));
        let names: Vec<String> = registry
            .snapshot()
            .tools()
            .iter()
            .map(|t| t.name.to_string())
            .collect();
        assert_eq!(names, ["c"]);
        assert!(
            !registry.update(Vec::new(), &["gone".to_owned()]),
            "nothing changed"
        );
        assert_eq!(registry.withheld("b_mutating"), Some(Withheld::ReadOnly));
        assert_eq!(registry.withheld("a"), None);
    }
}

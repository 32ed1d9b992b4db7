//! Workflow names to ids, for the filters that take either (`workflow_ids` of `list_runs`,
//! `get_task_metrics`, the bulk tools...). The tenant's workflows are listed once and kept
//! for a minute: a conversation asks about the same few workflows many times.

use std::{sync::Arc, time::Duration};

use serde_json::Value;
use tokio::{sync::Mutex, time::Instant};
use uuid::Uuid;

use super::{
    args::{ArgError, WorkflowRef},
    registry::{ToolContext, ToolError},
};
use crate::hatchet::workflows::ListWorkflows;

/// How long a listing of the tenant's workflows is trusted.
const FRESH_FOR: Duration = Duration::from_secs(60);
/// Workflows listed per request, and the most requests one listing makes.
const PAGE: u32 = 200;
const MAX_PAGES: u32 = 10;
/// Close matches named when a name is not found.
const SUGGESTIONS: usize = 3;

/// `(name, id)` of each of the tenant's workflows.
pub(crate) type Listing = Arc<Vec<(String, Uuid)>>;

#[derive(Default)]
pub struct WorkflowNames {
    cached: Mutex<Option<(Instant, Listing)>>,
}

impl ToolContext {
    /// The ids `refs` name. Ids pass through; names are looked up, with the namespace
    /// applied as for triggers. An unknown name is an argument error that names close
    /// matches.
    pub async fn workflow_ids(
        &self,
        argument: &str,
        refs: &[WorkflowRef],
    ) -> Result<Vec<Uuid>, ToolError> {
        let mut ids = Vec::with_capacity(refs.len());
        let mut listing = None;
        for workflow in refs {
            match workflow {
                WorkflowRef::Id(id) => ids.push(*id),
                WorkflowRef::Name(name) => {
                    let listing = match &listing {
                        Some(listing) => listing,
                        None => listing.insert(self.workflow_names.listing(self).await?),
                    };
                    ids.push(self.find_workflow(argument, name, listing)?);
                }
            }
        }
        Ok(ids)
    }

    fn find_workflow(
        &self,
        argument: &str,
        name: &str,
        listing: &Listing,
    ) -> Result<Uuid, ArgError> {
        let namespaced = self.namespaced(name);
        let exact = listing
            .iter()
            .find(|(known, _)| *known == namespaced || known == name)
            .or_else(|| {
                listing.iter().find(|(known, _)| {
                    known.eq_ignore_ascii_case(&namespaced) || known.eq_ignore_ascii_case(name)
                })
            });
        if let Some((_, id)) = exact {
            return Ok(*id);
        }
        let close = close_matches(name, listing);
        let hint = if close.is_empty() {
            "list_workflows names them all".to_owned()
        } else {
            format!("close matches: {}", crate::text::quoted_list(&close))
        };
        Err(ArgError::new(format!(
            "Invalid argument `{argument}`: no workflow is named {:?}; {hint}.",
            crate::text::preview(name)
        )))
    }
}

impl WorkflowNames {
    /// The tenant's workflows, `(name, id)`, listed at most once a minute.
    pub(crate) async fn listing(&self, context: &ToolContext) -> Result<Listing, ToolError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, listing)) = cached.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(listing.clone());
        }
        let mut workflows = Vec::new();
        for page in 0..MAX_PAGES {
            let query = ListWorkflows {
                name: None,
                limit: PAGE,
                offset: page * PAGE,
            };
            let answer = context.client.list_workflows(&query).await?;
            let rows = answer["rows"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            workflows.extend(rows.iter().filter_map(name_and_id));
            if rows.len() < PAGE as usize {
                break;
            }
        }
        let listing = Arc::new(workflows);
        *cached = Some((Instant::now(), listing.clone()));
        Ok(listing)
    }
}

fn name_and_id(row: &Value) -> Option<(String, Uuid)> {
    let name = row["name"].as_str()?.to_owned();
    let id = row["metadata"]["id"].as_str()?.parse().ok()?;
    Some((name, id))
}

/// The known names nearest to `name`: those containing it (or contained in it), then the
/// closest by edit distance, with or without a namespace prefix; at most [`SUGGESTIONS`].
fn close_matches(name: &str, listing: &[(String, Uuid)]) -> Vec<String> {
    let wanted = name.to_lowercase();
    let mut scored: Vec<(f64, &str)> = listing
        .iter()
        .map(|(known, _)| {
            let lower = known.to_lowercase();
            // A namespace (`staging_`) is compared without, as a user names it.
            let bare = lower
                .split_once('_')
                .map_or(lower.as_str(), |(_, rest)| rest);
            let contains = lower.contains(&wanted) || wanted.contains(bare);
            let score = if contains {
                1.0
            } else {
                strsim::normalized_levenshtein(&wanted, &lower)
                    .max(strsim::normalized_levenshtein(&wanted, bare))
            };
            (score, known.as_str())
        })
        .filter(|(score, _)| *score >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, known)| known.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_matches_prefer_containment_then_edit_distance() {
        let listing: Vec<(String, Uuid)> = ["send-email", "send-sms", "billing", "email-digest"]
            .iter()
            .map(|n| ((*n).to_owned(), Uuid::nil()))
            .collect();
        assert_eq!(
            close_matches("email", &listing),
            ["email-digest", "send-email"]
        );
        assert_eq!(
            close_matches("send-emial", &listing),
            ["send-email", "send-sms"]
        );
        assert!(close_matches("zzz", &listing).is_empty());
    }
}

//! Workflow names to workflows: the one resolver behind every tool that takes a workflow
//! name (the `workflow_ids` filters of `list_runs`, `get_task_metrics`, the bulk tools...,
//! `trigger_workflow`, `create_cron`, `create_scheduled`, `list_crons`'s `workflow_name`, and
//! the typed workflow tools). The tenant's workflows are listed once and kept for a minute: a
//! conversation asks about the same few workflows many times.
//!
//! The rule, the same whatever order Hatchet lists the workflows in:
//! 1. With a namespace (`HATCHET_CLIENT_NAMESPACE`), a name is tried namespaced first, as the
//!    SDKs and triggers apply it (`etl` → `staging_etl`), then as given: when both exist,
//!    the namespaced workflow is the one.
//! 2. For each of those spellings, an exact match first; then, case ignored, a spelling that
//!    matches exactly one workflow resolves to it, and one that matches two or more is an
//!    error that lists them.
//! 3. A name that matches nothing is an error that names close matches.
//!
//! Work sized by the tenant's names is bounded: a name over [`MAX_NAME_CHARS`] is neither
//! listed nor resolved, close matches compare at most [`COMPARED_CHARS`] characters of a
//! name and spend at most [`SUGGESTION_CELLS`] steps in all, and resolution runs off the
//! runtime thread.

use std::{sync::Arc, time::Duration};

use serde_json::Value;
use tokio::{sync::Mutex, time::Instant};
use uuid::Uuid;

use super::{
    args::{ArgError, WorkflowRef},
    registry::ToolError,
};
use crate::mcp::tools::ToolContext;
use crate::{hatchet::workflows::ListWorkflows, text, work};

/// How long a listing of the tenant's workflows is trusted.
const FRESH_FOR: Duration = Duration::from_secs(60);
/// Workflows listed per request, and the most requests one listing makes.
const PAGE: u32 = 200;
const MAX_PAGES: u32 = 10;
/// Close matches named when a name is not found.
const SUGGESTIONS: usize = 3;
/// The longest workflow name resolved. A workflow with a longer name is left out of the
/// listing (it is still reachable by id); a longer name given is refused at once.
pub const MAX_NAME_CHARS: usize = 1_000;
/// How many leading characters of two names their edit distance compares.
pub const COMPARED_CHARS: usize = 64;
/// The most edit-distance steps (one per pair of characters compared) spent on the close
/// matches of one name: a full listing of ordinary names takes a fraction of it; past it,
/// names are only checked for containment.
pub const SUGGESTION_CELLS: usize = 8_000_000;

/// One of the tenant's workflows, as Hatchet lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub name: String,
    pub id: Uuid,
}

/// The tenant's workflows, in Hatchet's order.
#[derive(Debug, Default)]
pub struct Listing {
    pub workflows: Vec<Workflow>,
    /// Whether every workflow was listed: false when the listing stopped at
    /// `MAX_PAGES * PAGE`.
    pub complete: bool,
}

/// A listing shared by the calls of a minute.
pub(crate) type SharedListing = Arc<Listing>;

#[derive(Default)]
pub struct WorkflowNames {
    cached: Mutex<Option<(Instant, SharedListing)>>,
}

/// Why a name did not resolve to one workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unresolved {
    /// Longer than [`MAX_NAME_CHARS`] characters (the count).
    TooLong(usize),
    /// Several workflows match, case ignored (their names, sorted).
    Ambiguous(Vec<String>),
    /// None does; the close matches.
    NotFound(Vec<String>),
}

impl Unresolved {
    /// The argument error for `name`, given as `argument`.
    pub fn to_error(&self, argument: &str, name: &str) -> ArgError {
        let shown = text::preview(name);
        ArgError::new(match self {
            Unresolved::TooLong(chars) => format!(
                "Invalid argument `{argument}`: a workflow name of {chars} characters; names are resolved up to {MAX_NAME_CHARS} characters (a filter takes the workflow's id instead)."
            ),
            Unresolved::Ambiguous(names) => format!(
                "Invalid argument `{argument}`: {shown:?} matches {} workflows when case is ignored: {}; give one exactly as listed.",
                names.len(),
                text::quoted_list(names)
            ),
            Unresolved::NotFound(close) if close.is_empty() => format!(
                "Invalid argument `{argument}`: no workflow is named {shown:?}; list_workflows names them all."
            ),
            Unresolved::NotFound(close) => format!(
                "Invalid argument `{argument}`: no workflow is named {shown:?}; close matches: {}.",
                text::quoted_list(close)
            ),
        })
    }
}

/// The workflow `name` resolves to among `workflows` (see the module's rule).
pub fn resolve<'a>(
    workflows: &'a [Workflow],
    namespace: Option<&str>,
    name: &str,
) -> Result<&'a Workflow, Unresolved> {
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(Unresolved::TooLong(chars));
    }
    let namespaced = match namespace {
        Some(ns) if !name.starts_with(ns) => Some(format!("{ns}{name}")),
        _ => None,
    };
    let spellings: Vec<&str> = namespaced.as_deref().into_iter().chain([name]).collect();
    let same = |a: &str, b: &str| a == b;
    for matches in [same as fn(&str, &str) -> bool, same_ignoring_case] {
        for spelling in &spellings {
            let found: Vec<&Workflow> = workflows
                .iter()
                .filter(|w| matches(&w.name, spelling))
                .collect();
            match found.as_slice() {
                [] => {}
                [one] => return Ok(one),
                several => {
                    let mut names: Vec<String> = several.iter().map(|w| w.name.clone()).collect();
                    names.sort();
                    return Err(Unresolved::Ambiguous(names));
                }
            }
        }
    }
    Err(Unresolved::NotFound(
        close_matches(name, workflows, SUGGESTION_CELLS).0,
    ))
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

impl ToolContext {
    /// The ids `refs` name. Ids pass through; names are resolved by [`resolve`], with the
    /// namespace applied as for triggers. A name that does not resolve is an argument error
    /// (close matches, or the workflows it could mean).
    pub async fn workflow_ids(
        &self,
        argument: &str,
        refs: &[WorkflowRef],
    ) -> Result<Vec<Uuid>, ToolError> {
        let mut ids = Vec::with_capacity(refs.len());
        for workflow in refs {
            match workflow {
                WorkflowRef::Id(id) => ids.push(*id),
                WorkflowRef::Name(name) => ids.push(self.workflow_named(argument, name).await?.id),
            }
        }
        Ok(ids)
    }

    /// The workflow `name` (given as `argument`) resolves to: see [`resolve`]. When the
    /// listing stopped short of the tenant's last workflow, a name it lacks is looked up
    /// with Hatchet's name search before it is called unknown.
    pub async fn workflow_named(&self, argument: &str, name: &str) -> Result<Workflow, ToolError> {
        let listing = self.workflow_names.listing(self).await?;
        let namespace = self.namespace.clone();
        let wanted = name.to_owned();
        let found = {
            let (listing, namespace, wanted) = (listing.clone(), namespace.clone(), wanted.clone());
            work::off_thread(move || {
                resolve(&listing.workflows, namespace.as_deref(), &wanted).cloned()
            })
            .await
        };
        let found = match found {
            Err(Unresolved::NotFound(_)) if !listing.complete => {
                let searched = self.search(name).await?;
                work::off_thread(move || resolve(&searched, namespace.as_deref(), &wanted).cloned())
                    .await
            }
            other => other,
        };
        found.map_err(|unresolved| unresolved.to_error(argument, name).into())
    }

    /// The workflows Hatchet's name search finds for `name` (one page).
    async fn search(&self, name: &str) -> Result<Vec<Workflow>, ToolError> {
        let query = ListWorkflows {
            name: Some(name.to_owned()),
            limit: PAGE,
            offset: 0,
        };
        let answer = self.client.list_workflows(&query).await?;
        Ok(rows(&answer).iter().filter_map(listed).collect())
    }
}

impl WorkflowNames {
    /// The tenant's workflows, listed at most once a minute.
    pub(crate) async fn listing(&self, context: &ToolContext) -> Result<SharedListing, ToolError> {
        let mut cached = self.cached.lock().await;
        if let Some((at, listing)) = cached.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(listing.clone());
        }
        let mut listing = Listing::default();
        let mut too_long = 0;
        for page in 0..MAX_PAGES {
            let query = ListWorkflows {
                name: None,
                limit: PAGE,
                offset: page * PAGE,
            };
            let answer = context.client.list_workflows(&query).await?;
            let rows = rows(&answer);
            too_long += rows.iter().filter(|row| has_long_name(row)).count();
            listing.workflows.extend(rows.iter().filter_map(listed));
            if rows.len() < PAGE as usize {
                listing.complete = true;
                break;
            }
        }
        if too_long > 0 {
            tracing::warn!(
                workflows = too_long,
                "workflows with names over {MAX_NAME_CHARS} characters are left out of name lookups (their ids still work)"
            );
        }
        let listing = Arc::new(listing);
        *cached = Some((Instant::now(), listing.clone()));
        Ok(listing)
    }
}

fn rows(answer: &Value) -> &[Value] {
    answer["rows"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn has_long_name(row: &Value) -> bool {
    row["name"]
        .as_str()
        .is_some_and(|name| name.chars().nth(MAX_NAME_CHARS).is_some())
}

/// A row of a workflow listing, unless its name is over [`MAX_NAME_CHARS`] characters.
fn listed(row: &Value) -> Option<Workflow> {
    if has_long_name(row) {
        return None;
    }
    let name = row["name"].as_str()?.to_owned();
    let id = row["metadata"]["id"].as_str()?.parse().ok()?;
    Some(Workflow { name, id })
}

/// The known names nearest to `name`: those containing it (or contained in it), then the
/// closest by edit distance, with or without a namespace prefix; at most [`SUGGESTIONS`].
/// Each name is compared by its first [`COMPARED_CHARS`] characters, and edit distances
/// stop once they have cost `cells` steps in all; answers the matches and the steps spent.
fn close_matches(name: &str, workflows: &[Workflow], cells: usize) -> (Vec<String>, usize) {
    let head = |text: &str| -> String {
        text.chars()
            .take(COMPARED_CHARS)
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = head(name);
    let wanted_chars = wanted.chars().count();
    let mut spent = 0;
    let mut scored: Vec<(f64, &str)> = Vec::new();
    for known in workflows {
        let lower = head(&known.name);
        // A namespace (`staging_`) is compared without, as a user names it.
        let bare = lower
            .split_once('_')
            .map_or(lower.as_str(), |(_, rest)| rest);
        let score = if lower.contains(&wanted) || wanted.contains(bare) {
            1.0
        } else {
            let cost = wanted_chars * (lower.chars().count() + bare.chars().count());
            if spent + cost > cells {
                continue;
            }
            spent += cost;
            strsim::normalized_levenshtein(&wanted, &lower)
                .max(strsim::normalized_levenshtein(&wanted, bare))
        };
        if score >= 0.5 {
            scored.push((score, known.name.as_str()));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    let close = scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, known)| known.to_owned())
        .collect();
    (close, spent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(names: &[&str]) -> Vec<Workflow> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| Workflow {
                name: (*name).to_owned(),
                id: Uuid::from_u128(i as u128 + 1),
            })
            .collect()
    }

    fn resolved(names: &[&str], namespace: Option<&str>, name: &str) -> Result<String, Unresolved> {
        resolve(&listing(names), namespace, name).map(|w| w.name.clone())
    }

    #[test]
    fn close_matches_prefer_containment_then_edit_distance() {
        let workflows = listing(&["send-email", "send-sms", "billing", "email-digest"]);
        let close = |name| close_matches(name, &workflows, SUGGESTION_CELLS).0;
        assert_eq!(close("email"), ["email-digest", "send-email"]);
        assert_eq!(close("send-emial"), ["send-email", "send-sms"]);
        assert!(close("zzz").is_empty());
    }

    #[test]
    fn the_namespaced_name_wins_whatever_the_order_then_the_name_as_given() {
        let ns = Some("staging_");
        for names in [["etl", "staging_etl"], ["staging_etl", "etl"]] {
            assert_eq!(resolved(&names, ns, "etl").unwrap(), "staging_etl");
            assert_eq!(resolved(&names, ns, "staging_etl").unwrap(), "staging_etl");
            assert_eq!(resolved(&names, None, "etl").unwrap(), "etl");
        }
        assert_eq!(resolved(&["etl"], ns, "etl").unwrap(), "etl");
        // An exact spelling beats a namespaced one in another case.
        for names in [["ETL", "staging_etl"], ["staging_etl", "ETL"]] {
            assert_eq!(resolved(&names, ns, "ETL").unwrap(), "ETL");
            assert_eq!(resolved(&names, ns, "Etl").unwrap(), "staging_etl");
        }
    }

    #[test]
    fn case_is_ignored_only_when_one_workflow_matches() {
        assert_eq!(
            resolved(&["Send-Email", "billing"], None, "SEND-email").unwrap(),
            "Send-Email"
        );
        assert_eq!(resolved(&["Ärger"], None, "ärger").unwrap(), "Ärger");
        for names in [["Send-Email", "send-EMAIL"], ["send-EMAIL", "Send-Email"]] {
            assert_eq!(
                resolved(&names, None, "send-email"),
                Err(Unresolved::Ambiguous(vec![
                    "Send-Email".into(),
                    "send-EMAIL".into()
                ]))
            );
            // An exact spelling is never ambiguous.
            assert_eq!(resolved(&names, None, "send-EMAIL").unwrap(), "send-EMAIL");
        }
        let error =
            Unresolved::Ambiguous(vec!["A".into(), "a".into()]).to_error("workflow_name", "A ");
        assert_eq!(
            error.to_string(),
            "Invalid argument `workflow_name`: \"A \" matches 2 workflows when case is ignored: `A`, `a`; give one exactly as listed."
        );
    }

    #[test]
    fn long_names_are_refused_and_left_out_of_the_listing() {
        let long = "n".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            resolved(&["etl"], None, &long),
            Err(Unresolved::TooLong(MAX_NAME_CHARS + 1))
        );
        let row = |name: &str| serde_json::json!({"name": name, "metadata": {"id": Uuid::nil()}});
        assert!(listed(&row(&long)).is_none());
        assert!(has_long_name(&row(&long)));
        let longest = "é".repeat(MAX_NAME_CHARS);
        assert_eq!(listed(&row(&longest)).unwrap().name, longest);
    }

    #[test]
    fn close_matches_stay_within_their_budget_however_long_the_names() {
        let names: Vec<String> = (0..2_000)
            .map(|i| format!("{i:04}{}", "n".repeat(MAX_NAME_CHARS - 4)))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let workflows = listing(&refs);
        let wanted = format!("zz{}", "m".repeat(MAX_NAME_CHARS - 2));
        let (_, spent) = close_matches(&wanted, &workflows, SUGGESTION_CELLS);
        assert!(spent <= SUGGESTION_CELLS, "{spent}");
        // Each comparison costs at most COMPARED_CHARS x (name + bare name).
        let one = COMPARED_CHARS * 2 * COMPARED_CHARS;
        assert!(
            spent >= SUGGESTION_CELLS - one,
            "the budget is used: {spent}"
        );
        // Ordinary names fit in the budget many times over.
        let ordinary = listing(&["send-email", "send-sms", "billing"]);
        let (close, spent) = close_matches("send-emial", &ordinary, SUGGESTION_CELLS);
        assert_eq!(close, ["send-email", "send-sms"]);
        assert!(spent < 1_000, "{spent}");
        // Past the budget, containment still counts.
        let (close, spent) = close_matches("email", &ordinary, 0);
        assert_eq!((close, spent), (vec!["send-email".to_owned()], 0));
    }
}

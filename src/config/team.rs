//! Team mode's settings (`hatchet-mcp serve --http ADDR`): one deployment a whole team
//! reaches over the network, each caller bringing their own Hatchet token. The operator
//! pins the upstream and sets the policy (the same variables as on stdio, a ceiling over
//! every caller); the process holds no token of its own unless told to share one.

use std::{ffi::OsString, net::SocketAddr, time::Duration};

use reqwest::Url;
use uuid::Uuid;

use super::{
    Config, ConfigError, Policy, getter, parse::parse_bool, read_server_url, safe_echo, vars::*,
};

/// The most bytes one request's body may hold: a tool's largest payload (4 MiB, the REST
/// client's own bound on what it sends) and room for its JSON-RPC envelope and escapes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The most connections open at once; more wait in the listen queue.
pub const MAX_CONNECTIONS: usize = 2_048;

const DEFAULT_MAX_CALLS: usize = 256;
const DEFAULT_MAX_CALLS_PER_CALLER: usize = 16;
const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_DRAIN: Duration = Duration::from_secs(25);

/// Host names a loopback listener accepts in `Host` unless told others (DNS rebinding).
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

#[derive(Debug, Clone)]
pub struct TeamConfig {
    pub listen: SocketAddr,
    /// The only Hatchet any caller's token is sent to, without a trailing slash.
    pub server_url: Url,
    pub server_url_suffix_removed: Option<&'static str>,
    /// The operator's ceiling over every caller.
    pub policy: Policy,
    /// Tenants whose tokens are served; `None`: any tenant Hatchet accepts the token for.
    pub tenants: Option<Vec<Uuid>>,
    /// Browser origins allowed to call (`scheme://host[:port]`, lower-case); a request
    /// with any other `Origin` is refused. Empty: every request with an `Origin`.
    pub allowed_origins: Vec<String>,
    /// Accepted `Host` values; `None`: any (the default off loopback, where each request
    /// is authenticated by its own token anyway).
    pub allowed_hosts: Option<Vec<String>>,
    pub max_calls: usize,
    pub max_calls_per_caller: usize,
    /// How long a client may take to send a request's headers (and its body).
    pub header_timeout: Duration,
    /// How long calls in flight may take to finish after SIGTERM.
    pub drain: Duration,
    /// The operator's own token, used for every caller: only when
    /// `HATCHET_MCP_HTTP_SHARED_TOKEN=true` says so.
    pub shared: Option<Config>,
}

impl TeamConfig {
    /// Team mode's settings when the command line (`--http ADDR`, `listen`) or
    /// `HATCHET_MCP_HTTP_ADDR` asks for it; `Ok(None)` when neither does.
    pub fn from_env(listen: Option<&str>) -> Result<Option<Self>, ConfigError> {
        Self::from_os_lookup(listen, |name| std::env::var_os(name))
    }

    /// As [`TeamConfig::from_env`], through `lookup` (tests).
    pub fn from_lookup(
        listen: Option<&str>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, ConfigError> {
        Self::from_os_lookup(listen, |name| lookup(name).map(OsString::from))
    }

    fn from_os_lookup(
        listen: Option<&str>,
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Option<Self>, ConfigError> {
        let get = getter(&lookup);
        let listen_text = match listen {
            Some(text) => text.to_owned(),
            None => match get(HTTP_ADDR_VAR)? {
                Some(text) => text,
                None => return Ok(None),
            },
        };
        let shared = match get(HTTP_SHARED_TOKEN_VAR)? {
            None => false,
            Some(value) => parse_bool(&value)
                .ok_or_else(|| bad(HTTP_SHARED_TOKEN_VAR, "must be true or false", &value))?,
        };
        let has_token = get(TOKEN_VAR)?.is_some();
        let shared = match (has_token, shared) {
            (true, false) => return Err(ConfigError::TokenInTeamMode),
            (false, true) => return Err(ConfigError::SharedTokenMissing),
            (true, true) => Some(Config::from_os_lookup(&lookup)?),
            (false, false) => None,
        };
        if shared.is_none() {
            for var in [TENANT_VAR, TENANT_ALIAS] {
                if get(var)?.is_some() {
                    return Err(ConfigError::TenantInTeamMode(var));
                }
            }
        }
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            bad(
                HTTP_ADDR_VAR,
                "must be an IP address and port, such as 127.0.0.1:8080 or 0.0.0.0:8080",
                &listen_text,
            )
        })?;
        let (server_url, _, server_url_suffix_removed) = read_server_url(&get, None, None)?;
        let policy = match &shared {
            Some(config) => Policy::read(&get, Some(config.token.expose()))?,
            None => Policy::read(&get, None)?,
        };
        if policy.workflow_tools.is_some() {
            return Err(ConfigError::WorkflowToolsInTeamMode);
        }
        let tenants = match get(HTTP_TENANTS_VAR)? {
            None => None,
            Some(list) => Some(
                items(&list)
                    .map(|t| {
                        Uuid::parse_str(t).map_err(|_| {
                            bad(
                                HTTP_TENANTS_VAR,
                                "must be tenant UUIDs separated by commas",
                                t,
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        if let (Some(config), Some(tenants)) = (&shared, &tenants)
            && !tenants.contains(&config.tenant_id)
        {
            return Err(bad(
                HTTP_TENANTS_VAR,
                "does not list the shared token's tenant",
                &config.tenant_id.to_string(),
            ));
        }
        let allowed_origins = match get(HTTP_ALLOWED_ORIGINS_VAR)? {
            None => Vec::new(),
            Some(list) => items(&list).map(origin).collect::<Result<Vec<_>, _>>()?,
        };
        let allowed_hosts = match get(HTTP_ALLOWED_HOSTS_VAR)? {
            Some(list) if list == "*" => None,
            Some(list) => Some(items(&list).map(str::to_ascii_lowercase).collect()),
            None if listen.ip().is_loopback() => {
                Some(LOOPBACK_HOSTS.iter().map(|h| (*h).to_owned()).collect())
            }
            None => None,
        };
        Ok(Some(TeamConfig {
            listen,
            server_url,
            server_url_suffix_removed,
            policy,
            tenants,
            allowed_origins,
            allowed_hosts,
            max_calls: count(&get, HTTP_MAX_CALLS_VAR, DEFAULT_MAX_CALLS, 100_000)?,
            max_calls_per_caller: count(
                &get,
                HTTP_MAX_CALLS_PER_CALLER_VAR,
                DEFAULT_MAX_CALLS_PER_CALLER,
                100_000,
            )?,
            header_timeout: seconds(&get, HTTP_HEADER_TIMEOUT_VAR, DEFAULT_HEADER_TIMEOUT)?,
            drain: seconds(&get, HTTP_DRAIN_VAR, DEFAULT_DRAIN)?,
            shared,
        }))
    }
}

fn bad(var: &'static str, problem: &str, value: &str) -> ConfigError {
    ConfigError::BadTeamSetting {
        var,
        problem: format!("{problem}, got {}", safe_echo(value, None)),
    }
}

/// The non-empty items of a comma list, trimmed.
fn items(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|i| !i.is_empty())
}

/// An origin as browsers send it: `scheme://host[:port]`, lower-case, nothing after.
fn origin(text: &str) -> Result<String, ConfigError> {
    let problem = "must be origins such as https://app.example.com, separated by commas";
    let url = Url::parse(text).map_err(|_| bad(HTTP_ALLOWED_ORIGINS_VAR, problem, text))?;
    let bare = url.path() == "/" && url.query().is_none() && url.username().is_empty();
    if !bare || !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(HTTP_ALLOWED_ORIGINS_VAR, problem, text));
    }
    Ok(url.origin().ascii_serialization())
}

fn count(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    var: &'static str,
    default: usize,
    max: usize,
) -> Result<usize, ConfigError> {
    match get(var)? {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(bad(
                var,
                &format!("must be a whole number from 1 to {max}"),
                &text,
            )),
        },
    }
}

fn seconds(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    count(get, var, default.as_secs() as usize, 3_600).map(|s| Duration::from_secs(s as u64))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::token::tests::mint;

    const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";

    fn load(vars: &[(&str, &str)]) -> Result<Option<TeamConfig>, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TeamConfig::from_lookup(None, |name| map.get(name).cloned())
    }

    const URL: (&str, &str) = (SERVER_URL_VAR, "http://hatchet.internal:8080/api");

    #[test]
    fn off_unless_asked_and_read_only_on_loopback_by_default() {
        assert!(load(&[URL]).unwrap().is_none());
        let team = load(&[URL, (HTTP_ADDR_VAR, "127.0.0.1:8080")])
            .unwrap()
            .unwrap();
        assert_eq!(team.server_url.as_str(), "http://hatchet.internal:8080/");
        assert!(team.policy.read_only);
        assert!(team.shared.is_none() && team.tenants.is_none());
        assert_eq!(team.allowed_hosts.unwrap().len(), LOOPBACK_HOSTS.len());
        let open = load(&[URL, (HTTP_ADDR_VAR, "0.0.0.0:8080")])
            .unwrap()
            .unwrap();
        assert!(open.allowed_hosts.is_none());
        let listed = load(&[
            URL,
            (HTTP_ADDR_VAR, "0.0.0.0:8080"),
            (HTTP_TENANTS_VAR, TENANT),
            (
                HTTP_ALLOWED_ORIGINS_VAR,
                "https://App.example.com, http://localhost:3000",
            ),
            (HTTP_MAX_CALLS_PER_CALLER_VAR, "4"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(listed.tenants.unwrap()[0].to_string(), TENANT);
        assert_eq!(
            listed.allowed_origins,
            ["https://app.example.com", "http://localhost:3000"]
        );
        assert_eq!(listed.max_calls_per_caller, 4);
    }

    #[test]
    fn refusals_name_the_variable_and_never_a_token() {
        let token = mint(&serde_json::json!({"sub": TENANT, "server_url": "https://x.example"}));
        let addr = (HTTP_ADDR_VAR, "127.0.0.1:8080");
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![addr], SERVER_URL_VAR),
            (vec![addr, URL, (TOKEN_VAR, &token)], HTTP_SHARED_TOKEN_VAR),
            (vec![addr, URL, (HTTP_SHARED_TOKEN_VAR, "true")], TOKEN_VAR),
            (vec![addr, URL, (TENANT_VAR, TENANT)], HTTP_TENANTS_VAR),
            (vec![(HTTP_ADDR_VAR, "localhost"), URL], HTTP_ADDR_VAR),
            (
                vec![addr, URL, (HTTP_TENANTS_VAR, &token)],
                HTTP_TENANTS_VAR,
            ),
            (
                vec![addr, URL, (HTTP_ALLOWED_ORIGINS_VAR, "app.example.com")],
                HTTP_ALLOWED_ORIGINS_VAR,
            ),
            (
                vec![addr, URL, (HTTP_MAX_CALLS_VAR, "0")],
                HTTP_MAX_CALLS_VAR,
            ),
            (
                vec![
                    addr,
                    URL,
                    (READ_ONLY_VAR, "false"),
                    (WORKFLOW_TOOLS_VAR, "*"),
                ],
                WORKFLOW_TOOLS_VAR,
            ),
        ];
        for (vars, named) in cases {
            let message = load(&vars).unwrap_err().to_string();
            assert!(message.contains(named), "{vars:?}: {message}");
            assert!(!message.contains(&token[token.len() - 20..]), "{message}");
        }
    }

    #[test]
    fn a_shared_token_is_used_only_when_asked_for() {
        let token = mint(&serde_json::json!({"sub": TENANT, "server_url": "https://x.example"}));
        let team = load(&[
            (HTTP_ADDR_VAR, "127.0.0.1:8080"),
            URL,
            (TOKEN_VAR, &token),
            (HTTP_SHARED_TOKEN_VAR, "true"),
            (READ_ONLY_VAR, "false"),
        ])
        .unwrap()
        .unwrap();
        let shared = team.shared.unwrap();
        assert_eq!(shared.tenant_id.to_string(), TENANT);
        assert_eq!(shared.server_url, team.server_url);
        assert!(!team.policy.read_only);
        let other = "11111111-2222-3333-4444-555555555555";
        let refused = load(&[
            (HTTP_ADDR_VAR, "127.0.0.1:8080"),
            URL,
            (TOKEN_VAR, &token),
            (HTTP_SHARED_TOKEN_VAR, "true"),
            (HTTP_TENANTS_VAR, other),
        ]);
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("shared token's tenant")
        );
    }
}

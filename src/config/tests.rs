//! The configuration as read from a lookup: every variable, every refusal.

use std::collections::HashMap;

use super::*;
use crate::token::tests::mint;

const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";

fn good_token() -> String {
    mint(
        &serde_json::json!({"sub": TENANT, "server_url": "https://cloud.example/", "exp": 1711843200}),
    )
}

fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

#[test]
fn reads_tenant_and_url_from_the_token() {
    let token = good_token();
    let config = load(&[(TOKEN_VAR, &token)]).unwrap();
    assert_eq!(config.tenant_id.to_string(), TENANT);
    assert_eq!(config.server_url.as_str(), "https://cloud.example/");
    assert_eq!(config.server_url_source, Source::Token);
    assert!(config.policy.read_only);
    assert_eq!(config.policy.timeout, Duration::from_secs(30));
    assert!(config.token_expired(jiff::Timestamp::from_second(1711843200).unwrap()));
    assert!(!config.token_expired(jiff::Timestamp::from_second(1711843199).unwrap()));
}

#[test]
fn overrides_and_aliases_win_over_the_token() {
    let token = good_token();
    let other = "11111111-2222-3333-4444-555555555555";
    let config = load(&[
        (TOKEN_VAR, &token),
        (SERVER_URL_ALIAS, "http://127.0.0.1:8080/base/"),
        (TENANT_VAR, other),
        (NAMESPACE_VAR, "Staging"),
        (READ_ONLY_VAR, "OFF"),
        (TIMEOUT_VAR, "5"),
    ])
    .unwrap();
    assert_eq!(config.server_url.as_str(), "http://127.0.0.1:8080/base");
    assert_eq!(config.server_url_source, Source::Variable(SERVER_URL_ALIAS));
    assert_eq!(config.tenant_id.to_string(), other);
    assert_eq!(config.policy.namespace.as_deref(), Some("staging_"));
    assert!(!config.policy.read_only);
    assert_eq!(config.policy.timeout, Duration::from_secs(5));
}

#[test]
fn empty_counts_as_unset() {
    let token = good_token();
    let config = load(&[
        (TOKEN_VAR, &token),
        (SERVER_URL_VAR, ""),
        (READ_ONLY_VAR, " "),
    ])
    .unwrap();
    assert_eq!(config.server_url_source, Source::Token);
    assert!(config.policy.read_only);
    assert_eq!(
        load(&[(TOKEN_VAR, "")]).unwrap_err(),
        ConfigError::MissingToken
    );
}

#[test]
fn every_error_names_its_variable_and_never_the_token() {
    let token = good_token();
    let no_claims = mint(&serde_json::json!({"iat": 1}));
    let bad_sub = mint(&serde_json::json!({"sub": "tenant-1", "server_url": "https://x.example"}));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], TOKEN_VAR),
        (vec![(TOKEN_VAR, "not-a-jwt")], TOKEN_VAR),
        (vec![(TOKEN_VAR, &no_claims)], SERVER_URL_VAR),
        (
            vec![
                (TOKEN_VAR, &no_claims),
                (SERVER_URL_VAR, "https://h.example"),
            ],
            TENANT_VAR,
        ),
        (vec![(TOKEN_VAR, &bad_sub)], "`sub` claim"),
        (
            vec![(TOKEN_VAR, &token), (SERVER_URL_VAR, "ftp://h.example")],
            SERVER_URL_VAR,
        ),
        (
            vec![
                (TOKEN_VAR, &token),
                (SERVER_URL_VAR, "a"),
                (SERVER_URL_ALIAS, "b"),
            ],
            SERVER_URL_ALIAS,
        ),
        (
            vec![(TOKEN_VAR, &token), (TENANT_VAR, "a"), (TENANT_ALIAS, "b")],
            TENANT_ALIAS,
        ),
        (
            vec![(TOKEN_VAR, &token), (READ_ONLY_VAR, "maybe")],
            "yes, no, on, off",
        ),
        (vec![(TOKEN_VAR, &token), (TIMEOUT_VAR, "0")], TIMEOUT_VAR),
        (
            vec![(TOKEN_VAR, &token), (MAX_RESULT_VAR, "100")],
            "HATCHET_MCP_MAX_RESULT_BYTES must be a whole number of bytes from 4000 to 500000",
        ),
    ];
    for (vars, expected) in cases {
        let message = load(&vars).unwrap_err().to_string();
        assert!(
            message.contains(expected),
            "{message:?} should mention {expected}"
        );
        assert!(!message.contains('\n'), "one line: {message:?}");
        assert!(!message.contains(&token) && !message.contains(&no_claims));
    }
}

#[test]
fn bearer_and_quotes_are_stripped_from_the_token_and_recorded() {
    let token = good_token();
    let cases = [
        (format!("Bearer {token}"), true, false),
        (format!("  bEaReR\t{token}\n"), true, false),
        (format!("\"{token}\""), false, true),
        (format!("'Bearer {token}'"), true, true),
        (format!("Bearer \"{token}\""), true, true),
        (token.clone(), false, false),
    ];
    for (given, bearer, quotes) in cases {
        let config = load(&[(TOKEN_VAR, &given)]).unwrap();
        assert_eq!(config.token.expose(), token, "from {given:?}");
        assert_eq!(config.token_cleanup, TokenCleanup { bearer, quotes });
        let noted = config
            .adjustments()
            .iter()
            .any(|n| n.starts_with(TOKEN_VAR));
        assert_eq!(noted, bearer || quotes, "{given:?}");
    }
    // A reference the client did not expand is named as such.
    let error = load(&[(TOKEN_VAR, "${HATCHET_CLIENT_TOKEN}")]).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "HATCHET_CLIENT_TOKEN is \"${HATCHET_CLIENT_TOKEN}\", a reference your MCP client did not expand"
        ),
        "{error}"
    );
    // `Bearer` glued to the rest is not an auth scheme: it is left alone.
    let glued = load(&[(TOKEN_VAR, &format!("Bearer{token}"))]).unwrap();
    assert_eq!(glued.token.expose(), format!("Bearer{token}"));
    assert_eq!(glued.token_cleanup, TokenCleanup::default());
    assert_eq!(
        load(&[(TOKEN_VAR, "'\"\"'")]).unwrap_err(),
        ConfigError::MissingToken
    );
}

#[test]
fn a_trailing_api_or_api_v1_is_removed_from_the_server_url_and_recorded() {
    let token = good_token();
    for (given, expected, removed) in [
        (
            "http://127.0.0.1:8080/api",
            "http://127.0.0.1:8080/",
            Some("/api"),
        ),
        (
            "http://127.0.0.1:8080/api/",
            "http://127.0.0.1:8080/",
            Some("/api"),
        ),
        (
            "http://127.0.0.1:8080/api/v1",
            "http://127.0.0.1:8080/",
            Some("/api/v1"),
        ),
        (
            "http://127.0.0.1:8080/API/V1/",
            "http://127.0.0.1:8080/",
            Some("/api/v1"),
        ),
        (
            "http://h.example/base/api/v1//",
            "http://h.example/base",
            Some("/api/v1"),
        ),
        ("http://h.example/v1", "http://h.example/v1", None),
        ("http://h.example/apis", "http://h.example/apis", None),
    ] {
        let config = load(&[(TOKEN_VAR, &token), (SERVER_URL_VAR, given)]).unwrap();
        assert_eq!(config.server_url.as_str(), expected, "from {given}");
        assert_eq!(config.server_url_suffix_removed, removed, "from {given}");
        let notes = config.adjustments();
        assert_eq!(notes.len(), usize::from(removed.is_some()), "{notes:?}");
        assert!(
            notes.iter().all(|n| n.starts_with(SERVER_URL_VAR)),
            "{notes:?}"
        );
    }
    let from_claim =
        mint(&serde_json::json!({"sub": TENANT, "server_url": "https://cloud.example/api/"}));
    let config = load(&[(TOKEN_VAR, &from_claim)]).unwrap();
    assert_eq!(config.server_url.as_str(), "https://cloud.example/");
    assert_eq!(
        config.adjustments(),
        [
            "the token's `server_url` claim ended in /api, which was removed: every request adds /api/v1 itself"
        ]
    );
}

#[test]
fn credentials_in_the_server_url_are_refused_and_never_echoed() {
    let token = good_token();
    for url in [
        "http://user:pa55word@127.0.0.1:8080",
        "https://pa55word@h.example/base",
        "http://:pa55word@h.example",
        "user:pa55word@h.example",
        "http://user:pa55word@h.example:99999",
    ] {
        let message = load(&[(TOKEN_VAR, &token), (SERVER_URL_ALIAS, url)])
            .unwrap_err()
            .to_string();
        assert!(message.contains(SERVER_URL_ALIAS), "{message}");
        assert!(!message.contains("pa55word"), "{message}");
    }
    let claim =
        mint(&serde_json::json!({"sub": TENANT, "server_url": "https://u:pa55word@cloud.example"}));
    let error = load(&[(TOKEN_VAR, &claim)]).unwrap_err();
    assert_eq!(
        error,
        ConfigError::UserInfoInUrl {
            origin: "the token's `server_url` claim".into()
        }
    );
    assert!(!error.to_string().contains("pa55word"));
}

#[test]
fn a_variable_that_is_set_but_not_utf8_is_refused_by_name() {
    use std::os::unix::ffi::OsStringExt;
    let token = good_token();
    for var in [
        SERVER_URL_VAR,
        TENANT_ALIAS,
        READ_ONLY_VAR,
        NAMESPACE_VAR,
        TOKEN_VAR,
    ] {
        let error = Config::from_os_lookup(|name| match name {
            name if name == var => Some(OsString::from_vec(b"http://h.example/\xff".to_vec())),
            TOKEN_VAR => Some(OsString::from(token.clone())),
            _ => None,
        })
        .unwrap_err();
        assert_eq!(error, ConfigError::NotUnicode(var));
        assert!(error.to_string().starts_with(var), "{error}");
    }
}

#[test]
fn values_that_look_like_a_token_are_never_echoed_and_others_are_cut() {
    let token = good_token();
    let other_jwt = mint(&serde_json::json!({"sub": "someone else"}));
    let signature = token.rsplit('.').next().unwrap();
    // A piece of the claims: what the redaction removes wherever it stands (the header,
    // `{"alg":"ES256","typ":"JWT"}` in every token, is public and left alone).
    let claims_at = token.find('.').unwrap() + 5;
    let piece = &token[claims_at..claims_at + 12];
    for (var, value) in [
        (TENANT_VAR, token.as_str()),
        (TENANT_VAR, other_jwt.as_str()),
        (TENANT_ALIAS, &format!("tenant={signature}")),
        (READ_ONLY_VAR, piece),
        (TIMEOUT_VAR, &format!("Bearer {token}")),
        (SERVER_URL_VAR, token.as_str()),
        (
            SERVER_URL_VAR,
            "AAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBB.CCCCCCCCCCCCCCCCCCCC",
        ),
    ] {
        let message = load(&[(TOKEN_VAR, &token), (var, value)])
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("(value not shown: it looks like a token)"),
            "{message}"
        );
        assert!(
            !message.contains(piece) && !message.contains(value),
            "{message}"
        );
    }
    let long = "x".repeat(500);
    let message = load(&[(TOKEN_VAR, &token), (TENANT_VAR, &long)])
        .unwrap_err()
        .to_string();
    assert!(message.contains(&format!(
        "\"{}…\"",
        "x".repeat(crate::redact::MAX_ECHO_CHARS)
    )));
    assert!(message.len() < 200, "{message}");
    // Ordinary values, host names with dots included, are still shown.
    let message = load(&[
        (TOKEN_VAR, &token),
        (SERVER_URL_VAR, "ftp://hatchet.internal.example.com"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("\"ftp://hatchet.internal.example.com\""),
        "{message}"
    );
}

#[test]
fn the_log_filter_defaults_keeps_audit_lines_and_refuses_what_it_cannot_use() {
    use std::os::unix::ffi::OsStringExt;
    assert!(DEFAULT_LOG_FILTER.contains("audit=info"));
    let default = log_filter(None).unwrap().to_string();
    assert_eq!(log_filter(Some(" ".into())).unwrap().to_string(), default);
    assert!(default.contains("audit=info"), "{default}");
    assert!(log_filter(Some("debug".into())).is_ok());
    assert!(matches!(
        log_filter(Some("hatchet_mcp=loudest".into())),
        Err(ConfigError::BadLogFilter(_))
    ));
    assert_eq!(
        log_filter(Some(OsString::from_vec(vec![b'd', 0xff]))).unwrap_err(),
        ConfigError::NotUnicode(LOG_VAR)
    );
}

#[test]
fn secret_never_prints_and_redacts_its_segments() {
    let token = good_token();
    let secret = Secret::new(token.clone());
    assert_eq!(
        format!("{secret} {secret:?}"),
        "[REDACTED] Secret([REDACTED])"
    );
    let signature = token.rsplit('.').next().unwrap();
    let echoed = format!("bad header: Bearer {token}; sig={signature}");
    let redacted = secret.redact(&echoed);
    assert!(
        !redacted.contains(signature) && !redacted.contains(&token),
        "{redacted}"
    );
    assert_eq!(secret.redact("nothing here"), "nothing here");
}

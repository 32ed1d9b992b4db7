//! Tokens shaped like Hatchet API tokens, for a fake Hatchet. Depends on nothing else in
//! `tests/support`, so the benchmark can use it too.

#![allow(dead_code)]

use serde_json::{Value, json};

pub const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";

pub const BASE64_URL_SAFE: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub const BASE64_STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64url(bytes: &[u8]) -> String {
    base64(bytes, BASE64_URL_SAFE)
}

/// Unpadded base64 of `bytes` in `alphabet`.
pub fn base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// An unsigned `header.claims.signature` token, shaped like a Hatchet API token.
pub fn mint_token(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        b64url(br#"{"alg":"ES256","kid":"test","typ":"JWT"}"#),
        b64url(claims.to_string().as_bytes()),
        "TESTSIGNATURE0123456789abcdefghijklmnopqrstuvwxyzSECRET"
    )
}

/// A token for [`TENANT`] whose `server_url` is `server_url`, expiring in 2100.
pub fn token_for(server_url: &str) -> String {
    mint_token(&json!({
        "sub": TENANT,
        "server_url": server_url,
        "grpc_broadcast_address": "127.0.0.1:7077",
        "iss": server_url,
        "aud": server_url,
        "iat": 1704067200,
        "exp": 4102444800u64,
        "token_id": "11111111-2222-3333-4444-555555555555"
    }))
}

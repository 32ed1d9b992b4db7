//! The confirm token of a bulk preview: `<expires>.<count>.<tags>`.
//!
//! It proves that a preview of this tenant, action, filter and exact set of ids was shown,
//! and, when it does not match, says what differs. The tags are HMAC-SHA256 keyed by a
//! secret derived from the API token: a server started afresh (some clients spawn one per
//! call) accepts the token of an earlier one, and nobody who only sees previews can make
//! one. The expiry and the previewed count are in clear, to be reported, and covered by
//! every tag.
//!
//! Three tags, each over one more field, say whether the action, the filter or the ids
//! differ; a fourth, over the clear fields and those three, shows the token is intact, so
//! a mismatch further on means the call differs, not the token. Only the ids' tag
//! authorises and is full strength; the others just pick the reason, so they are short.

use jiff::{SignedDuration, Timestamp};
use ring::hmac;
use uuid::Uuid;

/// How long a preview can be confirmed.
pub const LIFETIME: SignedDuration = SignedDuration::from_mins(15);

/// The bytes kept of the tags over the action, the filter and the ids, and of the tag
/// that shows the token intact.
const TAG_BYTES: [usize; 3] = [4, 4, 16];
const INTACT_BYTES: usize = 8;
const TOKEN_TAG_BYTES: usize = 4 + 4 + 16 + INTACT_BYTES;

/// What a token is issued for.
pub struct Subject<'a> {
    pub tenant: Uuid,
    /// `cancel` or `replay`.
    pub action: &'a str,
    /// The filter in canonical form (see `bulk::filter_as_given`).
    pub filter: &'a str,
    /// Sorted and without duplicates.
    pub ids: &'a [Uuid],
}

/// Why a token does not confirm this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Not shaped like a token, or altered, or issued for another tenant or API token.
    Malformed,
    Expired(Timestamp),
    OtherAction,
    OtherFilter,
    /// The same filter now matches other runs.
    OtherSet {
        previewed: usize,
        now: usize,
    },
}

impl Mismatch {
    /// What differs, for the `reason` of the fresh preview.
    pub fn reason(&self, action: &str) -> String {
        let what = match self {
            Mismatch::Malformed => "the confirm token is not one this server issued for this tenant: it is malformed or was altered".to_owned(),
            Mismatch::Expired(at) => format!(
                "the confirm token expired at {at} (a preview can be confirmed for {} minutes)",
                LIFETIME.as_mins()
            ),
            Mismatch::OtherAction => {
                format!("the confirm token was issued for another action, not {action}")
            }
            Mismatch::OtherFilter => "the confirm token was issued for a different filter; repeat the previewed since, until, statuses, workflow_ids and additional_metadata exactly".to_owned(),
            Mismatch::OtherSet { previewed, now } if previewed == now => format!(
                "the same filter now matches a different set of {now} runs than the one previewed"
            ),
            Mismatch::OtherSet { previewed, now } => format!(
                "the same filter now matches {now} runs, not the {previewed} previewed"
            ),
        };
        format!("Nothing was done: {what}. Review this fresh preview and confirm it.")
    }
}

/// A token for `subject`, valid until [`LIFETIME`] after `now`.
pub fn issue(key: &hmac::Key, subject: &Subject, now: Timestamp) -> String {
    let expires = (now + LIFETIME).as_second();
    let count = subject.ids.len();
    let mut tags: Vec<u8> = subject_tags(key, subject, expires, count)
        .iter()
        .zip(TAG_BYTES)
        .flat_map(|(tag, len)| tag.as_ref()[..len].to_vec())
        .collect();
    let intact = intact_tag(key, subject.tenant, expires, count, &tags);
    tags.extend_from_slice(&intact);
    format!("{expires}.{count}.{}", crate::text::hex(&tags))
}

/// Whether `token` confirms `subject` at `now`, and if not, the first thing that differs.
pub fn check(
    key: &hmac::Key,
    token: &str,
    subject: &Subject,
    now: Timestamp,
) -> Result<(), Mismatch> {
    let (expires, previewed, given) = parse(token).ok_or(Mismatch::Malformed)?;
    let (given_tags, given_intact) = given.split_at(TOKEN_TAG_BYTES - INTACT_BYTES);
    let intact = intact_tag(key, subject.tenant, expires, previewed, given_tags);
    if !same_bytes(&intact, given_intact) {
        return Err(Mismatch::Malformed);
    }
    // The expiry is now known to be the issued one.
    let expires = Timestamp::from_second(expires).map_err(|_| Mismatch::Malformed)?;
    if expires < now {
        return Err(Mismatch::Expired(expires));
    }
    let expected = subject_tags(key, subject, expires.as_second(), previewed);
    let mut given_tags = given_tags;
    let mut differs = [false; 3];
    for ((tag, len), differ) in expected.iter().zip(TAG_BYTES).zip(&mut differs) {
        let (head, rest) = given_tags.split_at(len);
        *differ = !same_bytes(&tag.as_ref()[..len], head);
        given_tags = rest;
    }
    match differs {
        [true, ..] => Err(Mismatch::OtherAction),
        [_, true, _] => Err(Mismatch::OtherFilter),
        [_, _, true] => Err(Mismatch::OtherSet {
            previewed,
            now: subject.ids.len(),
        }),
        _ => Ok(()),
    }
}

/// The tags over the action, the filter and the ids, each also over the fields before it.
/// Every field is length-prefixed, so no two subjects share a message.
fn subject_tags(key: &hmac::Key, subject: &Subject, expires: i64, count: usize) -> [hmac::Tag; 3] {
    let mut context = hmac::Context::with_key(key);
    let mut field = |bytes: &[u8]| {
        context.update(&(bytes.len() as u64).to_be_bytes());
        context.update(bytes);
        context.clone().sign()
    };
    field(subject.tenant.as_bytes());
    field(&expires.to_be_bytes());
    field(&(count as u64).to_be_bytes());
    let action = field(subject.action.as_bytes());
    let filter = field(subject.filter.as_bytes());
    let ids: Vec<u8> = subject.ids.iter().flat_map(|id| *id.as_bytes()).collect();
    [action, filter, field(&ids)]
}

/// The tag over the clear fields and the (kept bytes of the) subject tags. Its message
/// starts with a label of another length than a tenant id, so it is never a subject tag.
fn intact_tag(
    key: &hmac::Key,
    tenant: Uuid,
    expires: i64,
    count: usize,
    tags: &[u8],
) -> [u8; INTACT_BYTES] {
    let mut context = hmac::Context::with_key(key);
    for field in [
        b"intact".as_slice(),
        tenant.as_bytes(),
        &expires.to_be_bytes(),
        &(count as u64).to_be_bytes(),
        tags,
    ] {
        context.update(&(field.len() as u64).to_be_bytes());
        context.update(field);
    }
    let mut kept = [0; INTACT_BYTES];
    kept.copy_from_slice(&context.sign().as_ref()[..INTACT_BYTES]);
    kept
}

/// `(expires, count, tag bytes)`, or `None` if the token is not shaped like one.
fn parse(token: &str) -> Option<(i64, usize, Vec<u8>)> {
    let mut parts = token.trim().split('.');
    let (expires, count, tags) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !all_digits(expires) || !all_digits(count) {
        return None;
    }
    let bytes = crate::text::from_hex(tags, TOKEN_TAG_BYTES)?;
    Some((expires.parse().ok()?, count.parse().ok()?, bytes))
}

/// Compares without stopping at the first difference, so timing says nothing of a tag.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
    }

    fn ids(count: u128) -> Vec<Uuid> {
        (1..=count).map(Uuid::from_u128).collect()
    }

    fn subject<'a>(action: &'a str, filter: &'a str, ids: &'a [Uuid]) -> Subject<'a> {
        Subject {
            tenant: Uuid::from_u128(7),
            action,
            filter,
            ids,
        }
    }

    const NOW: Timestamp = Timestamp::constant(1_767_225_600, 0);

    #[test]
    fn a_token_confirms_exactly_its_subject_until_it_expires() {
        let (three, four) = (ids(3), ids(4));
        let mut other_three = ids(3);
        other_three[2] = Uuid::from_u128(99);
        let issued = subject("cancel", "f", &three);
        let token = issue(&key("k"), &issued, NOW);
        assert!(token.starts_with(&format!("{}.3.", NOW.as_second() + 900)));
        let check_at = |subject: &Subject, now| check(&key("k"), &token, subject, now);

        assert_eq!(
            check_at(&issued, NOW + SignedDuration::from_mins(15)),
            Ok(())
        );
        assert_eq!(
            check_at(&issued, NOW + SignedDuration::from_mins(16)),
            Err(Mismatch::Expired(NOW + LIFETIME))
        );
        assert_eq!(
            check_at(&subject("replay", "f", &three), NOW),
            Err(Mismatch::OtherAction)
        );
        assert_eq!(
            check_at(&subject("cancel", "g", &three), NOW),
            Err(Mismatch::OtherFilter)
        );
        assert_eq!(
            check_at(&subject("cancel", "f", &four), NOW),
            Err(Mismatch::OtherSet {
                previewed: 3,
                now: 4
            })
        );
        assert_eq!(
            check_at(&subject("cancel", "f", &other_three), NOW),
            Err(Mismatch::OtherSet {
                previewed: 3,
                now: 3
            })
        );
        let other_tenant = Subject {
            tenant: Uuid::from_u128(8),
            ..subject("cancel", "f", &three)
        };
        assert_eq!(check_at(&other_tenant, NOW), Err(Mismatch::Malformed));
        assert_eq!(
            check(&key("other API token"), &token, &issued, NOW),
            Err(Mismatch::Malformed)
        );
    }

    #[test]
    fn an_altered_or_misshapen_token_is_malformed() {
        let three = ids(3);
        let issued = subject("cancel", "f", &three);
        let token = issue(&key("k"), &issued, NOW);
        let (expires, rest) = token.split_once('.').unwrap();
        let later = expires.parse::<i64>().unwrap() + 3600;
        let flipped_tag = {
            // A byte of the ids' tag, which the intact tag covers.
            let mut bytes = token.clone().into_bytes();
            let last = bytes.len() - 2 * INTACT_BYTES - 1;
            bytes[last] = if bytes[last] == b'0' { b'1' } else { b'0' };
            String::from_utf8(bytes).unwrap()
        };
        let extended = format!("{later}.{rest}");
        let recounted = token.replacen(".3.", ".4.", 1);
        for bad in [
            "",
            "0123456789abcdef",
            "1.2.3",
            "x.3.00",
            &format!("{token}.0"),
            &format!("{token}00"),
            &token.replace(|c: char| c.is_ascii_hexdigit() && c.is_alphabetic(), "g"),
            &extended,
            &recounted,
            &flipped_tag,
        ] {
            assert_eq!(
                check(&key("k"), bad, &issued, NOW),
                Err(Mismatch::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn reasons_name_what_differs() {
        let reason = |m: Mismatch| m.reason("cancel");
        assert!(reason(Mismatch::Expired(NOW)).contains("expired at 2026-01-01T00:00:00Z"));
        assert!(reason(Mismatch::OtherAction).contains("another action, not cancel"));
        assert!(reason(Mismatch::OtherFilter).contains("a different filter"));
        assert!(
            reason(Mismatch::OtherSet {
                previewed: 3,
                now: 4
            })
            .contains("now matches 4 runs, not the 3 previewed")
        );
        assert!(reason(Mismatch::Malformed).contains("malformed or was altered"));
    }
}

//! Who is calling and for which account: the key (from `Authorization`, or from the `key`
//! parameter where Stripe.js may call), the account the call acts for (`Stripe-Account`, or
//! `_stripe_account` from Stripe.js), and the API version.

use axum::http::{HeaderMap, header};
use base64::Engine as _;

use super::error::ApiError;
use super::form::{Node, Tree};
use crate::keys::{KeyKind, KeyStatus};
use crate::state::Store;

/// Which keys an endpoint takes (FIDELITY.md §Publishable keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Secret key only; a publishable key gets 403.
    Secret,
    /// Either key; the publishable one may come in the `key` parameter (Stripe.js).
    Publishable,
}

/// Fields Stripe.js adds to every call it makes (FIDELITY.md §Publishable keys); accepted and
/// dropped on the endpoints Stripe.js may call.
const STRIPE_JS_FIELDS: &[&str] = &[
    "key",
    "_stripe_account",
    "_stripe_version",
    "payment_user_agent",
    "guid",
    "muid",
    "sid",
    "time_on_page",
    "referrer",
    "pasted_fields",
    "client_attribution_metadata",
];

/// The default API version when a request names none: the one stripe-node pins (FIDELITY.md §API
/// versions).
const DEFAULT_VERSION: &str = "2026-07-29.dahlia";

/// A `Stripe-Version` such as `2024-04-10` or `2026-07-29.dahlia`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiVersion {
    raw: String,
    /// `yyyymmdd`, for comparisons.
    date: u32,
}

impl ApiVersion {
    pub fn parse(raw: &str) -> Option<Self> {
        let (date, release) = match raw.split_once('.') {
            Some((d, r)) => (d, Some(r)),
            None => (raw, None),
        };
        let parts: Vec<&str> = date.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return None;
        };
        let ok = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
            return None;
        }
        if release.is_some_and(|r| r.is_empty() || !r.bytes().all(|b| b.is_ascii_lowercase())) {
            return None;
        }
        let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return None;
        }
        Some(Self {
            raw: raw.to_owned(),
            date: y * 10_000 + m * 100 + d,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// From 2023-08-16, `automatic_payment_methods` is on when `payment_method_types` is not
    /// given (FIDELITY.md §API versions).
    pub fn automatic_payment_methods_by_default(&self) -> bool {
        self.date >= 20230816
    }

    /// From 2024-04-10, the default `capture_method` is `automatic_async` (FIDELITY.md §API
    /// versions).
    pub fn async_capture_by_default(&self) -> bool {
        self.date >= 20240410
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        Self {
            raw: DEFAULT_VERSION.to_owned(),
            date: 20260729,
        }
    }
}

/// The authenticated caller of one request.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub kind: KeyKind,
    /// A restricted key's permissions (empty for other keys).
    pub permissions: std::collections::BTreeMap<String, crate::keys::Level>,
    /// The key as presented; only ever shown masked.
    pub key: String,
    /// The account the call acts for: the platform's id or a connected account's.
    pub account: String,
    /// Whether that is a connected account (a `Stripe-Account` was given).
    pub connected: bool,
    pub version: ApiVersion,
}

impl Caller {
    pub fn is_publishable(&self) -> bool {
        self.kind == KeyKind::Publishable
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The key in `Authorization`, if any. `Bearer <key>` and `Basic base64(<key>:)` are read;
/// anything else is taken as a (wrong) key so the 401 says "Invalid API Key".
fn key_from_header(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?;
    let value = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    let (scheme, rest) = value.split_once(' ').unwrap_or((value.as_str(), ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return (!rest.is_empty()).then(|| rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        return match decoded {
            Some(pair) => {
                let user = pair.split_once(':').map_or(pair.as_str(), |(u, _)| u);
                (!user.is_empty()).then(|| user.to_owned())
            }
            None => Some(rest.to_owned()),
        };
    }
    (!value.is_empty()).then_some(value)
}

fn take_leaf(tree: &mut Tree, name: &str) -> Option<String> {
    match tree.get(name) {
        Some(Node::Leaf(v)) if !v.is_empty() => {
            let v = v.clone();
            tree.remove(name);
            Some(v)
        }
        _ => None,
    }
}

/// Authenticates the request and resolves the account it acts for. On endpoints Stripe.js may
/// call, the Stripe.js fields are taken out of `tree` here, so the schema never sees them.
pub(crate) fn authenticate(
    store: &Store,
    headers: &HeaderMap,
    tree: &mut Tree,
    access: Access,
    now: i64,
) -> Result<Caller, ApiError> {
    let mut from_body = None;
    let mut account_param = None;
    let mut version_param = None;
    if access == Access::Publishable {
        from_body = take_leaf(tree, "key");
        account_param = take_leaf(tree, "_stripe_account");
        version_param = take_leaf(tree, "_stripe_version");
        for field in STRIPE_JS_FIELDS {
            tree.remove(*field);
        }
    }
    let key = key_from_header(headers)
        .or(from_body)
        .ok_or_else(ApiError::no_api_key)?;
    let kind = match store.keys.status(&key, now) {
        KeyStatus::Active(kind) => kind,
        KeyStatus::Expired => return Err(ApiError::expired_api_key(&key)),
        KeyStatus::Unknown => return Err(ApiError::invalid_api_key(&key)),
    };
    if kind == KeyKind::Publishable && access == Access::Secret {
        return Err(ApiError::secret_key_required());
    }

    let version = match header_str(headers, "stripe-version")
        .map(str::to_owned)
        .or(version_param)
    {
        None => ApiVersion::default(),
        Some(raw) => ApiVersion::parse(&raw).ok_or_else(|| {
            ApiError::invalid_request(format!(
                "Invalid Stripe API version: {}",
                super::error::shorten(&raw)
            ))
        })?,
    };

    let requested = header_str(headers, "stripe-account")
        .map(str::to_owned)
        .or(account_param);
    let (account, connected) = match requested {
        None => (store.platform_id.clone(), false),
        Some(id) if id == store.platform_id => (id, false),
        Some(id) if store.is_connected_account(&id) => (id, true),
        Some(id) => return Err(ApiError::account_invalid(&key, &id)),
    };
    let permissions = store
        .keys
        .get(&key)
        .map(|k| k.permissions.clone())
        .unwrap_or_default();
    Ok(Caller {
        kind,
        permissions,
        key,
        account,
        connected,
        version,
    })
}

/// A restricted key needs the permission of the resource it calls: 403 naming the missing
/// `rak_…` permission otherwise (the observed wording, see the README).
pub(crate) fn check_permission(caller: &Caller, method: &str, path: &str) -> Result<(), ApiError> {
    if caller.kind != KeyKind::Restricted {
        return Ok(());
    }
    let Some((resource, level)) = crate::keys::needed(method, path) else {
        return Ok(());
    };
    let granted = caller
        .permissions
        .get(resource)
        .copied()
        .unwrap_or(crate::keys::Level::None);
    if granted >= level {
        return Ok(());
    }
    Err(ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        super::error::ErrorType::InvalidRequestError,
        format!(
            "The provided key '{}' does not have the required permissions for this endpoint on \
             account '{}'. Having the '{}' permission would allow this request to continue.",
            crate::keys::mask(&caller.key, 4),
            caller.account,
            crate::keys::permission_name(resource, level),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_with_or_without_release_name() {
        let v = ApiVersion::parse("2024-04-10").unwrap_or_default();
        assert!(v.async_capture_by_default());
        let old = ApiVersion::parse("2022-11-15");
        assert!(old.is_some_and(|v| !v.automatic_payment_methods_by_default()));
        assert!(ApiVersion::parse("2026-07-29.dahlia").is_some());
        for bad in [
            "",
            "latest",
            "2024-13-01",
            "2024-04-10.",
            "2024-4-10",
            "2024-04-10.X",
        ] {
            assert!(ApiVersion::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn basic_auth_takes_the_user_name_as_key() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("sk_test_x:");
        headers.insert(
            header::AUTHORIZATION,
            format!("Basic {encoded}")
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(key_from_header(&headers).as_deref(), Some("sk_test_x"));
    }
}

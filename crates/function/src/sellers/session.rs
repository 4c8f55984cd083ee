//! Seller authorisation: which connected account a request may act on.
//!
//! The built-in [`SignedSessions`] binds a browser to the account it created with a signed,
//! expiring, HttpOnly cookie, so the function stays stateless (no session store). A platform
//! with its own login implements [`SellerAuth`] instead (see the README, "Seller sign-in").

use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use connect_checkout_core::AccountId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The cookie's name.
pub const COOKIE_NAME: &str = "cc_seller";

/// Why a request is not from an authorised seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    #[error("no seller session")]
    Missing,
    #[error("the seller session has expired")]
    Expired,
    #[error("the seller session is not valid")]
    Invalid,
}

/// How the function learns which seller is asking. Implement it to plug in the platform's
/// own login; the function calls `authenticate` on every seller endpoint and `bind` once, when
/// a new connected account has been created for the requester.
pub trait SellerAuth: Send + Sync + 'static {
    /// The one account this request may act on.
    fn authenticate(&self, headers: &HeaderMap, now: i64) -> Result<AccountId, AuthError>;

    /// Response headers that bind `account` to the requester (e.g. a `Set-Cookie`). A platform
    /// that stores the link in its own database does so here and returns nothing.
    fn bind(&self, account: &AccountId, now: i64, secure: bool) -> HeaderMap;

    /// Response headers that end the session.
    fn unbind(&self, secure: bool) -> HeaderMap;
}

/// Signed session tokens: `v1.<account>.<expires>.<hmac>`; no server-side state.
#[derive(Clone)]
pub struct SignedSessions {
    key: Vec<u8>,
    ttl_secs: i64,
}

impl SignedSessions {
    pub fn new(key: &[u8], ttl_secs: i64) -> Self {
        Self {
            key: key.to_vec(),
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    fn mac(&self, payload: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).ok()?;
        mac.update(payload.as_bytes());
        Some(mac)
    }

    /// A token for `account`, valid until `now + ttl`.
    pub fn issue(&self, account: &AccountId, now: i64) -> String {
        let payload = format!("v1.{account}.{}", now + self.ttl_secs);
        let signature = self
            .mac(&payload)
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{payload}.{signature}")
    }

    /// The account `token` was issued for, if it is genuine and current.
    pub fn verify(&self, token: &str, now: i64) -> Result<AccountId, AuthError> {
        let (payload, signature) = token.rsplit_once('.').ok_or(AuthError::Invalid)?;
        let signature = hex::decode(signature).map_err(|_| AuthError::Invalid)?;
        let mac = self.mac(payload).ok_or(AuthError::Invalid)?;
        // Constant-time comparison, before anything in the payload is trusted.
        mac.verify_slice(&signature)
            .map_err(|_| AuthError::Invalid)?;
        let mut parts = payload.split('.');
        let (Some("v1"), Some(account), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Invalid);
        };
        let expires: i64 = expires.parse().map_err(|_| AuthError::Invalid)?;
        if now >= expires {
            return Err(AuthError::Expired);
        }
        AccountId::new(account).map_err(|_| AuthError::Invalid)
    }

    fn cookie(&self, value: &str, max_age: i64, secure: bool) -> HeaderMap {
        // Path=/api/sellers: the cookie goes only where it is needed. SameSite=Strict and JSON
        // bodies (which need a CORS preflight) keep other sites from using it.
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!(
            "{COOKIE_NAME}={value}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
        );
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(SET_COOKIE, value);
        }
        headers
    }
}

/// The session token in the request: the cookie, or `Authorization: Bearer` for API clients.
fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    bearer.or_else(|| {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, value)| value)
    })
}

impl SellerAuth for SignedSessions {
    fn authenticate(&self, headers: &HeaderMap, now: i64) -> Result<AccountId, AuthError> {
        self.verify(token(headers).ok_or(AuthError::Missing)?, now)
    }

    fn bind(&self, account: &AccountId, now: i64, secure: bool) -> HeaderMap {
        self.cookie(&self.issue(account, now), self.ttl_secs, secure)
    }

    fn unbind(&self, secure: bool) -> HeaderMap {
        self.cookie("", 0, secure)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_790_000_000;

    fn sessions() -> SignedSessions {
        SignedSessions::new(b"0123456789abcdef0123456789abcdef", 3600)
    }

    fn account(id: &str) -> AccountId {
        AccountId::new(id).unwrap()
    }

    fn cookie_headers(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("theme=dark; {COOKIE_NAME}={token}")).unwrap(),
        );
        headers
    }

    #[test]
    fn a_session_opens_its_own_account_until_it_expires() {
        let token = sessions().issue(&account("acct_1A"), NOW);
        let headers = cookie_headers(&token);
        assert_eq!(
            sessions().authenticate(&headers, NOW + 10),
            Ok(account("acct_1A"))
        );
        assert_eq!(
            sessions().authenticate(&headers, NOW + 3600),
            Err(AuthError::Expired)
        );
    }

    #[test]
    fn editing_the_account_in_a_token_breaks_it() {
        let token = sessions().issue(&account("acct_1A"), NOW);
        let forged = token.replace("acct_1A", "acct_1B");
        assert_eq!(sessions().verify(&forged, NOW), Err(AuthError::Invalid));
        let extended = token.replace(&(NOW + 3600).to_string(), &(NOW + 999_999).to_string());
        assert_eq!(sessions().verify(&extended, NOW), Err(AuthError::Invalid));
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let other = SignedSessions::new(b"another key, another deployment!", 3600);
        let token = other.issue(&account("acct_1A"), NOW);
        assert_eq!(sessions().verify(&token, NOW), Err(AuthError::Invalid));
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_on_https() {
        let headers = sessions().bind(&account("acct_1A"), NOW, true);
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Max-Age=3600",
            "Path=/api",
        ] {
            assert!(cookie.contains(part), "{cookie} lacks {part}");
        }
        let cleared = sessions().unbind(false);
        assert!(
            cleared
                .get(SET_COOKIE)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }

    #[test]
    fn no_cookie_means_no_session() {
        assert_eq!(
            sessions().authenticate(&HeaderMap::new(), NOW),
            Err(AuthError::Missing)
        );
    }

    proptest! {
        #[test]
        fn no_garbage_token_is_accepted(token in ".{0,120}") {
            prop_assert!(sessions().verify(&token, NOW).is_err());
        }
    }
}

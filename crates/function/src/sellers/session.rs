//! Seller authorisation: which connected account a request may act on.
//!
//! The built-in [`SignedSessions`] binds a browser to an account with a signed, expiring,
//! HttpOnly cookie, so the function stays stateless (no session store). [`super::oidc`]
//! signs sellers in with the platform's identity provider; a platform with another login
//! implements [`SellerAuth`] itself (see the README, "Seller sign-in").
use std::fmt;

use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use connect_checkout_core::AccountId;
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The session cookie's name wherever the function is reached over HTTPS. `__Host-` makes
/// the browser refuse it unless it is `Secure`, `Path=/` and without `Domain`, so a sibling
/// subdomain (or a network attacker on plain http) cannot plant one that shadows ours.
pub const COOKIE_NAME: &str = "__Host-cc_seller";
/// The cookie's name where the function is served over plain http ([`SessionCookie::PlainHttp`]).
pub const PLAIN_HTTP_COOKIE_NAME: &str = "cc_seller";

/// The shape of the session cookie, fixed at start-up so a request cannot choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionCookie {
    /// `__Host-cc_seller; Path=/; Secure; HttpOnly; SameSite=Strict`: live mode, Lambda, and
    /// any deployment whose `PUBLIC_URL` is https.
    HostOnly,
    /// `cc_seller; Path=/api; HttpOnly; SameSite=Strict`, `Secure` when the request came over
    /// HTTPS: sandbox and test mode without an https `PUBLIC_URL`, i.e. `cargo xtask dev` and
    /// the end-to-end tests on `http://127.0.0.1`. A browser keeps a `__Host-` cookie only if
    /// it is `Secure`, and whether it keeps a `Secure` cookie (and its prefix) from a plain
    /// http loopback address differs between browsers and their versions; no real money moves
    /// in these modes.
    PlainHttp,
}
impl SessionCookie {
    pub fn name(self) -> &'static str {
        match self {
            Self::HostOnly => COOKIE_NAME,
            Self::PlainHttp => PLAIN_HTTP_COOKIE_NAME,
        }
    }
}

/// A key that signs seller sessions. Its `Debug` shows no byte of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(Vec<u8>);

impl SessionSecret {
    /// The shortest secret accepted: 32 characters, as `openssl rand -hex 16` writes.
    pub const MIN_LEN: usize = 32;

    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// 32 random bytes, for a process that was given no secret (sandbox and test mode).
    pub fn random() -> Self {
        Self(rand::random::<[u8; 32]>().to_vec())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(hidden)")
    }
}

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
    /// Two session cookies can only be a planted one next to ours (a `__Host-` cookie is unique
    /// per host): neither is trusted.
    #[error("the request carries more than one seller session cookie")]
    DuplicateCookie,
    /// A valid sign-in that names no seller account (it may create one).
    #[error("the sign-in names no seller account")]
    NoAccount,
    /// A sign-in that already names its account tried to create another.
    #[error("the sign-in already has a seller account")]
    AlreadyHasAccount,
    /// This deployment does not let anyone create seller accounts through the function.
    #[error("seller sign-up is closed")]
    SignUpClosed,
    /// The identity provider's keys could not be fetched.
    #[error("the identity provider's keys are unavailable")]
    ProviderUnavailable,
}

/// Who is creating a seller account, as [`SellerAuth::sign_up`] vouches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignUp {
    /// Anyone (sandbox mode, or test mode without a platform sign-in): the request's attempt
    /// id keeps a retry from creating a second account.
    Open,
    /// The platform's user: at most one account, bound to them.
    Subject {
        /// The token's `sub`, recorded on the account (`metadata[seller_subject]`).
        subject: String,
        /// A digest of issuer and subject that names the creation (its Idempotency-Key).
        key: String,
    },
}

/// How the function learns which seller is asking. Implement it to plug in the platform's
/// own login; the function calls `authenticate` on every seller endpoint, `sign_up` before it
/// creates a connected account, and `bind` once that account exists.
pub trait SellerAuth: Send + Sync + 'static {
    /// The one account this request may act on.
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
        now: i64,
    ) -> BoxFuture<'a, Result<AccountId, AuthError>>;

    /// Whether this request may create a seller account, and for whom. Closed unless an
    /// implementation opens it: creating accounts is the platform's decision.
    fn sign_up<'a>(
        &'a self,
        _headers: &'a HeaderMap,
        _now: i64,
    ) -> BoxFuture<'a, Result<SignUp, AuthError>> {
        Box::pin(async { Err(AuthError::SignUpClosed) })
    }

    /// Response headers that bind `account` to the requester (e.g. a `Set-Cookie`). A platform
    /// that stores the link in its own database does so here and returns nothing.
    fn bind(&self, account: &AccountId, now: i64, secure: bool) -> HeaderMap;

    /// Response headers that end the session.
    fn unbind(&self, secure: bool) -> HeaderMap;
}

/// `SELLER_AUTH=platform` before the platform's own `SellerAuth` is passed in: nothing opens.
pub struct RefuseAll;

impl SellerAuth for RefuseAll {
    fn authenticate<'a>(
        &'a self,
        _headers: &'a HeaderMap,
        _now: i64,
    ) -> BoxFuture<'a, Result<AccountId, AuthError>> {
        Box::pin(async { Err(AuthError::Missing) })
    }

    fn bind(&self, _account: &AccountId, _now: i64, _secure: bool) -> HeaderMap {
        HeaderMap::new()
    }

    fn unbind(&self, _secure: bool) -> HeaderMap {
        HeaderMap::new()
    }
}

/// Signed session tokens: `v1.<account>.<expires>.<hmac>`; no server-side state.
#[derive(Clone, Debug)]
pub struct SignedSessions {
    /// Newest first: it signs, and every one verifies, so a rotation ends the sessions signed
    /// by a dropped key without ending those of the key before it.
    secrets: Vec<SessionSecret>,
    ttl_secs: i64,
    cookie: SessionCookie,
    open_sign_up: bool,
}

impl SignedSessions {
    /// Sessions signed with `secrets[0]` and verified with any of them; a random key when the
    /// list is empty. Sign-up stays closed until [`Self::with_open_sign_up`].
    pub fn new(secrets: &[SessionSecret], ttl_secs: i64, cookie: SessionCookie) -> Self {
        let secrets = if secrets.is_empty() {
            vec![SessionSecret::random()]
        } else {
            secrets.to_vec()
        };
        Self {
            secrets,
            ttl_secs,
            cookie,
            open_sign_up: false,
        }
    }

    /// Lets anyone create a seller account (sandbox mode and test mode only).
    pub fn with_open_sign_up(mut self) -> Self {
        self.open_sign_up = true;
        self
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn cookie(&self) -> SessionCookie {
        self.cookie
    }

    fn mac(secret: &SessionSecret, payload: &str) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret.0).ok()?;
        mac.update(payload.as_bytes());
        Some(mac)
    }

    /// A token for `account`, valid until `now + ttl`, signed with the newest secret.
    pub fn issue(&self, account: &AccountId, now: i64) -> String {
        let payload = format!("v1.{account}.{}", now + self.ttl_secs);
        let signature = self
            .secrets
            .first()
            .and_then(|secret| Self::mac(secret, &payload))
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{payload}.{signature}")
    }

    /// The account `token` was issued for, if one of the secrets signed it and it is current.
    pub fn verify(&self, token: &str, now: i64) -> Result<AccountId, AuthError> {
        let (payload, signature) = token.rsplit_once('.').ok_or(AuthError::Invalid)?;
        let signature = hex::decode(signature).map_err(|_| AuthError::Invalid)?;
        // Constant-time comparisons, before anything in the payload is trusted.
        let genuine = self.secrets.iter().any(|secret| {
            Self::mac(secret, payload).is_some_and(|mac| mac.verify_slice(&signature).is_ok())
        });
        if !genuine {
            return Err(AuthError::Invalid);
        }
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

    /// The account of the request's session cookie (never its `Authorization` header).
    pub fn authenticate_cookie(
        &self,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<AccountId, AuthError> {
        let token = session_cookie(headers, self.cookie.name())?.ok_or(AuthError::Missing)?;
        self.verify(token, now)
    }

    fn set_cookie(&self, value: &str, max_age: i64, secure: bool) -> HeaderMap {
        // SameSite=Strict and JSON bodies (which need a CORS preflight) keep other sites from
        // using the cookie; HttpOnly keeps it from scripts.
        let cookie = match self.cookie {
            SessionCookie::HostOnly => format!(
                "{COOKIE_NAME}={value}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={max_age}"
            ),
            SessionCookie::PlainHttp => {
                let secure = if secure { "; Secure" } else { "" };
                format!(
                    "{PLAIN_HTTP_COOKIE_NAME}={value}; Path=/api; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
                )
            }
        };
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(SET_COOKIE, value);
        }
        headers
    }
}

/// The request's `Authorization: Bearer` token, for API clients.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

/// The one cookie called `name` across every `Cookie` header; two are refused.
fn session_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, AuthError> {
    let mut found = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value);
    let first = found.next();
    if found.next().is_some() {
        return Err(AuthError::DuplicateCookie);
    }
    Ok(first)
}

impl SellerAuth for SignedSessions {
    fn authenticate<'a>(
        &'a self,
        headers: &'a HeaderMap,
        now: i64,
    ) -> BoxFuture<'a, Result<AccountId, AuthError>> {
        let result = match bearer(headers) {
            Some(token) => self.verify(token, now),
            None => self.authenticate_cookie(headers, now),
        };
        Box::pin(async move { result })
    }

    fn sign_up<'a>(
        &'a self,
        _headers: &'a HeaderMap,
        _now: i64,
    ) -> BoxFuture<'a, Result<SignUp, AuthError>> {
        let result = if self.open_sign_up {
            Ok(SignUp::Open)
        } else {
            Err(AuthError::SignUpClosed)
        };
        Box::pin(async move { result })
    }

    fn bind(&self, account: &AccountId, now: i64, secure: bool) -> HeaderMap {
        self.set_cookie(&self.issue(account, now), self.ttl_secs, secure)
    }

    fn unbind(&self, secure: bool) -> HeaderMap {
        self.set_cookie("", 0, secure)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_790_000_000;
    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const OLD_KEY: &[u8] = b"the key before the last rotation";

    fn sessions() -> SignedSessions {
        SignedSessions::new(&[SessionSecret::new(KEY)], 3600, SessionCookie::HostOnly)
    }

    fn account(id: &str) -> AccountId {
        AccountId::new(id).unwrap()
    }

    fn cookie_headers(cookies: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_str(cookies).unwrap());
        headers
    }

    fn authenticate(
        auth: &SignedSessions,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<AccountId, AuthError> {
        futures_util::FutureExt::now_or_never(auth.authenticate(headers, now)).unwrap()
    }

    #[test]
    fn a_session_opens_its_own_account_until_it_expires() {
        let token = sessions().issue(&account("acct_1A"), NOW);
        let headers = cookie_headers(&format!("theme=dark; {COOKIE_NAME}={token}"));
        assert_eq!(
            authenticate(&sessions(), &headers, NOW + 10),
            Ok(account("acct_1A"))
        );
        assert_eq!(
            authenticate(&sessions(), &headers, NOW + 3600),
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
        let other = SignedSessions::new(
            &[SessionSecret::new(*b"another key, another deployment!")],
            3600,
            SessionCookie::HostOnly,
        );
        let token = other.issue(&account("acct_1A"), NOW);
        assert_eq!(sessions().verify(&token, NOW), Err(AuthError::Invalid));
    }

    #[test]
    fn a_rotation_signs_with_the_newest_secret_and_still_reads_the_previous_one() {
        let before = SignedSessions::new(
            &[SessionSecret::new(OLD_KEY)],
            3600,
            SessionCookie::HostOnly,
        );
        let old_session = before.issue(&account("acct_1A"), NOW);
        let rotated = SignedSessions::new(
            &[SessionSecret::new(KEY), SessionSecret::new(OLD_KEY)],
            3600,
            SessionCookie::HostOnly,
        );
        assert_eq!(rotated.verify(&old_session, NOW), Ok(account("acct_1A")));
        let new_session = rotated.issue(&account("acct_1A"), NOW);
        assert_eq!(sessions().verify(&new_session, NOW), Ok(account("acct_1A")));
        // Dropping the old secret ends every session it signed (a stolen one too).
        assert_eq!(
            sessions().verify(&old_session, NOW),
            Err(AuthError::Invalid)
        );
    }

    #[test]
    fn the_cookie_is_host_prefixed_secure_http_only_and_strict() {
        let headers = sessions().bind(&account("acct_1A"), NOW, false);
        let cookie = headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(
            cookie.starts_with("__Host-cc_seller=v1.acct_1A."),
            "{cookie}"
        );
        let attributes: Vec<&str> = cookie.split("; ").skip(1).collect();
        for part in [
            "Path=/",
            "Secure",
            "HttpOnly",
            "SameSite=Strict",
            "Max-Age=3600",
        ] {
            assert!(attributes.contains(&part), "{cookie} lacks {part}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
        let cleared = sessions().unbind(false);
        let cleared = cleared.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cleared.starts_with("__Host-cc_seller=;") && cleared.contains("Max-Age=0"));
    }

    #[test]
    fn the_plain_http_cookie_is_secure_only_on_https() {
        let demo = SignedSessions::new(&[SessionSecret::new(KEY)], 3600, SessionCookie::PlainHttp);
        let over_http = demo.bind(&account("acct_1A"), NOW, false);
        let over_http = over_http.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(over_http.starts_with("cc_seller=") && !over_http.contains("Secure"));
        let over_https = demo.bind(&account("acct_1A"), NOW, true);
        assert!(
            over_https
                .get(SET_COOKIE)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("; Secure")
        );
        // Each reads only its own name: a `cc_seller` cookie means nothing to a deployment.
        let token = demo.issue(&account("acct_1A"), NOW);
        let planted = cookie_headers(&format!("{PLAIN_HTTP_COOKIE_NAME}={token}"));
        assert_eq!(
            authenticate(&sessions(), &planted, NOW),
            Err(AuthError::Missing)
        );
    }

    #[test]
    fn two_session_cookies_are_refused_even_when_one_is_genuine() {
        let genuine = sessions().issue(&account("acct_1A"), NOW);
        let planted = sessions().issue(&account("acct_1B"), NOW);
        for cookies in [
            format!("{COOKIE_NAME}={genuine}; {COOKIE_NAME}={planted}"),
            format!("{COOKIE_NAME}={genuine}; {COOKIE_NAME}={genuine}"),
        ] {
            assert_eq!(
                authenticate(&sessions(), &cookie_headers(&cookies), NOW),
                Err(AuthError::DuplicateCookie)
            );
        }
        let mut split = cookie_headers(&format!("{COOKIE_NAME}={genuine}"));
        split.append(
            COOKIE,
            HeaderValue::from_str(&format!("{COOKIE_NAME}={planted}")).unwrap(),
        );
        assert_eq!(
            authenticate(&sessions(), &split, NOW),
            Err(AuthError::DuplicateCookie)
        );
    }

    #[test]
    fn no_cookie_means_no_session() {
        assert_eq!(
            authenticate(&sessions(), &HeaderMap::new(), NOW),
            Err(AuthError::Missing)
        );
    }

    #[test]
    fn sign_up_is_closed_unless_opened() {
        let closed =
            futures_util::FutureExt::now_or_never(sessions().sign_up(&HeaderMap::new(), NOW));
        assert_eq!(closed, Some(Err(AuthError::SignUpClosed)));
        let open = sessions().with_open_sign_up();
        let open = futures_util::FutureExt::now_or_never(open.sign_up(&HeaderMap::new(), NOW));
        assert_eq!(open, Some(Ok(SignUp::Open)));
    }

    #[test]
    fn debug_shows_no_secret() {
        let printed = format!("{:?}", sessions());
        assert!(printed.contains("SessionSecret(hidden)"), "{printed}");
        assert!(!printed.contains("0123456789abcdef"), "{printed}");
        assert!(!printed.contains("48, 49, 50"), "{printed}");
    }

    proptest! {
        #[test]
        fn no_garbage_token_is_accepted(token in ".{0,120}") {
            prop_assert!(sessions().verify(&token, NOW).is_err());
        }
    }
}

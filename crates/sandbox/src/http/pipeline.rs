//! The path every `/v1` call takes, in Stripe's order: read the body, authenticate, resolve
//! the account, consult the idempotency record, check the parameters against the endpoint's
//! schema, then run the endpoint against the store and store its result for replays.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use super::auth::{Access, Caller, authenticate};
use super::error::ApiError;
use super::form::{self, Tree};
use super::idempotency::{Begin, InFlight, MAX_KEY_LEN, Stored, is_saved, lock};
use super::params::{Field, Params, validate};
use super::{PathId, RequestId};
use crate::events::Origin;
use crate::faults::{Decision, FaultKind, error_of};
use crate::server::ConnectionControl;
use crate::state::{SandboxState, Store};

/// The largest body the sandbox reads. Stripe's own limit is not published; 1 MiB is far
/// above any form an SDK sends.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A `/v1` request, read but not yet interpreted.
pub(crate) struct ApiRequest {
    method: Method,
    path: String,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    request_id: String,
    /// Lets a `drop_connection` fault close the connection (absent outside [`crate::spawn`]).
    control: Option<ConnectionControl>,
}

impl FromRequest<SandboxState> for ApiRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &SandboxState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |u| u.0.clone());
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map_or_else(String::new, |r| r.0.clone());
        let too_large = || {
            ApiError::invalid_request(format!(
                "Request body too large: the sandbox reads at most {MAX_BODY_BYTES} bytes."
            ))
            .status(StatusCode::PAYLOAD_TOO_LARGE)
        };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        let body = read_body(body).await.map_err(|e| match e {
            BodyError::TooLarge => too_large(),
            BodyError::Broken => {
                ApiError::invalid_request("Invalid request: the request body could not be read.")
            }
        })?;
        let control = parts.extensions.get::<ConnectionControl>().cloned();
        Ok(Self {
            control,
            method: parts.method,
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            request_id,
        })
    }
}

/// A `/v1` request on the one object its path names (`/v1/refunds/{id}`).
pub(crate) struct ObjectRequest {
    state: SandboxState,
    id: String,
    request: ApiRequest,
}

impl FromRequest<SandboxState> for ObjectRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &SandboxState) -> Result<Self, ApiError> {
        let (mut parts, body) = req.into_parts();
        let PathId(id) = PathId::from_request_parts(&mut parts, state).await?;
        let request = ApiRequest::from_request(Request::from_parts(parts, body), state).await?;
        Ok(Self {
            state: state.clone(),
            id,
            request,
        })
    }
}

/// [`run`] on the object `req` names, giving `exec` its id.
pub(crate) async fn run_on_object(
    req: ObjectRequest,
    endpoint: &Endpoint,
    exec: impl FnOnce(Call<'_>, &str) -> Outcome,
) -> Response {
    let ObjectRequest { state, id, request } = req;
    run(&state, request, endpoint, |call| exec(call, &id)).await
}

enum BodyError {
    TooLarge,
    Broken,
}

async fn read_body(body: Body) -> Result<Bytes, BodyError> {
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(BodyError::TooLarge),
        Err(_) => Err(BodyError::Broken),
    }
}

impl ApiRequest {
    /// Query string and form body as one tree (the body wins on a clash).
    fn tree(&self) -> Result<Tree, ApiError> {
        let mut tree = Tree::new();
        let form_error =
            |e: form::FormError| ApiError::invalid_request(e.to_string()).param(e.param());
        if let Some(query) = &self.query {
            form::decode_into(&mut tree, query.as_bytes()).map_err(form_error)?;
        }
        if !self.body.is_empty() {
            form::decode_into(&mut tree, &self.body).map_err(form_error)?;
        }
        Ok(tree)
    }

    /// v1 bodies are forms. A body of another type is refused; so is a form that is not
    /// UTF-8 after percent-decoding (form_urlencoded would silently replace bytes otherwise).
    fn check_content_type(&self) -> Result<(), ApiError> {
        if self.body.is_empty() {
            return Ok(());
        }
        let content_type = self
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        match content_type {
            None => Ok(()),
            Some(ct)
                if ct.split(';').next().is_some_and(|m| {
                    m.trim()
                        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
                }) =>
            {
                Ok(())
            }
            Some(ct) => Err(ApiError::invalid_request(format!(
                "Invalid request: unsupported Content-Type {}. If error persists and you need \
                 assistance, please contact support@stripe.com.",
                super::error::shorten(&ct)
            ))),
        }
    }

    fn idempotency_key(&self) -> Result<Option<String>, ApiError> {
        if self.method != Method::POST {
            // GET and DELETE are idempotent already; Stripe ignores keys on them.
            return Ok(None);
        }
        let Some(value) = self.headers.get("idempotency-key") else {
            return Ok(None);
        };
        let key = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
        if key.is_empty() {
            return Ok(None);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(ApiError::invalid_request(format!(
                "Invalid Idempotency-Key: keys can be at most {MAX_KEY_LEN} characters long."
            )));
        }
        Ok(Some(key))
    }
}

/// What an endpoint declares about itself.
pub(crate) struct Endpoint {
    pub access: Access,
    pub schema: &'static [Field],
}

/// What an endpoint's body sees.
pub(crate) struct Call<'a> {
    pub store: &'a mut Store,
    pub caller: &'a Caller,
    pub params: &'a Params,
    pub now: i64,
    /// The request, for the events the call emits.
    pub origin: &'a Origin,
    /// `http://host:port` as the client reached the sandbox, for URLs of hosted pages.
    pub base_url: &'a str,
}

/// A successful endpoint result: usually 200 with a JSON object.
pub(crate) type Outcome = Result<Value, ApiError>;

/// Runs one `/v1` call through the whole pipeline; see the module comment for the order.
/// Faults (see [`crate::faults`]) wrap it: a `before` fault answers instead of the call, an
/// `after` fault replaces the answer of a call that ran.
pub(crate) async fn run(
    state: &SandboxState,
    req: ApiRequest,
    endpoint: &Endpoint,
    exec: impl FnOnce(Call<'_>) -> Outcome,
) -> Response {
    let request_id = req.request_id.clone();
    let decision = lock(&state.shared.faults).decide(
        req.method.as_str(),
        &req.path,
        std::time::Instant::now(),
    );
    let mut response = match decision.before {
        Some(FaultKind::DropConnection) => return drop_connection(&req).await,
        Some(kind) => error_of(kind).into_response(),
        None => match run_checked(state, &req, endpoint, exec, &decision).await {
            Ok(response) => response,
            Err(error) => error.into_response(),
        },
    };
    if decision.latency_after > 0 {
        tokio::time::sleep(Duration::from_millis(decision.latency_after)).await;
    }
    if decision.after == Some(FaultKind::DropConnection) {
        return drop_connection(&req).await;
    }
    let headers = response.headers_mut();
    if !headers.contains_key("request-id")
        && let Ok(value) = HeaderValue::from_str(&request_id)
    {
        headers.insert("request-id", value);
    }
    response
}

/// Closes the connection without an answer. Served by [`crate::spawn`], the connection task
/// drops the socket and this future with it; served otherwise, the answer's body breaks off.
async fn drop_connection(req: &ApiRequest) -> Response {
    match &req.control {
        Some(control) => {
            control.drop_connection();
            std::future::pending::<Response>().await
        }
        None => {
            let broken = futures_util::stream::iter([Err::<Bytes, std::io::Error>(
                std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped by a fault"),
            )]);
            (StatusCode::OK, Body::from_stream(broken)).into_response()
        }
    }
}

async fn run_checked(
    state: &SandboxState,
    req: &ApiRequest,
    endpoint: &Endpoint,
    exec: impl FnOnce(Call<'_>) -> Outcome,
    faults: &Decision,
) -> Result<Response, ApiError> {
    let now = state.now();
    // A body we cannot decode may still hold the `key`, so decoding waits until after auth
    // has had its chance to say 401.
    let decoded = req.tree();
    let mut tree = decoded.clone().unwrap_or_default();
    let caller = authenticate(
        &state.store(),
        &req.headers,
        &mut tree,
        endpoint.access,
        now,
    )?;
    super::auth::check_permission(&caller, req.method.as_str(), &req.path)?;
    state.shared.api_calls.count(caller.is_publishable());
    req.check_content_type()?;
    decoded?;

    let idempotency = match req.idempotency_key()? {
        None => None,
        Some(key) => {
            let fingerprint = format!("{} {} {}", req.method, req.path, form::to_json(&tree));
            let begin =
                lock(&state.shared.idempotency).begin(&caller.account, &key, &fingerprint, now);
            match begin {
                Begin::Proceed => Some((
                    InFlight::new(state.shared.idempotency.clone(), &caller.account, &key),
                    key,
                )),
                Begin::Replay(stored) => return Ok(replay(stored, &key)),
                Begin::Mismatch => return Err(ApiError::idempotency_mismatch(&key)),
                Begin::InUse => return Err(ApiError::idempotency_key_in_use(&key)),
            }
        }
    };

    if faults.latency_before > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_before)).await;
    }

    let params = validate(&tree, endpoint.schema)?;
    let origin = Origin {
        request_id: Some(req.request_id.clone()),
        idempotency_key: idempotency.as_ref().map(|(_, key)| key.clone()),
    };
    let base_url = base_url(&req.headers);
    let outcome = {
        let mut store = state.store();
        exec(Call {
            store: &mut store,
            caller: &caller,
            params: &params,
            now,
            origin: &origin,
            base_url: &base_url,
        })
    };
    state.kick_webhooks();
    let (status, body) = match outcome {
        Ok(value) => (StatusCode::OK, value),
        Err(error) => (error.status, error.to_json()),
    };
    // An `after` 5xx: the call committed, and the 5xx is what the client (and, if the call got
    // far enough to be stored, the idempotency record) sees.
    let (status, body) = match faults.after {
        Some(kind @ (FaultKind::ServerError | FaultKind::ServiceUnavailable)) => {
            let error = error_of(kind);
            (
                if is_saved(status) {
                    error.status
                } else {
                    status
                },
                if is_saved(status) {
                    error.to_json()
                } else {
                    body
                },
            )
        }
        _ => (status, body),
    };
    let body = Bytes::from(serde_json::to_vec(&body).map_err(|e| {
        tracing::error!(error = %e, "could not serialise a response");
        ApiError::internal()
    })?);
    let mut response = json_response(status, body.clone());
    let headers = response.headers_mut();
    if let Ok(version) = HeaderValue::from_str(caller.version.as_str()) {
        headers.insert("stripe-version", version);
    }
    if let Some((guard, key)) = idempotency {
        if let Ok(value) = HeaderValue::from_str(&key) {
            headers.insert("idempotency-key", value);
        }
        if is_saved(status) {
            guard.complete(Stored {
                status,
                body,
                request_id: req.request_id.clone(),
            });
        }
    }
    Ok(response)
}

/// `http://` and the `Host` the client used, so hosted-page URLs point where the client can
/// reach; a missing or strange `Host` gives the default address.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:12111");
    format!("http://{host}")
}

fn json_response(status: StatusCode, body: Bytes) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The stored response again, under its original `Request-Id`, marked as a replay.
fn replay(stored: Stored, key: &str) -> Response {
    let mut response = json_response(stored.status, stored.body);
    let headers = response.headers_mut();
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Ok(value) = HeaderValue::from_str(&stored.request_id) {
        headers.insert("request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(key) {
        headers.insert("idempotency-key", value);
    }
    response
}

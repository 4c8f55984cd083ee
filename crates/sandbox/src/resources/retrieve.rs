//! One object by id, beside [`super::list`]: an object of another account is answered like
//! one that does not exist (Stripe's 404 `resource_missing`), so ids tell nothing across
//! accounts.

use std::collections::BTreeMap;

use serde_json::Value;

use super::expand;
use crate::http::auth::Access;
use crate::http::error::ApiError;
use crate::http::pipeline::{Call, Endpoint, Outcome};
use crate::state::Store;

/// A `GET` of one object: secret key, and no parameter but `expand`.
pub(crate) const RETRIEVE: Endpoint = Endpoint {
    access: Access::Secret,
    schema: &[],
};

/// An object that belongs to one account.
pub(crate) trait Owned {
    fn account(&self) -> &str;
}

/// [`Owned`] for objects that keep their account in a field named `account`.
macro_rules! owned_by_account {
    ($($object:ty),+ $(,)?) => {$(
        impl $crate::resources::retrieve::Owned for $object {
            fn account(&self) -> &str {
                &self.account
            }
        }
    )+};
}
pub(crate) use owned_by_account;

/// The object `id` of `objects` if it is `account`'s; else the 404 that names `kind`.
pub(crate) fn owned<'a, T: Owned>(
    objects: &'a BTreeMap<String, T>,
    account: &str,
    kind: &str,
    id: &str,
) -> Result<&'a T, ApiError> {
    objects
        .get(id)
        .filter(|object| object.account() == account)
        .ok_or_else(|| ApiError::resource_missing(kind, id, "id"))
}

/// [`owned`], to change it.
pub(crate) fn owned_mut<'a, T: Owned>(
    objects: &'a mut BTreeMap<String, T>,
    account: &str,
    kind: &str,
    id: &str,
) -> Result<&'a mut T, ApiError> {
    objects
        .get_mut(id)
        .filter(|object| object.account() == account)
        .ok_or_else(|| ApiError::resource_missing(kind, id, "id"))
}

/// The caller's object `id` of `objects`, rendered, with the call's `expand` applied.
pub(crate) fn retrieve_expanded<T: Owned>(
    call: Call<'_>,
    objects: fn(&Store) -> &BTreeMap<String, T>,
    kind: &str,
    id: &str,
    render: fn(&T) -> Value,
) -> Outcome {
    let value = render(owned(objects(call.store), &call.caller.account, kind, id)?);
    expand::requested(call.store, call.caller, call.params, value)
}

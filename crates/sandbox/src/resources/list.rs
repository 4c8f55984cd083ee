//! Stripe's list envelope and cursor pagination: newest first, `limit` (1–100, default 10),
//! `starting_after` / `ending_before` naming an object of the list.

use serde_json::{Value, json};

use crate::http::error::ApiError;
use crate::http::params::Params;

/// An object that can appear in a list.
pub(crate) trait Listed {
    fn id(&self) -> &str;
    /// (created, sequence): lists sort by this, newest first.
    fn order(&self) -> (i64, u64);
}

/// [`Listed`] for objects that keep their `id`, `created` and `seq` in fields of those names.
macro_rules! listed_by_creation {
    ($($object:ty),+ $(,)?) => {$(
        impl $crate::resources::list::Listed for $object {
            fn id(&self) -> &str {
                &self.id
            }
            fn order(&self) -> (i64, u64) {
                (self.created, self.seq)
            }
        }
    )+};
}
pub(crate) use listed_by_creation;

/// A list endpoint: secret key, the pagination parameters, then `filters`.
macro_rules! list_endpoint {
    ($($filter:expr),* $(,)?) => {
        $crate::http::pipeline::Endpoint {
            access: $crate::http::auth::Access::Secret,
            schema: &[
                $crate::http::params::LIST_FIELDS[0],
                $crate::http::params::LIST_FIELDS[1],
                $crate::http::params::LIST_FIELDS[2],
                $($filter),*
            ],
        }
    };
}
pub(crate) use list_endpoint;

/// `{"object":"list","data":[…],"has_more":…,"url":…}` over `items`, paginated by `params`.
/// `kind` names the object in the 404 for an unknown cursor.
pub(crate) fn list<'a, T: Listed + 'a>(
    items: impl Iterator<Item = &'a T>,
    params: &Params,
    url: &str,
    kind: &str,
    render: impl Fn(&T) -> Value,
) -> Result<Value, ApiError> {
    let mut items: Vec<&T> = items.collect();
    items.sort_by_key(|item| std::cmp::Reverse(item.order()));
    let limit = params
        .int("limit")
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(10);
    let position = |param: &str, id: &str| {
        items
            .iter()
            .position(|i| i.id() == id)
            .ok_or_else(|| ApiError::resource_missing(kind, id, param))
    };
    let (page, has_more) = if let Some(after) = params.str("starting_after") {
        let start = position("starting_after", after)? + 1;
        let rest = &items[start..];
        (
            rest.iter().take(limit).collect::<Vec<_>>(),
            rest.len() > limit,
        )
    } else if let Some(before) = params.str("ending_before") {
        let end = position("ending_before", before)?;
        let earlier = &items[..end];
        let from = earlier.len().saturating_sub(limit);
        (earlier[from..].iter().collect(), from > 0)
    } else {
        (items.iter().take(limit).collect(), items.len() > limit)
    };
    Ok(json!({
        "object": "list",
        "data": page.into_iter().map(|i| render(i)).collect::<Vec<_>>(),
        "has_more": has_more,
        "url": url,
    }))
}

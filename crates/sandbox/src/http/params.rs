//! Each endpoint's parameters as a static schema, and the check of a decoded [`Tree`] against
//! it, in Stripe's order: first any unknown parameter (named by its full path), then missing
//! ones, then values of the wrong type. What passes becomes [`Params`], typed values the
//! handlers read without further checks.

use std::collections::BTreeMap;

use super::error::ApiError;
use super::form::{Node, Tree};

/// What a parameter holds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Ty {
    Str,
    /// An integer within optional bounds.
    Int {
        min: Option<i64>,
        max: Option<i64>,
    },
    Bool,
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// An object with known fields.
    Obj(&'static [Field]),
    /// `metadata`: string keys to string values, with Stripe's limits.
    Metadata,
    /// An array, sent as `a[]=…` or `a[0]=…`.
    List(&'static Ty),
    /// An object taken as it comes (options the sandbox accepts but does not model).
    AnyObj,
    /// An id, or an object with known fields (`external_account=btok_…` or
    /// `external_account[object]=bank_account&…`).
    StrOrObj(&'static [Field]),
}

pub(crate) const INT: Ty = Ty::Int {
    min: None,
    max: None,
};
pub(crate) const NON_NEGATIVE: Ty = Ty::Int {
    min: Some(0),
    max: None,
};

/// One named parameter of a schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

pub(crate) const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

pub(crate) const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

/// The pagination parameters every list endpoint takes.
pub(crate) const LIST_FIELDS: [Field; 3] = [
    opt(
        "limit",
        Ty::Int {
            min: Some(1),
            max: Some(100),
        },
    ),
    opt("starting_after", Ty::Str),
    opt("ending_before", Ty::Str),
];

/// A checked value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Param {
    /// Sent as `''`: the client asks to clear the value.
    Unset,
    Str(String),
    Int(i64),
    Bool(bool),
    Obj(Params),
    List(Vec<Param>),
}

/// The checked parameters of a request (or of one object inside it).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Params(BTreeMap<String, Param>);

/// Stripe's update of an optional string: a value sets `slot`, `''` clears it and leaving
/// `name` out keeps it.
pub(crate) fn set_or_clear(slot: &mut Option<String>, p: &Params, name: &str) {
    match p.get(name) {
        Some(Param::Str(v)) => *slot = Some(v.clone()),
        Some(Param::Unset) => *slot = None,
        _ => {}
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&Param> {
        self.0.get(name)
    }

    /// Every (name, value) pair, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Param)> {
        self.0.iter()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some(Param::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Param::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Param::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn obj(&self, name: &str) -> Option<&Params> {
        match self.get(name) {
            Some(Param::Obj(p)) => Some(p),
            _ => None,
        }
    }

    /// The strings of an array parameter (empty when absent or unset).
    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some(Param::List(items)) => items
                .iter()
                .filter_map(|p| match p {
                    Param::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `metadata`-like objects: the keys with a value (unset keys dropped).
    pub fn string_map(&self, name: &str) -> BTreeMap<String, String> {
        match self.obj(name) {
            Some(p) => {
                p.0.iter()
                    .filter_map(|(k, v)| match v {
                        Param::Str(s) => Some((k.clone(), s.clone())),
                        _ => None,
                    })
                    .collect()
            }
            None => BTreeMap::new(),
        }
    }

    /// The `expand[]` paths of the request.
    pub fn expand(&self) -> Vec<String> {
        self.strings("expand")
    }
}

/// Every endpoint also takes `expand[]`.
const EXPAND: Field = opt("expand", Ty::List(&Ty::Str));

/// Checks `tree` against `schema` (plus `expand[]`).
pub(crate) fn validate(tree: &Tree, schema: &[Field]) -> Result<Params, ApiError> {
    if let Some(unknown) = first_unknown(tree, schema, None) {
        return Err(ApiError::parameter_unknown(&unknown));
    }
    check_object(tree, schema, None)
}

fn lookup<'a>(schema: &'a [Field], name: &str) -> Option<&'a Field> {
    schema
        .iter()
        .find(|f| f.name == name)
        .or_else(|| (name == EXPAND.name).then_some(&EXPAND))
}

fn path_of(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(p) => format!("{p}[{name}]"),
        None => name.to_owned(),
    }
}

fn first_unknown(tree: &Tree, schema: &[Field], prefix: Option<&str>) -> Option<String> {
    for (name, node) in tree {
        let path = path_of(prefix, name);
        let Some(field) = lookup(schema, name) else {
            return Some(path);
        };
        let found = match (&field.ty, node) {
            (Ty::Obj(fields) | Ty::StrOrObj(fields), Node::Map(inner)) => {
                first_unknown(inner, fields, Some(&path))
            }
            (Ty::List(Ty::Obj(fields)), Node::List(items)) => {
                items.iter().enumerate().find_map(|(i, item)| match item {
                    Node::Map(inner) => first_unknown(inner, fields, Some(&format!("{path}[{i}]"))),
                    _ => None,
                })
            }
            (Ty::List(Ty::Obj(fields)), Node::Map(items)) => {
                items.iter().find_map(|(i, item)| match item {
                    Node::Map(inner) => first_unknown(inner, fields, Some(&format!("{path}[{i}]"))),
                    _ => None,
                })
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn check_object(tree: &Tree, schema: &[Field], prefix: Option<&str>) -> Result<Params, ApiError> {
    let mut out = BTreeMap::new();
    for field in schema.iter().chain(std::iter::once(&EXPAND)) {
        let path = path_of(prefix, field.name);
        match tree.get(field.name) {
            None if field.required => return Err(ApiError::parameter_missing(&path)),
            None => {}
            Some(Node::Leaf(v)) if v.is_empty() => {
                if field.required {
                    return Err(ApiError::parameter_invalid_empty(&path));
                }
                out.insert(field.name.to_owned(), Param::Unset);
            }
            Some(node) => {
                out.insert(field.name.to_owned(), check_value(node, &field.ty, &path)?);
            }
        }
    }
    Ok(Params(out))
}

fn check_value(node: &Node, ty: &Ty, path: &str) -> Result<Param, ApiError> {
    match ty {
        Ty::Str => match node {
            Node::Leaf(s) => Ok(Param::Str(s.clone())),
            _ => Err(
                ApiError::invalid_request("Invalid string: an object or array was given")
                    .param(path),
            ),
        },
        Ty::Int { min, max } => {
            let Node::Leaf(s) = node else {
                return Err(ApiError::invalid_integer(path, "an object or array"));
            };
            let value: i64 = s.parse().map_err(|_| ApiError::invalid_integer(path, s))?;
            if let Some(min) = min.filter(|m| value < *m) {
                return Err(ApiError::invalid_request(format!(
                    "This value must be greater than or equal to {min}."
                ))
                .param(path));
            }
            if let Some(max) = max.filter(|m| value > *m) {
                return Err(ApiError::invalid_request(format!(
                    "This value must be less than or equal to {max}."
                ))
                .param(path));
            }
            Ok(Param::Int(value))
        }
        Ty::Bool => match node {
            Node::Leaf(s) if s == "true" => Ok(Param::Bool(true)),
            Node::Leaf(s) if s == "false" => Ok(Param::Bool(false)),
            Node::Leaf(s) => Err(ApiError::invalid_request(format!(
                "Invalid boolean: {}",
                super::error::shorten(s)
            ))
            .param(path)),
            _ => Err(
                ApiError::invalid_request("Invalid boolean: an object or array was given")
                    .param(path),
            ),
        },
        Ty::Enum(allowed) => match node {
            Node::Leaf(s) if allowed.contains(&s.as_str()) => Ok(Param::Str(s.clone())),
            _ => Err(ApiError::invalid_request(format!(
                "Invalid {path}: must be one of {}",
                one_of(allowed)
            ))
            .param(path)),
        },
        Ty::Obj(fields) => match node {
            Node::Map(inner) => Ok(Param::Obj(check_object(inner, fields, Some(path))?)),
            _ => Err(ApiError::invalid_request("Invalid hash").param(path)),
        },
        Ty::Metadata => check_metadata(node, path),
        Ty::List(item) => {
            let items: Vec<&Node> = match node {
                Node::List(items) => items.iter().collect(),
                // `a[0]=x&a[1]=y`, as the SDKs send arrays: integer keys, in numeric order.
                Node::Map(map) => {
                    let mut indexed = Vec::with_capacity(map.len());
                    for (key, value) in map {
                        let index: usize = key
                            .parse()
                            .map_err(|_| ApiError::invalid_request("Invalid array").param(path))?;
                        indexed.push((index, value));
                    }
                    indexed.sort_by_key(|(i, _)| *i);
                    indexed.into_iter().map(|(_, v)| v).collect()
                }
                Node::Leaf(_) => {
                    return Err(ApiError::invalid_request("Invalid array").param(path));
                }
            };
            items
                .into_iter()
                .enumerate()
                .map(|(i, n)| check_value(n, item, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()
                .map(Param::List)
        }
        Ty::AnyObj => match node {
            Node::Map(_) => Ok(Param::Obj(loose(node))),
            _ => Err(ApiError::invalid_request("Invalid hash").param(path)),
        },
        Ty::StrOrObj(fields) => match node {
            Node::Leaf(s) => Ok(Param::Str(s.clone())),
            Node::Map(inner) => Ok(Param::Obj(check_object(inner, fields, Some(path))?)),
            Node::List(_) => Err(ApiError::invalid_request("Invalid hash").param(path)),
        },
    }
}

/// Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500.
fn check_metadata(node: &Node, path: &str) -> Result<Param, ApiError> {
    let Node::Map(map) = node else {
        return Err(ApiError::invalid_request("Invalid hash").param(path));
    };
    if map.len() > 50 {
        return Err(ApiError::invalid_request(format!(
            "Invalid {path}: metadata can have up to 50 keys, but you passed in {} keys.",
            map.len()
        ))
        .param(path));
    }
    let mut out = BTreeMap::new();
    for (key, value) in map {
        let key_path = format!("{path}[{key}]");
        if key.chars().count() > 40 {
            return Err(ApiError::invalid_request(format!(
                "Metadata keys can be at most 40 characters long: {}",
                super::error::shorten(key)
            ))
            .param(key_path));
        }
        let Node::Leaf(value) = value else {
            return Err(ApiError::invalid_request(
                "Metadata values must be strings, not objects or arrays.",
            )
            .param(key_path));
        };
        if value.chars().count() > 500 {
            return Err(ApiError::invalid_request(
                "Metadata values can be at most 500 characters long.",
            )
            .param(key_path));
        }
        let param = if value.is_empty() {
            Param::Unset
        } else {
            Param::Str(value.clone())
        };
        out.insert(key.clone(), param);
    }
    Ok(Param::Obj(Params(out)))
}

fn loose(node: &Node) -> Params {
    fn value(n: &Node) -> Param {
        match n {
            Node::Leaf(s) if s.is_empty() => Param::Unset,
            Node::Leaf(s) => Param::Str(s.clone()),
            Node::Map(_) => Param::Obj(loose(n)),
            Node::List(items) => Param::List(items.iter().map(value).collect()),
        }
    }
    match node {
        Node::Map(m) => Params(m.iter().map(|(k, v)| (k.clone(), value(v))).collect()),
        _ => Params::default(),
    }
}

/// `a`, `a or b`, `a, b, or c`, as Stripe lists the allowed values.
fn one_of(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [a, b] => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::http::form::decode_into;

    const TRANSFER: &[Field] = &[req("destination", Ty::Str), opt("amount", INT)];
    const SCHEMA: &[Field] = &[
        req("amount", INT),
        opt("confirm", Ty::Bool),
        opt(
            "capture_method",
            Ty::Enum(&["automatic", "automatic_async", "manual"]),
        ),
        opt("transfer_data", Ty::Obj(TRANSFER)),
        opt("payment_method_types", Ty::List(&Ty::Str)),
        opt("metadata", Ty::Metadata),
        opt("description", Ty::Str),
    ];

    fn check(input: &str) -> Result<Params, ApiError> {
        let mut tree = Tree::new();
        decode_into(&mut tree, input.as_bytes()).unwrap();
        validate(&tree, SCHEMA)
    }

    fn message(input: &str) -> (String, Option<String>, Option<String>) {
        let e = check(input).unwrap_err();
        (e.body.message, e.body.code, e.body.param)
    }

    #[test]
    fn unknown_parameters_are_named_by_full_path_before_anything_else() {
        let (msg, code, param) = message("transfer_data[destinatoin]=acct_1");
        assert_eq!(
            msg,
            "Received unknown parameter: transfer_data[destinatoin]"
        );
        assert_eq!(code.as_deref(), Some("parameter_unknown"));
        assert_eq!(param.as_deref(), Some("transfer_data[destinatoin]"));
    }

    #[test]
    fn missing_required_parameter_says_so() {
        let (msg, code, _) = message("confirm=true");
        assert_eq!(msg, "Missing required param: amount.");
        assert_eq!(code.as_deref(), Some("parameter_missing"));
        let (msg, _, param) = message("amount=1&transfer_data[amount]=5");
        assert_eq!(msg, "Missing required param: transfer_data[destination].");
        assert_eq!(param.as_deref(), Some("transfer_data[destination]"));
    }

    #[test]
    fn wrong_types_get_stripes_messages() {
        assert_eq!(message("amount=12.5").0, "Invalid integer: 12.5");
        assert_eq!(message("amount=1&confirm=yes").0, "Invalid boolean: yes");
        assert_eq!(
            message("amount=1&capture_method=later").0,
            "Invalid capture_method: must be one of automatic, automatic_async, or manual"
        );
        assert_eq!(message("amount=1&transfer_data=acct_1").0, "Invalid hash");
        assert_eq!(
            message("amount=1&payment_method_types=card").0,
            "Invalid array"
        );
    }

    #[test]
    fn arrays_come_as_brackets_or_indices() {
        let a = check("amount=1&payment_method_types[]=card&payment_method_types[]=link").unwrap();
        let b =
            check("amount=1&payment_method_types[1]=link&payment_method_types[0]=card").unwrap();
        assert_eq!(a.strings("payment_method_types"), ["card", "link"]);
        assert_eq!(a, b);
    }

    #[test]
    fn empty_string_unsets_optional_and_is_refused_for_required() {
        let p = check("amount=1&description=&metadata[a]=").unwrap();
        assert_eq!(p.get("description"), Some(&Param::Unset));
        assert!(p.string_map("metadata").is_empty());
        let (_, code, _) = message("amount=");
        assert_eq!(code.as_deref(), Some("parameter_invalid_empty"));
    }

    #[test]
    fn metadata_limits_are_enforced() {
        let many: Vec<String> = (0..51).map(|i| format!("metadata[k{i}]=v")).collect();
        assert!(check(&format!("amount=1&{}", many.join("&"))).is_err());
        assert!(check(&format!("amount=1&metadata[{}]=v", "k".repeat(41))).is_err());
    }

    #[test]
    fn expand_is_accepted_everywhere() {
        let p = check("amount=1&expand[]=latest_charge").unwrap();
        assert_eq!(p.expand(), ["latest_charge"]);
    }
}

//! The decoder for Stripe's form bodies and query strings: `a[b][c]=v`, `a[]=x`, `a[0]=x`.
//!
//! Hand-written on purpose. `form_urlencoded` splits the pairs and undoes the percent-encoding
//! (so `a%5Bb%5D` and `a[b]` read alike); the bracket tree on top is ours because Stripe's rules
//! need things serde_qs does not give: a tree we can walk to name the first unknown parameter
//! by its full path (`transfer_data[foo]`), `a[]` and `a[0]` both read as arrays, and `''`
//! kept as a value of its own, since it means "unset" rather than "the empty string".
//!
//! Decoding never fails on odd input: a key whose brackets do not parse (`a[b`, `a]`, `[x]`)
//! is kept whole as a name, and the schema then refuses it as an unknown parameter, which is
//! what Stripe says about a name it does not know.

use std::collections::BTreeMap;

use serde_json::Value;

/// Deeper keys than this are refused, so no request can make the decoder recurse without end.
const MAX_DEPTH: usize = 16;

/// One value of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    /// `a=v`; `v` may be `""`, which means "unset".
    Leaf(String),
    /// `a[k]=v`, and `a[0]=v` too: the schema decides whether integer keys make an array.
    Map(BTreeMap<String, Node>),
    /// `a[]=v`.
    List(Vec<Node>),
}

/// The top level of a request's parameters.
pub(crate) type Tree = BTreeMap<String, Node>;

/// Why a body could not become a tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FormError {
    /// The same name was sent both as a value and as an object or array (`a=1&a[b]=2`).
    #[error("Invalid request: `{0}` was sent both as a value and as an object or array.")]
    Conflict(String),
    /// More nesting than any Stripe parameter has.
    #[error("Invalid request: `{0}` is nested more deeply than any parameter allows.")]
    TooDeep(String),
}

impl FormError {
    pub(crate) fn param(&self) -> &str {
        match self {
            Self::Conflict(p) | Self::TooDeep(p) => p,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Append,
}

/// Adds the pairs of `input` (a body or a query string) to `tree`; a later pair overwrites an
/// earlier one with the same key, as Rack-style parsers do.
pub(crate) fn decode_into(tree: &mut Tree, input: &[u8]) -> Result<(), FormError> {
    for (key, value) in form_urlencoded::parse(input) {
        if key.is_empty() {
            continue;
        }
        let (name, segments) = split_key(&key);
        if segments.len() > MAX_DEPTH {
            return Err(FormError::TooDeep(name.to_owned()));
        }
        insert(tree, name, &segments, value.into_owned(), name)?;
    }
    Ok(())
}

/// `a[b][]` → (`a`, [Key(b), Append]); anything malformed → (whole key, []).
fn split_key(key: &str) -> (&str, Vec<Segment>) {
    let Some(open) = key.find('[') else {
        return (key, Vec::new());
    };
    let name = &key[..open];
    if name.is_empty() || name.contains(']') {
        return (key, Vec::new());
    }
    let mut segments = Vec::new();
    let mut rest = &key[open..];
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return (key, Vec::new());
        };
        let Some(close) = inner.find(']') else {
            return (key, Vec::new());
        };
        let segment = &inner[..close];
        if segment.contains('[') {
            return (key, Vec::new());
        }
        segments.push(if segment.is_empty() {
            Segment::Append
        } else {
            Segment::Key(segment.to_owned())
        });
        rest = &inner[close + 1..];
    }
    (name, segments)
}

fn insert(
    map: &mut BTreeMap<String, Node>,
    name: &str,
    rest: &[Segment],
    value: String,
    path: &str,
) -> Result<(), FormError> {
    let Some((first, deeper)) = rest.split_first() else {
        return match map.get(name) {
            Some(Node::Map(_) | Node::List(_)) => Err(FormError::Conflict(path.to_owned())),
            _ => {
                map.insert(name.to_owned(), Node::Leaf(value));
                Ok(())
            }
        };
    };
    match first {
        Segment::Key(key) => {
            let node = map
                .entry(name.to_owned())
                .or_insert_with(|| Node::Map(BTreeMap::new()));
            let Node::Map(inner) = node else {
                return Err(FormError::Conflict(path.to_owned()));
            };
            insert(inner, key, deeper, value, &format!("{path}[{key}]"))
        }
        Segment::Append => {
            let node = map
                .entry(name.to_owned())
                .or_insert_with(|| Node::List(Vec::new()));
            let Node::List(items) = node else {
                return Err(FormError::Conflict(path.to_owned()));
            };
            let item_path = format!("{path}[]");
            match deeper.split_first() {
                None => {
                    items.push(Node::Leaf(value));
                    Ok(())
                }
                Some((Segment::Key(key), _)) => {
                    // `a[][k]=…`: Rack's rule for arrays of objects. The pair goes into the last
                    // object unless that object already has `k`, which starts a new one.
                    let reuse =
                        matches!(items.last(), Some(Node::Map(last)) if !last.contains_key(key));
                    if !reuse {
                        items.push(Node::Map(BTreeMap::new()));
                    }
                    let Some(Node::Map(last)) = items.last_mut() else {
                        return Err(FormError::Conflict(item_path));
                    };
                    insert(
                        last,
                        key,
                        &deeper[1..],
                        value,
                        &format!("{item_path}[{key}]"),
                    )
                }
                Some((Segment::Append, _)) => Err(FormError::Conflict(item_path)),
            }
        }
    }
}

/// The tree as JSON with sorted keys: the fingerprint that idempotency compares.
pub(crate) fn to_json(tree: &Tree) -> Value {
    fn node(n: &Node) -> Value {
        match n {
            Node::Leaf(s) => Value::String(s.clone()),
            Node::Map(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), node(v))).collect()),
            Node::List(items) => Value::Array(items.iter().map(node).collect()),
        }
    }
    Value::Object(tree.iter().map(|(k, v)| (k.clone(), node(v))).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn decode(input: &str) -> Tree {
        let mut tree = Tree::new();
        decode_into(&mut tree, input.as_bytes()).unwrap();
        tree
    }

    fn leaf(s: &str) -> Node {
        Node::Leaf(s.to_owned())
    }

    #[test]
    fn nested_keys_build_objects() {
        let tree = decode("transfer_data[destination]=acct_1&metadata[order]=42&amount=1200");
        assert_eq!(tree["amount"], leaf("1200"));
        let Node::Map(transfer) = &tree["transfer_data"] else {
            panic!()
        };
        assert_eq!(transfer["destination"], leaf("acct_1"));
    }

    #[test]
    fn percent_encoded_brackets_read_like_raw_ones() {
        assert_eq!(
            decode("card%5Bnumber%5D=4242&card%5Bcvc%5D=123"),
            decode("card[number]=4242&card[cvc]=123")
        );
    }

    #[test]
    fn empty_brackets_append_and_indices_stay_keys_for_the_schema() {
        let tree = decode("expand[]=a&expand[]=b&payment_method_types[0]=card");
        assert_eq!(tree["expand"], Node::List(vec![leaf("a"), leaf("b")]));
        let Node::Map(types) = &tree["payment_method_types"] else {
            panic!()
        };
        assert_eq!(types["0"], leaf("card"));
    }

    #[test]
    fn empty_value_is_kept_as_unset_marker() {
        assert_eq!(decode("description=")["description"], leaf(""));
    }

    #[test]
    fn malformed_keys_are_kept_whole_as_names() {
        let tree = decode("a[b=1&c]=2&[x]=3&d[e]f=4");
        assert!(tree.contains_key("a[b"));
        assert!(tree.contains_key("c]"));
        assert!(tree.contains_key("[x]"));
        assert!(tree.contains_key("d[e]f"));
    }

    #[test]
    fn value_and_object_under_one_name_is_a_conflict() {
        let mut tree = Tree::new();
        let err = decode_into(&mut tree, b"a=1&a[b]=2").unwrap_err();
        assert_eq!(err, FormError::Conflict("a".into()));
    }

    #[test]
    fn arrays_of_objects_follow_racks_rule() {
        let tree = decode("items[][price]=p1&items[][quantity]=1&items[][price]=p2");
        let Node::List(items) = &tree["items"] else {
            panic!()
        };
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn absurd_nesting_is_refused() {
        let key = format!("a{}", "[x]".repeat(40));
        let mut tree = Tree::new();
        assert!(matches!(
            decode_into(&mut tree, format!("{key}=1").as_bytes()),
            Err(FormError::TooDeep(_))
        ));
    }

    #[test]
    fn plus_is_a_space_as_in_every_form() {
        assert_eq!(
            decode("description=two+words")["description"],
            leaf("two words")
        );
    }
}

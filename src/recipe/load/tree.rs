//! Builds a recipe's JSON tree straight from the YAML or JSON deserializer, with no
//! intermediate `serde_yaml::Value`, under the rules both formats share:
//!
//! - a key that appears twice in one mapping is refused (`duplicate key 'k' in recipe.steps[0]`;
//!   the parser adds the line and column), where serde_json would keep the last one;
//! - YAML's non-string keys become their text (`True`, `False`, `None`, the number as written),
//!   YAML tags are dropped, and non-finite numbers are refused with the path where they stand;
//! - at most [`MAX_RECIPE_NODES`] values (mappings, lists and scalars, aliases counted as often
//!   as they expand) are built, which bounds memory whatever the text holds.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Most values a recipe may hold; real recipes hold a few hundred.
pub const MAX_RECIPE_NODES: usize = 200_000;

/// Where a value stands, as a chain up to the root, rendered only when an error needs it.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => f.write_str("recipe"),
            At::Key(parent, key) => write!(f, "{parent}.{}", short(key)),
            At::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// At most 60 characters of a key, for messages.
fn short(key: &str) -> String {
    if key.chars().count() > 60 {
        format!("{}…", key.chars().take(60).collect::<String>())
    } else {
        key.to_owned()
    }
}

/// Deserializes one value at `at`, counting it against the shared budget.
#[derive(Clone, Copy)]
pub(super) struct Node<'a> {
    at: At<'a>,
    budget: &'a Cell<usize>,
}

impl<'a> Node<'a> {
    /// The root of a document, with a fresh budget.
    pub(super) fn root(budget: &'a Cell<usize>) -> Self {
        Node {
            at: At::Root,
            budget,
        }
    }

    fn child(&self, at: At<'a>) -> Node<'a> {
        Node {
            at,
            budget: self.budget,
        }
    }

    fn spend<E: de::Error>(&self) -> Result<(), E> {
        let left = self.budget.get();
        if left == 0 {
            return Err(E::custom(format!(
                "{}: the recipe holds more than {MAX_RECIPE_NODES} values (mappings, lists and \
                 scalars, YAML aliases counted as they expand); refused to bound memory",
                self.at
            )));
        }
        self.budget.set(left - 1);
        Ok(())
    }

    fn float<E: de::Error>(&self, f: f64) -> Result<Value, E> {
        Number::from_f64(f).map(Value::Number).ok_or_else(|| {
            let shown = serde_yaml::Number::from(f);
            E::custom(format!(
                "{}: non-finite number {shown} is not accepted (use a finite number)",
                self.at
            ))
        })
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.spend()?;
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML or JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    /// An integer beyond 64 bits is the float nearest to it, as a longer one already is (and as
    /// JSON recipes read it), so the argument's own check judges its size.
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.float(v as f64)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.float(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.float(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) =
            seq.next_element_seed(self.child(At::Index(&self.at, items.len())))?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(Key(self.at))? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(format!(
                    "duplicate key '{}' in {} (each key may appear once in a mapping)",
                    short(&key),
                    self.at
                )));
            }
            let value = map.next_value_seed(self.child(At::Key(&self.at, &key)))?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A YAML tag (`!Thing value`): the tag is dropped, the value kept.
        let (_tag, content) = data.variant::<String>()?;
        content.newtype_variant_seed(Retry(self))
    }
}

/// The tagged value of [`Node::visit_enum`], already counted.
struct Retry<'a>(Node<'a>);

impl<'de> DeserializeSeed<'de> for Retry<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self.0)
    }
}

/// A mapping key as text: strings as they are, YAML's other scalars as Python prints them
/// (Framework0 reads YAML with PyYAML, whose keys keep their type; context keys are text).
struct Key<'a>(At<'a>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a scalar mapping key in {}", self.0)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "True" } else { "False" }.to_owned())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(serde_yaml::Number::from(v).to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok("None".to_owned())
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok("None".to_owned())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom(format!(
            "{}: mapping keys must be scalars",
            self.0
        )))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom(format!(
            "{}: mapping keys must be scalars",
            self.0
        )))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (_tag, content) = data.variant::<String>()?;
        content.newtype_variant_seed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str, budget: usize) -> Result<Value, String> {
        let budget = Cell::new(budget);
        let de = serde_yaml::Deserializer::from_str(text);
        Node::root(&budget)
            .deserialize(de)
            .map_err(|e| e.to_string())
    }

    fn json(text: &str) -> Result<Value, String> {
        let budget = Cell::new(MAX_RECIPE_NODES);
        let mut de = serde_json::Deserializer::from_str(text);
        Node::root(&budget)
            .deserialize(&mut de)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn yaml_scalar_keys_become_the_text_python_prints() {
        let v = yaml("true: a\nfalse: b\n1: c\n-2: d\n1.5: e\n~: f\n", 100).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["-2", "1", "1.5", "False", "None", "True"]);
    }

    #[test]
    fn integers_beyond_64_bits_read_as_the_nearest_float_not_a_type_error() {
        // Regression: 2^64 .. 2^128 failed with "invalid type: integer .. as u128".
        let v = yaml("u: 18446744073709551616\ni: -9223372036854775809\n", 100).unwrap();
        assert_eq!(v["u"].as_f64(), Some(18446744073709551616.0));
        assert_eq!(v["i"].as_f64(), Some(-9223372036854775809.0));
        let v = yaml("18446744073709551616: k\n", 100).unwrap();
        assert_eq!(v["18446744073709551616"], "k", "a key keeps every digit");
    }

    #[test]
    fn a_collection_as_a_key_is_refused_with_its_path() {
        let e = yaml("steps:\n  ? [a, b]\n  : x\n", 100).unwrap_err();
        assert!(
            e.contains("recipe.steps: mapping keys must be scalars"),
            "{e}"
        );
        let e = yaml("? {a: 1}\n: x\n", 100).unwrap_err();
        assert!(e.contains("recipe: mapping keys must be scalars"), "{e}");
    }

    #[test]
    fn yaml_tags_are_dropped_and_their_values_kept() {
        let v = yaml("a: !Thing 5\nb: !seq [1, null]\n!k c: !!str 7\n", 100).unwrap();
        assert_eq!(v, serde_json::json!({"a": 5, "b": [1, null], "c": "7"}));
    }

    #[test]
    fn json_escapes_and_nulls_build_the_same_tree() {
        let v = json(r#"{"a\n": "b\u00e9", "n": null, "f": 2.5, "i": -3, "u": 18446744073709551615, "t": true}"#)
            .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a\n": "bé", "n": null, "f": 2.5, "i": -3, "u": 18446744073709551615u64, "t": true})
        );
    }

    #[test]
    fn duplicate_keys_non_finite_numbers_and_the_budget_are_refused_where_they_stand() {
        let e = yaml("steps:\n  - {a: 1, a: 2}\n", 100).unwrap_err();
        assert!(e.contains("duplicate key 'a' in recipe.steps[0]"), "{e}");
        let e = yaml("x: {y: .inf}\n", 100).unwrap_err();
        assert!(e.contains("recipe.x.y: non-finite number"), "{e}");
        let long = "k".repeat(80);
        let e = yaml(&format!("{long}: [1, 2, 3]\n"), 3).unwrap_err();
        assert!(
            e.contains(&format!(
                "recipe.{}…[1]: the recipe holds more than",
                &long[..60]
            )),
            "{e}"
        );
    }
}

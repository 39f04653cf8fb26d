//! Python type names of parsed values, for Framework0-identical messages
//! such as `Recipe file must contain a YAML dictionary, got list`.

use serde_json::Value;

/// The name Python's `type(x).__name__` gives the value `yaml.safe_load` would produce.
pub(crate) fn python_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

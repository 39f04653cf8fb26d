//! Recipes: loading Framework0 YAML/JSON files, the step model, and validation.
//!
//! Loading follows Framework0's acceptance rules exactly (COMPAT §1): the same
//! messages for a non-mapping root, a missing `steps` section, a step that is not a
//! mapping and a step without `module` or `function`. [`validate`] then checks what
//! Framework0 never did (types, duplicates, dependencies, scriptlets and their args)
//! and reports findings with stable codes.

mod error;
mod load;
mod model;
mod pytype;
pub mod validate;

pub use error::RecipeError;
pub use load::{load_recipe, parse_recipe, MAX_RECIPE_BYTES, MAX_RECIPE_NODES};
pub use model::{Recipe, Step};

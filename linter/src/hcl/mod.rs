//! Terraform trees: finding modules, parsing them with hcl-edit, and evaluating them into
//! resource instances as `terraform plan` would.
//!
//! - [`project`]: the modules on disk and the root modules among them;
//! - [`parse`] and [`load`]: reading and parsing files, and one module directory's declarations;
//! - [`inputs`] and [`types`]: root variable values and type conversion;
//! - [`instance`], [`calls`], [`expansion`], [`body`], [`providers`]: module instances, module
//!   calls, `count`/`for_each`, resource bodies and provider configurations;
//! - [`eval`] and [`functions`]: expressions and the functions they call;
//! - [`terragrunt`]: Terragrunt units as root modules;
//! - [`tree`]: one run over all of it.

mod body;
mod calls;
pub mod eval;
mod expansion;
pub mod functions;
pub mod inputs;
mod instance;
pub mod json;
pub mod load;
pub mod parse;
pub mod project;
mod providers;
pub mod spans;
pub mod terragrunt;
pub mod tree;
pub mod types;

pub use inputs::VariableInputs;
pub use tree::{load_tree, load_tree_with};

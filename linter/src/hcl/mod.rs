//! Terraform trees: finding modules, parsing them with hcl-edit, and evaluating them into
//! resource instances as `terraform plan` would.

pub mod eval;
pub mod expand;
pub mod functions;
pub mod json;
pub mod load;

pub use expand::{load_tree, VariableInputs};

//! Your own indicators. Implement `Indicator` for a type in this file and add a `Spec` to `SPECS`:
//! it is then usable everywhere the built-ins are (strategies, the chart, `tickdesk indicators`).

use super::Spec;

/// Indicators defined in this file.
pub static SPECS: &[Spec] = &[];

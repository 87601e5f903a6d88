//! [`RoleSource`]: where a token's roles or groups live.

use serde::Deserialize;
use serde_json::Value;

use super::{check_target, locate};
use crate::error::Result;

/// Where a token's roles or groups live: a top-level claim (`name`, exactly as written:
/// `roles`, `cognito:groups`, `https://example.com/roles`) or a nested one (`pointer`, RFC 6901:
/// `/realm_access/roles`). Its value is an array of strings or a space-separated string.
///
/// In a config: `roles = [{ pointer = "/resource_access/my-api/roles" }, { name = "groups" }]`.
/// The roles of all listed sources form one set, so list only sources that mean the same thing:
/// a Keycloak realm role and a role of another client's `resource_access` entry are not the
/// same permission, and merging them grants one for the other.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RoleSource {
    /// A top-level claim, named exactly.
    #[serde(default)]
    pub name: Option<String>,
    /// An RFC 6901 JSON Pointer to a nested claim.
    #[serde(default)]
    pub pointer: Option<String>,
}

impl RoleSource {
    /// The top-level claim `name`.
    pub fn claim(name: impl Into<String>) -> RoleSource {
        RoleSource {
            name: Some(name.into()),
            pointer: None,
        }
    }

    /// The claim a JSON Pointer names.
    pub fn at_pointer(pointer: impl Into<String>) -> RoleSource {
        RoleSource {
            name: None,
            pointer: Some(pointer.into()),
        }
    }

    /// The claim as written: its name, or its pointer.
    pub fn target(&self) -> &str {
        self.name
            .as_deref()
            .or(self.pointer.as_deref())
            .unwrap_or("")
    }

    /// Checks that it names one claim (a non-empty `name` or a valid `pointer`).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidConfig`](crate::ErrorKind::InvalidConfig) with the field at fault
    /// relative to the source.
    pub fn check(&self) -> Result<()> {
        check_target(self.name.as_deref(), self.pointer.as_deref())
    }

    /// The value of this source in a claims object, if present and not `null`.
    pub(crate) fn locate<'v>(&self, claims: &'v Value) -> Option<&'v Value> {
        locate(self.name.as_deref(), self.pointer.as_deref(), claims).filter(|v| !v.is_null())
    }
}

/// Checks a list of role sources, naming the first bad one `roles[i]`.
///
/// # Errors
/// [`ErrorKind::InvalidConfig`] at `roles[i]` (`roles[i].pointer`, ...).
pub(crate) fn check_sources(sources: &[RoleSource]) -> Result<()> {
    for (i, source) in sources.iter().enumerate() {
        source
            .check()
            .map_err(|e| e.in_field(&format!("roles[{i}]")))?;
    }
    Ok(())
}

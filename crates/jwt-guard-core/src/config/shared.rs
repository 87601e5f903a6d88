//! The fields the top level of a [`VerifierConfig`](crate::VerifierConfig) and each
//! `[[providers]]` entry ([`ProviderConfig`](crate::ProviderConfig)) share, declared once.
//!
//! [`provider_fields!`] takes the list of shared fields (the rules, then the key sources) and the
//! two structs with their own fields, and writes:
//!
//! - both structs, every shared field in each (with its doc), all `#[serde(default)]`;
//! - `ProviderFields<'a>`, the shared fields of either struct borrowed (`fields()` on each), with
//!   `first_set` (the first field given: with `[[providers]]` the top level may give none) and
//!   `apply_rules`, which sets the [`Validation`](crate::Validation) field of the same name for
//!   each rule given.
//!
//! So adding a rule is: a field of `Validation` (its default and its check there), a setter on
//! `VerifierBuilder` for code, and one line of the list in `config.rs`. The config name of a rule
//! is the name of its `Validation` field, which is also the name the verifier's own checks give
//! in their errors (`max_token_bytes`, `leeway_secs`): nothing is renamed on the way.
//!
//! Why not one `RuleConfig` struct under `#[serde(flatten)]`: flatten buffers the table into
//! serde's private `Content` and matches the keys afterwards, so an unknown key is no longer
//! `unknown_field` but a `custom` error that quotes the key whatever it is (a secret pasted as a
//! key included), reported at the start of the table with no field path and no "did you mean";
//! a wrong value inside the flattened part loses its field path and position too. A plain
//! `derive(Deserialize)` over the generated structs keeps all of that.

use crate::algorithm::{Algorithm, AlgorithmSet};

/// Declares [`crate::VerifierConfig`] and [`crate::ProviderConfig`] with their shared fields;
/// see the module doc.
macro_rules! provider_fields {
    (
        rules {
            $( $(#[$rule_attr:meta])* $rule:ident: $rule_ty:ty, )*
        }
        keys {
            $( $(#[$key_attr:meta])* $key:ident: $key_ty:ty, )*
        }
        $(#[$top_attr:meta])*
        pub struct $top:ident {
            $( $(#[$top_own_attr:meta])* pub $top_own:ident: $top_own_ty:ty, )*
            ..,
            $( $(#[$top_tail_attr:meta])* pub $top_tail:ident: $top_tail_ty:ty, )*
        }
        $(#[$provider_attr:meta])*
        pub struct $provider:ident {
            $( $(#[$provider_own_attr:meta])* pub $provider_own:ident: $provider_own_ty:ty, )*
            ..,
            $( $(#[$provider_tail_attr:meta])* pub $provider_tail:ident: $provider_tail_ty:ty, )*
        }
    ) => {
        $(#[$top_attr])*
        pub struct $top {
            $( $(#[$top_own_attr])* #[serde(default)] pub $top_own: $top_own_ty, )*
            $( $(#[$rule_attr])* #[serde(default)] pub $rule: $rule_ty, )*
            $( $(#[$key_attr])* #[serde(default)] pub $key: $key_ty, )*
            $( $(#[$top_tail_attr])* #[serde(default)] pub $top_tail: $top_tail_ty, )*
        }

        $(#[$provider_attr])*
        pub struct $provider {
            $( $(#[$provider_own_attr])* #[serde(default)] pub $provider_own: $provider_own_ty, )*
            $( $(#[$rule_attr])* #[serde(default)] pub $rule: $rule_ty, )*
            $( $(#[$key_attr])* #[serde(default)] pub $key: $key_ty, )*
            $(
                $(#[$provider_tail_attr])*
                #[serde(default)]
                pub $provider_tail: $provider_tail_ty,
            )*
        }

        /// The fields the top level and a `[[providers]]` entry share, borrowed.
        struct ProviderFields<'a> {
            $( $rule: &'a $rule_ty, )*
            $( $key: &'a $key_ty, )*
        }

        impl $top {
            /// The shared fields of the top level.
            fn fields(&self) -> ProviderFields<'_> {
                ProviderFields {
                    $( $rule: &self.$rule, )*
                    $( $key: &self.$key, )*
                }
            }
        }

        impl $provider {
            /// The shared fields of this provider.
            fn fields(&self) -> ProviderFields<'_> {
                ProviderFields {
                    $( $rule: &self.$rule, )*
                    $( $key: &self.$key, )*
                }
            }
        }

        impl ProviderFields<'_> {
            /// The name of the first field given (a non-empty list, `Some`, `true`), if any.
            fn first_set(&self) -> Option<&'static str> {
                use $crate::config::shared::IsSet as _;
                $(
                    if self.$rule.is_set() {
                        return Some(stringify!($rule));
                    }
                )*
                $(
                    if self.$key.is_set() {
                        return Some(stringify!($key));
                    }
                )*
                None
            }

            /// Sets the field of `validation` named as each rule that is given.
            fn apply_rules(&self, validation: &mut $crate::verifier::Validation) {
                use $crate::config::shared::ApplyTo as _;
                $( self.$rule.apply_to(&mut validation.$rule); )*
            }
        }
    };
}

pub(super) use provider_fields;

/// Whether a config field is given: a non-empty list, `Some`, `true`.
pub(super) trait IsSet {
    fn is_set(&self) -> bool;
}

impl<T> IsSet for Vec<T> {
    fn is_set(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> IsSet for Option<T> {
    fn is_set(&self) -> bool {
        self.is_some()
    }
}

impl IsSet for bool {
    fn is_set(&self) -> bool {
        *self
    }
}

/// How a config field sets the `Validation` field of the same name: given ([`IsSet`]), it
/// replaces the default; not given, it leaves it.
pub(super) trait ApplyTo<T> {
    fn apply_to(&self, target: &mut T);
}

/// `leeway_secs = 5` sets `leeway_secs: u64`.
impl<T: Clone> ApplyTo<T> for Option<T> {
    fn apply_to(&self, target: &mut T) {
        if let Some(value) = self {
            *target = value.clone();
        }
    }
}

/// `typ = "at+jwt"` sets `typ: Option<String>`.
impl<T: Clone> ApplyTo<Option<T>> for Option<T> {
    fn apply_to(&self, target: &mut Option<T>) {
        if self.is_some() {
            target.clone_from(self);
        }
    }
}

impl<T: Clone> ApplyTo<Vec<T>> for Vec<T> {
    fn apply_to(&self, target: &mut Vec<T>) {
        if self.is_set() {
            target.clone_from(self);
        }
    }
}

impl ApplyTo<AlgorithmSet> for Vec<Algorithm> {
    fn apply_to(&self, target: &mut AlgorithmSet) {
        if self.is_set() {
            *target = self.iter().copied().collect();
        }
    }
}

impl ApplyTo<bool> for bool {
    fn apply_to(&self, target: &mut bool) {
        if *self {
            *target = true;
        }
    }
}

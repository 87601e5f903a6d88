//! The header memo: recently verified header segments, so tokens from one issuer and key skip
//! re-parsing the header (written only after a signature verifies).

use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::token::{self, Header};

/// Parsed headers of recently verified tokens, keyed by their exact base64url text: tokens from
/// one issuer and key share a byte-identical header, so its decode, parse and checks are done
/// once. Lock-free (one atomic pointer load per lookup); an entry is stored only after a
/// signature verified under it, so junk headers cannot fill it. A hit yields exactly what a fresh
/// parse of the same bytes would, under the same (immutable) validation rules.
pub(super) struct HeaderMemo {
    slots: [ArcSwapOption<MemoEntry>; HEADER_MEMO_SLOTS],
}

pub(super) const HEADER_MEMO_SLOTS: usize = 16;

pub(super) struct MemoEntry {
    segment: Box<str>,
    header: Header,
}

impl HeaderMemo {
    pub(super) fn new() -> HeaderMemo {
        HeaderMemo {
            slots: std::array::from_fn(|_| ArcSwapOption::empty()),
        }
    }

    pub(super) fn slot(&self, segment: &str) -> Option<&ArcSwapOption<MemoEntry>> {
        // Attacker-chosen input can at worst make two headers share a slot.
        let hash = token::fingerprint(segment.as_bytes());
        let index = usize::try_from(hash % HEADER_MEMO_SLOTS as u64).unwrap_or(0);
        self.slots.get(index)
    }

    pub(super) fn get(&self, segment: &str) -> Option<Header> {
        let guard = self.slot(segment)?.load();
        guard
            .as_ref()
            .filter(|e| *e.segment == *segment)
            .map(|e| e.header.clone())
    }

    pub(super) fn put(&self, segment: &str, header: &Header) {
        if let Some(slot) = self.slot(segment) {
            slot.store(Some(Arc::new(MemoEntry {
                segment: segment.into(),
                header: header.clone(),
            })));
        }
    }
}

//! Where a request's end goes: the identity its event carries back, and the
//! sink that puts events into a context's ring.
//!
//! The engine and the operations finish requests through `Complete` alone,
//! so that they never need the context itself (which owns them).

use crate::eventfd::EventFd;
use std::sync::Arc;

/// The identity an event carries back, and the eventfd its completion
/// signals (IOCB_FLAG_RESFD).
#[derive(Clone)]
pub struct Origin {
    pub data: u64,
    pub obj: u64,
    pub resfd: Option<Arc<EventFd>>,
}

/// What takes finished requests' events: the context (its ring, its
/// waiters, the RESFD eventfd).
pub trait Complete: Send + Sync {
    /// Puts the event of the request `origin` names, with `res`, into the
    /// ring; called exactly once per accepted request.
    fn complete(&self, origin: &Origin, res: i64);
}

//! IO_CMD_POLL requests that wait for readiness, and their cancellation.
//!
//! A poll on an object that is not ready yet is armed on that object's own
//! wait list (an eventfd's `watch`): no thread waits for it, and nothing is
//! allocated per poll. Its state lives in an entry of the context's poll
//! table, allocated with the first poll (as many entries as the ring has
//! room for: `Context::reserve` bounds them). Exactly one of three parties
//! finishes an armed entry, decided by compare-and-swaps on its state:
//!
//! * the wake-up (or the arm itself, when the object is ready at once) takes
//!   ARMED to FIRED, delivers the waker's mask and frees the entry;
//! * `io_cancel` or `io_destroy` takes ARMED to CANCELLING, delivers res 0,
//!   and frees the entry when `unwatch` says the wake-up can no longer
//!   come; else it leaves CANCELLED for the wake-up under way to free;
//! * a wake-up that finds CANCELLING marks it WOKEN_LATE and leaves the
//!   freeing to the canceller (which is still reading the entry); one that
//!   finds CANCELLED frees it.

use crate::context::Context;
use crate::eventfd::EventFd;
use crate::submit::Origin;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const FREE: u32 = 0;
const ARMED: u32 = 1;
const FIRED: u32 = 2;
const CANCELLING: u32 = 3;
const CANCELLED: u32 = 4;
const WOKEN_LATE: u32 = 5;

/// Linux's POLLERR and POLLHUP: always reported, whatever was asked.
pub const ALWAYS: u32 = 0x8 | 0x10;

/// One poll waiting for readiness.
struct Entry {
    state: AtomicU32,
    /// The iocb's address, for `io_cancel` to find it; 0 when free.
    iocb: AtomicU64,
    /// The table the entry belongs to (for the wake-up, which only has the
    /// entry's address).
    table: AtomicPtr<Polls>,
    /// What the event carries and which object it waits on: written by the
    /// arming thread before ARMED is published, read by whoever finishes it.
    origin: UnsafeCell<Option<Origin>>,
    target: UnsafeCell<Option<Arc<EventFd>>>,
}

// SAFETY: `origin` and `target` are written only by the thread that owns a
// FREE entry (taken off the free list) before it publishes ARMED with
// release ordering, and read or cleared only by the one party that wins the
// compare-and-swap out of ARMED (acquire ordering), then by the one that
// frees it.
unsafe impl Sync for Entry {}
unsafe impl Send for Entry {}

/// The context's armed polls.
pub struct Polls {
    ctx: *const Context,
    entries: Box<[Entry]>,
    free: Mutex<Vec<u32>>,
    /// Entries not on the free list: `io_destroy` waits for zero.
    busy: AtomicU32,
}

// SAFETY: `ctx` points at the context that owns this table, alive while the
// table is (the context is dropped only after `io_destroy` has seen `busy`
// reach zero, and no wake-up can reach a free entry).
unsafe impl Sync for Polls {}
unsafe impl Send for Polls {}

impl Polls {
    /// A table of `capacity` entries for `ctx`.
    pub fn new(ctx: &Context, capacity: u32) -> Polls {
        let entries = (0..capacity)
            .map(|_| Entry {
                state: AtomicU32::new(FREE),
                iocb: AtomicU64::new(0),
                table: AtomicPtr::new(core::ptr::null_mut()),
                origin: UnsafeCell::new(None),
                target: UnsafeCell::new(None),
            })
            .collect();
        Polls {
            ctx,
            entries,
            free: Mutex::new((0..capacity).rev().collect()),
            busy: AtomicU32::new(0),
        }
    }

    pub fn busy(&self) -> u32 {
        self.busy.load(Ordering::SeqCst)
    }

    /// Arms a poll for `interest` (Linux POLL* bits, POLLERR and POLLHUP
    /// added) on an eventfd. Its event is delivered exactly once: now, if
    /// the eventfd is ready already, else at the wake-up or the cancel.
    /// `false`: no entry was free (the caller's ring reservation makes that
    /// impossible; it is answered with -EAGAIN all the same).
    pub fn arm(&self, origin: Origin, eventfd: Arc<EventFd>, interest: u32) -> bool {
        let Some(index) = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
            return false;
        };
        self.busy.fetch_add(1, Ordering::SeqCst);
        let entry = &self.entries[index as usize];
        let iocb = origin.obj;
        // SAFETY: the entry came off the free list: ours until ARMED.
        unsafe {
            *entry.origin.get() = Some(origin);
            *entry.target.get() = Some(eventfd.clone());
        }
        entry
            .table
            .store(self as *const Polls as *mut Polls, Ordering::Relaxed);
        entry.iocb.store(iocb, Ordering::Relaxed);
        entry.state.store(ARMED, Ordering::Release);
        let key = entry as *const Entry as usize;
        if let Err(ready) = eventfd.watch(key, interest | ALWAYS, on_wake) {
            // Ready already: finished here, as a wake-up would be.
            finish_woken(entry, ready);
        }
        true
    }

    /// `io_cancel`: cancels the armed poll of the iocb at `iocb`. Its event
    /// (res 0) is in the ring when this returns true; false when no armed
    /// poll has that iocb (never submitted, completed, or cancelled).
    pub fn cancel(&self, iocb: u64) -> bool {
        for entry in self.entries.iter() {
            if entry.iocb.load(Ordering::Acquire) == iocb && self.cancel_entry(entry) {
                return true;
            }
        }
        false
    }

    /// Cancels every armed poll (`io_destroy`).
    pub fn cancel_all(&self) {
        for entry in self.entries.iter() {
            self.cancel_entry(entry);
        }
    }

    fn cancel_entry(&self, entry: &Entry) -> bool {
        if entry
            .state
            .compare_exchange(ARMED, CANCELLING, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        // SAFETY: winning the swap out of ARMED makes the entry's fields ours
        // to read; nobody frees it while it is CANCELLING.
        let (origin, target) = unsafe {
            (
                (*entry.origin.get()).as_ref(),
                (*entry.target.get()).as_ref(),
            )
        };
        let removed = target.is_some_and(|t| t.unwatch(entry as *const Entry as usize));
        if let Some(origin) = origin {
            // SAFETY: see `Polls::ctx`.
            unsafe { &*self.ctx }.complete(origin, 0);
        }
        if removed
            || entry
                .state
                .compare_exchange(CANCELLING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
        {
            // The wake-up can no longer come, or came while we were at it
            // (WOKEN_LATE): the entry is ours to free.
            self.release(entry);
        }
        // Otherwise the wake-up under way finds CANCELLED and frees it.
        true
    }

    fn release(&self, entry: &Entry) {
        // SAFETY: only the last party touching the entry releases it.
        unsafe {
            *entry.origin.get() = None;
            *entry.target.get() = None;
        }
        entry.iocb.store(0, Ordering::Relaxed);
        let index = (entry as *const Entry as usize - self.entries.as_ptr() as usize)
            / core::mem::size_of::<Entry>();
        entry.state.store(FREE, Ordering::Release);
        self.free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(index as u32);
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The eventfd's wake-up for an armed poll: `key` is the entry's address.
fn on_wake(key: usize, mask: u32) {
    // SAFETY: the entry is armed (or cancelled and waiting for this very
    // wake-up to free it): its table and context are alive, see `Polls`.
    let entry = unsafe { &*(key as *const Entry) };
    finish_woken(entry, mask);
}

/// Finishes a poll whose object became ready with `mask`, unless it was
/// cancelled first (see the module's comment for who frees the entry).
fn finish_woken(entry: &Entry, mask: u32) {
    // SAFETY: set before ARMED was published; the table outlives the entry.
    let table = unsafe { &*entry.table.load(Ordering::Relaxed) };
    loop {
        match entry.state.load(Ordering::Acquire) {
            ARMED => {
                if entry
                    .state
                    .compare_exchange(ARMED, FIRED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    // SAFETY: winning the swap makes the fields ours.
                    if let Some(origin) = unsafe { (*entry.origin.get()).as_ref() } {
                        // SAFETY: see `Polls::ctx`.
                        unsafe { &*table.ctx }.complete(origin, i64::from(mask));
                    }
                    return table.release(entry);
                }
            }
            CANCELLING => {
                if entry
                    .state
                    .compare_exchange(CANCELLING, WOKEN_LATE, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return; // the canceller frees it
                }
            }
            CANCELLED => return table.release(entry),
            _ => return, // cannot happen: only an armed entry is woken
        }
    }
}

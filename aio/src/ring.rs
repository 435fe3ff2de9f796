//! The completion ring: the memory `io_context_t` points at.
//!
//! Its layout is Linux's `struct aio_ring` followed by `nr` events, so that
//! programs which reap in user space (fio's userspace_reap, SPDK, Seastar,
//! QEMU) read it exactly as they read the kernel's. The library produces at
//! `tail`; whoever reaps, `io_getevents` or the program itself, consumes at
//! `head`. One slot always stays empty, so `head == tail` means empty.
//!
//! Concurrency: producers are serialised by the caller and so are consumers
//! inside the library; a program that reaps in user space races with other
//! reapers exactly as it would on Linux. Header fields are accessed as
//! atomics because the program reads and writes them from C.

use crate::abi::{
    IoEvent, RingHeader, AIO_RING_COMPAT_FEATURES, AIO_RING_INCOMPAT_FEATURES, AIO_RING_MAGIC,
};
use crate::errno::{self, Errno};
use crate::user;
use core::mem::{offset_of, size_of};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};
use std::alloc::{alloc_zeroed, dealloc, Layout};

const PAGE_SIZE: usize = 4096;

/// Linux's default `/proc/sys/fs/aio-max-nr`.
pub const AIO_MAX_NR: u32 = 65536;

/// How many events the ring for `io_setup(requested)` holds, computed as
/// Linux's `ioctx_alloc` does (in unsigned 32-bit arithmetic, wrap included),
/// so that `ring->nr` and the point where `io_submit` says -EAGAIN match.
pub fn ring_entries(requested: u32, cpus: u32) -> Result<u32, Errno> {
    let mut events = requested.max(cpus.saturating_mul(4)).wrapping_mul(2);
    if events > 0x1000_0000 / size_of::<IoEvent>() as u32 {
        return Err(errno::EINVAL);
    }
    if events == 0 || requested > AIO_MAX_NR {
        return Err(errno::EAGAIN);
    }
    let bytes = size_of::<RingHeader>() + events as usize * size_of::<IoEvent>();
    let pages = bytes.div_ceil(PAGE_SIZE);
    events = ((pages * PAGE_SIZE - size_of::<RingHeader>()) / size_of::<IoEvent>()) as u32;
    Ok(events)
}

pub struct Ring {
    base: NonNull<u8>,
    nr: u32,
    layout: Layout,
}

// SAFETY: the ring is plain memory; all shared access goes through atomics
// (header) or is ordered by them (events written before `tail` is released,
// read after it is acquired).
unsafe impl Send for Ring {}
unsafe impl Sync for Ring {}

impl Ring {
    /// A zeroed, page-aligned ring of `nr` events with Linux's header.
    pub fn new(nr: u32) -> Option<Ring> {
        let bytes = size_of::<RingHeader>() + nr as usize * size_of::<IoEvent>();
        let layout = Layout::from_size_align(bytes.next_multiple_of(PAGE_SIZE), PAGE_SIZE).ok()?;
        // SAFETY: the layout has a non-zero size.
        let base = NonNull::new(unsafe { alloc_zeroed(layout) })?;
        let ring = Ring { base, nr, layout };
        let header = ring.base.as_ptr().cast::<RingHeader>();
        // SAFETY: the allocation starts with room for the header and nobody
        // else can see it yet.
        unsafe {
            header.write(RingHeader {
                id: !0,
                nr,
                head: 0,
                tail: 0,
                magic: AIO_RING_MAGIC,
                compat_features: AIO_RING_COMPAT_FEATURES,
                incompat_features: AIO_RING_INCOMPAT_FEATURES,
                header_length: size_of::<RingHeader>() as u32,
            });
        }
        Some(ring)
    }

    /// The address handed out as `io_context_t`.
    pub fn addr(&self) -> usize {
        self.base.as_ptr() as usize
    }

    /// The ring's `nr`.
    pub fn entries(&self) -> u32 {
        self.nr
    }

    /// Events the ring can hold at once: one slot always stays empty.
    pub fn capacity(&self) -> u32 {
        self.nr - 1
    }

    fn field(&self, offset: usize) -> &AtomicU32 {
        // SAFETY: `offset` is that of a u32 header field; the header lives as
        // long as `self`, and C code only ever accesses it as whole u32s.
        unsafe { AtomicU32::from_ptr(self.base.as_ptr().add(offset).cast::<u32>()) }
    }

    fn head(&self) -> &AtomicU32 {
        self.field(offset_of!(RingHeader, head))
    }

    fn tail(&self) -> &AtomicU32 {
        self.field(offset_of!(RingHeader, tail))
    }

    fn slot(&self, index: u32) -> *mut IoEvent {
        debug_assert!(index < self.nr);
        // SAFETY: in bounds of the allocation: index < nr.
        unsafe {
            self.base
                .as_ptr()
                .add(size_of::<RingHeader>())
                .cast::<IoEvent>()
                .add(index as usize)
        }
    }

    /// Events waiting to be reaped. `head` is the program's to write, so it
    /// is taken modulo `nr` as Linux does.
    pub fn len(&self) -> u32 {
        let head = self.head().load(Ordering::Acquire) % self.nr;
        let tail = self.tail().load(Ordering::Acquire) % self.nr;
        (tail + self.nr - head) % self.nr
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one event. Producers must be serialised by the caller, which
    /// also guarantees room (see `Context::reserve`); `false` means the ring
    /// was full anyway, which only a program that corrupted `head` can cause.
    pub fn push(&self, event: IoEvent) -> bool {
        let tail = self.tail().load(Ordering::Relaxed) % self.nr;
        let next = (tail + 1) % self.nr;
        if next == self.head().load(Ordering::Acquire) % self.nr {
            return false;
        }
        // SAFETY: slot `tail` is outside [head, tail), so no reaper reads it
        // until the release store below publishes it.
        unsafe { self.slot(tail).write_volatile(event) };
        self.tail().store(next, Ordering::Release);
        true
    }

    /// Copies up to `max` events to the program's memory at `out` and
    /// consumes them. Consumers inside the library must be serialised by the
    /// caller. If `out` cannot be written, nothing is consumed (as on Linux,
    /// the events stay in the ring).
    pub fn pop_to_user(&self, out: u64, max: usize) -> Result<usize, ()> {
        let mut head = self.head().load(Ordering::Acquire) % self.nr;
        let tail = self.tail().load(Ordering::Acquire) % self.nr;
        let mut taken = 0;
        while taken < max && head != tail {
            let end = if head < tail { tail } else { self.nr };
            let n = ((end - head) as usize).min(max - taken);
            let at = out.wrapping_add((taken * size_of::<IoEvent>()) as u64);
            // SAFETY: slots [head, head + n) were published by the release
            // store of the tail we acquired, and lie inside the ring.
            if !unsafe { user::write_bytes(at, self.slot(head).cast(), n * size_of::<IoEvent>()) } {
                return Err(());
            }
            head = (head + n as u32) % self.nr;
            taken += n;
        }
        if taken > 0 {
            self.head().store(head, Ordering::Release);
        }
        Ok(taken)
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        // SAFETY: allocated in `new` with this layout.
        unsafe { dealloc(self.base.as_ptr(), self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u64) -> IoEvent {
        IoEvent {
            data: n,
            obj: n * 2,
            res: n as i64,
            res2: 0,
        }
    }

    #[test]
    fn sizes_follow_linux() {
        // The values Linux 6.18 gives on a 2-CPU machine (ring->nr):
        // max(1, 8) * 2 = 16 events fit one page, which holds 127.
        assert_eq!(ring_entries(1, 2), Ok(127));
        assert_eq!(ring_entries(128, 2), Ok(383));
        assert_eq!(ring_entries(1000, 2), Ok(2047));
        assert_eq!(ring_entries(65536, 2), Ok(131199));
        assert_eq!(ring_entries(65537, 2), Err(errno::EAGAIN));
        // -1 as unsigned doubles past the overflow guard; INT_MIN wraps to 0.
        assert_eq!(ring_entries(u32::MAX, 2), Err(errno::EINVAL));
        assert_eq!(ring_entries(0x8000_0000, 2), Err(errno::EAGAIN));
        assert_eq!(ring_entries(5_000_000, 2), Err(errno::EINVAL));
    }

    #[test]
    fn header_is_linux_shaped() {
        let ring = Ring::new(127).unwrap();
        assert_eq!(ring.addr() % PAGE_SIZE, 0);
        // SAFETY: the header is initialised by `new`.
        let header = unsafe { &*(ring.addr() as *const RingHeader) };
        assert_eq!(header.nr, 127);
        assert_eq!(header.magic, AIO_RING_MAGIC);
        assert_eq!(header.compat_features, 1);
        assert_eq!(header.incompat_features, 0);
        assert_eq!(header.header_length, 32);
        assert_eq!((header.head, header.tail), (0, 0));
    }

    #[test]
    fn full_ring_refuses_and_keeps_order() {
        let ring = Ring::new(4).unwrap();
        assert!(ring.push(event(1)) && ring.push(event(2)) && ring.push(event(3)));
        assert!(!ring.push(event(4)), "one slot stays empty");
        let mut out = [IoEvent::default(); 8];
        assert_eq!(ring.pop_to_user(out.as_mut_ptr() as u64, 2), Ok(2));
        assert_eq!((out[0].data, out[1].data), (1, 2));
        assert_eq!(ring.len(), 1);
    }

    /// Any interleaving of pushes and pops behaves as a bounded FIFO queue,
    /// including after the indices wrap around.
    #[test]
    fn behaves_as_a_bounded_fifo() {
        crate::check::cases(300, |rng| {
            let nr = rng.below(2..40) as u32;
            let ring = Ring::new(nr).unwrap();
            let mut model = std::collections::VecDeque::new();
            let mut next = 0u64;
            let mut out = vec![IoEvent::default(); 8];
            for _ in 0..rng.below(1..200) {
                let count = rng.below(1..8) as usize;
                if rng.coin() {
                    for _ in 0..count {
                        let accepted = ring.push(event(next));
                        assert_eq!(accepted, model.len() < (nr - 1) as usize);
                        if accepted {
                            model.push_back(next);
                        }
                        next += 1;
                    }
                } else {
                    let taken = ring.pop_to_user(out.as_mut_ptr() as u64, count).unwrap();
                    assert_eq!(taken, count.min(model.len()));
                    for e in &out[..taken] {
                        assert_eq!(Some(e.data), model.pop_front());
                        assert_eq!(e.res, e.data as i64);
                    }
                }
                assert_eq!(ring.len() as usize, model.len());
            }
        });
    }
}

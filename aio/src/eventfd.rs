//! eventfd: Linux's event counter (`<sys/eventfd.h>`), and the process-wide
//! table of eventfd fds.
//!
//! * An eventfd fd is a number from this library's own range,
//!   `FD_BASE..FD_END` (0x48000000..0x50000000), far above anything a C
//!   runtime hands out (msvcrt stops at 2048, ucrt at 8192) and above the
//!   `io_win32_handle_fd` numbers (from `fd::HANDLE_FD_BASE`, which must stay
//!   below `FD_BASE`). The range is
//!   ABI: the header's read()/write()/close() wrappers test it inline and
//!   send only these numbers here. A freed number is reused, lowest first,
//!   as Linux reuses the lowest free fd.
//! * The counter follows fs/eventfd.c exactly: a read takes the whole sum
//!   (EFD_SEMAPHORE: 1) and blocks while it is 0; a write adds, and blocks
//!   while the sum would pass 0xfffffffffffffffe; `signal` (the kernel's
//!   `eventfd_signal`, for IOCB_FLAG_RESFD) adds without ever blocking and
//!   may reach 0xffffffffffffffff (POLLERR).
//! * The counter is one atomic word: `signal`, the completion hot path, is a
//!   compare-and-swap plus a few loads when nobody waits, never allocates and
//!   takes no lock across a system call. Threads blocked in read or write
//!   sleep on an epoch word (WaitOnAddress), woken only when one sleeps.
//! * Closing the fd removes it from the table; the object lives on while
//!   anyone holds its `Arc` (a blocked read, an armed poll, a RESFD request),
//!   as Linux's file lives on while referenced: a read blocked in one thread
//!   when another closes the fd keeps blocking, and a later write through the
//!   number is EBADF.
//! * Readiness for IO_CMD_POLL: `watch` registers a callback `fn(key, mask)`
//!   and a key. Every change calls the matching callbacks once, with the mask
//!   Linux's wake-up carries (POLLIN for a write or a signal, POLLOUT for a
//!   read), after dropping the lock, on the changing thread. Registrations
//!   live in a vector that keeps its capacity, so arming a poll allocates
//!   only when more polls wait on one eventfd at once than ever before; no
//!   thread per poll. (The alternative, RegisterWaitForSingleObject on an
//!   event, costs a thread-pool wait and wineserver calls per poll and has no
//!   way to say POLLOUT.)
//! * For the engine: `lookup(fd)` once at io_submit (the request keeps the
//!   `Arc`; `None` for a number `is_eventfd_number` accepts is a closed
//!   eventfd, EBADF), then `signal(1)` per completion.
//! * `handle()` gives an event, made on first request, that is signalled
//!   exactly while the counter is non-zero (`io_win32_eventfd_handle`). Only
//!   a change between zero and non-zero touches it, and each side re-reads
//!   the counter after its SetEvent/ResetEvent and corrects: no lock.

use crate::errno::{self, Errno};
use crate::sys;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::os::windows::io::{AsRawHandle, OwnedHandle, RawHandle};
use std::sync::atomic::{fence, AtomicU32, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// The first eventfd fd number.
pub const FD_BASE: i32 = 0x4800_0000;
/// One past the last eventfd fd number.
pub const FD_END: i32 = 0x5000_0000;

/// `eventfd()` flags, with Linux's values (the header uses the same).
pub mod flag {
    pub const SEMAPHORE: i32 = 0o1;
    pub const NONBLOCK: i32 = 0o4000;
    /// Accepted; there is no exec to close anything on.
    pub const CLOEXEC: i32 = 0o2000000;
}

/// Linux's POLL* bits, as `readiness` and the wake-ups give them.
pub mod poll {
    pub const IN: u32 = 0x1;
    pub const OUT: u32 = 0x4;
    pub const ERR: u32 = 0x8;
}

/// Too many eventfds at once (the range is full): Linux's answer when the fd
/// table is full. The Windows C runtimes have the same value.
const EMFILE: Errno = Errno(24);

/// A callback for `EventFd::watch`: called with the key it was registered
/// with and the mask of the wake-up.
pub type Wake = fn(key: usize, mask: u32);

// The counter rules, as pure functions of the count.

/// What a read takes from `count`: the whole sum, or 1 in semaphore mode;
/// `None` while it is empty.
fn read_amount(count: u64, semaphore: bool) -> Option<u64> {
    match count {
        0 => None,
        _ if semaphore => Some(1),
        _ => Some(count),
    }
}

/// Whether a write of `value` fits now: the sum must stay at most
/// 0xfffffffffffffffe (fs/eventfd.c: `ULLONG_MAX - count > value`).
fn write_fits(count: u64, value: u64) -> bool {
    u64::MAX - count > value
}

/// Linux's poll mask for `count`.
fn readiness_of(count: u64) -> u32 {
    let mut mask = 0;
    if count > 0 {
        mask |= poll::IN;
    }
    if count == u64::MAX {
        mask |= poll::ERR;
    }
    if count < u64::MAX - 1 {
        mask |= poll::OUT;
    }
    mask
}

/// One registration of `watch`.
#[derive(Clone, Copy)]
struct Watch {
    key: usize,
    interest: u32,
    wake: Wake,
    /// `Watchers::wakes` when registered: only later wake-ups fire it.
    since: u64,
}

#[derive(Default)]
struct Watchers {
    list: Vec<Watch>,
    /// Wake-ups so far.
    wakes: u64,
}

/// Fired callbacks are called in batches of this many, outside the lock.
const WAKE_BATCH: usize = 16;

/// The event behind `handle()`.
struct Event {
    /// Ours, to set and reset.
    event: OwnedHandle,
    /// A SYNCHRONIZE-only duplicate for the program: it can wait on it but
    /// not change its state.
    waitable: OwnedHandle,
}

/// One eventfd.
pub struct EventFd {
    count: AtomicU64,
    semaphore: bool,
    nonblocking: bool,
    /// Bumped at each change while `sleepers` is non-zero; threads blocked in
    /// `read` and `write` sleep on it.
    epoch: AtomicU32,
    sleepers: AtomicU32,
    watchers: Mutex<Watchers>,
    /// `watchers.list.len()`, read without the lock on the hot path.
    watching: AtomicUsize,
    event: OnceLock<Event>,
}

impl EventFd {
    /// `eventfd(initval, flags)`'s object; unknown flag bits are EINVAL.
    pub fn new(initval: u32, flags: i32) -> Result<EventFd, Errno> {
        if flags & !(flag::SEMAPHORE | flag::NONBLOCK | flag::CLOEXEC) != 0 {
            return Err(errno::EINVAL);
        }
        Ok(EventFd {
            count: AtomicU64::new(u64::from(initval)),
            semaphore: flags & flag::SEMAPHORE != 0,
            nonblocking: flags & flag::NONBLOCK != 0,
            epoch: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
            // Room for a few polls at once without allocating when one is armed.
            watchers: Mutex::new(Watchers {
                list: Vec::with_capacity(4),
                wakes: 0,
            }),
            watching: AtomicUsize::new(0),
            event: OnceLock::new(),
        })
    }

    /// read(2) of 8 bytes: the sum, reset to 0 (semaphore mode: 1, taken off
    /// it). An empty counter is EAGAIN when nonblocking; otherwise the call
    /// sleeps until a write or signal makes it non-zero.
    pub fn read(&self) -> Result<u64, Errno> {
        self.read_with(false)
    }

    /// `read`, nonblocking also when `nowait` (RWF_NOWAIT) is set.
    pub fn read_with(&self, nowait: bool) -> Result<u64, Errno> {
        loop {
            let mut count = self.count.load(SeqCst);
            while let Some(take) = read_amount(count, self.semaphore) {
                match self
                    .count
                    .compare_exchange_weak(count, count - take, SeqCst, SeqCst)
                {
                    Ok(_) => {
                        self.changed(count, count - take, poll::OUT);
                        return Ok(take);
                    }
                    Err(now) => count = now,
                }
            }
            if self.nonblocking || nowait {
                return Err(errno::EAGAIN);
            }
            self.sleep_unless(|count| count != 0);
        }
    }

    /// write(2) of `value`: adds it. 0xffffffffffffffff is EINVAL; a sum past
    /// 0xfffffffffffffffe is EAGAIN when nonblocking, otherwise the call
    /// sleeps until reads make room.
    pub fn write(&self, value: u64) -> Result<(), Errno> {
        if value == u64::MAX {
            return Err(errno::EINVAL);
        }
        loop {
            let mut count = self.count.load(SeqCst);
            while write_fits(count, value) {
                match self
                    .count
                    .compare_exchange_weak(count, count + value, SeqCst, SeqCst)
                {
                    Ok(_) => {
                        self.changed(count, count + value, poll::IN);
                        return Ok(());
                    }
                    Err(now) => count = now,
                }
            }
            if self.nonblocking {
                return Err(errno::EAGAIN);
            }
            self.sleep_unless(|count| write_fits(count, value));
        }
    }

    /// Linux's `eventfd_signal(ctx, n)`: adds `n`, up to 0xffffffffffffffff
    /// (where poll reports POLLERR), and wakes with POLLIN. Never blocks,
    /// never allocates, holds no lock across a system call: for use once per
    /// completion. Watch callbacks run on the calling thread.
    pub fn signal(&self, n: u64) {
        let before = self
            .count
            .fetch_update(SeqCst, SeqCst, |count| Some(count.saturating_add(n)))
            .unwrap_or_else(|count| count);
        self.changed(before, before.saturating_add(n), poll::IN);
    }

    /// Linux's poll mask now: POLLIN while non-zero, POLLOUT while below
    /// 0xfffffffffffffffe, POLLERR at 0xffffffffffffffff.
    pub fn readiness(&self) -> u32 {
        readiness_of(self.count.load(SeqCst))
    }

    /// Registers `wake(key, mask)` for the next wake-up whose mask meets
    /// `interest` (Linux POLL* bits; a poll passes its events | POLLERR |
    /// POLLHUP). One-shot: a fired registration is gone. If the eventfd is
    /// ready for `interest` already, nothing is registered and
    /// `Err(readiness & interest)` says so; then the caller completes at once.
    ///
    /// As with Linux's wake-ups, the callback's mask is the waker's, not the
    /// state after it: POLLIN for every write (even of 0) and signal, POLLOUT
    /// for every read. It runs without any lock of this eventfd held, on the
    /// thread that changed the counter (a program's write(), or whichever
    /// thread calls `signal`); it may call back into this eventfd.
    pub fn watch(&self, key: usize, interest: u32, wake: Wake) -> Result<(), u32> {
        let mut watchers = self.watchers.lock().unwrap_or_else(|e| e.into_inner());
        let since = watchers.wakes;
        watchers.list.push(Watch {
            key,
            interest,
            wake,
            since,
        });
        // Published before the counter is read: a change made after this
        // read sees the registration (`notify`), one made before is seen here.
        self.watching.store(watchers.list.len(), SeqCst);
        let ready = self.readiness() & interest;
        if ready != 0 {
            watchers.list.pop();
            self.watching.store(watchers.list.len(), SeqCst);
            return Err(ready);
        }
        Ok(())
    }

    /// Removes the registration with `key`: true if it was still there (its
    /// callback will not be called), false if it fired already (its callback
    /// has been or is being called) or never was.
    pub fn unwatch(&self, key: usize) -> bool {
        let mut watchers = self.watchers.lock().unwrap_or_else(|e| e.into_inner());
        let Some(at) = watchers.list.iter().position(|w| w.key == key) else {
            return false;
        };
        watchers.list.swap_remove(at);
        self.watching.store(watchers.list.len(), SeqCst);
        true
    }

    /// The event signalled exactly while the counter is non-zero (a
    /// SYNCHRONIZE-only handle: waitable, not settable), made on first
    /// request; it lives as long as this object.
    pub fn handle(&self) -> Result<RawHandle, Errno> {
        if let Some(event) = self.event.get() {
            return Ok(event.waitable.as_raw_handle());
        }
        let made = win::event().map_err(errno::from_win32)?;
        let event = self.event.get_or_init(|| made);
        // Changes made before the event was published did not sync it (they
        // saw none): sync now. The fence pairs with the one in `changed`.
        fence(SeqCst);
        self.sync_event(event);
        Ok(event.waitable.as_raw_handle())
    }

    /// After the counter went from `before` to `after`: wakes sleepers,
    /// fires watchers with `mask`, keeps the event in step.
    fn changed(&self, before: u64, after: u64, mask: u32) {
        if self.sleepers.load(SeqCst) != 0 {
            self.epoch.fetch_add(1, SeqCst);
            sys::wake_all(&self.epoch);
        }
        if self.watching.load(SeqCst) != 0 {
            self.notify(mask);
        }
        if (before == 0) != (after == 0) {
            fence(SeqCst);
            if let Some(event) = self.event.get() {
                self.sync_event(event);
            }
        }
    }

    /// Sleeps until `ready(count)` may hold (spurious returns happen: the
    /// caller loops).
    fn sleep_unless(&self, ready: impl Fn(u64) -> bool) {
        self.sleepers.fetch_add(1, SeqCst);
        let epoch = self.epoch.load(SeqCst);
        // A change after this load bumps the epoch (it sees the sleeper), so
        // the wait returns at once; one before it is seen here.
        if !ready(self.count.load(SeqCst)) {
            sys::wait_on(&self.epoch, epoch, None);
        }
        self.sleepers.fetch_sub(1, SeqCst);
    }

    /// Fires, once each, the registrations made before this wake-up whose
    /// interest meets `mask`; callbacks run outside the lock.
    fn notify(&self, mask: u32) {
        let mut wake_no = None;
        loop {
            let mut fired = [None::<Watch>; WAKE_BATCH];
            let mut n = 0;
            {
                let mut watchers = self.watchers.lock().unwrap_or_else(|e| e.into_inner());
                let this = *wake_no.get_or_insert_with(|| {
                    watchers.wakes += 1;
                    watchers.wakes
                });
                let mut i = 0;
                while i < watchers.list.len() && n < WAKE_BATCH {
                    let w = watchers.list[i];
                    if w.since < this && w.interest & mask != 0 {
                        watchers.list.swap_remove(i);
                        fired[n] = Some(w);
                        n += 1;
                    } else {
                        i += 1;
                    }
                }
                self.watching.store(watchers.list.len(), SeqCst);
            }
            for w in fired.iter().flatten() {
                (w.wake)(w.key, mask);
            }
            if n < WAKE_BATCH {
                return;
            }
        }
    }

    /// Sets or resets the event to match the counter, re-reading the counter
    /// after each call until they agree: whichever thread calls last leaves
    /// the state the counter then has.
    fn sync_event(&self, event: &Event) {
        let mut nonzero = self.count.load(SeqCst) != 0;
        loop {
            win::set_event(&event.event, nonzero);
            let now = self.count.load(SeqCst) != 0;
            if now == nonzero {
                return;
            }
            nonzero = now;
        }
    }
}

/// The eventfds by number: slot `fd - FD_BASE`.
#[derive(Default)]
struct Table {
    slots: Vec<Option<Arc<EventFd>>>,
    /// Free slots below `slots.len()`, lowest first.
    free: BinaryHeap<Reverse<usize>>,
}

impl Table {
    fn insert(&mut self, eventfd: Arc<EventFd>) -> Result<i32, Errno> {
        let slot = match self.free.pop() {
            Some(Reverse(slot)) => slot,
            None if self.slots.len() < (FD_END - FD_BASE) as usize => {
                self.slots.push(None);
                self.slots.len() - 1
            }
            None => return Err(EMFILE),
        };
        self.slots[slot] = Some(eventfd);
        Ok(FD_BASE + slot as i32)
    }

    fn get(&self, fd: i32) -> Option<&Arc<EventFd>> {
        let slot = usize::try_from(fd.checked_sub(FD_BASE)?).ok()?;
        self.slots.get(slot)?.as_ref()
    }

    fn remove(&mut self, fd: i32) -> Option<Arc<EventFd>> {
        let slot = usize::try_from(fd.checked_sub(FD_BASE)?).ok()?;
        let eventfd = self.slots.get_mut(slot)?.take()?;
        self.free.push(Reverse(slot));
        Some(eventfd)
    }
}

fn table() -> &'static RwLock<Table> {
    static TABLE: OnceLock<RwLock<Table>> = OnceLock::new();
    TABLE.get_or_init(Default::default)
}

/// `eventfd(initval, flags)`: the new eventfd's fd.
pub fn create(initval: u32, flags: i32) -> Result<i32, Errno> {
    let eventfd = Arc::new(EventFd::new(initval, flags)?);
    table()
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(eventfd)
}

/// The eventfd behind `fd`, if it is an open one.
pub fn lookup(fd: i32) -> Option<Arc<EventFd>> {
    table()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(fd)
        .cloned()
}

/// Whether `fd` is in the eventfd range, open or not: an fd there that
/// `lookup` does not find is a closed eventfd (EBADF), not another kind of
/// file.
pub fn is_eventfd_number(fd: i32) -> bool {
    (FD_BASE..FD_END).contains(&fd)
}

/// close(2) of an eventfd: the number is free again; the object lives on
/// while anyone else holds it.
pub fn close(fd: i32) -> Result<(), Errno> {
    let eventfd = table()
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .remove(fd)
        .ok_or(errno::EBADF)?;
    // Dropped here, outside the lock: the last reference closes handles.
    drop(eventfd);
    Ok(())
}

/// The event of `fd` (`io_win32_eventfd_handle`): EBADF if `fd` is not an
/// open eventfd.
pub fn handle_fd(fd: i32) -> Result<RawHandle, Errno> {
    lookup(fd).ok_or(errno::EBADF)?.handle()
}

/// read(2) on an eventfd fd into the program's `len` bytes at `buf`: 8 (a
/// bigger buffer gets 8 bytes), or Linux's error (EBADF, EINVAL under 8
/// bytes, EAGAIN, EFAULT after the value was taken, as Linux's copy happens
/// after the read).
pub fn read_fd(fd: i32, buf: u64, len: u64) -> Result<u32, Errno> {
    let eventfd = lookup(fd).ok_or(errno::EBADF)?;
    if len < 8 {
        return Err(errno::EINVAL);
    }
    let value = eventfd.read()?;
    if !crate::user::write(buf, value) {
        return Err(errno::EFAULT);
    }
    Ok(8)
}

/// write(2) on an eventfd fd of the program's `len` bytes at `buf`: 8, or
/// Linux's error (EBADF; EINVAL unless exactly 8 bytes, or for
/// 0xffffffffffffffff; EFAULT; EAGAIN). Linux 6.18 refuses any other length
/// for a write, where a read of more than 8 bytes reads 8.
pub fn write_fd(fd: i32, buf: u64, len: u64) -> Result<u32, Errno> {
    let eventfd = lookup(fd).ok_or(errno::EBADF)?;
    if len != 8 {
        return Err(errno::EINVAL);
    }
    let value: u64 = crate::user::read(buf).ok_or(errno::EFAULT)?;
    eventfd.write(value)?;
    Ok(8)
}

/// The few Win32 calls the event needs.
mod win {
    use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
    use windows_sys::Win32::Foundation::{DuplicateHandle, GetLastError, HANDLE};
    use windows_sys::Win32::Storage::FileSystem::SYNCHRONIZE;
    use windows_sys::Win32::System::Threading::{
        CreateEventW, GetCurrentProcess, ResetEvent, SetEvent,
    };

    /// A manual-reset event, unsignalled, with a wait-only duplicate.
    pub(super) fn event() -> Result<super::Event, u32> {
        // SAFETY: no security attributes and no name; a fresh handle or NULL.
        let h = unsafe { CreateEventW(core::ptr::null(), 1, 0, core::ptr::null()) };
        if h.is_null() {
            // SAFETY: reads a thread-local value.
            return Err(unsafe { GetLastError() });
        }
        // SAFETY: a fresh handle we own.
        let event = unsafe { OwnedHandle::from_raw_handle(h as RawHandle) };
        let mut dup: HANDLE = core::ptr::null_mut();
        // SAFETY: duplicates our live handle within this process into `dup`.
        let ok = unsafe {
            DuplicateHandle(
                GetCurrentProcess(),
                event.as_raw_handle() as HANDLE,
                GetCurrentProcess(),
                &mut dup,
                SYNCHRONIZE,
                0,
                0,
            )
        };
        if ok == 0 {
            // SAFETY: reads a thread-local value.
            return Err(unsafe { GetLastError() });
        }
        Ok(super::Event {
            event,
            // SAFETY: a fresh handle we own.
            waitable: unsafe { OwnedHandle::from_raw_handle(dup as RawHandle) },
        })
    }

    pub(super) fn set_event(event: &OwnedHandle, signalled: bool) {
        // SAFETY: plain calls on a live event handle of ours.
        unsafe {
            if signalled {
                SetEvent(event.as_raw_handle() as HANDLE);
            } else {
                ResetEvent(event.as_raw_handle() as HANDLE);
            }
        }
    }

    /// Whether `handle` is signalled now (a zero-timeout wait).
    #[cfg(test)]
    pub(super) fn is_signalled(handle: RawHandle) -> bool {
        use windows_sys::Win32::System::Threading::WaitForSingleObject;
        // SAFETY: a plain wait on a live handle.
        unsafe { WaitForSingleObject(handle as HANDLE, 0) == 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// Linux's rules, written as plainly as fs/eventfd.c states them, on a
    /// 128-bit count so that overflow cannot hide.
    struct Model {
        count: u128,
        semaphore: bool,
    }

    const MAX: u128 = u64::MAX as u128;

    impl Model {
        fn read(&mut self) -> Result<u64, Errno> {
            if self.count == 0 {
                return Err(errno::EAGAIN);
            }
            let take = if self.semaphore { 1 } else { self.count };
            self.count -= take;
            Ok(take as u64)
        }
        fn write(&mut self, value: u64) -> Result<(), Errno> {
            if u128::from(value) == MAX {
                return Err(errno::EINVAL);
            }
            if self.count + u128::from(value) > MAX - 1 {
                return Err(errno::EAGAIN);
            }
            self.count += u128::from(value);
            Ok(())
        }
        fn signal(&mut self, n: u64) {
            self.count = (self.count + u128::from(n)).min(MAX);
        }
        fn readiness(&self) -> u32 {
            let mut mask = 0;
            if self.count > 0 {
                mask |= poll::IN;
            }
            if self.count == MAX {
                mask |= poll::ERR;
            }
            if self.count < MAX - 1 {
                mask |= poll::OUT;
            }
            mask
        }
    }

    /// Values that sit on the rules' edges more often than chance would.
    fn value(rng: &mut check::Rng) -> u64 {
        match rng.below(0..8) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            3 => u64::MAX - 1,
            4 => u64::MAX - rng.below(0..4),
            5 => rng.below(0..1000),
            6 => 1 << rng.below(0..64),
            _ => rng.next_u64(),
        }
    }

    #[test]
    fn counter_follows_linux_rules() {
        check::cases(300, |rng| {
            let semaphore = rng.coin();
            let initval = match rng.below(0..3) {
                0 => 0,
                1 => u32::MAX,
                _ => rng.next_u64() as u32,
            };
            let flags = flag::NONBLOCK | if semaphore { flag::SEMAPHORE } else { 0 };
            let efd = EventFd::new(initval, flags).unwrap();
            let mut model = Model {
                count: u128::from(initval),
                semaphore,
            };
            for step in 0..60 {
                match rng.below(0..4) {
                    0 => assert_eq!(efd.read(), model.read(), "read at step {step}"),
                    1 => {
                        let v = value(rng);
                        assert_eq!(efd.write(v), model.write(v), "write {v:#x} at step {step}");
                    }
                    2 => {
                        let n = value(rng);
                        efd.signal(n);
                        model.signal(n);
                    }
                    _ => {}
                }
                assert_eq!(
                    efd.readiness(),
                    model.readiness(),
                    "readiness at step {step}"
                );
                assert_eq!(u128::from(efd.count.load(SeqCst)), model.count);
            }
        });
    }

    #[test]
    fn flags_outside_the_three_are_einval() {
        for bit in 0..32 {
            let f = 1i32 << bit;
            let known = f == flag::SEMAPHORE || f == flag::NONBLOCK || f == flag::CLOEXEC;
            assert_eq!(EventFd::new(0, f).is_ok(), known, "flag bit {bit}");
        }
        assert!(EventFd::new(7, flag::SEMAPHORE | flag::NONBLOCK | flag::CLOEXEC).is_ok());
    }

    #[test]
    fn table_reuses_the_lowest_free_number() {
        let mut t = Table::default();
        let mk = || Arc::new(EventFd::new(0, 0).unwrap());
        let a = t.insert(mk()).unwrap();
        let b = t.insert(mk()).unwrap();
        let c = t.insert(mk()).unwrap();
        assert_eq!((a, b, c), (FD_BASE, FD_BASE + 1, FD_BASE + 2));
        assert!(t.remove(c).is_some() && t.remove(a).is_some());
        assert!(t.remove(a).is_none(), "closed twice");
        assert!(t.get(a).is_none() && t.get(b).is_some());
        assert_eq!(t.insert(mk()).unwrap(), a);
        assert_eq!(t.insert(mk()).unwrap(), c);
        assert_eq!(t.insert(mk()).unwrap(), FD_BASE + 3);
        for fd in [-1, 0, 3, FD_BASE - 1, FD_END, i32::MIN, i32::MAX] {
            assert!(t.get(fd).is_none(), "{fd:#x}");
        }
    }

    #[test]
    fn closed_numbers_are_ebadf_and_objects_outlive_them() {
        let fd = create(1, 0).unwrap();
        assert!(is_eventfd_number(fd));
        let held = lookup(fd).unwrap();
        close(fd).unwrap();
        assert!(lookup(fd).is_none_or(|other| !Arc::ptr_eq(&other, &held)));
        assert_eq!(close(-1), Err(errno::EBADF));
        assert_eq!(held.read(), Ok(1));
    }

    /// Runs `f` on a thread and waits (up to 10 s) until `blocked` sees it
    /// asleep in the eventfd, then returns its handle.
    fn blocked_in(
        efd: &Arc<EventFd>,
        f: impl FnOnce(&EventFd) -> Result<u64, Errno> + Send + 'static,
    ) -> std::thread::JoinHandle<Result<u64, Errno>> {
        let e = efd.clone();
        let t = std::thread::spawn(move || f(&e));
        for _ in 0..1000 {
            if efd.sleepers.load(SeqCst) != 0 {
                return t;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the thread never blocked");
    }

    #[test]
    fn blocked_read_wakes_on_write_and_on_signal() {
        let efd = Arc::new(EventFd::new(0, 0).unwrap());
        let reader = blocked_in(&efd, |e| e.read());
        efd.write(5).unwrap();
        assert_eq!(reader.join().unwrap(), Ok(5));
        // Closed while blocked, as Linux keeps the file: the held object
        // still wakes on a signal (a RESFD request holding it).
        let fd = create(0, 0).unwrap();
        let efd = lookup(fd).unwrap();
        let reader = blocked_in(&efd, |e| e.read());
        close(fd).unwrap();
        efd.signal(1);
        assert_eq!(reader.join().unwrap(), Ok(1));
    }

    #[test]
    fn blocked_write_wakes_on_read() {
        let efd = Arc::new(EventFd::new(0, 0).unwrap());
        efd.write(u64::MAX - 2).unwrap();
        let writer = blocked_in(&efd, |e| e.write(2).map(|()| 0));
        assert_eq!(efd.read(), Ok(u64::MAX - 2));
        assert_eq!(writer.join().unwrap(), Ok(0));
        assert_eq!(efd.read(), Ok(2));
    }

    static FIRED: AtomicUsize = AtomicUsize::new(0);
    static LAST_MASK: AtomicU32 = AtomicU32::new(0);
    fn record(key: usize, mask: u32) {
        FIRED.fetch_add(key, SeqCst);
        LAST_MASK.store(mask, SeqCst);
    }

    #[test]
    fn watchers_fire_once_with_the_wakers_mask() {
        let efd = EventFd::new(0, flag::NONBLOCK).unwrap();
        // Ready at arm: nothing registered.
        assert_eq!(efd.watch(1, poll::OUT | poll::ERR, record), Err(poll::OUT));
        assert_eq!(efd.watch(100, poll::IN | poll::ERR, record), Ok(()));
        assert_eq!(efd.watch(1000, poll::IN, record), Ok(()));
        assert_eq!(efd.watch(10_000, poll::IN, record), Ok(()));
        assert!(efd.unwatch(10_000));
        assert!(!efd.unwatch(10_000));
        efd.signal(1);
        assert_eq!(FIRED.load(SeqCst), 1100);
        assert_eq!(LAST_MASK.load(SeqCst), poll::IN);
        assert!(!efd.unwatch(100), "fired registrations are gone");
        assert_eq!(efd.watching.load(SeqCst), 0);
        // Full (0xfffffffffffffffe): not writable. A write's wake-up is
        // POLLIN, which a POLLOUT watcher ignores; a read's is POLLOUT.
        efd.write(u64::MAX - 2).unwrap();
        assert_eq!(efd.readiness(), poll::IN);
        assert_eq!(efd.watch(5, poll::OUT, record), Ok(()));
        efd.write(0).unwrap();
        assert_eq!(FIRED.load(SeqCst), 1100);
        efd.read().unwrap();
        assert_eq!(FIRED.load(SeqCst), 1105);
        assert_eq!(LAST_MASK.load(SeqCst), poll::OUT);
        // More than a batch's worth all fire, and a write of 0 wakes as
        // Linux's does.
        for _ in 0..40 {
            efd.watch(1 << 20, poll::IN, record).unwrap();
        }
        efd.write(0).unwrap();
        assert_eq!(FIRED.load(SeqCst), 1105 + 40 * (1 << 20));
        assert_eq!(efd.watching.load(SeqCst), 0);
    }

    #[test]
    fn event_is_signalled_exactly_while_non_zero() {
        let efd = EventFd::new(2, flag::NONBLOCK | flag::SEMAPHORE).unwrap();
        let h = efd.handle().unwrap();
        assert_eq!(efd.handle().unwrap(), h, "one event per eventfd");
        assert!(win::is_signalled(h));
        efd.read().unwrap();
        assert!(win::is_signalled(h));
        efd.read().unwrap();
        assert!(!win::is_signalled(h));
        efd.signal(1);
        assert!(win::is_signalled(h));
        efd.read().unwrap();
        assert!(!win::is_signalled(h));
        // Threads racing between zero and non-zero leave it right.
        let efd = Arc::new(EventFd::new(0, flag::NONBLOCK).unwrap());
        let h = efd.handle().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|i| {
                let e = efd.clone();
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        if i % 2 == 0 {
                            e.signal(1);
                        } else {
                            let _ = e.read();
                        }
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(win::is_signalled(h), efd.count.load(SeqCst) != 0);
        let _ = efd.read();
        assert!(!win::is_signalled(h));
    }
}

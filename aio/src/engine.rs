//! The engine: request slots, the completion port, and the threads that
//! finish what `io_submit` started.
//!
//! Every request that does not complete inside `io_submit` lives in a slot
//! allocated at setup, and is carried out through `op::Operation` alone:
//! the engine never knows which kind of operation a slot holds. How it
//! started decides what ends it:
//!
//! * an overlapped NT call (reads and writes, AFD polls on sockets): its
//!   completion packet. Windows and Wine answer a call in several ways, and
//!   each must yield exactly one event:
//!   - pending: one packet follows;
//!   - done at once (a success status, or pending with the OVERLAPPED
//!     already filled in, as Wine does for files): one packet follows all
//!     the same, but the completion is taken at once (the event goes into
//!     the ring before `io_submit` returns), and the slot is parked until
//!     that packet comes;
//!   - failed at once: Windows queues no packet, Wine queues one. The event
//!     is delivered at once and a fence packet of our own is posted behind
//!     any stray one: the fence frees the slot, so a stray packet can never
//!     meet a reused slot;
//! * an arm on a wake-up list (polls on eventfds): the wake-up, on the
//!   waking thread, or a cancel;
//! * a rechecked arm (polls on pipes, which have no wake-up): the completion
//!   thread asks again every millisecond while any is armed;
//! * blocking work (fsync): the context's job thread.
//!
//! One completion port serves the whole process, with one thread draining
//! it: a handle can be bound to only one port in its life, and the program's
//! own handles (pipes, sockets) may serve several contexts one after
//! another. A packet finds its slot through its OVERLAPPED, which is checked
//! against the live engines' slot ranges first: a program's own OVERLAPPED
//! on a handle it also gave us is never mistaken for a slot.
//!
//! A slot's `state` holds a phase and a generation (bumped on every reuse,
//! so a late compare-and-swap can never hit the next request). The phase says
//! who owns the slot's operation and OVERLAPPED:
//!
//! | phase       | owner                                   | a packet or wake-up for it |
//! |-------------|-----------------------------------------|----------------------------|
//! | FREE        | the free list                           | (cannot come)              |
//! | ISSUING     | the thread inside `start`               | marks PACKET_SEEN          |
//! | PACKET_SEEN | that same thread, after `start`         | (cannot come)              |
//! | PENDING     | nobody: waiting for the packet          | the receiver takes BUSY    |
//! | BUSY        | the thread completing it                | (cannot come)              |
//! | DELIVERED   | nobody: event out, waiting for a packet | frees the slot             |
//! | FENCED      | nobody: event out, waiting for the fence| stray: ignored; fence: frees |
//! | JOB         | the job thread                          | (not on this port)         |
//! | ARMED       | nobody: waiting for a wake-up           | the waker takes BUSY       |
//! | CANCELLING  | the canceller, delivering res 0         | marks WOKEN_LATE           |
//! | CANCELLED   | nobody: a wake-up under way frees it    | frees the slot             |
//! | WOKEN_LATE  | the canceller, which then frees it      | (cannot come)              |
//!
//! Cancellable requests (polls) are also in the engine's index by iocb
//! address, from slot taken to slot freed, for `io_cancel`.
//!
//! The operations run inside a panic boundary: a panic in one fails that
//! request with -EIO, and the thread (the completion thread serves every
//! context in the process) goes on.

use crate::completion::{Complete, Origin};
use crate::errno::{self, status, Errno};
use crate::op::{Op, Operation, SlotRef, Start, Step};
use crate::sys::{self, Packet, Port};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::collections::HashMap;
use std::os::windows::io::{AsRawHandle, OwnedHandle, RawHandle};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::thread::JoinHandle;
use windows_sys::Win32::System::IO::OVERLAPPED;

const FREE: u32 = 0;
const ISSUING: u32 = 1;
const PACKET_SEEN: u32 = 2;
const PENDING: u32 = 3;
const BUSY: u32 = 4;
const DELIVERED: u32 = 5;
const FENCED: u32 = 6;
const JOB: u32 = 7;
const ARMED: u32 = 8;
const CANCELLING: u32 = 9;
const CANCELLED: u32 = 10;
const WOKEN_LATE: u32 = 11;
const PHASE_BITS: u32 = 4;

fn phase(state: u32) -> u32 {
    state & ((1 << PHASE_BITS) - 1)
}

fn with_phase(state: u32, phase: u32) -> u32 {
    (state & !((1 << PHASE_BITS) - 1)) | phase
}

/// Slot flags.
/// `io_cancel` (or `io_destroy`) asked for the request's end.
const CANCEL_REQUESTED: u32 = 1;
/// Armed with `Start::Rechecked`: the completion thread asks again.
const RECHECKED: u32 = 2;
/// In the engine's index of cancellable requests.
const INDEXED: u32 = 4;
/// The completion of the call in flight was already taken when the call
/// returned (done at once, more to move): its packet only starts the next.
const ACCOUNTED: u32 = 8;

/// Completion keys on the I/O port.
const KEY_IO: usize = 1;
const KEY_FENCE: usize = 2;
const KEY_STOP: usize = 3;
/// Wakes the completion thread into its recheck rhythm (no OVERLAPPED).
const KEY_NUDGE: usize = 4;

/// How often armed pipe polls are asked again.
const RECHECK_MS: u32 = 1;

/// The process-wide completion port, its thread, and the live engines'
/// slot ranges for routing packets.
struct Completions {
    port: Port,
    engines: RwLock<Vec<Route>>,
    /// Handles bound to the port. A handle stays bound for life and a second
    /// binding fails, so this tells "bound to us" from "bound to another
    /// port". A value closed and reused since binds afresh.
    bound: Mutex<std::collections::HashSet<usize>>,
    /// Rechecked polls armed in all engines: while any is, the completion
    /// thread wakes every `RECHECK_MS` to ask again.
    rechecked: AtomicU32,
    /// The AFD helper that carries polls on sockets, opened with the first
    /// and bound to the port for life.
    afd: OnceLock<Option<OwnedHandle>>,
}

#[derive(Clone, Copy)]
struct Route {
    slots_start: usize,
    slots_end: usize,
    engine: *const Engine,
}

// SAFETY: the pointer is only dereferenced while the engine has a slot in
// use (a packet or wake-up for it), or while counted in its `visitors`; an
// engine leaves the table only once all its slots are free (`Engine::stop`),
// then waits for its visitors, before its context can be dropped.
unsafe impl Send for Route {}
unsafe impl Sync for Route {}

fn completions() -> Option<&'static Completions> {
    static COMPLETIONS: OnceLock<Option<Completions>> = OnceLock::new();
    COMPLETIONS
        .get_or_init(|| {
            Some(Completions {
                port: Port::new()?,
                engines: RwLock::new(Vec::new()),
                bound: Mutex::new(Default::default()),
                rechecked: AtomicU32::new(0),
                afd: OnceLock::new(),
            })
        })
        .as_ref()
}

/// The route whose slot range holds `addr`.
fn route_of(c: &Completions, addr: usize) -> Option<Route> {
    c.engines
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|r| (r.slots_start..r.slots_end).contains(&addr))
        .copied()
}

/// The completion thread runs while any engine exists: the process's thread
/// count goes back to what it was once the last context is destroyed. (The
/// port itself stays: handles bound to it stay bound for life.)
struct CompletionThread {
    engines: u32,
    thread: Option<JoinHandle<()>>,
}

fn completion_thread_state() -> &'static Mutex<CompletionThread> {
    static STATE: Mutex<CompletionThread> = Mutex::new(CompletionThread {
        engines: 0,
        thread: None,
    });
    &STATE
}

/// Counts one more engine, starting the completion thread for the first.
fn acquire_completion_thread() -> bool {
    let mut state = completion_thread_state()
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if state.thread.is_none() {
        match std::thread::Builder::new()
            .name("aio-completion".into())
            .spawn(completion_thread)
        {
            Ok(thread) => state.thread = Some(thread),
            Err(_) => return false,
        }
    }
    state.engines += 1;
    true
}

/// Counts one engine less, stopping the completion thread after the last.
/// Lifecycle only (`io_destroy`), never on the I/O path: the join under the
/// lock keeps a new engine from starting a second thread meanwhile.
fn release_completion_thread() {
    let mut state = completion_thread_state()
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    state.engines -= 1;
    if state.engines > 0 {
        return;
    }
    if let (Some(c), Some(thread)) = (completions(), state.thread.take()) {
        if c.port.post(KEY_STOP, core::ptr::null_mut()) {
            let _ = thread.join();
        } else {
            // Could not ask it to stop: leave it running, as before.
            state.thread = Some(thread);
        }
    }
}

/// What a slot carries out: the operation, and whose event it ends in.
struct Work {
    origin: Origin,
    op: Op,
}

/// One request slot. `repr(C)` with the OVERLAPPED first: a packet's
/// OVERLAPPED pointer is the slot's address, and so is a wake-up's key.
#[repr(C)]
struct Slot {
    overlapped: UnsafeCell<OVERLAPPED>,
    state: AtomicU32,
    flags: AtomicU32,
    /// The handle of the call in flight (for cancelling it by OVERLAPPED at
    /// any time), or of a rechecked poll.
    handle: AtomicUsize,
    /// A rechecked poll's interest and check function.
    interest: AtomicU32,
    check: AtomicUsize,
    /// The mask of a wake-up that came while the operation was starting.
    woken: AtomicU32,
    /// The iocb's address while the slot is in the index.
    iocb: AtomicU64,
    /// The next slot in the index with the same iocb address (a program may
    /// submit one iocb again while it is in flight), or `NONE`.
    next_same: AtomicU32,
    /// Threads inside `cancel_call` on this slot: the slot is not freed (and
    /// so not reused) until they are out, so a cancel meant for one request
    /// can never reach the next one in the same OVERLAPPED.
    cancelling: AtomicU32,
    work: UnsafeCell<Option<Work>>,
}

const NONE: u32 = u32::MAX;

impl Slot {
    /// Marks the request as asked to end; false if it was already.
    fn fetch_cancel_flag(&self) -> bool {
        self.flags.fetch_or(CANCEL_REQUESTED, Ordering::SeqCst) & CANCEL_REQUESTED == 0
    }
}

// SAFETY: `overlapped` and `work` are only touched by the slot's owner, as
// the phase table above defines it; ownership passes through `state` with
// acquire/release ordering. The OVERLAPPED's event handle is never set.
unsafe impl Sync for Slot {}
unsafe impl Send for Slot {}

/// The context that receives an engine's events.
struct Sink(*const dyn Complete);

// SAFETY: the sink is the context that owns the engine: alive as long as
// the engine is, and `Complete` is Sync.
unsafe impl Send for Sink {}
unsafe impl Sync for Sink {}

pub struct Engine {
    slots: Box<[Slot]>,
    free: Mutex<Vec<u32>>,
    /// Slots not on the free list: `io_destroy` waits for zero.
    busy: AtomicU32,
    /// Cancellable requests by iocb address: the first slot of each chain
    /// (`Slot::next_same`). Its capacity, reserved at setup, is twice the
    /// slots, so it never allocates.
    index: Mutex<HashMap<u64, u32>>,
    /// This engine's armed rechecked polls.
    rechecked: AtomicU32,
    /// The completion thread's recheck visits under way (`stop` waits).
    visitors: AtomicU32,
    sink: OnceLock<Sink>,
    /// Blocking jobs, queued on a completion port used as a plain queue.
    jobs: Port,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// The job thread's handle on its engine.
struct EnginePtr(*const Engine);

// SAFETY: the engine outlives its job thread (`stop` joins it).
unsafe impl Send for EnginePtr {}

impl Engine {
    /// `slot_count` slots; `activate` follows once the engine is in its
    /// final place.
    pub fn new(slot_count: u32) -> Option<Engine> {
        completions()?;
        let jobs = Port::new()?;
        if !acquire_completion_thread() {
            return None;
        }
        let slots = (0..slot_count)
            .map(|_| Slot {
                // SAFETY: an all-zero OVERLAPPED is a valid idle one.
                overlapped: UnsafeCell::new(unsafe { core::mem::zeroed() }),
                state: AtomicU32::new(FREE),
                flags: AtomicU32::new(0),
                handle: AtomicUsize::new(0),
                interest: AtomicU32::new(0),
                check: AtomicUsize::new(0),
                woken: AtomicU32::new(0),
                iocb: AtomicU64::new(0),
                next_same: AtomicU32::new(NONE),
                cancelling: AtomicU32::new(0),
                work: UnsafeCell::new(None),
            })
            .collect();
        let free = Mutex::new((0..slot_count).rev().collect());
        Some(Engine {
            slots,
            free,
            busy: AtomicU32::new(0),
            index: Mutex::new(HashMap::with_capacity(2 * slot_count as usize)),
            rechecked: AtomicU32::new(0),
            visitors: AtomicU32::new(0),
            sink: OnceLock::new(),
            jobs,
            threads: Mutex::new(Vec::new()),
        })
    }

    /// Makes the engine reachable by packets and starts its job thread.
    /// `sink` owns the engine; the job thread holds it until `stop`.
    pub fn activate(&self, sink: Arc<dyn Complete>) -> std::io::Result<()> {
        let _ = self.sink.set(Sink(Arc::as_ptr(&sink)));
        let routes = &completions().expect("created in Engine::new").engines;
        let start = self.slots.as_ptr() as usize;
        routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(Route {
                slots_start: start,
                slots_end: start + core::mem::size_of_val(&*self.slots),
                engine: self,
            });
        let engine = EnginePtr(self);
        let job = std::thread::Builder::new()
            .name("aio-jobs".into())
            .spawn(move || {
                let engine = engine;
                let _sink = sink;
                // SAFETY: see `EnginePtr`.
                job_thread(unsafe { &*engine.0 })
            })?;
        self.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(job);
        Ok(())
    }

    /// Binds a handle of our own (a fresh reopen) to the process's port.
    pub fn bind_private(handle: RawHandle) -> bool {
        completions().is_some_and(|c| c.port.associate(handle, KEY_IO))
    }

    /// Whether the program's `handle` completes through the process's port:
    /// bound now, or bound by us before. Binding is tried first: a handle
    /// value closed and reused since is a new handle, and must be bound.
    pub fn bind_program(handle: RawHandle) -> bool {
        let Some(c) = completions() else { return false };
        // Bind outside the lock (no lock across a system call). Two threads
        // binding one new handle at once: the loser sees the winner's entry
        // once it is in; before that it takes the handle's synchronous path.
        let newly = c.port.associate(handle, KEY_IO);
        let mut bound = c.bound.lock().unwrap_or_else(|e| e.into_inner());
        if newly {
            bound.insert(handle as usize);
        }
        newly || bound.contains(&(handle as usize))
    }

    /// The process's AFD helper, bound to the port (for polls on sockets).
    pub fn afd() -> Option<RawHandle> {
        let c = completions()?;
        c.afd
            .get_or_init(|| {
                let afd = crate::afd::open_afd().ok()?;
                c.port.associate(afd.as_raw_handle(), KEY_IO).then_some(afd)
            })
            .as_ref()
            .map(|afd| afd.as_raw_handle())
    }

    fn port(&self) -> &'static Port {
        &completions().expect("created in Engine::new").port
    }

    fn slot(&self, index: u32) -> &Slot {
        &self.slots[index as usize]
    }

    fn take_slot(&self, work: Work) -> Result<u32, Errno> {
        let pop = || self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut index = pop();
        if index.is_none() {
            // Slots parked for packets already queued come back as soon as
            // those are dequeued: rather than wait for the completion thread
            // (or say -EAGAIN, which the ring would not justify), dequeue
            // them here, for a few milliseconds at most.
            let deadline = std::time::Instant::now() + std::time::Duration::from_millis(5);
            let mut nudged = false;
            while index.is_none() && std::time::Instant::now() < deadline {
                let drained = drain(Some(0));
                // The completion thread runs while this engine exists, so its
                // stop packet cannot be queued now; were one dequeued here
                // all the same, it would go back for the thread.
                if drained.stop {
                    let _ = self.port().post(KEY_STOP, core::ptr::null_mut());
                }
                nudged |= drained.nudge;
                index = pop();
                if index.is_none() {
                    std::thread::yield_now();
                }
            }
            // The completion thread's nudge into its recheck rhythm (see
            // `issue`) is its own: taken here, it would leave the thread
            // asleep with pipe polls armed until some other packet came.
            if nudged {
                let _ = self.port().post(KEY_NUDGE, core::ptr::null_mut());
            }
        }
        let index = index.ok_or(errno::EAGAIN)?;
        self.busy.fetch_add(1, Ordering::SeqCst);
        let slot = self.slot(index);
        let cancellable = work.op.cancellable();
        let iocb = work.origin.obj;
        // SAFETY: the slot came off the free list: we own it.
        unsafe { *slot.work.get() = Some(work) };
        if cancellable {
            self.index_insert(index, iocb);
        }
        Ok(index)
    }

    fn release_slot(&self, index: u32) {
        let slot = self.slot(index);
        // Out of the index before the flags go: `cancel` sets its flag under
        // the index's lock, so it never marks the slot's next request.
        if slot.flags.load(Ordering::Acquire) & INDEXED != 0 {
            self.index_remove(index);
        }
        let flags = slot.flags.swap(0, Ordering::AcqRel);
        if flags & RECHECKED != 0 {
            self.rechecked.fetch_sub(1, Ordering::SeqCst);
            if let Some(c) = completions() {
                c.rechecked.fetch_sub(1, Ordering::SeqCst);
            }
        }
        // SAFETY: only the owner releases; dropping the work drops its file.
        unsafe { *slot.work.get() = None };
        // A canceller that saw this request pending finishes its call before
        // the slot can take another request (see `cancel_call`).
        core::sync::atomic::fence(Ordering::SeqCst);
        while slot.cancelling.load(Ordering::SeqCst) != 0 {
            std::thread::yield_now();
        }
        let state = slot.state.load(Ordering::Relaxed);
        slot.state.store(
            with_phase(state.wrapping_add(1 << PHASE_BITS), FREE),
            Ordering::Release,
        );
        self.free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(index);
        self.busy.fetch_sub(1, Ordering::SeqCst);
    }

    fn index_insert(&self, index: u32, iocb: u64) {
        let slot = self.slot(index);
        slot.iocb.store(iocb, Ordering::Relaxed);
        let mut map = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let head = map.insert(iocb, index).unwrap_or(NONE);
        slot.next_same.store(head, Ordering::Relaxed);
        slot.flags.fetch_or(INDEXED, Ordering::AcqRel);
    }

    fn index_remove(&self, index: u32) {
        let slot = self.slot(index);
        let iocb = slot.iocb.load(Ordering::Relaxed);
        let next = slot.next_same.load(Ordering::Relaxed);
        let mut map = self.index.lock().unwrap_or_else(|e| e.into_inner());
        let Some(&head) = map.get(&iocb) else { return };
        if head == index {
            if next == NONE {
                map.remove(&iocb);
            } else {
                map.insert(iocb, next);
            }
            return;
        }
        let mut at = head;
        while at != NONE {
            let after = self.slot(at).next_same.load(Ordering::Relaxed);
            if after == index {
                self.slot(at).next_same.store(next, Ordering::Relaxed);
                return;
            }
            at = after;
        }
    }

    pub fn busy(&self) -> u32 {
        self.busy.load(Ordering::SeqCst)
    }

    /// Starts a request in a slot; its event comes exactly once, perhaps
    /// before this returns.
    pub fn start(&self, origin: Origin, op: Op) -> Result<(), Errno> {
        let index = self.take_slot(Work { origin, op })?;
        if self.issue(index) {
            self.advance(index);
        }
        Ok(())
    }

    fn slot_index(&self, addr: usize) -> Option<u32> {
        let base = self.slots.as_ptr() as usize;
        let offset = addr.checked_sub(base)?;
        let index = offset / core::mem::size_of::<Slot>();
        (offset % core::mem::size_of::<Slot>() == 0 && index < self.slots.len())
            .then_some(index as u32)
    }

    /// The slot's operation. Only its owner may call this (see the table).
    #[allow(clippy::mut_from_ref)]
    fn work(&self, index: u32) -> Option<&mut Work> {
        // SAFETY: the caller owns the slot, so nobody else touches `work`.
        unsafe { (*self.slot(index).work.get()).as_mut() }
    }

    fn deliver(&self, index: u32, res: i64) {
        // Out of the index first: once its event can be seen, io_cancel of
        // the request is -EINVAL (Linux: it completed).
        let slot = self.slot(index);
        if slot.flags.load(Ordering::Acquire) & INDEXED != 0 {
            self.index_remove(index);
            slot.flags.fetch_and(!INDEXED, Ordering::AcqRel);
        }
        let (Some(work), Some(sink)) = (self.work(index), self.sink.get()) else {
            return;
        };
        // SAFETY: see `Sink`.
        unsafe { &*sink.0 }.complete(&work.origin, res);
    }

    /// Delivers the slot's event and frees it.
    fn finish(&self, index: u32, res: i64) {
        self.deliver(index, res);
        self.release_slot(index);
    }

    /// `op.complete`, inside the panic boundary.
    fn complete_op(&self, index: u32, status: i32, bytes: usize) -> Step {
        match self.work(index) {
            Some(work) => catch_unwind(AssertUnwindSafe(|| work.op.complete(status, bytes)))
                .unwrap_or(Step::Finish(errno::EIO.neg())),
            None => Step::Finish(errno::EIO.neg()),
        }
    }

    /// Starts (or continues) the slot's operation. Returns true when the
    /// slot came back to the caller with a completed call to `advance` on
    /// (its packet arrived during the call).
    fn issue(&self, index: u32) -> bool {
        let slot = self.slot(index);
        let overlapped = slot.overlapped.get();
        let state = slot.state.load(Ordering::Relaxed);
        let issuing = with_phase(state, ISSUING);
        // SAFETY: we own the OVERLAPPED until the store below publishes
        // ISSUING; from then on only the packet receiver may touch `state`.
        unsafe { sys::reset_overlapped(&mut *overlapped) };
        slot.state.store(issuing, Ordering::Release);
        let slot_ref = SlotRef {
            overlapped,
            key: overlapped as usize,
            wake: on_wake,
        };
        let Some(work) = self.work(index) else {
            return false;
        };
        // SAFETY: the OVERLAPPED and the operation live in the slot, which
        // stays out of the free list until the call's packet (or our fence)
        // is dequeued.
        let started = catch_unwind(AssertUnwindSafe(|| unsafe { work.op.start(&slot_ref) }))
            .unwrap_or(Start::Done(errno::EIO.neg()));
        match started {
            Start::Done(res) => {
                // No call made, nothing registered: the slot is still ours.
                self.finish(index, res);
                false
            }
            Start::Blocking => {
                slot.state.store(with_phase(state, JOB), Ordering::Release);
                if !self.jobs.post(KEY_IO, overlapped) {
                    // The job was never queued: the slot is ours again.
                    slot.state.store(issuing, Ordering::Relaxed);
                    self.finish(index, errno::EAGAIN.neg());
                }
                false
            }
            Start::Issued { handle, status } => self.issued(index, issuing, handle, status),
            Start::Armed => self.armed(index, issuing),
            Start::Rechecked {
                handle,
                interest,
                check,
            } => {
                slot.handle.store(handle as usize, Ordering::Relaxed);
                slot.interest.store(interest, Ordering::Relaxed);
                slot.check.store(check as usize, Ordering::Relaxed);
                slot.flags.fetch_or(RECHECKED, Ordering::AcqRel);
                self.rechecked.fetch_add(1, Ordering::SeqCst);
                if let Some(c) = completions() {
                    if c.rechecked.fetch_add(1, Ordering::SeqCst) == 0 {
                        // Wake the completion thread into its recheck rhythm.
                        let _ = c.port.post(KEY_NUDGE, core::ptr::null_mut());
                    }
                }
                self.armed(index, issuing)
            }
        }
    }

    /// After an overlapped call: finish now if it is done, else leave the
    /// slot PENDING for its packet. See `issue` for the result.
    fn issued(&self, index: u32, issuing: u32, handle: RawHandle, code: i32) -> bool {
        let slot = self.slot(index);
        let overlapped = slot.overlapped.get();
        slot.handle.store(handle as usize, Ordering::Relaxed);
        let failed = status::is_error(code);
        let done = if failed {
            Some((code, 0))
        } else {
            // SAFETY: reading our own slot's OVERLAPPED.
            unsafe { sys::overlapped_result(overlapped) }.map(|r| (r.status, r.bytes))
        };
        if let Some((code, bytes)) = done {
            match self.complete_op(index, code, bytes) {
                Step::Finish(res) => {
                    // The event goes out now, before io_submit returns; the
                    // slot waits for the packet, or for our fence behind a
                    // stray one.
                    self.deliver(index, res);
                    // The request is over: its work (and with it the file)
                    // goes now, not when the packet comes, so that a program
                    // which closes the fd right after reaping the event
                    // really closes the file (Linux's fput at completion).
                    // SAFETY: the slot is still ours (ISSUING).
                    drop(unsafe { (*slot.work.get()).take() });
                    let parked = with_phase(issuing, if failed { FENCED } else { DELIVERED });
                    if slot
                        .state
                        .compare_exchange(issuing, parked, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        if failed {
                            // Were the fence not posted, the slot would stay
                            // parked for good: better than a stray packet
                            // meeting its next request.
                            let _ = self.port().post(KEY_FENCE, overlapped);
                        }
                    } else {
                        // The packet (real or stray) came during the call.
                        self.release_slot(index);
                    }
                    return false;
                }
                // Done with more to move: the packet of this call starts the
                // next one.
                Step::Continue => {
                    slot.flags.fetch_or(ACCOUNTED, Ordering::AcqRel);
                }
            }
        }
        // Here the call is pending, or done with more to move: its packet
        // (perhaps already in) drives it on. A failure always finished above.
        debug_assert!(!failed);
        let pending = with_phase(issuing, PENDING);
        if slot
            .state
            .compare_exchange(issuing, pending, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return true;
        }
        // io_cancel came while the call was being made: cancel it now.
        if slot.flags.load(Ordering::Acquire) & CANCEL_REQUESTED != 0 {
            self.cancel_call(index, pending);
        }
        false
    }

    /// Cancels the overlapped call of the slot if it is still in `pending`
    /// (that very request: the generation is part of the state). The slot
    /// cannot be freed, and so cannot take another request, while this runs:
    /// `release_slot` waits for `cancelling` to drop, and the fences order
    /// the two sides (either the releaser sees this canceller, or this
    /// canceller sees the slot gone from `pending`).
    fn cancel_call(&self, index: u32, pending: u32) {
        let slot = self.slot(index);
        slot.cancelling.fetch_add(1, Ordering::SeqCst);
        core::sync::atomic::fence(Ordering::SeqCst);
        if slot.state.load(Ordering::SeqCst) == pending {
            sys::cancel(
                slot.handle.load(Ordering::Relaxed) as RawHandle,
                slot.overlapped.get(),
            );
        }
        slot.cancelling.fetch_sub(1, Ordering::SeqCst);
    }

    /// After an arm: ARMED, unless its wake-up came during the arm.
    fn armed(&self, index: u32, issuing: u32) -> bool {
        let slot = self.slot(index);
        let armed = with_phase(issuing, ARMED);
        if slot
            .state
            .compare_exchange(issuing, armed, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // PACKET_SEEN: woken during the arm, with this mask.
            let mask = slot.woken.load(Ordering::Acquire);
            let step = self.complete_op(index, status::SUCCESS, mask as usize);
            self.finish(index, finished_or_eio(step));
            return false;
        }
        if slot.flags.load(Ordering::Acquire) & CANCEL_REQUESTED != 0 {
            self.cancel_armed(index, armed);
        }
        false
    }

    /// The slot is ours and its OVERLAPPED holds a completed call: account
    /// for it, then finish the request or start its next call.
    fn advance(&self, index: u32) {
        let slot = self.slot(index);
        loop {
            let step = if slot.flags.fetch_and(!ACCOUNTED, Ordering::AcqRel) & ACCOUNTED != 0 {
                Step::Continue
            } else {
                // SAFETY: we own the slot; its call completed.
                let result = unsafe { sys::overlapped_result(slot.overlapped.get()) };
                let (code, bytes) = result.map_or((status::CANCELLED, 0), |r| (r.status, r.bytes));
                self.complete_op(index, code, bytes)
            };
            match step {
                Step::Continue => {}
                Step::Finish(res) => return self.finish(index, res),
            }
            if !self.issue(index) {
                return;
            }
        }
    }

    /// Handles one packet from the port.
    fn on_packet(&self, packet: &Packet) {
        let Some(index) = self.slot_index(packet.overlapped as usize) else {
            return;
        };
        let slot = self.slot(index);
        loop {
            let state = slot.state.load(Ordering::Acquire);
            let next = match phase(state) {
                ISSUING => with_phase(state, PACKET_SEEN),
                PENDING => with_phase(state, BUSY),
                DELIVERED => return self.release_slot(index),
                FENCED => {
                    if packet.key == KEY_FENCE {
                        self.release_slot(index);
                    }
                    // Otherwise: the stray packet Wine queues for a request
                    // that failed at once. The fence behind it frees the slot.
                    return;
                }
                _ => return,
            };
            if slot
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                if phase(next) == BUSY {
                    self.advance(index);
                }
                return;
            }
        }
    }

    /// A wake-up for an armed slot, with the waker's mask. `seen`: only if
    /// the slot is still in exactly that state (a recheck's view).
    fn wake(&self, index: u32, mask: u32, seen: Option<u32>) {
        let slot = self.slot(index);
        loop {
            let state = slot.state.load(Ordering::Acquire);
            if seen.is_some_and(|s| s != state) {
                return;
            }
            let next = match phase(state) {
                ISSUING => {
                    slot.woken.store(mask, Ordering::Release);
                    with_phase(state, PACKET_SEEN)
                }
                ARMED => with_phase(state, BUSY),
                CANCELLING => with_phase(state, WOKEN_LATE),
                CANCELLED => with_phase(state, BUSY),
                _ => return,
            };
            if slot
                .state
                .compare_exchange(state, next, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                continue;
            }
            match phase(state) {
                ARMED => {
                    let step = self.complete_op(index, status::SUCCESS, mask as usize);
                    self.finish(index, finished_or_eio(step));
                }
                // Cancelled, its event out: this wake-up was the last party.
                CANCELLED => self.release_slot(index),
                _ => {}
            }
            return;
        }
    }

    /// Ends an armed slot seen in state `armed`: res 0, as Linux's cancel.
    /// False when it was no longer armed.
    fn cancel_armed(&self, index: u32, armed: u32) -> bool {
        let slot = self.slot(index);
        let cancelling = with_phase(armed, CANCELLING);
        if slot
            .state
            .compare_exchange(armed, cancelling, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return false;
        }
        // Winning the swap out of ARMED makes the operation ours to read;
        // nobody frees the slot while it is CANCELLING.
        let key = slot.overlapped.get() as usize;
        let removed = self
            .work(index)
            .is_none_or(|w| catch_unwind(AssertUnwindSafe(|| w.op.disarm(key))).unwrap_or(false));
        let step = self.complete_op(index, status::CANCELLED, 0);
        self.deliver(index, finished_or_eio(step));
        if removed
            || slot
                .state
                .compare_exchange(
                    cancelling,
                    with_phase(armed, CANCELLED),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_err()
        {
            // The wake-up can no longer come, or came while we were at it
            // (WOKEN_LATE): the slot is ours to free.
            self.release_slot(index);
        }
        // Otherwise the wake-up under way finds CANCELLED and frees it.
        true
    }

    /// `io_cancel`: ends the cancellable request of the iocb at `iocb`: an
    /// armed one now (its event, res 0, is in the ring on return), an
    /// overlapped call by cancelling it (its packet brings the event), one
    /// being started by its starter, which sees the flag. -EINVAL when none
    /// is in flight (never submitted, completed, cancelled already, or not
    /// cancellable: reads, writes and syncs, as on Linux).
    pub fn cancel(&self, iocb: u64) -> Result<(), Errno> {
        // The flag is set, and the state read, under the index's lock: the
        // slot is then still this request's (it leaves the index before it
        // is freed). What follows runs outside the lock, on that state:
        // every step checks it, generation included, so a slot freed and
        // reused meanwhile is left alone.
        let found = {
            let map = self.index.lock().unwrap_or_else(|e| e.into_inner());
            let mut at = map.get(&iocb).copied().unwrap_or(NONE);
            loop {
                if at == NONE {
                    break None;
                }
                let slot = self.slot(at);
                if slot.fetch_cancel_flag() {
                    break Some((at, slot.state.load(Ordering::SeqCst)));
                }
                at = slot.next_same.load(Ordering::Relaxed);
            }
        };
        let (index, state) = found.ok_or(errno::EINVAL)?;
        self.end_flagged(index, state);
        Ok(())
    }

    /// Ends a request already flagged CANCEL_REQUESTED, seen in `state`: an
    /// armed one now, a pending call by cancelling it. Being started
    /// (ISSUING), its starter sees the flag; otherwise its event is out or
    /// on its way.
    fn end_flagged(&self, index: u32, state: u32) {
        match phase(state) {
            ARMED => {
                self.cancel_armed(index, state);
            }
            PENDING => self.cancel_call(index, state),
            _ => {}
        }
    }

    /// Cancels everything that can be (for `io_destroy`): armed polls end
    /// now; overlapped calls are cancelled each by its own OVERLAPPED, so
    /// the program's own I/O on a shared handle is left alone; a call being
    /// made is cancelled by its maker, which sees the flag. A request that
    /// completed meanwhile is simply not found.
    pub fn cancel_all(&self) {
        for (index, slot) in self.slots.iter().enumerate() {
            let state = slot.state.load(Ordering::SeqCst);
            if !matches!(phase(state), ARMED | ISSUING | PENDING) {
                continue;
            }
            slot.flags.fetch_or(CANCEL_REQUESTED, Ordering::SeqCst);
            self.end_flagged(index as u32, slot.state.load(Ordering::SeqCst));
        }
    }

    fn run_job(&self, packet: &Packet) {
        let Some(index) = self.slot_index(packet.overlapped as usize) else {
            return;
        };
        // Pairs with the release store of JOB in `issue`.
        if phase(self.slot(index).state.load(Ordering::Acquire)) != JOB {
            return;
        }
        // A JOB slot belongs to the job thread. A panic in the job fails
        // this request with -EIO; the job thread goes on serving the others.
        let res = match self.work(index) {
            Some(work) => catch_unwind(AssertUnwindSafe(|| work.op.run_blocking()))
                .unwrap_or(errno::EIO.neg()),
            None => errno::EIO.neg(),
        };
        self.finish(index, res);
    }

    /// Asks this engine's armed rechecked polls again (completion thread).
    fn recheck(&self) {
        for (index, slot) in self.slots.iter().enumerate() {
            let state = slot.state.load(Ordering::Acquire);
            if phase(state) != ARMED || slot.flags.load(Ordering::Acquire) & RECHECKED == 0 {
                continue;
            }
            let handle = slot.handle.load(Ordering::Relaxed) as RawHandle;
            let interest = slot.interest.load(Ordering::Relaxed);
            let check = slot.check.load(Ordering::Relaxed);
            if check == 0 {
                continue;
            }
            // SAFETY: stored from a `fn(RawHandle, u32) -> u32` by `issue`
            // before ARMED was published (acquire above).
            let check: fn(RawHandle, u32) -> u32 = unsafe { core::mem::transmute(check) };
            // The check reads only the handle (which may have been closed
            // meanwhile: it then answers 0, or the swap below fails).
            let mask = catch_unwind(|| check(handle, interest)).unwrap_or(0);
            if mask != 0 {
                self.wake(index as u32, mask, Some(state));
            }
        }
    }

    /// Leaves the routing table and stops the job thread and (after the
    /// last engine) the completion thread; the caller has waited for every
    /// slot to be free, so no packet can still name one.
    pub fn stop(&self) {
        if let Some(c) = completions() {
            c.engines
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|r| !core::ptr::eq(r.engine, self));
        }
        // A recheck visit that found this engine before it left the table.
        while self.visitors.load(Ordering::SeqCst) > 0 {
            std::thread::yield_now();
        }
        self.jobs.post(KEY_STOP, core::ptr::null_mut());
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        let me = std::thread::current().id();
        for t in threads {
            // io_destroy is never called on our own threads (no callbacks run
            // there), but never join oneself.
            if t.thread().id() != me {
                let _ = t.join();
            }
        }
        release_completion_thread();
    }
}

fn finished_or_eio(step: Step) -> i64 {
    match step {
        Step::Finish(res) => res,
        // An armed operation has nothing more to start.
        Step::Continue => errno::EIO.neg(),
    }
}

/// The wake-up callback of armed operations: `key` is the slot's address.
fn on_wake(key: usize, mask: u32) {
    let Some(c) = completions() else { return };
    let Some(route) = route_of(c, key) else {
        return;
    };
    // SAFETY: see `Route`: the slot is armed (or being cancelled and waiting
    // for this wake-up), so its engine is alive.
    let engine = unsafe { &*route.engine };
    if let Some(index) = engine.slot_index(key) {
        let _ = catch_unwind(AssertUnwindSafe(|| engine.wake(index, mask, None)));
    }
}

/// Drains the process's completion port until told to stop.
fn completion_thread() {
    let mut last_recheck = std::time::Instant::now();
    loop {
        let rechecking = completions().is_some_and(|c| c.rechecked.load(Ordering::SeqCst) > 0);
        if drain(rechecking.then_some(RECHECK_MS)).stop {
            return;
        }
        if rechecking && last_recheck.elapsed().as_millis() >= u128::from(RECHECK_MS) {
            recheck_all();
            last_recheck = std::time::Instant::now();
        }
    }
}

/// Visits every engine with armed rechecked polls, one at a time, without
/// holding the table's lock across the checks.
fn recheck_all() {
    let Some(c) = completions() else { return };
    let mut at = 0;
    loop {
        let engine = {
            let routes = c.engines.read().unwrap_or_else(|e| e.into_inner());
            let Some(route) = routes.get(at) else { return };
            // SAFETY: in the table, so alive; counted before the lock is
            // dropped, so `stop` waits for this visit.
            let engine = unsafe { &*route.engine };
            if engine.rechecked.load(Ordering::SeqCst) == 0 {
                at += 1;
                continue;
            }
            engine.visitors.fetch_add(1, Ordering::SeqCst);
            engine
        };
        engine.recheck();
        engine.visitors.fetch_sub(1, Ordering::SeqCst);
        at += 1;
    }
}

/// What a batch of packets held for the completion thread itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Drained {
    /// Its stop packet.
    stop: bool,
    /// The nudge into its recheck rhythm (KEY_NUDGE).
    nudge: bool,
}

/// Dequeues one batch of packets, waiting up to `timeout_ms` (`None`: until
/// one comes), and handles them; says what the batch held for the
/// completion thread (a thread other than it must post that back).
fn drain(timeout_ms: Option<u32>) -> Drained {
    let Some(completions) = completions() else {
        return Drained {
            stop: true,
            nudge: false,
        };
    };
    let mut packets = [Packet {
        key: 0,
        overlapped: core::ptr::null_mut(),
    }; 64];
    let n = completions.port.dequeue(&mut packets, timeout_ms);
    dispatch(completions, &packets[..n])
}

/// Routes each packet to the engine whose slot it names. Any thread may do
/// this: the slot state machine decides who acts on a packet. Returns
/// what was among them for the completion thread (stop, nudge).
fn dispatch(completions: &Completions, packets: &[Packet]) -> Drained {
    let mut drained = Drained::default();
    for packet in packets {
        if packet.key == KEY_STOP {
            drained.stop = true;
            continue;
        }
        if packet.key == KEY_NUDGE {
            drained.nudge = true;
            continue;
        }
        // A packet outside every slot range is the program's own I/O on a
        // handle it also gave us: not ours to complete.
        if let Some(route) = route_of(completions, packet.overlapped as usize) {
            // SAFETY: see `Route`: the engine has this slot in use, so it
            // and its context are alive until the packet is handled.
            let engine = unsafe { &*route.engine };
            // The operations are guarded one by one; this is the last line,
            // so that the thread serving every context never dies.
            let _ = catch_unwind(AssertUnwindSafe(|| engine.on_packet(packet)));
        }
    }
    drained
}

fn job_thread(engine: &Engine) {
    let mut packets = [Packet {
        key: 0,
        overlapped: core::ptr::null_mut(),
    }; 16];
    loop {
        let n = engine.jobs.dequeue(&mut packets, None);
        for packet in &packets[..n] {
            if packet.key == KEY_STOP {
                return;
            }
            let _ = catch_unwind(AssertUnwindSafe(|| engine.run_job(packet)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slots in the index under `iocb`, head first.
    fn chain(engine: &Engine, iocb: u64) -> Vec<u32> {
        let mut at = engine
            .index
            .lock()
            .unwrap()
            .get(&iocb)
            .copied()
            .unwrap_or(NONE);
        let mut out = Vec::new();
        while at != NONE {
            out.push(at);
            at = engine.slot(at).next_same.load(Ordering::Relaxed);
        }
        out
    }

    /// Whatever the order of inserts and removals, and however many slots
    /// share an iocb address (a program may submit one iocb again while it
    /// is in flight), the index holds exactly the slots inserted and not
    /// removed, each under its own iocb, and never grows past its reserve.
    #[test]
    fn index_matches_a_model() {
        let engine = Engine::new(16).expect("engine");
        let capacity = engine.index.lock().unwrap().capacity();
        crate::check::cases(300, |rng| {
            let mut model: HashMap<u64, Vec<u32>> = HashMap::new();
            let mut live: Vec<u32> = Vec::new();
            for _ in 0..200 {
                let free: Vec<u32> = (0..16).filter(|i| !live.contains(i)).collect();
                if !free.is_empty() && (live.is_empty() || rng.coin()) {
                    let index = free[rng.below(0..free.len() as u64) as usize];
                    let iocb = 0x1000 * rng.below(1..4);
                    engine.index_insert(index, iocb);
                    model.entry(iocb).or_default().push(index);
                    live.push(index);
                } else {
                    let at = rng.below(0..live.len() as u64) as usize;
                    let index = live.swap_remove(at);
                    let iocb = engine.slot(index).iocb.load(Ordering::Relaxed);
                    engine.index_remove(index);
                    engine.slot(index).flags.store(0, Ordering::Relaxed);
                    model.get_mut(&iocb).unwrap().retain(|&i| i != index);
                }
                for iocb in [0x1000, 0x2000, 0x3000] {
                    let mut got = chain(&engine, iocb);
                    got.sort();
                    let mut want = model.get(&iocb).cloned().unwrap_or_default();
                    want.sort();
                    assert_eq!(got, want, "iocb {iocb:#x}");
                }
            }
            for index in live.drain(..) {
                engine.index_remove(index);
                engine.slot(index).flags.store(0, Ordering::Relaxed);
            }
            assert!(engine.index.lock().unwrap().is_empty());
        });
        assert_eq!(engine.index.lock().unwrap().capacity(), capacity);
        engine.stop();
    }

    #[test]
    fn phases_fit_their_bits() {
        for p in [
            FREE,
            ISSUING,
            PACKET_SEEN,
            PENDING,
            BUSY,
            DELIVERED,
            FENCED,
            JOB,
            ARMED,
            CANCELLING,
            CANCELLED,
            WOKEN_LATE,
        ] {
            assert_eq!(phase(with_phase(0xfff0, p)), p);
            assert_eq!(with_phase(0xfff0, p) >> PHASE_BITS, 0xfff);
        }
    }

    /// io_cancel finds nothing for an iocb never indexed, and a cancel asked
    /// twice is refused the second time (-EINVAL, as Linux).
    #[test]
    fn cancel_needs_an_indexed_request_once() {
        let engine = Engine::new(4).expect("engine");
        assert_eq!(engine.cancel(0x1234), Err(errno::EINVAL));
        engine.index_insert(2, 0x1234);
        // A slot neither pending nor armed: the request is asked to end
        // (its starter would see the flag), once.
        assert_eq!(engine.cancel(0x1234), Ok(()));
        assert_eq!(engine.cancel(0x1234), Err(errno::EINVAL));
        engine.index_remove(2);
        engine.slot(2).flags.store(0, Ordering::Relaxed);
        assert_eq!(engine.cancel(0x1234), Err(errno::EINVAL));
        engine.stop();
    }

    /// A request whose event went out is no longer cancellable, even while
    /// its slot is still taken (the event is delivered before the slot is
    /// freed): io_cancel is -EINVAL, as on Linux once the event is in the
    /// ring (tests/c/poll_cancel_reaped end to end).
    #[test]
    fn a_delivered_request_leaves_the_index() {
        let engine = Engine::new(4).expect("engine");
        engine.index_insert(1, 0x1234);
        engine.index_insert(3, 0x1234);
        engine.deliver(1, 0);
        assert_eq!(chain(&engine, 0x1234), vec![3]);
        assert_eq!(engine.slot(1).flags.load(Ordering::Relaxed) & INDEXED, 0);
        engine.deliver(3, 0);
        assert_eq!(engine.cancel(0x1234), Err(errno::EINVAL));
        assert!(engine.index.lock().unwrap().is_empty());
        engine.stop();
    }

    /// A thread that dequeues packets besides the completion thread (a
    /// submitter whose slots are all parked) is told of the completion
    /// thread's own packets, to post them back: its stop, and its nudge
    /// into the recheck rhythm (lost, it would leave armed pipe polls
    /// unchecked until some other packet woke the thread). A fence for a
    /// slot is neither.
    #[test]
    fn dispatch_reports_the_completion_threads_packets() {
        let c = completions().expect("port");
        let packet = |key, overlapped: usize| Packet {
            key,
            overlapped: overlapped as *mut OVERLAPPED,
        };
        assert_eq!(dispatch(c, &[]), Drained::default());
        assert_eq!(
            dispatch(c, &[packet(KEY_NUDGE, 0)]),
            Drained {
                stop: false,
                nudge: true
            }
        );
        assert_eq!(
            dispatch(c, &[packet(KEY_IO, 0x10), packet(KEY_STOP, 0)]),
            Drained {
                stop: true,
                nudge: false
            }
        );
        // A fence names its slot: routed (here to no engine), not a nudge.
        assert_eq!(dispatch(c, &[packet(KEY_FENCE, 0x10)]), Drained::default());
    }

    mod panics {
        //! No panic in an operation stops a thread: the request fails with
        //! -EIO and the next one is served.
        use super::super::*;
        use crate::op::testing::Scripted;
        use crate::sys::IoStatus;
        use std::sync::atomic::AtomicUsize;
        use std::time::{Duration, Instant};

        #[derive(Default)]
        struct Events(Mutex<Vec<(u64, i64)>>);

        impl Complete for Events {
            fn complete(&self, origin: &Origin, res: i64) {
                self.0.lock().unwrap().push((origin.data, res));
            }
        }

        impl Events {
            fn wait_for(&self, data: u64) -> i64 {
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline {
                    if let Some(&(_, res)) = self.0.lock().unwrap().iter().find(|e| e.0 == data) {
                        return res;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                panic!("no event for {data}");
            }
        }

        fn origin(data: u64) -> Origin {
            Origin {
                data,
                obj: 0x1000 + data,
                resfd: None,
            }
        }

        fn op(start: fn(&SlotRef) -> Start, complete: fn(i32, usize) -> Step) -> Op {
            Op::Scripted(Scripted {
                start,
                complete,
                run_blocking: || panic!("a job panics"),
                cancellable: true,
            })
        }

        fn boom(_: &SlotRef) -> Start {
            panic!("start panics")
        }

        fn never(_: i32, _: usize) -> Step {
            panic!("complete panics")
        }

        fn echo(_: i32, bytes: usize) -> Step {
            Step::Finish(bytes as i64)
        }

        /// The OVERLAPPED of the last pending call started (for posting its
        /// packet by hand).
        static PENDING_OVERLAPPED: AtomicUsize = AtomicUsize::new(0);

        fn pending(slot: &SlotRef) -> Start {
            PENDING_OVERLAPPED.store(slot.overlapped as usize, Ordering::SeqCst);
            Start::Issued {
                handle: core::ptr::null_mut(),
                status: windows_sys::Win32::Foundation::STATUS_PENDING,
            }
        }

        /// The key of the last armed operation.
        static ARMED_KEY: AtomicUsize = AtomicUsize::new(0);

        fn arm(slot: &SlotRef) -> Start {
            ARMED_KEY.store(slot.key, Ordering::SeqCst);
            Start::Armed
        }

        /// Completes the pending call by hand, with `bytes`, through the
        /// process's port, as the kernel would.
        fn post_completion(bytes: usize) {
            let overlapped = PENDING_OVERLAPPED.load(Ordering::SeqCst) as *mut OVERLAPPED;
            let done = IoStatus { status: 0, bytes };
            // SAFETY: the slot's OVERLAPPED, pending (nobody else writes it).
            unsafe {
                (*overlapped).InternalHigh = done.bytes;
                (*overlapped).Internal = done.status as usize;
            }
            assert!(completions().unwrap().port.post(KEY_IO, overlapped));
        }

        #[test]
        fn every_thread_survives_a_panicking_operation() {
            let events = Arc::new(Events::default());
            let engine = Engine::new(8).expect("engine");
            engine.activate(events.clone()).expect("activate");

            // In `start`, on the submitting thread.
            engine.start(origin(1), op(boom, echo)).unwrap();
            assert_eq!(events.wait_for(1), errno::EIO.neg());

            // In a job, on the job thread; the next job still runs.
            engine
                .start(origin(2), op(|_| Start::Blocking, echo))
                .unwrap();
            assert_eq!(events.wait_for(2), errno::EIO.neg());
            engine
                .start(
                    origin(3),
                    Op::Scripted(Scripted {
                        start: |_| Start::Blocking,
                        complete: echo,
                        run_blocking: || 7,
                        cancellable: false,
                    }),
                )
                .unwrap();
            assert_eq!(events.wait_for(3), 7);

            // In `complete`, on the completion thread; the next packet is
            // still handled.
            engine.start(origin(4), op(pending, never)).unwrap();
            post_completion(0);
            assert_eq!(events.wait_for(4), errno::EIO.neg());
            engine.start(origin(5), op(pending, echo)).unwrap();
            post_completion(42);
            assert_eq!(events.wait_for(5), 42);

            // In `complete` of a wake-up, on the waking thread.
            engine.start(origin(6), op(arm, never)).unwrap();
            on_wake(ARMED_KEY.load(Ordering::SeqCst), 0x1);
            assert_eq!(events.wait_for(6), errno::EIO.neg());
            engine.start(origin(7), op(arm, echo)).unwrap();
            on_wake(ARMED_KEY.load(Ordering::SeqCst), 0x4);
            assert_eq!(events.wait_for(7), 4);

            // Every slot came back.
            let deadline = Instant::now() + Duration::from_secs(10);
            while engine.busy() > 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(engine.busy(), 0);
            engine.stop();
        }
    }
}

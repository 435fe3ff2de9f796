//! The engine: request slots, the completion port, and the threads that
//! finish what `io_submit` started.
//!
//! Each overlapped request lives in a slot allocated at setup; the slot's
//! OVERLAPPED is what its completion packet carries back. Windows and Wine
//! answer a request in several ways, and each must yield exactly one event:
//!
//! * pending: one packet follows;
//! * done at once (a success status, or pending with the OVERLAPPED already
//!   filled in, as Wine does for files): one packet follows all the same,
//!   but the event goes into the ring before `io_submit` returns, and the
//!   slot is parked until that packet comes;
//! * failed at once: Windows queues no packet, Wine queues one. The event is
//!   delivered at once and a fence packet of our own is posted behind any
//!   stray one: the slot is freed by the fence, so a stray packet can never
//!   meet a reused slot.
//!
//! One completion port serves the whole process, with one thread draining
//! it: a handle can be bound to only one port in its life, and the program's
//! own handles (pipes, sockets) may serve several contexts one after
//! another. A packet finds its request through its OVERLAPPED, which is
//! checked against the live engines' slot ranges first: a program's own
//! OVERLAPPED on a handle it also gave us is never mistaken for a slot.
//!
//! A slot's `state` holds a phase and a generation (bumped on every reuse,
//! so a late compare-and-swap can never hit the next request). The phase says
//! who owns the slot's `work` and OVERLAPPED:
//!
//! | phase       | owner                                   | a packet for it           |
//! |-------------|-----------------------------------------|---------------------------|
//! | FREE        | the free list                           | (cannot come)             |
//! | ISSUING     | the thread inside the NT call           | marks PACKET_SEEN         |
//! | PACKET_SEEN | that same thread, after the call        | (cannot come)             |
//! | PENDING     | nobody: waiting for the packet          | the receiver takes BUSY   |
//! | BUSY        | the completion thread                   | (cannot come)             |
//! | DELIVERED   | nobody: event out, waiting for a packet | frees the slot            |
//! | FENCED      | nobody: event out, waiting for the fence| stray: ignored; fence: frees |
//! | JOB         | the job thread                          | (not on this port)        |

use crate::context::Context;
use crate::errno::{self, status, Errno};
use crate::fd::OpenFile;
use crate::ops::{self, Progress, Step};
use crate::submit::Origin;
use crate::sys::{self, Packet, Port};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::os::windows::io::RawHandle;
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
const PHASE_BITS: u32 = 3;

fn phase(state: u32) -> u32 {
    state & ((1 << PHASE_BITS) - 1)
}

fn with_phase(state: u32, phase: u32) -> u32 {
    (state & !((1 << PHASE_BITS) - 1)) | phase
}

/// Completion keys on the I/O port.
const KEY_IO: usize = 1;
const KEY_FENCE: usize = 2;
const KEY_STOP: usize = 3;

/// The process-wide completion port, its thread, and the live engines'
/// slot ranges for routing packets.
struct Completions {
    port: Port,
    engines: RwLock<Vec<Route>>,
    /// Handles bound to the port. A handle stays bound for life and a second
    /// binding fails, so this tells "bound to us" from "bound to another
    /// port". A value closed and reused since binds afresh.
    bound: Mutex<std::collections::HashSet<usize>>,
}

#[derive(Clone, Copy)]
struct Route {
    slots_start: usize,
    slots_end: usize,
    engine: *const Engine,
    ctx: *const Context,
}

// SAFETY: the pointers are only dereferenced by the completion thread while
// the engine has a slot in use, and an engine leaves the table only once all
// its slots are free (`Engine::stop`), before its context can be dropped.
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
            })
        })
        .as_ref()
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

/// What a slot carries out.
pub struct Work {
    origin: Origin,
    file: Arc<OpenFile>,
    kind: WorkKind,
}

// The size is the point: a slot holds its work in place, allocated once at
// io_setup; boxing the large variant would allocate on every I/O.
#[allow(clippy::large_enum_variant)]
enum WorkKind {
    /// A transfer moved piece by piece, or (`pages`) in one scatter/gather
    /// request whose page list lives here until it completes.
    Transfer(
        ops::Transfer,
        Progress,
        Option<[u64; ops::GATHER_PAGES + 1]>,
    ),
    Sync,
}

impl Work {
    pub fn transfer(origin: Origin, file: Arc<OpenFile>, t: ops::Transfer) -> Work {
        // Scatter/gather needs an unbuffered handle: O_DIRECT files only.
        let pages = if file.direct_alignment.is_some() {
            t.gather_pages()
        } else {
            None
        };
        Work {
            origin,
            file,
            kind: WorkKind::Transfer(t, Progress::default(), pages),
        }
    }

    pub fn sync(origin: Origin, file: Arc<OpenFile>) -> Work {
        Work {
            origin,
            file,
            kind: WorkKind::Sync,
        }
    }
}

/// One request slot. `repr(C)` with the OVERLAPPED first: a packet's
/// OVERLAPPED pointer is the slot's address.
#[repr(C)]
struct Slot {
    overlapped: UnsafeCell<OVERLAPPED>,
    state: AtomicU32,
    /// The handle the request is on, readable by `cancel_all` at any time.
    handle: AtomicUsize,
    work: UnsafeCell<Option<Work>>,
}

// SAFETY: `overlapped` and `work` are only touched by the slot's owner, as
// the phase table above defines it; ownership passes through `state` with
// acquire/release ordering. The OVERLAPPED's event handle is never set.
unsafe impl Sync for Slot {}
unsafe impl Send for Slot {}

pub struct Engine {
    slots: Box<[Slot]>,
    free: Mutex<Vec<u32>>,
    /// Slots not on the free list: `io_destroy` waits for zero.
    busy: AtomicU32,
    /// fsync jobs, queued on a completion port used as a plain queue.
    jobs: Port,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

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
                handle: AtomicUsize::new(0),
                work: UnsafeCell::new(None),
            })
            .collect();
        let free = Mutex::new((0..slot_count).rev().collect());
        Some(Engine {
            slots,
            free,
            busy: AtomicU32::new(0),
            jobs,
            threads: Mutex::new(Vec::new()),
        })
    }

    /// Makes the engine reachable by packets and starts its job thread,
    /// which holds the context until `stop`.
    pub fn activate(&self, ctx: &Arc<Context>) -> std::io::Result<()> {
        let routes = &completions().expect("created in Engine::new").engines;
        let start = self.slots.as_ptr() as usize;
        routes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(Route {
                slots_start: start,
                slots_end: start + core::mem::size_of_val(&*self.slots),
                engine: self,
                ctx: Arc::as_ptr(ctx),
            });
        let c = ctx.clone();
        let job = std::thread::Builder::new()
            .name("aio-jobs".into())
            .spawn(move || job_thread(&c))?;
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

    fn port(&self) -> &'static Port {
        &completions().expect("created in Engine::new").port
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
            while index.is_none() && std::time::Instant::now() < deadline {
                // The completion thread runs while this engine exists, so its
                // stop packet cannot be queued now; were one dequeued here
                // all the same, it would go back for the thread.
                if drain(Some(0)) {
                    let _ = self.port().post(KEY_STOP, core::ptr::null_mut());
                }
                index = pop();
                if index.is_none() {
                    std::thread::yield_now();
                }
            }
        }
        let index = index.ok_or(errno::EAGAIN)?;
        self.busy.fetch_add(1, Ordering::SeqCst);
        let slot = &self.slots[index as usize];
        // SAFETY: the slot came off the free list: we own it.
        unsafe { *slot.work.get() = Some(work) };
        Ok(index)
    }

    fn release_slot(&self, index: u32) {
        let slot = &self.slots[index as usize];
        // SAFETY: only the owner releases; dropping the work drops its file.
        unsafe { *slot.work.get() = None };
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

    pub fn busy(&self) -> u32 {
        self.busy.load(Ordering::SeqCst)
    }

    /// Starts an overlapped transfer in a slot.
    pub fn start(&self, ctx: &Context, work: Work) -> Result<(), Errno> {
        let index = self.take_slot(work)?;
        if self.issue(ctx, index) {
            self.advance(ctx, index);
        }
        Ok(())
    }

    fn slot_index(&self, overlapped: *mut OVERLAPPED) -> Option<u32> {
        let base = self.slots.as_ptr() as usize;
        let offset = (overlapped as usize).checked_sub(base)?;
        let index = offset / core::mem::size_of::<Slot>();
        (offset % core::mem::size_of::<Slot>() == 0 && index < self.slots.len())
            .then_some(index as u32)
    }

    fn deliver(&self, ctx: &Context, index: u32, res: i64) {
        // SAFETY: called by the slot's owner.
        let work = unsafe { (*self.slots[index as usize].work.get()).as_ref() };
        if let Some(work) = work {
            ctx.complete(&work.origin, res);
        }
    }

    /// Issues the slot's current segment. Returns true when the slot came
    /// back to the caller with a completed transfer to `advance` on (its
    /// packet arrived during the call).
    fn issue(&self, ctx: &Context, index: u32) -> bool {
        let slot = &self.slots[index as usize];
        let overlapped = slot.overlapped.get();
        // SAFETY: we own the slot (fresh, PACKET_SEEN or BUSY).
        let work = unsafe { (*slot.work.get()).as_ref() }.expect("slot in use has work");
        let WorkKind::Transfer(t, at, pages) = &work.kind else {
            unreachable!("only transfers are issued")
        };
        let state = slot.state.load(Ordering::Relaxed);
        let issuing = with_phase(state, ISSUING);
        // SAFETY: we own the OVERLAPPED until the store below publishes
        // ISSUING; from then on only the packet receiver may touch `state`.
        unsafe { sys::reset_overlapped(&mut *overlapped) };
        slot.handle
            .store(work.file.raw() as usize, Ordering::Relaxed);
        slot.state.store(issuing, Ordering::Release);
        // SAFETY: the OVERLAPPED lives in the slot, which stays out of the
        // free list until this request's packet (or our fence) is dequeued.
        let code = unsafe {
            match pages {
                // Every segment one page: the whole request in one call.
                Some(pages) => sys::start_pages(
                    work.file.raw(),
                    t.write,
                    pages.as_ptr(),
                    t.segments.total() as u32,
                    t.offset.unwrap_or(0),
                    overlapped,
                ),
                None => {
                    let (seg, offset) = t.segment(*at).expect("issue has a segment to move");
                    sys::start_transfer(
                        work.file.raw(),
                        t.write,
                        seg.base,
                        seg.len as u32,
                        offset.unwrap_or(0),
                        overlapped,
                    )
                }
            }
        };
        let failed = status::is_error(code);
        let done = if failed {
            Some((code, 0))
        } else {
            // SAFETY: reading our own slot's OVERLAPPED.
            unsafe { sys::overlapped_result(overlapped) }.map(|r| (r.status, r.bytes))
        };
        if let Some((code, bytes)) = done {
            if let Step::Finish(res) = t.step_whole_or_piece(*at, pages.is_some(), code, bytes) {
                let res = ops::finish(&work.file, t, res);
                // The event goes out now, before io_submit returns; the slot
                // waits for the packet, or for our fence behind a stray one.
                self.deliver(ctx, index, res);
                // The request is over: its work (and with it the file) goes
                // now, not when the packet comes, so that a program which
                // closes the fd right after reaping the event really closes
                // the file (Linux's fput at completion).
                // SAFETY: the slot is still ours (ISSUING), and `work` is not
                // used after this.
                drop(unsafe { (*slot.work.get()).take() });
                let parked = with_phase(state, if failed { FENCED } else { DELIVERED });
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
        }
        // Here the request is pending, or done with more to move: its packet
        // (perhaps already in) drives it on. A failure always finished above.
        debug_assert!(!failed);
        let pending = with_phase(state, PENDING);
        slot.state
            .compare_exchange(issuing, pending, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
    }

    /// The slot is ours and its OVERLAPPED holds a completed transfer:
    /// account for it, then finish the request or issue its next segment.
    fn advance(&self, ctx: &Context, index: u32) {
        let slot = &self.slots[index as usize];
        loop {
            // SAFETY: we own the slot; its request completed.
            let result = unsafe { sys::overlapped_result(slot.overlapped.get()) };
            let (code, bytes) = result.map_or((status::CANCELLED, 0), |r| (r.status, r.bytes));
            // SAFETY: we own the slot.
            let work = unsafe { (*slot.work.get()).as_mut() }.expect("slot in use has work");
            let WorkKind::Transfer(t, at, pages) = &mut work.kind else {
                unreachable!("only transfers advance")
            };
            match t.step_whole_or_piece(*at, pages.is_some(), code, bytes) {
                Step::Continue(next) => *at = next,
                Step::Finish(res) => {
                    let res = ops::finish(&work.file, t, res);
                    self.deliver(ctx, index, res);
                    self.release_slot(index);
                    return;
                }
            }
            if !self.issue(ctx, index) {
                return;
            }
        }
    }

    /// Handles one packet from the port.
    fn on_packet(&self, ctx: &Context, packet: &Packet) {
        let Some(index) = self.slot_index(packet.overlapped) else {
            return;
        };
        let slot = &self.slots[index as usize];
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
                    self.advance(ctx, index);
                }
                return;
            }
        }
    }

    /// Cancels every request of this engine that may be pending (for
    /// `io_destroy`): each by its own OVERLAPPED, so the program's own I/O
    /// on a shared handle is left alone. A request that completed meanwhile
    /// is simply not found.
    pub fn cancel_all(&self) {
        for slot in self.slots.iter() {
            if matches!(phase(slot.state.load(Ordering::Acquire)), ISSUING | PENDING) {
                sys::cancel(
                    slot.handle.load(Ordering::Relaxed) as RawHandle,
                    slot.overlapped.get(),
                );
            }
        }
    }

    /// Queues an fsync for the job thread: `io_submit` never waits for a flush.
    pub fn queue_job(&self, work: Work) -> Result<(), Errno> {
        let index = self.take_slot(work)?;
        let slot = &self.slots[index as usize];
        let state = slot.state.load(Ordering::Relaxed);
        slot.state.store(with_phase(state, JOB), Ordering::Release);
        if !self.jobs.post(KEY_IO, slot.overlapped.get()) {
            // The job was never queued: the slot is still ours to release.
            self.release_slot(index);
            return Err(errno::EAGAIN);
        }
        Ok(())
    }

    fn run_job(&self, ctx: &Context, packet: &Packet) {
        let Some(index) = self.slot_index(packet.overlapped) else {
            return;
        };
        let slot = &self.slots[index as usize];
        // Pairs with the release store of JOB in `queue_job`.
        if phase(slot.state.load(Ordering::Acquire)) != JOB {
            return;
        }
        // SAFETY: a JOB slot belongs to the job thread.
        let Some(work) = (unsafe { (*slot.work.get()).as_ref() }) else {
            return;
        };
        // A panic in the flush fails this request with -EIO; the job thread
        // goes on serving the others.
        let res =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ops::run_sync(&work.file)))
                .unwrap_or(errno::EIO.neg());
        self.deliver(ctx, index, res);
        self.release_slot(index);
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

/// Drains the process's completion port until told to stop.
fn completion_thread() {
    while !drain(None) {}
}

/// Dequeues one batch of packets, waiting up to `timeout_ms` (`None`: until
/// one comes), and handles them. True when the batch held the completion
/// thread's stop packet.
fn drain(timeout_ms: Option<u32>) -> bool {
    let Some(completions) = completions() else {
        return true;
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
/// whether the stop packet was among them.
fn dispatch(completions: &Completions, packets: &[Packet]) -> bool {
    let mut stop = false;
    for packet in packets {
        if packet.key == KEY_STOP {
            stop = true;
            continue;
        }
        let at = packet.overlapped as usize;
        let route = completions
            .engines
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|r| (r.slots_start..r.slots_end).contains(&at))
            .copied();
        // A packet outside every slot range is the program's own I/O on a
        // handle it also gave us: it cannot be ours to complete.
        if let Some(route) = route {
            // SAFETY: see `Route`: the engine has this slot in use, so it
            // and its context are alive until the packet is handled.
            let (engine, ctx) = unsafe { (&*route.engine, &*route.ctx) };
            engine.on_packet(ctx, packet);
        }
    }
    stop
}

fn job_thread(ctx: &Arc<Context>) {
    let Some(engine) = ctx.engine_if_started() else {
        return;
    };
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
            engine.run_job(ctx, packet);
        }
    }
}

//! The context: what `io_setup` creates and `io_context_t` names.
//!
//! A context owns the completion ring (whose address is the `io_context_t`),
//! the accounting that keeps the ring from overflowing, the per-fd handle
//! cache, and, from the first request that needs it, the engine (port, slots
//! and threads). Live contexts are found through a registry keyed by ring
//! address, so a NULL, garbage or destroyed `io_context_t` is only ever
//! looked up, never dereferenced.

use crate::abi::IoEvent;
use crate::completion::{Complete, Origin};
use crate::engine::Engine;
use crate::errno::{self, Errno};
use crate::fd::{self, Files, OpenFile, Resolver};
use crate::ring::{self, Ring};
use crate::submit::{self, Batch, Request};
use crate::sys;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Request slots beyond the ring's capacity, for requests parked between
/// their event and their packet.
const PARKED_SLOTS: u32 = 256;

pub struct Context {
    ring: Ring,
    /// What the program asked for, counted against the process-wide limit.
    max_reqs: u32,
    /// Requests accepted whose events are not in the ring yet. Together with
    /// the events in the ring this never exceeds the ring's capacity, so no
    /// completion ever finds the ring full.
    in_flight: AtomicU32,
    /// Serialises the ring's producers (any thread completing a request).
    produce: Mutex<()>,
    /// Serialises `io_getevents` callers among themselves.
    consume: Mutex<()>,
    /// Bumped by every completion and by `io_destroy`: waiters sleep on it.
    seq: AtomicU32,
    waiters: AtomicU32,
    dead: AtomicBool,
    /// `io_submit` calls inside this context: `io_destroy` waits for them
    /// (and for every request they started), as Linux's does.
    submitters: AtomicU32,
    resolver: Resolver,
    files: Files,
    engine: OnceLock<Engine>,
    engine_init: Mutex<()>,
}

/// Live contexts by ring address, and the sum of their `max_reqs`.
struct Registry {
    contexts: HashMap<usize, Arc<Context>>,
    aio_nr: u32,
}

fn registry() -> &'static RwLock<Registry> {
    static REGISTRY: OnceLock<RwLock<Registry>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        RwLock::new(Registry {
            contexts: HashMap::new(),
            aio_nr: 0,
        })
    })
}

/// The live context `id` names, if any.
pub fn lookup(id: usize) -> Option<Arc<Context>> {
    registry()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .contexts
        .get(&id)
        .cloned()
}

/// `io_setup`'s work once its pointer has been checked: a new context.
pub fn setup(requested: u32, resolver: Option<Resolver>) -> Result<Arc<Context>, Errno> {
    let nr = ring::ring_entries(requested, sys::cpu_count())?;
    let ring = Ring::new(nr).ok_or(errno::ENOMEM)?;
    let ctx = Arc::new(Context {
        ring,
        max_reqs: requested,
        in_flight: AtomicU32::new(0),
        produce: Mutex::new(()),
        consume: Mutex::new(()),
        seq: AtomicU32::new(0),
        waiters: AtomicU32::new(0),
        dead: AtomicBool::new(false),
        submitters: AtomicU32::new(0),
        resolver: resolver.unwrap_or_else(fd::default_resolver),
        files: Files::default(),
        engine: OnceLock::new(),
        engine_init: Mutex::new(()),
    });
    let mut reg = registry().write().unwrap_or_else(|e| e.into_inner());
    // Linux counts every context's request against fs.aio-max-nr.
    if reg
        .aio_nr
        .checked_add(requested)
        .is_none_or(|n| n > ring::AIO_MAX_NR)
    {
        return Err(errno::EAGAIN);
    }
    reg.aio_nr += requested;
    reg.contexts.insert(ctx.id(), ctx.clone());
    Ok(ctx)
}

/// The program is about to close `handle` (the header's `close()`): every
/// context lets go of the file behind it, as Linux's fput on close.
pub fn forget_handle(handle: std::os::windows::io::RawHandle) {
    let live: Vec<Arc<Context>> = registry()
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .contexts
        .values()
        .cloned()
        .collect();
    for ctx in live {
        ctx.files.forget(handle);
    }
    fd::forget_flags(handle);
}

/// Removes `id` from the registry and destroys it (`io_destroy`).
pub fn destroy(id: usize) -> Result<(), Errno> {
    let ctx = {
        let mut reg = registry().write().unwrap_or_else(|e| e.into_inner());
        let ctx = reg.contexts.remove(&id).ok_or(errno::EINVAL)?;
        reg.aio_nr -= ctx.max_reqs;
        ctx
    };
    ctx.shut_down();
    Ok(())
}

/// An `io_submit` call at work in a context; `io_destroy` waits until every
/// one is dropped.
pub struct Submitting<'a>(&'a Context);

impl Drop for Submitting<'_> {
    fn drop(&mut self) {
        self.0.submitters.fetch_sub(1, Ordering::SeqCst);
        if self.0.dead.load(Ordering::SeqCst) {
            // `io_destroy` may be waiting for the last submitter.
            self.0.wake();
        }
    }
}

impl Context {
    pub fn id(&self) -> usize {
        self.ring.addr()
    }

    /// Enters an `io_submit` call; `None` once the context is being
    /// destroyed. Announced before `dead` is read, and `dead` is set before
    /// `io_destroy` reads the count: either the destroyer sees this call and
    /// waits for it, or this call sees the destroyer and starts nothing.
    pub fn enter_submit(&self) -> Option<Submitting<'_>> {
        self.submitters.fetch_add(1, Ordering::SeqCst);
        let guard = Submitting(self);
        (!self.is_dead()).then_some(guard)
    }

    /// Whether `io_destroy` has begun on this context.
    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::SeqCst)
    }

    /// Takes room for one more request, as Linux's `aio_get_req`; false when
    /// the requests in flight and the unreaped events fill the ring.
    pub fn reserve(&self) -> bool {
        let capacity = self.ring.capacity();
        let mut current = self.in_flight.load(Ordering::SeqCst);
        loop {
            if current + self.ring.len() >= capacity {
                return false;
            }
            match self.in_flight.compare_exchange_weak(
                current,
                current + 1,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
    }

    /// Gives back a reservation for a request that was not started.
    pub fn unreserve(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }

    /// Validates and starts the iocb at `iocb_addr` (`io_submit`, one
    /// iocb). On success the request's event is either in the ring already
    /// or will be put there exactly once.
    pub fn submit(self: &Arc<Self>, batch: &mut Batch, iocb_addr: u64) -> Result<(), Errno> {
        let iocb = submit::read_iocb(iocb_addr)?;
        if !self.reserve() {
            return Err(errno::EAGAIN);
        }
        let resolvers = submit::Resolvers {
            file: &|fd| self.resolve(fd),
            afd: &|| {
                self.engine()
                    .and_then(|_| Engine::afd().ok_or(errno::ENOMEM))
            },
        };
        let started = submit::prepare(&iocb, iocb_addr, batch, &resolvers)
            .and_then(|(origin, request)| self.start(origin, request));
        if started.is_err() {
            self.unreserve();
        }
        started
    }

    /// Starts an accepted request, whose reservation is taken; on error
    /// nothing was started and the caller gives the reservation back.
    fn start(self: &Arc<Self>, origin: Origin, request: Request) -> Result<(), Errno> {
        match request {
            Request::Done(res) => self.complete(&origin, res),
            Request::Op(op) => self.engine()?.start(origin, op)?,
        }
        Ok(())
    }

    fn wake(&self) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            sys::wake_all(&self.seq);
        }
    }

    /// `io_cancel`: only requests that wait for readiness (polls) can be
    /// cancelled, as on Linux. -EINVAL for anything else.
    pub fn cancel(&self, iocb: u64) -> Result<(), Errno> {
        match self.engine.get() {
            Some(engine) => engine.cancel(iocb),
            None => Err(errno::EINVAL),
        }
    }

    /// The file behind `fd` as this context sees it.
    pub fn resolve(self: &Arc<Self>, fd: i32) -> Result<Arc<OpenFile>, Errno> {
        self.files.resolve(self.resolver, fd, &PortBinder(self))
    }

    /// The engine, started on first use.
    pub fn engine(self: &Arc<Self>) -> Result<&Engine, Errno> {
        if let Some(engine) = self.engine.get() {
            return Ok(engine);
        }
        let _init = self.engine_init.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(engine) = self.engine.get() {
            return Ok(engine);
        }
        // Slots for every request the ring can hold, and some more for those
        // whose event is out but whose packet has yet to be dequeued (a
        // moment's wait for the completion thread; past them, -EAGAIN).
        let capacity = self.ring.capacity();
        let engine = Engine::new(capacity + capacity.min(PARKED_SLOTS)).ok_or(errno::ENOMEM)?;
        let engine = self.engine.get_or_init(|| engine);
        engine.activate(self.clone()).map_err(|_| errno::ENOMEM)?;
        Ok(engine)
    }

    /// `io_getevents`: waits until `min_nr` events have been copied to the
    /// program's array at `out` (room for `nr`) or the timeout passes, and
    /// returns how many were. An array that cannot be written gives -EFAULT
    /// (when nothing was copied yet), and its events stay in the ring.
    pub fn get_events(
        &self,
        min_nr: usize,
        nr: usize,
        out: u64,
        timeout: Option<Duration>,
    ) -> Result<usize, Errno> {
        let deadline = timeout.map(|t| Instant::now().checked_add(t).unwrap_or_else(far_future));
        let mut got = 0;
        loop {
            if got < nr {
                let _consumer = self.consume.lock().unwrap_or_else(|e| e.into_inner());
                let at = out.wrapping_add((got * core::mem::size_of::<IoEvent>()) as u64);
                match self.ring.pop_to_user(at, nr - got) {
                    Ok(n) => got += n,
                    Err(()) if got > 0 => return Ok(got),
                    Err(()) => return Err(errno::EFAULT),
                }
            }
            if self.is_dead() {
                return if got > 0 { Ok(got) } else { Err(errno::EINVAL) };
            }
            if got >= min_nr {
                return Ok(got);
            }
            let wait_ms = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(got);
                    }
                    // Round up: never wake before the deadline.
                    Some(left.as_micros().div_ceil(1000).min(u32::MAX as u128 - 1) as u32)
                }
            };
            let seen = self.seq.load(Ordering::SeqCst);
            self.waiters.fetch_add(1, Ordering::SeqCst);
            // Re-check after announcing ourselves: a completion between the
            // pop above and here bumped `seq`, so the wait returns at once.
            if self.ring.is_empty() && !self.dead.load(Ordering::SeqCst) {
                sys::wait_on(&self.seq, seen, wait_ms);
            }
            self.waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// How many events the ring holds (its `nr`).
    pub fn ring_entries(&self) -> u32 {
        self.ring.entries()
    }

    /// Whether any event is waiting in the ring.
    pub fn ring_is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// `io_destroy` after unregistering: wakes waiters (who return -EINVAL),
    /// waits for the `io_submit` calls still inside (each stops before its
    /// next iocb), cancels what can be cancelled, waits for every request in
    /// flight, then stops the engine's threads. After it, nothing of the
    /// context touches the program's memory.
    fn shut_down(&self) {
        self.dead.store(true, Ordering::SeqCst);
        self.wake();
        self.wait_while(|| self.submitters.load(Ordering::SeqCst) > 0);
        // Armed polls end at the first pass, as Linux's io_destroy cancels
        // them. Cancel again now and then: a request another thread was
        // issuing at the first pass may be pending by the next.
        for round in 0u64.. {
            if round % 100 == 0 {
                if let Some(engine) = self.engine.get() {
                    engine.cancel_all();
                }
            }
            let engine_busy = self.engine.get().map_or(0, |e| e.busy());
            if self.in_flight.load(Ordering::SeqCst) == 0 && engine_busy == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if let Some(engine) = self.engine.get() {
            engine.stop();
        }
    }

    /// Sleeps until `busy` is false; woken by `wake`, and every millisecond.
    fn wait_while(&self, busy: impl Fn() -> bool) {
        loop {
            let seen = self.seq.load(Ordering::SeqCst);
            if !busy() {
                return;
            }
            self.waiters.fetch_add(1, Ordering::SeqCst);
            sys::wait_on(&self.seq, seen, Some(1));
            self.waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Complete for Context {
    /// Puts a finished request's event into the ring and wakes waiters,
    /// then adds 1 to its eventfd (IOCB_FLAG_RESFD), as Linux's aio_complete
    /// does: whoever the eventfd wakes finds the event already there.
    /// Consumes the request's reservation.
    fn complete(&self, origin: &Origin, res: i64) {
        let event = IoEvent {
            data: origin.data,
            obj: origin.obj,
            res,
            res2: 0,
        };
        {
            let _producer = self.produce.lock().unwrap_or_else(|e| e.into_inner());
            // Room is guaranteed by `reserve`; only a program that corrupted
            // the ring's head can make this fail.
            let _ = self.ring.push(event);
        }
        // Publish the event before giving its reservation back, so the two
        // never undercount together.
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.wake();
        if let Some(eventfd) = &origin.resfd {
            eventfd.signal(1);
        }
    }
}

/// Binds handles to the process's completion port, starting the context's
/// engine (which must exist before any packet can come) on first use.
struct PortBinder<'a>(&'a Arc<Context>);

// The engine must exist before any packet can come.
impl fd::Binder for PortBinder<'_> {
    fn bind_private(&self, handle: std::os::windows::io::RawHandle) -> bool {
        self.0.engine().is_ok() && Engine::bind_private(handle)
    }

    fn bind_program(&self, handle: std::os::windows::io::RawHandle) -> bool {
        self.0.engine().is_ok() && Engine::bind_program(handle)
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

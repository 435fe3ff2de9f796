//! The exported C functions: argument checks and conversion, then the safe
//! Rust behind them. Every entry point runs inside `boundary`, so no panic
//! ever unwinds into C: it becomes -EIO instead.
//!
//! On Windows `long` is 32 bits (`c_long` here), as the header declares.

use crate::abi::{IoEvent, Iocb, Timespec};
use crate::context::{self, Context};
use crate::errno::{self, Errno};
use crate::fd::Resolver;
use crate::submit::Batch;
use crate::user;
use core::ffi::{c_int, c_long, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Duration;

fn boundary(f: impl FnOnce() -> Result<c_int, Errno>) -> c_int {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => -e.0,
        Err(_) => -errno::EIO.0,
    }
}

fn live(ctx: usize) -> Result<Arc<Context>, Errno> {
    context::lookup(ctx).ok_or(errno::EINVAL)
}

fn setup(maxevents: c_int, ctxp: *mut usize, resolver: Option<Resolver>) -> Result<c_int, Errno> {
    let at = ctxp as u64;
    let current: u64 = user::read(at).ok_or(errno::EFAULT)?;
    if current != 0 || maxevents == 0 {
        return Err(errno::EINVAL);
    }
    // The kernel takes the count as unsigned: a negative one is huge.
    let ctx = context::setup(maxevents as u32, resolver)?;
    if !user::write(at, ctx.id() as u64) {
        let _ = context::destroy(ctx.id());
        return Err(errno::EFAULT);
    }
    Ok(0)
}

/// `int io_setup(int maxevents, io_context_t *ctxp)`, resolving fds in the
/// process's default C runtime.
#[no_mangle]
pub extern "C" fn io_setup(maxevents: c_int, ctxp: *mut usize) -> c_int {
    boundary(|| setup(maxevents, ctxp, None))
}

/// `io_setup` with the caller's own fd resolver (the header passes its
/// `_get_osfhandle`); NULL means the default.
#[no_mangle]
pub extern "C" fn io_win32_setup(
    maxevents: c_int,
    ctxp: *mut usize,
    resolver: Option<Resolver>,
) -> c_int {
    boundary(|| setup(maxevents, ctxp, resolver))
}

fn queue_init(
    maxevents: c_int,
    ctxp: *mut usize,
    resolver: Option<Resolver>,
) -> Result<c_int, Errno> {
    if maxevents <= 0 {
        return Err(errno::EINVAL);
    }
    if !user::write(ctxp as u64, 0u64) {
        return Err(errno::EFAULT);
    }
    setup(maxevents, ctxp, resolver)
}

/// `int io_queue_init(int maxevents, io_context_t *ctxp)`.
#[no_mangle]
pub extern "C" fn io_queue_init(maxevents: c_int, ctxp: *mut usize) -> c_int {
    boundary(|| queue_init(maxevents, ctxp, None))
}

#[no_mangle]
pub extern "C" fn io_win32_queue_init(
    maxevents: c_int,
    ctxp: *mut usize,
    resolver: Option<Resolver>,
) -> c_int {
    boundary(|| queue_init(maxevents, ctxp, resolver))
}

/// `int io_win32_set_handle_flags(void *handle, int flags)`: records the
/// open flags (O_APPEND, O_DIRECT, O_DSYNC, O_SYNC) of a program's handle,
/// which the C runtimes do not tell. The header's `aio_open` and
/// `aio_fd_set_flags` call it with the fd's handle.
#[no_mangle]
pub extern "C" fn io_win32_set_handle_flags(handle: *mut c_void, flags: c_int) -> c_int {
    boundary(|| {
        if handle.is_null() || handle as isize == -1 {
            return Err(errno::EBADF);
        }
        crate::fd::set_flags(handle, flags as u32).map(|()| 0)
    })
}

/// `int io_win32_handle_fd(void *handle, int flags)`: an fd the API accepts
/// for a HANDLE the program opened itself (with or without
/// FILE_FLAG_OVERLAPPED or FILE_FLAG_NO_BUFFERING, bound to a port of its own
/// or not), with its open flags (O_DIRECT, O_DSYNC, O_SYNC, O_APPEND). The
/// program keeps the handle; `io_win32_handle_release` forgets the fd.
#[no_mangle]
pub extern "C" fn io_win32_handle_fd(handle: *mut c_void, flags: c_int) -> c_int {
    boundary(|| {
        if handle.is_null() || handle as isize == -1 {
            return Err(errno::EBADF);
        }
        crate::fd::register_handle(handle, flags as u32)
    })
}

/// `int io_win32_handle_release(int fd)`: 0, or -EBADF for an fd that
/// `io_win32_handle_fd` did not give (or that was released already).
#[no_mangle]
pub extern "C" fn io_win32_handle_release(fd: c_int) -> c_int {
    boundary(|| crate::fd::release_handle(fd).map(|()| 0))
}

/// `void io_win32_handle_closing(void *handle)`: the program is about to
/// close `handle` (the header's `close()` says so before calling the C
/// runtime's): the library lets go of the file behind it, so that a file
/// closed and deleted can be created again at once, as on Linux.
#[no_mangle]
pub extern "C" fn io_win32_handle_closing(handle: *mut c_void) {
    boundary(|| {
        context::forget_handle(handle);
        Ok(0)
    });
}

/// `int io_destroy(io_context_t ctx)`.
#[no_mangle]
pub extern "C" fn io_destroy(ctx: usize) -> c_int {
    boundary(|| context::destroy(ctx).map(|()| 0))
}

/// `int io_queue_release(io_context_t ctx)`.
#[no_mangle]
pub extern "C" fn io_queue_release(ctx: usize) -> c_int {
    io_destroy(ctx)
}

/// `int io_submit(io_context_t ctx, long nr, struct iocb *iocbs[])`.
#[no_mangle]
pub extern "C" fn io_submit(ctx: usize, nr: c_long, iocbs: *const u64) -> c_int {
    boundary(|| {
        if nr < 0 {
            return Err(errno::EINVAL);
        }
        let ctx = live(ctx)?;
        let _submitting = ctx.enter_submit().ok_or(errno::EINVAL)?;
        let nr = (nr as u32).min(ctx.ring_entries());
        let mut accepted = 0;
        let mut failure = None;
        let mut batch = Batch::default();
        for i in 0..nr as u64 {
            // io_destroy from another thread: stop before the next iocb; it
            // waits for this call and for what it started.
            if ctx.is_dead() {
                failure = Some(errno::EINVAL);
                break;
            }
            let Some(iocb) = user::read::<u64>((iocbs as u64).wrapping_add(i * 8)) else {
                failure = Some(errno::EFAULT);
                break;
            };
            if let Err(e) = ctx.submit(&mut batch, iocb) {
                failure = Some(e);
                break;
            }
            accepted += 1;
        }
        match failure {
            Some(e) if accepted == 0 => Err(e),
            _ => Ok(accepted),
        }
    })
}

/// The relative timeout a `struct timespec *` gives: `None` waits forever.
/// Linux reads it before anything else (-EFAULT).
fn read_timeout(timeout: *const Timespec) -> Result<Option<Duration>, Errno> {
    if timeout.is_null() {
        return Ok(None);
    }
    let ts: Timespec = user::read(timeout as u64).ok_or(errno::EFAULT)?;
    Ok(timeout_of(ts))
}

/// Linux's reading of a relative timeout, `timespec64_to_ktime`: seconds
/// from KTIME_SEC_MAX on are "forever"; below, the nanoseconds are computed
/// in wrapping 64-bit arithmetic, unchecked, as the kernel does (so tv_sec
/// INT64_MIN wraps to 0: look and return at once). A negative result waits
/// forever: the hrtimer adds it to the current time with `ktime_add_safe`,
/// which clamps any sum smaller than an operand to KTIME_MAX.
fn timeout_of(ts: Timespec) -> Option<Duration> {
    const KTIME_SEC_MAX: i64 = i64::MAX / 1_000_000_000;
    if ts.tv_sec >= KTIME_SEC_MAX {
        return None;
    }
    let nanos = ts
        .tv_sec
        .wrapping_mul(1_000_000_000)
        .wrapping_add(i64::from(ts.tv_nsec));
    u64::try_from(nanos).ok().map(Duration::from_nanos)
}

fn get_events(
    ctx: usize,
    min_nr: c_long,
    nr: c_long,
    events: *mut IoEvent,
    timeout: *const Timespec,
) -> Result<c_int, Errno> {
    let live_ctx = context::lookup(ctx);
    let timeout = read_timeout(timeout);
    // libaio's own shortcut, taken before the system call: a zero timeout on
    // an empty ring returns 0 whatever the other arguments say.
    if let (Some(live), Ok(Some(t))) = (&live_ctx, &timeout) {
        if t.is_zero() && live.ring_is_empty() {
            return Ok(0);
        }
    }
    let timeout = timeout?;
    let ctx = live_ctx.ok_or(errno::EINVAL)?;
    if min_nr < 0 || min_nr > nr {
        return Err(errno::EINVAL);
    }
    let got = ctx.get_events(min_nr as usize, nr as usize, events as u64, timeout)?;
    Ok(got as c_int)
}

/// `int io_getevents(io_context_t ctx, long min_nr, long nr,
///                   struct io_event *events, struct timespec *timeout)`.
#[no_mangle]
pub extern "C" fn io_getevents(
    ctx: usize,
    min_nr: c_long,
    nr: c_long,
    events: *mut IoEvent,
    timeout: *const Timespec,
) -> c_int {
    boundary(|| get_events(ctx, min_nr, nr, events, timeout))
}

/// `io_pgetevents`: as `io_getevents`; Windows has no signals to mask, so
/// `sigmask` is ignored.
#[no_mangle]
pub extern "C" fn io_pgetevents(
    ctx: usize,
    min_nr: c_long,
    nr: c_long,
    events: *mut IoEvent,
    timeout: *const Timespec,
    _sigmask: *const c_void,
) -> c_int {
    boundary(|| get_events(ctx, min_nr, nr, events, timeout))
}

/// `int io_cancel(io_context_t ctx, struct iocb *iocb, struct io_event *evt)`.
/// As on Linux, only requests that wait for readiness (armed polls) can be
/// cancelled: -EINPROGRESS, and their event (res 0) comes through the ring;
/// reads, writes, syncs, finished or unknown iocbs give -EINVAL. `evt` is
/// not written, as on Linux.
#[no_mangle]
pub extern "C" fn io_cancel(ctx: usize, iocb: *mut Iocb, _event: *mut IoEvent) -> c_int {
    boundary(|| {
        let key_addr = (iocb as u64).wrapping_add(core::mem::offset_of!(Iocb, key) as u64);
        if user::read::<u32>(key_addr).ok_or(errno::EFAULT)? != 0 {
            return Err(errno::EINVAL);
        }
        live(ctx)?.cancel(iocb as u64)?;
        Err(errno::EINPROGRESS)
    })
}

/// The callback type `io_set_callback` stores in `iocb->data`.
type Callback = unsafe extern "C" fn(ctx: usize, iocb: *mut Iocb, res: c_long, res2: c_long);

/// `int io_queue_run(io_context_t ctx)`: reaps what is there and calls each
/// event's callback, as libaio does.
#[no_mangle]
pub extern "C" fn io_queue_run(ctx: usize) -> c_int {
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    loop {
        let mut event = IoEvent::default();
        let n = io_getevents(ctx, 0, 1, &mut event, &zero);
        if n != 1 {
            return n;
        }
        // A NULL callback would crash libaio; here it is skipped.
        if event.data != 0 {
            // SAFETY: `io_set_callback` stored a function of this type there;
            // calling it is this function's whole purpose.
            let callback: Callback =
                unsafe { core::mem::transmute::<usize, Callback>(event.data as usize) };
            // SAFETY: as above. `long` is 32 bits on Windows: the result is
            // truncated as the callback's own type requires.
            unsafe {
                callback(
                    ctx,
                    event.obj as *mut Iocb,
                    event.res as c_long,
                    event.res2 as c_long,
                )
            };
        }
    }
}

/// `int io_queue_wait(io_context_t ctx, struct timespec *timeout)`: libaio's
/// `io_getevents(ctx, 0, 0, NULL, timeout)`.
#[no_mangle]
pub extern "C" fn io_queue_wait(ctx: usize, timeout: *const Timespec) -> c_int {
    io_getevents(ctx, 0, 0, core::ptr::null_mut(), timeout)
}

// ===========================================================================
// eventfd: include/sys/eventfd.h and include/libaio-win32/fdio.h.
//
// The io_win32_eventfd* exports return a negative errno; the header's inline
// eventfd(), eventfd_read(), eventfd_write(), read(), write(), close() and
// io_win32_eventfd_handle() call them and set errno in the caller's own C
// runtime. The same names are also exported for programs and build probes
// that link without the header: those set errno in every loaded runtime
// (msvcrt, ucrtbase; not a static one), and know eventfds only.
// ===========================================================================

use core::ffi::c_uint;

/// `int io_win32_eventfd(unsigned int initval, int flags)`: the new fd, or
/// -EINVAL (unknown flags) or -EMFILE.
#[no_mangle]
pub extern "C" fn io_win32_eventfd(initval: c_uint, flags: c_int) -> c_int {
    boundary(|| crate::eventfd::create(initval, flags))
}

/// `int io_win32_eventfd_read(int fd, void *buf, unsigned int count)`:
/// read(2) on an eventfd: 8, or -EBADF, -EINVAL, -EAGAIN, -EFAULT.
#[no_mangle]
pub extern "C" fn io_win32_eventfd_read(fd: c_int, buf: *mut c_void, count: c_uint) -> c_int {
    boundary(|| crate::eventfd::read_fd(fd, buf as u64, u64::from(count)).map(|n| n as c_int))
}

/// `int io_win32_eventfd_write(int fd, const void *buf, unsigned int count)`:
/// write(2) on an eventfd: 8, or -EBADF, -EINVAL, -EAGAIN, -EFAULT.
#[no_mangle]
pub extern "C" fn io_win32_eventfd_write(fd: c_int, buf: *const c_void, count: c_uint) -> c_int {
    boundary(|| crate::eventfd::write_fd(fd, buf as u64, u64::from(count)).map(|n| n as c_int))
}

/// `int io_win32_eventfd_close(int fd)`: 0, or -EBADF.
#[no_mangle]
pub extern "C" fn io_win32_eventfd_close(fd: c_int) -> c_int {
    boundary(|| crate::eventfd::close(fd).map(|()| 0))
}

/// `int io_win32_eventfd_get_handle(int fd, void **handle)`: stores the
/// event that is signalled while the counter is non-zero; 0, or -EBADF.
#[no_mangle]
pub extern "C" fn io_win32_eventfd_get_handle(fd: c_int, handle: *mut *mut c_void) -> c_int {
    boundary(|| {
        let event = crate::eventfd::handle_fd(fd)?;
        if !user::write(handle as u64, event as u64) {
            return Err(errno::EFAULT);
        }
        Ok(0)
    })
}

/// Sets `errno` in every C runtime the process has loaded (msvcrt,
/// ucrtbase), for the exports under POSIX names, which cannot know their
/// caller's: loading this DLL loads ucrtbase even into a mingw program, so
/// "ucrtbase if loaded" would miss msvcrt programs. errno is per thread
/// and per runtime: the other runtime's copy is simply not looked at.
fn set_runtime_errno(e: Errno) {
    type ErrnoFn = unsafe extern "C" fn() -> *mut c_int;
    static FOUND: [std::sync::OnceLock<ErrnoFn>; 2] =
        [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    for (module, found) in ["ucrtbase.dll", "msvcrt.dll"].iter().zip(&FOUND) {
        let errno_fn = match found.get() {
            Some(f) => Some(*f),
            None => crate::sys::proc_address(module, "_errno").map(|f| {
                // SAFETY: `_errno` has this signature in both runtimes.
                *found.get_or_init(|| unsafe { core::mem::transmute::<usize, ErrnoFn>(f) })
            }),
        };
        if let Some(errno_fn) = errno_fn {
            // SAFETY: `_errno` returns this thread's errno location.
            unsafe { *errno_fn() = e.0 };
        }
    }
}

/// A POSIX-style result: -1 with errno set (`set_runtime_errno`), for the
/// exports under the POSIX names.
fn posix(f: impl FnOnce() -> Result<c_int, Errno>) -> c_int {
    let r = boundary(f);
    if r >= 0 {
        return r;
    }
    boundary(|| {
        set_runtime_errno(Errno(-r));
        Ok(0)
    });
    -1
}

/// `int eventfd(unsigned int initval, int flags)`, without the header.
#[no_mangle]
pub extern "C" fn eventfd(initval: c_uint, flags: c_int) -> c_int {
    posix(|| crate::eventfd::create(initval, flags))
}

/// `int eventfd_read(int fd, eventfd_t *value)`, without the header: 0, or
/// -1 and errno (eventfds only; the header's reads any fd).
#[no_mangle]
pub extern "C" fn eventfd_read(fd: c_int, value: *mut u64) -> c_int {
    posix(|| crate::eventfd::read_fd(fd, value as u64, 8).map(|_| 0))
}

/// `int eventfd_write(int fd, eventfd_t value)`, without the header: 0, or
/// -1 and errno (eventfds only).
#[no_mangle]
pub extern "C" fn eventfd_write(fd: c_int, value: u64) -> c_int {
    posix(|| crate::eventfd::write_fd(fd, &value as *const u64 as u64, 8).map(|_| 0))
}

/// `void *io_win32_eventfd_handle(int fd)`, without the header: the event,
/// or NULL with errno EBADF.
#[no_mangle]
pub extern "C" fn io_win32_eventfd_handle(fd: c_int) -> *mut c_void {
    let mut event = core::ptr::null_mut();
    let r = posix(|| {
        event = crate::eventfd::handle_fd(fd)?;
        Ok(0)
    });
    if r < 0 {
        core::ptr::null_mut()
    } else {
        event
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_as_linux_reads_them() {
        let ts = |tv_sec, tv_nsec| Timespec { tv_sec, tv_nsec };
        assert_eq!(timeout_of(ts(0, 0)), Some(Duration::ZERO));
        assert_eq!(timeout_of(ts(1, 500)), Some(Duration::new(1, 500)));
        assert_eq!(
            timeout_of(ts(0, 1_500_000_000)),
            Some(Duration::new(1, 500_000_000))
        );
        assert_eq!(timeout_of(ts(-1, 0)), None);
        assert_eq!(timeout_of(ts(0, -1)), None);
        // Out of range: INT64_MIN seconds wrap to 0 ns; huge ones are forever.
        assert_eq!(timeout_of(ts(i64::MIN, 0)), Some(Duration::ZERO));
        assert_eq!(timeout_of(ts(i64::MAX, 0)), None);
        assert_eq!(timeout_of(ts(9_223_372_036, 0)), None);
    }
}

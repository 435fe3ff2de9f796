//! Readiness of a pipe end, as Linux's `pipe_poll` would give it, for
//! IO_CMD_POLL on pipes.
//!
//! The C runtime's pipes (`_pipe`, which is CreatePipe) are synchronous
//! handles: no overlapped I/O, no readiness notification. So readiness is
//! asked for: when a poll is armed, and again, periodically, while it stays
//! armed. `mask` never blocks (under Wine) and never consumes data:
//!
//! * which end: the handle's granted access (`FileAccessInformation`):
//!   FILE_READ_DATA reads, FILE_WRITE_DATA writes, a duplex named pipe both;
//! * the bytes waiting and the state: `FilePipeLocalInformation`
//!   (ReadDataAvailable, NamedPipeState); a read end that cannot be queried
//!   is peeked at (PeekNamedPipe, no buffer) instead;
//! * read end: POLLIN|POLLRDNORM while bytes wait, POLLHUP once the state is
//!   CLOSING or DISCONNECTED (the writer gone; with data left, both);
//! * write end: POLLOUT|POLLWRNORM unless LISTENING (no client yet), with
//!   POLLERR once the reader is gone (Linux: POLLOUT|POLLERR on an empty pipe
//!   without readers).
//!
//! What Wine 8.0 reports (the unit tests below check every row; anonymous
//! pipes from CreatePipe of 4096 bytes, and byte-mode named pipes, server and
//! client each overlapped or not, all alike). RDA: ReadDataAvailable, WQA:
//! WriteQuotaAvailable, state: NamedPipeState (3 CONNECTED, 4 CLOSING,
//! 2 LISTENING, 1 DISCONNECTED); quotas: both 4096 on either end.
//!
//! | case                                | RDA  | WQA | state | peek           | mask          |
//! |-------------------------------------|------|-----|-------|----------------|---------------|
//! | read end, empty                     | 0    | 0   | 3     | 0              | 0             |
//! | read end, 10 bytes                  | 10   | 0   | 3     | 10             | IN            |
//! | read end, writer closed, 10 left    | 10   | 0   | 4     | 10             | IN HUP        |
//! | read end, writer closed, empty      | 0    | 0   | 4     | BROKEN_PIPE    | HUP           |
//! | write end, fresh (or 10 bytes in)   | 0    | 0   | 3     | ACCESS_DENIED  | OUT           |
//! | write end, reader closed            | 0    | 0   | 4     | ACCESS_DENIED  | OUT ERR       |
//! | write end, full, a writer blocked   | 0    | 0   | 3     | ACCESS_DENIED  | OUT (!)       |
//! | read end of that full pipe          | 4608 | 0   | 3     | 4608           | IN            |
//! | server PIPE_ACCESS_OUTBOUND end     | query: STATUS_ACCESS_DENIED        | OUT, always   |
//! | server, no client yet               | 0    | 0   | 2     | 0              | 0             |
//! | server after DisconnectNamedPipe    | 0    | 0   | 1     |                | OUT ERR HUP   |
//! | its client                          | query: STATUS_PIPE_DISCONNECTED    | OUT ERR HUP   |
//! | duplex server, client closed, data  | 10   | 0   | 4     | 10             | IN OUT ERR HUP|
//!
//! (IN stands for POLLIN|POLLRDNORM, OUT for POLLOUT|POLLWRNORM.) The write
//! end sees no data (its RDA is the other direction's), the blocked write's
//! 512 bytes count in the read end's RDA, and Wine 8.0 leaves WQA at 0 in
//! every case, so a full pipe cannot be told from the write end: it is
//! reported writable, and a write then blocks (as one does on Linux after a
//! POLLOUT another writer raced to). On Windows WQA is not reliable either:
//! a read pending on the other end takes its size off the write end's
//! quota, so 0 does not mean full there (Cygwin's select notes this).
//!
//! Wine grants FILE_READ_ATTRIBUTES to every client end (GENERIC_WRITE
//! alone, FILE_READ_DATA alone), so only a PIPE_ACCESS_OUTBOUND server end
//! cannot be queried; the peek fallback is tested by simulating the denial.
//! A peek says the writer is gone only once the pipe is empty.
//!
//! A query on a synchronous handle while another thread is blocked in a
//! ReadFile or WriteFile on it returns at once under Wine; on Windows the
//! I/O manager serializes requests on a synchronous file object, so there
//! it waits for that read or write to finish.
//!
//! Linux's results, for the integration: a poll ready when submitted, or
//! woken without a key (the last close of the other end), gets `mask &
//! (events | POLLERR | POLLHUP)` (`readiness`); one woken by a write gets
//! the wake-up's key, POLLIN|POLLRDNORM (0x41), and one woken by a read of
//! a full pipe POLLOUT|POLLWRNORM, whatever it asked for.

use crate::abi::poll_bits::*;
use crate::sys;
use std::os::windows::io::RawHandle;
use windows_sys::Win32::Foundation::{
    ERROR_BROKEN_PIPE, ERROR_PIPE_NOT_CONNECTED, STATUS_PIPE_BROKEN, STATUS_PIPE_CLOSING,
    STATUS_PIPE_DISCONNECTED,
};

/// Linux's `pipe_poll` mask for the pipe end `handle`: the bits it has now,
/// whatever was asked (POLLIN|POLLRDNORM, POLLOUT|POLLWRNORM, POLLHUP,
/// POLLERR). Never blocks under Wine, never reads.
pub fn mask(handle: RawHandle) -> u32 {
    // Which end: the handle's rights. A duplex named pipe has both.
    let Some(access) = sys::granted_access(handle) else {
        return POLLERR;
    };
    combine(access, sys::pipe_local_information(handle), || {
        sys::peek_pipe(handle)
    })
}

/// The mask from the handle's rights, its FilePipeLocalInformation (or the
/// query's NTSTATUS) and, for a read end that could not be queried, a peek.
fn combine(
    access: u32,
    local: Result<sys::FILE_PIPE_LOCAL_INFORMATION, i32>,
    peek: impl FnOnce() -> Result<u32, u32>,
) -> u32 {
    // FILE_APPEND_DATA is FILE_CREATE_PIPE_INSTANCE on a pipe: not a right
    // to write.
    let reads = access & sys::FILE_READ_DATA != 0;
    let writes = access & sys::FILE_WRITE_DATA != 0;
    // One query gives both the bytes waiting and the state. It needs
    // FILE_READ_ATTRIBUTES, which a server end created PIPE_ACCESS_OUTBOUND
    // lacks; a client whose server disconnected gets an error status.
    let (state, mut available) = match local {
        Ok(info) => (Some(info.NamedPipeState), info.ReadDataAvailable),
        Err(STATUS_PIPE_DISCONNECTED | STATUS_PIPE_CLOSING | STATUS_PIPE_BROKEN) => {
            (Some(sys::FILE_PIPE_DISCONNECTED_STATE), 0)
        }
        Err(_) => (None, 0),
    };
    let mut gone = matches!(
        state,
        Some(sys::FILE_PIPE_CLOSING_STATE | sys::FILE_PIPE_DISCONNECTED_STATE)
    );
    if reads && state.is_none() {
        // A read end that cannot be queried can still be peeked at; that
        // tells of the writer's going only once the data is read.
        match peek() {
            Ok(n) => available = n,
            Err(ERROR_BROKEN_PIPE | ERROR_PIPE_NOT_CONNECTED) => gone = true,
            Err(_) => {}
        }
    }
    let mut mask = 0;
    if reads {
        if available > 0 {
            mask |= POLLIN | POLLRDNORM;
        }
        if gone {
            mask |= POLLHUP;
        }
    }
    // A server end no client has opened yet takes no writes (Linux: a FIFO
    // cannot be opened for writing without a reader).
    if writes && state != Some(sys::FILE_PIPE_LISTENING_STATE) {
        // Room is not judged: see the module's notes.
        mask |= POLLOUT | POLLWRNORM;
        if gone {
            mask |= POLLERR;
        }
    }
    mask
}

/// What an IO_CMD_POLL for `interest` (Linux POLL* bits) on the pipe end
/// `handle` finds ready now: `mask & (interest | POLLERR | POLLHUP)`, as
/// Linux's `aio_poll` reports it; 0: not ready.
pub fn readiness(handle: RawHandle, interest: u32) -> u32 {
    mask(handle) & (interest | POLLERR | POLLHUP)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr::{null, null_mut};
    use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;
    use windows_sys::Win32::Foundation::{
        ERROR_IO_PENDING, GENERIC_READ, GENERIC_WRITE, HANDLE, INVALID_HANDLE_VALUE,
    };
    use windows_sys::Win32::Storage::FileSystem::{
        CreateFileW, ReadFile, WriteFile, FILE_FLAG_OVERLAPPED, OPEN_EXISTING, PIPE_ACCESS_DUPLEX,
        PIPE_ACCESS_INBOUND, PIPE_ACCESS_OUTBOUND,
    };
    use windows_sys::Win32::System::Pipes::{
        CreateNamedPipeW, CreatePipe, DisconnectNamedPipe, PIPE_READMODE_BYTE, PIPE_TYPE_BYTE,
        PIPE_WAIT,
    };
    use windows_sys::Win32::System::Threading::CreateEventW;
    use windows_sys::Win32::System::IO::{CancelIoEx, GetOverlappedResult, OVERLAPPED};

    const SIZE: u32 = 4096;
    const RD: u32 = POLLIN | POLLRDNORM;
    const WR: u32 = POLLOUT | POLLWRNORM;

    fn own(h: HANDLE) -> OwnedHandle {
        assert!(
            !h.is_null() && h != INVALID_HANDLE_VALUE,
            "error {}",
            sys::last_error()
        );
        // SAFETY: a fresh handle the caller just made and owns.
        unsafe { OwnedHandle::from_raw_handle(h as RawHandle) }
    }

    fn raw(h: &OwnedHandle) -> HANDLE {
        h.as_raw_handle() as HANDLE
    }

    fn mask_of(h: &OwnedHandle) -> u32 {
        mask(h.as_raw_handle())
    }

    /// An anonymous pipe of `size` bytes, as the C runtime's `_pipe` makes
    /// it (CreatePipe): (read end, write end).
    fn anonymous(size: u32) -> (OwnedHandle, OwnedHandle) {
        let (mut r, mut w): (HANDLE, HANDLE) = (null_mut(), null_mut());
        // SAFETY: two valid out-pointers; no security attributes.
        let ok = unsafe { CreatePipe(&mut r, &mut w, null(), size) };
        assert_ne!(ok, 0, "CreatePipe: {}", sys::last_error());
        (own(r), own(w))
    }

    /// A byte-mode named pipe instance of `SIZE` bytes each way and, unless
    /// `client_access` is 0, a client opened on it with those rights:
    /// (server end, client end).
    fn named(
        access: u32,
        client_access: u32,
        server_overlapped: bool,
        client_overlapped: bool,
    ) -> (OwnedHandle, Option<OwnedHandle>) {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            r"\\.\pipe\aio-pipe-poll-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let wide: Vec<u16> = name.encode_utf16().chain([0]).collect();
        let flag = |o: bool| if o { FILE_FLAG_OVERLAPPED } else { 0 };
        // SAFETY: a NUL-terminated name; no security attributes.
        let server = own(unsafe {
            CreateNamedPipeW(
                wide.as_ptr(),
                access | flag(server_overlapped),
                PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                1,
                SIZE,
                SIZE,
                0,
                null(),
            )
        });
        if client_access == 0 {
            return (server, None);
        }
        // SAFETY: as above.
        let client = own(unsafe {
            CreateFileW(
                wide.as_ptr(),
                client_access,
                0,
                null(),
                OPEN_EXISTING,
                flag(client_overlapped),
                null_mut(),
            )
        });
        (server, Some(client))
    }

    /// A read or write under way, with its own buffer, OVERLAPPED and event.
    struct Request {
        handle: HANDLE,
        _buf: Vec<u8>,
        ov: Box<OVERLAPPED>,
        _event: OwnedHandle,
        /// The call's own result: 0, or its error (ERROR_IO_PENDING).
        started: u32,
    }

    impl Request {
        fn start(h: &OwnedHandle, len: usize, write: bool) -> Request {
            let mut buf = vec![0x5au8; len];
            // SAFETY: an unnamed manual-reset event.
            let event = own(unsafe { CreateEventW(null(), 1, 0, null()) });
            // SAFETY: all-zero is a valid OVERLAPPED.
            let mut ov: Box<OVERLAPPED> = Box::new(unsafe { core::mem::zeroed() });
            ov.hEvent = raw(&event);
            // SAFETY: `buf`, `ov` and the event live in the Request, which
            // is waited for (or cancelled and waited for) before it drops.
            let ok = unsafe {
                if write {
                    WriteFile(raw(h), buf.as_ptr(), len as u32, null_mut(), &mut *ov)
                } else {
                    ReadFile(raw(h), buf.as_mut_ptr(), len as u32, null_mut(), &mut *ov)
                }
            };
            let started = if ok == 0 { sys::last_error() } else { 0 };
            Request {
                handle: raw(h),
                _buf: buf,
                ov,
                _event: event,
                started,
            }
        }

        /// Waits for it: the byte count, or the Win32 error.
        fn wait(&self) -> Result<u32, u32> {
            if self.started != 0 && self.started != ERROR_IO_PENDING {
                return Err(self.started);
            }
            let mut done = 0u32;
            // SAFETY: waits for the request `ov` describes.
            if unsafe { GetOverlappedResult(self.handle, &*self.ov, &mut done, 1) } == 0 {
                return Err(sys::last_error());
            }
            Ok(done)
        }

        /// Whether it is still pending.
        fn pending(&self) -> bool {
            // SAFETY: `ov` is ours and valid; a volatile read of the status
            // the kernel writes.
            let status = unsafe { core::ptr::addr_of!(self.ov.Internal).read_volatile() };
            status as i32 == windows_sys::Win32::Foundation::STATUS_PENDING
        }
    }

    impl Drop for Request {
        fn drop(&mut self) {
            if self.pending() {
                // SAFETY: cancels only this request.
                unsafe { CancelIoEx(self.handle, &*self.ov) };
            }
            let _ = self.wait();
        }
    }

    fn write(h: &OwnedHandle, len: usize) -> Result<u32, u32> {
        Request::start(h, len, true).wait()
    }

    fn read(h: &OwnedHandle, len: usize) -> Result<u32, u32> {
        Request::start(h, len, false).wait()
    }

    /// `f`'s result if it returns within `ms` (else `None`, and its thread
    /// is left blocked).
    fn within<T: Send + 'static>(ms: u64, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(f()).ok());
        rx.recv_timeout(Duration::from_millis(ms)).ok()
    }

    /// The bytes waiting in a read end, as FilePipeLocalInformation says.
    fn buffered(h: &OwnedHandle) -> u32 {
        sys::pipe_local_information(h.as_raw_handle())
            .unwrap()
            .ReadDataAvailable
    }

    #[test]
    fn pipe_anonymous_read_end() {
        let (r, w) = anonymous(SIZE);
        assert_eq!(mask_of(&r), 0, "empty");
        assert_eq!(write(&w, 10), Ok(10));
        assert_eq!(mask_of(&r), RD, "data buffered");
        assert_eq!(mask_of(&r), RD, "not consumed");
        assert_eq!(buffered(&r), 10);
        drop(w);
        assert_eq!(mask_of(&r), RD | POLLHUP, "writer gone, data left");
        assert_eq!(read(&r, 10), Ok(10));
        assert_eq!(mask_of(&r), POLLHUP, "writer gone, drained");
        assert_eq!(read(&r, 10), Err(ERROR_BROKEN_PIPE));
    }

    #[test]
    fn pipe_anonymous_write_end() {
        let (r, w) = anonymous(SIZE);
        assert_eq!(mask_of(&w), WR, "fresh");
        assert_eq!(write(&w, 10), Ok(10));
        assert_eq!(mask_of(&w), WR, "10 bytes in");
        drop(r);
        assert_eq!(mask_of(&w), WR | POLLERR, "reader gone");
        assert_eq!(
            write(&w, 1),
            Err(windows_sys::Win32::Foundation::ERROR_NO_DATA)
        );
    }

    #[test]
    fn pipe_readiness_filters_as_aio_poll() {
        let (r, w) = anonymous(SIZE);
        let (r, w) = (r.as_raw_handle(), w.as_raw_handle());
        assert_eq!(readiness(r, POLLIN), 0);
        assert_eq!(readiness(r, POLLOUT), 0, "a read end is never writable");
        assert_eq!(readiness(w, POLLOUT), POLLOUT);
        assert_eq!(readiness(w, POLLIN), 0, "a write end is never readable");
        assert_eq!(readiness(w, POLLIN | POLLOUT | POLLWRNORM), WR);
    }

    #[test]
    fn pipe_readiness_hangup_and_error_always_reported() {
        let (r, w) = anonymous(SIZE);
        drop(w);
        assert_eq!(readiness(r.as_raw_handle(), POLLOUT), POLLHUP);
        assert_eq!(readiness(r.as_raw_handle(), 0), POLLHUP);
        let (r, w) = anonymous(SIZE);
        drop(r);
        assert_eq!(readiness(w.as_raw_handle(), POLLIN), POLLERR);
        assert_eq!(readiness(w.as_raw_handle(), POLLOUT), POLLOUT | POLLERR);
    }

    /// A pipe filled by a writer now blocked in WriteFile: the read end has
    /// the buffer and the blocked write's bytes; the write end is still
    /// reported writable (Wine's WriteQuotaAvailable is always 0), and
    /// neither query blocks behind the blocked write.
    #[test]
    fn pipe_anonymous_full() {
        let (r, w) = anonymous(SIZE);
        let w = Arc::new(w);
        let written = Arc::new(AtomicUsize::new(0));
        let writer = {
            let (w, written) = (w.clone(), written.clone());
            std::thread::spawn(move || {
                for _ in 0..16 {
                    let n = write(&w, 512).unwrap();
                    written.fetch_add(n as usize, Ordering::SeqCst);
                }
            })
        };
        let mut last = usize::MAX;
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let now = written.load(Ordering::SeqCst);
            if now == last {
                break;
            }
            last = now;
        }
        assert_eq!(
            last, SIZE as usize,
            "the writer stops when the pipe is full"
        );
        let w2 = w.clone();
        let info = within(2000, move || {
            let h = w2.as_raw_handle();
            (
                mask(h),
                sys::pipe_local_information(h).unwrap().WriteQuotaAvailable,
            )
        });
        assert_eq!(info, Some((WR, 0)), "write end, full");
        assert_eq!(mask_of(&r), RD);
        assert_eq!(buffered(&r), SIZE + 512, "the blocked write's bytes count");
        let mut total = 0;
        while total < 16 * 512 {
            total += read(&r, 4096).unwrap() as usize;
        }
        writer.join().unwrap();
        assert_eq!(mask_of(&r), 0);
    }

    /// Exactly the quota fits without blocking.
    #[test]
    fn pipe_anonymous_quota_fits() {
        let (r, w) = anonymous(SIZE);
        let w = Arc::new(w);
        let w2 = w.clone();
        assert_eq!(
            within(2000, move || write(&w2, SIZE as usize)),
            Some(Ok(SIZE))
        );
        assert_eq!(mask_of(&w), WR);
        assert_eq!(buffered(&r), SIZE);
    }

    /// A reader blocked in a synchronous ReadFile does not block a query on
    /// the same handle under Wine (Windows serializes requests on a
    /// synchronous file object: there it would wait for the read).
    #[test]
    fn pipe_query_beside_a_blocked_read() {
        let (r, w) = anonymous(SIZE);
        let r = Arc::new(r);
        let reader = {
            let r = r.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16];
                let mut n = 0u32;
                // SAFETY: a synchronous read into a local buffer.
                let ok = unsafe { ReadFile(raw(&r), buf.as_mut_ptr(), 16, &mut n, null_mut()) };
                (ok, n)
            })
        };
        std::thread::sleep(Duration::from_millis(100));
        let r2 = r.clone();
        assert_eq!(within(2000, move || mask_of(&r2)), Some(0));
        assert_eq!(write(&w, 3), Ok(3));
        assert_eq!(reader.join().unwrap(), (1, 3));
    }

    #[test]
    fn pipe_named_one_way() {
        for (so, co) in [(false, false), (true, false), (false, true), (true, true)] {
            let ctx = format!("server overlapped {so}, client overlapped {co}");
            // Inbound: the server reads.
            let (s, c) = named(PIPE_ACCESS_INBOUND, GENERIC_WRITE, so, co);
            let c = c.unwrap();
            assert_eq!(mask_of(&s), 0, "{ctx}");
            assert_eq!(mask_of(&c), WR, "{ctx}");
            assert_eq!(write(&c, 10), Ok(10), "{ctx}");
            assert_eq!(mask_of(&s), RD, "{ctx}");
            drop(c);
            assert_eq!(mask_of(&s), RD | POLLHUP, "{ctx}");
            assert_eq!(read(&s, 10), Ok(10), "{ctx}");
            assert_eq!(mask_of(&s), POLLHUP, "{ctx}");
            let (s, c) = named(PIPE_ACCESS_INBOUND, GENERIC_WRITE, so, co);
            drop(s);
            assert_eq!(mask_of(&c.unwrap()), WR | POLLERR, "{ctx}");
            // Outbound: the server writes. Its handle lacks
            // FILE_READ_ATTRIBUTES: no state, so it is writable as long as
            // the client is there, and after too.
            let (s, c) = named(PIPE_ACCESS_OUTBOUND, GENERIC_READ, so, co);
            let c = c.unwrap();
            assert!(sys::pipe_local_information(s.as_raw_handle()).is_err());
            assert_eq!(mask_of(&s), WR, "{ctx}");
            assert_eq!(mask_of(&c), 0, "{ctx}");
            assert_eq!(write(&s, 10), Ok(10), "{ctx}");
            assert_eq!(mask_of(&c), RD, "{ctx}");
            drop(s);
            assert_eq!(mask_of(&c), RD | POLLHUP, "{ctx}");
            let (s, c) = named(PIPE_ACCESS_OUTBOUND, GENERIC_READ, so, co);
            drop(c);
            assert_eq!(mask_of(&s), WR, "{ctx}: reader gone, unseen");
        }
    }

    /// A read end that cannot be queried (Wine grants FILE_READ_ATTRIBUTES
    /// to every client, so the denial is simulated): PeekNamedPipe stands in.
    #[test]
    fn pipe_peek_fallback() {
        const DENIED: i32 = windows_sys::Win32::Foundation::STATUS_ACCESS_DENIED;
        let (r, w) = anonymous(SIZE);
        let access = sys::granted_access(r.as_raw_handle()).unwrap();
        let fallback =
            |r: &OwnedHandle| combine(access, Err(DENIED), || sys::peek_pipe(r.as_raw_handle()));
        assert_eq!(fallback(&r), 0);
        assert_eq!(write(&w, 10), Ok(10));
        assert_eq!(fallback(&r), RD);
        drop(w);
        // Peek tells of the writer's going only once the pipe is empty.
        assert_eq!(fallback(&r), RD);
        assert_eq!(read(&r, 10), Ok(10));
        assert_eq!(fallback(&r), POLLHUP);
        // A write end that cannot be queried: writable, nothing else known.
        let (_r, w) = anonymous(SIZE);
        let access = sys::granted_access(w.as_raw_handle()).unwrap();
        assert_eq!(combine(access, Err(DENIED), || unreachable!()), WR);
    }

    #[test]
    fn pipe_named_duplex() {
        for overlapped in [false, true] {
            let (s, c) = named(
                PIPE_ACCESS_DUPLEX,
                GENERIC_READ | GENERIC_WRITE,
                overlapped,
                overlapped,
            );
            let c = c.unwrap();
            assert_eq!(mask_of(&s), WR);
            assert_eq!(write(&c, 10), Ok(10));
            assert_eq!(mask_of(&s), RD | WR);
            assert_eq!(mask_of(&c), WR);
            drop(c);
            assert_eq!(mask_of(&s), RD | WR | POLLHUP | POLLERR);
        }
    }

    /// A server end no client has opened (Linux: a FIFO without a writer
    /// yet, no POLLHUP), and one disconnected from its client.
    #[test]
    fn pipe_named_listening_and_disconnected() {
        for overlapped in [false, true] {
            let (s, _) = named(PIPE_ACCESS_DUPLEX, 0, overlapped, false);
            let state = sys::pipe_local_information(s.as_raw_handle())
                .unwrap()
                .NamedPipeState;
            assert_eq!(state, sys::FILE_PIPE_LISTENING_STATE);
            assert_eq!(mask_of(&s), 0);
            let (s, c) = named(
                PIPE_ACCESS_DUPLEX,
                GENERIC_READ | GENERIC_WRITE,
                overlapped,
                false,
            );
            // SAFETY: a plain call on a live server handle.
            assert_ne!(unsafe { DisconnectNamedPipe(raw(&s)) }, 0);
            let state = sys::pipe_local_information(s.as_raw_handle())
                .unwrap()
                .NamedPipeState;
            assert_eq!(state, sys::FILE_PIPE_DISCONNECTED_STATE);
            assert_eq!(mask_of(&s), WR | POLLHUP | POLLERR);
            // Its client's query fails with STATUS_PIPE_DISCONNECTED.
            let c = c.unwrap();
            let client = sys::pipe_local_information(c.as_raw_handle()).map(|i| i.NamedPipeState);
            assert_eq!(client.err(), Some(STATUS_PIPE_DISCONNECTED));
            assert_eq!(mask_of(&c), WR | POLLHUP | POLLERR);
        }
    }

    /// Zero-byte reads (libuv's readiness trick): on an overlapped named
    /// pipe one stays pending until data comes, then completes with 0 bytes,
    /// the data still there; with data there it completes at once; the
    /// writer's close fails it with ERROR_BROKEN_PIPE; CancelIoEx with
    /// ERROR_OPERATION_ABORTED.
    #[test]
    fn pipe_zero_byte_read_overlapped() {
        let (s, c) = named(PIPE_ACCESS_INBOUND, GENERIC_WRITE, true, false);
        let c = c.unwrap();
        let zero = Request::start(&s, 0, false);
        assert_eq!(zero.started, ERROR_IO_PENDING);
        std::thread::sleep(Duration::from_millis(100));
        assert!(zero.pending());
        assert_eq!(write(&c, 10), Ok(10));
        assert_eq!(zero.wait(), Ok(0));
        assert_eq!(buffered(&s), 10);
        let zero = Request::start(&s, 0, false);
        assert_eq!((zero.started, zero.wait()), (0, Ok(0)), "data there");
        assert_eq!(buffered(&s), 10);
        assert_eq!(read(&s, 10), Ok(10));
        let zero = Request::start(&s, 0, false);
        std::thread::sleep(Duration::from_millis(50));
        assert!(zero.pending());
        drop(c);
        assert_eq!(zero.wait(), Err(ERROR_BROKEN_PIPE), "writer closed");
        let (s, _c) = named(PIPE_ACCESS_INBOUND, GENERIC_WRITE, true, false);
        let zero = Request::start(&s, 0, false);
        // SAFETY: cancels only this request, which is alive.
        unsafe { CancelIoEx(raw(&s), &*zero.ov) };
        assert_eq!(
            zero.wait(),
            Err(windows_sys::Win32::Foundation::ERROR_OPERATION_ABORTED)
        );
    }

    /// A zero-byte ReadFile on a synchronous anonymous pipe blocks until
    /// data comes, then returns TRUE with 0 bytes, the data still there.
    #[test]
    fn pipe_zero_byte_read_synchronous() {
        let (r, w) = anonymous(SIZE);
        let r = Arc::new(r);
        let r2 = r.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut n = 7u32;
            let mut buf = [0u8; 1];
            // SAFETY: a synchronous read of 0 bytes into a local buffer.
            let ok = unsafe { ReadFile(raw(&r2), buf.as_mut_ptr(), 0, &mut n, null_mut()) };
            tx.send((ok, n)).ok();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(200)).is_err(),
            "blocks"
        );
        assert_eq!(write(&w, 10), Ok(10));
        assert_eq!(rx.recv_timeout(Duration::from_secs(2)), Ok((1, 0)));
        assert_eq!(buffered(&r), 10);
        // With the writer gone and the pipe empty: ERROR_BROKEN_PIPE.
        assert_eq!(read(&r, 10), Ok(10));
        drop(w);
        let mut n = 7u32;
        let mut buf = [0u8; 1];
        // SAFETY: as above; it cannot block, the writer is gone.
        let ok = unsafe { ReadFile(raw(&r), buf.as_mut_ptr(), 0, &mut n, null_mut()) };
        assert_eq!((ok, sys::last_error()), (0, ERROR_BROKEN_PIPE));
    }
}

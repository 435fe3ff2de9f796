//! Submission: from a program's `struct iocb` to a validated request.
//!
//! The checks run in the order of Linux's `io_submit_one` and `aio_read`/
//! `aio_write`/`aio_fsync`/`aio_poll`, so that an iocb with several faults
//! gets the errno Linux gives. Errors found here make `io_submit` fail (or
//! stop the batch); errors met while doing the I/O come back in the event.

use crate::abi::{opcode, rwf, IoVec, Iocb, IOCB_FLAG_IOPRIO, IOCB_FLAG_RESFD, UIO_MAXIOV};
use crate::afd;
use crate::completion::Origin;
use crate::errno::{self, Errno};
use crate::eventfd::{self, EventFd};
use crate::fd::{Kind, OpenFile, Path};
use crate::op::{self, Op, Poll, ReadWrite, Segments};
use crate::sys;
use crate::user;
use std::os::windows::io::RawHandle;
use std::sync::Arc;

/// The most one request moves: what the event's signed result can report.
const TOTAL_LIMIT: u64 = i64::MAX as u64;

/// What one accepted iocb asks for.
// Not boxed: that would allocate on every I/O.
#[allow(clippy::large_enum_variant)]
pub enum Request {
    /// An operation for the engine.
    Op(Op),
    /// Over already (answered by the checks, or a read or write done in
    /// line), with this result for its event.
    Done(i64),
}

/// What one `io_submit` call has resolved already: most batches name one fd
/// again and again. Valid for the call only: the program may close fds
/// between calls.
#[derive(Default)]
pub struct Batch {
    files: [Option<(i32, Arc<OpenFile>)>; 4],
    next_file: usize,
}

impl Batch {
    /// `resolve(fd)`, once per fd per call.
    fn resolve(
        &mut self,
        fd: i32,
        resolve: &dyn Fn(i32) -> Result<Arc<OpenFile>, Errno>,
    ) -> Result<Arc<OpenFile>, Errno> {
        if let Some((_, file)) = self.files.iter().flatten().find(|(f, _)| *f == fd) {
            return Ok(file.clone());
        }
        let file = resolve(fd)?;
        self.files[self.next_file % self.files.len()] = Some((fd, file.clone()));
        self.next_file += 1;
        Ok(file)
    }
}

/// Reads the iocb at `iocb_addr` and makes the checks Linux makes before it
/// takes a request (`io_submit_one`).
pub fn read_iocb(iocb_addr: u64) -> Result<Iocb, Errno> {
    let iocb: Iocb = user::read(iocb_addr).ok_or(errno::EFAULT)?;
    if iocb.reserved2 != 0 {
        return Err(errno::EINVAL);
    }
    if (iocb.nbytes as i64) < 0 {
        return Err(errno::EINVAL);
    }
    Ok(iocb)
}

/// What `prepare` needs from the context: the file behind a C runtime fd,
/// and the process's AFD helper (for polls on sockets), bound to the port.
pub struct Resolvers<'a> {
    pub file: &'a dyn Fn(i32) -> Result<Arc<OpenFile>, Errno>,
    pub afd: &'a dyn Fn() -> Result<RawHandle, Errno>,
}

/// The checks after a request is reserved, in Linux's order: the fd, the
/// RESFD eventfd, the key, then the opcode's own.
///
/// The fd: an eventfd of this library's, else an open C runtime fd, else
/// (for a poll) a Winsock SOCKET, as a ported program passes its sockets.
pub fn prepare(
    iocb: &Iocb,
    iocb_addr: u64,
    batch: &mut Batch,
    resolvers: &Resolvers,
) -> Result<(Origin, Request), Errno> {
    let resolve = resolvers.file;
    let target = match eventfd::lookup(iocb.fildes) {
        Some(eventfd) => Target::EventFd(eventfd),
        None => match batch.resolve(iocb.fildes, resolve) {
            Ok(file) => Target::File(file),
            Err(e) if e == errno::EBADF && afd::is_socket(socket_of(iocb.fildes)) => {
                Target::Socket(socket_of(iocb.fildes))
            }
            Err(e) => return Err(e),
        },
    };
    let resfd = if iocb.flags & IOCB_FLAG_RESFD != 0 {
        Some(resolve_eventfd(batch, iocb.resfd as i32, resolve)?)
    } else {
        None
    };
    // Linux writes KIOCB_KEY (0) into the iocb's key.
    let key_addr = iocb_addr + core::mem::offset_of!(Iocb, key) as u64;
    if !user::write(key_addr, 0u32) {
        return Err(errno::EFAULT);
    }

    let origin = Origin {
        data: iocb.data,
        obj: iocb_addr,
        resfd,
    };
    let request = match target {
        Target::File(file) => decode(iocb, file, resolvers.afd)?,
        Target::Socket(socket) => {
            if iocb.opcode != opcode::POLL {
                // Reads and writes of a SOCKET through AIO (which Linux
                // allows) are not implemented; fsync has none on Linux.
                return Err(errno::EINVAL);
            }
            let events = op::poll_events(iocb)?;
            Request::Op(Op::Poll(Poll::socket(socket, events, (resolvers.afd)()?)))
        }
        Target::EventFd(eventfd) => match iocb.opcode {
            opcode::POLL => Request::Op(Op::Poll(Poll::eventfd(eventfd, op::poll_events(iocb)?))),
            opcode::PREAD => read_eventfd(iocb, &eventfd, false)?,
            opcode::PREADV => read_eventfd(iocb, &eventfd, true)?,
            _ => return Err(errno::EINVAL),
        },
    };
    Ok((origin, request))
}

/// What a request's fd names.
enum Target {
    File(Arc<OpenFile>),
    EventFd(Arc<EventFd>),
    /// A Winsock SOCKET, not known to the C runtime.
    Socket(RawHandle),
}

/// The handle value a SOCKET passed as an fd stands for: SOCKETs are
/// handle values, which a program casts to int (they fit: Windows keeps
/// handle values below 2^24, and sign-extends them across 32/64 bits).
fn socket_of(fd: i32) -> RawHandle {
    fd as isize as RawHandle
}

/// `eventfd_ctx_fdget`: the eventfd `fd` names. A closed eventfd, -1 or
/// any fd that is not open is -EBADF; an open fd that is not an eventfd (a
/// file, a pipe) is -EINVAL.
fn resolve_eventfd(
    batch: &mut Batch,
    fd: i32,
    resolve: &dyn Fn(i32) -> Result<Arc<OpenFile>, Errno>,
) -> Result<Arc<EventFd>, Errno> {
    if let Some(eventfd) = eventfd::lookup(fd) {
        return Ok(eventfd);
    }
    if eventfd::is_eventfd_number(fd) {
        return Err(errno::EBADF);
    }
    batch.resolve(fd, resolve).and(Err(errno::EINVAL))
}

fn decode(
    iocb: &Iocb,
    file: Arc<OpenFile>,
    afd: &dyn Fn() -> Result<RawHandle, Errno>,
) -> Result<Request, Errno> {
    match iocb.opcode {
        opcode::PREAD => transfer(iocb, file, false, false),
        opcode::PWRITE => transfer(iocb, file, true, false),
        opcode::PREADV => transfer(iocb, file, false, true),
        opcode::PWRITEV => transfer(iocb, file, true, true),
        opcode::FSYNC | opcode::FDSYNC => sync(iocb, file),
        opcode::POLL => poll(iocb, file, afd),
        // The kernel has no NOOP command, and knows no other opcode.
        opcode::NOOP => Err(errno::EINVAL),
        _ => Err(errno::EINVAL),
    }
}

/// `aio_prep_rw` and `aio_read`/`aio_write`.
fn transfer(
    iocb: &Iocb,
    file: Arc<OpenFile>,
    write: bool,
    vectored: bool,
) -> Result<Request, Errno> {
    prep_rw(iocb)?;
    let flags = iocb.rw_flags;
    if (write && !file.writable) || (!write && !file.readable) {
        return Err(errno::EBADF);
    }
    let segments = import_segments(iocb, vectored)?;
    // O_DIRECT: buffers, offset and every length in whole logical sectors,
    // else -EINVAL in the event (the request is accepted, as on Linux).
    if let Some(unit) = file.direct_alignment {
        if segments.total() > 0 && !segments.aligned(iocb.offset as u64, u64::from(unit)) {
            // Linux's direct reads stop at end of file before alignment is
            // looked at (iomap_dio_rw): 0 bytes, not -EINVAL.
            let at_end =
                !write && sys::file_size(file.raw()).is_some_and(|size| iocb.offset >= size);
            return Ok(Request::Done(if at_end { 0 } else { errno::EINVAL.neg() }));
        }
    }
    // O_APPEND (unless RWF_NOAPPEND) or RWF_APPEND: at the end of the file.
    let append = write
        && (flags & rwf::APPEND != 0
            || (file.flags & crate::fd::oflag::APPEND != 0 && flags & rwf::NOAPPEND == 0));
    let offset = match file.kind {
        _ if append => Some(op::APPEND_OFFSET),
        Kind::Disk => Some(iocb.offset),
        // Pipes and devices have no position: Linux ignores the offset.
        _ => None,
    };
    let transfer = op::Transfer {
        write,
        segments,
        offset,
        durable: write && flags & (rwf::DSYNC | rwf::SYNC) != 0,
    };
    // Files on the in-line path, and nothing to move (0, whatever the path):
    // done here, inside io_submit, as Linux does buffered file I/O.
    if file.path == Path::Inline || transfer.segments.len() == 0 {
        return Ok(Request::Done(op::run_inline(&file, &transfer)));
    }
    Ok(Request::Op(Op::ReadWrite(ReadWrite::new(file, transfer))))
}

/// `aio_prep_rw`: the priority and the RWF_* flags.
fn prep_rw(iocb: &Iocb) -> Result<(), Errno> {
    if iocb.flags & IOCB_FLAG_IOPRIO != 0 {
        check_ioprio(iocb.reqprio)?;
    }
    let flags = iocb.rw_flags;
    if flags & !rwf::SUPPORTED != 0 {
        return Err(errno::EOPNOTSUPP);
    }
    if flags & rwf::APPEND != 0 && flags & rwf::NOAPPEND != 0 {
        return Err(errno::EINVAL);
    }
    // Atomic writes need O_DIRECT on a device that supports them; no fd here
    // is opened so (Linux answers the same for buffered files and reads).
    if flags & rwf::ATOMIC != 0 {
        return Err(errno::EOPNOTSUPP);
    }
    Ok(())
}

/// `aio_setup_rw` and `rw_verify_area`: the program's buffers, and the
/// position.
fn import_segments(iocb: &Iocb, vectored: bool) -> Result<Segments, Errno> {
    let segments = if vectored {
        // Linux's nr_segs is an unsigned int: the low 32 bits of the field.
        import_iovec(iocb.buf, u64::from(iocb.nbytes as u32))?
    } else {
        // import_ubuf: the length is clamped to MAX_RW_COUNT first.
        if !user_range_ok(iocb.buf, iocb.nbytes.min(MAX_RW_COUNT)) {
            return Err(errno::EFAULT);
        }
        Segments::single(iocb.buf, iocb.nbytes)
    };
    // rw_verify_area: a negative position, or one the count would overflow.
    if iocb.offset < 0 || iocb.offset.checked_add(segments.total() as i64).is_none() {
        return Err(errno::EINVAL);
    }
    Ok(segments)
}

/// PREAD and PREADV on an eventfd, as Linux's `eventfd_read`: the counter
/// (or 1, in semaphore mode) as 8 bytes across the buffers; fewer than 8
/// bytes of room is -EINVAL, an empty counter -EAGAIN when the eventfd is
/// nonblocking or RWF_NOWAIT is set, else `io_submit` waits as Linux's
/// does. The value is taken before it is copied: a bad buffer loses it
/// (-EFAULT), as on Linux. Writes and syncs have no AIO form for an eventfd
/// on Linux (no write_iter, no fsync): -EINVAL at submit.
fn read_eventfd(iocb: &Iocb, eventfd: &EventFd, vectored: bool) -> Result<Request, Errno> {
    prep_rw(iocb)?;
    let segments = import_segments(iocb, vectored)?;
    if segments.total() < 8 {
        return Ok(Request::Done(errno::EINVAL.neg()));
    }
    let value = match eventfd.read_with(iocb.rw_flags & rwf::NOWAIT != 0) {
        Ok(value) => value.to_ne_bytes(),
        Err(e) => return Ok(Request::Done(e.neg())),
    };
    let mut copied = 0;
    for i in 0..segments.len() {
        let Some(seg) = segments.get(i) else { break };
        for at in 0..seg.len.min((value.len() - copied) as u64) {
            if !user::write(seg.base + at, value[copied]) {
                return Ok(Request::Done(errno::EFAULT.neg()));
            }
            copied += 1;
        }
        if copied == value.len() {
            break;
        }
    }
    Ok(Request::Done(8))
}

/// Linux's MAX_RW_COUNT: what one read or write moves at most there.
const MAX_RW_COUNT: u64 = 0x7fff_f000;

/// x86-64 Linux's highest user address, USER_PTR_MAX: TASK_SIZE_MAX - 1,
/// with TASK_SIZE_MAX the top of the 47-bit user half less a guard page.
const USER_PTR_MAX: u64 = (1 << 47) - 4096 - 1;

/// x86-64 Linux's `access_ok` for a range of `len` bytes at `addr`, as it
/// checks a size known only at run time: `addr + len` must not wrap and
/// must not pass USER_PTR_MAX. Other bad pointers fault at the copy, and
/// come back in the event.
fn user_range_ok(addr: u64, len: u64) -> bool {
    addr.checked_add(len).is_some_and(|end| end <= USER_PTR_MAX)
}

/// `ioprio_check_cap`: the class and level Linux accepts.
fn check_ioprio(prio: i16) -> Result<(), Errno> {
    let prio = prio as u16;
    let (class, level) = (prio >> 13, prio & 0x7);
    match class {
        0 if level != 0 => Err(errno::EINVAL),
        0..=3 => Ok(()),
        _ => Err(errno::EINVAL),
    }
}

/// `__import_iovec`: at most UIO_MAXIOV segments, none of negative length.
/// Unlike Linux (which moves at most MAX_RW_COUNT, just under 2 GiB, per
/// request), the whole total is moved; it is capped only so that it fits the
/// event's signed result.
fn import_iovec(addr: u64, count: u64) -> Result<Segments, Errno> {
    if count > UIO_MAXIOV {
        return Err(errno::EINVAL);
    }
    let mut segments = Segments::vector(&[], TOTAL_LIMIT);
    let mut chunk = [IoVec { base: 0, len: 0 }; 64];
    let mut done = 0;
    while done < count {
        let n = (count - done).min(chunk.len() as u64) as usize;
        let at = addr.wrapping_add(done * core::mem::size_of::<IoVec>() as u64);
        if !user::read_slice(at, &mut chunk[..n]) {
            return Err(errno::EFAULT);
        }
        if chunk[..n].iter().any(|v| (v.len as i64) < 0) {
            return Err(errno::EINVAL);
        }
        if chunk[..n].iter().any(|v| !user_range_ok(v.base, v.len)) {
            return Err(errno::EFAULT);
        }
        for &v in &chunk[..n] {
            segments.push(v, TOTAL_LIMIT);
        }
        done += n as u64;
    }
    Ok(segments)
}

/// `aio_fsync`.
fn sync(iocb: &Iocb, file: Arc<OpenFile>) -> Result<Request, Errno> {
    if iocb.buf != 0 || iocb.offset != 0 || iocb.nbytes != 0 || iocb.rw_flags != 0 {
        return Err(errno::EINVAL);
    }
    // Pipes, sockets and character devices have no fsync on Linux.
    if file.kind != Kind::Disk {
        return Err(errno::EINVAL);
    }
    Ok(Request::Op(Op::Sync(op::Sync::new(file))))
}

/// `aio_poll` on a file, pipe, socket or device.
fn poll(
    iocb: &Iocb,
    file: Arc<OpenFile>,
    afd: &dyn Fn() -> Result<RawHandle, Errno>,
) -> Result<Request, Errno> {
    let events = op::poll_events(iocb)?;
    Ok(Request::Op(Op::Poll(Poll::file(file, events, afd)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioprio_classes_follow_linux() {
        assert_eq!(check_ioprio(0), Ok(()));
        assert_eq!(check_ioprio(1), Err(errno::EINVAL)); // class NONE with a level
        assert_eq!(check_ioprio((2 << 13) | 7), Ok(())); // best effort, level 7
        assert_eq!(check_ioprio(3 << 13), Ok(())); // idle
        assert_eq!(check_ioprio((4u16 << 13) as i16), Err(errno::EINVAL));
        assert_eq!(check_ioprio((7u16 << 13) as i16), Err(errno::EINVAL));
    }

    #[test]
    fn iovec_limits_follow_linux() {
        assert!(matches!(import_iovec(0, UIO_MAXIOV + 1), Err(e) if e == errno::EINVAL));
        assert!(matches!(import_iovec(8, 1), Err(e) if e == errno::EFAULT));
        let vecs = [IoVec {
            base: 0x1000,
            len: u64::MAX,
        }];
        assert!(matches!(import_iovec(vecs.as_ptr() as u64, 1), Err(e) if e == errno::EINVAL));
        let vecs = [
            IoVec {
                base: 0x1000,
                len: 5 << 30,
            },
            IoVec {
                base: 0x2000,
                len: 100,
            },
        ];
        let segments = import_iovec(vecs.as_ptr() as u64, 2).unwrap();
        assert_eq!(segments.total(), (5 << 30) + 100);
        // The largest request the checks let through: every segment as
        // long as the user range, 1024 of them. Its total (2^57 or so)
        // fits the event's result whole.
        let huge: Vec<IoVec> = (0..1024)
            .map(|_| IoVec {
                base: 0x1000,
                len: USER_PTR_MAX - 0x1000,
            })
            .collect();
        assert_eq!(
            import_iovec(huge.as_ptr() as u64, 1024).unwrap().total(),
            1024 * (USER_PTR_MAX - 0x1000)
        );
        // A segment that ends past the user range: Linux's access_ok.
        let beyond = [IoVec {
            base: 0x1000,
            len: i64::MAX as u64,
        }];
        assert!(matches!(import_iovec(beyond.as_ptr() as u64, 1), Err(e) if e == errno::EFAULT));
        assert!(import_iovec(0, 0).unwrap().total() == 0);
    }

    #[test]
    fn user_ranges_follow_linux_access_ok() {
        assert!(user_range_ok(0x1000, 4096));
        assert!(user_range_ok(0x7fff_ffff_e000, 0xfff));
        assert!(!user_range_ok(0x7fff_ffff_e000, 0x1000));
        assert!(user_range_ok(0, 0));
        assert!(!user_range_ok(0x8000_0000_0000, 0));
        assert!(!user_range_ok(0xffff_8000_0000_0000, 0));
        assert!(!user_range_ok(u64::MAX, 2));
    }

    #[test]
    fn abi_opcodes_are_linux_values() {
        assert_eq!((opcode::PREAD, opcode::PWRITEV, opcode::NOOP), (0, 8, 6));
    }
}

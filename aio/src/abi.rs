//! The C ABI's data types, laid out byte for byte as on Linux x86_64
//! (`include/libaio.h` declares the same structures for C).
//!
//! Pointers that C code hands us are kept as integers here (`u64`): they are
//! only ever dereferenced after a readability check, in `memory`.

/// `struct iocb`: 64 bytes, the kernel's `struct iocb` layout.
///
/// The union `u` of the C header is flattened into the kernel's field names:
/// `buf` is `u.c.buf` / `u.v.vec` / `u.poll.events`, `nbytes` is
/// `u.c.nbytes` / `u.v.nr`, `offset` is `u.c.offset` / `u.v.offset`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Iocb {
    pub data: u64,
    pub key: u32,
    pub rw_flags: u32,
    pub opcode: i16,
    pub reqprio: i16,
    pub fildes: i32,
    pub buf: u64,
    pub nbytes: u64,
    pub offset: i64,
    /// `u.c.__pad3`: the kernel's `aio_reserved2`, which must be zero.
    pub reserved2: u64,
    pub flags: u32,
    pub resfd: u32,
}

/// `struct io_event`: 32 bytes. `res` is bytes moved or a negative errno.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoEvent {
    pub data: u64,
    pub obj: u64,
    pub res: i64,
    pub res2: i64,
}

/// `struct iovec` as the header declares it on Windows (and as Linux has it).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IoVec {
    pub base: u64,
    pub len: u64,
}

/// `struct timespec` of the Windows C runtimes: 64-bit `time_t`, 32-bit `long`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i32,
}

/// The header of the completion ring that `io_context_t` points at
/// (`struct aio_ring` in the kernel); the events follow it.
#[repr(C)]
pub struct RingHeader {
    pub id: u32,
    pub nr: u32,
    pub head: u32,
    pub tail: u32,
    pub magic: u32,
    pub compat_features: u32,
    pub incompat_features: u32,
    pub header_length: u32,
}

pub const AIO_RING_MAGIC: u32 = 0xa10a_10a1;
pub const AIO_RING_COMPAT_FEATURES: u32 = 1;
pub const AIO_RING_INCOMPAT_FEATURES: u32 = 0;

/// `io_iocb_cmd` values.
pub mod opcode {
    pub const PREAD: i16 = 0;
    pub const PWRITE: i16 = 1;
    pub const FSYNC: i16 = 2;
    pub const FDSYNC: i16 = 3;
    pub const POLL: i16 = 5;
    pub const NOOP: i16 = 6;
    pub const PREADV: i16 = 7;
    pub const PWRITEV: i16 = 8;
}

/// `iocb.u.c.flags` bits.
pub const IOCB_FLAG_RESFD: u32 = 1;
pub const IOCB_FLAG_IOPRIO: u32 = 2;

/// `iocb.aio_rw_flags` bits (`RWF_*`).
pub mod rwf {
    pub const HIPRI: u32 = 0x01;
    pub const DSYNC: u32 = 0x02;
    pub const SYNC: u32 = 0x04;
    pub const NOWAIT: u32 = 0x08;
    pub const APPEND: u32 = 0x10;
    pub const NOAPPEND: u32 = 0x20;
    pub const ATOMIC: u32 = 0x40;
    pub const DONTCACHE: u32 = 0x80;
    /// No SIGPIPE for a write to a broken pipe: Windows has none to give.
    pub const NOSIGNAL: u32 = 0x100;
    pub const SUPPORTED: u32 =
        HIPRI | DSYNC | SYNC | NOWAIT | APPEND | NOAPPEND | ATOMIC | DONTCACHE | NOSIGNAL;
}

/// Linux's POLL* bits, which IO_CMD_POLL's `u.poll.events` and its event's
/// `res` carry (not Winsock's values of the same names).
pub mod poll_bits {
    pub const POLLIN: u32 = 0x001;
    pub const POLLPRI: u32 = 0x002;
    pub const POLLOUT: u32 = 0x004;
    pub const POLLERR: u32 = 0x008;
    pub const POLLHUP: u32 = 0x010;
    pub const POLLRDNORM: u32 = 0x040;
    #[cfg_attr(not(test), allow(dead_code))] // never reported for TCP
    pub const POLLRDBAND: u32 = 0x080;
    pub const POLLWRNORM: u32 = 0x100;
    #[cfg_attr(not(test), allow(dead_code))] // never reported for TCP
    pub const POLLWRBAND: u32 = 0x200;
    pub const POLLRDHUP: u32 = 0x2000;
    /// Reported whatever was asked for (`aio_poll` adds them).
    pub const ALWAYS: u32 = POLLERR | POLLHUP;
    /// What a file without a poll method always shows.
    pub const DEFAULT_POLLMASK: u32 = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/// Linux's limit on the segments of one vectored request (`UIO_MAXIOV`).
pub const UIO_MAXIOV: u64 = 1024;

// The layout is the ABI: check it at compile time, field by field.
const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<Iocb>() == 64);
    assert!(offset_of!(Iocb, data) == 0);
    assert!(offset_of!(Iocb, key) == 8);
    assert!(offset_of!(Iocb, rw_flags) == 12);
    assert!(offset_of!(Iocb, opcode) == 16);
    assert!(offset_of!(Iocb, reqprio) == 18);
    assert!(offset_of!(Iocb, fildes) == 20);
    assert!(offset_of!(Iocb, buf) == 24);
    assert!(offset_of!(Iocb, nbytes) == 32);
    // `nbytes` is also `u.v.nr`, a 64-bit slot in the C header as on Linux
    // (upstream's `unsigned long nr`): the whole of it is the count.
    const fn pointee_size<T>(_: *const T) -> usize {
        size_of::<T>()
    }
    let iocb = core::mem::MaybeUninit::<Iocb>::uninit();
    // SAFETY: only the field's address is formed; nothing is read.
    assert!(pointee_size(unsafe { &raw const (*iocb.as_ptr()).nbytes }) == 8);
    assert!(offset_of!(Iocb, offset) == 40);
    assert!(offset_of!(Iocb, reserved2) == 48);
    assert!(offset_of!(Iocb, flags) == 56);
    assert!(offset_of!(Iocb, resfd) == 60);
    assert!(size_of::<IoEvent>() == 32);
    assert!(offset_of!(IoEvent, data) == 0);
    assert!(offset_of!(IoEvent, obj) == 8);
    assert!(offset_of!(IoEvent, res) == 16);
    assert!(offset_of!(IoEvent, res2) == 24);
    assert!(size_of::<RingHeader>() == 32);
    assert!(offset_of!(RingHeader, head) == 8);
    assert!(offset_of!(RingHeader, tail) == 12);
    assert!(offset_of!(RingHeader, magic) == 16);
    assert!(size_of::<IoVec>() == 16);
    assert!(size_of::<Timespec>() == 16);
};

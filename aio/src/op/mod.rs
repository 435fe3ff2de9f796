//! The operations, one type per kind, behind one interface.
//!
//! `submit` turns an iocb into an `Op`; the engine carries it out through
//! `Operation` alone, without knowing which kind it holds:
//!
//! * `start` begins it (and, after `Step::Continue`, goes on with it): an
//!   overlapped NT call on the slot's OVERLAPPED, an arm on an object's
//!   wake-up list, a job for the blocking thread, or an answer at once;
//! * `complete` takes one completion (an NT call's status and bytes, or a
//!   wake-up's mask) and says whether the request is over;
//! * `disarm` takes an armed operation off its wake-up list (`io_cancel`,
//!   `io_destroy`); an overlapped one is cancelled by its OVERLAPPED.
//!
//! Each kind lives in its own file: `rw` (reads and writes), `sync` (fsync
//! and fdatasync) and `poll` (IO_CMD_POLL on files, eventfds, pipes and
//! sockets).

mod poll;
mod rw;
mod sync;

pub use poll::{poll_events, Poll};
pub use rw::{run_inline, ReadWrite, Segments, Transfer, APPEND_OFFSET};
pub use sync::Sync;

use std::os::windows::io::RawHandle;
use windows_sys::Win32::System::IO::OVERLAPPED;

/// The request slot an operation runs in, as the operation sees it.
pub struct SlotRef {
    /// The slot's OVERLAPPED, for an overlapped NT call.
    pub overlapped: *mut OVERLAPPED,
    /// Names the slot to a wake-up list: `wake(key, mask)` finishes an
    /// `Armed` operation.
    pub key: usize,
    pub wake: fn(key: usize, mask: u32),
}

/// How an operation began.
pub enum Start {
    /// An overlapped NT call was made with the slot's OVERLAPPED on this
    /// handle; the call's status. Its completion packet (or, for a failure,
    /// none on Windows and a stray one on Wine) follows.
    Issued { handle: RawHandle, status: i32 },
    /// Registered on an object's wake-up list under the slot's key: a
    /// wake-up (`wake`) or a cancel finishes it.
    Armed,
    /// Armed on an object that has no wake-up list (a pipe): the engine asks
    /// `check(handle, interest)` again now and then until it answers non-zero.
    Rechecked {
        handle: RawHandle,
        interest: u32,
        check: fn(RawHandle, u32) -> u32,
    },
    /// Blocking work: the engine's job thread calls `run_blocking`.
    Blocking,
    /// Over at once, with this result.
    Done(i64),
}

/// What to do after one completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// More to do: `start` again.
    Continue,
    /// The request is over, with this result for its event.
    Finish(i64),
}

/// The interface every kind of operation implements.
pub trait Operation {
    /// Begins (or continues) the operation in its request slot.
    ///
    /// # Safety
    /// `slot.overlapped` must stay valid, and the operation unmoved, until
    /// the completion of an `Issued` call has been dequeued.
    unsafe fn start(&mut self, slot: &SlotRef) -> Start;

    /// One completion: an issued call's NT status and bytes, or (armed or
    /// rechecked) `SUCCESS` and the wake-up's mask.
    fn complete(&mut self, status: i32, bytes: usize) -> Step;

    /// The blocking work of an operation that started `Blocking`.
    fn run_blocking(&mut self) -> i64 {
        crate::errno::EINVAL.neg()
    }

    /// Takes an `Armed` operation off its wake-up list: true when its
    /// wake-up can no longer come, false when it came or is coming.
    fn disarm(&self, _key: usize) -> bool {
        true
    }

    /// Whether `io_cancel` may end it: as on Linux, only polls.
    fn cancellable(&self) -> bool {
        false
    }
}

/// One operation of any kind. An enum rather than a boxed trait object: a
/// request slot holds its operation in place, allocated once at io_setup.
// The size is the point: boxing the large variant would allocate per I/O.
#[allow(clippy::large_enum_variant)]
pub enum Op {
    ReadWrite(ReadWrite),
    Sync(Sync),
    Poll(Poll),
    /// An operation whose every step the engine's unit tests script.
    #[cfg(test)]
    Scripted(testing::Scripted),
}

impl Op {
    fn inner(&mut self) -> &mut dyn Operation {
        match self {
            Op::ReadWrite(op) => op,
            Op::Sync(op) => op,
            Op::Poll(op) => op,
            #[cfg(test)]
            Op::Scripted(op) => op,
        }
    }

    fn inner_ref(&self) -> &dyn Operation {
        match self {
            Op::ReadWrite(op) => op,
            Op::Sync(op) => op,
            Op::Poll(op) => op,
            #[cfg(test)]
            Op::Scripted(op) => op,
        }
    }
}

impl Operation for Op {
    unsafe fn start(&mut self, slot: &SlotRef) -> Start {
        // SAFETY: the caller's promise, passed on.
        unsafe { self.inner().start(slot) }
    }

    fn complete(&mut self, status: i32, bytes: usize) -> Step {
        self.inner().complete(status, bytes)
    }

    fn run_blocking(&mut self) -> i64 {
        self.inner().run_blocking()
    }

    fn disarm(&self, key: usize) -> bool {
        self.inner_ref().disarm(key)
    }

    fn cancellable(&self) -> bool {
        self.inner_ref().cancellable()
    }
}

#[cfg(test)]
pub mod testing {
    //! A scripted operation, for driving the engine through every path
    //! (and every panic) in its unit tests.
    use super::{Operation, SlotRef, Start, Step};

    pub struct Scripted {
        pub start: fn(&SlotRef) -> Start,
        pub complete: fn(i32, usize) -> Step,
        pub run_blocking: fn() -> i64,
        pub cancellable: bool,
    }

    impl Operation for Scripted {
        unsafe fn start(&mut self, slot: &SlotRef) -> Start {
            (self.start)(slot)
        }

        fn complete(&mut self, status: i32, bytes: usize) -> Step {
            (self.complete)(status, bytes)
        }

        fn run_blocking(&mut self) -> i64 {
            (self.run_blocking)()
        }

        fn cancellable(&self) -> bool {
            self.cancellable
        }
    }
}

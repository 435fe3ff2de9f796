//! IO_CMD_POLL: one-shot readiness, as Linux's `aio_poll`.
//!
//! `u.poll.events` holds Linux's POLL* bits (the ABI, whatever a program's
//! winsock2.h calls POLLIN); POLLERR and POLLHUP are always reported. What
//! is ready at `start` answers at once; otherwise the poll waits, without a
//! thread of its own:
//!
//! * regular files and devices are always ready for reading and writing
//!   (Linux's DEFAULT_POLLMASK); a poll for anything else never fires and
//!   waits for `io_cancel`;
//! * an eventfd: armed on its wake-up list (`EventFd::watch`);
//! * a pipe: Windows has no readiness notice for pipes, so the engine asks
//!   again now and then (`Start::Rechecked`);
//! * a Winsock socket: AFD poll, an overlapped call on the completion port.

use super::{Operation, SlotRef, Start, Step};
use crate::abi::{poll_bits, Iocb};
use crate::errno::{self, Errno};
use crate::eventfd::EventFd;
use crate::fd::OpenFile;
use std::sync::Arc;

/// `aio_poll`'s checks: the events asked for (Linux POLL* bits), which
/// must fit 16 bits, and no offset, length or flags.
pub fn poll_events(iocb: &Iocb) -> Result<u32, Errno> {
    if iocb.buf as u16 as u64 != iocb.buf {
        return Err(errno::EINVAL);
    }
    if iocb.offset != 0 || iocb.nbytes != 0 || iocb.rw_flags != 0 {
        return Err(errno::EINVAL);
    }
    Ok(iocb.buf as u32)
}

/// What a poll waits on.
enum Target {
    /// A regular file or a device: always ready for reading and writing.
    File,
    EventFd(Arc<EventFd>),
}

pub struct Poll {
    target: Target,
    /// The events asked for, with POLLERR and POLLHUP.
    interest: u32,
    /// What keeps the file open while the poll waits (Linux's reference).
    _file: Option<Arc<OpenFile>>,
}

impl Poll {
    /// A poll on a file, pipe or device.
    pub fn file(file: Arc<OpenFile>, events: u32) -> Poll {
        Poll {
            target: Target::File,
            interest: events | poll_bits::ALWAYS,
            _file: Some(file),
        }
    }

    /// A poll on one of this library's eventfds.
    pub fn eventfd(eventfd: Arc<EventFd>, events: u32) -> Poll {
        Poll {
            target: Target::EventFd(eventfd),
            interest: events | poll_bits::ALWAYS,
            _file: None,
        }
    }
}

impl Operation for Poll {
    unsafe fn start(&mut self, slot: &SlotRef) -> Start {
        match &self.target {
            Target::File => match poll_bits::DEFAULT_POLLMASK & self.interest {
                0 => Start::Armed,
                ready => Start::Done(i64::from(ready)),
            },
            Target::EventFd(eventfd) => match eventfd.watch(slot.key, self.interest, slot.wake) {
                Ok(()) => Start::Armed,
                Err(ready) => Start::Done(i64::from(ready)),
            },
        }
    }

    fn complete(&mut self, status: i32, bytes: usize) -> Step {
        if errno::status::is_error(status) {
            // Cancelled (io_cancel, io_destroy): Linux's res is 0.
            return Step::Finish(0);
        }
        // A wake-up's mask, as the waker gave it (Linux reports the mask the
        // wake-up carries).
        Step::Finish(bytes as i64)
    }

    fn disarm(&self, key: usize) -> bool {
        match &self.target {
            Target::File => true,
            Target::EventFd(eventfd) => eventfd.unwatch(key),
        }
    }

    fn cancellable(&self) -> bool {
        true
    }
}

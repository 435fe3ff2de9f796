//! IO_CMD_POLL: one-shot readiness, as Linux's `aio_poll`.
//!
//! `u.poll.events` holds Linux's POLL* bits (the ABI, whatever a program's
//! winsock2.h calls POLLIN); POLLERR and POLLHUP are always reported. What
//! is ready at `start` answers at once; otherwise the poll waits, without a
//! thread of its own:
//!
//! * regular files and devices are always ready for reading and writing
//!   (Linux's DEFAULT_POLLMASK); a poll for anything else is -EINVAL, as
//!   Linux gives for a file without a poll method;
//! * an eventfd: armed on its wake-up list (`EventFd::watch`);
//! * a pipe: Windows has no readiness notice for pipes, so the engine asks
//!   again now and then (`Start::Rechecked`);
//! * a Winsock socket: AFD poll, an overlapped call on the completion port.

use super::{Operation, SlotRef, Start, Step};
use crate::abi::{poll_bits, Iocb};
use crate::afd::{self, AfdPollInfo};
use crate::errno::{self, status, Errno};
use crate::eventfd::EventFd;
use crate::fd::{Kind, OpenFile};
use crate::pipe_poll;
use std::os::windows::io::RawHandle;
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
    /// One end of a pipe (anonymous or named).
    Pipe(RawHandle),
    /// A Winsock socket: an AFD poll on the process's AFD helper, whose
    /// request block lives here, in the slot, until its packet comes.
    Socket {
        afd: RawHandle,
        info: AfdPollInfo,
    },
}

pub struct Poll {
    target: Target,
    /// The events asked for, with POLLERR and POLLHUP.
    interest: u32,
    /// The fd's entry, held while the poll waits, as Linux holds the file.
    /// (A borrowed handle, a pipe's, is only a number: a program that closes
    /// the fd under an armed poll leaves it waiting on nothing.)
    _file: Option<Arc<OpenFile>>,
}

impl Poll {
    /// A poll on a file, pipe, socket or device; a socket is polled
    /// through `afd`.
    /// A file is always ready for reading and writing, and never for
    /// anything else: a poll for only that is -EINVAL, as Linux's `aio_poll`
    /// answers for a file without a poll method.
    pub fn file(
        file: Arc<OpenFile>,
        events: u32,
        afd: &dyn Fn() -> Result<RawHandle, Errno>,
    ) -> Result<Poll, Errno> {
        let target = match file.kind {
            Kind::Socket => socket_target(file.raw(), events, afd()?),
            Kind::Pipe => Target::Pipe(file.raw()),
            _ if poll_bits::DEFAULT_POLLMASK & events == 0 => return Err(errno::EINVAL),
            _ => Target::File,
        };
        Ok(Poll {
            target,
            interest: events | poll_bits::ALWAYS,
            _file: Some(file),
        })
    }

    /// A poll on a Winsock SOCKET the program passed as its fd, through the
    /// AFD helper `afd` (bound to the completion port).
    pub fn socket(socket: RawHandle, events: u32, afd: RawHandle) -> Poll {
        Poll {
            target: socket_target(socket, events, afd),
            interest: events | poll_bits::ALWAYS,
            _file: None,
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
        match &mut self.target {
            Target::File => Start::Done(i64::from(poll_bits::DEFAULT_POLLMASK & self.interest)),
            Target::EventFd(eventfd) => match eventfd.watch(slot.key, self.interest, slot.wake) {
                Ok(()) => Start::Armed,
                Err(ready) => Start::Done(i64::from(ready)),
            },
            Target::Pipe(handle) => match pipe_poll::readiness(*handle, self.interest) {
                0 => Start::Rechecked {
                    handle: *handle,
                    interest: self.interest,
                    check: pipe_woken,
                },
                ready => Start::Done(i64::from(ready)),
            },
            Target::Socket { afd, info } => {
                let afd = *afd;
                // SAFETY: `info` lives in this operation, in its slot, and
                // the OVERLAPPED is the slot's: both stay in place until the
                // packet (the caller's promise).
                let status = unsafe { afd::start_poll(afd, info, slot.overlapped) };
                Start::Issued {
                    handle: afd,
                    status,
                }
            }
        }
    }

    fn complete(&mut self, code: i32, bytes: usize) -> Step {
        if let Target::Socket { info, .. } = &self.target {
            return match code {
                // Cancelled (io_cancel, io_destroy): Linux's res is 0.
                status::CANCELLED => Step::Finish(0),
                _ if status::is_error(code) => Step::Finish(errno::from_ntstatus(code).neg()),
                // Only events the program wants come back (see
                // `afd::afd_events`); were there none, wait again.
                _ => match afd::poll_result(self.interest, info.ready(code)) {
                    0 => Step::Continue,
                    ready => Step::Finish(i64::from(ready)),
                },
            };
        }
        if status::is_error(code) {
            // Cancelled (io_cancel, io_destroy): Linux's res is 0.
            return Step::Finish(0);
        }
        // A wake-up's mask, as the waker gave it (Linux reports the mask the
        // wake-up carries).
        Step::Finish(bytes as i64)
    }

    fn disarm(&self, key: usize) -> bool {
        match &self.target {
            Target::File | Target::Pipe(_) | Target::Socket { .. } => true,
            Target::EventFd(eventfd) => eventfd.unwatch(key),
        }
    }

    fn cancellable(&self) -> bool {
        true
    }
}

fn socket_target(socket: RawHandle, events: u32, afd: RawHandle) -> Target {
    let info = AfdPollInfo::new(afd::base_socket(socket), afd::afd_events(events));
    Target::Socket { afd, info }
}

/// A rechecked pipe poll's answer: what Linux's wake-up would carry. A
/// writer's wake-up carries POLLIN|POLLRDNORM, whatever was asked (Linux
/// reports the waker's mask); a close wakes without a mask, and the poll
/// then reports what it finds, within what was asked.
fn pipe_woken(handle: RawHandle, interest: u32) -> u32 {
    let ready = pipe_poll::readiness(handle, interest);
    if ready & (poll_bits::POLLIN | poll_bits::POLLRDNORM) != 0 {
        poll_bits::POLLIN | poll_bits::POLLRDNORM
    } else {
        ready
    }
}

//! IO_CMD_POLL on Winsock sockets: AFD poll requests on a completion port.
//!
//! Windows has no readiness wait list a poll could join for a socket, but
//! the socket driver (AFD, `\Device\Afd`) has an undocumented request,
//! IOCTL_AFD_POLL, that completes when one of the asked socket events
//! happens. Issued on an AFD handle bound to a completion port, it is an
//! ordinary overlapped request: its completion is a packet on that port, and
//! CancelIoEx withdraws it. This is how mio, wepoll and libuv build epoll on
//! Windows; this module gives the same pieces to the engine:
//!
//! * `socket_type`/`is_socket`: whether a handle is a Winsock SOCKET, and
//!   `base_socket`: the provider's own socket under any layered one;
//! * `open_afd`: a helper handle on the AFD device, for the caller to bind
//!   to its port;
//! * `AfdPollInfo` and `start_poll`: one poll request for one socket (the
//!   engine withdraws it as any overlapped call: CancelIoEx by its
//!   OVERLAPPED on the helper);
//! * `afd_events` and `linux_events`: the event mapping both ways between
//!   Linux's POLL* bits and AFD's, as Linux reports TCP sockets.
//!
//! What Wine 8.0 does (the tests below show it): a poll on a socket not
//! ready returns STATUS_PENDING; one ready at once returns STATUS_SUCCESS;
//! both are followed by exactly one packet. The peer's FIN reports
//! AFD_POLL_DISCONNECT, its reset AFD_POLL_ABORT (later polls: ABORT|SEND),
//! a refused connect AFD_POLL_CONNECT_FAIL, closing the polled socket
//! AFD_POLL_LOCAL_CLOSE. CancelIoEx on the helper gives one packet with
//! STATUS_CANCELLED; several polls on one socket through one helper all
//! complete. GetFileType calls a socket FILE_TYPE_PIPE, as Windows does
//! (and the helper FILE_TYPE_UNKNOWN), so only "pipes" need `is_socket`
//! asked.
//!
//! Winsock initialisation: the library never calls WSAStartup. A SOCKET
//! only exists in a program that has initialised Winsock (socket() fails
//! with WSANOTINITIALISED otherwise), and that initialisation is for the
//! whole process, so getsockopt and WSAIoctl work for us whenever the
//! handle really is a socket the program made. Without it they fail, and
//! the handle is taken for a non-socket: the one case lost is a socket
//! inherited by a program that never initialised Winsock, which could then
//! only use it with ReadFile/WriteFile anyway. The AFD requests themselves
//! are NT calls and need no Winsock at all.

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr::{addr_of_mut, null, null_mut};
use std::os::windows::io::{FromRawHandle, OwnedHandle, RawHandle};
use windows_sys::Wdk::Foundation::OBJECT_ATTRIBUTES;
use windows_sys::Wdk::Storage::FileSystem::{NtCreateFile, FILE_OPEN};
use windows_sys::Wdk::System::IO::NtDeviceIoControlFile;
use windows_sys::Win32::Foundation::{HANDLE, UNICODE_STRING};
use windows_sys::Win32::Networking::WinSock::{
    getsockopt, WSAIoctl, INVALID_SOCKET, SIO_BASE_HANDLE, SOCKET, SOL_SOCKET, SO_TYPE,
};
use windows_sys::Win32::Storage::FileSystem::{FILE_SHARE_READ, FILE_SHARE_WRITE, SYNCHRONIZE};
use windows_sys::Win32::System::IO::{IO_STATUS_BLOCK, OVERLAPPED};

/// The AFD device interface. None of it is in the Windows SDK or in
/// windows-sys: the values are those ReactOS's `afd/shared.h` and Wine's
/// `include/wine/afd.h` define, and mio, wepoll and libuv use.
pub mod ioctl {
    /// IOCTL_AFD_POLL: CTL_CODE(FILE_DEVICE_NETWORK (0x12), function 9,
    /// METHOD_BUFFERED, FILE_ANY_ACCESS).
    pub const IOCTL_AFD_POLL: u32 = 0x0001_2024;

    /// Data (or a zero-length datagram) can be received.
    pub const AFD_POLL_RECEIVE: u32 = 0x0001;
    /// Out-of-band (urgent) data can be received.
    pub const AFD_POLL_RECEIVE_EXPEDITED: u32 = 0x0002;
    /// Data can be sent.
    pub const AFD_POLL_SEND: u32 = 0x0004;
    /// The peer closed its sending side gracefully (a TCP FIN).
    pub const AFD_POLL_DISCONNECT: u32 = 0x0008;
    /// The connection was aborted (a TCP reset).
    pub const AFD_POLL_ABORT: u32 = 0x0010;
    /// The socket handle was closed in this process.
    pub const AFD_POLL_LOCAL_CLOSE: u32 = 0x0020;
    /// A connect completed.
    pub const AFD_POLL_CONNECT: u32 = 0x0040;
    /// A listening socket has a connection to accept.
    pub const AFD_POLL_ACCEPT: u32 = 0x0080;
    /// A connect failed.
    pub const AFD_POLL_CONNECT_FAIL: u32 = 0x0100;
}

use crate::abi::poll_bits::*;
use ioctl::*;

/// The object name the helper handle opens. AFD takes whatever follows
/// `\Device\Afd\` as an endpoint name it does not use: the open gives a
/// bare endpoint, not a socket, whose only use here is to carry poll
/// requests (wepoll opens `\Device\Afd\Wepoll`, mio `\Device\Afd\Mio`).
const AFD_HELPER_NAME: &str = "\\Device\\Afd\\LibaioWin32";

// Socket recognition.

/// The socket type (SOCK_STREAM 1, SOCK_DGRAM 2, ...) if `handle` is a
/// Winsock SOCKET, `None` if it is anything else (a file, a pipe, a console,
/// an invalid value) or if the program has not initialised Winsock.
///
/// getsockopt(SO_TYPE) rather than GetFileType: a socket is a
/// FILE_TYPE_PIPE to GetFileType, like a pipe; only Winsock knows its own.
pub fn socket_type(handle: RawHandle) -> Option<i32> {
    let mut kind = 0i32;
    let mut len = size_of::<i32>() as i32;
    // SAFETY: `kind` and `len` are valid for the call and `len` is the
    // size of `kind`; Winsock validates the handle value itself and fails
    // with WSAENOTSOCK (or WSANOTINITIALISED) for anything not a socket.
    let result = unsafe {
        getsockopt(
            handle as SOCKET,
            SOL_SOCKET,
            SO_TYPE,
            (&mut kind as *mut i32).cast(),
            &mut len,
        )
    };
    (result == 0).then_some(kind)
}

/// Whether `handle` is a Winsock SOCKET (see `socket_type`).
pub fn is_socket(handle: RawHandle) -> bool {
    socket_type(handle).is_some()
}

/// The base provider's socket under `socket`: the handle AFD knows. A
/// layered service provider (a firewall's, a proxy's) hands programs its
/// own socket handle wrapped around the base one, and an AFD poll on the
/// wrapper fails or never fires. Without an LSP the base socket is the
/// socket itself. When the query fails (old or odd providers), the value
/// itself is the best guess, as wepoll does.
pub fn base_socket(socket: RawHandle) -> RawHandle {
    let mut base: SOCKET = INVALID_SOCKET;
    let mut returned = 0u32;
    // SAFETY: no input buffer; the output buffer is `base`, of the size
    // passed; no OVERLAPPED, so the call is synchronous and keeps no
    // pointer past its return.
    let result = unsafe {
        WSAIoctl(
            socket as SOCKET,
            SIO_BASE_HANDLE,
            null(),
            0,
            (&mut base as *mut SOCKET).cast(),
            size_of::<SOCKET>() as u32,
            &mut returned,
            null_mut(),
            None,
        )
    };
    if result != 0 || base == INVALID_SOCKET {
        socket
    } else {
        base as RawHandle
    }
}

// The helper handle.

/// Opens a new AFD helper handle, for overlapped use (no synchronous-I/O
/// option), or returns the NTSTATUS of the failure. The caller binds it to
/// its completion port: every poll started on it then completes there. One
/// helper serves any number of polls on any number of sockets.
pub fn open_afd() -> Result<OwnedHandle, i32> {
    let name: Vec<u16> = AFD_HELPER_NAME.encode_utf16().collect();
    let bytes = (name.len() * size_of::<u16>()) as u16;
    let name = UNICODE_STRING {
        Length: bytes,
        MaximumLength: bytes,
        // NtCreateFile only reads the name.
        Buffer: name.as_ptr().cast_mut(),
    };
    let attributes = OBJECT_ATTRIBUTES {
        Length: size_of::<OBJECT_ATTRIBUTES>() as u32,
        RootDirectory: null_mut(),
        ObjectName: &name,
        Attributes: 0,
        SecurityDescriptor: null(),
        SecurityQualityOfService: null(),
    };
    let mut iosb = IO_STATUS_BLOCK::default();
    let mut handle: HANDLE = null_mut();
    // SAFETY: every pointer is to a local that outlives the call (the name
    // buffer too); no allocation size and no extended attributes.
    let status = unsafe {
        NtCreateFile(
            &mut handle,
            SYNCHRONIZE,
            &attributes,
            &mut iosb,
            null(),
            0,
            FILE_SHARE_READ | FILE_SHARE_WRITE,
            FILE_OPEN,
            0,
            null(),
            0,
        )
    };
    if status < 0 || handle.is_null() {
        return Err(status);
    }
    // SAFETY: a fresh handle we own.
    Ok(unsafe { OwnedHandle::from_raw_handle(handle as RawHandle) })
}

// The poll request.

/// One socket of a poll request (AFD_POLL_HANDLE_INFO).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AfdPollHandleInfo {
    /// The socket's handle value: its base socket (see `base_socket`).
    pub handle: usize,
    /// In: the AFD_POLL_* events to wait for. Out: those that happened.
    pub events: u32,
    /// Out: the NTSTATUS for this socket (an error for a bad handle).
    pub status: i32,
}

/// A poll request for one socket (AFD_POLL_INFO with one handle): the
/// input and the output buffer of IOCTL_AFD_POLL, which AFD rewrites with
/// the sockets that are ready.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AfdPollInfo {
    /// How long AFD waits, in 100 ns units; `i64::MAX` is forever.
    pub timeout: i64,
    /// In: 1. Out: how many entries of `handles` report events (0 or 1).
    pub number_of_handles: u32,
    /// Whether this poll replaces the other polls on the same sockets
    /// (only the newest exclusive one completes). Always 0 here: every
    /// armed IO_CMD_POLL must complete. Wine reads this as a byte and
    /// ignores it (with a FIXME when set).
    pub exclusive: u32,
    pub handles: [AfdPollHandleInfo; 1],
}

// The layout AFD reads: 16 bytes of header, then 16 per handle.
const _: () = assert!(size_of::<AfdPollHandleInfo>() == 16);
const _: () = assert!(size_of::<AfdPollInfo>() == 32);

impl AfdPollInfo {
    /// A request that waits without a time limit for one of `afd_events`
    /// on `socket` (its base socket: see `base_socket`).
    pub fn new(socket: RawHandle, afd_events: u32) -> AfdPollInfo {
        AfdPollInfo {
            timeout: i64::MAX,
            number_of_handles: 1,
            exclusive: 0,
            handles: [AfdPollHandleInfo {
                handle: socket as usize,
                events: afd_events,
                status: 0,
            }],
        }
    }

    /// The AFD events the request reports, once it completed with `status`
    /// (the OVERLAPPED's `Internal`): 0 when it did not succeed or reported
    /// no socket. The status decides, not the buffer alone: a cancelled poll
    /// leaves the buffer as it was given (Wine 8.0 does), still saying one
    /// socket with the events asked for.
    pub fn ready(&self, status: i32) -> u32 {
        // NT_SUCCESS: warnings fail too (closing the helper ends its polls
        // with STATUS_HANDLES_CLOSED, 0x8000000A).
        if status < 0 || self.number_of_handles == 0 {
            0
        } else {
            self.handles[0].events
        }
    }
}

/// Starts the poll `info` on the AFD helper `afd` (bound to a completion
/// port) and returns the NTSTATUS of the call: PENDING while it waits, a
/// success if it finished at once, an error if it could not start.
///
/// Exactly one packet follows every call that did not return an error
/// (`status::is_error`), the synchronous successes included: the helper is
/// not in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode, so the caller's slot
/// logic is the same for PENDING and SUCCESS (wait for the packet). Under
/// Wine 8.0 a socket ready at once returns STATUS_SUCCESS with the status
/// block already filled, and its packet is queued before the call returns.
/// A handle that is no socket fails in the call (a pipe:
/// STATUS_OBJECT_TYPE_MISMATCH; a bad value: STATUS_INVALID_HANDLE), with
/// no packet.
///
/// The packet carries `overlapped`, whose first two fields are the request's
/// IO_STATUS_BLOCK (OVERLAPPED's Internal and InternalHigh have that layout:
/// kernel32's DeviceIoControl passes it the same way). `Internal` is set to
/// PENDING before the call, so that it reads PENDING until the request is
/// done.
///
/// # Safety
/// `info` and `overlapped` must stay valid, untouched by the caller, until
/// the request's completion packet has been dequeued. For an error status
/// no packet comes (NT queues one only for a request that was started).
pub unsafe fn start_poll(
    afd: RawHandle,
    info: *mut AfdPollInfo,
    overlapped: *mut OVERLAPPED,
) -> i32 {
    let size = size_of::<AfdPollInfo>() as u32;
    // SAFETY: per this function's contract. The ApcContext is what the
    // completion packet carries as its OVERLAPPED pointer; `info` is both
    // the input and the output buffer, as AFD expects.
    unsafe {
        addr_of_mut!((*overlapped).Internal)
            .write(windows_sys::Win32::Foundation::STATUS_PENDING as usize);
        addr_of_mut!((*overlapped).InternalHigh).write(0);
        NtDeviceIoControlFile(
            afd as HANDLE,
            null_mut(),
            None,
            overlapped as *const c_void,
            overlapped.cast::<IO_STATUS_BLOCK>(),
            IOCTL_AFD_POLL,
            info as *const c_void,
            size,
            info.cast(),
            size,
        )
    }
}

/// Withdraws the poll `overlapped` started on `afd`. If it was still
/// pending, its packet comes with STATUS_CANCELLED (or with its result, if
/// it completed meanwhile: either way one packet); returns whether a
/// pending request was found. A cancelled poll's buffer is left as it was
/// given (see `AfdPollInfo::ready`). Closing the helper also ends its
/// pending polls, each with a packet (Wine 8.0: STATUS_HANDLES_CLOSED),
/// so buffers are freed only once their packets are in.
#[cfg(test)]
pub fn cancel_poll(afd: RawHandle, overlapped: *mut OVERLAPPED) -> bool {
    // SAFETY: CancelIoEx only compares the pointer with the requests
    // pending on the handle; it never dereferences it.
    unsafe { windows_sys::Win32::System::IO::CancelIoEx(afd as HANDLE, overlapped) != 0 }
}

// The event mapping.

/// Linux bits that only ask about reading (normal data, a listening
/// socket's connection, end of stream).
const READ_BITS: u32 = POLLIN | POLLRDNORM;
/// What Linux reports once a TCP connection is over, by a reset or a
/// failed connect: tcp_poll sees the socket closed (POLLHUP) with both
/// directions shut (POLLIN|POLLRDNORM|POLLRDHUP, and POLLOUT|POLLWRNORM
/// since sending no longer blocks) and `sk_err` set (POLLERR).
const CONNECTION_OVER: u32 =
    POLLIN | POLLRDNORM | POLLRDHUP | POLLOUT | POLLWRNORM | POLLHUP | POLLERR;

/// The AFD events to wait for when a program asks IO_CMD_POLL for `events`
/// (Linux bits). Always included: the aborts, failed connects and local
/// closes, which report POLLERR|POLLHUP, as Linux's aio_poll always adds
/// those two to what is asked.
///
/// Every AFD event asked for maps back to a Linux bit in
/// `events | POLLERR | POLLHUP`, so a completion always carries something
/// the program wanted: nothing needs re-arming. Hence POLLRDBAND and
/// POLLWRBAND ask for nothing of their own: Linux's TCP never reports them
/// (urgent data is POLLPRI there).
pub fn afd_events(events: u32) -> u32 {
    let mut afd = AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE;
    if events & READ_BITS != 0 {
        // End of stream is readable too (read returns 0).
        afd |= AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT;
    }
    if events & POLLPRI != 0 {
        afd |= AFD_POLL_RECEIVE_EXPEDITED;
    }
    if events & (POLLOUT | POLLWRNORM) != 0 {
        afd |= AFD_POLL_SEND;
    }
    if events & POLLRDHUP != 0 {
        afd |= AFD_POLL_DISCONNECT;
    }
    afd
}

/// The Linux poll mask for the AFD events a completed poll reports, as
/// Linux's tcp_poll would give it for the socket in that state:
///
/// * data, or a connection to accept: POLLIN|POLLRDNORM;
/// * urgent data: POLLPRI;
/// * room to send, or a completed connect: POLLOUT|POLLWRNORM;
/// * the peer's FIN: POLLIN|POLLRDNORM|POLLRDHUP;
/// * a reset, or a failed connect: `CONNECTION_OVER`;
/// * the program closed the socket: POLLHUP|POLLERR. Linux has no such
///   event (the request would keep the file alive and wait on); a hangup
///   with an error ends the request, and any I/O on the fd then fails.
pub fn linux_events(afd: u32) -> u32 {
    let mut mask = 0;
    if afd & (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT) != 0 {
        mask |= POLLIN | POLLRDNORM;
    }
    if afd & AFD_POLL_RECEIVE_EXPEDITED != 0 {
        mask |= POLLPRI;
    }
    if afd & (AFD_POLL_SEND | AFD_POLL_CONNECT) != 0 {
        mask |= POLLOUT | POLLWRNORM;
    }
    if afd & AFD_POLL_DISCONNECT != 0 {
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    }
    if afd & (AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL) != 0 {
        mask |= CONNECTION_OVER;
    }
    if afd & AFD_POLL_LOCAL_CLOSE != 0 {
        mask |= POLLHUP | POLLERR;
    }
    mask
}

/// An IO_CMD_POLL's result for a program that asked for `events`, from the
/// AFD events its poll reported: what `linux_events` gives, within
/// `events | POLLERR | POLLHUP` (aio_poll's answer when the socket is
/// ready as it is armed; a later wake-up on Linux may carry more bits of
/// the waker's own, which programs do not rely on).
pub fn poll_result(events: u32, afd: u32) -> u32 {
    linux_events(afd) & (events | POLLERR | POLLHUP)
}

#[cfg(test)]
mod mapping_tests {
    use super::*;

    #[test]
    fn errors_and_hangups_are_always_asked() {
        for events in [0, POLLIN, POLLOUT, POLLPRI, POLLRDHUP, POLLRDBAND] {
            let afd = afd_events(events);
            assert_eq!(
                afd & (AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE),
                AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE
            );
        }
        assert_eq!(
            afd_events(0),
            AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE
        );
    }

    #[test]
    fn reading_asks_for_data_connections_and_end_of_stream() {
        for events in [POLLIN, POLLRDNORM] {
            let afd = afd_events(events);
            assert_ne!(afd & AFD_POLL_RECEIVE, 0);
            assert_ne!(afd & AFD_POLL_ACCEPT, 0);
            assert_ne!(afd & AFD_POLL_DISCONNECT, 0);
            assert_eq!(afd & (AFD_POLL_SEND | AFD_POLL_RECEIVE_EXPEDITED), 0);
        }
        assert_eq!(afd_events(POLLPRI) & AFD_POLL_RECEIVE, 0);
        assert_ne!(afd_events(POLLPRI) & AFD_POLL_RECEIVE_EXPEDITED, 0);
        let rdhup = afd_events(POLLRDHUP);
        assert_ne!(rdhup & AFD_POLL_DISCONNECT, 0);
        assert_eq!(rdhup & AFD_POLL_RECEIVE, 0);
    }

    #[test]
    fn writing_asks_for_room_to_send() {
        for events in [POLLOUT, POLLWRNORM] {
            let afd = afd_events(events);
            assert_ne!(afd & AFD_POLL_SEND, 0);
            assert_eq!(afd & (AFD_POLL_RECEIVE | AFD_POLL_DISCONNECT), 0);
        }
    }

    /// A completion never reports only bits the program did not ask for:
    /// every AFD event asked for maps into `events | POLLERR | POLLHUP`.
    #[test]
    fn every_event_asked_for_is_reported() {
        for events in 0..0x4000u32 {
            let asked = afd_events(events);
            for bit in (0..9).map(|n| 1u32 << n).filter(|bit| asked & bit != 0) {
                assert_ne!(
                    poll_result(events, bit),
                    0,
                    "events {events:#x}: AFD event {bit:#x} maps to nothing asked"
                );
            }
        }
    }

    #[test]
    fn reported_as_linux_reports_tcp() {
        assert_eq!(linux_events(AFD_POLL_RECEIVE), POLLIN | POLLRDNORM);
        assert_eq!(linux_events(AFD_POLL_ACCEPT), POLLIN | POLLRDNORM);
        assert_eq!(linux_events(AFD_POLL_RECEIVE_EXPEDITED), POLLPRI);
        assert_eq!(linux_events(AFD_POLL_SEND), POLLOUT | POLLWRNORM);
        assert_eq!(linux_events(AFD_POLL_CONNECT), POLLOUT | POLLWRNORM);
        // The peer's FIN.
        assert_eq!(
            linux_events(AFD_POLL_DISCONNECT),
            POLLIN | POLLRDNORM | POLLRDHUP
        );
        // A reset, and a refused connect: 0x215d, as tcp_poll gives them.
        assert_eq!(linux_events(AFD_POLL_ABORT), 0x215d);
        assert_eq!(linux_events(AFD_POLL_CONNECT_FAIL), 0x215d);
        assert_eq!(linux_events(AFD_POLL_LOCAL_CLOSE), POLLHUP | POLLERR);
        assert_eq!(linux_events(0), 0);
        assert_eq!(
            linux_events(AFD_POLL_RECEIVE | AFD_POLL_SEND),
            POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM
        );
    }

    #[test]
    fn results_keep_to_what_was_asked_plus_errors() {
        assert_eq!(
            poll_result(POLLIN, AFD_POLL_RECEIVE | AFD_POLL_SEND),
            POLLIN
        );
        assert_eq!(
            poll_result(POLLIN | POLLRDHUP, AFD_POLL_DISCONNECT),
            POLLIN | POLLRDHUP
        );
        assert_eq!(
            poll_result(POLLIN, AFD_POLL_ABORT),
            POLLIN | POLLERR | POLLHUP
        );
        assert_eq!(
            poll_result(POLLOUT, AFD_POLL_CONNECT_FAIL),
            POLLOUT | POLLERR | POLLHUP
        );
        assert_eq!(poll_result(0, AFD_POLL_ABORT), POLLERR | POLLHUP);
        assert_eq!(
            poll_result(POLLOUT, AFD_POLL_LOCAL_CLOSE),
            POLLERR | POLLHUP
        );
        assert_eq!(poll_result(POLLRDBAND | POLLWRBAND, AFD_POLL_SEND), 0);
    }
}

/// AFD polls on real sockets (std's, over 127.0.0.1) and a completion port,
/// run under Wine. Each prints what it saw (`--nocapture`): the statuses
/// the calls return and the packets that come.
#[cfg(test)]
mod wine_tests {
    use super::*;
    use crate::errno::status;
    use crate::sys::{self, Packet, Port};
    use std::io::Write;
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::os::windows::io::{AsRawHandle, AsRawSocket};

    const KEY: usize = 0xAFD;

    /// A port and an AFD helper bound to it.
    fn port_and_afd() -> (Port, OwnedHandle) {
        let port = Port::new().expect("a completion port");
        let afd = open_afd().unwrap_or_else(|s| panic!("open_afd: status {s:#x}"));
        assert!(port.associate(afd.as_raw_handle(), KEY));
        (port, afd)
    }

    /// A connected pair: (client, the accepted server side).
    fn tcp_pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    fn handle_of(socket: &impl AsRawSocket) -> RawHandle {
        socket.as_raw_socket() as usize as RawHandle
    }

    /// A poll's buffers, at a fixed address until its packet is dequeued:
    /// leaked, so that a test failing with a poll pending leaves the kernel
    /// nothing freed to write to.
    struct Poll {
        info: AfdPollInfo,
        overlapped: OVERLAPPED,
        events: u32,
    }

    impl Poll {
        /// Starts a poll for Linux `events` on `socket`; returns it with the
        /// status the call returned.
        fn start(afd: &OwnedHandle, socket: RawHandle, events: u32) -> (&'static mut Poll, i32) {
            let base = base_socket(socket);
            let poll = Box::leak(Box::new(Poll {
                info: AfdPollInfo::new(base, afd_events(events)),
                overlapped: OVERLAPPED::default(),
                events,
            }));
            let info = &mut poll.info as *mut AfdPollInfo;
            let overlapped = &mut poll.overlapped as *mut OVERLAPPED;
            // SAFETY: both are in a leaked box: valid, at a fixed address,
            // for the rest of the process.
            let returned = unsafe { start_poll(afd.as_raw_handle(), info, overlapped) };
            (poll, returned)
        }

        fn overlapped(&mut self) -> *mut OVERLAPPED {
            &mut self.overlapped
        }

        /// The completed request's status and its Linux result.
        fn result(&mut self) -> (i32, u32) {
            // SAFETY: the packet for this OVERLAPPED has been dequeued.
            let done = unsafe { sys::overlapped_result(&self.overlapped) }.expect("completed");
            let afd = self.info.ready(done.status);
            (done.status, poll_result(self.events, afd))
        }
    }

    fn packets(port: &Port, ms: u32) -> Vec<Packet> {
        let mut out = [Packet {
            key: 0,
            overlapped: null_mut(),
        }; 8];
        let n = port.dequeue(&mut out, Some(ms));
        out[..n].to_vec()
    }

    /// Waits up to `ms` for exactly one packet, for `poll`.
    fn one_packet(port: &Port, poll: &mut Poll, ms: u32) {
        let got = packets(port, ms);
        assert_eq!(got.len(), 1, "one packet expected");
        assert_eq!(got[0].key, KEY);
        assert_eq!(got[0].overlapped, poll.overlapped());
    }

    #[test]
    fn sockets_are_recognised() {
        let (client, server) = tcp_pair();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        for socket in [handle_of(&client), handle_of(&server), handle_of(&listener)] {
            assert!(is_socket(socket));
            assert_eq!(socket_type(socket), Some(1 /* SOCK_STREAM */));
            eprintln!(
                "socket {socket:?}: base {:?}, GetFileType {}",
                base_socket(socket),
                sys::file_type(socket)
            );
        }
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(socket_type(handle_of(&udp)), Some(2 /* SOCK_DGRAM */));

        let path = std::env::temp_dir().join(format!("afd-is-socket-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        assert!(!is_socket(file.as_raw_handle()));
        drop(file);
        let _ = std::fs::remove_file(&path);
        let (reader, writer) = std::io::pipe().unwrap();
        assert!(!is_socket(reader.as_raw_handle()));
        assert!(!is_socket(writer.as_raw_handle()));
        assert!(!is_socket(null_mut()));
        assert!(!is_socket(usize::MAX as RawHandle));
        let (_port, afd) = port_and_afd();
        eprintln!(
            "AFD helper: is_socket {}, GetFileType {}; pipe: GetFileType {}",
            is_socket(afd.as_raw_handle()),
            sys::file_type(afd.as_raw_handle()),
            sys::file_type(reader.as_raw_handle())
        );
    }

    /// (a) POLLIN on an empty socket waits; the peer's write completes it.
    #[test]
    fn pollin_waits_for_data() {
        let (port, afd) = port_and_afd();
        let (mut client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
        eprintln!("POLLIN on an empty socket: returned {returned:#x}");
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        assert!(packets(&port, 100).is_empty(), "no packet while empty");
        client.write_all(b"x").unwrap();
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "after the write: status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_eq!(result, POLLIN);
        assert!(packets(&port, 50).is_empty());
    }

    /// (b) POLLOUT on a fresh connected socket is ready at once: which
    /// status the call returns, and whether a packet comes all the same.
    #[test]
    fn pollout_is_ready_at_once() {
        let (port, afd) = port_and_afd();
        let (client, _server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&client), POLLOUT | POLLWRNORM);
        // SAFETY: a plain read of our own OVERLAPPED; the kernel may still
        // write it, hence the volatile read inside.
        let now = unsafe { sys::overlapped_result(&poll.overlapped) }.map(|r| r.status);
        eprintln!("POLLOUT, ready: returned {returned:#x}, status block then {now:x?}");
        assert!(
            returned == windows_sys::Win32::Foundation::STATUS_PENDING
                || returned == status::SUCCESS
        );
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "POLLOUT packet: status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_eq!(result, POLLOUT | POLLWRNORM);
        assert!(packets(&port, 50).is_empty(), "one packet only");
    }

    /// (c) The peer's shutdown(SHUT_WR): POLLIN and POLLRDHUP.
    #[test]
    fn peer_shutdown_is_end_of_stream() {
        let (port, afd) = port_and_afd();
        let (client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN | POLLRDHUP);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        assert!(packets(&port, 50).is_empty());
        client.shutdown(Shutdown::Write).unwrap();
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "peer shutdown(Write): status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_eq!(result & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);

        // Armed after the FIN: ready at once, with the same bits.
        let (again, returned) = Poll::start(&afd, handle_of(&server), POLLIN | POLLRDHUP);
        one_packet(&port, again, 5000);
        let (status, result) = again.result();
        eprintln!(
            "armed after the FIN: returned {returned:#x}, AFD {:#x}, result {result:#x}",
            again.info.ready(status)
        );
        assert_eq!(result & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
    }

    /// (c) The peer closes its socket.
    #[test]
    fn peer_close_is_end_of_stream() {
        let (port, afd) = port_and_afd();
        let (client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN | POLLRDHUP);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        drop(client);
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "peer close: status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_eq!(result & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
    }

    /// The peer resets the connection (SO_LINGER 0, then close).
    #[test]
    fn peer_reset_is_an_error() {
        use windows_sys::Win32::Networking::WinSock::{setsockopt, LINGER, SO_LINGER};
        let (port, afd) = port_and_afd();
        let (client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        let linger = LINGER {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: `linger` is valid for the call and its size is passed.
        let set = unsafe {
            setsockopt(
                client.as_raw_socket() as SOCKET,
                SOL_SOCKET,
                SO_LINGER,
                (&linger as *const LINGER).cast(),
                size_of::<LINGER>() as i32,
            )
        };
        assert_eq!(set, 0);
        drop(client);
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "peer reset: status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_ne!(result & POLLIN, 0);
        let (again, returned) = Poll::start(&afd, handle_of(&server), POLLIN | POLLOUT);
        one_packet(&port, again, 5000);
        let (status, result) = again.result();
        eprintln!(
            "armed after the reset: returned {returned:#x}, AFD {:#x}, result {result:#x}",
            again.info.ready(status)
        );
    }

    /// The program closes the socket while a poll on it is armed.
    #[test]
    fn local_close_ends_the_poll() {
        let (port, afd) = port_and_afd();
        let (_client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        drop(server);
        let got = packets(&port, 2000);
        if got.is_empty() {
            eprintln!("local close: no packet within 2 s; cancelling");
            assert!(cancel_poll(afd.as_raw_handle(), poll.overlapped()));
            one_packet(&port, poll, 5000);
        } else {
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].overlapped, poll.overlapped());
        }
        let (status, result) = poll.result();
        eprintln!(
            "local close: status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
    }

    /// A connect that fails (refused): POLLOUT reports the error.
    #[test]
    fn refused_connect_is_an_error() {
        use std::os::windows::io::FromRawSocket;
        use windows_sys::Win32::Networking::WinSock::{
            connect, ioctlsocket, socket, WSAGetLastError, AF_INET, FIONBIO, IN_ADDR, IN_ADDR_0,
            IPPROTO_TCP, SOCKADDR_IN, SOCK_STREAM, WSAEWOULDBLOCK,
        };
        let (port, afd) = port_and_afd();
        // A port nobody listens on (std's bind also initialises Winsock).
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = SOCKADDR_IN {
            sin_family: AF_INET,
            sin_port: free.local_addr().unwrap().port().to_be(),
            sin_addr: IN_ADDR {
                S_un: IN_ADDR_0 {
                    S_addr: u32::from_be_bytes([127, 0, 0, 1]).to_be(),
                },
            },
            sin_zero: [0; 8],
        };
        drop(free);
        // SAFETY: plain Winsock calls; `address` and `on` outlive them; the
        // new socket is owned by `stream` at once.
        let (stream, connected, error) = unsafe {
            let s = socket(i32::from(AF_INET), SOCK_STREAM, IPPROTO_TCP);
            assert_ne!(s, INVALID_SOCKET);
            let stream = TcpStream::from_raw_socket(s as u64);
            let mut on = 1u32;
            assert_eq!(ioctlsocket(s, FIONBIO, &mut on), 0);
            let connected = connect(
                s,
                (&address as *const SOCKADDR_IN).cast(),
                size_of::<SOCKADDR_IN>() as i32,
            );
            (stream, connected, WSAGetLastError())
        };
        assert!(
            connected != 0 && error == WSAEWOULDBLOCK,
            "connect: {error}"
        );
        let (poll, returned) = Poll::start(&afd, handle_of(&stream), POLLOUT);
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "refused: returned {returned:#x}, status {status:#x}, AFD {:#x}, result {result:#x}",
            poll.info.ready(status)
        );
        assert_eq!(status, status::SUCCESS);
        assert_eq!(result & (POLLERR | POLLHUP), POLLERR | POLLHUP);
    }

    /// A poll on a handle that is no socket fails in the call, and no
    /// packet follows.
    #[test]
    fn non_socket_fails_without_a_packet() {
        let (port, afd) = port_and_afd();
        let (reader, _writer) = std::io::pipe().unwrap();
        for handle in [reader.as_raw_handle(), 0x7777_0000 as RawHandle] {
            let (_poll, returned) = Poll::start(&afd, handle, POLLIN);
            eprintln!("poll on non-socket {handle:?}: returned {returned:#x}");
            assert!(status::is_error(returned));
            assert!(packets(&port, 200).is_empty(), "no packet after an error");
        }
    }

    /// (d) Cancelling an armed poll: exactly one packet, STATUS_CANCELLED.
    #[test]
    fn cancel_gives_one_cancelled_packet() {
        let (port, afd) = port_and_afd();
        let (_client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        assert!(packets(&port, 50).is_empty());
        assert!(cancel_poll(afd.as_raw_handle(), poll.overlapped()));
        one_packet(&port, poll, 5000);
        let (status, result) = poll.result();
        eprintln!(
            "cancelled: status {status:#x}, handles {}, result {result:#x}",
            poll.info.number_of_handles
        );
        assert_eq!(status, status::CANCELLED);
        assert_eq!(result, 0);
        assert!(packets(&port, 100).is_empty(), "exactly one packet");
        // Nothing left to cancel.
        assert!(!cancel_poll(afd.as_raw_handle(), poll.overlapped()));
    }

    /// A cancel racing the completion (a write on another thread): always
    /// exactly one packet, with either the result or STATUS_CANCELLED.
    #[test]
    fn cancel_racing_completion_gives_one_packet() {
        use std::sync::{Arc, Barrier};
        const ROUNDS: usize = 200;
        let (port, afd) = port_and_afd();
        let (mut client, mut server) = tcp_pair();
        let start = Arc::new(Barrier::new(2));
        let writer = {
            let start = start.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    start.wait();
                    client.write_all(b"x").unwrap();
                }
            })
        };
        let (mut done, mut cancelled) = (0, 0);
        for round in 0..ROUNDS {
            let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
            assert_eq!(
                returned,
                windows_sys::Win32::Foundation::STATUS_PENDING,
                "round {round}"
            );
            start.wait();
            // Cancel 0 to 190 us after the write starts, to meet the
            // completion at different points.
            let delay = std::time::Duration::from_micros(10 * (round % 20) as u64);
            let now = std::time::Instant::now();
            while now.elapsed() < delay {
                core::hint::spin_loop();
            }
            cancel_poll(afd.as_raw_handle(), poll.overlapped());
            one_packet(&port, poll, 5000);
            match poll.result() {
                (status::SUCCESS, POLLIN) => done += 1,
                (status::CANCELLED, 0) => cancelled += 1,
                other => panic!("round {round}: {other:x?}"),
            }
            assert!(
                packets(&port, 0).is_empty(),
                "round {round}: a second packet"
            );
            let mut byte = [0u8];
            std::io::Read::read_exact(&mut server, &mut byte).unwrap();
        }
        writer.join().unwrap();
        eprintln!("cancel racing a write: {done} completed, {cancelled} cancelled");
    }

    /// Closing the helper with a poll armed: the poll ends with a packet
    /// (the port outlives the helper), so its buffers may then be freed.
    #[test]
    fn closing_the_helper_ends_its_polls() {
        let (port, afd) = port_and_afd();
        let (_client, server) = tcp_pair();
        let (poll, returned) = Poll::start(&afd, handle_of(&server), POLLIN);
        assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
        drop(afd);
        let got = packets(&port, 2000);
        eprintln!("helper closed with a poll armed: {} packet(s)", got.len());
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].overlapped, poll.overlapped());
        let (status, result) = poll.result();
        eprintln!("helper closed: status {status:#x}, result {result:#x}");
        // STATUS_HANDLES_CLOSED under Wine 8.0: a warning, not an error.
        assert!(status < 0, "not a success");
        assert_eq!(result, 0);
    }

    /// (e) Several polls on one socket through one helper all complete.
    #[test]
    fn several_polls_on_one_socket_all_complete() {
        let (port, afd) = port_and_afd();
        let (mut client, server) = tcp_pair();
        let socket = handle_of(&server);
        let mut polls: Vec<&'static mut Poll> = Vec::new();
        for events in [POLLIN, POLLIN | POLLRDNORM, POLLIN] {
            let (poll, returned) = Poll::start(&afd, socket, events);
            assert_eq!(returned, windows_sys::Win32::Foundation::STATUS_PENDING);
            polls.push(poll);
        }
        let (out, returned) = Poll::start(&afd, socket, POLLOUT);
        eprintln!("POLLOUT beside 3 armed POLLIN: returned {returned:#x}");
        polls.push(out);
        // The POLLOUT completes at once, the others wait for data.
        let first = packets(&port, 5000);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].overlapped, polls[3].overlapped());
        assert!(packets(&port, 100).is_empty());
        client.write_all(b"data").unwrap();
        let mut seen = Vec::new();
        while seen.len() < 3 {
            let got = packets(&port, 5000);
            assert!(!got.is_empty(), "only {} of 3 packets came", seen.len());
            seen.extend(got.iter().map(|p| p.overlapped));
        }
        assert!(packets(&port, 100).is_empty());
        for poll in &mut polls[..3] {
            assert!(seen.contains(&poll.overlapped()));
            let (status, result) = poll.result();
            assert_eq!(status, status::SUCCESS);
            assert_ne!(result & POLLIN, 0);
        }
    }
}

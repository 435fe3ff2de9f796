//! errno values and the mapping from Windows status codes to them.
//!
//! A ported program compares our results with its own `<errno.h>`, which on
//! Windows is the C runtime's: the values below are those of the Windows C
//! runtimes (msvcrt and ucrt agree), not Linux's. ECANCELED is 105 here, for
//! example, where Linux has 125.

/// A positive errno value; the C API returns its negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

pub const EIO: Errno = Errno(5);
pub const EBADF: Errno = Errno(9);
pub const EAGAIN: Errno = Errno(11);
pub const ENOMEM: Errno = Errno(12);
pub const EFAULT: Errno = Errno(14);
pub const EINVAL: Errno = Errno(22);
pub const EFBIG: Errno = Errno(27);
pub const ENOSPC: Errno = Errno(28);
pub const EROFS: Errno = Errno(30);
pub const EPIPE: Errno = Errno(32);
pub const ECANCELED: Errno = Errno(105);
pub const EINPROGRESS: Errno = Errno(112);
pub const EOPNOTSUPP: Errno = Errno(130);

impl Errno {
    /// The value an API call or an event's `res` carries.
    pub fn neg(self) -> i64 {
        -i64::from(self.0)
    }
}

/// NTSTATUS values the engine meets and must treat specially.
pub mod status {
    pub const SUCCESS: i32 = 0;
    pub const UNSUCCESSFUL: i32 = 0xC000_0001_u32 as i32;
    pub const PENDING: i32 = 0x0000_0103;
    pub const END_OF_FILE: i32 = 0xC000_0011_u32 as i32;
    pub const PIPE_BROKEN: i32 = 0xC000_014B_u32 as i32;
    pub const PIPE_DISCONNECTED: i32 = 0xC000_00B0_u32 as i32;
    pub const PIPE_EMPTY: i32 = 0xC000_00D9_u32 as i32;
    pub const CANCELLED: i32 = 0xC000_0120_u32 as i32;
    pub const ACCESS_VIOLATION: i32 = 0xC000_0005_u32 as i32;
    pub const INVALID_USER_BUFFER: i32 = 0xC000_00E8_u32 as i32;
    pub const ACCESS_DENIED: i32 = 0xC000_0022_u32 as i32;
    pub const INVALID_PARAMETER: i32 = 0xC000_000D_u32 as i32;
    pub const DISK_FULL: i32 = 0xC000_007F_u32 as i32;
    pub const FILE_TOO_LARGE: i32 = 0xC000_0904_u32 as i32;
    pub const INVALID_HANDLE: i32 = 0xC000_0008_u32 as i32;
    pub const NOT_SUPPORTED: i32 = 0xC000_00BB_u32 as i32;
    pub const INVALID_DEVICE_REQUEST: i32 = 0xC000_0010_u32 as i32;
    pub const MEDIA_WRITE_PROTECTED: i32 = 0xC000_00A2_u32 as i32;
    pub const NO_MEMORY: i32 = 0xC000_0017_u32 as i32;
    pub const INSUFFICIENT_RESOURCES: i32 = 0xC000_009A_u32 as i32;

    /// NT_SUCCESS plus informational and warning codes: anything not an error.
    pub fn is_error(status: i32) -> bool {
        (status as u32) >> 30 == 3
    }
}

/// The errno Linux would give for the failure a Windows status reports.
pub fn from_ntstatus(code: i32) -> Errno {
    match code {
        status::ACCESS_VIOLATION | status::INVALID_USER_BUFFER => EFAULT,
        status::ACCESS_DENIED | status::INVALID_HANDLE => EBADF,
        status::INVALID_PARAMETER => EINVAL,
        status::DISK_FULL => ENOSPC,
        status::FILE_TOO_LARGE => EFBIG,
        status::PIPE_BROKEN | status::PIPE_DISCONNECTED => EPIPE,
        status::CANCELLED => ECANCELED,
        status::NOT_SUPPORTED | status::INVALID_DEVICE_REQUEST => EINVAL,
        status::MEDIA_WRITE_PROTECTED => EROFS,
        status::NO_MEMORY | status::INSUFFICIENT_RESOURCES => ENOMEM,
        status::PIPE_EMPTY => EAGAIN,
        _ => from_win32(crate::sys::nt_status_to_win32(code)),
    }
}

/// The errno Linux would give for a Win32 error code.
pub fn from_win32(error: u32) -> Errno {
    // Values from winerror.h.
    match error {
        5 /* ACCESS_DENIED */ => EBADF,
        6 /* INVALID_HANDLE */ => EBADF,
        8 | 14 /* NOT_ENOUGH_MEMORY, OUTOFMEMORY */ => ENOMEM,
        19 /* WRITE_PROTECT */ => EROFS,
        38 /* HANDLE_EOF */ => EIO,
        39 | 112 /* HANDLE_DISK_FULL, DISK_FULL */ => ENOSPC,
        50 /* NOT_SUPPORTED */ => EOPNOTSUPP,
        87 /* INVALID_PARAMETER */ => EINVAL,
        109 | 232 /* BROKEN_PIPE, NO_DATA */ => EPIPE,
        223 /* FILE_TOO_LARGE */ => EFBIG,
        995 /* OPERATION_ABORTED */ => ECANCELED,
        998 /* NOACCESS */ => EFAULT,
        1450 | 1453 /* NO_SYSTEM_RESOURCES, WORKING_SET_QUOTA */ => ENOMEM,
        _ => EIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_from_warnings_and_success() {
        assert!(!status::is_error(status::SUCCESS));
        assert!(!status::is_error(status::PENDING));
        assert!(!status::is_error(0x8000_0005_u32 as i32)); // buffer overflow: a warning
        assert!(status::is_error(status::END_OF_FILE));
        assert!(status::is_error(status::ACCESS_VIOLATION));
    }

    #[test]
    fn common_failures_map_to_linux_errnos() {
        assert_eq!(from_ntstatus(status::ACCESS_VIOLATION), EFAULT);
        assert_eq!(from_ntstatus(status::DISK_FULL), ENOSPC);
        assert_eq!(from_ntstatus(status::CANCELLED), ECANCELED);
        assert_eq!(from_win32(998), EFAULT);
        assert_eq!(from_win32(12345), EIO);
        assert_eq!(EINVAL.neg(), -22);
    }
}

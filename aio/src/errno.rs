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

/// NTSTATUS values the engine meets and must treat specially, as
/// windows-sys names them (one vocabulary for the whole crate).
pub mod status {
    pub use windows_sys::Win32::Foundation::{
        STATUS_ACCESS_DENIED as ACCESS_DENIED, STATUS_ACCESS_VIOLATION as ACCESS_VIOLATION,
        STATUS_CANCELLED as CANCELLED, STATUS_DISK_FULL as DISK_FULL,
        STATUS_END_OF_FILE as END_OF_FILE, STATUS_FILE_TOO_LARGE as FILE_TOO_LARGE,
        STATUS_INSUFFICIENT_RESOURCES as INSUFFICIENT_RESOURCES,
        STATUS_INVALID_DEVICE_REQUEST as INVALID_DEVICE_REQUEST,
        STATUS_INVALID_HANDLE as INVALID_HANDLE, STATUS_INVALID_PARAMETER as INVALID_PARAMETER,
        STATUS_INVALID_USER_BUFFER as INVALID_USER_BUFFER,
        STATUS_MEDIA_WRITE_PROTECTED as MEDIA_WRITE_PROTECTED,
        STATUS_NOT_SUPPORTED as NOT_SUPPORTED, STATUS_NO_MEMORY as NO_MEMORY,
        STATUS_PIPE_BROKEN as PIPE_BROKEN, STATUS_PIPE_DISCONNECTED as PIPE_DISCONNECTED,
        STATUS_PIPE_EMPTY as PIPE_EMPTY, STATUS_SUCCESS as SUCCESS,
    };

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
    use windows_sys::Win32::Foundation::*;
    match error {
        ERROR_ACCESS_DENIED | ERROR_INVALID_HANDLE => EBADF,
        ERROR_NOT_ENOUGH_MEMORY | ERROR_OUTOFMEMORY => ENOMEM,
        ERROR_WRITE_PROTECT => EROFS,
        ERROR_HANDLE_EOF => EIO,
        ERROR_HANDLE_DISK_FULL | ERROR_DISK_FULL => ENOSPC,
        ERROR_NOT_SUPPORTED => EOPNOTSUPP,
        ERROR_INVALID_PARAMETER => EINVAL,
        ERROR_BROKEN_PIPE | ERROR_NO_DATA => EPIPE,
        ERROR_FILE_TOO_LARGE => EFBIG,
        ERROR_OPERATION_ABORTED => ECANCELED,
        ERROR_NOACCESS => EFAULT,
        ERROR_NO_SYSTEM_RESOURCES | ERROR_WORKING_SET_QUOTA => ENOMEM,
        _ => EIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_told_from_warnings_and_success() {
        assert!(!status::is_error(status::SUCCESS));
        assert!(!status::is_error(
            windows_sys::Win32::Foundation::STATUS_PENDING
        ));
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

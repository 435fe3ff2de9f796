//! Thin, safe wrappers over the Win32 and NT calls the engine makes.
//!
//! Every `unsafe` call into Windows lives here, each with the reason it is
//! sound. Handles are owned through `std::os::windows::io::OwnedHandle`.

use core::ffi::c_void;
use core::ptr::null_mut;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle, RawHandle};
use windows_sys::Wdk::Storage::FileSystem::{
    FileAccessInformation, FileInternalInformation, NtQueryInformationFile, NtReadFile, NtWriteFile,
};
use windows_sys::Win32::Foundation::{
    GetLastError, RtlNtStatusToDosError, ERROR_HANDLE_EOF, ERROR_INVALID_PARAMETER,
    ERROR_IO_PENDING, ERROR_NOACCESS, HANDLE, INVALID_HANDLE_VALUE, STATUS_ACCESS_VIOLATION,
    STATUS_END_OF_FILE, STATUS_INVALID_PARAMETER, STATUS_PENDING, STATUS_SUCCESS,
    STATUS_UNSUCCESSFUL,
};
use windows_sys::Win32::Storage::FileSystem::{
    FlushFileBuffers, GetFileType, ReOpenFile, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
};
use windows_sys::Win32::System::Threading::{WaitOnAddress, WakeByAddressAll, INFINITE};
use windows_sys::Win32::System::IO::{
    CancelIoEx, CreateIoCompletionPort, GetQueuedCompletionStatusEx, PostQueuedCompletionStatus,
    IO_STATUS_BLOCK, OVERLAPPED, OVERLAPPED_ENTRY,
};

pub use windows_sys::Wdk::Storage::FileSystem::{
    FILE_PIPE_CLOSING_STATE, FILE_PIPE_DISCONNECTED_STATE, FILE_PIPE_LISTENING_STATE,
    FILE_PIPE_LOCAL_INFORMATION,
};
pub use windows_sys::Win32::Storage::FileSystem::{
    FILE_TYPE_DISK, FILE_TYPE_PIPE, FILE_TYPE_UNKNOWN,
};

/// Access rights (as `FileAccessInformation` reports them) and open flags.
pub use windows_sys::Win32::Storage::FileSystem::{
    FILE_APPEND_DATA, FILE_FLAG_NO_BUFFERING, FILE_FLAG_OVERLAPPED, FILE_FLAG_WRITE_THROUGH,
    FILE_READ_DATA, FILE_WRITE_DATA,
};

/// The rights a private reopen may carry over from the program's handle:
/// the file-specific ones, never DELETE, WRITE_DAC or WRITE_OWNER.
pub const REOPEN_RIGHTS: u32 = FILE_READ_DATA
    | FILE_WRITE_DATA
    | FILE_APPEND_DATA
    | windows_sys::Win32::Storage::FileSystem::FILE_READ_EA
    | windows_sys::Win32::Storage::FileSystem::FILE_WRITE_EA
    | windows_sys::Win32::Storage::FileSystem::FILE_READ_ATTRIBUTES
    | windows_sys::Win32::Storage::FileSystem::FILE_WRITE_ATTRIBUTES
    | windows_sys::Win32::Storage::FileSystem::READ_CONTROL
    | windows_sys::Win32::Storage::FileSystem::SYNCHRONIZE;

/// A new handle to the object `handle` names, with the same access: a
/// reference that stays valid whatever happens to the original.
pub fn duplicate(handle: RawHandle) -> Result<OwnedHandle, u32> {
    use windows_sys::Win32::Foundation::{DuplicateHandle, DUPLICATE_SAME_ACCESS};
    use windows_sys::Win32::System::Threading::GetCurrentProcess;
    let mut copy: HANDLE = null_mut();
    // SAFETY: the pseudo handle of our own process and a handle value the
    // program gave; DuplicateHandle validates it and writes `copy` only on
    // success.
    let ok = unsafe {
        DuplicateHandle(
            GetCurrentProcess(),
            handle as HANDLE,
            GetCurrentProcess(),
            &mut copy,
            0,
            0,
            DUPLICATE_SAME_ACCESS,
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    // SAFETY: a fresh handle we own.
    Ok(unsafe { OwnedHandle::from_raw_handle(copy as RawHandle) })
}

/// This thread's last Win32 error.
pub fn last_error() -> u32 {
    // SAFETY: reads a thread-local value.
    unsafe { GetLastError() }
}

pub fn nt_status_to_win32(status: i32) -> u32 {
    // SAFETY: a pure table lookup in ntdll.
    unsafe { RtlNtStatusToDosError(status) }
}

fn raw(handle: &OwnedHandle) -> HANDLE {
    handle.as_raw_handle() as HANDLE
}

/// A finished read or write as its status block tells it: the NTSTATUS and
/// the byte count.
pub struct IoStatus {
    pub status: i32,
    pub bytes: usize,
}

/// Reads or writes `len` bytes at `offset` (`None`: a stream's current
/// position) and waits for the result.
///
/// NtReadFile/NtWriteFile rather than ReadFile/WriteFile: with an OVERLAPPED
/// (the only way to give those an offset) they pass it as a completion
/// context, which under Wine costs a server round trip per call (about 45 us
/// against 1 us). Without one, no completion packet is ever queued, even on
/// a handle bound to a port.
///
/// On an overlapped handle the call may pend (Windows: a cache miss; Wine
/// reports file I/O pending with the status block already filled). The wait
/// is then on the file object, which signals at every completion on the
/// handle, so it runs in short slices, each ending with a look at our own
/// status block: another request's start may reset the object's event after
/// ours completed.
pub fn transfer(
    handle: RawHandle,
    write: bool,
    buf: u64,
    len: u32,
    offset: Option<i64>,
) -> IoStatus {
    let iosb = IO_STATUS_BLOCK {
        Anonymous: windows_sys::Win32::System::IO::IO_STATUS_BLOCK_0 {
            Status: STATUS_PENDING,
        },
        Information: 0,
    };
    let iosb = core::cell::UnsafeCell::new(iosb);
    let offset_ptr = offset
        .as_ref()
        .map_or(core::ptr::null(), |o| o as *const i64);
    // SAFETY: no APC and no completion context, and `iosb` outlives the
    // request (we wait below while it pends); the kernel validates `buf`
    // itself and fails with an access-violation status rather than faulting.
    let returned = unsafe {
        nt_transfer(
            handle,
            write,
            buf,
            len,
            offset_ptr,
            core::ptr::null(),
            iosb.get(),
        )
    };
    // SAFETY: the kernel writes the status block; read it as it does.
    let current = || unsafe { core::ptr::addr_of!((*iosb.get()).Anonymous.Status).read_volatile() };
    if returned != STATUS_PENDING {
        // Done (or failed) in the call: the returned status is the answer.
        return IoStatus {
            status: returned,
            bytes: unsafe { (*iosb.get()).Information },
        };
    }
    while current() == STATUS_PENDING {
        wait_handle_for(handle, 1);
    }
    core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
    // SAFETY: the request completed: the kernel is done with `iosb`.
    IoStatus {
        status: current(),
        bytes: unsafe { (*iosb.get()).Information },
    }
}

/// Starts an overlapped read or write whose completion packet will carry
/// `overlapped` to the handle's port. Returns the NTSTATUS of the call:
/// PENDING, a success (a packet follows too), or an error.
///
/// # Safety
/// `overlapped` must stay valid, and not be reused, until its packet has
/// been dequeued (or, for an error status, until it is known that no packet
/// will come: see `Slot` in `context`).
pub unsafe fn start_transfer(
    handle: RawHandle,
    write: bool,
    buf: u64,
    len: u32,
    offset: i64,
    overlapped: *mut OVERLAPPED,
) -> i32 {
    // The OVERLAPPED's first two fields are an IO_STATUS_BLOCK: this is how
    // ReadFile itself calls NtReadFile.
    let iosb = overlapped.cast::<IO_STATUS_BLOCK>();
    let context = overlapped as *const c_void;
    // SAFETY: per this function's contract.
    unsafe { nt_transfer(handle, write, buf, len, &offset, context, iosb) }
}

/// NtReadFile or NtWriteFile, with no event and no APC; `context` non-null
/// queues a completion packet carrying it when the handle is bound to a port.
///
/// # Safety
/// `iosb` (and `context`, if given) must stay valid until the request
/// completes; `offset` must be null or point to a valid i64.
unsafe fn nt_transfer(
    handle: RawHandle,
    write: bool,
    buf: u64,
    len: u32,
    offset: *const i64,
    context: *const c_void,
    iosb: *mut IO_STATUS_BLOCK,
) -> i32 {
    let h = handle as HANDLE;
    let none = core::ptr::null();
    // SAFETY: per this function's contract.
    unsafe {
        if write {
            NtWriteFile(
                h,
                null_mut(),
                None,
                context,
                iosb,
                buf as *const c_void,
                len,
                offset,
                none,
            )
        } else {
            NtReadFile(
                h,
                null_mut(),
                None,
                context,
                iosb,
                buf as *mut c_void,
                len,
                offset,
                none,
            )
        }
    }
}

/// Reads a completed OVERLAPPED's status and byte count, if it completed.
///
/// # Safety
/// `overlapped` must be valid for reads. The kernel writes it concurrently,
/// hence the volatile reads: `Internal` is read first and the count only
/// once it shows the request complete, as GetOverlappedResult does.
pub unsafe fn overlapped_result(overlapped: *const OVERLAPPED) -> Option<IoStatus> {
    // SAFETY: per the contract; the fields are plain integers.
    unsafe {
        let status = core::ptr::addr_of!((*overlapped).Internal).read_volatile() as i32;
        if status == STATUS_PENDING {
            return None;
        }
        core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
        let bytes = core::ptr::addr_of!((*overlapped).InternalHigh).read_volatile();
        Some(IoStatus { status, bytes })
    }
}

/// Marks an OVERLAPPED as in flight before it is handed to the kernel.
pub fn reset_overlapped(overlapped: &mut OVERLAPPED) {
    overlapped.Internal = STATUS_PENDING as usize;
    overlapped.InternalHigh = 0;
}

/// An I/O completion port.
pub struct Port(OwnedHandle);

/// One dequeued completion packet.
#[derive(Clone, Copy)]
pub struct Packet {
    pub key: usize,
    pub overlapped: *mut OVERLAPPED,
}

impl Port {
    pub fn new() -> Option<Port> {
        // SAFETY: creating a new port; no handles borrowed.
        let h = unsafe { CreateIoCompletionPort(INVALID_HANDLE_VALUE, null_mut(), 0, 0) };
        if h.is_null() {
            return None;
        }
        // SAFETY: a fresh handle we own.
        Some(Port(unsafe {
            OwnedHandle::from_raw_handle(h as RawHandle)
        }))
    }

    /// Routes `handle`'s completions to this port with `key`. Fails when
    /// the handle is bound to a port already (this one or another).
    pub fn associate(&self, handle: RawHandle, key: usize) -> bool {
        // SAFETY: both handles are valid for the duration of the call.
        !unsafe { CreateIoCompletionPort(handle as HANDLE, raw(&self.0), key, 0) }.is_null()
    }

    /// Queues a packet of our own (a wake-up, a job, a fence).
    pub fn post(&self, key: usize, overlapped: *mut OVERLAPPED) -> bool {
        // SAFETY: the port only carries the pointer; it is never dereferenced
        // by Windows.
        unsafe { PostQueuedCompletionStatus(raw(&self.0), 0, key, overlapped) != 0 }
    }

    /// Dequeues up to `out.len()` packets, waiting up to `timeout_ms`
    /// (`None`: forever). Returns how many were dequeued.
    pub fn dequeue(&self, out: &mut [Packet], timeout_ms: Option<u32>) -> usize {
        const BATCH: usize = 64;
        let mut entries: [OVERLAPPED_ENTRY; BATCH] = unsafe { core::mem::zeroed() };
        let want = out.len().min(BATCH) as u32;
        let mut got = 0u32;
        // SAFETY: `entries` has room for `want` entries.
        let ok = unsafe {
            GetQueuedCompletionStatusEx(
                raw(&self.0),
                entries.as_mut_ptr(),
                want,
                &mut got,
                timeout_ms.unwrap_or(INFINITE),
                0,
            )
        };
        if ok == 0 {
            return 0;
        }
        for (slot, entry) in out.iter_mut().zip(&entries[..got as usize]) {
            *slot = Packet {
                key: entry.lpCompletionKey,
                overlapped: entry.lpOverlapped,
            };
        }
        got as usize
    }
}

/// Opens a new handle to the file behind `handle`, with exactly `access`
/// (never wider: a read-only fd must stay read-only) and every sharing mode.
pub fn reopen(handle: RawHandle, access: u32, flags: u32) -> Result<OwnedHandle, u32> {
    // SAFETY: `handle` is a live handle of the program's; ReOpenFile only
    // reads it and returns a new handle or INVALID_HANDLE_VALUE.
    let h = unsafe {
        ReOpenFile(
            handle as HANDLE,
            access,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            flags,
        )
    };
    if h == INVALID_HANDLE_VALUE || h.is_null() {
        return Err(last_error());
    }
    // SAFETY: a fresh handle we own.
    Ok(unsafe { OwnedHandle::from_raw_handle(h as RawHandle) })
}

pub fn file_type(handle: RawHandle) -> u32 {
    // SAFETY: GetFileType tolerates any handle value.
    unsafe { GetFileType(handle as HANDLE) }
}

/// The access rights `handle` was opened with (`FILE_READ_DATA`, ...).
pub fn granted_access(handle: RawHandle) -> Option<u32> {
    let mut access = 0u32;
    query_file(handle, FileAccessInformation, &mut access).then_some(access)
}

/// Whether `handle` was opened for overlapped I/O (FileModeInformation
/// shows neither FILE_SYNCHRONOUS_IO_ALERT nor _NONALERT).
pub fn is_overlapped(handle: RawHandle) -> bool {
    const FILE_MODE_INFORMATION: i32 = 16;
    const SYNCHRONOUS: u32 = 0x10 | 0x20;
    let mut mode = 0u32;
    query_file(handle, FILE_MODE_INFORMATION, &mut mode) && mode & SYNCHRONOUS == 0
}

/// The file's size (`FileStandardInformation`'s end of file).
pub fn file_size(handle: RawHandle) -> Option<i64> {
    use windows_sys::Wdk::Storage::FileSystem::FileStandardInformation;
    use windows_sys::Wdk::Storage::FileSystem::FILE_STANDARD_INFORMATION;
    // SAFETY: an all-zero FILE_STANDARD_INFORMATION is valid plain data.
    let mut info: FILE_STANDARD_INFORMATION = unsafe { core::mem::zeroed() };
    query_file(handle, FileStandardInformation, &mut info).then_some(info.EndOfFile)
}

/// The file's identity on its volume (`FileInternalInformation`). Under
/// Wine this is answered in-process, so it is cheap enough to check on
/// every submission.
pub fn file_index(handle: RawHandle) -> Option<i64> {
    let mut index = 0i64;
    query_file(handle, FileInternalInformation, &mut index).then_some(index)
}

/// What `FilePipeLocalInformation` says of a pipe end: its quotas, the
/// bytes waiting to be read and its state (`FILE_PIPE_*_STATE`); else the
/// NTSTATUS of the query.
pub fn pipe_local_information(handle: RawHandle) -> Result<FILE_PIPE_LOCAL_INFORMATION, i32> {
    use windows_sys::Wdk::Storage::FileSystem::FilePipeLocalInformation;
    let mut info = FILE_PIPE_LOCAL_INFORMATION::default();
    match query_file_status(handle, FilePipeLocalInformation, &mut info) {
        0 => Ok(info),
        status => Err(status),
    }
}

/// The bytes a read on the pipe end `handle` would find now, read without
/// consuming them or blocking (PeekNamedPipe with no buffer); else the
/// Win32 error: `ERROR_BROKEN_PIPE` once the pipe is empty and its other
/// end gone.
pub fn peek_pipe(handle: RawHandle) -> Result<u32, u32> {
    use windows_sys::Win32::System::Pipes::PeekNamedPipe;
    let mut available = 0u32;
    // SAFETY: no buffer (length 0) and one valid out-pointer for the count;
    // the others are optional and null.
    let ok = unsafe {
        PeekNamedPipe(
            handle as HANDLE,
            null_mut(),
            0,
            null_mut(),
            &mut available,
            null_mut(),
        )
    };
    if ok == 0 {
        return Err(last_error());
    }
    Ok(available)
}

fn query_file<T>(handle: RawHandle, class: i32, out: &mut T) -> bool {
    query_file_status(handle, class, out) == 0
}

/// NtQueryInformationFile of `class` into `out`, which must be of the
/// class's own type; returns the NTSTATUS.
fn query_file_status<T>(handle: RawHandle, class: i32, out: &mut T) -> i32 {
    let mut iosb = IO_STATUS_BLOCK {
        Anonymous: unsafe { core::mem::zeroed() },
        Information: 0,
    };
    // SAFETY: `out` is valid for `size_of::<T>()` bytes, the size of the
    // information class asked for.
    unsafe {
        NtQueryInformationFile(
            handle as HANDLE,
            &mut iosb,
            (out as *mut T).cast(),
            core::mem::size_of::<T>() as u32,
            class,
        )
    }
}

pub fn flush(handle: RawHandle) -> Result<(), u32> {
    // SAFETY: a plain call on a live handle.
    if unsafe { FlushFileBuffers(handle as HANDLE) } != 0 {
        Ok(())
    } else {
        Err(last_error())
    }
}

/// Cancels the request `overlapped` on `handle`, if it is still pending.
pub fn cancel(handle: RawHandle, overlapped: *mut OVERLAPPED) {
    // SAFETY: CancelIoEx only matches the pointer against pending requests.
    unsafe { CancelIoEx(handle as HANDLE, overlapped) };
}

/// Sleeps while `*addr == expected`, up to `timeout_ms` (`None`: forever),
/// or until `wake_all(addr)`. May return spuriously.
pub fn wait_on(addr: &core::sync::atomic::AtomicU32, expected: u32, timeout_ms: Option<u32>) {
    // SAFETY: both pointers are valid 4-byte locations for the call.
    unsafe {
        WaitOnAddress(
            addr.as_ptr().cast(),
            (&expected as *const u32).cast(),
            4,
            timeout_ms.unwrap_or(INFINITE),
        )
    };
}

pub fn wake_all(addr: &core::sync::atomic::AtomicU32) {
    // SAFETY: any address may be woken.
    unsafe { WakeByAddressAll(addr.as_ptr().cast()) };
}

pub fn cpu_count() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The names of the DLLs the process's executable imports, in lower case
/// (its import directory, as the loader read it).
pub fn executable_imports() -> Vec<String> {
    use windows_sys::Win32::System::Diagnostics::Debug::{
        IMAGE_DIRECTORY_ENTRY_IMPORT, IMAGE_NT_HEADERS64,
    };
    use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
    use windows_sys::Win32::System::SystemServices::{IMAGE_DOS_HEADER, IMAGE_IMPORT_DESCRIPTOR};
    let mut names = Vec::new();
    // SAFETY: the executable's image stays mapped for the process's life;
    // its headers and import directory are read where the loader, which
    // validated them, found them. Every offset is an RVA from that base.
    unsafe {
        let base = GetModuleHandleW(core::ptr::null()) as *const u8;
        if base.is_null() {
            return names;
        }
        let dos = &*base.cast::<IMAGE_DOS_HEADER>();
        let nt = &*base.add(dos.e_lfanew as usize).cast::<IMAGE_NT_HEADERS64>();
        let dir = nt.OptionalHeader.DataDirectory[usize::from(IMAGE_DIRECTORY_ENTRY_IMPORT)];
        if dir.VirtualAddress == 0 {
            return names;
        }
        let mut desc = base
            .add(dir.VirtualAddress as usize)
            .cast::<IMAGE_IMPORT_DESCRIPTOR>();
        while (*desc).Name != 0 {
            let name = core::ffi::CStr::from_ptr(base.add((*desc).Name as usize).cast());
            names.push(name.to_string_lossy().to_ascii_lowercase());
            desc = desc.add(1);
        }
    }
    names
}

/// The address of `name` in `module`, if that module is already loaded.
pub fn proc_address(module: &str, name: &str) -> Option<usize> {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
    let wide: Vec<u16> = module.encode_utf16().chain([0]).collect();
    let name: Vec<u8> = name.bytes().chain([0]).collect();
    // SAFETY: both strings are NUL-terminated; GetModuleHandleW takes no
    // reference on the module, which stays loaded as the process uses it.
    unsafe {
        let m = GetModuleHandleW(wide.as_ptr());
        if m.is_null() {
            return None;
        }
        GetProcAddress(m, name.as_ptr()).map(|f| f as usize)
    }
}

/// Waits up to `ms` for the file object behind `handle` to be signalled
/// (it is, when a request issued on it without an event completes).
pub fn wait_handle_for(handle: RawHandle, ms: u32) {
    use windows_sys::Win32::System::Threading::WaitForSingleObject;
    // SAFETY: a plain wait on a live handle.
    unsafe { WaitForSingleObject(handle as HANDLE, ms) };
}

/// The volume's logical sector size for the file behind `handle`: the unit
/// unbuffered I/O must be aligned to. Asked of the file system first
/// (FileStorageInfo), then of the volume (GetDiskFreeSpaceW); `None` when
/// neither answers.
pub fn logical_sector_size(handle: RawHandle) -> Option<u32> {
    use windows_sys::Win32::Storage::FileSystem::{
        FileStorageInfo, GetDiskFreeSpaceW, GetFileInformationByHandleEx,
        GetFinalPathNameByHandleW, GetVolumePathNameW, FILE_STORAGE_INFO,
    };
    // SAFETY: a plain query into a local of the class's own type.
    unsafe {
        let mut info: FILE_STORAGE_INFO = core::mem::zeroed();
        let size = core::mem::size_of_val(&info) as u32;
        if GetFileInformationByHandleEx(
            handle as HANDLE,
            FileStorageInfo,
            (&mut info as *mut FILE_STORAGE_INFO).cast(),
            size,
        ) != 0
            && info.LogicalBytesPerSector.is_power_of_two()
        {
            return Some(info.LogicalBytesPerSector);
        }
    }
    let mut path = vec![0u16; 1024];
    let mut root = vec![0u16; 1024];
    // SAFETY: the buffers are as long as the lengths passed; each call
    // NUL-terminates what it writes.
    unsafe {
        let n =
            GetFinalPathNameByHandleW(handle as HANDLE, path.as_mut_ptr(), path.len() as u32, 0);
        if n == 0 || n as usize >= path.len() {
            return None;
        }
        if GetVolumePathNameW(path.as_ptr(), root.as_mut_ptr(), root.len() as u32) == 0 {
            return None;
        }
        let (mut per_cluster, mut bytes, mut free, mut total) = (0, 0, 0, 0);
        if GetDiskFreeSpaceW(
            root.as_ptr(),
            &mut per_cluster,
            &mut bytes,
            &mut free,
            &mut total,
        ) != 0
            && u32::is_power_of_two(bytes)
        {
            return Some(bytes);
        }
    }
    None
}

/// The system page: the unit of a scatter/gather element.
pub const PAGE: u64 = 4096;

/// Starts an overlapped ReadFileScatter or WriteFileGather of whole pages
/// (`pages`: page addresses, zero-terminated) at `offset`; returns an
/// NTSTATUS as `start_transfer` does.
///
/// # Safety
/// As `start_transfer`; `pages` too must stay valid until completion.
pub unsafe fn start_pages(
    handle: RawHandle,
    write: bool,
    pages: *const u64,
    len: u32,
    offset: i64,
    overlapped: *mut OVERLAPPED,
) -> i32 {
    use windows_sys::Win32::Storage::FileSystem::{
        ReadFileScatter, WriteFileGather, FILE_SEGMENT_ELEMENT,
    };
    let elements = pages.cast::<FILE_SEGMENT_ELEMENT>();
    // SAFETY: per this function's contract; the OVERLAPPED carries the offset.
    unsafe {
        (*overlapped).Anonymous.Anonymous.Offset = offset as u32;
        (*overlapped).Anonymous.Anonymous.OffsetHigh = (offset >> 32) as u32;
        let ok = if write {
            WriteFileGather(
                handle as HANDLE,
                elements,
                len,
                core::ptr::null(),
                overlapped,
            )
        } else {
            ReadFileScatter(
                handle as HANDLE,
                elements,
                len,
                core::ptr::null(),
                overlapped,
            )
        };
        if ok != 0 {
            return STATUS_SUCCESS;
        }
        match last_error() {
            ERROR_IO_PENDING => STATUS_PENDING,
            ERROR_HANDLE_EOF => STATUS_END_OF_FILE,
            ERROR_INVALID_PARAMETER => STATUS_INVALID_PARAMETER,
            ERROR_NOACCESS => STATUS_ACCESS_VIOLATION,
            _ => STATUS_UNSUCCESSFUL,
        }
    }
}

//! File-handle resolution: from a C runtime fd to the handle the engine
//! uses for it.
//!
//! * The fd means something only to the C runtime that issued it, and a
//!   process can hold several (msvcrt for mingw programs, ucrtbase for MSVC
//!   ones, each with its own table). The public header binds each context to
//!   the caller's own runtime by passing its `_get_osfhandle` (wrapped so a
//!   bad fd never reaches an aborting invalid-parameter handler); without the
//!   header, `default_resolver` picks the process's runtime.
//! * Where it can be, the file is reopened once per fd and context, with the
//!   fd's own access rights (never wider), as a private handle: used without
//!   a completion context for the inline path, bound to the completion port
//!   otherwise (O_DIRECT, pipes, the forced-overlapped test mode). Positional
//!   I/O on it never moves the program's file position, as with Linux's
//!   pread. What cannot be reopened (anonymous and named pipes, sockets,
//!   unshareable files) is used through the program's own handle, borrowed:
//!   a synchronous one is cached too (no allocation per call), and checked
//!   on every call against the handle's granted access as well.
//! * An fd number can be closed and reused for another file. Each cache entry
//!   remembers the program's handle value and the file's identity, and is
//!   checked against both before use.

use crate::errno::{self, Errno};
use crate::sys;
use std::collections::HashMap;
use std::os::windows::io::{AsRawHandle, OwnedHandle, RawHandle};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Open flags the Windows C runtimes keep to themselves (O_APPEND) or do not
/// have (O_DIRECT, O_DSYNC, O_SYNC; the header defines them with these
/// values). The header's `aio_open` and `aio_fd_set_flags` report them here.
pub mod oflag {
    /// `_O_APPEND` of both C runtimes.
    pub const APPEND: u32 = 0x0008;
    pub const DIRECT: u32 = 0x0100_0000;
    pub const SYNC: u32 = 0x0200_0000;
    pub const DSYNC: u32 = 0x0400_0000;
}

/// Flags reported for program handles, with the identity of the file each
/// was reported for: a handle value closed and reused for another file does
/// not inherit them.
struct FlagRecord {
    identity: Option<i64>,
    flags: u32,
}

fn flag_records() -> &'static Mutex<HashMap<usize, FlagRecord>> {
    static RECORDS: OnceLock<Mutex<HashMap<usize, FlagRecord>>> = OnceLock::new();
    RECORDS.get_or_init(Default::default)
}

/// fds from `io_win32_handle_fd` start here, far above what any C runtime
/// hands out (msvcrt's limit is 2048, ucrt's 8192).
pub const HANDLE_FD_BASE: i32 = 0x4000_0000;

/// Handles the program registered, by the fd given for each.
fn registered() -> &'static Mutex<HashMap<i32, usize>> {
    static REGISTERED: OnceLock<Mutex<HashMap<i32, usize>>> = OnceLock::new();
    REGISTERED.get_or_init(Default::default)
}

/// Gives the program's `handle` an fd the API accepts, with its open flags
/// (`io_win32_handle_fd`). The program keeps the handle, and must keep it
/// open until it releases the fd.
pub fn register_handle(handle: RawHandle, flags: u32) -> Result<i32, Errno> {
    set_flags(handle, flags)?;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let mut table = registered().lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let fd = HANDLE_FD_BASE
            + (NEXT.fetch_add(1, Ordering::Relaxed)
                % (crate::eventfd::FD_BASE - HANDLE_FD_BASE) as u32) as i32;
        if let std::collections::hash_map::Entry::Vacant(slot) = table.entry(fd) {
            slot.insert(handle as usize);
            return Ok(fd);
        }
    }
}

/// Forgets an fd from `register_handle` (`io_win32_handle_release`).
pub fn release_handle(fd: i32) -> Result<(), Errno> {
    registered()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&fd)
        .map(|_| ())
        .ok_or(errno::EBADF)
}

/// Bumped whenever flags are reported, so cached entries made before see
/// that they may be out of date.
static FLAGS_GENERATION: AtomicU32 = AtomicU32::new(0);

/// Records the open flags of the program's `handle` (`aio_fd_set_flags`).
pub fn set_flags(handle: RawHandle, flags: u32) -> Result<(), Errno> {
    let kind = kind_of(handle).ok_or(errno::EBADF)?;
    let record = FlagRecord {
        identity: identity(handle, kind),
        flags,
    };
    flag_records()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(handle as usize, record);
    FLAGS_GENERATION.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// The program is closing `handle`: its flags no longer apply to whatever
/// reuses the value.
pub fn forget_flags(handle: RawHandle) {
    flag_records()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&(handle as usize));
}

fn flags_of(handle: RawHandle, identity: Option<i64>) -> u32 {
    match flag_records()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&(handle as usize))
    {
        Some(r) if r.identity == identity => r.flags,
        _ => 0,
    }
}

fn kind_of(handle: RawHandle) -> Option<Kind> {
    match sys::file_type(handle) {
        sys::FILE_TYPE_DISK => Some(Kind::Disk),
        // GetFileType calls a socket a pipe, as Windows does.
        sys::FILE_TYPE_PIPE if crate::afd::is_socket(handle) => Some(Kind::Socket),
        sys::FILE_TYPE_PIPE => Some(Kind::Pipe),
        sys::FILE_TYPE_UNKNOWN if sys::last_error() != 0 => None,
        _ => Some(Kind::Other),
    }
}

/// The caller's `_get_osfhandle`, or a wrapper of it: fd to HANDLE, -1 when
/// the fd is not open.
pub type Resolver = unsafe extern "C" fn(fd: i32) -> isize;

/// How requests on a file are carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Positional I/O inside `io_submit`, without a completion context:
    /// what Linux does for buffered files, and the fastest Windows path for
    /// them (see `sys::transfer`).
    Inline,
    /// Overlapped I/O completing through the process's completion port.
    Overlapped,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Disk,
    Pipe,
    /// A Winsock socket the C runtime holds as an fd (`_open_osfhandle`).
    Socket,
    Other,
}

/// One fd as one context sees it.
pub struct OpenFile {
    /// The program's handle when the entry was made: the first staleness check.
    program_handle: usize,
    /// The file's identity when the entry was made: the second.
    identity: Option<i64>,
    /// `FLAGS_GENERATION` when the entry was made: the third.
    flags_generation: u32,
    /// For a cached borrowed handle (which has no file identity), the access
    /// it was granted: a fourth check, against a handle value the program
    /// closed (other than through the header) and got back for another end.
    granted: Option<u32>,
    /// The open flags reported for the fd (`oflag`).
    pub flags: u32,
    /// O_DIRECT: the alignment unit for buffers, offsets and lengths (the
    /// volume's logical sector size); `None` for buffered files.
    pub direct_alignment: Option<u32>,
    pub kind: Kind,
    pub readable: bool,
    pub writable: bool,
    pub path: Path,
    /// The handle the engine does I/O on.
    pub handle: IoHandle,
}

pub enum IoHandle {
    /// A private reopen of the file, cached for the context.
    Private(OwnedHandle),
    /// The program's own handle, for what cannot be reopened (anonymous
    /// pipes, sockets, consoles): any handle we kept would keep the object
    /// open after the program closed its fd (a pipe would never see its end
    /// of file), so only its value is kept.
    Borrowed(RawHandle),
}

impl OpenFile {
    pub fn raw(&self) -> RawHandle {
        match &self.handle {
            IoHandle::Private(h) => h.as_raw_handle(),
            IoHandle::Borrowed(h) => *h,
        }
    }
}

// SAFETY: a borrowed raw handle is only a number, used by the thread inside
// `io_submit` while the program keeps its fd open.
unsafe impl Send for OpenFile {}
unsafe impl Sync for OpenFile {}

/// Per-context cache of opened files.
#[derive(Default)]
pub struct Files {
    by_fd: Mutex<HashMap<i32, Arc<OpenFile>>>,
}

/// What the context offers a file that must complete through its port.
pub trait Binder {
    /// Binds a fresh private handle to the engine's port.
    fn bind_private(&self, handle: RawHandle) -> bool;
    /// Whether the program's `handle` completes through the engine's port
    /// (binding it if need be); false if it is bound to another port.
    fn bind_program(&self, handle: RawHandle) -> bool;
}

/// Whether regular files take the overlapped path too: a test hook
/// (`LIBAIO_WIN32_FORCE_OVERLAPPED=1`) that runs the whole test suite
/// through the completion port, which Wine otherwise only reaches for pipes.
pub fn force_overlapped() -> bool {
    static FORCE: OnceLock<bool> = OnceLock::new();
    *FORCE
        .get_or_init(|| std::env::var_os("LIBAIO_WIN32_FORCE_OVERLAPPED").is_some_and(|v| v == "1"))
}

impl Files {
    /// The file behind `fd`, opening a private handle on first use.
    /// `binder` associates overlapped handles with the completion port.
    pub fn resolve(
        &self,
        resolver: Resolver,
        fd: i32,
        binder: &dyn Binder,
    ) -> Result<Arc<OpenFile>, Errno> {
        if fd < 0 {
            return Err(errno::EBADF);
        }
        let program = if fd >= HANDLE_FD_BASE {
            registered()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&fd)
                .map_or(-1, |&h| h as isize)
        } else {
            // SAFETY: the resolver is the caller's `_get_osfhandle` (or
            // ours), which accepts any int.
            unsafe { resolver(fd) }
        };
        if program == -1 || program == -2 || program == 0 {
            return Err(errno::EBADF);
        }
        let program_handle = program as RawHandle;
        let cached = self
            .by_fd
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&fd)
            .cloned();
        if let Some(file) = cached {
            if file.program_handle == program as usize
                && file.identity == identity(program_handle, file.kind)
                && file.flags_generation == FLAGS_GENERATION.load(Ordering::SeqCst)
                && file
                    .granted
                    .is_none_or(|g| sys::granted_access(program_handle) == Some(g))
            {
                return Ok(file);
            }
        }
        // Open outside the lock: no system call under it.
        let file = Arc::new(self.open(program_handle, binder)?);
        // Private reopens, and synchronous borrowed handles (whose check
        // above is complete). An overlapped borrowed handle is bound to our
        // port for its completions: a value closed and reused since may be
        // a handle that is not, so it is looked at afresh on every call.
        let cacheable = match file.handle {
            IoHandle::Private(_) => true,
            IoHandle::Borrowed(_) => file.granted.is_some() && file.path == Path::Inline,
        };
        if cacheable {
            self.by_fd
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(fd, file.clone());
        }
        Ok(file)
    }

    /// Drops the entries made for the program's `handle`, which it is
    /// closing: their private reopens must not keep the file open after
    /// the program's fd is gone (requests in flight keep theirs until done).
    pub fn forget(&self, handle: RawHandle) {
        let dropped: Vec<Arc<OpenFile>> = {
            let mut by_fd = self.by_fd.lock().unwrap_or_else(|e| e.into_inner());
            let fds: Vec<i32> = by_fd
                .iter()
                .filter(|(_, f)| f.program_handle == handle as usize)
                .map(|(&fd, _)| fd)
                .collect();
            fds.iter().filter_map(|fd| by_fd.remove(fd)).collect()
        };
        // Closed here, outside the lock: no system call under it.
        drop(dropped);
    }

    /// A new entry for the program's handle: a private reopen where the file
    /// allows one, else the program's own handle for this call only.
    fn open(&self, program: RawHandle, binder: &dyn Binder) -> Result<OpenFile, Errno> {
        let flags_generation = FLAGS_GENERATION.load(Ordering::SeqCst);
        // One reference to the object the fd names now (Linux's fget): every
        // query and the reopen run on it, never on the raw handle value,
        // which another thread may close and reuse for another file
        // meanwhile. What cannot be duplicated is queried by its value.
        // A handle that cannot be duplicated was closed meanwhile: the fd
        // named nothing at that instant.
        let taken = sys::duplicate(program).map_err(|_| errno::EBADF)?;
        let held = taken.as_raw_handle();
        let kind = kind_of(held).ok_or(errno::EBADF)?;
        let identity = identity(held, kind);
        let flags = flags_of(program, identity);
        // O_DSYNC/O_SYNC: every write reaches the disk before its event.
        let write_through = if flags & (oflag::DSYNC | oflag::SYNC) != 0 {
            sys::FILE_FLAG_WRITE_THROUGH
        } else {
            0
        };
        // Sockets and some devices do not answer FileAccessInformation; they are
        // opened for both directions. A disk file always answers: one that
        // does not gets no access at all rather than a guess.
        let granted = match sys::granted_access(held) {
            Some(granted) => granted,
            None if kind == Kind::Disk => return Err(errno::EBADF),
            None => sys::FILE_READ_DATA | sys::FILE_WRITE_DATA,
        };
        let readable = granted & sys::FILE_READ_DATA != 0;
        let writable = granted & (sys::FILE_WRITE_DATA | sys::FILE_APPEND_DATA) != 0;
        if !readable && !writable {
            return Err(errno::EBADF);
        }
        // Exactly the rights the fd has, never wider: a read-only fd stays
        // read-only, and an append-only one (FILE_APPEND_DATA without
        // FILE_WRITE_DATA, Windows' atomic append) keeps appending.
        let access = granted & sys::REOPEN_RIGHTS;
        let (handle, path, direct_alignment) = if kind == Kind::Disk && flags & oflag::DIRECT != 0 {
            // O_DIRECT: unbuffered and overlapped, real asynchronous I/O
            // through the port. A file that cannot be opened so cannot do
            // direct I/O: its requests fail with -EINVAL, as Linux's
            // open(O_DIRECT) would have, rather than quietly going through
            // the cache.
            let handle = sys::reopen(
                held,
                access,
                sys::FILE_FLAG_OVERLAPPED | sys::FILE_FLAG_NO_BUFFERING | write_through,
            )
            .ok()
            .filter(|h| binder.bind_private(h.as_raw_handle()))
            .ok_or(errno::EINVAL)?;
            // Wine answers neither query (and ignores NO_BUFFERING): 512,
            // the smallest sector there is, is what Linux enforces here too.
            let alignment = sys::logical_sector_size(handle.as_raw_handle()).unwrap_or(512);
            (IoHandle::Private(handle), Path::Overlapped, Some(alignment))
        } else {
            let (handle, path) =
                self.open_buffered(program, held, kind, access, write_through, binder);
            (handle, path, None)
        };
        let granted = match handle {
            // Asked of the program's handle, as the check on reuse will ask.
            IoHandle::Borrowed(h) => sys::granted_access(h),
            IoHandle::Private(_) => None,
        };
        Ok(OpenFile {
            program_handle: program as usize,
            identity,
            flags_generation,
            granted,
            flags,
            direct_alignment,
            kind,
            readable,
            writable,
            path,
            handle,
        })
    }

    /// The handle and path for a file without O_DIRECT.
    fn open_buffered(
        &self,
        program: RawHandle,
        held: RawHandle,
        kind: Kind,
        access: u32,
        write_through: u32,
        binder: &dyn Binder,
    ) -> (IoHandle, Path) {
        if kind != Kind::Disk || force_overlapped() {
            if let Some(h) = sys::reopen(held, access, sys::FILE_FLAG_OVERLAPPED | write_through)
                .ok()
                .filter(|h| binder.bind_private(h.as_raw_handle()))
            {
                return (IoHandle::Private(h), Path::Overlapped);
            }
        }
        // Disk files in line: an overlapped handle used without a completion
        // context is the cheaper call (see `sys::transfer`).
        let in_line = write_through
            | if kind == Kind::Disk {
                sys::FILE_FLAG_OVERLAPPED
            } else {
                0
            };
        match sys::reopen(held, access, in_line) {
            Ok(h) => (IoHandle::Private(h), Path::Inline),
            // The file cannot be reopened (named and anonymous pipes,
            // sockets, narrow sharing modes): use the program's handle. An
            // overlapped one completes through the port once bound to it; a
            // synchronous one blocks `io_submit`, as Linux does for pipes.
            Err(_) if sys::is_overlapped(held) && binder.bind_program(program) => {
                (IoHandle::Borrowed(program), Path::Overlapped)
            }
            Err(_) => (IoHandle::Borrowed(program), Path::Inline),
        }
    }
}

/// The identity of the file behind a handle: its file index where the file
/// system has one (disk files), else none (pipes: the handle value decides).
fn identity(handle: RawHandle, kind: Kind) -> Option<i64> {
    match kind {
        Kind::Disk => sys::file_index(handle),
        _ => None,
    }
}

/// The resolver used when the program did not bind one through the header:
/// the C runtime the process's executable uses, judged by which is loaded.
pub fn default_resolver() -> Resolver {
    crt_osfhandle
}

struct Crt {
    get_osfhandle: Option<unsafe extern "C" fn(i32) -> isize>,
    set_thread_handler: Option<unsafe extern "C" fn(usize) -> usize>,
}

fn crt() -> &'static Crt {
    static CRT: OnceLock<Crt> = OnceLock::new();
    CRT.get_or_init(|| {
        // The runtime the executable itself imports: msvcrt for a mingw
        // program, ucrtbase (or its api-ms-win-crt-* forwarders) for an MSVC
        // one or a mingw UCRT one. Which runtimes are loaded says nothing:
        // loading this DLL loads ucrtbase under Wine, even into a mingw
        // program. An executable that imports neither (a static runtime)
        // can only be served through the header's binding; for it, ucrtbase
        // is tried first, then msvcrt.
        let imports = sys::executable_imports();
        let ucrt = imports
            .iter()
            .any(|m| m == "ucrtbase.dll" || m.starts_with("api-ms-win-crt-"));
        let msvcrt = imports.iter().any(|m| m == "msvcrt.dll");
        let order = if msvcrt && !ucrt {
            ["msvcrt.dll", "ucrtbase.dll"]
        } else {
            ["ucrtbase.dll", "msvcrt.dll"]
        };
        for module in order {
            if let Some(f) = sys::proc_address(module, "_get_osfhandle") {
                // SAFETY: `_get_osfhandle` has this signature in every runtime.
                let get_osfhandle = Some(unsafe {
                    core::mem::transmute::<usize, unsafe extern "C" fn(i32) -> isize>(f)
                });
                let set_thread_handler =
                    sys::proc_address(module, "_set_thread_local_invalid_parameter_handler")
                        // SAFETY: takes and returns a handler pointer.
                        .map(|f| unsafe {
                            core::mem::transmute::<usize, unsafe extern "C" fn(usize) -> usize>(f)
                        });
                return Crt {
                    get_osfhandle,
                    set_thread_handler,
                };
            }
        }
        Crt {
            get_osfhandle: None,
            set_thread_handler: None,
        }
    })
}

unsafe extern "C" fn ignore_invalid_parameter(_: usize, _: usize, _: usize, _: u32, _: usize) {}

/// `_get_osfhandle` of the default runtime, with this thread's
/// invalid-parameter handler silenced around it where the runtime has one
/// (ucrt would otherwise end the process on a bad fd).
unsafe extern "C" fn crt_osfhandle(fd: i32) -> isize {
    let crt = crt();
    let Some(get) = crt.get_osfhandle else {
        return -1;
    };
    // SAFETY: the runtime's own functions, called as documented; the handler
    // is restored before returning.
    unsafe {
        match crt.set_thread_handler {
            Some(set) => {
                let previous = set(ignore_invalid_parameter as *const () as usize);
                let handle = get(fd);
                set(previous);
                handle
            }
            None => get(fd),
        }
    }
}

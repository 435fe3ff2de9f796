//! libaio-win32: the Linux libaio API on Windows I/O completion ports.
//!
//! The crate builds `aio.dll`, whose exports are declared for C by
//! `include/libaio.h`. Its parts, one concept each:
//!
//! * `abi`: the C structures, byte for byte as on Linux x86_64;
//! * `capi`: the exported functions: argument checks, then safe Rust;
//! * `context`: `io_setup`'s context, its lifecycle and the live registry;
//! * `ring`: the completion ring `io_context_t` points at;
//! * `submit`: from a `struct iocb` to a validated request;
//! * `op`: one type per kind of operation (read/write, sync, poll) behind
//!   one interface (start, completion, cancel);
//! * `completion`: what a request's event carries, and the sink it goes to;
//! * `engine`: request slots, the completion port and its threads;
//! * `afd`: AFD poll requests, for IO_CMD_POLL on Winsock sockets;
//! * `pipe_poll`: a pipe end's readiness, for IO_CMD_POLL on pipes;
//! * `fd`: from a C runtime fd to the handle the engine uses;
//! * `eventfd`: Linux's eventfd counter and the table of eventfd fds;
//! * `errno`: Windows status codes to the errno Linux would give;
//! * `sys`: every Win32/NT call, each in one small unsafe wrapper;
//! * `user`: copies to and from the program's memory that survive bad pointers.
#![cfg(windows)]

mod abi;
mod afd;
mod capi;
#[cfg(test)]
mod check;
mod completion;
mod context;
mod engine;
mod errno;
mod eventfd;
mod fd;
mod op;
mod pipe_poll;
mod ring;
mod submit;
mod sys;
mod user;

pub use capi::*;

/// The allocation counter of the `alloc-count` test build.
#[cfg(feature = "alloc-count")]
mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicU64, Ordering};

    struct Counting;
    static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

    // SAFETY: forwards to the system allocator unchanged.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    /// Heap allocations (and reallocations) the library has made so far.
    #[no_mangle]
    pub extern "C" fn io_win32_debug_allocations() -> u64 {
        ALLOCATIONS.load(Ordering::Relaxed)
    }
}

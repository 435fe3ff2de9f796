//! Reading and writing the program's memory without trusting its pointers.
//!
//! Linux answers a bad pointer with -EFAULT because the kernel's user copies
//! recover from faults. The same here: every copy to or from program memory
//! goes through `copy`, a few instructions of assembly whose faults a
//! vectored exception handler turns into a failed return. There is no system
//! call on the way (asking the memory manager first costs two under Wine)
//! and no window between a check and the access.

use core::sync::atomic::{AtomicBool, Ordering};
use windows_sys::Win32::Foundation::{
    EXCEPTION_ACCESS_VIOLATION, EXCEPTION_IN_PAGE_ERROR, STATUS_GUARD_PAGE_VIOLATION,
};
use windows_sys::Win32::System::Diagnostics::Debug::{
    AddVectoredExceptionHandler, EXCEPTION_CONTINUE_EXECUTION, EXCEPTION_POINTERS,
};

// aio_user_copy(dst: rcx, src: rdx, len: r8) -> eax: 0 copied, 1 faulted.
// rdi and rsi are callee-saved on Windows x64; the direction flag is clear
// on entry by the ABI. A fault can only happen at the `rep movsb`, between
// the two labels; the handler then resumes at `aio_user_copy_fault`, with
// the stack as it was at the fault (both registers still pushed). The
// `.seh_*` directives give it x64 unwind information, as every function that
// moves the stack must have for debuggers and profilers walking through it.
core::arch::global_asm!(
    ".text",
    ".globl aio_user_copy",
    ".def aio_user_copy; .scl 2; .type 32; .endef",
    ".seh_proc aio_user_copy",
    "aio_user_copy:",
    "    push rdi",
    "    .seh_pushreg rdi",
    "    push rsi",
    "    .seh_pushreg rsi",
    "    .seh_endprologue",
    "    mov rdi, rcx",
    "    mov rsi, rdx",
    "    mov rcx, r8",
    ".globl aio_user_copy_start",
    "aio_user_copy_start:",
    "    rep movsb",
    ".globl aio_user_copy_end",
    "aio_user_copy_end:",
    "    xor eax, eax",
    "    pop rsi",
    "    pop rdi",
    "    ret",
    ".globl aio_user_copy_fault",
    "aio_user_copy_fault:",
    "    mov eax, 1",
    "    pop rsi",
    "    pop rdi",
    "    ret",
    ".seh_endproc",
);

extern "C" {
    fn aio_user_copy(dst: *mut u8, src: *const u8, len: usize) -> u32;
    fn aio_user_copy_start();
    fn aio_user_copy_end();
    fn aio_user_copy_fault();
}

/// Resumes a fault inside the copy at its failure exit; leaves every other
/// exception to the handlers after it.
unsafe extern "system" fn on_exception(info: *mut EXCEPTION_POINTERS) -> i32 {
    const CONTINUE_SEARCH: i32 = 0;
    // SAFETY: Windows passes valid exception and context records.
    let (record, context) = unsafe { (&*(*info).ExceptionRecord, &mut *(*info).ContextRecord) };
    let code = record.ExceptionCode;
    let fault = code == EXCEPTION_ACCESS_VIOLATION
        || code == EXCEPTION_IN_PAGE_ERROR
        || code == STATUS_GUARD_PAGE_VIOLATION;
    let at = context.Rip;
    if fault
        && at >= aio_user_copy_start as *const () as u64
        && at < aio_user_copy_end as *const () as u64
    {
        context.Rip = aio_user_copy_fault as *const () as u64;
        return EXCEPTION_CONTINUE_EXECUTION;
    }
    CONTINUE_SEARCH
}

fn install_handler() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if !INSTALLED.load(Ordering::Acquire) {
        // SAFETY: the handler is a plain function that lives for ever; being
        // first in the chain, it sees our faults before anyone else's.
        unsafe { AddVectoredExceptionHandler(1, Some(on_exception)) };
        INSTALLED.store(true, Ordering::Release);
    }
}

/// Copies `len` bytes from `src` to `dst`, either of which may be a bad
/// program pointer. False if any byte could not be read or written.
fn copy(dst: *mut u8, src: *const u8, len: usize) -> bool {
    if len == 0 {
        return true;
    }
    if dst.is_null()
        || src.is_null()
        || (dst as usize).checked_add(len).is_none()
        || (src as usize).checked_add(len).is_none()
    {
        return false;
    }
    install_handler();
    // SAFETY: the routine only moves bytes; faults on either side are caught
    // by the handler above and reported as failure.
    unsafe { aio_user_copy(dst, src, len) == 0 }
}

/// Reads a `T` (plain data, any bits valid) from program memory at `addr`.
pub fn read<T: Copy>(addr: u64) -> Option<T> {
    let mut value = core::mem::MaybeUninit::<T>::uninit();
    if copy(
        value.as_mut_ptr().cast(),
        addr as *const u8,
        core::mem::size_of::<T>(),
    ) {
        // SAFETY: fully written by the copy; callers only use plain-data
        // types for which any bits are a valid value.
        Some(unsafe { value.assume_init() })
    } else {
        None
    }
}

/// Writes `value` to program memory at `addr`.
pub fn write<T: Copy>(addr: u64, value: T) -> bool {
    copy(
        addr as *mut u8,
        (&value as *const T).cast(),
        core::mem::size_of::<T>(),
    )
}

/// Reads `out.len()` items of `T` from program memory at `addr`.
pub fn read_slice<T: Copy>(addr: u64, out: &mut [T]) -> bool {
    copy(
        out.as_mut_ptr().cast(),
        addr as *const u8,
        core::mem::size_of_val(out),
    )
}

/// Copies `len` bytes from our memory at `src` to program memory at `dst`.
///
/// # Safety
/// `src` must be valid for reading `len` bytes.
pub unsafe fn write_bytes(dst: u64, src: *const u8, len: usize) -> bool {
    copy(dst as *mut u8, src, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::System::Memory::{
        VirtualAlloc, VirtualFree, VirtualProtect, MEM_COMMIT, MEM_RELEASE, MEM_RESERVE,
        PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE,
    };

    const PAGE: usize = 4096;

    /// Two committed pages, the second with `protect`; returns the base.
    fn two_pages(second: u32) -> u64 {
        // SAFETY: plain allocations of our own, released by the caller.
        unsafe {
            let base = VirtualAlloc(
                core::ptr::null(),
                2 * PAGE,
                MEM_RESERVE | MEM_COMMIT,
                PAGE_READWRITE,
            );
            assert!(!base.is_null());
            let mut old = 0;
            assert!(
                VirtualProtect(base.cast::<u8>().add(PAGE).cast(), PAGE, second, &mut old) != 0
            );
            base as u64
        }
    }

    fn release(base: u64) {
        // SAFETY: allocated by `two_pages`.
        unsafe { VirtualFree(base as *mut _, 0, MEM_RELEASE) };
    }

    #[test]
    fn good_memory_copies_both_ways() {
        let base = two_pages(PAGE_READWRITE);
        assert!(write(base + 8, 0x1122_3344_5566_7788u64));
        assert_eq!(read::<u64>(base + 8), Some(0x1122_3344_5566_7788));
        // Across the page boundary.
        assert!(write(base + PAGE as u64 - 4, 0xaabb_ccdd_eeff_0011u64));
        assert_eq!(
            read::<u64>(base + PAGE as u64 - 4),
            Some(0xaabb_ccdd_eeff_0011)
        );
        release(base);
    }

    #[test]
    fn faults_are_failures_not_crashes() {
        for protect in [PAGE_NOACCESS, PAGE_READONLY] {
            let base = two_pages(protect);
            let second = base + PAGE as u64;
            // Writing never works there; reading only from a read-only page.
            assert!(!write(second, 1u32), "write, protection {protect:#x}");
            assert!(
                !write(second - 2, 1u32),
                "write across the boundary, protection {protect:#x}"
            );
            assert_eq!(
                read::<u32>(second).is_some(),
                protect == PAGE_READONLY,
                "read, protection {protect:#x}"
            );
            // The good page next to it is untouched and still usable.
            assert!(write(base, 7u32) && read::<u32>(base) == Some(7));
            release(base);
        }
        // A guard page faults once (Windows then clears the guard): that
        // first touch is a failure, the next one works.
        let base = two_pages(PAGE_READWRITE | PAGE_GUARD);
        assert!(!write(base + PAGE as u64 - 2, 1u32));
        assert!(write(base + PAGE as u64 - 2, 1u32));
        release(base);
        // Unmapped and reserved-only memory, null and wrapping addresses.
        // SAFETY: a reservation of our own, released at once.
        let reserved =
            unsafe { VirtualAlloc(core::ptr::null(), PAGE, MEM_RESERVE, PAGE_NOACCESS) } as u64;
        assert_eq!(read::<u64>(reserved), None);
        release(reserved);
        assert_eq!(read::<u64>(reserved), None);
        assert_eq!(read::<u64>(0), None);
        assert_eq!(read::<u64>(u64::MAX - 3), None);
        assert!(!write(0, 0u8));
        let mut chunk = [0u32; 4];
        assert!(!read_slice(reserved, &mut chunk));
    }
}

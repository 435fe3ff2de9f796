# The one place for the toolchain and Wine settings. Sourced (never run) by
# scripts/setup.sh and by every script that builds or runs Windows binaries;
# it installs nothing (scripts/setup.sh does) and starts nothing.
#
#   AIO_ROOT          the checkout
#   AIO_TARGET        the Rust target the DLL is built for
#   AIO_LIB_DIR       where scripts/build.sh leaves aio.dll and its libraries
#   aio_cargo ARGS    Debian's cargo, building the standard library from source
#   msvc_cc ARGS      clang-19 compiling C or C++ as an MSVC (ucrt) program
#   msvc_link ARGS    lld-link-19 linking an MSVC-ABI program against ucrtbase
#   AIO_MSVC_CRT0     the startup file MSVC-ABI programs link (tests/msvc/crt0.c)
AIO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export AIO_ROOT
export AIO_TARGET=x86_64-pc-windows-gnu
export AIO_LIB_DIR=$AIO_ROOT/target/$AIO_TARGET/release

# Debian's Rust (rustup's, first on PATH, has no Windows target here), with
# the standard library built from source for the target.
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
aio_cargo() {
    /usr/bin/cargo "$@"
}
# Debian's clippy (rust-web-clippy) for the same toolchain; /usr/bin first so
# that cargo finds its cargo-clippy rather than rustup's proxy.
aio_clippy() {
    PATH=/usr/bin:$PATH /usr/bin/cargo clippy "$@"
}
AIO_BUILD_STD=(-Z build-std=std,panic_abort --target "$AIO_TARGET")

# Wine: the project's own prefix (it holds the bcryptprimitives.dll stand-in).
export WINEPREFIX=${WINEPREFIX:-$HOME/.wine-libaio-win32}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}

# Every Windows program runs as "${AIO_WINE[@]}" PROGRAM: Wine with the
# kernel's address randomisation off. Debian's wine64 has no preloader: it is
# a non-PIE program at 0x7d000000 whose brk heap the kernel starts at random
# up to 1 GiB above it, and about once in 8,000 starts that heap lies over
# 0x7ffe0000, where Wine must map KUSER_SHARED_DATA. The process then exits
# with status 1 before any Windows code runs, saying so only on Wine's err
# channel: "err:virtual:virtual_alloc_first_teb wine: failed to map the
# shared user data: c0000018". Without randomisation the heap starts right
# after the loader, 48 MiB below that page. Cargo's runner likewise.
AIO_WINE=(setarch -R wine)
AIO_WINE_START_FAILURE='failed to map the shared user data'
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="setarch -R wine"

# MSVC ABI with Debian's clang-19 and lld-19: Wine's UCRT-style C runtime and
# Windows headers (libwine-dev), mingw-w64's ucrt import libraries. Not the
# Windows SDK and not link.exe, but the same ABI and the same C runtime
# (ucrtbase.dll), and Wine's import library for vcruntime140.dll (C++
# exception handling, __std_terminate), as /MD programs link it. tests/msvc/include fills the gaps of Wine's headers where
# the SDK's have more (struct timespec); tests/msvc/crt0.c is the program
# startup (MSVC's mainCRTStartup comes with Visual Studio, which is not
# here): compile it with msvc_cc and link its object first. Without it, use
# /entry:main (no constructors, argv, atexit or stdio flush at exit).
# C++ programs also link tests/msvc/operator_new.cpp (AIO_MSVC_OPERATOR_NEW),
# which Visual Studio's static runtime would give. Math functions that
# mingw-w64's libucrt.a leaves to its own libmingwex (ceil, floor...) come
# from Wine's import library for ucrtbase.dll.
AIO_MSVC_HEADERS=/usr/include/wine/wine
AIO_MINGW_LIBS=/usr/x86_64-w64-mingw32/lib
AIO_WINE_LIBS=/usr/lib/x86_64-linux-gnu/wine/x86_64-windows
AIO_MSVC_CRT0=$AIO_ROOT/tests/msvc/crt0.c
AIO_MSVC_OPERATOR_NEW=$AIO_ROOT/tests/msvc/operator_new.cpp
msvc_cc() {
    clang-19 --target=x86_64-pc-windows-msvc -fms-compatibility -fms-extensions -D_UCRT -nostdinc \
        -isystem "$(clang-19 -print-resource-dir)/include" -isystem "$AIO_ROOT/tests/msvc/include" \
        -isystem "$AIO_MSVC_HEADERS/msvcrt" -isystem "$AIO_MSVC_HEADERS/windows" "$@"
}
msvc_link() {
    lld-link-19 /nologo /subsystem:console "$@" \
        "$AIO_MINGW_LIBS/libucrt.a" "$AIO_WINE_LIBS/libucrtbase.a" "$AIO_WINE_LIBS/libvcruntime140.a" \
        "$AIO_MINGW_LIBS/libkernel32.a"
}

# One persistent wineserver for everything that follows. Left to itself a
# wineserver exits as soon as its last client does (Debian's wrappers, the
# one clients start included, pass -p0). `wineserver -p` makes a new
# server persistent but fails (status 2) when one is already running for the
# prefix: that one is fine if it was started persistent (by this function,
# earlier), and otherwise keeps its linger, so wait for it to go and start
# ours. A server's working directory names its prefix (server-DEV-INODE).
aio_persistent_wineserver() {
    if wineserver -p 2>/dev/null; then return 0; fi
    local dir pid
    dir=$(printf 'server-%s-%x' "$(stat -c %D "$WINEPREFIX")" "$(stat -c %i "$WINEPREFIX")")
    for pid in $(pgrep -f '^/usr/lib/wine/wineserver'); do
        if [ "$(basename "$(readlink "/proc/$pid/cwd")")" = "$dir" ] &&
            tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE ' -p ?$'; then
            return 0
        fi
    done
    echo "env: a lingering wineserver runs for $WINEPREFIX; waiting for it to exit" >&2
    wineserver -w
    wineserver -p
}

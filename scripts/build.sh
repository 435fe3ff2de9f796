#!/usr/bin/env bash
# Builds aio.dll, its import libraries and the static library for
# x86_64-pc-windows-gnu with Debian's Rust (build-std) and mingw-w64, into
# target/x86_64-pc-windows-gnu/release: aio.dll, libaio.dll.a (for -laio with
# mingw), aio.lib (for MSVC's link) and libaio.a (the crate as a staticlib,
# for mingw programs linked -static), all from one cargo build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/env.sh
aio_cargo build --release "${AIO_BUILD_STD[@]}" "$@"
out=$AIO_LIB_DIR

# aio.dll's exported names, one a line, from the "[Ordinal/Name Pointer]
# Table" section of objdump's export listing: only its entry lines
# ("[   3] io_pgetevents"), never the section's own header line.
dll_exports() {
    x86_64-w64-mingw32-objdump -p "$1" |
        sed -n '/^\[Ordinal\/Name Pointer\] Table$/,/^$/p' |
        sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9][0-9]*\][[:space:]]\{1,\}\([^[:space:]]\{1,\}\)$/\1/p'
}
exports=$(dll_exports "$out/aio.dll")
[ -n "$exports" ] || { echo "build: no exports found in $out/aio.dll" >&2; exit 1; }

# aio.lib: an import library MSVC's linker reads, declaring exactly the DLL's
# exports. dlltool names its internal symbols after the output path: run it
# in the output directory, so they read _head_aio_lib and not the build path.
(cd "$out" && x86_64-w64-mingw32-dlltool --input-def <(
    echo "LIBRARY aio.dll"; echo "EXPORTS"
    sed 's/^/    /' <<<"$exports"
) --dllname aio.dll --output-lib aio.lib)

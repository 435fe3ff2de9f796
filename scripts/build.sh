#!/usr/bin/env bash
# Builds aio.dll and its import libraries for x86_64-pc-windows-gnu with
# Debian's Rust (build-std) and mingw-w64, into target/x86_64-pc-windows-gnu/release:
# aio.dll, libaio.dll.a (for -laio with mingw) and aio.lib (for MSVC's link).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/env.sh
aio_cargo build --release "${AIO_BUILD_STD[@]}" "$@"
out=$AIO_LIB_DIR
# aio.lib: an import library MSVC's linker reads, from the DLL's own exports.
x86_64-w64-mingw32-dlltool --input-def <(
    echo "LIBRARY aio.dll"; echo "EXPORTS"
    x86_64-w64-mingw32-objdump -p "$out/aio.dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | awk '/\]/{print "    " $NF}'
) --dllname aio.dll --output-lib "$out/aio.lib"

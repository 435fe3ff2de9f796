#!/usr/bin/env bash
# The main job: builds aio.dll and runs a real libaio program through it
# under Wine. examples/aio-cp.c copies a file with Linux AIO at a chosen
# queue depth and verifies the copy; the same source runs natively against
# Linux libaio for comparison.
#
# Usage: scripts/demo.sh [depth] [block_size] [file_MiB]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
depth=${1:-32}
bs=${2:-131072}
mib=${3:-64}
source scripts/setup.sh
scripts/build.sh >/dev/null 2>&1 || scripts/build.sh
lib=target/x86_64-pc-windows-gnu/release
out=build/demo
mkdir -p "$out"
cp "$lib/aio.dll" "$out/"
x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Iinclude examples/aio-cp.c -L"$lib" -laio -o "$out/aio-cp.exe"
gcc -O2 -Wall -Wextra examples/aio-cp.c -laio -o "$out/aio-cp"
head -c $((mib * 1024 * 1024 + 12345)) /dev/urandom >"$out/source.bin"
echo "== Windows build, aio.dll under Wine"
(cd "$out" && "${AIO_WINE[@]}" ./aio-cp.exe -d "$depth" -b "$bs" source.bin copy-windows.bin)
cmp "$out/source.bin" "$out/copy-windows.bin"
echo "== the same source natively, Linux libaio"
(cd "$out" && ./aio-cp -d "$depth" -b "$bs" source.bin copy-linux.bin)
cmp "$out/source.bin" "$out/copy-linux.bin"
echo "demo: both copies are identical to the source"

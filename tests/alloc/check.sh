#!/usr/bin/env bash
# The I/O path allocates nothing: builds the alloc-count test build of
# aio.dll and runs tests/alloc/steady_state.c against it under Wine, with
# regular files in line and (LIBAIO_WIN32_FORCE_OVERLAPPED=1) through the
# completion port.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh
out=build/alloc
mkdir -p "$out"
# Built in the project's one target directory, so the standard library
# built there already serves (features change only the aio crate); the
# counting DLL is copied out, and the normal build is put back for the steps
# after this one.
if ! aio_cargo build --release "${AIO_BUILD_STD[@]}" --features alloc-count >"$out/build.log" 2>&1; then
    tail -20 "$out/build.log"; echo "alloc checks: 0 passed, 1 failed"; exit 1
fi
cp "$AIO_LIB_DIR/aio.dll" "$AIO_LIB_DIR/libaio.dll.a" "$out/"
if ! scripts/build.sh >"$out/rebuild.log" 2>&1; then
    tail -20 "$out/rebuild.log"; echo "alloc checks: 0 passed, 1 failed"; exit 1
fi
x86_64-w64-mingw32-gcc -O1 -Wall -Wextra -Werror -Iinclude -Itests/c tests/alloc/steady_state.c -L"$out" -laio \
    -o "$out/steady_state.exe" || { echo "alloc checks: 0 passed, 1 failed"; exit 1; }
pass=0 fail=0
for mode in default overlapped; do
    rm -rf "$out/run-$mode" && mkdir -p "$out/run-$mode"
    if ( cd "$out/run-$mode" && if [ $mode = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
         timeout 300 "${AIO_WINE[@]}" ../steady_state.exe ); then
        pass=$((pass + 1)); echo "ok   alloc ($mode)"
    else
        fail=$((fail + 1)); echo "FAIL alloc ($mode)"
    fi
done
echo "alloc checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

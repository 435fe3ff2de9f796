#!/usr/bin/env bash
# include/libaio.h compiles without warnings as C and C++ with mingw-w64
# gcc/g++ (-Wall -Wextra -Werror), in every configuration a program may
# bring: a <sys/uio.h> of its own earlier on the include path (fio), none at
# all (only libaio.h's fallback), a program's own sigset_t and O_DIRECT/O_SYNC
# before or after libaio.h (as fio's os-windows.h), mingw's _POSIX sigset_t, and without the C
# runtime binding, a struct member named open (C++, and C without the open()
# wrapper). The same as an MSVC-ABI program (msvc_cc, clang-19 with the ucrt
# headers, linked by msvc_link against aio.lib): C and C++, -Wall -Wextra
# -Werror. Each build links against aio.dll's import library and the
# compile-time layout checks run in all of them. Last, the header's version
# macros are the crate's version (Cargo.toml).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh
lib=${AIO_DLL_DIR:-$AIO_LIB_DIR}
out=$root/build/header
mkdir -p "$out" "$out/no-uio"
# The header without our sys/uio.h (and with what it includes itself).
cp include/libaio.h "$out/no-uio/"
mkdir -p "$out/no-uio/libaio-win32" && cp include/libaio-win32/fdio.h "$out/no-uio/libaio-win32/"
src=tests/header/use_header.c
pass=0 fail=0
try() {
    local name=$1; shift
    if "$@" -o "$out/$name.exe" -L"$lib" -laio 2>"$out/$name.log"; then
        pass=$((pass + 1)); echo "ok   header: $name"
    else
        fail=$((fail + 1)); echo "FAIL header: $name"; head -20 "$out/$name.log"
    fi
}
w=(-Wall -Wextra -Werror)
try c99 x86_64-w64-mingw32-gcc -std=c99 "${w[@]}" -Iinclude "$src"
try c11 x86_64-w64-mingw32-gcc -std=c11 "${w[@]}" -Iinclude "$src"
try cxx11 x86_64-w64-mingw32-g++ -std=c++11 -DCHECK_OPEN_MEMBER "${w[@]}" -Iinclude -x c++ "$src"
try cxx17 x86_64-w64-mingw32-g++ -std=c++17 -DCHECK_OPEN_MEMBER "${w[@]}" -Iinclude -x c++ "$src"
try fio-uio-c x86_64-w64-mingw32-gcc -std=c11 "${w[@]}" -Itests/header/fio-include -Iinclude "$src"
try fio-uio-cxx x86_64-w64-mingw32-g++ -std=c++14 "${w[@]}" -Itests/header/fio-include -Iinclude -x c++ "$src"
try header-only-c x86_64-w64-mingw32-gcc -std=c11 "${w[@]}" -I"$out/no-uio" "$src"
try header-only-cxx x86_64-w64-mingw32-g++ -std=c++11 "${w[@]}" -I"$out/no-uio" -x c++ "$src"
try fio-os-layer-first-c x86_64-w64-mingw32-gcc -std=c11 -DOWN_OS_LAYER_FIRST "${w[@]}" -Itests/header/fio-include -Iinclude "$src"
try fio-os-layer-after-c x86_64-w64-mingw32-gcc -std=c11 -DOWN_OS_LAYER_AFTER "${w[@]}" -Itests/header/fio-include -Iinclude "$src"
try fio-os-layer-after-cxx x86_64-w64-mingw32-g++ -std=c++14 -DOWN_OS_LAYER_AFTER "${w[@]}" -Itests/header/fio-include -Iinclude -x c++ "$src"
try posix-sigset x86_64-w64-mingw32-gcc -std=c11 -D_POSIX "${w[@]}" -Iinclude "$src"
try open-member-no-wrapper x86_64-w64-mingw32-gcc -std=c11 -DCHECK_OPEN_MEMBER -DLIBAIO_WIN32_NO_OPEN_WRAPPER "${w[@]}" -Iinclude "$src"
try no-crt-binding x86_64-w64-mingw32-gcc -std=c11 -DLIBAIO_WIN32_NO_CRT_BINDING "${w[@]}" -Iinclude "$src"

# MSVC ABI: compiled by msvc_cc, linked by msvc_link with the tests' startup
# file against aio.lib.
msvc_cc -Wall -Wextra -Werror -c "$AIO_MSVC_CRT0" -o "$out/crt0.obj"
try_msvc() {
    local name=$1; shift
    if msvc_cc -Wall -Wextra -Werror "$@" -c "$src" -o "$out/$name.obj" >"$out/$name.log" 2>&1 &&
        msvc_link "$out/crt0.obj" "$out/$name.obj" "$lib/aio.lib" /out:"$out/$name.exe" >>"$out/$name.log" 2>&1; then
        pass=$((pass + 1)); echo "ok   header: $name"
    else
        fail=$((fail + 1)); echo "FAIL header: $name"; head -20 "$out/$name.log"
    fi
}
try_msvc msvc-c11 -std=c11 -Iinclude
try_msvc msvc-c17 -std=c17 -Iinclude
try_msvc msvc-cxx14 -x c++ -std=c++14 -DCHECK_OPEN_MEMBER -Iinclude
try_msvc msvc-cxx17 -x c++ -std=c++17 -DCHECK_OPEN_MEMBER -Iinclude
try_msvc msvc-header-only-c -std=c11 -I"$out/no-uio"
try_msvc msvc-header-only-cxx -x c++ -std=c++17 -I"$out/no-uio"
try_msvc msvc-fio-os-layer-after-c -std=c11 -DOWN_OS_LAYER_AFTER -Itests/header/fio-include -Iinclude
try_msvc msvc-fio-os-layer-first-cxx -x c++ -std=c++17 -DOWN_OS_LAYER_FIRST -Itests/header/fio-include -Iinclude
try_msvc msvc-open-member-no-wrapper -std=c11 -DCHECK_OPEN_MEMBER -DLIBAIO_WIN32_NO_OPEN_WRAPPER -Iinclude
try_msvc msvc-no-open-wrapper-cxx -x c++ -std=c++17 -DLIBAIO_WIN32_NO_OPEN_WRAPPER -Iinclude
try_msvc msvc-no-crt-binding -std=c11 -DLIBAIO_WIN32_NO_CRT_BINDING -Iinclude

# The version macros against the crate's version.
crate_version=$(aio_cargo metadata --no-deps --format-version 1 --manifest-path Cargo.toml |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "aio"))')
macro() { x86_64-w64-mingw32-gcc -E -dM -Iinclude include/libaio.h | sed -n "s/^#define $1 //p"; }
header_version="$(macro LIBAIO_WIN32_VERSION_MAJOR).$(macro LIBAIO_WIN32_VERSION_MINOR).$(macro LIBAIO_WIN32_VERSION_PATCH)"
if [ -n "$crate_version" ] && [ "$header_version" = "$crate_version" ] &&
    [ "$(macro LIBAIO_WIN32_VERSION)" = "\"$crate_version\"" ] && [ "$(macro LIBAIO_WIN32_LIBAIO_API)" = '"0.3.113"' ]; then
    pass=$((pass + 1)); echo "ok   header: version $crate_version (libaio API 0.3.113)"
else
    fail=$((fail + 1))
    echo "FAIL header: version macros $header_version, $(macro LIBAIO_WIN32_VERSION), API $(macro LIBAIO_WIN32_LIBAIO_API); crate $crate_version"
fi
echo "header checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# include/libaio.h compiles without warnings as C and C++ with mingw-w64
# gcc/g++ (-Wall -Wextra -Werror), in every configuration a program may
# bring: a <sys/uio.h> of its own earlier on the include path (fio), none at
# all (only libaio.h's fallback), a program's own sigset_t and O_DIRECT/O_SYNC
# before or after libaio.h (as fio's os-windows.h), mingw's _POSIX sigset_t, and without the C
# runtime binding, a struct member named open (C++, and C without the open()
# wrapper). Each build links against aio.dll's import library and the
# compile-time layout checks run in all of them.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
lib=${AIO_DLL_DIR:-$root/target/x86_64-pc-windows-gnu/release}
out=$root/build/header
mkdir -p "$out" "$out/no-uio"
cp include/libaio.h "$out/no-uio/"    # the header alone, without our sys/uio.h
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
echo "header checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# A real client: DeepSpeed's aio core (csrc/aio/common/*.cpp from the
# deepspeed source distribution on PyPI, pinned by SHA-256, built
# unchanged) with this test's driver (driver.cpp: write and read back a file
# through do_aio_operation_sequential/overlap with O_DIRECT, verified byte
# for byte). Built three times: natively against Linux libaio (the oracle),
# with mingw-w64 g++ against libaio.dll.a, and as an MSVC-ABI program
# (clang-19, ucrt, lld-link, aio.lib; see msvc-stl/README for its C++
# library). The POSIX calls Windows lacks come from shim/. Each Windows build
# runs under Wine in both engine modes and must print what Linux printed.
#
# LIBAIO_WIN32_PREFIX=DIR builds against an unpacked release archive instead
# (DIR/include, DIR/lib/aio.lib, DIR/lib/libaio.dll.a, DIR/bin/aio.dll);
# by default, the checkout's include/ and the DLL build directory.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh

version=0.19.8
sha256=9e491abd0827ea5c389dd702e15e11e13d83d904bac4a20d6c2a4cb37207a9af
out=$root/build/deepspeed
here=$root/tests/deepspeed
if [ -n "${LIBAIO_WIN32_PREFIX:-}" ]; then
    include=$LIBAIO_WIN32_PREFIX/include
    implib_dir=$LIBAIO_WIN32_PREFIX/lib
    dll=$LIBAIO_WIN32_PREFIX/bin/aio.dll
else
    include=$root/include
    implib_dir=${AIO_DLL_DIR:-$AIO_LIB_DIR}
    dll=$implib_dir/aio.dll
fi
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   deepspeed: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL deepspeed: $1"; }
finish() { echo "deepspeed checks: $pass passed, $fail failed"; [ "$fail" = 0 ]; exit; }

# The source distribution, fetched once and checked every time.
mkdir -p "$out/download"
sdist=$out/download/deepspeed-$version.tar.gz
if [ ! -f "$sdist" ]; then
    if ! timeout 600 python3 -m pip download --quiet --no-deps --no-binary :all: -d "$out/download" \
        "deepspeed==$version" >"$out/download.log" 2>&1; then
        bad "pip download deepspeed==$version: $(tail -3 "$out/download.log")"; finish
    fi
fi
if [ "$(sha256sum "$sdist" | cut -d' ' -f1)" != "$sha256" ]; then
    bad "$sdist: SHA-256 is not $sha256"; finish
fi
src=$out/src
rm -rf "$src" && mkdir -p "$src"
tar -xzf "$sdist" -C "$src" --strip-components=4 "deepspeed-$version/csrc/aio/common"
sources=("$src"/deepspeed_aio_common.cpp "$src"/deepspeed_aio_types.cpp "$src"/deepspeed_aio_utils.cpp)
for f in "${sources[@]}"; do
    [ -f "$f" ] || { bad "$f missing from the source distribution"; finish; }
done
ok "deepspeed $version source distribution (SHA-256 checked)"

# DeepSpeed's own flags (op_builder: -O3 -std=c++17 -g), plus assert() on.
cxxflags=(-O2 -std=c++17 -g -Wall)

# Linux: DeepSpeed's code as it is meant to run, against Linux libaio.
mkdir -p "$out/linux"
if g++ "${cxxflags[@]}" -I"$src" "${sources[@]}" "$here/driver.cpp" -laio -o "$out/linux/driver" \
    >"$out/linux/build.log" 2>&1; then
    ok "Linux build (g++, libaio)"
else
    bad "Linux build: $(head -10 "$out/linux/build.log")"; finish
fi
d=$out/run/linux; rm -rf "$d" && mkdir -p "$d"
(cd "$d" && timeout 300 "$out/linux/driver" >stdout 2>stderr; echo $? >rc)
if [ "$(cat "$d/rc")" = 0 ]; then ok "Linux run"; else bad "Linux run exited $(cat "$d/rc"): $(tail -5 "$d/stdout" "$d/stderr")"; finish; fi

# mingw-w64: g++ with libstdc++, msvcrt, libaio.dll.a.
mkdir -p "$out/mingw"
if x86_64-w64-mingw32-gcc -O2 -g -Wall -Werror -I"$here/shim" -c "$here/shim/shim.c" -o "$out/mingw/shim.o" \
        >"$out/mingw/build.log" 2>&1 &&
    x86_64-w64-mingw32-g++ "${cxxflags[@]}" -I"$here/shim" -I"$include" -I"$src" "${sources[@]}" \
        "$here/driver.cpp" "$out/mingw/shim.o" -L"$implib_dir" -laio -static-libgcc -static-libstdc++ \
        -o "$out/mingw/driver.exe" >>"$out/mingw/build.log" 2>&1; then
    cp "$dll" "$out/mingw/"
    ok "mingw-w64 build (g++)"
    builds=(mingw)
else
    bad "mingw-w64 build: $(grep -m10 -e error -e undefined "$out/mingw/build.log")"
    builds=()
fi

# MSVC ABI: clang-19 as C++ with the ucrt headers, lld-link, aio.lib.
mkdir -p "$out/msvc"
msvc_build() {
    msvc_cc -O2 -g -Wall -Werror -c "$AIO_MSVC_CRT0" -o "$out/msvc/crt0.obj" &&
        msvc_cc -x c++ -O2 -g -Wall -Werror -c "$AIO_MSVC_OPERATOR_NEW" -o "$out/msvc/operator_new.obj" &&
        msvc_cc -O2 -g -Wall -Werror -I"$here/shim" -c "$here/shim/shim.c" -o "$out/msvc/shim.obj" || return 1
    local objs=("$out/msvc/crt0.obj" "$out/msvc/operator_new.obj" "$out/msvc/shim.obj") f
    for f in "${sources[@]}" "$here/driver.cpp"; do
        msvc_cc -x c++ "${cxxflags[@]}" -I"$here/msvc-stl" -I"$here/shim" -I"$include" -I"$src" \
            -c "$f" -o "$out/msvc/$(basename "$f" .cpp).obj" || return 1
        objs+=("$out/msvc/$(basename "$f" .cpp).obj")
    done
    msvc_link "${objs[@]}" "$implib_dir/aio.lib" /out:"$out/msvc/driver.exe"
}
if msvc_build >"$out/msvc/build.log" 2>&1; then
    cp "$dll" "$out/msvc/"
    ok "MSVC-ABI build (clang-19 C++, ucrt, lld-link, aio.lib)"
    builds+=(msvc)
else
    bad "MSVC-ABI build: $(grep -m10 -e error -e undefined "$out/msvc/build.log")"
fi

aio_persistent_wineserver
for build in "${builds[@]}"; do
    for mode in default overlapped; do
        d=$out/run/$build-$mode; rm -rf "$d" && mkdir -p "$d"
        ( cd "$d" && if [ "$mode" = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
          WINEDEBUG=-all,err+all timeout 300 "${AIO_WINE[@]}" "$out/$build/driver.exe" >stdout 2>stderr; echo $? >rc
          sed -i 's/\r$//' stdout )
        if [ "$(cat "$d/rc")" != 0 ]; then
            bad "$build ($mode) exited $(cat "$d/rc"): $(tail -5 "$d/stdout") $(tail -5 "$d/stderr")"
        elif ! diff -u "$out/run/linux/stdout" "$d/stdout" >"$d/diff"; then
            bad "$build ($mode) output differs from Linux:"; head -30 "$d/diff"
        else
            ok "$build ($mode): written and read back through DeepSpeed, as on Linux"
        fi
    done
done
finish

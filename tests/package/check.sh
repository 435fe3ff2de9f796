#!/usr/bin/env bash
# The release archive as a developer gets it: unpacked into a temporary
# directory and consumed from there only (never the repository's include/ or
# target/), each check counted:
#   - the layout: one top folder with every file the package promises;
#   - both import libraries declare exactly aio.dll's exports, and libaio.a
#     defines every one of them;
#   - a CMake project (find_package(libaio CONFIG) through CMAKE_PREFIX_PATH,
#     the mingw-w64 toolchain file beside this script): C and C++ programs on
#     libaio::libaio, one on the FindLibAIO-style variables, one on
#     libaio::libaio_static; the version file's answers; and a C program in
#     the MSVC ABI (msvc-clang.cmake) on libaio::libaio, which is aio.lib there;
#   - pkg-config (PKG_CONFIG_PATH, no sysroot): a program from
#     --cflags --libs and a -static one from --static;
#   - a -static program on lib/libaio.a, run where no aio.dll can be found
#     (which a program on aio.dll, run there, shows);
#   - an MSVC-ABI program (clang-19 as MSVC, lld-link) on lib/aio.lib.
# Every program runs under Wine and moves data through the library, checking
# each byte (consumer.c, consumer.cpp).
#
# Usage: tests/package/check.sh [ARCHIVE.zip]   (default: scripts/dist.sh's)
# Ends with "package checks: N passed, M failed"; exit status 0 only if M is 0.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
here=$root/tests/package
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: $2"; }

zip=${1:-}
if [ -z "$zip" ]; then
    mkdir -p build
    if ! zip=$(scripts/dist.sh 2>build/package-dist.log); then
        bad dist "scripts/dist.sh failed: $(tail -5 build/package-dist.log)"
        echo "package checks: $pass passed, $fail failed"
        exit 1
    fi
fi
source scripts/env.sh
aio_persistent_wineserver

work=$(mktemp -d "${TMPDIR:-/tmp}/libaio-package.XXXXXX")
name=$(basename "$zip" .zip)
pkg=$work/unpacked/$name
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
consumer_line="libaio package consumer: 8 writes and 8 reads, 32768 bytes verified"
consumer_cxx_line="libaio package consumer (C++): 4 writes and 4 reads, 32768 bytes verified"
if ! python3 -m zipfile -e "$zip" "$work/unpacked" >"$work/unpack.log" 2>&1; then
    bad unpack "$zip does not unpack: $(tail -3 "$work/unpack.log")"
    echo "package checks: $pass passed, $fail failed"
    exit 1
fi

# run_consumer DIR EXE LINE: runs DIR/EXE under Wine from DIR; it must exit 0
# and print LINE. Sets why otherwise.
run_consumer() {
    local dir=$1 exe=$2 line=$3 rc
    (cd "$dir" && WINEDEBUG=-all,err+module timeout 120 "${AIO_WINE[@]}" "./$exe" >"$exe.out" 2>"$exe.err")
    rc=$?
    if [ $rc != 0 ]; then
        why="$exe exited $rc: $(tr -d '\r' <"$dir/$exe.out" | tail -3) $(tail -3 "$dir/$exe.err")"
        return 1
    fi
    if [ "$(tr -d '\r' <"$dir/$exe.out")" != "$line" ]; then
        why="$exe printed: $(tr -d '\r' <"$dir/$exe.out" | head -3)"
        return 1
    fi
}

# dlls_of EXE: the DLLs EXE imports, lower case, one a line. (Matched from a
# string, never by grep -q on a pipe: under pipefail a writer cut short by
# grep's early exit would turn a match into a failure.)
dlls_of() { x86_64-w64-mingw32-objdump -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z'; }

# run_dynamic DIR EXE LINE: EXE imports aio.dll, which is beside it, and runs.
run_dynamic() {
    local dir=$1 exe=$2 line=$3
    if ! grep -qx aio.dll <<<"$(dlls_of "$dir/$exe")"; then why="$exe does not import aio.dll"; return 1; fi
    if ! cmp -s "$dir/aio.dll" "$pkg/bin/aio.dll"; then why="$dir/aio.dll is not the package's bin/aio.dll"; return 1; fi
    run_consumer "$dir" "$exe" "$line"
}

# run_alone EXE LINE: EXE imports no aio.dll and runs from a directory of its own.
run_alone() {
    local exe=$1 line=$2 dir
    if grep -qx aio.dll <<<"$(dlls_of "$exe")"; then why="$(basename "$exe") imports aio.dll"; return 1; fi
    dir=$work/alone-$(basename "$exe" .exe)
    mkdir -p "$dir" && cp "$exe" "$dir/"
    run_consumer "$dir" "$(basename "$exe")" "$line"
}

# --- the layout
layout() {
    local f entries missing=()
    entries=$(python3 -c 'import sys, zipfile; print("\n".join(sorted({n.split("/")[0] for n in zipfile.ZipFile(sys.argv[1]).namelist()})))' "$zip")
    if [ "$name" != "libaio-win32-$version-x86_64-windows" ]; then why="archive named $name, the crate's version is $version"; return 1; fi
    if [ "$entries" != "$name" ]; then why="top-level entries: $(echo $entries)"; return 1; fi
    for f in bin/aio.dll lib/aio.lib lib/libaio.dll.a lib/libaio.a include/libaio.h include/sys/uio.h \
        lib/cmake/libaio/libaio-config.cmake lib/cmake/libaio/libaio-config-version.cmake lib/pkgconfig/libaio.pc \
        share/doc/libaio-win32/README.md share/doc/libaio-win32/LICENSE-MIT share/doc/libaio-win32/LICENSE-APACHE \
        share/doc/libaio-win32/USAGE.md; do
        [ -s "$pkg/$f" ] || missing+=("$f")
    done
    if [ ${#missing[@]} -gt 0 ]; then why="missing or empty: ${missing[*]}"; return 1; fi
    if ! diff -r "$root/include" "$pkg/include" >"$work/include.diff"; then why="include/ differs from the repository's: $(head -5 "$work/include.diff")"; return 1; fi
    if ! grep -q "file format pei-x86-64" <<<"$(x86_64-w64-mingw32-objdump -f "$pkg/bin/aio.dll")"; then why="bin/aio.dll is not an x86-64 PE file"; return 1; fi
}
if layout; then ok "layout: one top folder $name with every file"; else bad layout "$why"; fi

# --- import libraries against the DLL's export table
exports=$(llvm-readobj-19 --coff-exports "$pkg/bin/aio.dll" | sed -n 's/^[[:space:]]*Name: //p' | sort)
imports_of() { llvm-nm-19 "$1" | sed -n 's/^[0-9a-f]* I __imp_//p' | sort -u; }
if [ -z "$exports" ] || ! grep -qx io_setup <<<"$exports"; then
    bad "exports" "no export table read from bin/aio.dll: $exports"
else
    for implib in lib/aio.lib lib/libaio.dll.a; do
        if [ ! -s "$pkg/$implib" ]; then bad "import library $implib" "missing"; continue; fi
        imports=$(imports_of "$pkg/$implib")
        if [ "$imports" = "$exports" ]; then
            ok "import library $implib declares exactly aio.dll's $(wc -l <<<"$exports") exports"
        else
            bad "import library $implib" "differs from aio.dll's exports (< only in the DLL, > only in the library): $(diff <(echo "$exports") <(echo "$imports") | grep '^[<>]' | tr '\n' ' ')"
        fi
    done
    static_defs=$(llvm-nm-19 --defined-only "$pkg/lib/libaio.a" 2>/dev/null | sed -n 's/^[0-9a-f]* T //p' | sort -u)
    missing=$(comm -23 <(echo "$exports") <(echo "$static_defs"))
    if [ -z "$missing" ]; then
        ok "static library lib/libaio.a defines all of aio.dll's exports"
    else
        bad "static library lib/libaio.a" "does not define: $(echo $missing)"
    fi
fi

# --- CMake
cmake_dir=$work/cmake
cmake_configure() { # BUILD_DIR [ARGS...]
    local dir=$1; shift
    cmake -S "$here/cmake" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64-x86_64.cmake" \
        -DCMAKE_PREFIX_PATH="$pkg" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir.log" 2>&1
}
mkdir -p "$cmake_dir"
if ! cmake_configure "$cmake_dir/build" -DLIBAIO_REQUEST="${version%.*}"; then
    bad "cmake" "configure failed: $(grep -A5 -E 'Error|error' "$cmake_dir/build.log" | head -12)"
elif ! cmake --build "$cmake_dir/build" -j2 >"$cmake_dir/build-make.log" 2>&1; then
    bad "cmake" "build failed: $(grep -E 'error|Error' "$cmake_dir/build-make.log" | head -8)"
else
    ok "cmake: find_package(libaio ${version%.*} CONFIG REQUIRED) with its variables, four programs built"
    b=$cmake_dir/build
    if run_dynamic "$b" consumer_c.exe "$consumer_line"; then ok "cmake: C program on libaio::libaio"; else bad "cmake: C program on libaio::libaio" "$why"; fi
    if run_dynamic "$b" consumer_cxx.exe "$consumer_cxx_line"; then ok "cmake: C++ program on libaio::libaio"; else bad "cmake: C++ program on libaio::libaio" "$why"; fi
    if run_dynamic "$b" consumer_vars.exe "$consumer_line"; then ok "cmake: C program on LIBAIO_INCLUDE_DIRS/LIBAIO_LIBRARIES"; else bad "cmake: C program on the variables" "$why"; fi
    if run_alone "$b/consumer_static.exe" "$consumer_line"; then ok "cmake: C program on libaio::libaio_static, no aio.dll"; else bad "cmake: C program on libaio::libaio_static" "$why"; fi
fi
# A request this version does not meet (the next major) must be refused.
next_major=$((${version%%.*} + 1)).0
if cmake_configure "$cmake_dir/too-new" -DLIBAIO_REQUEST="$next_major"; then
    bad "cmake: version file" "find_package(libaio $next_major) accepted version $version"
elif ! grep -q "version: $version" "$cmake_dir/too-new.log"; then
    bad "cmake: version file" "configure failed for another reason: $(grep -A3 Error "$cmake_dir/too-new.log" | head -6)"
else
    ok "cmake: find_package(libaio $next_major) refused by the version file"
fi

# The same package from CMake in the MSVC ABI (msvc-clang.cmake: clang-19
# simulating MSVC, lld-link): libaio::libaio on lib/aio.lib.
cmake_msvc() {
    local dir=$cmake_dir/msvc
    cmake -S "$here/cmake-msvc" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$here/msvc-clang.cmake" \
        -DCMAKE_PREFIX_PATH="$pkg" -DCMAKE_BUILD_TYPE=Release >"$dir.log" 2>&1 ||
        { why="configure failed: $(grep -A5 -E 'Error|error' "$dir.log" | head -12)"; return 1; }
    cmake --build "$dir" >"$dir-make.log" 2>&1 ||
        { why="build failed: $(grep -E 'error|Error' "$dir-make.log" | head -8)"; return 1; }
    run_dynamic "$dir" consumer_msvc.exe "$consumer_line"
}
if cmake_msvc; then ok "cmake (MSVC ABI): C program on libaio::libaio, lib/aio.lib"; else bad "cmake (MSVC ABI)" "$why"; fi

# --- pkg-config
pc() { env -u PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH="$pkg/lib/pkgconfig" pkg-config "$@"; }
pc_dir=$work/pkg-config
mkdir -p "$pc_dir/dynamic" "$pc_dir/static"
pkg_config_dynamic() {
    local flags
    flags=$(pc --cflags --libs libaio) || { why="pkg-config --cflags --libs libaio failed"; return 1; }
    if [ "$(cd "$(pc --variable=includedir libaio)" && pwd -P)" != "$(cd "$pkg/include" && pwd -P)" ]; then
        why="includedir $(pc --variable=includedir libaio) is not the unpacked include/"; return 1
    fi
    # shellcheck disable=SC2086 # pkg-config's output is a list of words
    x86_64-w64-mingw32-gcc -std=c11 "$here/consumer.c" $flags -o "$pc_dir/dynamic/consumer.exe" >"$pc_dir/dynamic.log" 2>&1 ||
        { why="build with '$flags' failed: $(head -5 "$pc_dir/dynamic.log")"; return 1; }
    cp "$pkg/bin/aio.dll" "$pc_dir/dynamic/"
    run_dynamic "$pc_dir/dynamic" consumer.exe "$consumer_line"
}
if pkg_config_dynamic; then ok "pkg-config: --cflags --libs libaio program on aio.dll"; else bad "pkg-config: --cflags --libs" "$why"; fi
pkg_config_static() {
    local flags
    flags=$(pc --static --cflags --libs libaio) || { why="pkg-config --static --cflags --libs libaio failed"; return 1; }
    grep -qw -- "-DLIBAIO_WIN32_STATIC" <<<"$flags" || { why="--static gives no -DLIBAIO_WIN32_STATIC: $flags"; return 1; }
    # shellcheck disable=SC2086
    x86_64-w64-mingw32-gcc -std=c11 -static "$here/consumer.c" $flags -o "$pc_dir/static/consumer.exe" >"$pc_dir/static.log" 2>&1 ||
        { why="build with '-static $flags' failed: $(head -5 "$pc_dir/static.log")"; return 1; }
    run_alone "$pc_dir/static/consumer.exe" "$consumer_line"
}
if pkg_config_static; then ok "pkg-config: -static with --static --cflags --libs, no aio.dll"; else bad "pkg-config: --static" "$why"; fi

# --- -static on lib/libaio.a, where no aio.dll can be found
static_dir=$work/static
mkdir -p "$static_dir"
static_program() {
    local libs
    libs=$(sed -n 's/^Libs.private: //p' "$pkg/lib/pkgconfig/libaio.pc")
    # shellcheck disable=SC2086
    x86_64-w64-mingw32-gcc -std=c11 -static -DLIBAIO_WIN32_STATIC -I"$pkg/include" "$here/consumer.c" \
        "$pkg/lib/libaio.a" $libs -o "$static_dir/consumer-static.exe" >"$static_dir/build.log" 2>&1 ||
        { why="build failed: $(head -5 "$static_dir/build.log")"; return 1; }
    x86_64-w64-mingw32-gcc -std=c11 -I"$pkg/include" "$here/consumer.c" -L"$pkg/lib" -laio \
        -o "$static_dir/consumer-dynamic.exe" >>"$static_dir/build.log" 2>&1 ||
        { why="control build failed: $(head -5 "$static_dir/build.log")"; return 1; }
    run_alone "$static_dir/consumer-static.exe" "$consumer_line" || return 1
    # The control: the same program on aio.dll, run from such a directory,
    # cannot start for want of aio.dll (Wine's loader says so).
    local control=$work/alone-control
    mkdir -p "$control" && cp "$static_dir/consumer-dynamic.exe" "$control/"
    if run_consumer "$control" consumer-dynamic.exe "$consumer_line"; then
        why="the control on aio.dll also ran: aio.dll is found from $control"; return 1
    fi
    if ! grep -q "aio.dll.*not found" "$control/consumer-dynamic.exe.err"; then
        why="the control on aio.dll failed, but not for want of aio.dll: $why"; return 1
    fi
}
if static_program; then ok "-static: program on lib/libaio.a runs where a program on aio.dll cannot start"; else bad "-static" "$why"; fi

# --- MSVC ABI: clang-19 as MSVC, lld-link, lib/aio.lib
msvc_dir=$work/msvc
mkdir -p "$msvc_dir"
msvc_program() {
    msvc_cc -std=c11 -O1 -I"$pkg/include" -c "$here/consumer.c" -o "$msvc_dir/consumer.obj" >"$msvc_dir/build.log" 2>&1 ||
        { why="compile failed: $(head -5 "$msvc_dir/build.log")"; return 1; }
    # No MSVC C runtime startup objects here: the program's own main is the
    # entry point (it needs no initialisation and flushes its own output).
    msvc_link /entry:main /out:"$msvc_dir/consumer.exe" "$msvc_dir/consumer.obj" "$pkg/lib/aio.lib" >>"$msvc_dir/build.log" 2>&1 ||
        { why="link failed: $(head -5 "$msvc_dir/build.log")"; return 1; }
    # A ucrt program: its C runtime is ucrtbase (through the api-ms-win-crt
    # sets), not mingw's msvcrt.
    local dlls
    dlls=$(dlls_of "$msvc_dir/consumer.exe")
    if ! grep -q '^api-ms-win-crt-' <<<"$dlls" || grep -qx msvcrt.dll <<<"$dlls"; then
        why="consumer.exe is not a ucrt program; it imports $(echo $dlls)"; return 1
    fi
    cp "$pkg/bin/aio.dll" "$msvc_dir/"
    run_dynamic "$msvc_dir" consumer.exe "$consumer_line"
}
if msvc_program; then ok "msvc: MSVC-ABI C program on lib/aio.lib"; else bad "msvc" "$why"; fi

if [ "$fail" = 0 ]; then rm -rf "$work"; else echo "package: the unpacked archive and the builds are kept in $work"; fi
echo "package checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

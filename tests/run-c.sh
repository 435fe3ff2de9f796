#!/usr/bin/env bash
# The C (and C++) behaviour tests, differentially: every tests/c/*.c (*.cpp)
# is built natively against Linux libaio, and twice for Windows against
# aio.dll: with mingw-w64 (msvcrt, libaio.dll.a) and as an MSVC-ABI program
# (msvc_cc/msvc_link from scripts/env.sh: clang-19 with the ucrt headers,
# lld-link, tests/msvc/crt0.c, aio.lib, on ucrtbase). Each Windows build runs
# under Wine twice (default engine paths, and every file forced through the
# completion port); each run must exit 0, print no crash, and print exactly
# what the Linux run printed. Windows-only tests (tests/c/win/*) have no
# Linux oracle: they must exit 0 in every build and mode. A test passes only
# when every build and every run passes.
#
# A test whose source has a line "RUN: <shell>" runs after that shell
# snippet (in a subshell), e.g. to set a resource limit.
#
# A test whose source has a line "WINLIBS: -lNAME..." links those Windows
# libraries (e.g. -lws2_32 for Winsock) into both Windows builds: mingw-w64
# takes them as they are; the MSVC-ABI build, as lld-link does not read -l,
# takes mingw-w64's import library for each ($AIO_MINGW_LIBS/libNAME.a).
#
# Usage: tests/run-c.sh [NAME...]   (default: all)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/env.sh
dll_dir=${AIO_DLL_DIR:-$AIO_LIB_DIR}
out=$root/build/ctests
mkdir -p "$out/linux" "$out/win" "$out/msvc" "$out/run"
cp "$dll_dir/aio.dll" "$dll_dir/libaio.dll.a" "$out/win/"
cp "$dll_dir/aio.dll" "$dll_dir/aio.lib" "$out/msvc/"

cflags=(-O1 -g -Wall -Wextra -Werror -std=gnu11)
cxxflags=(-O1 -g -Wall -Wextra -Werror -std=gnu++17)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/c/*.c tests/c/*.cpp tests/c/win/*.c tests/c/win/*.cpp; do
        [ -f "$f" ] && names+=("$(basename "${f%.*}")")
    done
fi

pass=0
fail=0
failed=()
aio_persistent_wineserver
if ! msvc_cc "${cflags[@]}" -c "$AIO_MSVC_CRT0" -o "$out/msvc/crt0.obj" 2>"$out/msvc/crt0.build"; then
    echo "FAIL: tests/msvc/crt0.c does not build: $(head -5 "$out/msvc/crt0.build")"
    exit 1
fi

# run_win BUILD NAME MODE DIR SETUP: runs a Windows build, output in DIR/stdout.
run_win() {
    local build=$1 name=$2 mode=$3 dir=$4 setup=$5
    rm -rf "$dir" && mkdir -p "$dir"
    ( cd "$dir" && if [ "$mode" = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
      eval "$setup"
      # Wine's own error messages stay on (stderr is not compared): a run that
      # dies before main then says why.
      WINEDEBUG=-all,err+all timeout 120 "${AIO_WINE[@]}" "$out/$build/$name.exe" >stdout 2>stderr; echo $? >rc
      # The C runtime writes text-mode stdout with CRLF line ends.
      sed -i 's/\r$//' stdout )
    if grep -q -e "Unhandled page fault" -e "Unhandled exception" -e "wine: Call from" "$dir/stdout" "$dir/stderr"; then
        echo "crash" >"$dir/rc"
    fi
}

# build_msvc SRC NAME LANGFLAGS...: the MSVC-ABI program $out/msvc/NAME.exe,
# linked with the libraries in the array msvc_libs too.
build_msvc() {
    local src=$1 name=$2; shift 2
    msvc_cc "$@" -Iinclude -Itests/c -c "$src" -o "$out/msvc/$name.obj" >"$out/msvc/$name.build" 2>&1 &&
        msvc_link "$out/msvc/crt0.obj" "$out/msvc/$name.obj" "$out/msvc/aio.lib" "${msvc_libs[@]}" \
            /out:"$out/msvc/$name.exe" >>"$out/msvc/$name.build" 2>&1
}

for name in "${names[@]}"; do
    src=""
    for candidate in "tests/c/$name.c" "tests/c/$name.cpp" "tests/c/win/$name.c" "tests/c/win/$name.cpp"; do
        if [ -f "$candidate" ]; then src=$candidate; break; fi
    done
    if [ -z "$src" ]; then
        fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name: no such test"; continue
    fi
    case $src in tests/c/win/*) oracle=0 ;; *) oracle=1 ;; esac
    case $src in
        *.cpp) flags=("${cxxflags[@]}") linux_cc=g++ mingw_cc=x86_64-w64-mingw32-g++ msvc_lang=(-x c++) ;;
        *) flags=("${cflags[@]}") linux_cc=gcc mingw_cc=x86_64-w64-mingw32-gcc msvc_lang=() ;;
    esac
    ok=1
    why=""
    setup=$(sed -n 's/.*RUN: \(.*\)$/\1/p' "$src" | head -1)
    read -ra winlibs <<<"$(sed -n 's/.*WINLIBS: \(.*\)$/\1/p' "$src" | head -1)"
    msvc_libs=()
    for lib in "${winlibs[@]}"; do
        case $lib in
            -l*) msvc_libs+=("$AIO_MINGW_LIBS/lib${lib#-l}.a") ;;
            *) msvc_libs+=("$lib") ;;
        esac
    done
    if ! "$mingw_cc" "${flags[@]}" -Iinclude -Itests/c "$src" -L"$out/win" -laio "${winlibs[@]}" -o "$out/win/$name.exe" \
        2>"$out/win/$name.build"; then
        ok=0; why="mingw build failed: $(head -5 "$out/win/$name.build")"
    elif ! build_msvc "$src" "$name" "${msvc_lang[@]}" "${flags[@]}"; then
        ok=0; why="msvc build failed: $(head -5 "$out/msvc/$name.build")"
    fi
    if [ $ok = 1 ] && [ $oracle = 1 ]; then
        if ! "$linux_cc" "${flags[@]}" -Itests/c "$src" -laio -lpthread -o "$out/linux/$name" 2>"$out/linux/$name.build"; then
            ok=0; why="linux build failed: $(head -5 "$out/linux/$name.build")"
        else
            d=$out/run/$name-linux; rm -rf "$d" && mkdir -p "$d"
            ( cd "$d" && eval "$setup"; timeout 120 "$out/linux/$name" >stdout 2>stderr; echo $? >rc )
            [ "$(cat "$d/rc")" = 0 ] || { ok=0; why="linux run exited $(cat "$d/rc"): $(tail -3 "$d/stdout") $(tail -3 "$d/stderr")"; }
        fi
    fi
    if [ $ok = 1 ]; then
        for build in win msvc; do
            for mode in default overlapped; do
                d=$out/run/$name-$build-$mode
                run_win "$build" "$name" "$mode" "$d" "$setup"
                # Wine could not start the process at all (see AIO_WINE in
                # scripts/env.sh): not the test's failure, but still a
                # failure, named as what it is.
                if [ "$(cat "$d/rc")" = 1 ] && [ ! -s "$d/stdout" ] && grep -q "$AIO_WINE_START_FAILURE" "$d/stderr"; then
                    ok=0; why="$build ($mode): Wine could not start the process, before any Windows code ran: $(grep "$AIO_WINE_START_FAILURE" "$d/stderr")"
                    break 2
                fi
                if [ "$(cat "$d/rc")" != 0 ]; then
                    ok=0; why="$build ($mode) exited $(cat "$d/rc"): $(tail -3 "$d/stdout") $(tail -3 "$d/stderr")"
                    [ -s "$d/stdout" ] || why="$why (nothing printed; free space: $(df -h --output=avail . | tail -1))"
                    break 2
                fi
                if [ $oracle = 1 ] && ! diff -u "$out/run/$name-linux/stdout" "$d/stdout" >"$d/diff"; then
                    ok=0; why="$build ($mode) output differs from Linux:
$(head -30 "$d/diff")"; break 2
                fi
            done
        done
    fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name: $why"
    fi
done
echo "c tests: $pass passed, $fail failed"
[ $fail = 0 ]

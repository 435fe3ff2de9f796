#!/usr/bin/env bash
# The C behaviour tests, differentially: every tests/c/*.c is built natively
# against Linux libaio and for Windows against aio.dll; the Windows build runs
# under Wine twice (default engine paths, and every file forced through the
# completion port); each run must exit 0, print no crash, and print exactly
# what the Linux run printed. Windows-only tests (tests/c/win/*.c) have no
# Linux oracle: they must exit 0 in both modes.
#
# A test whose source has a line "RUN: <shell>" runs after that shell
# snippet (in a subshell), e.g. to set a resource limit.
#
# Usage: tests/run-c.sh [NAME...]   (default: all)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/env.sh
dll_dir=${AIO_DLL_DIR:-$AIO_LIB_DIR}
out=$root/build/ctests
mkdir -p "$out/linux" "$out/win" "$out/run"
cp "$dll_dir/aio.dll" "$dll_dir/libaio.dll.a" "$out/win/"

cflags=(-O1 -g -Wall -Wextra -Werror -std=gnu11)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for f in tests/c/*.c tests/c/win/*.c; do
        [ -f "$f" ] && names+=("$(basename "$f" .c)")
    done
fi

pass=0
fail=0
failed=()
aio_persistent_wineserver

# run_win NAME MODE DIR SETUP: runs the Windows build, output in DIR/stdout.
run_win() {
    local name=$1 mode=$2 dir=$3 setup=$4
    rm -rf "$dir" && mkdir -p "$dir"
    ( cd "$dir" && if [ "$mode" = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
      eval "$setup"
      # Wine's own error messages stay on (stderr is not compared): a run that
      # dies before main then says why.
      WINEDEBUG=-all,err+all timeout 120 "${AIO_WINE[@]}" "$out/win/$name.exe" >stdout 2>stderr; echo $? >rc
      # The C runtime writes text-mode stdout with CRLF line ends.
      sed -i 's/\r$//' stdout )
    if grep -q -e "Unhandled page fault" -e "Unhandled exception" -e "wine: Call from" "$dir/stdout" "$dir/stderr"; then
        echo "crash" >"$dir/rc"
    fi
}

for name in "${names[@]}"; do
    if [ -f "tests/c/$name.c" ]; then src=tests/c/$name.c; oracle=1; else src=tests/c/win/$name.c; oracle=0; fi
    ok=1
    why=""
    setup=$(sed -n 's/.*RUN: \(.*\)$/\1/p' "$src" | head -1)
    if ! x86_64-w64-mingw32-gcc "${cflags[@]}" -Iinclude -Itests/c "$src" -L"$out/win" -laio -o "$out/win/$name.exe" 2>"$out/win/$name.build"; then
        ok=0; why="windows build failed: $(head -5 "$out/win/$name.build")"
    fi
    if [ $ok = 1 ] && [ $oracle = 1 ]; then
        if ! gcc "${cflags[@]}" -Itests/c "$src" -laio -lpthread -o "$out/linux/$name" 2>"$out/linux/$name.build"; then
            ok=0; why="linux build failed: $(head -5 "$out/linux/$name.build")"
        else
            d=$out/run/$name-linux; rm -rf "$d" && mkdir -p "$d"
            ( cd "$d" && eval "$setup"; timeout 120 "$out/linux/$name" >stdout 2>stderr; echo $? >rc )
            [ "$(cat "$d/rc")" = 0 ] || { ok=0; why="linux run exited $(cat "$d/rc"): $(tail -3 "$d/stdout") $(tail -3 "$d/stderr")"; }
        fi
    fi
    if [ $ok = 1 ]; then
        for mode in default overlapped; do
            d=$out/run/$name-win-$mode
            run_win "$name" "$mode" "$d" "$setup"
            # Wine could not start the process at all (see AIO_WINE in
            # scripts/env.sh): not the test's failure, but still a failure,
            # named as what it is.
            if [ "$(cat "$d/rc")" = 1 ] && [ ! -s "$d/stdout" ] && grep -q "$AIO_WINE_START_FAILURE" "$d/stderr"; then
                ok=0; why="windows ($mode): Wine could not start the process, before any Windows code ran: $(grep "$AIO_WINE_START_FAILURE" "$d/stderr")"
                break
            fi
            if [ "$(cat "$d/rc")" != 0 ]; then
                ok=0; why="windows ($mode) exited $(cat "$d/rc"): $(tail -3 "$d/stdout") $(tail -3 "$d/stderr")"
                [ -s "$d/stdout" ] || why="$why (nothing printed; free space: $(df -h --output=avail . | tail -1))"
                break
            fi
            if [ $oracle = 1 ] && ! diff -u "$out/run/$name-linux/stdout" "$d/stdout" >"$d/diff"; then
                ok=0; why="windows ($mode) output differs from Linux:
$(head -30 "$d/diff")"; break
            fi
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

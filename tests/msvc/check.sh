#!/usr/bin/env bash
# tests/msvc/crt0.c, the startup of every MSVC-ABI test program: built with
# msvc_cc/msvc_link (scripts/env.sh) and run under Wine, a C program sees
# its constructor, argv, environment, atexit handler and a flushed stdout,
# and exits with main's status; a C++ program's global object is
# constructed before main and destroyed after it.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh
out=$root/build/msvc
mkdir -p "$out"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   msvc: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL msvc: $1"; }
aio_persistent_wineserver

# build NAME SOURCE [compiler flags...]
build() {
    local name=$1 src=$2; shift 2
    msvc_cc -Wall -Wextra -Werror -c "$AIO_MSVC_CRT0" -o "$out/crt0.obj" 2>"$out/$name.build" &&
        msvc_cc -Wall -Wextra -Werror "$@" -c "$src" -o "$out/$name.obj" 2>>"$out/$name.build" &&
        msvc_link "$out/crt0.obj" "$out/$name.obj" /out:"$out/$name.exe" >>"$out/$name.build" 2>&1
}

if build crt0_check tests/msvc/crt0_check.c -std=c11; then
    (cd "$out" && CRT0_CHECK=env WINEDEBUG=-all,err+all timeout 60 "${AIO_WINE[@]}" ./crt0_check.exe one "two words" >crt0_check.out 2>crt0_check.err
     echo $? >crt0_check.rc)
    sed -i 's/\r$//' "$out/crt0_check.out"
    expected='constructor ran: 1
argc: 3
argv[1]: one
argv[2]: two words
argv[argc] is NULL: 1
environment: env
last line, unflushedatexit handler ran'
    if [ "$(cat "$out/crt0_check.out")" = "$expected" ]; then ok "C startup: constructor, argv, environment, atexit, flush at exit"
    else bad "C startup output:"; diff <(echo "$expected") "$out/crt0_check.out"; cat "$out/crt0_check.err"; fi
    if [ "$(cat "$out/crt0_check.rc")" = 7 ]; then ok "exit status is main's"
    else bad "exit status $(cat "$out/crt0_check.rc"), expected 7"; fi
else
    bad "C build"; head -20 "$out/crt0_check.build"
fi

if build crt0_check_cxx tests/msvc/crt0_check_cxx.cpp -x c++ -std=c++17; then
    (cd "$out" && WINEDEBUG=-all,err+all timeout 60 "${AIO_WINE[@]}" ./crt0_check_cxx.exe >crt0_check_cxx.out 2>crt0_check_cxx.err
     echo $? >crt0_check_cxx.rc)
    sed -i 's/\r$//' "$out/crt0_check_cxx.out"
    expected='global constructed: 42
destructor ran'
    if [ "$(cat "$out/crt0_check_cxx.out")" = "$expected" ] && [ "$(cat "$out/crt0_check_cxx.rc")" = 3 ]; then
        ok "C++ startup: global constructor and destructor, exit status"
    else bad "C++ startup (exit $(cat "$out/crt0_check_cxx.rc")):"; diff <(echo "$expected") "$out/crt0_check_cxx.out"; cat "$out/crt0_check_cxx.err"; fi
else
    bad "C++ build"; head -20 "$out/crt0_check_cxx.build"
fi
echo "msvc checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# Wine's silent exit 1, reproduced without the library: a plain Win32
# program (plain_thread.c) started while the page at 0x7ffe0000, where Wine
# must map KUSER_SHARED_DATA, is taken on the Unix side (as Debian's wine64,
# which has no preloader, finds it about once in 8,000 starts when the
# kernel's randomised brk heap lands there). Checks that Wine then exits 1
# before any Windows code, printing only the line scripts/env.sh's
# AIO_WINE_START_FAILURE names on its err channel, and nothing with
# WINEDEBUG=-all. Ends with "wine-repro: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh
out=build/wine-repro
mkdir -p "$out"
gcc -O1 -shared -fPIC tools/wine-repro/occupy_shared_user_data.c -o "$out/occupy.so" &&
    x86_64-w64-mingw32-gcc -O1 tools/wine-repro/plain_thread.c -o "$out/plain_thread.exe" ||
    { echo "wine-repro: 0 passed, 1 failed"; exit 1; }
pass=0 fail=0
check() { # NAME CONDITION-RESULT
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}
(cd "$out" && OCCUPY=map LD_PRELOAD=$root/$out/occupy.so WINEDEBUG=-all timeout 60 wine ./plain_thread.exe >silent.out 2>silent.err; echo $? >silent.rc)
[ "$(cat "$out/silent.rc")" = 1 ] && [ ! -s "$out/silent.out" ] && [ ! -s "$out/silent.err" ]
check "page taken, WINEDEBUG=-all: exit 1, nothing printed" $?
(cd "$out" && OCCUPY=map LD_PRELOAD=$root/$out/occupy.so WINEDEBUG=-all,err+all timeout 60 wine ./plain_thread.exe >named.out 2>named.err; echo $? >named.rc)
[ "$(cat "$out/named.rc")" = 1 ] && [ ! -s "$out/named.out" ] && grep -q "$AIO_WINE_START_FAILURE" "$out/named.err"
check "page taken, err channel on: exit 1 and the runner's signature" $?
(cd "$out" && timeout 60 "${AIO_WINE[@]}" ./plain_thread.exe >plain.out 2>plain.err; echo $? >plain.rc)
[ "$(cat "$out/plain.rc")" = 7 ]
check "page free, under AIO_WINE: the program's own status (7)" $?
echo "wine-repro: $pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# Every test, on a fresh Debian 12 machine (installs what it needs first):
#   1. formatting (cargo fmt --check) and lints (cargo clippy -D warnings)
#   2. aio.dll, its import libraries and libaio.a, for x86_64-pc-windows-gnu
#   3. Rust unit and property tests, run under Wine through cargo's runner
#   4. Wine's start failure reproduced without the library (tools/wine-repro)
#   5. include/libaio.h compiled as C and C++ in every configuration, with
#      mingw-w64 and in MSVC mode; the MSVC-ABI test startup (tests/msvc)
#   6. the C behaviour tests: each built natively against Linux libaio, with
#      mingw-w64 and as an MSVC-ABI program against aio.dll, the Windows builds
#      run under Wine in both engine modes, outputs compared with Linux's
#   7. the reliability suite (soak, flatness, races, fuzzing, faults)
#   8. the release archive (scripts/dist.sh) unpacked and consumed: CMake
#      (mingw and MSVC ABI), pkg-config, -static, an MSVC-ABI program, import
#      libraries against the DLL's exports
#   9. no heap allocation on the I/O path (a counting build of aio.dll)
#  10. fio (Debian's fio 3.33 source, built for Windows with its libaio
#      engine, linked -static with libaio.a) running verifying jobs, in both
#      engine modes
#  11. DeepSpeed's aio core (PyPI sdist) built unchanged three ways, moving
#      data through its O_DIRECT paths
#  12. the main job's program (aio-cp) copying a file through aio.dll
# Ends with one line "tests: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
set +e # setup.sh is strict; here every step is counted instead
passed=0
failed=0
log=build/test-logs
mkdir -p "$log"

# count LABEL PASSED FAILED
count() { passed=$((passed + $2)); failed=$((failed + $3)); echo "== $1: $2 passed, $3 failed"; }

if cargo fmt --all -- --check >"$log/fmt" 2>&1; then count fmt 1 0; else cat "$log/fmt"; count fmt 0 1; fi

if aio_clippy --release "${AIO_BUILD_STD[@]}" --all-targets -- -D warnings >"$log/clippy" 2>&1; then
    count clippy 1 0
else
    grep -E "^(error|warning)" -A8 "$log/clippy" | head -60; count clippy 0 1
fi

if ! scripts/build.sh >"$log/build" 2>&1; then
    cat "$log/build"; count build 0 1
    echo "tests: $passed passed, $failed failed"; exit 1
fi
count build 1 0

# The same target directory as the build: its standard library serves.
aio_cargo test --release "${AIO_BUILD_STD[@]}" \
    >"$log/unit" 2>&1
unit_rc=$?
grep -E "^test |test result" "$log/unit"
unit=$(grep -E "^test result" "$log/unit" | tail -1)
if [ $unit_rc = 0 ] && [ -n "$unit" ]; then
    count "rust unit tests" "$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$unit")" "$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$unit")"
else
    tail -30 "$log/unit"; count "rust unit tests" 0 1
fi

run_counted() { # LABEL COMMAND...: the command's own "N passed, M failed" line
    local label=$1; shift
    "$@" 2>&1 | tee "$log/$label"
    local line; line=$(grep -E "[0-9]+ passed, [0-9]+ failed" "$log/$label" | tail -1)
    if [ -n "$line" ]; then
        count "$label" "$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")" "$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")"
    else
        count "$label" 0 1
    fi
}
run_counted wine-repro tools/wine-repro/repro.sh
run_counted header tests/header/check.sh
run_counted msvc tests/msvc/check.sh
run_counted c-tests tests/run-c.sh
run_counted reliability tests/reliability/check.sh
run_counted package tests/package/check.sh
run_counted alloc tests/alloc/check.sh
run_counted fio tests/fio/check.sh
run_counted deepspeed tests/deepspeed/check.sh

if scripts/demo.sh 16 65536 8 >"$log/demo" 2>&1 && grep -q "both copies are identical" "$log/demo"; then
    count demo 1 0
else
    tail -20 "$log/demo"; count demo 0 1
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ]

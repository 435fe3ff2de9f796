#!/usr/bin/env bash
# The standard comparison, in one run: aio-bench's standard set (4 KiB random
# reads at depth 1, 32 and 128 on a page-cached file, 4 KiB random writes at
# depth 32, 128 KiB sequential reads at depth 8; each buffered and O_DIRECT),
# engines alternated within each round, medians of RUNS rounds:
#   - natively, Linux libaio;
#   - under Wine: aio.dll (libaio engine), raw IOCP, synchronous positional.
# Prints one table with the ratios the targets speak of, writes it as JSON to
# build/bench/compare.json and plots IOPS against queue depth to
# build/bench/iops-vs-depth.png.
#
# Usage: scripts/bench.sh [runs=3] [quick=1]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
scripts/build.sh >/dev/null 2>&1 || scripts/build.sh
lib=target/x86_64-pc-windows-gnu/release
out=build/bench
mkdir -p "$out"
cp "$lib/aio.dll" "$out/"
x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Iinclude bench/aio-bench.c -L"$lib" -laio -o "$out/aio-bench.exe"
gcc -O2 -Wall -Wextra bench/aio-bench.c -laio -lpthread -lm -o "$out/aio-bench"
# The plot is optional: without matplotlib the report says so and the
# figures are all there.
if ! python3 -c "import matplotlib" 2>/dev/null && ! pip install -q matplotlib >"$out/pip.log" 2>&1; then
    echo "bench: could not install matplotlib (see $out/pip.log): no plot" >&2
fi
echo "machine: $(nproc) cores, $(uname -r), $(wine --version), $(date -u +%Y-%m-%d)" | tee "$out/machine.txt"
(cd "$out" && ./aio-bench compare json=1 "$@" bench.dat >linux.json)
(cd "$out" && "${AIO_WINE[@]}" ./aio-bench.exe compare json=1 "$@" bench.dat | tr -d '\r' >windows.json)
python3 scripts/bench_report.py "$out"

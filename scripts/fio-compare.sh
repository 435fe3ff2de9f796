#!/usr/bin/env bash
# fio itself, in one run: fio 3.33 built for Windows (scripts/fio-build.sh)
# with its libaio engine on this library (libaio.a), beside fio's windowsaio and psync
# engines under Wine, and Debian's native fio on Linux libaio, on the same
# 1 GiB file, over aio-bench's standard set (buffered and O_DIRECT).
# Medians of RUNS alternating rounds of RUNTIME seconds each; the table is
# also written to build/bench/fio-compare.json.
#
# Usage: scripts/fio-compare.sh [runs=3] [runtime=2]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
dpkg-query -W -f='${Status}' fio 2>/dev/null | grep -q 'install ok installed' ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fio >/dev/null; }
scripts/build.sh >/dev/null 2>&1 || scripts/build.sh
fio_exe=$(scripts/fio-build.sh)
out=build/bench
mkdir -p "$out"
cd "$out"
# The file, written once (preallocated for the write jobs) and in the page cache.
if [ ! -f fio.dat ] || [ "$(stat -c %s fio.dat)" != 1073741824 ]; then
    fio --name=layout --filename=fio.dat --size=1g --rw=write --bs=1m --ioengine=psync >/dev/null
fi
cat fio.dat >/dev/null
echo "machine: $(nproc) cores, $(uname -r), $(wine --version), fio 3.33, $(date -u +%Y-%m-%d)"
python3 "$root/scripts/fio_compare.py" "$fio_exe" fio.dat "${1:-3}" "${2:-2}" fio-compare.json

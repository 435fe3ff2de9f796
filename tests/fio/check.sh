#!/usr/bin/env bash
# fio, a real libaio program, on this library under Wine: fio 3.33 built for
# Windows with its libaio engine, linked -static with libaio.a
# (scripts/fio-build.sh), running jobs that
# verify every byte they wrote (crc32c), buffered and O_DIRECT, at depth 1
# and 32, with fio's batching options, user-space ring reaping, fsync
# through IO_CMD_FSYNC, and the whole set again with every file forced
# through the completion port. A job passes when fio exits 0 and reports
# err=0 and no verify failure.
#
# Usage: tests/fio/check.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh
fio=$(scripts/fio-build.sh) || { echo "FAIL fio: could not build fio"; exit 1; }
run=$root/build/fio/run
rm -rf "$run" && mkdir -p "$run"
pass=0 fail=0

# job NAME [fio options...]: one fio job on its own file.
job() {
    local name=$1; shift
    local out=$run/$name.out
    (cd "$run" && timeout 300 "${AIO_WINE[@]}" "$fio" --thread --name="$name" --filename="$name.dat" --ioengine=libaio \
        --size=16m --bs=4k "$@" >"$out" 2>&1)
    local rc=$?
    tr -d '\r' <"$out" >"$out.txt"
    if [ $rc = 0 ] && grep -q "err= 0" "$out.txt" && ! grep -qiE "verify: bad|bad magic|crc32c: verify failed|fio: pid=.*err=" "$out.txt"; then
        pass=$((pass + 1)); echo "ok   fio: $name"
    else
        fail=$((fail + 1)); echo "FAIL fio: $name (exit $rc)"; grep -vE "^\s*$" "$out.txt" | tail -15
    fi
    rm -f "$run/$name.dat"
}

for mode in default overlapped; do
    if [ $mode = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
    job "$mode-randwrite-verify-qd1" --rw=randwrite --iodepth=1 --verify=crc32c --do_verify=1
    job "$mode-randwrite-verify-qd32" --rw=randwrite --iodepth=32 --verify=crc32c --do_verify=1
    job "$mode-direct-randwrite-verify-qd32" --rw=randwrite --direct=1 --iodepth=32 --verify=crc32c --do_verify=1
    job "$mode-direct-write-verify-64k" --rw=write --direct=1 --bs=64k --iodepth=8 --verify=crc32c --do_verify=1
    job "$mode-batched-verify" --rw=randwrite --iodepth=64 --iodepth_batch_submit=16 \
        --iodepth_batch_complete_min=4 --iodepth_batch_complete_max=32 --verify=crc32c --do_verify=1
    job "$mode-userspace-reap-verify" --rw=randwrite --iodepth=32 --userspace_reap=1 \
        --iodepth_batch_complete_min=1 --verify=crc32c --do_verify=1
    job "$mode-fsync-every-8" --rw=randwrite --iodepth=16 --fsync=8 --verify=crc32c --do_verify=1
    job "$mode-randrw-mix" --rw=randrw --rwmixread=70 --iodepth=16 --number_ios=4000
    unset LIBAIO_WIN32_FORCE_OVERLAPPED
done
echo "fio checks: $pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# The reliability suite (issue 9, item 7): soak, flatness, races, a fuzzer
# and faults, each program one behaviour. Every program is built natively
# against Linux libaio and with mingw against aio.dll (from
# ${AIO_DLL_DIR:-$AIO_LIB_DIR}); the Windows build runs under Wine in both
# engine modes (default, and LIBAIO_WIN32_FORCE_OVERLAPPED=1).
#
# Kinds of program:
#   diff  Linux is the oracle: both Windows runs must print exactly what the
#         Linux run printed (and every run exit 0);
#   both  runs on Linux and Windows, each checking itself (exit 0);
#   win   Windows only (exit 0).
# Figures (I/Os, seconds, counts) are what the programs print on stderr on
# lines starting "figures:"; they are shown under each run's ok/FAIL line.
#
# The faults need a small filesystem that fills up: an 8 MiB tmpfs mounted
# under build/ (root is needed; Wine sees it through Z:\), unmounted at the
# end, also on failure.
#
# Usage: tests/reliability/check.sh [--long] [NAME...]
#   --long   the release/benchmark sizes (soak: 1,000,000 I/Os; more
#            cycles, rounds and fuzz cases); default: the CI sizes, a few
#            minutes in all on a 2-core machine.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
source scripts/env.sh

long=0
names=()
for a in "$@"; do
    case $a in
    --long) long=1 ;;
    -*) echo "usage: $0 [--long] [NAME...]" >&2; exit 2 ;;
    *) names+=("$a") ;;
    esac
done

dll_dir=${AIO_DLL_DIR:-$AIO_LIB_DIR}
out=$root/build/reliability
mkdir -p "$out/linux" "$out/win" "$out/run"
cp "$dll_dir/aio.dll" "$dll_dir/libaio.dll.a" "$out/win/"
cflags=(-O2 -g -Wall -Wextra -Werror -std=gnu11)

# NAME KIND PLACE "DEFAULT ARGS" "LONG ARGS"
# PLACE: disk (a directory under build/) or tmpfs (the small filesystem).
programs=(
    "soak both disk 100000 1000000"
    "flatness both disk '10000 1000' '100000 10000'"
    "race_destroy both disk 40 400"
    "race_double_destroy diff disk 500 5000"
    "race_fd_reuse both disk 2000 20000"
    "race_same_iocb diff disk '' ''"
    "fuzz_diff diff disk '1 3000' '1 30000'"
    "fuzz_chaos both disk '2 3000' '2 100000'"
    "fault_enospc diff tmpfs '' ''"
    "fault_delete_inflight both disk 20 200"
)

pass=0
fail=0
failed=()
report() { # OK NAME MODE WHY FIGURES_FILE
    local ok=$1 name=$2 mode=$3 why=$4 figs=$5
    if [ "$ok" = 1 ]; then
        pass=$((pass + 1)); echo "ok   $name ($mode)"
    else
        fail=$((fail + 1)); failed+=("$name ($mode)"); echo "FAIL $name ($mode): $why"
    fi
    if [ -n "$figs" ] && [ -f "$figs" ]; then
        grep '^figures:' "$figs" | sed 's/^figures:/     /'
    fi
}

# The small filesystem for the faults: mounted on first use.
tmpfs_dir=$out/tmpfs
tmpfs_mounted=0
cleanup() {
    if [ $tmpfs_mounted = 1 ]; then
        umount "$tmpfs_dir" || echo "check: could not unmount $tmpfs_dir" >&2
    fi
}
trap cleanup EXIT
mount_tmpfs() {
    [ $tmpfs_mounted = 1 ] && return 0
    mkdir -p "$tmpfs_dir"
    if mountpoint -q "$tmpfs_dir"; then umount "$tmpfs_dir" || return 1; fi
    mount -t tmpfs -o size=8m tmpfs "$tmpfs_dir" || return 1
    tmpfs_mounted=1
}
# A fresh, empty directory to run in.
run_dir() { # NAME MODE PLACE
    local d
    if [ "$3" = tmpfs ]; then
        rm -rf "${tmpfs_dir:?}"/* && d=$tmpfs_dir/$1-$2
    else
        d=$out/run/$1-$2
    fi
    rm -rf "$d" && mkdir -p "$d" && echo "$d"
}

# run NAME MODE PLACE TIMEOUT ARGS...: runs one build, leaves DIR/stdout,
# DIR/stderr, DIR/rc ("crash" when Wine reported one) and echoes DIR.
run() {
    local name=$1 mode=$2 place=$3 limit=$4 d
    shift 4
    d=$(run_dir "$name" "$mode" "$place") || return 1
    (
        cd "$d"
        if [ "$mode" = linux ]; then
            timeout "$limit" "$out/linux/$name" "$@" >stdout 2>stderr; echo $? >rc
        else
            if [ "$mode" = overlapped ]; then export LIBAIO_WIN32_FORCE_OVERLAPPED=1; fi
            WINEDEBUG=-all,err+all timeout "$limit" "${AIO_WINE[@]}" "$out/win/$name.exe" "$@" >stdout 2>stderr; echo $? >rc
            sed -i 's/\r$//' stdout stderr
            if grep -q -e "Unhandled page fault" -e "Unhandled exception" -e "wine: Call from" stdout stderr; then
                echo crash >rc
            fi
        fi
    )
    # Keep the outputs where the disk is (the tmpfs is cleared for the next run).
    if [ "$place" = tmpfs ]; then
        mkdir -p "$out/run/$name-$mode" && cp "$d/stdout" "$d/stderr" "$d/rc" "$out/run/$name-$mode/"
        d=$out/run/$name-$mode
    fi
    echo "$d"
}

why_of() { # DIR: why a run failed
    local d=$1 rc
    rc=$(cat "$d/rc")
    case $rc in
    124) echo "timed out (hung): $(tail -3 "$d/stdout" | tr '\n' ' ')" ;;
    crash) echo "crashed: $(grep -h -m2 -e "Unhandled" -e "wine: Call from" "$d/stdout" "$d/stderr" | tr '\n' ' ')" ;;
    *) echo "exited $rc: $(grep -h -m3 FAILED "$d/stdout" | tr '\n' ' ')$(grep -q FAILED "$d/stdout" || tail -3 "$d/stdout" "$d/stderr" | tr '\n' ' ')" ;;
    esac
}

build() { # NAME SRC KIND: builds what KIND needs; echoes why not, if not
    local name=$1 src=$2 kind=$3
    if ! x86_64-w64-mingw32-gcc "${cflags[@]}" -Iinclude -Itests/c "$src" -L"$out/win" -laio \
        -o "$out/win/$name.exe" 2>"$out/win/$name.build"; then
        echo "windows build failed: $(head -5 "$out/win/$name.build")"; return 1
    fi
    if [ "$kind" != win ] && ! gcc "${cflags[@]}" -Itests/c "$src" -laio -lpthread -o "$out/linux/$name" \
        2>"$out/linux/$name.build"; then
        echo "linux build failed: $(head -5 "$out/linux/$name.build")"; return 1
    fi
}

aio_persistent_wineserver
start=$(date +%s)
for entry in "${programs[@]}"; do
    eval "set -- $entry"
    name=$1 kind=$2 place=$3 args=$4
    [ $long = 1 ] && args=$5
    if [ ${#names[@]} -gt 0 ] && ! printf '%s\n' "${names[@]}" | grep -qx "$name"; then continue; fi
    src=tests/reliability/$name.c
    limit=$([ $long = 1 ] && echo 3000 || echo 300)
    if ! why=$(build "$name" "$src" "$kind"); then report 0 "$name" build "$why" ""; continue; fi
    if [ "$place" = tmpfs ] && ! mount_tmpfs; then
        report 0 "$name" setup "could not mount an 8 MiB tmpfs at $tmpfs_dir (root needed)" ""; continue
    fi
    linux_dir=""
    if [ "$kind" != win ]; then
        # shellcheck disable=SC2086 # ARGS are words
        linux_dir=$(run "$name" linux "$place" "$limit" $args)
        if [ "$(cat "$linux_dir/rc")" = 0 ]; then
            report 1 "$name" linux "" "$linux_dir/stderr"
        else
            report 0 "$name" linux "$(why_of "$linux_dir")" "$linux_dir/stderr"
        fi
    fi
    for mode in default overlapped; do
        # shellcheck disable=SC2086
        d=$(run "$name" "$mode" "$place" "$limit" $args)
        ok=1 why=""
        if [ "$(cat "$d/rc")" != 0 ]; then
            ok=0; why=$(why_of "$d")
        elif [ "$kind" = diff ] && ! diff -u "$linux_dir/stdout" "$d/stdout" >"$d/diff"; then
            ok=0; why="output differs from Linux:
$(head -30 "$d/diff")"
        fi
        report $ok "$name" "$mode" "$why" "$d/stderr"
    done
done

# The file-size limit's errno, Linux's side: the Windows side is the
# Windows-only behaviour test tests/c/win/fsize_limit.c (Wine's -EIO); the
# same source built natively must give Linux's -EFBIG.
if [ ${#names[@]} -eq 0 ] || printf '%s\n' "${names[@]}" | grep -qx fsize_limit; then
    if gcc "${cflags[@]}" -Itests/c tests/c/win/fsize_limit.c -laio -lpthread -o "$out/linux/fsize_limit" \
        2>"$out/linux/fsize_limit.build"; then
        d=$(run_dir fsize_limit linux disk)
        (cd "$d" && trap '' XFSZ && ulimit -f 256 && timeout 60 "$out/linux/fsize_limit" >stdout 2>stderr; echo $? >rc)
        if [ "$(cat "$d/rc")" = 0 ] && grep -q -- "-EFBIG" "$d/stdout"; then
            report 1 fsize_limit linux "" ""
        else
            report 0 fsize_limit linux "$(why_of "$d")" ""
        fi
    else
        report 0 fsize_limit build "linux build failed: $(head -5 "$out/linux/fsize_limit.build")" ""
    fi
fi

echo "reliability suite: $(($(date +%s) - start)) s"
[ $fail = 0 ] || printf 'failed: %s\n' "${failed[@]}"
echo "reliability checks: $pass passed, $fail failed"
[ $fail = 0 ]

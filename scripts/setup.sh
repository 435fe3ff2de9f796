#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian 12 machine, idempotently:
# Debian's Rust (with the standard library's source, for build-std), the mingw-w64
# cross compilers, Wine, Linux libaio, and a Wine prefix holding a bcryptprimitives.dll
# stand-in (Wine 8.0 lacks it; Rust's std imports ProcessPrng from it).
# Source it or run it; the settings themselves live in scripts/env.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_pkgs=()
for p in rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 libaio-dev gcc g++ make curl python3-pip \
    clang-19 lld-19 llvm-19 libwine-dev cmake pkgconf python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "setup: installing ${need_pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

source "$here/scripts/env.sh"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "setup: creating Wine prefix $WINEPREFIX" >&2
    # wineboot's own exit status says nothing useful (it reports the
    # missing Mono and Gecko it was told to skip); the prefix's registry
    # is what proves the prefix was made.
    wineboot -i >"$WINEPREFIX.boot.log" 2>&1 || :
    wineserver -w
    [ -f "$WINEPREFIX/system.reg" ] || { cat "$WINEPREFIX.boot.log" >&2; echo "setup: no Wine prefix" >&2; exit 1; }
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
stub="$sys32/bcryptprimitives.dll"
src="$here/tools/wine-prng/bcryptprimitives.c"
if [ ! -f "$stub" ] || [ "$src" -nt "$stub" ]; then
    echo "setup: building the bcryptprimitives.dll stand-in" >&2
    x86_64-w64-mingw32-gcc -O2 -shared -o "$stub" "$src" "$here/tools/wine-prng/bcryptprimitives.def" -ladvapi32
fi
aio_persistent_wineserver

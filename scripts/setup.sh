#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian 12 machine, idempotently:
# Debian's Rust (with the standard library's source, for build-std), the mingw-w64
# cross compilers, Wine, Linux libaio, and a Wine prefix holding a bcryptprimitives.dll
# stand-in (Wine 8.0 lacks it; Rust's std imports ProcessPrng from it).
# Source it or run it; it prints the environment it set up with `--env`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need_pkgs=()
for p in rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 libaio-dev gcc make curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "setup: installing ${need_pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q "${need_pkgs[@]}" >/dev/null
fi

export WINEPREFIX=${WINEPREFIX:-$HOME/.wine-libaio-win32}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "setup: creating Wine prefix $WINEPREFIX" >&2
    wineboot -i >/dev/null 2>&1 || true
    wineserver -w || true
fi
sys32="$WINEPREFIX/drive_c/windows/system32"
stub="$sys32/bcryptprimitives.dll"
src="$here/tools/wine-prng/bcryptprimitives.c"
if [ ! -f "$stub" ] || [ "$src" -nt "$stub" ]; then
    echo "setup: building the bcryptprimitives.dll stand-in" >&2
    x86_64-w64-mingw32-gcc -O2 -shared -o "$stub" "$src" "$here/tools/wine-prng/bcryptprimitives.def" -ladvapi32
fi
# One persistent wineserver for everything that follows. Left to itself it
# exits 3 s after its last client, and a client that connects while it is
# going away can die before main (a suspect for an unexplained CI failure:
# exit 1, nothing printed).
wineserver -p 2>/dev/null || true

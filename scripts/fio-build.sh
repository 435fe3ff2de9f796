#!/usr/bin/env bash
# Builds fio for Windows with its libaio engine against aio.dll, as a Linux
# program's port would be built: fio's own sources unchanged, its libaio
# engine compiled against include/libaio.h, linked with -laio. The source is
# Debian's fio 3.33 (its orig tarball, checked against Debian's SHA-256),
# fetched once into build/fio.
#
# Two things fio's Windows build needs that are fio's own, not the header's:
#   - fio links with -static, under which ld looks for libaio.a only: the
#     import library is offered under that name in a private directory, so
#     fio.exe still loads aio.dll;
#   - fio's cmdprio.c, built with the libaio engine, uses Linux's
#     IOPRIO_CLASS_RT, which fio's Windows layer lacks (1, as on Linux).
#
# Prints the path of fio.exe. Usage: scripts/fio-build.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=3.33
sha256=d2410e13e0f379d061d077cc5ae325835bb7c6186aa7bafc1df954cbc9b014fc
url=http://deb.debian.org/debian/pool/main/f/fio/fio_$version.orig.tar.gz
dir=build/fio
src=$dir/fio-$version
lib=target/x86_64-pc-windows-gnu/release
[ -f "$lib/aio.dll" ] || scripts/build.sh >/dev/null
mkdir -p "$dir"
if [ ! -f "$dir/fio.tar.gz" ] || ! echo "$sha256  $dir/fio.tar.gz" | sha256sum -c --quiet 2>/dev/null; then
    echo "fio-build: fetching $url" >&2
    curl -sSfL --retry 3 -m 300 -o "$dir/fio.tar.gz.part" "$url"
    echo "$sha256  $dir/fio.tar.gz.part" | sha256sum -c --quiet
    mv "$dir/fio.tar.gz.part" "$dir/fio.tar.gz"
fi
# Rebuilt when the header changes; aio.dll itself is loaded at run time.
if [ ! -f "$src/fio.exe" ] || [ include/libaio.h -nt "$src/fio.exe" ] || [ include/sys/uio.h -nt "$src/fio.exe" ]; then
    rm -rf "$src"
    tar -xzf "$dir/fio.tar.gz" -C "$dir"
    mkdir -p "$dir/lib"
    cp "$lib/libaio.dll.a" "$dir/lib/libaio.a"
    echo "fio-build: building fio $version for Windows (libaio engine on aio.dll)" >&2
    (cd "$src" &&
        ./configure --cc=x86_64-w64-mingw32-gcc --disable-native \
            --extra-cflags="-I$root/include -L$root/$dir/lib -DIOPRIO_CLASS_RT=1" >"$root/$dir/configure.log" 2>&1 &&
        grep -q '^CONFIG_LIBAIO=y' config-host.mak &&
        make -j"$(nproc)" fio EXTLIBS="-L$root/$dir/lib" >"$root/$dir/make.log" 2>&1) || {
        echo "fio-build: failed; see $dir/configure.log and $dir/make.log" >&2
        tail -20 "$dir/make.log" >&2 2>/dev/null || tail -20 "$dir/configure.log" >&2
        exit 1
    }
fi
cp "$lib/aio.dll" "$src/"
echo "$root/$src/fio.exe"

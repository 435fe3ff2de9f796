#!/usr/bin/env bash
# Builds fio for Windows with its libaio engine on the library, as a Linux
# program's port would be built: fio's own sources unchanged, its libaio
# engine compiled against include/libaio.h, linked with -laio. The source is
# Debian's fio 3.33 (its orig tarball, checked against Debian's SHA-256),
# fetched once into build/fio.
#
# fio's Windows build links with -static, so -laio is the static library
# (libaio.a, the crate as a staticlib), the way a -static program uses it:
#   - compiled with -DLIBAIO_WIN32_STATIC (no __declspec(dllimport)), in
#     configure's probes too;
#   - linked with the system libraries it needs (packaging/static-system-libs),
#     after -laio: given to configure as LIBS (its probe links "-laio $LIBS")
#     and to make in the libaio engine's libraries (libaio_LIBS), which fio's
#     link puts last;
#   - offered alone in a private directory, where -laio finds nothing else.
# fio.exe then carries the library and loads no aio.dll.
# And one thing fio's Windows build needs that is fio's own: its cmdprio.c,
# built with the libaio engine, uses Linux's IOPRIO_CLASS_RT, which fio's
# Windows layer lacks (1, as on Linux).
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
[ -f "$lib/libaio.a" ] || scripts/build.sh >/dev/null
system_libs=$(grep -v '^#' packaging/static-system-libs | sed 's/^/-l/' | tr '\n' ' ')
mkdir -p "$dir"
if [ ! -f "$dir/fio.tar.gz" ] || ! echo "$sha256  $dir/fio.tar.gz" | sha256sum -c --quiet 2>/dev/null; then
    echo "fio-build: fetching $url" >&2
    curl -sSfL --retry 3 -m 300 -o "$dir/fio.tar.gz.part" "$url"
    echo "$sha256  $dir/fio.tar.gz.part" | sha256sum -c --quiet
    mv "$dir/fio.tar.gz.part" "$dir/fio.tar.gz"
fi
# Rebuilt when the headers or the library change.
if [ ! -f "$src/fio.exe" ] || [ -n "$(find include -newer "$src/fio.exe" -print -quit)" ] ||
    [ "$lib/libaio.a" -nt "$src/fio.exe" ] || [ packaging/static-system-libs -nt "$src/fio.exe" ]; then
    rm -rf "$src" "$dir/lib"
    tar -xzf "$dir/fio.tar.gz" -C "$dir"
    mkdir -p "$dir/lib"
    cp "$lib/libaio.a" "$dir/lib/libaio.a"
    echo "fio-build: building fio $version for Windows (libaio engine, linked with libaio.a)" >&2
    (cd "$src" &&
        LIBS="$system_libs" ./configure --cc=x86_64-w64-mingw32-gcc --disable-native \
            --extra-cflags="-I$root/include -L$root/$dir/lib -DLIBAIO_WIN32_STATIC -DIOPRIO_CLASS_RT=1" >"$root/$dir/configure.log" 2>&1 &&
        grep -q '^CONFIG_LIBAIO=y' config-host.mak &&
        make -j"$(nproc)" fio EXTLIBS="-L$root/$dir/lib" libaio_LIBS="-laio $system_libs" >"$root/$dir/make.log" 2>&1) || {
        echo "fio-build: failed; see $dir/configure.log and $dir/make.log" >&2
        tail -20 "$dir/make.log" >&2 2>/dev/null || tail -20 "$dir/configure.log" >&2
        exit 1
    }
fi
# What -static was for: the library is inside fio.exe.
imports=$(x86_64-w64-mingw32-objdump -p "$src/fio.exe")
if grep -qi 'DLL Name: aio\.dll' <<<"$imports"; then
    echo "fio-build: $src/fio.exe imports aio.dll; it should carry libaio.a" >&2
    exit 1
fi
rm -f "$src/aio.dll"
echo "$root/$src/fio.exe"

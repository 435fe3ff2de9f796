#!/usr/bin/env bash
# The release archive: dist/libaio-win32-<version>-x86_64-windows.zip, from a
# fresh clone (installs what it needs through scripts/setup.sh, builds with
# scripts/build.sh). One top folder libaio-win32-<version>-x86_64-windows/:
#   bin/aio.dll
#   lib/aio.lib               import library, MSVC ABI
#   lib/libaio.dll.a          import library, mingw-w64 (-laio)
#   lib/libaio.a              static library, mingw-w64 (-static)
#   lib/cmake/libaio/         find_package(libaio CONFIG), relocatable
#   lib/pkgconfig/libaio.pc   relocatable (${pcfiledir})
#   include/                  the repository's include/ as it is
#   share/doc/libaio-win32/   README.md, LICENSE-MIT, LICENSE-APACHE, USAGE.md
# The version is the crate's. The archive is rebuilt from scratch each run,
# with sorted entries and the last commit's time on every entry and in the
# stripped DLL's header, so the same build gives the same bytes. Prints the
# archive's path.
#
# Usage: scripts/dist.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/setup.sh
scripts/build.sh >&2

# The system libraries a program linking libaio.a needs (see the file).
mapfile -t system_libs < <(grep -v '^#' packaging/static-system-libs)
[ ${#system_libs[@]} -gt 0 ] || { echo "dist: no libraries in packaging/static-system-libs" >&2; exit 1; }

version=$(aio_cargo metadata --no-deps --offline --format-version 1 |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "aio"))')
[[ $version =~ ^([0-9]+)\.([0-9]+)\.[0-9]+$ ]] || { echo "dist: unexpected crate version '$version'" >&2; exit 1; }
major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
name=libaio-win32-$version-x86_64-windows

stage=$root/build/dist
rm -rf "$stage"
top=$stage/$name
mkdir -p "$top/bin" "$top/lib/cmake/libaio" "$top/lib/pkgconfig" "$top/share/doc/libaio-win32"

# The time stamped into the archive: SOURCE_DATE_EPOCH if given, else the last
# commit's, else the earliest a zip file can hold (1980).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null) || SOURCE_DATE_EPOCH=315532800
fi
epoch=$SOURCE_DATE_EPOCH

# The DLL and the static library without their DWARF debug sections (the
# build keeps them, debug = 1, for backtraces in development): 6 MB and 18 MB
# become about 1.3 MB and 12 MB, and static programs stop carrying them.
# strip stamps a PE file with the time of day unless SOURCE_DATE_EPOCH is set.
export SOURCE_DATE_EPOCH
x86_64-w64-mingw32-strip --strip-debug -o "$top/bin/aio.dll" "$AIO_LIB_DIR/aio.dll"
x86_64-w64-mingw32-strip --strip-debug -o "$top/lib/libaio.a" "$AIO_LIB_DIR/libaio.a"
cp "$AIO_LIB_DIR/aio.lib" "$AIO_LIB_DIR/libaio.dll.a" "$top/lib/"
cp -R include "$top/include"

# fill TEMPLATE OUTPUT: the template with its @NAME@ placeholders replaced.
libs_pc=$(printf -- '-l%s ' "${system_libs[@]}")
libs_cmake=$(IFS=';'; echo "${system_libs[*]}")
fill() {
    sed -e "s/@VERSION@/$version/g" -e "s/@VERSION_MAJOR@/$major/g" -e "s/@VERSION_MINOR@/$minor/g" \
        -e "s/@SYSTEM_LIBS_PC@/${libs_pc% }/g" -e "s/@SYSTEM_LIBS_CMAKE@/$libs_cmake/g" "$1" >"$2"
    if grep -q '@[A-Z_]*@' "$2"; then echo "dist: unfilled placeholder in $2" >&2; exit 1; fi
}
fill packaging/libaio-config.cmake.in "$top/lib/cmake/libaio/libaio-config.cmake"
fill packaging/libaio-config-version.cmake.in "$top/lib/cmake/libaio/libaio-config-version.cmake"
fill packaging/libaio.pc.in "$top/lib/pkgconfig/libaio.pc"
fill packaging/USAGE.md "$top/share/doc/libaio-win32/USAGE.md"
cp README.md LICENSE-MIT LICENSE-APACHE "$top/share/doc/libaio-win32/"

mkdir -p dist
python3 packaging/zipdir.py "dist/$name.zip.part" "$stage" "$name" "$epoch"
mv "dist/$name.zip.part" "dist/$name.zip"
echo "$root/dist/$name.zip"

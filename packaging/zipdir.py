"""Writes a zip of one directory, reproducibly: entries sorted, the given
timestamp on every entry, permissions 0644 (0755 for directories and .dll/.exe).

Usage: python3 zipdir.py OUT.zip BASE_DIR TOP_NAME EPOCH_SECONDS
Entries are TOP_NAME/... for everything under BASE_DIR/TOP_NAME."""
import os
import sys
import time
import zipfile


def main() -> None:
    out, base, top, epoch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    # Zip timestamps start in 1980 and have a 2-second resolution.
    stamp = time.gmtime(max(epoch, 315532800))[:6]
    paths = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(base, top)):
        for name in dirnames + filenames:
            paths.append(os.path.relpath(os.path.join(dirpath, name), base))
    paths.append(top)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for rel in sorted(paths):
            full = os.path.join(base, rel)
            arcname = rel.replace(os.sep, "/")
            if os.path.islink(full):
                raise SystemExit(f"zipdir: {full} is a symbolic link")
            if os.path.isdir(full):
                info = zipfile.ZipInfo(arcname + "/", stamp)
                info.external_attr = (0o40755 << 16) | 0x10
                archive.writestr(info, b"")
            else:
                info = zipfile.ZipInfo(arcname, stamp)
                mode = 0o755 if arcname.endswith((".dll", ".exe")) else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(full, "rb") as source:
                    archive.writestr(info, source.read(), compresslevel=9)


if __name__ == "__main__":
    main()

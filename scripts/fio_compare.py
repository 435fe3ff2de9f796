#!/usr/bin/env python3
"""fio itself, engine against engine, in one run (scripts/fio-compare.sh).

Under Wine: fio's libaio engine on aio.dll, fio's windowsaio engine
(overlapped I/O on a completion port) and fio's psync engine (positional
ReadFile/WriteFile). Natively: Debian's fio with its libaio engine on Linux
libaio, on the same file. Engines alternate within each round, so the
machine's drift hits them alike; the table gives medians of the rounds and
the ratios of aio.dll's median to the references'.

A caveat on fio's psync engine under Windows: fio 3.33's pread and pwrite
for Windows (os/windows/posix.c) ignore their offset and move data at the
file's current position, so every "random" psync I/O hits offset 0: for
reads, one cached page again and again (a generous ceiling); for writes, one
page that never leaves the cache, unlike real random writes. aio-bench's
psync engine is the true positional reference.

CPU per I/O counts the whole cost of an I/O under Wine: the fio process's
user and system time (from wait4) plus what the wineserver spent meanwhile
(every completion-port operation is a round trip to it).

Usage: fio_compare.py FIO_EXE FILE RUNS RUNTIME OUT_JSON
"""
import json
import os
import statistics
import subprocess
import sys
import time

STANDARD = [
    # name, rw, bs, iodepth
    ("4k randread qd1", "randread", "4k", 1),
    ("4k randread qd32", "randread", "4k", 32),
    ("4k randread qd128", "randread", "4k", 128),
    ("4k randwrite qd32", "randwrite", "4k", 32),
    ("128k read qd8", "read", "128k", 8),
]
ENGINES = ["libaio", "windowsaio", "psync", "linux-libaio"]


def wineserver_cpu():
    """CPU seconds the wineserver has used so far (0 if none runs)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if not f.read().startswith("wineserver"):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    return total


def run(engine, fio_exe, path, rw, bs, depth, direct, runtime):
    common = [
        "--name=job", f"--filename={path}", f"--rw={rw}", f"--bs={bs}", f"--iodepth={depth}",
        f"--direct={direct}", f"--runtime={runtime}", "--time_based", "--output-format=json",
        "--randrepeat=0", "--norandommap",
        # fio drops the file's cached pages before a job by default (on Linux;
        # it cannot on Windows): the buffered jobs measure a page-cached file.
        "--invalidate=0",
    ]
    under_wine = engine != "linux-libaio"
    if under_wine:
        cmd = ["wine", fio_exe, "--thread", f"--ioengine={engine}"] + common
        server_before = wineserver_cpu()
    else:
        cmd = ["fio", "--ioengine=libaio"] + common
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    server = wineserver_cpu() - server_before if under_wine else 0.0
    if status != 0:
        return None
    text = out.decode(errors="replace")
    doc = json.loads(text[text.index("{"):])
    job = doc["jobs"][0]
    side = job["write"] if rw.endswith("write") else job["read"]
    ios = side["total_ios"]
    if not ios:
        return None
    cpu = usage.ru_utime + usage.ru_stime + server
    return {"iops": side["iops"], "cpu_us_per_io": cpu / ios * 1e6}


def main():
    fio_exe, path, runs, runtime, out_json = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    rows = []
    header = f"{'job':<20} {'direct':<6} {'engine':<12} {'IOPS':>10} {'CPU us/IO':>10} {'vs psync':>9} {'vs winaio':>9} {'vs linux':>9}"
    print("note: fio's psync on Windows ignores offsets (fio 3.33 os/windows/posix.c): every I/O at offset 0")
    print(header)
    for direct in (0, 1):
        for name, rw, bs, depth in STANDARD:
            samples = {e: [] for e in ENGINES}
            if not direct:
                with open(path, "rb") as f:  # into the page cache
                    while f.read(1 << 24):
                        pass
            for _ in range(runs):
                for engine in ENGINES:
                    if engine == "psync" and direct:
                        continue  # fio refuses direct=1 with its synchronous engines on Windows
                    r = run(engine, fio_exe, path, rw, bs, depth, direct, runtime)
                    if r:
                        samples[engine].append(r)
            med = {}
            for engine in ENGINES:
                s = samples[engine]
                if s:
                    med[engine] = {
                        "iops": statistics.median(x["iops"] for x in s),
                        "cpu_us_per_io": statistics.median(x["cpu_us_per_io"] for x in s),
                        "runs": [x["iops"] for x in s],
                    }
            ours = med.get("libaio", {}).get("iops")

            def ratio(ref):
                if ours is None or ref not in med or not med[ref]["iops"]:
                    return None
                return ours / med[ref]["iops"]

            ratios = {"vs_psync": ratio("psync"), "vs_windowsaio": ratio("windowsaio"), "vs_linux": ratio("linux-libaio")}
            for engine in ENGINES:
                m = med.get(engine)
                cells = [f"{name:<20}", f"{direct:<6}", f"{engine:<12}"]
                if m is None and engine == "psync" and direct:
                    cells.append(f"{'n/a':>10}   (fio: no direct=1 with psync on Windows)")
                elif m is None:
                    cells.append(f"{'failed':>10}")
                else:
                    cells += [f"{m['iops']:>10.0f}", f"{m['cpu_us_per_io']:>10.2f}"]
                    if engine == "libaio":
                        cells += [f"{r:>8.2f}x" if r else f"{'-':>9}" for r in ratios.values()]
                print(" ".join(cells))
            rows.append({"job": name, "direct": direct, "engines": med, "ratios": ratios})
            sys.stdout.flush()
    with open(out_json, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d"), "runs": runs, "runtime_s": float(runtime), "jobs": rows}, f, indent=1)


if __name__ == "__main__":
    main()

"""Merges aio-bench compare results (Linux natively, Windows under Wine) into
one table of medians and ratios, build/bench/compare.json, and a plot of
IOPS against queue depth (if matplotlib is there)."""
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
rows = {}
for platform in ("linux", "windows"):
    for line in (out / f"{platform}.json").read_text().splitlines():
        r = json.loads(line)
        name = "linux libaio" if platform == "linux" else ("aio.dll" if r["engine"] == "libaio" else r["engine"])
        rows.setdefault((r["job"], r["direct"]), {})[name] = r

engines = ["aio.dll", "iocp", "psync", "linux libaio"]
header = f"{'job':<20} {'direct':>6}" + "".join(f" {e:>13}" for e in engines) + f" {'aio/psync':>10} {'aio/iocp':>9} {'CPU us/IO aio/ref':>18}"
print(header)
table = []
for (job, direct), by in rows.items():
    cells = "".join(f" {by[e]['iops']:>13,.0f}" if e in by else f" {'-':>13}" for e in engines)
    aio = by.get("aio.dll", {}).get("iops", 0)
    vs_psync = aio / by["psync"]["iops"] if by.get("psync", {}).get("iops") else 0
    vs_iocp = aio / by["iocp"]["iops"] if by.get("iocp", {}).get("iops") else 0
    ref = "iocp" if direct else "psync"
    cpu = by.get("aio.dll", {}).get("cpu_per_io_us", 0)
    cpu_ref = by.get(ref, {}).get("cpu_per_io_us", 0)
    print(f"{job:<20} {direct:>6}{cells} {vs_psync:>9.2f}x {vs_iocp:>8.2f}x {cpu:>8.2f}/{cpu_ref:<8.2f}({ref})")
    table.append({"job": job, "direct": direct, "engines": by, "aio_vs_psync": vs_psync, "aio_vs_iocp": vs_iocp})
(out / "compare.json").write_text(json.dumps(table, indent=1))

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(matplotlib not available: no plot)")
    sys.exit(0)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
for ax, direct in zip(axes, (0, 1)):
    for e in engines:
        depths, iops = [], []
        for d in (1, 32, 128):
            by = rows.get((f"4k randread qd{d}", direct), {})
            if e in by:
                depths.append(d)
                iops.append(by[e]["iops"] / 1000)
        if depths:
            ax.plot(depths, iops, marker="o", label=e)
    ax.set_xscale("log", base=2)
    ax.set_xticks([1, 32, 128], ["1", "32", "128"])
    ax.set_xlabel("queue depth")
    ax.set_ylabel("kIOPS (4 KiB random reads)")
    ax.set_title("O_DIRECT (Wine: psync still cached)" if direct else "buffered, page-cached")
    ax.grid(True, alpha=0.3)
    ax.legend()
machine = (out / "machine.txt").read_text().strip() if (out / "machine.txt").exists() else ""
fig.suptitle(f"aio-bench compare: medians; Windows engines under Wine\n{machine}", fontsize=9)
fig.tight_layout()
fig.savefig(out / "iops-vs-depth.png", dpi=110)
print(f"plot: {out / 'iops-vs-depth.png'}")

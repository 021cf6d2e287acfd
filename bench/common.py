"""Shared helpers for the benchmark scripts: demo sets, a machine line, peak memory of a child run."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"


def machine_line() -> str:
    import duckdb
    import pandas

    cores = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = " (" + next(line for line in fh if line.startswith("model name")).split(":", 1)[1].strip() + ")"
    except (OSError, StopIteration):
        pass
    from importlib.metadata import version

    libs = ", ".join(f"{name} {version(name)}" for name in ("streamlit", "plotly", "pyarrow"))
    return (
        f"{platform.system()} {platform.machine()}{cpu}, {cores} cores{mem}; Python {platform.python_version()}, "
        f"duckdb {duckdb.__version__}, pandas {pandas.__version__}, {libs}"
    )


def load_line() -> str:
    """Date and load average: the box is shared, so every figure is printed next to the load it ran under."""
    import datetime as dt

    one, five, _ = os.getloadavg()
    now = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"{now}; load average {one:.1f} (1 min) {five:.1f} (5 min)"


def demo_set(scale: float, seed: int = 2022) -> Path:
    """Generate (once) the demo submissions at a scale under bench/out."""
    out = OUT / f"raw-scale{scale:g}"
    if not (out / "_demo.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "data_pipeline",
                "demo",
                "--out",
                str(out),
                "--seed",
                str(seed),
                "--scale",
                str(scale),
            ],
            cwd=REPO,
            check=True,
        )
    return out


def _tree(pid: int) -> list[int]:
    """pid and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _pss_mib(pids: list[int]) -> float:
    """Proportional set size of the processes together (shared copy-on-write pages counted once)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def run_child(code: str, *args: str, cwd: Path = REPO) -> dict:
    """Run python code in a fresh process (in checkout `cwd`) that prints one JSON line. Adds peak_rss_mib (the
    process itself, from getrusage), peak_tree_mib (sampled every 0.1 s: proportional memory of the process and
    every worker process it forked, counted together — what the machine has to hold at once) and cpu_s (user +
    system seconds of the process and its finished workers: less moved by other work on the machine than
    wall time)."""
    import threading

    wrapper = (
        "import json, resource, sys\n"
        f"{code}\n"
        "result['peak_rss_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "result['peak_child_rss_mib'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "_ru = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]\n"
        "result['cpu_s'] = sum(r.ru_utime + r.ru_stime for r in _ru)\n"
        "print(json.dumps(result))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", wrapper, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _pss_mib(_tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(err[-2000:])
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_tree_mib"] = peak[0]
    return result

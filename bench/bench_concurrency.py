"""Concurrency: N threads run page queries against one published warehouse; optionally while a build republishes it.

Usage: python bench/bench_concurrency.py --db FILE [--threads 16] [--seconds 20] [--rebuild-from RAW_DIR]
                                        [--duckdb-threads N] [--handle ui|close|attach]
The reader side works as the dashboard does: one read-only connection, reopened when the file's
mtime changes, one cursor per query, fully fetched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from bench.bench_queries import calls, filter_sets  # noqa: E402
from bench.common import REPO  # noqa: E402
from data_pipeline import metrics  # noqa: E402


class Handle:
    """A read-only warehouse handle that follows republished files, in one of two ways.

    ui      the dashboard's own code: ui.data._connection(path, mtime) (the attach pattern below, cached by
            Streamlit's cache_resource keyed on the file's version).
    close   what ui/data.py did before: one `duckdb.connect(path, read_only=True)`; when the file's mtime
            changes, close it and connect again (DuckDB keeps one instance per path in a process, so the old
            one must go first). Queries still running on cursors of the old connection fail.
    attach  an in-memory connection per published version with the file ATTACHed read-only; every cursor
            starts with `use wh`. A newer version gets a new connection beside the old one; the old one is
            not closed but dropped, so cursors in flight finish and it closes with the last of them.
    """

    def __init__(self, path: Path, mode: str = "close", config: dict | None = None):
        self.path = path
        self.mode = mode
        self.config = config or {}
        self.lock = threading.Lock()
        self.mtime = os.stat(path).st_mtime_ns
        self.con = self._open()
        self.reopened = 0

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.mode == "ui":
            from ui import data

            return data._connection(str(self.path), os.stat(self.path).st_mtime_ns)
        if self.mode == "close":
            return duckdb.connect(str(self.path), read_only=True, config=self.config)
        con = duckdb.connect(":memory:", config=self.config)
        con.execute(f"attach '{self.path}' as wh (read_only)")
        return con

    def cursor(self) -> duckdb.DuckDBPyConnection:
        mtime = os.stat(self.path).st_mtime_ns
        with self.lock:
            if mtime != self.mtime:
                if self.mode == "close":
                    self.con.close()
                self.con = self._open()
                self.mtime = mtime
                self.reopened += 1
            cur = self.con.cursor()
        if self.mode in ("attach", "ui"):
            cur.execute("use wh")
        return cur


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument(
        "--rebuild-from",
        help="while reading, rebuild from this folder and republish over --db, again and again, in a separate "
        "process (`python -m data_pipeline build`), as a scheduled load does",
    )
    ap.add_argument("--duckdb-threads", type=int, help="DuckDB worker threads of the reader (default: = cores)")
    ap.add_argument("--handle", choices=["ui", "close", "attach"], default="ui", help="how readers follow a republish")
    args = ap.parse_args()
    db = Path(args.db)
    handle = Handle(db, args.handle, {"threads": args.duckdb_threads} if args.duckdb_threads else None)
    cur = handle.cursor()
    year = int(metrics.info(cur)["data_through"][:4]) - 1
    cur.close()
    work = [fn for f in filter_sets(year).values() for fn in calls(f).values()]
    latencies: list[float] = []
    errors: list[str] = []
    versions: set[str] = set()
    stop = time.perf_counter() + args.seconds
    lock = threading.Lock()

    def reader(i: int) -> None:
        k = i
        while time.perf_counter() < stop:
            fn = work[k % len(work)]
            k += 7
            t = time.perf_counter()
            try:
                cur = handle.cursor()
                fn(cur)
                if k % 10 == 0:
                    built_at = metrics.info(cur)["built_at"]
                    with lock:
                        versions.add(built_at)
                cur.close()
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)

    builds: list[float] = []
    build_errors: list[str] = []

    def builder() -> None:
        env = {
            **os.environ,
            "UNION_DASH_HASH_KEY": os.environ.get("UNION_DASH_HASH_KEY", "bench-hash-key-not-secret-0123456789ab"),
        }
        cmd = [sys.executable, "-m", "data_pipeline", "build", "--raw", args.rebuild_from, "--db", str(db)]
        while time.perf_counter() < stop - 1:
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
            if proc.returncode == 0:
                builds.append(time.perf_counter() - t)
            else:
                build_errors.append(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?")

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.threads)]
    if args.rebuild_from:
        threads.append(threading.Thread(target=builder))
    load = os.getloadavg()[0]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    # the handle must now read the last published file
    cur = handle.cursor()
    final = metrics.info(cur)["built_at"]
    cur.close()
    latencies.sort()
    p95 = latencies[round(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(
        f"{db.name}: handle={args.handle} threads={args.threads} duckdb_threads={args.duckdb_threads or 'default'} wall={wall:.1f}s "
        f"queries={len(latencies)} throughput={len(latencies) / wall:.1f}/s p50={statistics.median(latencies):.0f}ms "
        f"p95={p95:.0f}ms errors={len(errors)} builds_published={len(builds)} build_failures={len(build_errors)} "
        f"reopened={handle.reopened} versions_seen={len(versions)} final_built_at={final} load_at_start={load:.1f}"
    )
    for e in sorted(set(errors))[:5]:
        print("  error:", e)
    for e in build_errors[:3]:
        print("  build failed:", e)


if __name__ == "__main__":
    main()

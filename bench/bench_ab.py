"""A/B of the query layer: data_pipeline.metrics as committed (git HEAD) against the working tree, interleaved in
one process on one warehouse, so both see the same machine load. Also checks that both return equal frames.

Usage: python bench/bench_ab.py --db FILE [--repeat 5] [--rev HEAD]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from bench.bench_queries import calls, filter_sets  # noqa: E402
from bench.common import REPO, load_line, machine_line  # noqa: E402
from data_pipeline import metrics  # noqa: E402


def committed(rev: str, module: str = "data_pipeline/metrics.py"):
    """The module as it is at `rev`, imported under another name (its imports resolve to the working tree)."""
    src = subprocess.run(["git", "show", f"{rev}:{module}"], cwd=REPO, check=True, capture_output=True).stdout
    tmp = Path(tempfile.mkdtemp()) / "metrics_committed.py"
    tmp.write_bytes(src)
    spec = importlib.util.spec_from_file_location("metrics_committed", tmp)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["metrics_committed"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rev", default="HEAD")
    args = ap.parse_args()
    old = committed(args.rev)
    con = duckdb.connect(args.db, read_only=True)
    year = int(metrics.info(con.cursor())["data_through"][:4]) - 1
    print(machine_line())
    print(load_line())
    samples: dict[str, dict[str, list[float]]] = {}
    mismatches = []
    got: dict[str, object] = {}
    for fname, f in filter_sets(year).items():
        fo = old.Filters(**{k: getattr(f, k) for k in f.__dataclass_fields__})
        new_calls, old_calls = calls(f, metrics), calls(fo, old)
        for name in new_calls:
            for k in range(args.repeat):
                pair = [("old", old_calls[name]), ("new", new_calls[name])]
                for label, fn in pair if k % 2 == 0 else pair[::-1]:  # alternate who goes first
                    cur = con.cursor()
                    t = time.perf_counter()
                    out = fn(cur)
                    samples.setdefault(name, {}).setdefault(label, []).append((time.perf_counter() - t) * 1000)
                    cur.close()
                    got[label] = out
                if isinstance(got["new"], pd.DataFrame):
                    try:
                        pd.testing.assert_frame_equal(got["new"], got["old"], check_dtype=False)
                    except AssertionError as exc:
                        mismatches.append(f"{name} / {fname}: {str(exc)[:200]}")
    print(
        f"\n| query | old p50 ms | new p50 ms | new ÷ old (p50) | old p95 | new p95 |  (year {year}, 5 filter sets × {args.repeat}, {Path(args.db).name})"
    )
    print("|---|---|---|---|---|---|")
    for name, s in samples.items():
        o, n = sorted(s["old"]), sorted(s["new"])
        p95 = lambda xs: xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]  # noqa: E731
        print(
            f"| {name} | {statistics.median(o):.1f} | {statistics.median(n):.1f} | "
            f"{statistics.median(n) / statistics.median(o):.2f} | {p95(o):.1f} | {p95(n):.1f} |"
        )
    print(f"\nresults equal: {'yes' if not mismatches else 'NO'}; load at end: {load_line()}")
    for m in sorted(set(mismatches))[:10]:
        print("  mismatch:", m)


if __name__ == "__main__":
    os.environ.setdefault("UNION_DASH_HASH_KEY", "bench-hash-key-not-secret-0123456789ab")
    main()

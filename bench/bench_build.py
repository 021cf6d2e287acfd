"""Build benchmark: demo warehouse at several scales — wall time, rows/s, peak RSS, phase split, and the floor.

Usage: python bench/bench_build.py [--scales 1 4 16] [--floor] [--before CHECKOUT [--after CHECKOUT] --rounds 3]
Each build runs in a fresh process. With --before, each round builds the same files with another checkout's code
(e.g. a `git worktree` of an older commit) and then with this one, and the medians and after ÷ before ratios of
wall time, CPU time and peak memory close the table: both sides see the same machine load. Peak memory: "RSS" is the build process itself (getrusage), "tree" is the
sampled proportional memory of the build process and its file-reading worker processes together. The floor is DuckDB reading the same
rows already in Parquet and running the same staging + marts SQL: what is left when file parsing and
validation cost nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, REPO, demo_set, load_line, machine_line, run_child  # noqa: E402

BUILD_CODE = """
import os, time
from pathlib import Path
os.environ.setdefault("UNION_DASH_HASH_KEY", "bench-hash-key-not-secret-0123456789ab")
from data_pipeline import build
raw, db = Path(sys.argv[1]), Path(sys.argv[2])
marks = []
t0 = time.perf_counter()
def progress(msg):
    marks.append((time.perf_counter() - t0, msg))
r = build.build(raw, db, progress=progress)
wall = time.perf_counter() - t0
def first(prefix, default):
    return next((t for t, m in marks if m.startswith(prefix)), default)
t_write = first("写入数据仓库", wall)
t_validate = first("校验", t_write)  # a streamed build judges each file as it reads it: no phase of its own
t_sql = first("建立规范化视图", wall)
t_checks = first("数据检查", wall)
marts = [(m.strip(), t) for t, m in marks if m.startswith("  ")] + [("checks", t_checks)]
mart_s = {name: marts[i + 1][1] - t for i, (name, t) in enumerate(marts[:-1])}
result = {
    "top_marts": sorted(mart_s.items(), key=lambda kv: -kv[1])[:3],
    "wall_s": wall, "files": r.files_total, "rows": r.rows_loaded + r.rows_quarantined,
    "rows_loaded": r.rows_loaded,
    "read_s": t_validate, "validate_s": t_write - t_validate, "write_raw_s": t_sql - t_write,
    "sql_s": t_checks - t_sql, "checks_publish_s": wall - t_checks,
}
"""

FLOOR_CODE = """
import time, duckdb
from pathlib import Path
from data_pipeline import build, sqlfiles
db, pq = Path(sys.argv[1]), Path(sys.argv[2])
pq.mkdir(parents=True, exist_ok=True)
src = duckdb.connect(str(db), read_only=True)
tables = [t for (t,) in src.execute(
    "select table_name from information_schema.tables where table_name like 'raw_%' "
    "or table_name in ('load_manifest', 'quarantine')").fetchall()]
for t in tables:
    src.execute(f"copy {t} to '{pq / (t + '.parquet')}' (format parquet)")
src.close()
target = pq / "floor.duckdb"
target.unlink(missing_ok=True)
t0 = time.perf_counter()
con = duckdb.connect(str(target))
build._load_reference(con)
for t in tables:
    con.execute(f"create table {t} as select * from read_parquet('{pq / (t + '.parquet')}')")
sqlfiles.create_views(con, sqlfiles.read_layer("staging"))
sqlfiles.create_tables(con, sqlfiles.read_layer("marts"))
con.execute("checkpoint")
con.close()
result = {"floor_s": time.perf_counter() - t0}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0, 16.0])
    ap.add_argument("--floor", action="store_true", help="also measure the Parquet → marts floor (best of 3)")
    ap.add_argument("--before", type=Path, help="another checkout whose build runs beside this one's, interleaved")
    ap.add_argument("--rounds", type=int, default=1, help="with --before: rounds of (before, after)")
    ap.add_argument("--after", type=Path, default=REPO, help="with --before: the checkout measured against it")
    args = ap.parse_args()
    print(machine_line())
    print(load_line())
    print()
    header = "| scale | code | files | rows | wall s | CPU s | rows/s | peak RSS / tree MiB | read s | validate s | write raw s | SQL s | checks+publish s |"
    if args.floor:
        header += " floor s | build ÷ floor |"
    header += " load |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    notes, summary = [], []
    sides = [("before", args.before.resolve()), ("after", args.after.resolve())] if args.before else [("this", REPO)]
    for scale in args.scales:
        raw = demo_set(scale)
        seen: dict[str, list[dict]] = {name: [] for name, _ in sides}
        for _ in range(args.rounds if args.before else 1):
            for name, repo in sides:
                db = OUT / f"warehouse-scale{scale:g}{'-' + name if args.before else ''}.duckdb"
                load = os.getloadavg()[0]
                r = run_child(BUILD_CODE, str(raw), str(db), cwd=repo)
                r["load"] = load
                seen[name].append(r)
                line = (
                    f"| {scale:g} | {name} | {r['files']} | {r['rows']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
                    f"{r['rows'] / r['wall_s']:,.0f} | {r['peak_rss_mib']:.0f} / {r['peak_tree_mib']:.0f} | "
                    f"{r['read_s']:.1f} | {r['validate_s']:.1f} | {r['write_raw_s']:.1f} | {r['sql_s']:.1f} | "
                    f"{r['checks_publish_s']:.1f} |"
                )
                if args.floor:
                    # the floor is short, so one load spike moves it a lot: best of three
                    floor_s = min(
                        run_child(FLOOR_CODE, str(db), str(OUT / f"parquet-scale{scale:g}"))["floor_s"]
                        for _ in range(3)
                    )
                    line += f" {floor_s:.1f} | {r['wall_s'] / floor_s:.1f} |"
                print(line + f" {load:.1f} |", flush=True)
                if name != "before":
                    notes.append(
                        f"scale {scale:g}: slowest marts " + ", ".join(f"{n} {t:.1f} s" for n, t in r["top_marts"])
                    )
        if args.before:
            med = {
                name: {k: statistics.median(r[k] for r in runs) for k in ("wall_s", "cpu_s", "peak_tree_mib", "load")}
                for name, runs in seen.items()
            }
            b, a = med["before"], med["after"]
            summary.append(
                f"| {scale:g} | {len(seen['after'])} | {b['wall_s']:.1f} → {a['wall_s']:.1f} | "
                f"{a['wall_s'] / b['wall_s']:.2f} | {b['cpu_s']:.1f} → {a['cpu_s']:.1f} | {a['cpu_s'] / b['cpu_s']:.2f} | "
                f"{b['peak_tree_mib']:.0f} → {a['peak_tree_mib']:.0f} | {a['peak_tree_mib'] / b['peak_tree_mib']:.2f} | "
                f"{b['load']:.1f} / {a['load']:.1f} |"
            )
    if summary:
        print("\nMedians, before → after, and after ÷ before:\n")
        print("| scale | rounds | wall s | ratio | CPU s | ratio | peak tree MiB | ratio | load (before / after) |")
        print("|---|---|---|---|---|---|---|---|---|")
        print("\n".join(summary))
    print()
    for n in notes:
        print("-", n)
    print(f"\nload at end: {load_line()}")


if __name__ == "__main__":
    main()

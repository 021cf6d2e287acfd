"""Query-layer latency: every metrics function the pages call, p50/p95 over realistic filter combinations.

Usage: python bench/bench_queries.py --db FILE [--repeat 5] [--threads N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from bench.common import load_line, machine_line  # noqa: E402
from data_pipeline import metrics, reference  # noqa: E402


def filter_sets(year: int) -> dict[str, metrics.Filters]:
    return {
        "none": metrics.Filters(year=year),
        "one county": metrics.Filters(year=year, counties=("xintai",)),
        "one chain": metrics.Filters(year=year, chains=("C10",)),
        "county+chain": metrics.Filters(year=year, counties=("xintai", "feicheng"), chains=("C01", "C10")),
        "quarter range": metrics.Filters(year=year, quarter_from=2, quarter_to=3),
    }


def calls(f: metrics.Filters, m=metrics) -> dict[str, object]:
    """Every query function the pages call, bound to one filter set (m: the metrics module to call)."""
    codes = [i.code for i in reference.indicators()]
    headline = [i.code for i in reference.indicators() if i.headline]
    return {
        "totals(all 39)": lambda c: m.totals(c, f, codes),
        "kpis(headline)": lambda c: m.kpis(c, f, headline),
        "kpis(all 39)": lambda c: m.kpis(c, f, codes),
        "by_dimension(county)": lambda c: m.by_dimension(c, f, "P5_MEMBER_RATE", "county"),
        "by_dimension(chain)": lambda c: m.by_dimension(c, f, "P5_MEMBER_RATE", "chain"),
        "by_dimension(distinct)": lambda c: m.by_dimension(c, f, "P5_HARDSHIP_FAMILIES", "county"),
        "by_dimension(range)": lambda c: m.by_dimension(c, f, "P5_NEW_MEMBERS", "chain"),
        "heatmap": lambda c: m.heatmap(c, f, "P5_MEMBER_RATE"),
        "trend(headline)": lambda c: m.trend(c, f, headline),
        "breakdown": lambda c: m.breakdown(c, f, "P4_STUDIOS", "level"),
        "innovative_firms_vs_target": lambda c: m.innovative_firms_vs_target(c, f),
        "firm_coverage": lambda c: m.firm_coverage(c, f, "C01"),
        "manifest": lambda c: m.manifest(c),
        "quarantine": lambda c: m.quarantine(c),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, help="DuckDB worker threads (default: DuckDB's, = cores)")
    args = ap.parse_args()
    config = {"threads": args.threads} if args.threads else {}
    con = duckdb.connect(args.db, read_only=True, config=config)
    print(machine_line())
    print(load_line())
    threads = con.execute("select current_setting('threads')").fetchone()[0]
    year = int(metrics.info(con.cursor())["data_through"][:4]) - 1
    samples: dict[str, list[float]] = {}
    for f in filter_sets(year).values():
        for name, fn in calls(f).items():
            for _ in range(args.repeat):
                cur = con.cursor()
                t = time.perf_counter()
                fn(cur)
                samples.setdefault(name, []).append((time.perf_counter() - t) * 1000)
                cur.close()
    print(f"\n{Path(args.db).name}, year {year}, 5 filter sets × {args.repeat}, DuckDB threads {threads}\n")
    print("| query | n | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, xs in samples.items():
        xs.sort()
        p95 = xs[min(len(xs) - 1, round(0.95 * (len(xs) - 1)))]
        print(f"| {name} | {len(xs)} | {statistics.median(xs):.1f} | {p95:.1f} | {xs[-1]:.1f} |")
    every = sorted(x for xs in samples.values() for x in xs)
    print(f"\nall calls: p50 {statistics.median(every):.1f} ms, p95 {every[round(0.95 * (len(every) - 1))]:.1f} ms")
    print(f"load at end: {load_line()}")


if __name__ == "__main__":
    main()

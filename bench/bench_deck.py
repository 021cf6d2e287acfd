"""Briefing benchmark: time to build the default yearly deck (overview + five projects) and the Word report from a
demo warehouse, with native charts (the default) and with pictures, and how rendering scales with the number of
charts (native; pictures in one browser session vs one per image).

Usage: python bench/bench_deck.py [--db FILE] [--year Y] [--repeat 3] [--counts 1 4 16 32]
Without --db, a demo warehouse (scale 1) is generated and built once under bench/out.
Needs Chrome/Chromium (BROWSER_PATH or on PATH); prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, REPO, demo_set, machine_line  # noqa: E402


def warehouse(db: Path | None) -> Path:
    if db:
        return db
    db = OUT / "warehouse-deck.duckdb"
    if not db.exists():
        os.environ.setdefault("UNION_DASH_HASH_KEY", "bench-hash-key-not-secret-0123456789ab")
        from data_pipeline import build

        build.build(demo_set(1.0), db)
    return db


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--year", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 4, 16, 32])
    args = parser.parse_args()

    import duckdb

    from data_pipeline import metrics
    from reporting import deck, export

    if export.chrome_path() is None:
        print(export.NO_CHROME_ZH, file=sys.stderr)
        return 1
    db = warehouse(args.db)
    con = duckdb.connect(str(db), read_only=True)
    year = args.year or int(metrics.periods(con)["year"].max())
    filters = metrics.Filters(year)

    spec_s, spec = timed(lambda: deck.build_spec(con, filters), args.repeat)
    n = len(spec.charts)
    native_s, _ = timed(lambda: deck.render_deck(spec), args.repeat)
    docx_s, _ = timed(lambda: deck.render_deck(spec, with_pptx=False, with_xlsx=False, with_docx=True), args.repeat)
    render_s, _ = timed(lambda: deck.render_deck(spec, charts="image"), args.repeat)
    render_zip_s, _ = timed(lambda: deck.render_deck(spec, charts="image", with_zip=True), 1)
    no_browser_env = {**os.environ, "BROWSER_PATH": "/nonexistent"}

    # End to end as a user runs it: a fresh process, imports included.
    with tempfile.TemporaryDirectory() as tmp:
        cli = [
            sys.executable,
            "-m",
            "reporting",
            "brief",
            "--db",
            str(db),
            "--out",
            str(Path(tmp) / "deck.pptx"),
            "--year",
            str(year),
        ]
        report = [*cli[:7], str(Path(tmp) / "report.docx"), *cli[8:]]  # --out report.docx
        cli_s, _ = timed(lambda: subprocess.run(cli, cwd=REPO, check=True, capture_output=True), args.repeat)
        report_s, _ = timed(lambda: subprocess.run(report, cwd=REPO, check=True, capture_output=True), args.repeat)
        image_cli = [*cli, "--charts", "image"]
        image_s, _ = timed(lambda: subprocess.run(image_cli, cwd=REPO, check=True, capture_output=True), 1)
        tables_s, _ = timed(
            lambda: subprocess.run(image_cli, cwd=REPO, check=True, capture_output=True, env=no_browser_env), 1
        )

    charts = [chart for _, chart in spec.charts if not chart.empty]
    scaling = []
    for count in args.counts:
        picked = tuple(charts[i % len(charts)] for i in range(count))
        scaled = deck.with_sections(spec, [deck.Section("基准", picked)])
        native, _ = timed(lambda scaled=scaled: deck.render_deck(scaled, with_xlsx=False), 1)
        seconds, _ = timed(lambda scaled=scaled: deck.render_deck(scaled, charts="image"), 1)
        scaling.append((count, native, seconds))
    slide_jobs = [(deck._for_slide(chart.draw()), deck._opts(*deck.PICTURE_PX, deck.PICTURE_SCALE)) for chart in charts]
    tabs = {n: timed(lambda n=n: export.render_jobs(slide_jobs, tabs=n), 1)[0] for n in (1, 2)}
    figs = [chart.draw() for chart in charts[:4]]
    one_each_s, _ = timed(lambda: [export.figure_image(f) for f in figs], 1)
    batch_s, _ = timed(lambda: export.figure_images(figs), 1)
    con.close()

    (c0, n0, t0), (c1, n1, t1) = scaling[0], scaling[-1]
    per_image = (t1 - t0) / (c1 - c0) if c1 != c0 else float("nan")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n## Briefing deck (reporting)\n\n{machine_line()}; load average at start {load:.1f}")
    print(f"Warehouse: {db.name}, year {year}; default deck = overview + five projects = {n} charts, {n + 3} slides.\n")
    print("| step | median s |\n|---|---|")
    print(f"| query layer → deck spec ({n} charts) | {spec_s:.2f} |")
    print(f"| write PPTX with native charts + XLSX | {native_s:.2f} |")
    print(f"| write the Word report (native charts) | {docx_s:.2f} |")
    print(f"| render {len(charts)} pictures (one browser, started here) + write PPTX + XLSX | {render_s:.2f} |")
    print(f"| same + ZIP of 16:9 PNGs (2× pictures, same browser) | {render_zip_s:.2f} |")
    print(f"| **`python -m reporting brief --out deck.pptx`** end to end (fresh process, native) | {cli_s:.2f} |")
    print(f"| **`python -m reporting brief --out report.docx`** end to end (fresh process, native) | {report_s:.2f} |")
    print(f"| `--charts image` end to end (browser starts while querying) | {image_s:.2f} |")
    print(f"| `--charts image` without a browser (tables instead of pictures) | {tables_s:.2f} |")
    print("\nScaling (render_deck only):\n\n| charts | native s | pictures s |\n|---|---|---|")
    for count, native, seconds in scaling:
        print(f"| {count} | {native:.2f} | {seconds:.2f} |")
    per_native = (n1 - n0) / (c1 - c0) if c1 != c0 else float("nan")
    print(f"\nNative: {per_native * 10:.2f} s per 10 added charts.")
    print(f"Pictures: ≈ {t0 - per_image * c0:.1f} s fixed (browser start, PPTX) + {per_image:.2f} s per chart.")
    print(f"Pictures of the default deck only: 1 tab {tabs[1]:.2f} s, 2 tabs {tabs[2]:.2f} s (default: 1 tab).")
    print(f"4 charts, one browser per image: {one_each_s:.2f} s; one browser for all four: {batch_s:.2f} s.")
    print(f"\nReproduce: `python bench/bench_deck.py --repeat {args.repeat}`" + (f" --db {args.db}" if args.db else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Pages: server-side run time of every registered page (AppTest) and time to a drawn chart in headless Chromium.

Usage: python bench/bench_pages.py --db FILE [--repeat 3] [--skip-browser] [--skip-apptest] [--pages STEM ...]
                                   [--profile PAGE] [--what-if-lookup]

AppTest (same process, imports done first, so the figures are what a running server spends per page run):
  cold        caches dropped (st.cache_data / st.cache_resource cleared), no filters: the first visit after a
              new warehouse is published;
  new filter  every filter set (none, one county, one chain, both, a quarter range) opened once with data caches
              still empty for it: what a user waits after changing the sidebar;
  warm        the same views opened again in a new session: cached query results.
  Each run's time is split into query layer (data_pipeline.metrics, only on a cache miss), figure building
  (reporting.charts), st.plotly_chart / st.dataframe (serialising to the browser) and the rest (page code,
  Streamlit widgets, script execution).

Browser: a `streamlit run` server on a free localhost port with UNION_DASH_DB=FILE; Playwright + Debian chromium.
  cold    the warehouse file's mtime is bumped (the app reopens it and drops its caches, as after a publish) and
          a new browser context (empty HTTP cache) opens the page URL;
  warm    a new tab in the same context opens the same URL again (HTTP cache and server caches warm, but the
          page's JavaScript, Plotly included, is parsed and run again);
  in-app  one tab clicks through the sidebar links, as a user moves between pages (no reload).
  Times: navigation → first drawn Plotly chart (.js-plotly-plot .main-svg), and → script finished (no running
  status widget), per page URL. Pages without charts report only the second.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, load_line, machine_line  # noqa: E402
from tests.serving import dashboard_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def registered_pages() -> list[tuple[str, str]]:
    """(page file stem, URL path) of every page dashboard.py registers, in navigation order; '' = the default page."""
    from data_pipeline import reference

    src = (REPO / "dashboard.py").read_text(encoding="utf-8")
    out: list[tuple[str, str]] = []
    for m in re.finditer(r"app_pages/(\{p\.slug\}|\w+)\.py[\"'](.*)", src):
        if m.group(1) == "{p.slug}":
            out += [(p.slug, p.slug) for p in reference.projects()]
        else:
            out.append((m.group(1), "" if "default=True" in m.group(2) else m.group(1)))
    return out


def filter_params(year: int) -> dict[str, dict[str, list[str]]]:
    y = [str(year)]
    return {
        "none": {"year": y},
        "one county": {"year": y, "county": ["xintai"]},
        "one chain": {"year": y, "chain": ["C10"]},
        "county+chain": {"year": y, "county": ["xintai", "feicheng"], "chain": ["C01", "C10"]},
        "quarter range": {"year": y, "quarter": ["Q2", "Q3"]},
    }


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


# ---------------------------------------------------------------- AppTest


class Split:
    """Wall time spent inside instrumented calls, by category (outermost call only)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.calls: dict[str, float] = defaultdict(float)
        self.depth = 0

    def wrap(self, owner: object, name: str, category: str) -> None:
        fn = getattr(owner, name)

        @functools.wraps(fn)
        def timed(*args, **kwargs):
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t
                self.depth -= 1
                self.spent[category] += dt
                self.calls[f"{category}:{name}"] += dt

        setattr(owner, name, timed)

    def take(self) -> tuple[dict[str, float], dict[str, float]]:
        spent, calls = dict(self.spent), dict(self.calls)
        self.spent.clear()
        self.calls.clear()
        return spent, calls


def instrument() -> Split:
    import inspect

    import streamlit as st

    from data_pipeline import metrics
    from reporting import charts

    split = Split()
    for name, fn in inspect.getmembers(metrics, inspect.isfunction):
        if fn.__module__ == metrics.__name__ and not name.startswith("_"):
            split.wrap(metrics, name, "query")
    for name, fn in inspect.getmembers(charts, inspect.isfunction):
        if fn.__module__ == charts.__name__ and not name.startswith("_"):
            split.wrap(charts, name, "figure")
    split.wrap(st, "plotly_chart", "plotly_chart")
    split.wrap(st, "dataframe", "dataframe")
    return split


SCRIPT_CPU: list[float] = []


def measure_script_cpu() -> None:
    """Record the script thread's CPU seconds per run: less sensitive to a busy machine than wall time."""
    from streamlit.runtime.scriptrunner import script_runner

    inner = script_runner.ScriptRunner._run_script

    def run_script(self, rerun_data):
        t = time.thread_time()
        try:
            return inner(self, rerun_data)
        finally:
            SCRIPT_CPU.append(time.thread_time() - t)

    script_runner.ScriptRunner._run_script = run_script


def run_app(page: str, params: dict[str, list[str]] | None = None):
    from streamlit.testing.v1 import AppTest

    SCRIPT_CPU.clear()

    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=300)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
    t = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - t
    run_app.cpu = sum(SCRIPT_CPU)
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    return elapsed, at


def clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def lookup_patch() -> None:
    """What-if (bench process only, no file edited): ui.blocks.indicator() as a dict lookup built once per
    warehouse version instead of filtering the unpickled catalogue frame on every call."""
    from ui import blocks, data

    rows: dict[tuple[str | None, str], object] = {}

    def indicator(code: str):
        key = (data.version(), code)
        if key not in rows:
            cat = blocks.catalogue()
            rows.update({(key[0], c): r for c, r in zip(cat["code"], (r for _, r in cat.iterrows()), strict=True)})
        return rows[key]

    blocks.indicator = indicator


def bench_apptest(db: Path, repeat: int, year: int, only: list[str] | None = None) -> None:
    os.environ["UNION_DASH_DB"] = str(db)
    import ui  # noqa: F401  - imports are a server's one-off start-up cost, not a page's
    from reporting import charts  # noqa: F401

    split = instrument()
    measure_script_cpu()
    pages = [stem for stem, _ in registered_pages() if not only or stem in only]
    sets = filter_params(year)
    clear_caches()
    run_app(pages[0])  # compile/import warm-up, not recorded
    rows = []
    worst: dict[str, tuple[float, dict[str, float]]] = {}
    for page in pages:
        clear_caches()
        split.take()
        load = os.getloadavg()[0]
        cold, _ = run_app(page, sets["none"])
        cold_cpu = run_app.cpu
        cold_split, _ = split.take()
        first, warm, warm_cpu = [], [], []
        warm_split: dict[str, float] = defaultdict(float)
        for name, params in sets.items():
            if name != "none":
                s, _ = run_app(page, params)
                first.append(s)
                _, calls = split.take()
                if s > worst.get(page, (0, {}))[0]:
                    worst[page] = (s, calls)
            for _ in range(repeat):
                s, _ = run_app(page, params)
                warm.append(s)
                warm_cpu.append(run_app.cpu)
                for k, v in split.take()[0].items():
                    warm_split[k] += v / (repeat * len(sets))
        rows.append((page, cold, cold_cpu, cold_split, first, warm, warm_cpu, warm_split, load))
    print(f"AppTest, db {db.name}, year {year}; {repeat} warm runs × {len(sets)} filter sets per page")
    print("(wall ms unless marked; cpu = the script thread's CPU time; split = query / figure / plotly_chart /")
    print(" dataframe / rest, in ms)\n")
    print(
        "| page | cold | cold cpu | cold split | new filter p50 / p95 | warm p50 / p95 | warm cpu p50 / p95 "
        "| warm split (mean) | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for page, cold, cold_cpu, cs, first, warm, wcpu, ws, load in rows:
        print(
            f"| {page} | {cold * 1000:.0f} | {cold_cpu * 1000:.0f} | {fmt_split(cs, cold)} | "
            f"{pct(first, 0.5) * 1000:.0f} / {pct(first, 0.95) * 1000:.0f} | "
            f"{pct(warm, 0.5) * 1000:.0f} / {pct(warm, 0.95) * 1000:.0f} | "
            f"{pct(wcpu, 0.5) * 1000:.0f} / {pct(wcpu, 0.95) * 1000:.0f} | "
            f"{fmt_split(ws, statistics.mean(warm))} | {load:.1f} |"
        )
    every_warm = [x for r in rows for x in r[5]]
    every_cpu = [x for r in rows for x in r[6]]
    every_first = [x for r in rows for x in r[4]]
    print(
        f"\nAll pages: warm p95 {pct(every_warm, 0.95) * 1000:.0f} ms (script cpu p95 "
        f"{pct(every_cpu, 0.95) * 1000:.0f} ms), new-filter p95 {pct(every_first, 0.95) * 1000:.0f} ms, "
        f"cold max {max(r[1] for r in rows) * 1000:.0f} ms."
    )
    print("\nSlowest new-filter run per page, top calls (ms):")
    for page, (s, calls) in worst.items():
        top = sorted(calls.items(), key=lambda kv: -kv[1])[:4]
        print(f"- {page} ({s * 1000:.0f} ms): " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in top))


def fmt_split(spent: dict[str, float], total: float) -> str:
    parts = [spent.get(k, 0.0) for k in ("query", "figure", "plotly_chart", "dataframe")]
    rest = max(0.0, total - sum(parts))
    return " / ".join(f"{x * 1000:.0f}" for x in [*parts, rest])


def profile_page(db: Path, page: str, year: int, warm: bool) -> None:
    """cProfile of one page run (the script thread), top 30 by cumulative time."""
    import cProfile
    import pstats
    import threading

    os.environ["UNION_DASH_DB"] = str(db)
    import ui  # noqa: F401

    clear_caches()
    run_app(page, filter_params(year)["none"])
    if not warm:
        clear_caches()
    prof = cProfile.Profile()

    def start(*_args):
        sys.setprofile(None)
        if threading.current_thread().name == "ScriptRunner.scriptThread":
            threading.setprofile(None)
            prof.enable()

    threading.setprofile(start)
    try:
        s, _ = run_app(page, filter_params(year)["none"])
    finally:
        threading.setprofile(None)
        with contextlib.suppress(ValueError):
            prof.disable()
    print(f"{page} ({'warm' if warm else 'cold'}): {s * 1000:.0f} ms")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(45)


# ---------------------------------------------------------------- browser


DONE_JS = "!document.querySelector('[data-testid=\"stStatusWidget\"]') && !!document.querySelector('h1')"
DRAWN_JS = "!!document.querySelector('.js-plotly-plot .main-svg')"


def visit(pg, url: str, charts: bool) -> tuple[float, float]:
    """(seconds to the first drawn chart or NaN, seconds to the end of the script run) from navigation start."""
    t0 = time.perf_counter()
    pg.goto(url, wait_until="commit")
    drawn = float("nan")
    if charts:
        pg.wait_for_function(DRAWN_JS, timeout=120_000, polling=20)
        drawn = time.perf_counter() - t0
    pg.wait_for_timeout(150)  # the status widget appears a moment after the connection opens
    pg.wait_for_function(DONE_JS, timeout=120_000, polling=20)
    return drawn, time.perf_counter() - t0


NEW_CHART_JS = "!!document.querySelector('.js-plotly-plot:not([data-bench-old]) .main-svg')"


def walk(pg, base: str, pages: list[tuple[str, str]], no_charts: set[str]) -> dict[str, tuple[float, float]]:
    """In-app navigation, as a user moves between pages (sidebar link, no page reload, Plotly already loaded):
    seconds from the click to the new page's first drawn chart and to the end of its script run."""
    out = {}
    for stem, url_path in [*pages[1:], pages[0]]:
        pg.evaluate(
            "document.querySelectorAll('.js-plotly-plot').forEach(e => e.setAttribute('data-bench-old', '1'));"
            "window.__benchH1 = document.querySelector('h1')?.innerText"
        )
        link = pg.locator(f'[data-testid="stSidebarNav"] a[href="{base}/{url_path}"]').first
        t0 = time.perf_counter()
        link.click()
        pg.wait_for_function(f"location.pathname === '/{url_path}'", timeout=60_000, polling=20)
        pg.wait_for_function("document.querySelector('h1')?.innerText !== window.__benchH1", timeout=60_000, polling=20)
        drawn = float("nan")
        if stem not in no_charts:
            pg.wait_for_function(NEW_CHART_JS, timeout=120_000, polling=20)
            drawn = time.perf_counter() - t0
        pg.wait_for_timeout(150)
        pg.wait_for_function(DONE_JS, timeout=120_000, polling=20)
        out[stem] = (drawn, time.perf_counter() - t0)
    return out


def bench_browser(db: Path, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    pages = registered_pages()
    no_charts = {"data", "briefing"}
    rows = []
    walks: list[dict[str, tuple[float, float]]] = []
    with dashboard_server(db) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            visit(ctx.new_page(), f"{base}/", True)  # server start-up (imports, first session), not recorded
            ctx.close()
            for stem, url_path in pages:
                charts = stem not in no_charts
                url = f"{base}/{url_path}"
                os.utime(db)  # as after a publish: the app reopens the file and drops cached results
                load = os.getloadavg()[0]
                ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
                pg = ctx.new_page()
                cold = visit(pg, url, charts)
                pg.close()
                warm = []
                for _ in range(repeat):
                    pg = ctx.new_page()
                    warm.append(visit(pg, url, charts))
                    pg.close()
                ctx.close()
                rows.append((stem, url_path or "/ (overview)", cold, warm, load))
            ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            pg = ctx.new_page()
            visit(pg, f"{base}/", True)
            for _ in range(repeat):
                walks.append(walk(pg, base, pages, no_charts))
            ctx.close()
        finally:
            browser.close()
    print(f"Browser (headless chromium), db {db.name}; warm = median of {repeat}; seconds\n")
    print(
        "| page URL | cold: chart drawn | cold: run done | warm reload: chart drawn | warm reload: run done "
        "| in-app click: chart drawn | in-app click: run done | load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for stem, name, cold, warm, load in rows:
        wd = statistics.median(w[0] for w in warm)
        wf = statistics.median(w[1] for w in warm)
        nd = statistics.median(w[stem][0] for w in walks)
        nf = statistics.median(w[stem][1] for w in walks)
        print(f"| {name} | {cold[0]:.2f} | {cold[1]:.2f} | {wd:.2f} | {wf:.2f} | {nd:.2f} | {nf:.2f} | {load:.1f} |")
    drawn_warm = [w[0] for r in rows for w in r[3] if w[0] == w[0]]
    drawn_cold = [r[2][0] for r in rows if r[2][0] == r[2][0]]
    drawn_walk = [v[0] for w in walks for v in w.values() if v[0] == v[0]]
    print(
        f"\nChart drawn, max over {len(drawn_cold)} chart pages: cold {max(drawn_cold):.2f} s, warm reload "
        f"{max(drawn_warm):.2f} s, in-app click {max(drawn_walk):.2f} s."
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-apptest", action="store_true")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--profile", metavar="PAGE", help="cProfile one page run (cold and warm) instead")
    ap.add_argument("--pages", nargs="+", help="only these page files (stems), e.g. chains counties")
    ap.add_argument(
        "--what-if-lookup",
        action="store_true",
        help="patch ui.blocks.indicator() to a dict lookup (bench process only)",
    )
    args = ap.parse_args()
    import duckdb

    from data_pipeline import metrics

    con = duckdb.connect(str(args.db), read_only=True)
    year = int(metrics.info(con)["data_through"][:4]) - 1  # a full year, as in bench_queries
    con.close()
    db = args.db.resolve()
    print(machine_line())
    print(load_line())
    print()
    if args.what_if_lookup:
        lookup_patch()
    if args.profile:
        profile_page(db, args.profile, year, warm=False)
        profile_page(db, args.profile, year, warm=True)
        return
    if not args.skip_apptest:
        bench_apptest(db, args.repeat, year, args.pages)
        print()
    if not args.skip_browser:
        bench_browser(db, args.repeat)
    print(f"\nload at end: {load_line()}")


if __name__ == "__main__":
    main()

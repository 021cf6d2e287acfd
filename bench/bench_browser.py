"""Full page loads against the framework's floor, in one run: fresh browser context → first drawn chart.

Usage: python bench/bench_browser.py --db FILE [--rounds 5] [--pages STEM ...] [--before CHECKOUT] [--profile]

Servers (each `streamlit run` of an st.App file on a free localhost port, the way the dashboard is served):
  floor   bench/floor/floor_server.py: a bare Streamlit page with one Plotly bar chart (same Streamlit, Plotly,
          config and machine), i.e. what any Streamlit page with one chart costs;
  after   server.py of this checkout on the warehouse FILE;
  before  with --before DIR: server.py of another checkout (e.g. a `git worktree` of the branch point), same FILE.
Every page is opened once per server before measuring (server caches warm, as on a server in use: the figures
measure the browser's part and a warm script run). Then, per round, every (server, page) in a rotated order, each
in a new browser context (empty HTTP cache, no session: a new user opening a link), with the floor measured
between every two pages, so each page time has a floor time taken next to it under the same load.

Reported per page: median seconds to the first drawn Plotly chart (`.js-plotly-plot .main-svg`; for pages
without a chart, to the end of the script run), the median of the per-round ratios page ÷ the floor load just
before it, the load average, and with --profile: DOM nodes, Streamlit elements, Plotly charts, JavaScript and
CSS bytes loaded and the chunks beyond the floor's, main-thread task and script seconds until the chart was drawn.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import CHROMIUM, CHROMIUM_ARGS, DONE_JS, DRAWN_JS, registered_pages  # noqa: E402
from bench.common import REPO, load_line, machine_line  # noqa: E402
from tests.serving import dashboard_server  # noqa: E402

NO_CHARTS = {"data", "briefing"}
COUNTS_JS = """() => ({
  nodes: document.getElementsByTagName('*').length,
  elements: document.querySelectorAll('[data-testid="stElementContainer"]').length,
  charts: document.querySelectorAll('.js-plotly-plot').length,
})"""


def open_once(browser, url: str, chart: bool, profile: bool) -> dict:
    """One load in a new context: seconds to the first drawn chart (or the end of the run) and, when profiling,
    what the page loaded and how much main-thread work it took."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        pg = ctx.new_page()
        cdp = ctx.new_cdp_session(pg) if profile else None
        responses: list = []
        if profile:
            cdp.send("Performance.enable")
            pg.on("response", lambda r: responses.append(r))
        t0 = time.perf_counter()
        pg.goto(url, wait_until="commit")
        pg.wait_for_function(DRAWN_JS if chart else DONE_JS, timeout=180_000, polling=20)
        out = {"s": time.perf_counter() - t0}
        if profile:
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            out["task_s"] = metrics.get("TaskDuration", float("nan"))
            out["script_s"] = metrics.get("ScriptDuration", float("nan"))
            pg.wait_for_timeout(150)
            pg.wait_for_function(DONE_JS, timeout=180_000, polling=50)
            pg.wait_for_timeout(1000)  # chunks a finished page still asks for (lazy elements)
            out.update(pg.evaluate(COUNTS_JS))
            chunks = {}
            for r in responses:
                name = r.url.split("?", 1)[0].rsplit("/", 1)[-1]
                if name.endswith((".js", ".css")):
                    with contextlib.suppress(Exception):
                        chunks[name] = len(r.body())
            out["chunks"] = chunks
        return out
    finally:
        ctx.close()


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pages", nargs="+", help="page file stems (default: every registered page)")
    ap.add_argument("--before", type=Path, help="another checkout to serve from as 'before' (A/B in one run)")
    ap.add_argument("--profile", action="store_true", help="element counts, bytes and main-thread time per page")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [(s, u) for s, u in registered_pages() if not args.pages or s in args.pages]
    db = args.db.resolve()
    print(machine_line())
    print(load_line())
    print()
    with contextlib.ExitStack() as stack:
        servers = {"floor": stack.enter_context(dashboard_server(db, script="bench/floor/floor_server.py"))}
        if args.before:
            servers["before"] = stack.enter_context(dashboard_server(db, root=args.before.resolve()))
        servers["after"] = stack.enter_context(dashboard_server(db, root=REPO))
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        floor_url = f"{servers['floor']}/"
        targets = [
            (side, stem, f"{servers[side]}/{url_path}")
            for side in servers
            if side != "floor"
            for stem, url_path in pages
        ]
        for _ in range(2):  # imports, first sessions and cached results on every server: not recorded
            open_once(browser, floor_url, True, False)
            for _side, stem, url in targets:
                open_once(browser, url, stem not in NO_CHARTS, False)
        times: dict[tuple[str, str], list[float]] = {}
        ratios: dict[tuple[str, str], list[float]] = {}
        floors: list[float] = []
        loads: list[float] = []
        profiles: dict[tuple[str, str], dict] = {}
        floor_profile: dict = {}
        for r in range(args.rounds):
            order = targets[r % len(targets) :] + targets[: r % len(targets)]
            for side, stem, url in order:
                loads.append(os.getloadavg()[0])
                floor = open_once(browser, floor_url, True, args.profile and r == 0)
                floors.append(floor["s"])
                if args.profile and r == 0 and not floor_profile:
                    floor_profile = floor
                got = open_once(browser, url, stem not in NO_CHARTS, args.profile and r == 0)
                times.setdefault((side, stem), []).append(got["s"])
                ratios.setdefault((side, stem), []).append(got["s"] / floor["s"])
                if args.profile and r == 0:
                    profiles[(side, stem)] = got
    print(
        f"Full page load, fresh browser context; {args.rounds} rounds, a floor load before every page load; "
        f"load average {min(loads):.1f}–{max(loads):.1f} (median {med(loads):.1f})\n"
    )
    print(
        f"floor (bare page, one Plotly bar chart): median {med(floors):.2f} s, p90 {sorted(floors)[int(0.9 * (len(floors) - 1))]:.2f} s, n={len(floors)}\n"
    )
    sides = [s for s in servers if s != "floor"]
    head = " | ".join(f"{s}: s | {s}: ÷ floor" for s in sides)
    print(f"| page | {head} |")
    print("|---|" + "---|---|" * len(sides))
    for stem, _ in pages:
        cells = " | ".join(f"{med(times[(s, stem)]):.2f} | {med(ratios[(s, stem)]):.2f}" for s in sides)
        label = stem + (" (run done)" if stem in NO_CHARTS else "")
        print(f"| {label} | {cells} |")
    for s in sides:
        chart_ratios = [med(ratios[(s, stem)]) for stem, _ in pages if stem not in NO_CHARTS]
        if chart_ratios:
            print(f"\n{s}: worst chart page {max(chart_ratios):.2f} × floor, best {min(chart_ratios):.2f} ×")
    if args.profile:
        base_chunks = set(floor_profile.get("chunks", {}))
        print("\nProfile (first round): until the first chart was drawn, main-thread task / script seconds; after the")
        print("run: DOM nodes, Streamlit elements, Plotly charts, JS+CSS kB, chunks beyond the floor's (kB)\n")
        print("| page | task s | script s | nodes | elements | charts | JS+CSS kB | beyond the floor |")
        print("|---|---|---|---|---|---|---|---|")
        rows = [("floor", floor_profile), *((f"{s} {stem}", profiles[(s, stem)]) for s in sides for stem, _ in pages)]
        for name, prof in rows:
            extra = {k: v for k, v in prof.get("chunks", {}).items() if k not in base_chunks}
            big = ", ".join(
                f"{k} {v / 1000:.0f}" for k, v in sorted(extra.items(), key=lambda kv: -kv[1]) if v > 20_000
            )
            print(
                f"| {name} | {prof.get('task_s', float('nan')):.2f} | {prof.get('script_s', float('nan')):.2f} | "
                f"{prof.get('nodes')} | {prof.get('elements')} | {prof.get('charts')} | "
                f"{sum(prof.get('chunks', {}).values()) / 1000:.0f} | {big or '—'} |"
            )
    print(f"\nload at end: {load_line()}")


if __name__ == "__main__":
    main()

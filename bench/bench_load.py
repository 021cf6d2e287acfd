"""Many users at once on the real server: concurrent sessions speaking Streamlit's websocket protocol.

Usage: python bench/bench_load.py --db FILE [--sessions 10 20 40] [--seconds 90] [--servers 1] [--root CHECKOUT]
                                  [--seed 1]

`--servers` × `streamlit run server.py` (the dashboard as deployed, each on a free localhost port, all reading the
warehouse FILE; sessions are spread over them in turn, as a proxy with sticky sessions would). Each
session is one simulated user holding a websocket to /_stcore/stream, as a browser tab does, and looping:
open a link (a new session: a random chart page with a random filter set, as a shared link or a reload does),
then move to two other pages in the same session (the sidebar kept), then open the next link. Every run is
answered the way the browser answers it: when the run ends with an auto-rerun timer (a freshly opened page
draws its lower half one run later, ui.layout.later), the session waits the timer and asks for that rerun.

Measured per level of concurrency (sessions ramped up over 2 s, then `--seconds` of steady load):
  run      seconds from asking for a script run to its script_finished message (what a user waits for a page);
  complete seconds from opening a link to the end of the page's last run (lower half included);
  errors   runs that did not finish (timeout, closed socket), exception elements, and the pages' own error or
           "chart cannot be shown" messages;
  rss      the server processes' resident memory together, sampled every 0.5 s (peak and at the end);
  cpu      the server processes' CPU seconds per wall second together (2.0 = both cores).
The simulated clients are light (protobuf parsing only, no rendering): the server is what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import filter_params, pct, registered_pages  # noqa: E402
from bench.common import REPO, load_line, machine_line  # noqa: E402
from tests.serving import dashboard_server  # noqa: E402

RUN_TIMEOUT_S = 120.0
ERROR_TEXTS = ("该图表暂时无法显示", "页面出错", "This chart cannot be shown", "page could not")


class Stats:
    def __init__(self) -> None:
        self.runs: list[float] = []
        self.complete: list[float] = []
        self.errors: list[str] = []
        self.links = 0


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024
    except (OSError, StopIteration):
        return float("nan")


def _cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Session:
    """One websocket session: ask for runs, read ForwardMsgs until each run ends."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ws = None
        self.page_hash = ""

    async def open(self) -> None:
        import websockets

        host = self.base.split("://", 1)[1]
        self.ws = await websockets.connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.base,
            additional_headers={"User-Agent": "bench_load (a simulated browser tab)"},
            max_size=None,
            open_timeout=60,
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()

    async def run(self, query: str, page: str, stats: Stats, fragment: str = "") -> str | None:
        """One script run; returns the fragment id of an auto-rerun timer the run set, if any."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        state.page_script_hash = self.page_hash if fragment else ""
        if fragment:
            state.fragment_id = fragment
            state.is_auto_rerun = True
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        timer = None
        deadline = t0 + RUN_TIMEOUT_S
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                stats.errors.append(f"timeout {page or '/'}?{query}")
                return None
            data = await asyncio.wait_for(self.ws.recv(), timeout=left)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "auto_rerun":
                timer = (fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval)
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                which = el.WhichOneof("type")
                if which == "exception":
                    stats.errors.append(f"exception {page}: {el.exception.message[:120]}")
                elif which == "alert" and any(t in el.alert.body for t in ERROR_TEXTS):
                    stats.errors.append(f"alert {page}: {el.alert.body[:120]}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on the same request
                stats.runs.append(time.perf_counter() - t0)
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    stats.errors.append(f"compile error {page}")
                return timer[0] if timer and not fragment else None

    async def open_page(self, query: str, page: str, stats: Stats) -> None:
        """A page as a browser shows it: the run, then (a fresh page) the timer's rerun for its lower half."""
        t0 = time.perf_counter()
        timer = await self.run(query, page, stats)
        if timer:
            await asyncio.sleep(LATER_S)
            await self.run(query, page, stats, fragment=timer)
        stats.complete.append(time.perf_counter() - t0)


LATER_S = 1.2  # ui.layout.LATER_S: the browser's timer before a fresh page's lower half


async def user(base: str, pages: list[str], sets: list[dict], stop: float, stats: Stats, rng: random.Random) -> None:
    while time.perf_counter() < stop:
        session = Session(base)
        try:
            await session.open()
            query = urlencode(rng.choice(sets), doseq=True)
            stats.links += 1
            for page in rng.sample(pages, 3):  # a link, then two pages reached through the sidebar
                if time.perf_counter() >= stop:
                    break
                await session.open_page(query, page, stats)
                await asyncio.sleep(rng.uniform(0.5, 2.0))  # a glance at the page
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            stats.errors.append(f"{type(exc).__name__}: {str(exc)[:120]}")
        finally:
            await session.close()


async def level(bases: list, n: int, seconds: float, seed: int, year: int) -> dict:
    pages = [url for stem, url in registered_pages() if stem not in ("data", "briefing")]
    sets = list(filter_params(year).values())
    sets += [{**s, "year": [str(year + 1)]} for s in sets]
    stats = Stats()
    rng = random.Random(seed)
    rss: list[float] = []
    pids = [b.pid for b in bases]
    cpu0, t0 = sum(_cpu_s(p) for p in pids), time.perf_counter()
    stop = t0 + 2.0 + seconds
    loads = [os.getloadavg()[0]]

    async def sample() -> None:
        while time.perf_counter() < stop:
            rss.append(sum(_rss_mib(p) for p in pids))
            await asyncio.sleep(0.5)

    async def staggered(i: int) -> None:
        await asyncio.sleep(2.0 * i / n)
        await user(bases[i % len(bases)], pages, sets, stop, stats, random.Random(rng.random()))

    await asyncio.gather(sample(), *(staggered(i) for i in range(n)))
    wall = time.perf_counter() - t0
    loads.append(os.getloadavg()[0])
    return {
        "n": n,
        "wall": wall,
        "runs": len(stats.runs),
        "links": stats.links,
        "run_p50": pct(stats.runs, 0.5),
        "run_p95": pct(stats.runs, 0.95),
        "complete_p50": pct(stats.complete, 0.5),
        "complete_p95": pct(stats.complete, 0.95),
        "errors": stats.errors,
        "rss_peak": max(rss),
        "rss_end": sum(_rss_mib(p) for p in pids),
        "cpu": (sum(_cpu_s(p) for p in pids) - cpu0) / wall,
        "load": loads,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, type=Path)
    ap.add_argument("--sessions", type=int, nargs="+", default=[10, 20, 40])
    ap.add_argument("--seconds", type=float, default=90)
    ap.add_argument("--servers", type=int, default=1, help="server processes on the same warehouse file")
    ap.add_argument("--root", type=Path, default=REPO, help="serve another checkout (a before/after run)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(machine_line())
    print(load_line())
    print()
    import duckdb

    from data_pipeline import metrics

    with duckdb.connect(str(args.db), read_only=True) as con:
        year = int(metrics.info(con)["data_through"][:4]) - 1  # a full year and the current one
    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(dashboard_server(args.db.resolve(), root=args.root.resolve(), start_seconds=60))
            for _ in range(args.servers)
        ]
        rss0 = sum(_rss_mib(b.pid) for b in bases)
        asyncio.run(level(bases, 2 * len(bases), 10, args.seed, year))  # imports and first runs: not recorded
        rows = [asyncio.run(level(bases, n, args.seconds, args.seed + n, year)) for n in args.sessions]
    print(
        f"{args.servers} server process(es) of {args.root.resolve().name}, warehouse {args.db.name}; "
        f"RSS after start {rss0:.0f} MiB; "
        f"{args.seconds:.0f} s steady per level\n"
    )
    print(
        "| sessions | runs | runs/s | run p50 / p95 s | page complete p50 / p95 s | errors | server RSS peak / end MiB "
        "| server CPU (cores) | load start → end |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['n']} | {r['runs']} | {r['runs'] / r['wall']:.1f} | {r['run_p50']:.2f} / {r['run_p95']:.2f} | "
            f"{r['complete_p50']:.2f} / {r['complete_p95']:.2f} | {len(r['errors'])} | "
            f"{r['rss_peak']:.0f} / {r['rss_end']:.0f} | {r['cpu']:.2f} | {r['load'][0]:.1f} → {r['load'][1]:.1f} |"
        )
    for r in rows:
        for e in sorted(set(r["errors"]))[:10]:
            print(f"- {r['n']} sessions: {e} (×{r['errors'].count(e)})")
    print(f"\nload at end: {load_line()}")


if __name__ == "__main__":
    main()

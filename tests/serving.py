"""A Streamlit server of the dashboard on a free localhost port, for browser tests and page benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Served(str):
    """The base URL of a started server (a str), with the server's process id (benchmarks read its memory)."""

    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dashboard_server(
    db: Path,
    *,
    start_seconds: float = 60,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
    script: str = "server.py",
    root: Path = ROOT,
) -> Iterator[Served]:
    """`streamlit run server.py` (the dashboard and its sign-in routes) on the warehouse `db`; yields the base URL
    once it answers its health check. `env` adds variables (e.g. UNION_DASH_APPSTATE), `args` Streamlit options,
    `script` another st.App file (the benchmarks' floor page), `root` another checkout (a before/after run)."""
    port = port or free_port()
    env = {**os.environ, "UNION_DASH_DB": str(db), **(env or {})}
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    cmd += list(args)
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {start_seconds:.0f} s") from None
                time.sleep(0.25)
        served = Served(base)
        served.pid = proc.pid
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


# A freshly opened page draws its lower half one run later (ui.layout.later): until then its places are held by
# containers keyed later_N. Browser tests that read the whole page wait for this after the first run.
DRAWN_IN_FULL_JS = """() => !document.querySelector('[class*="st-key-later_"]')
  && document.querySelector('[data-testid="stApp"]')?.dataset.testScriptState === 'notRunning'"""


def wait_drawn_in_full(pg, timeout_ms: int = 60_000) -> None:
    """Wait until the page's deferred lower half (if any) has been drawn and no run is going on."""
    pg.wait_for_function(DRAWN_IN_FULL_JS, timeout=timeout_ms)


CHROMIUM = Path("/usr/bin/chromium")  # Debian's Chromium: browser tests never download one
LAUNCH_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
RUN_DONE_JS = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


@contextlib.contextmanager
def chromium(*extra_args: str) -> Iterator[object]:
    """Debian's Chromium under Playwright, headless, closed afterwards."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[*LAUNCH_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()


def settle(pg, *, pause_ms: int = 300, timeout_ms: int = 60_000) -> None:
    """Wait for the page's title, the end of the script run (the app's own run state, not just something drawn)
    and its deferred lower half, then `pause_ms` for the browser to paint."""
    pg.wait_for_selector("h1", timeout=30_000)
    pg.wait_for_function(RUN_DONE_JS, timeout=timeout_ms)
    wait_drawn_in_full(pg, timeout_ms)
    pg.wait_for_timeout(pause_ms)


def page_texts_js(skip: str) -> str:
    """JavaScript for page.evaluate: the document's title and every text on the page (SVG chart text included),
    except inside elements matching the CSS selector `skip` (where user data or the other language stand)."""
    return _PAGE_TEXTS_JS.replace("SKIP", json.dumps(skip))


_PAGE_TEXTS_JS = """() => {
  const skip = SKIP;
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    if (text && !(n.parentElement && n.parentElement.closest(skip))) out.push(text);
  }
  return out;
}"""

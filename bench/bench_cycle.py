"""The submission cycle's two timings: an upload through the 数据报送 page, and publish end to end.

Usage: python bench/bench_cycle.py [--rows 2000] [--repeat 3] [--raw DIR] [--scale 1]
1. upload: a county's 2,000-row enterprises file (the bench_feedback upload: every fifth 职工人数 changed, 1 % of the
   rows broken) checked, stored and recorded by `submissions.upload` (what the page calls), and the whole page run
   in AppTest (upload, feedback, the boxes for 400 warnings, the history), each in a fresh app state;
2. publish: the demo set at --scale as the deployment's raw folder (generated into --raw when empty) and its
   warehouse, one accepted county file in the ledger; the time from 发布 (`publish.request`, which starts the
   background worker) until the new warehouse is published.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNION_DASH_HASH_KEY", "bench-key-bench-key-bench-key-00")

import duckdb  # noqa: E402

from bench.bench_feedback import _previous_quarter, _upload  # noqa: E402
from bench.common import load_line, machine_line  # noqa: E402
from data_pipeline import accounts, appstate, build, publish, submissions, templates  # noqa: E402
from data_pipeline.roster import Quarter, county_unit, reporting_quarter  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADMIN = submissions.Actor("bench", None, admin=True)


def _fresh_state(tmp: Path, k: int) -> Path:
    state = tmp / f"state{k}" / "appstate.sqlite"
    os.environ["UNION_DASH_APPSTATE"] = str(state)
    return state


def upload_timings(rows: int, repeat: int) -> None:
    from streamlit.testing.v1 import AppTest

    from ui import auth

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        raw = tmp / "raw"
        raw.mkdir()
        _previous_quarter(raw, rows)
        db = tmp / "w.duckdb"
        build.build(raw, db)
        os.environ["UNION_DASH_DB"] = str(db)
        unit = county_unit("xintai")
        with duckdb.connect(str(db), read_only=True) as con:
            data = _upload(con, unit, rows)
        calls, pages = [], []
        for k in range(repeat):
            _fresh_state(tmp, 2 * k)
            with appstate.connect() as con, duckdb.connect(str(db), read_only=True) as wh:
                t0 = time.perf_counter()
                up = submissions.upload(
                    con,
                    data,
                    "2026Q4_新泰市_企业建会入会情况.xlsx",
                    unit=unit,
                    actor=submissions.Actor("xintai", unit, can_submit=True),
                    quarter=Quarter(2026, 4),
                    dataset_hint="enterprises",
                    warehouse=wh,
                )
                calls.append(time.perf_counter() - t0)
            state = _fresh_state(tmp, 2 * k + 1)
            with appstate.connect(state) as con:
                account, _ = accounts.add_account(con, "xintai", "county", county="新泰", password="bench-password-1")
                role, scope = accounts.role_of(con, account), accounts.scope_for(con, account)
            at = AppTest.from_file(str(ROOT / "app_pages" / "submit.py"), default_timeout=120)
            at.session_state[auth.SESSION_KEY] = auth.Gate(auth.Identity(role, scope, "password", account, "t"))
            at.run()
            at.file_uploader(key="submit_files").set_value([("2026Q4_新泰市_企业建会入会情况.xlsx", data, "x")])
            t0 = time.perf_counter()
            at.run()
            pages.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
        s = up.submission
        print(f"upload: {len(data) / 1024:.0f} KiB, {rows} rows → {s.error_count} errors, {s.warning_count} warnings")
        print(
            f"  submissions.upload (check, warnings, marked-up copy, store, ledger): median {statistics.median(calls):.2f} s, min {min(calls):.2f} s"
        )
        print(
            f"  the page run in AppTest with the upload: median {statistics.median(pages):.2f} s, min {min(pages):.2f} s"
        )
        print(f"  {load_line()}")


def publish_timing(raw: Path, scale: float) -> None:
    if not raw.is_dir() or not any(raw.iterdir()):
        from data_pipeline import demo

        demo.generate(raw, seed=2022, scale=scale)
    files = sum(1 for p in raw.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db = tmp / "warehouse.duckdb"
        os.environ["UNION_DASH_DB"] = str(db)
        os.environ["UNION_DASH_RAW"] = str(raw)
        _fresh_state(tmp, 0)
        t0 = time.perf_counter()
        build.build(raw, db)
        plain = time.perf_counter() - t0
        q = reporting_quarter()
        unit = county_unit("xintai")
        with duckdb.connect(str(db), read_only=True) as wh:
            tpl = templates.build_template("enterprises", unit=unit, quarter=q, con=wh)
        with appstate.connect() as con, duckdb.connect(str(db), read_only=True) as wh:
            s = submissions.upload(
                con,
                tpl.content,
                tpl.file_name,
                unit=unit,
                actor=ADMIN,
                quarter=q,
                dataset_hint="enterprises",
                warehouse=wh,
            ).submission
            s = submissions.submit(
                con, s.id, actor=ADMIN, explanations={w.seq: "核对无误，数据属实" for w in s.warnings}
            )
            submissions.accept(con, s.id, actor=ADMIN)
            t0 = time.perf_counter()
            p = publish.request(con, actor=ADMIN)
            while publish.get(con, p.id).active:
                time.sleep(0.1)
            total = time.perf_counter() - t0
            done = publish.get(con, p.id)
        shutil.rmtree(tmp / "submissions", ignore_errors=True)
    print(f"publish at scale {scale}: {files} files in the raw folder, 1 accepted ledger file")
    print(f"  plain build --raw: {plain:.1f} s")
    print(
        f"  发布 → published (worker start, staging, build, swap): {total:.1f} s; build itself {done.result.get('seconds')} s"
    )
    print(f"  {done.status}: {done.message}")
    print(f"  {load_line()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--raw", default=str(ROOT / "bench" / "out" / "raw-cycle"))
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--skip-upload", action="store_true")
    ap.add_argument("--skip-publish", action="store_true")
    args = ap.parse_args()
    print(machine_line())
    if not args.skip_upload:
        upload_timings(args.rows, args.repeat)
    if not args.skip_publish:
        publish_timing(Path(args.raw), args.scale)


if __name__ == "__main__":
    main()

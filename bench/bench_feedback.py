"""Submission feedback benchmark: check + warnings + marked-up copy for one county's enterprises upload.

Usage: python bench/bench_feedback.py [--rows 2000] [--repeat 5]
Builds a warehouse holding the county's previous quarter (ROWS firms), then times `feedback.feedback` on the
next quarter's upload: the pre-filled template with a fifth of the numbers changed, 1 % of the rows broken.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("UNION_DASH_HASH_KEY", "bench-key-bench-key-bench-key-00")

import duckdb  # noqa: E402
import openpyxl  # noqa: E402

from bench.common import load_line, machine_line  # noqa: E402
from data_pipeline import build, feedback, markup, published, templates, warning_rules  # noqa: E402
from data_pipeline.normalize import credit_check_char  # noqa: E402
from data_pipeline.roster import Quarter, county_unit  # noqa: E402

HEADER = [
    "统计期",
    "统一社会信用代码",
    "企业名称",
    "县市区",
    "产业链",
    "是否规上企业",
    "职工人数",
    "是否建会",
    "会员人数",
]


def _cc(n: int) -> str:
    body = f"91370982MA{n:07d}"
    return body + credit_check_char(body)


def _previous_quarter(raw: Path, rows: int) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年第三季度新泰市企业建会入会情况统计表"])
    ws.append(HEADER)
    for i in range(rows):
        ws.append(
            ["2026Q3", _cc(i), f"新泰示例企业{i}有限公司", "新泰市", "汽车及零部件", "是", 200 + i % 50, "是", 150]
        )
    wb.save(raw / "2026Q3_新泰市_企业建会入会情况.xlsx")


def _upload(con, unit, rows: int) -> bytes:
    tpl = templates.build_template("enterprises", unit=unit, quarter=Quarter(2026, 4), con=con)
    wb = openpyxl.load_workbook(io.BytesIO(tpl.content))
    ws = wb.worksheets[0]
    for r in range(3, 3 + rows):
        if r % 5 == 0:
            ws.cell(r, 8).value = 400  # 职工人数 changed a lot: a warning
        if r % 100 == 0:
            ws.cell(r, 10).value = 999  # 会员人数 > 职工人数: an error
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        _previous_quarter(raw, args.rows)
        db = Path(tmp) / "w.duckdb"
        build.build(raw, db)
        con = duckdb.connect(str(db), read_only=True)
        unit = county_unit("xintai")
        data = _upload(con, unit, args.rows)
        print(f"upload: {len(data) / 1024:.0f} KiB, {args.rows} rows")
        totals, parts = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            checked = feedback.check_upload(data, "2026Q4_新泰市_企业建会入会情况.xlsx")
            t1 = time.perf_counter()
            prev = published.last_published(con, "enterprises", unit, Quarter(2026, 4))
            ws = warning_rules.check_warnings(
                checked.rows,
                prev.rows,
                dataset_name="enterprises",
                previous_period=prev.period,
                headers=checked.headers,
            )
            t2 = time.perf_counter()
            errors = checked.report.problems + feedback.other_unit_problems(checked.rows, unit, checked.headers)
            markup.mark_up(data, "u.xlsx", errors, ws, sheets=checked.sheets)
            t3 = time.perf_counter()
            fb = feedback.feedback(data, "2026Q4_新泰市_企业建会入会情况.xlsx", unit=unit, con=con)
            t4 = time.perf_counter()
            parts.append((t1 - t0, t2 - t1, t3 - t2))
            totals.append(t4 - t3)
        print(f"errors {len(fb.errors)}, warnings {len(fb.warnings)}; {load_line()}")
        check, warn, mark = (statistics.median(p[i] for p in parts) for i in range(3))
        print(f"median of {args.repeat}: check {check:.2f} s, warnings {warn:.2f} s, markup {mark:.2f} s")
        print(f"feedback() end to end: median {statistics.median(totals):.2f} s, min {min(totals):.2f} s")
        con.close()


if __name__ == "__main__":
    main()

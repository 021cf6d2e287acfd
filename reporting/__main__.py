"""Command line: `python -m reporting brief --db FILE --out deck.pptx [...]` builds a briefing deck without Streamlit."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _quarters(text: str) -> tuple[int, int]:
    """'3' / 'Q3' → (3, 3); '1-3' / 'Q1-Q3' / 'Q1–Q3' → (1, 3)."""
    match = re.fullmatch(r"[Qq]?([1-4])(?:\s*[-–~至]\s*[Qq]?([1-4]))?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"季度应为 1–4 或范围如 1-3，收到“{text}”")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise argparse.ArgumentTypeError(f"季度范围应从小到大，收到“{text}”")
    return first, last


def parser() -> argparse.ArgumentParser:
    from data_pipeline import config

    top = argparse.ArgumentParser(
        prog="python -m reporting", description="简报材料：PPTX 演示文稿、图表 PNG 压缩包、数据工作簿。"
    )
    verbs = top.add_subparsers(dest="verb", required=True)
    brief = verbs.add_parser(
        "brief",
        help="生成简报演示文稿（PPTX）",
        description="从数据仓库生成简报：封面、重点指标、每张图表一页（附一句话结论）、数据来源页。",
    )
    brief.add_argument("--db", type=Path, default=None, help=f"数据仓库文件（默认 {config.paths().db}）")
    brief.add_argument("--out", type=Path, required=True, help="输出的 .pptx 文件")
    brief.add_argument("--year", type=int, help="年度（默认：有数据的最近年度）")
    brief.add_argument("--quarter", type=_quarters, default=(1, 4), help="季度或范围，如 3 或 1-3（默认全年）")
    brief.add_argument("--county", action="append", default=[], help="县市区（代码或中文名，可重复）")
    brief.add_argument("--chain", action="append", default=[], help="产业链（代码或中文名，可重复）")
    brief.add_argument(
        "--sections",
        nargs="+",
        default=None,
        help="章节：overview p1 … p5（或 ideology skills merit innovation service）chain:产业链 county:县市区；默认总览和五大工程",
    )
    brief.add_argument("--zip", type=Path, help="另存全部图表 PNG 的压缩包")
    brief.add_argument("--xlsx", type=Path, help="另存每张图表数据一页的工作簿")
    return top


def _brief(args: argparse.Namespace) -> int:
    import duckdb

    from data_pipeline import config, metrics
    from reporting import deck

    db = args.db or config.paths().db
    if not Path(db).is_file():
        print(
            f"未找到数据仓库文件：{db}。请先运行 python -m data_pipeline build --raw 报送文件夹 --db {db}",
            file=sys.stderr,
        )
        return 2
    from data_pipeline import warehouse

    if (broken := warehouse.problem(Path(db))) is not None:  # damaged, not DuckDB, an older schema: say which
        print(broken, file=sys.stderr)
        return 2
    try:
        sections = deck.parse_sections(args.sections) if args.sections else list(deck.DEFAULT_SECTIONS)
        counties = deck.dimension_codes(args.county, "county")
        chains = deck.dimension_codes(args.chain, "chain")
    except ValueError as error:
        print(str(error), file=sys.stderr)
        return 2
    started = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    try:
        years = sorted({int(y) for y in metrics.periods(con)["year"]})
        if not years:
            print("数据仓库中还没有任何季度的数据，无法生成简报。", file=sys.stderr)
            return 1
        year = args.year or years[-1]
        if year not in years:
            print(f"{year}年没有数据；可选年度：{'、'.join(map(str, years))}", file=sys.stderr)
            return 2
        filters = metrics.Filters(year, args.quarter[0], args.quarter[1], counties, chains)
        spec, briefing = deck.build_deck(con, filters, sections, progress=_progress, with_zip=bool(args.zip))
    finally:
        con.close()
    outputs = [(args.out, briefing.pptx), (args.xlsx, briefing.xlsx), (args.zip, briefing.zip)]
    for path, data in outputs:
        if path is not None and data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if briefing.warning:
        print(f"提示：{briefing.warning}", file=sys.stderr)
    slides = 3 + len(spec.charts)
    print(
        f"已生成简报 {args.out}：{slides} 页，图表 {len(spec.charts)} 张（用时 {time.perf_counter() - started:.1f} 秒）"
    )
    if args.xlsx:
        print(f"数据工作簿：{args.xlsx}")
    if args.zip and briefing.zip is not None:
        print(f"图表压缩包：{args.zip}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.verb == "brief":
        return _brief(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())

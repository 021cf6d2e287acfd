"""Command line: `python -m reporting brief --db FILE --out deck.pptx [--out report.docx] [...]` builds a briefing
deck and/or the Word report (the file's extension picks the format; both from one spec) without Streamlit."""

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


FORMATS = (".pptx", ".docx")


def _choice(name: str, allowed: tuple[str, ...]):
    def check(text: str) -> str:
        if text.strip().lower() not in allowed:
            raise argparse.ArgumentTypeError(f"{name}应为 {' 或 '.join(allowed)}，收到“{text}”")
        return text.strip().lower()

    return check


def _out(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in FORMATS:
        raise argparse.ArgumentTypeError(f"输出文件应以 .pptx（演示文稿）或 .docx（Word 简报）结尾，收到“{text}”")
    return path


def parser() -> argparse.ArgumentParser:
    from data_pipeline import config

    top = argparse.ArgumentParser(
        prog="python -m reporting",
        description="简报材料：PPTX 演示文稿、Word 简报、图表 PNG 压缩包、数据工作簿。",
    )
    verbs = top.add_subparsers(dest="verb", required=True)
    brief = verbs.add_parser(
        "brief",
        help="生成简报演示文稿（PPTX）或 Word 简报（DOCX）",
        description="从数据仓库生成简报：演示文稿（封面、重点指标、每张有数据的图表一页并附一句话结论、数据来源页）"
        "或 Word 简报（总体情况、各工程重点指标与结论、图表、数据来源）。图表为可编辑的原生图表。",
    )
    brief.add_argument("--db", type=Path, default=None, help=f"数据仓库文件（默认 {config.paths().db}）")
    brief.add_argument(
        "--out",
        type=_out,
        action="append",
        required=True,
        help="输出文件：.pptx 为演示文稿，.docx 为 Word 简报；可重复，如 --out 简报.pptx --out 简报.docx",
    )
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
    brief.add_argument("--lang", type=_choice("语言", ("zh", "en")), default="zh", help="语言：zh（默认）或 en")
    brief.add_argument(
        "--charts",
        type=_choice("图表方式", ("native", "image")),
        default="native",
        help="native（默认）：可编辑的原生图表；image：与看板一致的图片（需要 Chrome/Chromium）",
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
        kinds = {path.suffix.lower() for path in args.out}
        spec, briefing = deck.build_deck(
            con,
            filters,
            sections,
            charts=args.charts,
            lang=args.lang,
            progress=_progress,
            with_zip=bool(args.zip),
            with_pptx=".pptx" in kinds,
            with_docx=".docx" in kinds,
            with_xlsx=bool(args.xlsx),
        )
    finally:
        con.close()
    files = {".pptx": briefing.pptx, ".docx": briefing.docx}
    outputs = [(path, files[path.suffix.lower()]) for path in args.out]
    outputs += [(args.xlsx, briefing.xlsx), (args.zip, briefing.zip)]
    try:
        for path, data in outputs:
            if path is not None and data is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    except OSError as error:
        print(f"无法写入文件 {error.filename}：{error.strerror}。请检查路径和权限。", file=sys.stderr)
        return 1
    if briefing.warning:
        print(f"提示：{briefing.warning}", file=sys.stderr)
    seconds = time.perf_counter() - started
    shown = len(spec.shown)
    skipped = f"，无数据未生成 {len(spec.skipped)} 张" if spec.skipped else ""
    for path in args.out:
        if path.suffix.lower() == ".pptx":
            print(f"已生成简报 {path}：{spec.slide_count} 页，图表 {shown} 张{skipped}（用时 {seconds:.1f} 秒）")
        else:
            print(f"已生成 Word 简报 {path}：图表 {shown} 张{skipped}（用时 {seconds:.1f} 秒）")
    if args.xlsx:
        print(f"数据工作簿：{args.xlsx}")
    if args.zip and briefing.zip is not None:
        print(f"图表压缩包：{args.zip}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.verb == "brief":
        try:
            return _brief(args)
        except Exception as error:  # noqa: BLE001 - one line for the user, never a traceback
            print(f"生成简报失败：{error}（{type(error).__name__}）。请检查数据仓库文件后重试。", file=sys.stderr)
            return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())

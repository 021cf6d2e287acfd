"""The data pipeline's verbs: demo, build, check and prepare (what `make run` calls)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from data_pipeline import config


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> int:
    from data_pipeline import demo

    summary = demo.generate(Path(args.out), seed=args.seed, scale=args.scale, progress=_progress)
    print(f"已生成模拟报送文件 {summary.files} 个 → {args.out}")
    return 0


def _shown(path: Path) -> str:
    """A path as it can be printed (bytes of any encoding decoded, ID-like digits masked)."""
    from data_pipeline.ingest import display_name

    return display_name(str(path))


def _build(args: argparse.Namespace) -> int:
    from data_pipeline import build

    raw, db = Path(args.raw), Path(args.db)
    if not raw.is_dir():
        print(f"构建失败：报送文件夹不存在：{_shown(raw)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = build.build(raw, db, progress=_progress, rehash=getattr(args, "rehash", False))
    except build.BuildError as exc:
        print(f"构建失败：{exc}", file=sys.stderr)
        return 1
    if getattr(args, "brief", False):  # `make run`: the closing line only; the 数据说明 page lists every file
        print(result.summary_zh().splitlines()[-1])
    else:
        print(result.summary_zh())
    print(f"已发布数据仓库 {_shown(db)}（用时 {time.perf_counter() - started:.1f} 秒）")
    return 0


def _check(args: argparse.Namespace) -> int:
    from data_pipeline import ingest

    reports = ingest.check_files([Path(p) for p in args.files])
    for report in reports:
        print(report.render_zh())
    return 0 if all(r.ok for r in reports) else 1


def _prepare(args: argparse.Namespace) -> int:
    """Use an existing warehouse as it is; else build one from the submissions, generating demo data if none."""
    paths = config.paths()
    if paths.db.exists():
        print(f"使用已有数据仓库：{paths.db}")
        return 0
    raw = paths.raw
    if not raw.is_dir() or not any(p.is_file() for p in raw.rglob("*")):
        from data_pipeline import demo

        print(f"未找到报送文件，正在生成模拟数据 → {raw}", file=sys.stderr)
        demo.generate(raw, seed=args.seed, scale=1.0, progress=None)
    print(f"正在从 {raw} 构建数据仓库（逐个文件的结果见看板“数据说明”页）", file=sys.stderr)
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    return _build(argparse.Namespace(raw=str(raw), db=str(paths.db), brief=True))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m data_pipeline", description="泰安市总工会“五大工程”数据管道")
    sub = p.add_subparsers(dest="verb", required=True)

    d = sub.add_parser(
        "demo", help="生成模拟报送文件（确定性）", description="生成模拟报送文件（同一种子得到相同文件）"
    )
    d.add_argument("--out", required=True, help="输出文件夹")
    d.add_argument("--seed", type=int, default=2022, help="随机种子（默认 2022）")
    d.add_argument("--scale", type=float, default=1.0, help="规模倍数：企业与记录数乘以该值（默认 1）")
    d.set_defaults(func=_demo)

    b = sub.add_parser(
        "build", help="读取报送文件，校验、建模并原子发布数据仓库", description="读取报送文件并发布数据仓库"
    )
    b.add_argument("--raw", required=True, help="报送文件所在文件夹（含子文件夹）")
    b.add_argument("--db", required=True, help="要发布的数据仓库文件（.duckdb）")
    b.add_argument(
        "--rehash",
        action="store_true",
        help="确认更换身份证号哈希密钥：即使已有数据仓库是用另一把密钥构建的也重新构建（帮扶记录的编号会全部改变）",
    )
    b.set_defaults(func=_build)

    c = sub.add_parser("check", help="报送前自查：不需要数据仓库", description="逐个检查报送文件，列出每一处问题")
    c.add_argument("files", nargs="+", help="要检查的文件")
    c.set_defaults(func=_check)

    r = sub.add_parser("prepare", help="准备看板所用数据仓库（已有则直接使用）", description="准备看板数据仓库")
    r.add_argument("--seed", type=int, default=2022, help="需要生成模拟数据时的随机种子")
    r.set_defaults(func=_prepare)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)

"""The data pipeline's verbs: demo, build, check, export, template, prepare (what `make run` calls), users
(accounts) and publish (a build over the accepted submissions)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from data_pipeline import config

if TYPE_CHECKING:
    import sqlite3

    from data_pipeline.appstate import Account


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
    if getattr(args, "export_parquet", None):
        return _export(argparse.Namespace(db=str(db), out=args.export_parquet))
    return 0


def _export(args: argparse.Namespace) -> int:
    from data_pipeline import parquet_export

    try:
        result = parquet_export.export_marts(Path(args.db), Path(args.out))
    except parquet_export.ExportError as exc:
        print(f"导出失败：{exc}", file=sys.stderr)
        return 1
    print(f"{result.summary_zh()}（用时 {result.seconds:.1f} 秒）")
    return 0


def _check(args: argparse.Namespace) -> int:
    from data_pipeline import ingest

    reports = ingest.check_files([Path(p) for p in args.files])
    for report in reports:
        print(report.render_zh())
    return 0 if all(r.ok for r in reports) else 1


def _template(args: argparse.Namespace) -> int:
    import duckdb

    from data_pipeline import roster, templates

    try:
        ds = templates.resolve_dataset(args.dataset)
        unit = roster.unit_for(county=args.county, chain=args.chain)
        quarter = roster.Quarter.parse(args.period) if args.period else roster.reporting_quarter()
    except (KeyError, ValueError) as exc:
        print(f"无法生成模板：{exc.args[0]}", file=sys.stderr)
        return 2
    db = Path(args.db) if args.db else config.paths().db
    con = None
    if db.is_file():
        try:
            con = duckdb.connect(str(db), read_only=True)
        except duckdb.Error:
            print(f"提示：无法打开数据仓库 {db}，模板不预填上期数据", file=sys.stderr)
    elif args.db:
        print(f"无法生成模板：数据仓库不存在：{db}", file=sys.stderr)
        return 2
    try:
        tpl = templates.build_template(ds.dataset, unit=unit, quarter=quarter, con=con)
    finally:
        if con is not None:
            con.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(tpl.content)
    if tpl.note:
        print(f"提示：未预填上期数据 —— {tpl.note}", file=sys.stderr)
    filled = f"，预填上期（{tpl.prefilled_from}）{tpl.prefilled_rows} 行" if tpl.prefilled_rows else ""
    print(f"已生成模板“{tpl.title}”{filled} → {out}")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    """Use an existing warehouse as it is; else build one from the submissions, generating demo data if none."""
    from data_pipeline import warehouse

    paths = config.paths()
    raw = paths.raw
    has_raw = raw.is_dir() and any(p.is_file() for p in raw.rglob("*"))
    if paths.db.exists():
        trouble = warehouse.problem(paths.db)
        if trouble is None or not has_raw:
            print(f"使用已有数据仓库：{paths.db}" if trouble is None else trouble)
            return 0
        print(f"{trouble.split('。')[0]}。正在从 {raw} 重新构建。", file=sys.stderr)  # e.g. an older schema
    if not has_raw:
        from data_pipeline import demo

        print(f"未找到报送文件，正在生成模拟数据 → {raw}", file=sys.stderr)
        demo.generate(raw, seed=args.seed, scale=1.0, progress=None)
    print(f"正在从 {raw} 构建数据仓库（逐个文件的结果见看板“数据说明”页）", file=sys.stderr)
    paths.db.parent.mkdir(parents=True, exist_ok=True)
    return _build(argparse.Namespace(raw=str(raw), db=str(paths.db), brief=True))


def _publish(args: argparse.Namespace) -> int:
    from data_pipeline import appstate, publish
    from data_pipeline.submissions import Actor, LedgerError

    if args.run is not None:  # the background worker started by the 发布 button
        done = publish.run(args.run, progress=_progress)
        print(done.message or done.status_zh)
        return 0 if done.status == "published" else 1
    try:
        with appstate.connect() as con:
            base = None if args.no_base else publish.DEFAULT_BASE
            queued = publish.request(con, actor=Actor(f"cli:{_os_user()}", admin=True), base=base, spawn=False)
    except LedgerError as exc:
        print(f"发布失败：{exc}", file=sys.stderr)
        return 1
    done = publish.run(queued.id, progress=_progress)
    if done.status != "published":
        print(f"发布失败：{done.message}", file=sys.stderr)
        return 1
    print(done.message)
    return 0


def _read_password() -> str | None:
    """A password piped on stdin (its first line); None when stdin is a terminal or empty (one is generated)."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    return sys.stdin.readline().rstrip("\r\n") or None


def _users(args: argparse.Namespace) -> int:
    from data_pipeline import accounts, appstate

    actor = f"cli:{_os_user()}"
    try:
        with appstate.connect() as con:
            if args.action == "add":
                password = _read_password()
                account, generated = accounts.add_account(
                    con,
                    args.login,
                    args.role,
                    county=args.county,
                    chain=args.chain,
                    name=args.name or "",
                    password=password,
                    email=args.email,
                    oidc_subject=args.oidc_subject,
                    actor=actor,
                )
                print(f"已新增账号 {account.login}（{_role_text(con, account)}）")
                _print_generated(generated)
                if accounts.login_required():
                    print("已启用登录：打开看板的每个页面都需要先登录。")
            elif args.action == "list":
                _list_users(con)
            elif args.action in ("disable", "enable"):
                account = accounts.set_disabled(con, args.login, args.action == "disable", actor=actor)
                print(f"已{'停用' if account.disabled else '启用'}账号 {account.login}")
            elif args.action == "reset":
                password = _read_password()
                account, generated = accounts.reset_password(con, args.login, password, actor=actor)
                print(f"已重置账号 {account.login} 的密码并解除锁定；该账号已登录的会话全部失效")
                _print_generated(generated)
    except accounts.AccountError as exc:
        print(f"操作失败：{exc}", file=sys.stderr)
        return 1
    return 0


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _print_generated(password: str | None) -> None:
    if password:
        print(f"初始密码（只显示这一次，请转交本人并提醒登录后妥善保管）：{password}")


def _role_text(con: sqlite3.Connection, account: Account) -> str:
    from data_pipeline import accounts

    role = accounts.role_of(con, account)
    unit = accounts.county_name(account.county) or accounts.chain_name(account.chain)
    return f"{role.name_zh}{' · ' + unit if unit else ''}"


def _list_users(con: sqlite3.Connection) -> None:
    from data_pipeline import appstate

    rows = appstate.list_accounts(con)
    if not rows:
        print(
            "尚无账号：看板以“未启用登录”方式运行。新增第一个管理员：python -m data_pipeline users add 账号 --role admin"
        )
        return
    now = appstate.now()
    print("账号\t姓名\t角色\t状态\t邮箱\t最近登录")
    for a in rows:
        if a.disabled:
            state = "停用"
        elif a.locked_until and a.locked_until > now:
            state = f"锁定至 {a.locked_until.astimezone():%H:%M}"
        else:
            state = "正常"
        last = appstate.parse_stamp(a.last_sign_in_at)
        print(
            "\t".join(
                [
                    a.login,
                    a.display_name or "-",
                    _role_text(con, a),
                    state,
                    a.email or "-",
                    f"{last.astimezone():%Y-%m-%d %H:%M}" if last else "-",
                ]
            )
        )


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
    b.add_argument(
        "--export-parquet",
        metavar="DIR",
        help="发布后把指标数据（marts）导出为按年度、县市区分区的 Parquet 文件夹（供全省汇总等使用）",
    )
    b.set_defaults(func=_build)

    x = sub.add_parser(
        "export",
        help="把已发布数据仓库的指标数据（marts）导出为按年度、县市区分区的 Parquet",
        description="把已发布数据仓库的指标数据（marts）和参考表导出为 Parquet：有年度、县市区的表按二者分区（hive 式目录）",
    )
    x.add_argument("--db", required=True, help="已发布的数据仓库文件（.duckdb）")
    x.add_argument("--out", required=True, help="导出文件夹（不存在则新建；已有的导出会被整体替换）")
    x.set_defaults(func=_export)

    c = sub.add_parser("check", help="报送前自查：不需要数据仓库", description="逐个检查报送文件，列出每一处问题")
    c.add_argument("files", nargs="+", help="要检查的文件")
    c.set_defaults(func=_check)

    t = sub.add_parser(
        "template",
        help="生成报送模板（.xlsx，按报送合同生成，可预填上期数据）",
        description="按报送合同生成某类数据的报送模板：标题、表头、填写规则提示、下拉列表、数据校验与填表说明；"
        "企业和名录类数据预填本单位上期已发布的行",
    )
    t.add_argument("dataset", help="数据类型：代码（如 enterprises）或中文名称（如 企业建会入会情况）")
    who = t.add_mutually_exclusive_group()
    who.add_argument("--county", help="填报的县市区（代码或名称，如 xintai、新泰市）：下拉列表只含本单位")
    who.add_argument("--chain", help="填报的产业链工会（代码或名称，如 C01、汽车及零部件）")
    t.add_argument("--period", help="统计期（如 2026Q4；默认最近一个已结束的季度）")
    t.add_argument("--db", help="预填所用的数据仓库（默认看板的数据仓库，不存在则不预填）")
    t.add_argument("--out", required=True, help="输出文件（.xlsx）")
    t.set_defaults(func=_template)

    pub = sub.add_parser(
        "publish",
        help="发布：用已接收的报送文件（及原有报送文件夹）构建并发布数据仓库",
        description="把报送台账中已接收的文件与原有报送文件夹（UNION_DASH_RAW，同 build --raw）一起构建并原子发布"
        "数据仓库；被退回、待审或已被替代的文件不会进入数据仓库。同一时间只能有一次发布。",
    )
    pub.add_argument("--no-base", action="store_true", help="只用已接收的报送文件，不含原有报送文件夹")
    pub.add_argument("--run", type=int, help=argparse.SUPPRESS)  # the worker of a queued publication
    pub.set_defaults(func=_publish)

    r = sub.add_parser("prepare", help="准备看板所用数据仓库（已有则直接使用）", description="准备看板数据仓库")
    r.add_argument("--seed", type=int, default=2022, help="需要生成模拟数据时的随机种子")
    r.set_defaults(func=_prepare)

    u = sub.add_parser(
        "users",
        help="管理看板账号（新增、列出、停用、重置密码）",
        description="管理看板账号。一旦存在任一账号，看板的每个页面都需要登录。",
    )
    users = u.add_subparsers(dest="action", required=True)
    add = users.add_parser(
        "add",
        help="新增账号",
        description="新增账号。密码从标准输入读取（如 echo 密码 | …）；不用管道时自动生成一个并只显示一次。",
    )
    add.add_argument("login", help="登录账号名")
    add.add_argument(
        "--role",
        required=True,
        help="角色：admin 管理员、leader 领导、analyst 分析员、county 县市区工会、chain 产业链工会",
    )
    add.add_argument("--county", help="所属县市区（代码、名称或简称均可，如 xintai、新泰市）；county 角色必填")
    add.add_argument("--chain", help="所属产业链（代码或名称，如 C10）；chain 角色必填")
    add.add_argument("--name", help="姓名或单位名称（显示用）")
    add.add_argument("--email", help="统一身份认证（单点登录）使用的邮箱")
    add.add_argument("--oidc-subject", help="统一身份认证的用户标识 subject（有则优先于邮箱匹配）")
    add.set_defaults(func=_users)
    lst = users.add_parser("list", help="列出全部账号", description="列出全部账号、角色、状态和最近登录时间")
    lst.set_defaults(func=_users)
    for action, text in (
        ("disable", "停用账号（并使其已登录的会话失效）"),
        ("enable", "重新启用已停用的账号"),
        ("reset", "重置密码并解除锁定（新密码从标准输入读取，不用管道时自动生成）"),
    ):
        a = users.add_parser(action, help=text, description=text)
        a.add_argument("login", help="登录账号名")
        a.set_defaults(func=_users)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)

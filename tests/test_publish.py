"""Publish: a build over the base folder plus the accepted files in force, in a background process, one at a time.
Real app state, real store, real builds of the tiny fixture set into tmp_path; the dashboard's own read path
(ui.data) reading while a worker process swaps the warehouse."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from data_pipeline import appstate, completeness, metrics, publish, submissions
from data_pipeline.normalize import credit_check_char
from data_pipeline.roster import Quarter, county_unit
from data_pipeline.submissions import Actor, LedgerError
from tests.cycle_files import filled

Q = Quarter(2024, 4)
XINTAI, TAISHAN, FEICHENG = county_unit("新泰"), county_unit("泰山"), county_unit("肥城")
CLERK = Actor("xintai", XINTAI, can_submit=True)
ADMIN = Actor("boss", None, admin=True)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(deployment: dict) -> dict:
    """A deployment in tmp_path: the tiny files as its plain raw folder, their warehouse, an empty app state."""
    return deployment


def warehouse(db: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db), read_only=True)


def upload(con, unit, data: bytes, quarter: Quarter = Q, actor: Actor | None = None) -> submissions.Submission:
    with warehouse(Path(os.environ["UNION_DASH_DB"])) as wh:
        s = submissions.upload(
            con,
            data,
            f"{quarter}_{unit.name_zh}_企业建会入会情况.xlsx",
            unit=unit,
            actor=actor or Actor(unit.code, unit, can_submit=True),
            quarter=quarter,
            dataset_hint="enterprises",
            warehouse=wh,
        ).submission
    explained = {w.seq: "核对无误，数据属实" for w in s.warnings}
    return submissions.submit(con, s.id, actor=actor or Actor(unit.code, unit, can_submit=True), explanations=explained)


def enterprises(unit, quarter: Quarter = Q, **edits) -> bytes:
    with warehouse(Path(os.environ["UNION_DASH_DB"])) as wh:
        return filled("enterprises", unit, quarter, wh, edits=edits.get("edits"))


def feicheng_file() -> bytes:
    body = "91370983MA3C00009"
    row = {"统计期": "2024Q4", "统一社会信用代码": body + credit_check_char(body), "企业名称": "肥城示例机械有限公司"}
    row |= {"县市区": "肥城市", "产业链": "汽车及零部件", "职工人数": 80, "是否建会": "是", "会员人数": 70}
    return filled("enterprises", FEICHENG, Q, rows=[row])


def publish_now(con, base=publish.DEFAULT_BASE) -> publish.Publication:
    queued = publish.request(con, actor=ADMIN, base=base, spawn=False)
    return publish.run(queued.id)


def test_publish_builds_the_accepted_files_and_a_returned_or_pending_file_never_reaches_the_warehouse(site):
    with appstate.connect() as con:
        accepted = upload(con, XINTAI, enterprises(XINTAI, edits={(4, "职工人数"): 160, (4, "会员人数"): 150}))
        submissions.accept(con, accepted.id, actor=ADMIN)
        returned = upload(con, TAISHAN, enterprises(TAISHAN, edits={(3, "职工人数"): 777}))
        submissions.send_back(con, returned.id, actor=ADMIN, reason="职工人数明显有误，请核实")
        pending = upload(con, FEICHENG, feicheng_file(), actor=ADMIN)  # submitted on its behalf, not reviewed
        nil = submissions.submit_nil(con, unit=XINTAI, dataset_code="training", period="2024Q4", actor=CLERK)
        submissions.accept(con, nil.id, actor=ADMIN)
        waiting = submissions.submit_nil(con, unit=TAISHAN, dataset_code="training", period="2024Q4", actor=ADMIN)
        done = publish_now(con)
        assert done.status == "published", done.message
        assert set(done.submissions) == {accepted.id, nil.id} and waiting.id not in done.submissions
        assert done.result["ledger_files"] == 1 and done.result["nil_returns"] == 1 and done.result["base_files"] > 20
        assert done.result["data_through"] == "2024Q4" and "数据截至 2024Q4" in done.message
        assert [e.action for e in appstate.read_audit(con, actions=["publish", "publish_done"])] == [
            "publish_done",
            "publish",
        ]
    with warehouse(site["db"]) as wh:
        shas = {r[0]: r[1:] for r in wh.execute("select sha256, status, path from load_manifest").fetchall()}
        assert shas[accepted.sha256][0] == "loaded"
        assert shas[accepted.sha256][1].startswith("ledger/xintai/enterprises/2024Q4_")
        assert returned.sha256 not in shas and pending.sha256 not in shas
        rows = wh.execute(
            "select county, credit_code, employees from raw_enterprises where year = 2024 and quarter = 4 order by 1, 2"
        ).fetchall()
        assert {r[0] for r in rows} == {"xintai"} and ("xintai", "91370982MA3C00001K", 160) in rows
        assert not wh.execute("select 1 from raw_enterprises where employees = 777").fetchall()
        files = completeness.received_from_manifest(metrics.received_files(wh))
    with appstate.connect() as con:
        ledger = completeness.received_from_ledger([submissions.get(con, i) for i in publish.included(con)])
    qc = completeness.for_quarter(Q, files, ledger)
    got = {(o.unit.code, o.dataset): how for o, how in qc.cells}
    assert qc.basis == completeness.LEDGER
    assert got[("xintai", "enterprises")] == "file" and got[("xintai", "training")] == "nil"
    assert got[("taishan", "enterprises")] is None and got[("taishan", "training")] is None
    assert ("C10", "contests") in got and ("city", "targets") in got  # with a ledger, every roster unit is owed


def test_an_accepted_file_replaces_the_base_folders_file_of_the_same_county_and_quarter(site):
    q3 = Quarter(2024, 3)
    with appstate.connect() as con:
        fixed = upload(con, XINTAI, enterprises(XINTAI, q3, edits={(3, "职工人数"): 61}), quarter=q3)
        submissions.accept(con, fixed.id, actor=ADMIN)
        assert publish_now(con).status == "published"
    with warehouse(site["db"]) as wh:
        statuses = dict(
            wh.execute(
                "select path, status from load_manifest where dataset = 'enterprises' and county = 'xintai'"
                " and period = '2024Q3'"
            ).fetchall()
        )
        assert statuses == {
            "base/2024Q3_新泰市_企业建会入会情况.xlsx": "superseded",
            f"ledger/xintai/enterprises/2024Q3_{fixed.id}_2024Q3_新泰市_企业建会入会情况.xlsx": "loaded",
        }
        assert wh.execute(
            "select employees from raw_enterprises where credit_code = '91370982MA3C00002N' and quarter = 3"
        ).fetchall() == [(61,)]


def test_a_failed_publish_leaves_the_old_warehouse_serving_and_says_why(site):
    before = site["db"].read_bytes(), site["db"].stat().st_mtime_ns
    with appstate.connect() as con:
        s = upload(con, XINTAI, enterprises(XINTAI))
        submissions.accept(con, s.id, actor=ADMIN)
        stored = submissions.object_path(s.sha256)
        os.chmod(stored, 0o600)
        stored.write_bytes(b"not what was submitted")
        failed = publish_now(con)
        assert failed.status == "failed"
        assert "已被改动" in failed.message and "数据仓库未更换" in failed.message
        assert publish.latest(con).status == "failed"
        (entry,) = appstate.read_audit(con, actions=["publish_failed"])
        assert entry.actor == "boss" and "已被改动" in entry.details["message"]
    assert (site["db"].read_bytes(), site["db"].stat().st_mtime_ns) == before
    assert not (site["store"] / "staging" / str(failed.id)).exists()  # staging copies are removed either way


def test_one_publication_at_a_time_and_a_dead_worker_is_noticed(site):
    with appstate.connect() as con:
        with pytest.raises(LedgerError, match="只有管理员"):
            publish.request(con, actor=CLERK, spawn=False)
        first = publish.request(con, actor=ADMIN, spawn=False)
        with pytest.raises(LedgerError, match="已有一次发布正在进行（boss 于 .* 发起，排队中），请等它结束后再发布"):
            publish.request(con, actor=ADMIN, spawn=False)
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        con.execute("update publications set status = 'running', pid = ? where id = ?", (gone.pid, first.id))
        assert publish.latest(con).status == "failed"
        assert "意外结束" in publish.get(con, first.id).message
        second = publish.request(con, actor=ADMIN, spawn=False)
        lock = submissions.store_root() / "publish.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # as a worker of another app process would
            assert "另一个发布正在进行" in publish.run(second.id).message
        finally:
            os.close(fd)


def test_publish_in_a_background_process_while_the_dashboard_reads_gives_zero_errors(site):
    """Reader threads ask the query layer through the dashboard's own handle (ui.data: the published file
    attached read-only, reopened when its version changes) while a worker process republishes twice."""
    from data_pipeline.metrics import Filters
    from ui import data

    with appstate.connect() as con:
        s = upload(con, XINTAI, enterprises(XINTAI))
        submissions.accept(con, s.id, actor=ADMIN)
    errors: list[BaseException] = []
    seen: set[str] = set()
    reads = [0]
    stop = threading.Event()

    def reader() -> None:
        f = Filters(year=2024, quarter_from=1, quarter_to=4)
        while not stop.is_set():
            try:
                with data.cursor() as cur:
                    info = metrics.info(cur)
                    metrics.kpis(cur, f, ("P5_MEMBER_RATE", "P5_NEW_MEMBERS"))
                    metrics.manifest(cur)
                seen.add(info["data_through"])
                reads[0] += 1
            except BaseException as exc:  # noqa: BLE001 - every failure counts
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(2):
            with appstate.connect() as con:
                p = publish.request(con, actor=ADMIN)  # spawns `python -m data_pipeline publish --run ID`
                assert p.pid is not None
                deadline = time.monotonic() + 90
                while publish.get(con, p.id).active and time.monotonic() < deadline:
                    time.sleep(0.2)
                done = publish.get(con, p.id)
            assert done.status == "published", (done.message, publish.log_path(p.id).read_text())
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    assert {"2024Q3", "2024Q4"} <= seen and reads[0] > 20


def test_the_publish_verb_runs_in_the_foreground_and_build_still_takes_a_plain_folder(site, tmp_path):
    with appstate.connect() as con:
        s = upload(con, XINTAI, enterprises(XINTAI))
        submissions.accept(con, s.id, actor=ADMIN)
    run = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "publish"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "已发布：载入文件" in run.stdout and "数据截至 2024Q4" in run.stdout
    plain = tmp_path / "plain.duckdb"
    build = subprocess.run(
        [sys.executable, "-m", "data_pipeline", "build", "--raw", str(site["raw"]), "--db", str(plain)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stderr
    with warehouse(plain) as wh:
        assert wh.execute("select value from warehouse_info where key = 'data_through'").fetchone() == ("2024Q3",)
    with appstate.connect() as con:
        assert appstate.read_audit(con, actions=["publish"])[0].actor.startswith("cli:")

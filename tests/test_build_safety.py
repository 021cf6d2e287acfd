"""Crash hygiene and key hygiene: reader limits and isolation, stale temp files, one build per warehouse, keys."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from data_pipeline import build, cli, ingest, readers
from tests.conftest import TEST_HASH_KEY, TINY_RAW
from tests.fixtures.hostile import make_hostile as h

ROOT = Path(__file__).resolve().parent.parent
KEY = b"k" * 32


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------- reader processes


@pytest.fixture
def odd_reader(monkeypatch):
    """Files named slow*, crash* and hog* misbehave inside the reader process, as a hostile file could."""
    real = readers.read_sheets

    def read(path, data=None):
        if path.name.startswith("slow"):
            time.sleep(60)
        if path.name.startswith("crash"):
            os.abort()  # what the spreadsheet library does when an allocation fails
        if path.name.startswith("hog"):
            hog = bytearray(3 << 30)
            hog[-1] = 1
        return real(path, data)

    monkeypatch.setattr(readers, "read_sheets", read)
    lim = readers.limits()
    monkeypatch.setattr(readers, "limits", lambda: replace(lim, seconds=2.0, memory_bytes=512 << 20))


@pytest.mark.parametrize("parallel", [False, True])
def test_a_file_that_hangs_crashes_or_hogs_memory_rejects_only_itself(
    tmp_path, monkeypatch, odd_reader, parallel, capfd
):
    if parallel:
        monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 2)
    raw = tmp_path / "raw"
    counties = ["泰山区", "岱岳区", "新泰市", "肥城市", "宁阳县", "东平县", "高新区"]
    for k, name in enumerate(["a_good", "slow", "b_good", "crash", "c_good", "hog", "d_good"]):
        h.write_xlsx(raw / f"{name}.xlsx", h.enterprises("2024Q1", counties[k], range(10 * k, 10 * k + 2)))
    started = time.monotonic()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = ingest.ingest_dir(raw, con, hash_key=KEY)
    assert time.monotonic() - started < 30
    got = {r.file_name: (r.status, r.reason) for r in report.files}
    assert got["slow.xlsx"] == (
        "rejected",
        "读取该文件超过 2 秒仍未完成（读取时间上限），已拒收：请检查文件是否过大或损坏，另存为标准模板后重新报送",
    )
    assert (
        got["crash.xlsx"][0] == "rejected" and "读取程序异常终止（内存上限 512.0 MB，读取限制）" in got["crash.xlsx"][1]
    )
    assert got["hog.xlsx"] == (
        "rejected",
        "读取该文件需要的内存超过上限 512.0 MB（读取限制），已拒收：可能含有超大的内容，请删除多余内容后重新保存再报送",
    )
    assert [got[f"{n}_good.xlsx"][0] for n in "abcd"] == ["loaded"] * 4
    assert con.execute("select count(*) from raw_enterprises").fetchone() == (8,)
    assert con.execute("select count(*) from load_manifest where sha256 is not null").fetchone() == (7,)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "abort" not in (out + err).lower()


def test_a_far_cell_hidden_from_the_signs_only_ends_its_reader(tmp_path, capfd):
    raw = tmp_path / "raw"
    raw.mkdir()
    h.hidden_far_cell_xlsx(raw / "hidden.xlsx")
    h.write_xlsx(raw / "good.xlsx", h.enterprises("2024Q1", "岱岳区", range(1, 3)))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = ingest.ingest_dir(raw, con, hash_key=KEY)
    got = {r.file_name: (r.status, r.reason) for r in report.files}
    assert got["good.xlsx"] == ("loaded", None)
    status, reason = got["hidden.xlsx"]
    assert status == "rejected"
    assert reason.startswith("读取该文件时读取程序异常终止（内存上限 2.0 GB，读取限制），已拒收")
    out, err = capfd.readouterr()
    assert "panicked" not in out + err and "memory allocation" not in out + err


DIE_WITH_BUILD = """
import sys, time
from pathlib import Path
from data_pipeline import build, readers
real = readers.read_sheets
def slow(path, data=None):
    time.sleep(120)
    return real(path, data)
readers.read_sheets = slow
build.build(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_reader_processes_die_with_a_killed_build_and_its_leftovers_are_swept(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    src = next(TINY_RAW.glob("*.csv"))
    for k in range(ingest.PARALLEL_MIN_FILES + 10):  # enough files for several readers
        shutil.copy(src, raw / f"{k:03d}.csv")
    db = tmp_path / "out" / "warehouse.duckdb"
    env = {**os.environ, "UNION_DASH_HASH_KEY": TEST_HASH_KEY, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", DIE_WITH_BUILD, str(raw), str(db)], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        readers_ = set()
        while time.monotonic() < deadline and len(readers_) < 2:
            readers_ = _children(proc.pid)
            time.sleep(0.1)
        assert len(readers_) >= 2, readers_
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in readers_):
            time.sleep(0.1)
        assert not any(_alive(p) for p in readers_)
    finally:
        if proc.poll() is None:
            proc.kill()
    left = sorted(p.name for p in db.parent.iterdir())
    assert left == [
        f".warehouse.duckdb.{proc.pid}.building",
        f".warehouse.duckdb.{proc.pid}.building.wal",
        ".warehouse.duckdb.lock",  # its lock file stays, but not its lock: the system released that
    ]
    messages: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNION_DASH_HASH_KEY", TEST_HASH_KEY)
        build.build(TINY_RAW, db, progress=messages.append)
    assert "已清理中断的构建留下的临时文件 2 个" in messages
    assert sorted(p.name for p in db.parent.iterdir()) == ["warehouse.duckdb"]


def test_stale_temp_files_of_dead_builds_only_are_swept(tmp_path, hash_key_env):
    db = tmp_path / "warehouse.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    live_pid = os.getppid()
    for name in (f".warehouse.duckdb.{dead_pid}.building", f".warehouse.duckdb.{dead_pid}.building.wal"):
        (tmp_path / name).write_bytes(b"x" * 1000)
    (tmp_path / f".warehouse.duckdb.{live_pid}.building").write_bytes(b"another build, still running")
    (tmp_path / ".other.duckdb.12345.building").write_bytes(b"another warehouse's")
    messages: list[str] = []
    build.build(TINY_RAW, db, progress=messages.append)
    assert "已清理中断的构建留下的临时文件 2 个" in messages
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".other.duckdb.12345.building",
        f".warehouse.duckdb.{live_pid}.building",
        "warehouse.duckdb",
    ]


# ---------------------------------------------------------------- one build at a time

HOLD_LOCK = """
import sys, time
from pathlib import Path
from data_pipeline import build
with build._build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_build_of_the_same_warehouse_refuses_with_a_sentence(tmp_path, hash_key_env, capsys):
    db = tmp_path / "warehouse.duckdb"
    build.build(TINY_RAW, db)
    before = db.read_bytes()
    other_raw = tmp_path / "other_raw"
    h.write_xlsx(other_raw / "a.xlsx", h.enterprises("2024Q1", "泰山区", range(1, 3)))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(build.BuildError) as err:
            build.build(other_raw, db)  # another folder, the same warehouse
        assert str(err.value) == (
            f"另一个构建正在发布数据仓库 {db}（进程 {holder.pid}），同一个数据仓库一次只能有一个构建：请等它结束后再运行"
        )
        assert cli.main(["build", "--raw", str(other_raw), "--db", str(db)]) == 1
        assert capsys.readouterr().err.strip() == f"构建失败：{err.value}"
        assert db.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    build.build(other_raw, db)  # the lock went with its process
    assert db.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other_raw", "warehouse.duckdb"]


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("key", "says"),
    [
        ("1", "环境变量 UNION_DASH_HASH_KEY 只有 1 字节，太短：身份证号哈希密钥至少需要 32 字节"),
        ("   ", "环境变量 UNION_DASH_HASH_KEY 是空的（或只有空白）"),
        ("", "环境变量 UNION_DASH_HASH_KEY 是空的（或只有空白）"),
        ("x" * 31, "只有 31 字节"),
    ],
)
def test_a_short_or_blank_key_is_refused(tmp_path, monkeypatch, capsys, key, says):
    monkeypatch.setenv("UNION_DASH_HASH_KEY", key)
    with pytest.raises(ingest.HashKeyError, match=says):
        ingest.hash_key(tmp_path)
    db = tmp_path / "w.duckdb"
    assert cli.main(["build", "--raw", str(TINY_RAW), "--db", str(db)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("构建失败：") and says in err and "\n" not in err
    assert not db.exists()


@pytest.mark.parametrize("content", [b"", b"  \n\t\n", b"short-key\n"])
def test_an_existing_key_file_is_never_replaced(tmp_path, monkeypatch, content):
    monkeypatch.delenv("UNION_DASH_HASH_KEY", raising=False)
    key_file = tmp_path / "hash.key"
    key_file.write_bytes(content)
    with pytest.raises(ingest.HashKeyError, match=f"密钥文件 {key_file}"):
        ingest.hash_key(tmp_path)
    assert key_file.read_bytes() == content


def test_a_warehouse_built_with_another_key_is_refused_unless_rehash(tmp_path, monkeypatch, capsys):
    db = tmp_path / "warehouse.duckdb"
    first, second = "a" * 40, "b" * 40
    monkeypatch.setenv("UNION_DASH_HASH_KEY", first)
    build.build(TINY_RAW, db)
    with duckdb.connect(str(db), read_only=True) as con:
        (fingerprint,) = con.execute("select value from warehouse_info where key = 'hash_key_fingerprint'").fetchone()
    assert fingerprint == ingest.key_fingerprint(first.encode()) and len(fingerprint) == 16
    before = db.read_bytes()
    monkeypatch.setenv("UNION_DASH_HASH_KEY", second)
    with pytest.raises(build.BuildError) as err:
        build.build(TINY_RAW, db)
    assert str(err.value).startswith(f"数据仓库 {db} 是用另一把身份证号哈希密钥构建的（密钥指纹 {fingerprint}")
    assert "加 --rehash 重新构建" in str(err.value)
    assert db.read_bytes() == before
    assert cli.main(["build", "--raw", str(TINY_RAW), "--db", str(db), "--rehash"]) == 0
    capsys.readouterr()
    with duckdb.connect(str(db), read_only=True) as con:
        (now,) = con.execute("select value from warehouse_info where key = 'hash_key_fingerprint'").fetchone()
    assert now == ingest.key_fingerprint(second.encode()) != fingerprint
    monkeypatch.setenv("UNION_DASH_HASH_KEY", second)
    build.build(TINY_RAW, db)  # the same key again: no question asked

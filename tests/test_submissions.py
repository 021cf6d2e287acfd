"""The submissions ledger: files kept byte for byte, states and transitions (errors, explanations, resubmission,
nil returns, accept and return), the status matrix with deadlines and reminders, and the audit entries, on a real
SQLite app state in tmp_path and real files made from the templates and read against the tiny warehouse."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
from pathlib import Path

import openpyxl
import pytest

from data_pipeline import appstate, markup, submissions
from data_pipeline.normalize import credit_check_char
from data_pipeline.roster import Quarter, chain_unit, county_unit
from data_pipeline.submissions import Actor, LedgerError
from tests.cycle_files import column_letter, filled

Q = Quarter(2024, 4)  # the tiny warehouse holds 2024Q1–Q3: warnings compare with 2024Q3
XINTAI, TAISHAN, FEICHENG = county_unit("新泰"), county_unit("泰山"), county_unit("肥城")
CLERK = Actor("xintai", XINTAI, can_submit=True)
TAISHAN_CLERK = Actor("taishan", TAISHAN, can_submit=True)
ADMIN = Actor("boss", None, admin=True)
XINTAI_CODE_ROW3 = "91370982MA3C00002N"  # 新泰示例器械, pre-filled in row 3
BAD_CODE = XINTAI_CODE_ROW3[:-1] + ("0" if credit_check_char(XINTAI_CODE_ROW3[:-1]) != "0" else "1")


@pytest.fixture
def con(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "appstate.sqlite"
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(db))
    monkeypatch.delenv("UNION_DASH_SUBMISSIONS", raising=False)
    with appstate.connect(db) as c:
        yield c


def clean(tiny_con) -> bytes:
    return filled("enterprises", XINTAI, Q, tiny_con)


def with_error(tiny_con) -> bytes:
    return filled("enterprises", XINTAI, Q, tiny_con, edits={(3, "统一社会信用代码"): BAD_CODE})


def with_warning(tiny_con, employees: int = 160) -> bytes:
    """职工人数 of row 4 up from 100 by more than half (会员人数 up too, so the unit's 入会率 holds)."""
    return filled("enterprises", XINTAI, Q, tiny_con, edits={(4, "职工人数"): employees, (4, "会员人数"): 150})


def up(con, data: bytes, tiny_con, unit=XINTAI, actor=CLERK, name="2024Q4_新泰市_企业建会入会情况.xlsx"):
    return submissions.upload(
        con, data, name, unit=unit, actor=actor, quarter=Q, dataset_hint="enterprises", warehouse=tiny_con
    )


def actions(con) -> list[str]:
    return [e.action for e in reversed(appstate.read_audit(con))]


# ---------------------------------------------------------------- the store and uploads


def test_an_upload_is_kept_byte_for_byte_under_its_sha256_and_the_same_bytes_change_nothing(con, tiny_con, tmp_path):
    data = clean(tiny_con)
    first = up(con, data, tiny_con)
    s = first.submission
    assert (s.status, s.dataset, s.period, s.unit, s.error_count, s.warning_count) == (
        "draft",
        "enterprises",
        "2024Q4",
        XINTAI,
        0,
        0,
    )
    path = submissions.object_path(s.sha256)
    assert path.is_relative_to(tmp_path / "submissions") and path.read_bytes() == data
    assert s.sha256 == hashlib.sha256(data).hexdigest() and s.size == len(data)
    assert stat.S_IMODE(path.stat().st_mode) == 0o400  # written once, read-only
    again = up(con, data, tiny_con)
    assert again.submission.id == s.id
    assert con.execute("select count(*) from submissions").fetchone()[0] == 1
    assert submissions.read(s.sha256) == data


def test_a_stored_file_that_was_altered_is_refused_with_a_sentence(con, tiny_con):
    s = up(con, clean(tiny_con), tiny_con).submission
    path = submissions.object_path(s.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(b"changed")
    with pytest.raises(LedgerError, match="已被改动"):
        submissions.read(s.sha256)


def test_a_file_with_errors_is_kept_with_its_report_and_marked_copy_but_cannot_be_submitted(con, tiny_con):
    data = with_error(tiny_con)
    s = up(con, data, tiny_con).submission
    assert s.status == "errors" and s.error_count == 1
    (error,) = s.errors
    assert (error["row"], error["column"], error["rule"]) == (3, "统一社会信用代码", "credit_code_check")
    assert "校验" in error["message"]
    wb = openpyxl.load_workbook(io.BytesIO(submissions.read(s.markup_sha256)))
    cell = wb["企业建会入会情况"][f"{column_letter(data, '统一社会信用代码')}3"]
    assert cell.fill.fgColor.rgb.endswith(markup.ERROR_FILL) and cell.comment is not None
    with pytest.raises(LedgerError, match="有 1 处错误，不能提交"):
        submissions.submit(con, s.id, actor=CLERK)
    assert submissions.get(con, s.id).status == "errors"


def test_a_warning_needs_a_written_explanation_before_the_file_can_be_submitted(con, tiny_con):
    s = up(con, with_warning(tiny_con), tiny_con).submission
    assert s.status == "draft" and s.warning_count == 1
    (w,) = s.warnings
    assert w.rule == "employees_change" and w.row_number == 4 and w.key
    with pytest.raises(LedgerError, match="没有填写上报说明"):
        submissions.submit(con, s.id, actor=CLERK)
    with pytest.raises(LedgerError, match="没有填写上报说明"):
        submissions.submit(con, s.id, actor=CLERK, explanations={1: "  属实 "})  # too short to be a reason
    done = submissions.submit(con, s.id, actor=CLERK, explanations={1: "扩产新招工 60 人，属实"})
    assert done.status == "pending" and done.submitted_by == "xintai"
    assert done.warnings[0].explanation == "扩产新招工 60 人，属实"
    assert done.late  # 2024Q4 was due on 10 January 2025
    with pytest.raises(LedgerError, match="不能再次提交"):
        submissions.submit(con, s.id, actor=CLERK)


def test_a_corrected_file_carries_the_earlier_explanations_for_the_same_warnings(con, tiny_con):
    first = up(con, with_warning(tiny_con), tiny_con).submission
    submissions.submit(con, first.id, actor=CLERK, explanations={1: "扩产新招工 60 人，属实"})
    again = up(con, with_warning(tiny_con, employees=161), tiny_con).submission
    assert submissions.earlier_explanations(con, again) == {
        ("employees_change", first.warnings[0].key): "扩产新招工 60 人，属实"
    }


def test_a_unit_submits_only_for_itself_and_only_what_the_roster_says_it_owes(con, tiny_con):
    with pytest.raises(LedgerError, match="不能为新泰市总工会报送"):
        up(con, clean(tiny_con), tiny_con, actor=TAISHAN_CLERK)
    chain = chain_unit("C10")
    data = filled(
        "enterprises",
        chain,
        Q,
        rows=[
            {
                "统计期": "2024Q4",
                "统一社会信用代码": XINTAI_CODE_ROW3,
                "企业名称": "新泰示例器械有限公司",
                "县市区": "新泰市",
                "产业链": "医药及医疗器械",
                "职工人数": 60,
                "是否建会": "是",
                "会员人数": 45,
            }
        ],
    )
    s = up(con, data, None, unit=chain, actor=Actor("chain10", chain, can_submit=True)).submission
    assert s.status == "errors" and s.errors[0]["rule"] == "not_owed" and s.errors[0]["row"] == 0
    assert "不报送“企业建会入会情况”" in s.errors[0]["message"]
    assert "劳动和技能竞赛" in s.errors[0]["message"]  # what it does owe
    # the city union's admin may submit on a unit's behalf
    assert up(con, clean(tiny_con), tiny_con, actor=ADMIN).submission.status == "draft"


# ---------------------------------------------------------------- resubmission, review


def submitted(con, data, tiny_con, explanation: str = "数据核对无误，属实") -> submissions.Submission:
    s = up(con, data, tiny_con).submission
    return submissions.submit(con, s.id, actor=CLERK, explanations={w.seq: explanation for w in s.warnings})


def test_only_admins_accept_or_return_and_a_return_needs_a_reason(con, tiny_con):
    s = submitted(con, clean(tiny_con), tiny_con)
    with pytest.raises(LedgerError, match="只有管理员"):
        submissions.accept(con, s.id, actor=CLERK)
    with pytest.raises(LedgerError, match="只有管理员"):
        submissions.send_back(con, s.id, actor=CLERK, reason="数据不全，请补报")
    with pytest.raises(LedgerError, match="请写明退回原因"):
        submissions.send_back(con, s.id, actor=ADMIN, reason="  不对 ")
    back = submissions.send_back(con, s.id, actor=ADMIN, reason="缺少两家新建会企业，请补报")
    assert (back.status, back.review_reason, back.reviewed_by) == ("returned", "缺少两家新建会企业，请补报", "boss")
    with pytest.raises(LedgerError, match="只有“已提交待审”的报送可以接收"):
        submissions.accept(con, s.id, actor=ADMIN)


def test_a_resubmission_supersedes_the_earlier_file_and_accepted_data_stays_in_force_until_replaced(con, tiny_con):
    v1 = submitted(con, clean(tiny_con), tiny_con)
    submissions.accept(con, v1.id, actor=ADMIN)
    draft_with_errors = up(con, with_error(tiny_con), tiny_con).submission
    v2 = submitted(con, with_warning(tiny_con), tiny_con)
    assert submissions.get(con, draft_with_errors.id).status == "superseded"  # a newer upload of the cell
    assert submissions.get(con, v1.id).status == "accepted"  # not replaced before v2 is accepted
    cell = submissions.matrix(con, Q, units=[XINTAI]).cell(XINTAI, "enterprises")
    assert (cell.state, cell.latest.id, cell.in_force.id) == ("待审", v2.id, v1.id)
    assert cell.label_zh == "待审（逾期报送，上一版已接收）"
    submissions.send_back(con, v2.id, actor=ADMIN, reason="职工人数变化过大，请核实")
    cell = submissions.matrix(con, Q, units=[XINTAI]).cell(XINTAI, "enterprises")
    assert (cell.state, cell.in_force.id) == ("已退回", v1.id)
    assert [s.id for s in submissions.in_force(con)] == [v1.id]  # the returned file is not what publish uses
    v3 = submitted(con, with_warning(tiny_con, employees=162), tiny_con)
    assert submissions.get(con, v2.id).status == "superseded"  # the returned one, by the next submission
    submissions.accept(con, v3.id, actor=ADMIN)
    assert submissions.get(con, v1.id).status == "superseded" and submissions.get(con, v1.id).superseded_by == v3.id
    assert [s.id for s in submissions.in_force(con)] == [v3.id]
    up(con, with_error(tiny_con), tiny_con)  # a later failed upload does not unsettle an accepted cell
    assert submissions.matrix(con, Q, units=[XINTAI]).cell(XINTAI, "enterprises").state == "已接收"


def test_nil_returns_where_the_roster_allows_them(con, tiny_con):
    nil = submissions.submit_nil(con, unit=XINTAI, dataset_code="training", period="2024Q4", actor=CLERK)
    assert (nil.kind, nil.nil_return, nil.status, nil.file_name) == ("nil", "本期无数据", "pending", None)
    with pytest.raises(LedgerError, match="已报“本期无数据”"):
        submissions.submit_nil(con, unit=XINTAI, dataset_code="training", period="2024Q4", actor=CLERK)
    with pytest.raises(LedgerError, match="必须报送文件"):
        submissions.submit_nil(con, unit=XINTAI, dataset_code="enterprises", period="2024Q4", actor=CLERK)
    registry = submissions.submit_nil(con, unit=XINTAI, dataset_code="service_sites", period="2024Q4", actor=CLERK)
    assert registry.nil_return == "无变化"
    with pytest.raises(LedgerError, match="不能为新泰市总工会报送"):
        submissions.submit_nil(con, unit=XINTAI, dataset_code="contests", period="2024Q4", actor=TAISHAN_CLERK)
    submissions.accept(con, nil.id, actor=ADMIN)
    m = submissions.matrix(con, Q, units=[XINTAI])
    assert m.cell(XINTAI, "training").label_zh == "已接收（本期无数据，逾期报送）"
    assert m.cell(XINTAI, "service_sites").state == "待审"
    # a file after a nil return: submitted, it is the newest word; accepted, it replaces the nil return
    contests_nil = submissions.submit_nil(con, unit=XINTAI, dataset_code="contests", period="2024Q4", actor=CLERK)
    assert submissions.get(con, contests_nil.id).status == "pending"


# ---------------------------------------------------------------- the matrix, deadlines, reminders


def test_the_matrix_counts_each_state_and_reminds_the_units_that_are_late(con, tiny_con):
    s = submitted(con, clean(tiny_con), tiny_con)  # 新泰: 待审
    t = up(con, filled("enterprises", TAISHAN, Q, tiny_con), tiny_con, unit=TAISHAN, actor=TAISHAN_CLERK)
    submissions.submit(con, t.submission.id, actor=TAISHAN_CLERK)
    submissions.send_back(con, t.submission.id, actor=ADMIN, reason="缺少新建会企业，请补报")  # 泰山: 已退回
    bad = filled(
        "enterprises", FEICHENG, Q, rows=[{"统计期": "2024Q4", "统一社会信用代码": BAD_CODE, "企业名称": "甲"}]
    )
    up(con, bad, tiny_con, unit=FEICHENG, actor=ADMIN)  # 肥城: 有错误
    before = submissions.matrix(con, Q, on=dt.date(2025, 1, 5))
    after = submissions.matrix(con, Q, on=dt.date(2025, 1, 11))
    assert before.deadline == dt.date(2025, 1, 10) and before.deadline_is_default
    ent = {u.code: before.cell(u, "enterprises").state for u in before.units() if u.kind == "county"}
    assert (ent["xintai"], ent["taishan"], ent["feicheng"], ent["ningyang"]) == ("待审", "已退回", "有错误", "未报")
    yearly = sum(1 for c in after.cells if c.owed.frequency == "yearly")  # honours and targets: due 31 January
    assert yearly == 12 and before.counts["逾期"] == 0 and after.counts["未报"] == yearly
    assert after.counts["逾期"] == before.counts["未报"] - yearly
    assert sum(after.counts.values()) == len(after.cells) == len(before.cells)
    assert TAISHAN in after.overdue_units() and FEICHENG in after.overdue_units()
    text = after.reminder(TAISHAN)
    assert text.startswith("【数据报送提醒】泰山区总工会：2024年第四季度")
    assert "“企业建会入会情况”已退回（缺少新建会企业，请补报），请修改后重新提交" in text and "已逾期1天" in text
    assert "尚未报送：职工素质提升、服务活动" in text
    assert "“本期无数据”" in text
    assert after.cell(XINTAI, "enterprises").latest.id == s.id and after.reminder(XINTAI) is not None
    assert "企业建会入会情况" not in after.reminder(XINTAI)  # what is pending review is not asked for again


def test_an_admin_sets_a_quarters_deadline_as_data(con):
    with pytest.raises(LedgerError, match="只有管理员"):
        submissions.set_deadline(con, Q, dt.date(2025, 1, 20), actor=CLERK)
    with pytest.raises(LedgerError, match="之后"):
        submissions.set_deadline(con, Q, dt.date(2024, 12, 1), actor=ADMIN)
    submissions.set_deadline(con, Q, dt.date(2025, 1, 20), actor=ADMIN)
    m = submissions.matrix(con, Q, on=dt.date(2025, 1, 15))
    assert m.deadline == dt.date(2025, 1, 20) and not m.deadline_is_default and m.counts["逾期"] == 0
    submissions.set_deadline(con, Q, None, actor=ADMIN)
    assert submissions.matrix(con, Q, on=dt.date(2025, 1, 15)).counts["未报"] == 12  # the yearly duties only
    (entry, *_) = appstate.read_audit(con, actions=["deadline_change"])
    assert entry.details == {"quarter": "2024Q4", "from": "2025-01-20", "to": "默认"}


def test_every_step_of_the_cycle_is_in_the_audit_log(con, tiny_con):
    s = submitted(con, with_warning(tiny_con), tiny_con)
    submissions.send_back(con, s.id, actor=ADMIN, reason="请核实职工人数")
    n = submissions.submit_nil(con, unit=XINTAI, dataset_code="training", period="2024Q4", actor=CLERK)
    submissions.accept(con, n.id, actor=ADMIN)
    assert actions(con) == ["upload", "submit", "return", "nil_return", "accept"]
    upload, submit, back = reversed(appstate.read_audit(con, actions=["upload", "submit", "return"]))
    assert upload.actor == "xintai" and upload.details["sha256"] == s.sha256 and upload.details["warnings"] == 1
    assert submit.details["id"] == s.id and submit.details["late"] is True
    assert back.actor == "boss" and back.details["reason"] == "请核实职工人数" and back.details["unit"] == "xintai"

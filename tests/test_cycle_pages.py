"""The cycle's pages in AppTest: 数据报送 for a county user, 报送审核与发布 for an admin (identities put into the
session as dashboard.py would), and the completeness notes of 数据说明 and the overview (open mode)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import accounts, appstate, publish, roster, submissions
from data_pipeline.normalize import credit_check_char
from data_pipeline.roster import county_unit, reporting_quarter
from data_pipeline.submissions import Actor
from tests.cycle_files import page_as
from tests.cycle_files import workbook as cycle_workbook

ROOT = Path(__file__).resolve().parent.parent
XINTAI, TAISHAN = county_unit("新泰"), county_unit("泰山")
Q = reporting_quarter()
ADMIN = Actor("boss", None, admin=True)


@pytest.fixture
def site(deployment: dict) -> dict:
    with appstate.connect(deployment["state"]) as con:
        accounts.add_account(con, "xintai", "county", county="新泰", password="xintai-password-1")
        accounts.add_account(con, "taishan", "county", county="泰山", password="taishan-password-1")
        accounts.add_account(con, "boss", "admin", password="boss-password-1")
    return deployment


def page(path: str, login: str, state: Path) -> AppTest:
    return page_as(path, login, state)


def workbook(db: Path, unit=XINTAI, edits: dict | None = None) -> bytes:
    return cycle_workbook(db, unit, Q, edits)


def table(at: AppTest, column: str, nth: int = 0):
    """The nth dataframe on the page that has `column` (AppTest keeps no key for a dataframe)."""
    return [d.value for d in at.dataframe if column in d.value.columns][nth]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_a_county_user_uploads_sees_errors_by_row_and_column_explains_a_warning_and_submits(site):
    at = page("submit.py", "xintai", site["state"])
    assert not at.exception
    status = table(at, "可报无数据")
    assert len(status) == 8 and status.iloc[0]["截止日期"] == (Q.last_day + dt.timedelta(days=10)).isoformat()
    code = "91370982MA3C00002N"
    wrong = code[:-1] + ("0" if credit_check_char(code[:-1]) != "0" else "1")
    bad = workbook(site["db"], edits={(3, "统一社会信用代码"): wrong})
    at.file_uploader(key="submit_files").set_value([("新泰企业.xlsx", bad, "application/octet-stream")]).run()
    assert not at.exception
    errors = next(t.value for t in at.table if "问题及修改方法" in t.value.columns)
    assert list(errors[["行", "列"]].itertuples(index=False, name=None)) == [(3, "统一社会信用代码")]
    assert "须修改后重新上传" in at.error[0].value
    assert at.get("download_button")  # the marked-up copy
    assert "submit_1" not in [b.key for b in at.button]  # a file with errors has no 提交 at all
    odd = workbook(site["db"], edits={(4, "职工人数"): 160, (4, "会员人数"): 150})
    at.file_uploader(key="submit_files").set_value(
        [("新泰企业.xlsx", bad, "application/octet-stream"), ("新泰企业2.xlsx", odd, "application/octet-stream")]
    ).run()
    assert not at.exception
    assert at.button(key="submit_2").disabled  # the warning is not explained yet
    assert any(a.label == "第1条提示的上报说明" for a in at.text_area)
    at.text_area(key="explain_2_1").input("扩产新招工 60 人，属实").run()
    assert not at.button(key="submit_2").disabled
    at.button(key="submit_2").click().run()
    assert not at.exception
    assert any(s.startswith("已提交，等待市总工会审核") for s in texts(at.success))
    history = table(at, "经办人")
    assert list(history["状态"])[:2] == ["已提交待审（逾期报送）", "已被替代"]  # the failed upload, superseded
    assert table(at, "可报无数据").iloc[0]["状态"] == "待审（逾期报送）"


def test_a_nil_return_from_the_page_and_the_reason_of_a_returned_file_is_shown(site):
    with appstate.connect(site["state"]) as con:
        s = submissions.upload(
            con,
            workbook(site["db"]),
            "新泰.xlsx",
            unit=XINTAI,
            actor=ADMIN,
            quarter=Q,
            dataset_hint="enterprises",
        ).submission
        submissions.submit(con, s.id, actor=ADMIN)
        submissions.send_back(con, s.id, actor=ADMIN, reason="缺少两家新建会企业，请补报")
    at = page("submit.py", "xintai", site["state"])
    assert any("被市总工会退回：缺少两家新建会企业，请补报" in w for w in texts(at.warning))
    assert table(at, "经办人").iloc[0]["审核意见"] == "缺少两家新建会企业，请补报"
    at.selectbox(key="submit_dataset_county_xintai").select("training").run()
    at.button(key="nil_return").click().run()
    assert not at.exception
    assert any("已报送，等待市总工会审核" in s for s in texts(at.success))
    status = table(at, "可报无数据").set_index("数据类型")["状态"]
    assert status["职工素质提升"].startswith("待审（本期无数据")


def test_only_submitting_roles_and_admins_reach_the_submission_page_and_only_admins_review(site):
    with appstate.connect(site["state"]) as con:
        accounts.add_account(con, "lead", "leader", password="lead-password-1")
    assert "只有县市区工会" in page("submit.py", "lead", site["state"]).info[0].value
    assert "只有管理员" in page("review.py", "xintai", site["state"]).info[0].value
    assert not page("submit.py", "boss", site["state"]).exception  # an admin submits for any unit


def submitted(state: Path, db: Path, unit, explanation="核对无误，数据属实") -> submissions.Submission:
    with appstate.connect(state) as con:
        s = submissions.upload(
            con,
            workbook(db, unit),
            f"{unit.name_zh}.xlsx",
            unit=unit,
            actor=ADMIN,
            quarter=Q,
            dataset_hint="enterprises",
        ).submission
        return submissions.submit(con, s.id, actor=ADMIN, explanations={w.seq: explanation for w in s.warnings})


def test_the_admin_sees_the_matrix_returns_one_file_with_a_reason_and_accepts_another(site):
    x = submitted(site["state"], site["db"], XINTAI)
    t = submitted(site["state"], site["db"], TAISHAN)
    at = page("review.py", "boss", site["state"])
    assert not at.exception
    counts = {m.label: int(m.value) for m in at.metric}
    assert counts["待审"] == 2 and counts["已接收"] == 0 and sum(counts.values()) == len(roster.owed(Q))
    county = table(at, "企业建会入会情况").set_index("单位")
    assert county.loc["新泰市", "企业建会入会情况"].startswith("待审")
    assert county.loc["宁阳县", "企业建会入会情况"] in ("逾期", "未报")
    assert table(at, "单位", 1).shape[0] == 13
    reminders = [c.value for c in at.code]
    assert any(r.startswith("【数据报送提醒】宁阳县总工会") for r in reminders)
    at.selectbox(key=f"review_pick_{Q}").select(t).run()
    at.button(key=f"return_{t.id}").click().run()
    assert any("请写明退回原因" in e.value for e in at.error)
    at.text_input(key=f"reason_{t.id}").input("职工人数与上期差异大，请核实").run()
    at.button(key=f"return_{t.id}").click().run()
    assert not at.exception and any(s.startswith("已退回") for s in texts(at.success))
    at.selectbox(key=f"review_pick_{Q}").select(submissions_by_id(site["state"], x.id)).run()
    at.button(key=f"accept_{x.id}").click().run()
    assert any(s.startswith("已接收") for s in texts(at.success))
    county = table(at, "企业建会入会情况").set_index("单位")
    assert county.loc["新泰市", "企业建会入会情况"].startswith("已接收")
    assert county.loc["泰山区", "企业建会入会情况"].startswith("已退回")
    with appstate.connect(site["state"]) as con:
        assert submissions.get(con, t.id).review_reason == "职工人数与上期差异大，请核实"
        assert [e.action for e in appstate.read_audit(con, actions=["accept", "return"])] == ["accept", "return"]


def submissions_by_id(state: Path, sid: int) -> submissions.Submission:
    with appstate.connect(state) as con:
        return submissions.get(con, sid)


def test_the_publish_panel_refuses_a_second_publication_and_shows_why_one_failed(site):
    with appstate.connect(site["state"]) as con:
        queued = publish.request(con, actor=ADMIN, spawn=False)
    at = page("review.py", "boss", site["state"])
    assert any(i.value.startswith("排队中") for i in at.info)
    assert "publish" not in [b.key for b in at.button]
    with appstate.connect(site["state"]) as con:
        s = submissions.upload(
            con, workbook(site["db"]), "新泰.xlsx", unit=XINTAI, actor=ADMIN, quarter=Q, dataset_hint="enterprises"
        ).submission
        submissions.accept(con, submissions.submit(con, s.id, actor=ADMIN).id, actor=ADMIN)
        path = submissions.object_path(s.sha256)
        path.chmod(0o600)
        path.write_bytes(b"altered")
        publish.run(queued.id)
    at = page("review.py", "boss", site["state"])
    assert any("发布失败" in e.value and "数据仓库未更换" in e.value for e in at.error)
    assert "publish" in [b.key for b in at.button]


def test_the_data_page_and_the_overview_say_how_complete_each_quarter_is(tiny_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("UNION_DASH_DB", str(tiny_warehouse))
    monkeypatch.setenv("UNION_DASH_APPSTATE", str(tmp_path / "appstate.sqlite"))  # no accounts: open mode
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.switch_page("app_pages/data.py")
    at.run()
    assert not at.exception
    shown = next(t.value for t in at.table if "已报齐单位" in t.value.columns).set_index("统计期")
    assert list(shown.index) == ["2024年第一季度", "2024年第二季度", "2024年第三季度"]
    assert shown.loc["2024年第一季度", "已报齐单位"] == "1/10"
    assert shown.loc["2024年第一季度", "企业建会入会情况"] == "2/10"
    assert shown.loc["2024年第三季度", "依据"] == "已加载文件清单"
    assert "宁阳县" in shown.loc["2024年第三季度", "未报齐"]
    overview = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90).run()
    assert not overview.exception
    (note,) = [c.value for c in overview.caption if "数据完整度" in c.value]
    assert note.startswith(":material/rule: :orange[2024年第三季度数据完整度：10 个应报单位中 0 个已报齐；未报齐：")
    assert note.endswith("缺报单位的数据不在合计中，不能当作零。]")

"""English mode of the sign-in, submission, review and admin pages (AppTest, a real app-state file and a copy of the
tiny warehouse; the sign-in routes over real HTTP requests): in English no CJK character is rendered anywhere except
data values (file rows' contents, the checks' Chinese sentences in their `zh_…` containers, the link to 中文);
in Chinese the same pages stay Chinese."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.message import Message
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

import server
from data_pipeline import accounts, appstate, submissions
from data_pipeline.roster import county_unit, reporting_quarter
from data_pipeline.submissions import Actor
from reporting.i18n import t
from tests.cycle_files import page_as
from tests.cycle_files import workbook as cycle_workbook
from ui import signin

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
XINTAI, TAISHAN = county_unit("新泰"), county_unit("泰山")
Q = reporting_quarter()
ADMIN = Actor("boss", None, admin=True)
# Table columns whose cells are data as written (by the file, the checks or a person); their headers are checked.
DATA_COLUMNS = {"col_column", "col_problem", "col_warning", "col_explanation", "col_review_note", "col_file"}
SKIPPED_FIELDS = {"id", "url", "data", "arrow_data", "form_id"}  # element ids carry keys; Arrow bytes are read below


def shown_texts(at: AppTest, lang: str) -> list[str]:
    """Every string an element of the page shows (labels, values, options, help, placeholders, table headers and
    cells), leaving out containers keyed `zh_…` (Chinese by design) and cells of DATA_COLUMNS."""
    data_headers = {t(k, lang) for k in DATA_COLUMNS}
    out: list[str] = []

    def strings(message: Message) -> Iterator[str]:
        for field, value in message.ListFields():
            if field.name in SKIPPED_FIELDS:
                continue
            scalar = isinstance(value, (str, bytes, bool, int, float, Message))
            values = [value] if scalar else value  # else a repeated field
            for v in values:
                if isinstance(v, Message):
                    yield from strings(v)
                elif isinstance(v, str):
                    yield v

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and re.search(r"-zh_[\w-]*$", getattr(proto, "id", "") or ""):
            return
        frame = getattr(node, "value", None) if type(node).__name__ in ("Dataframe", "Table") else None
        if frame is not None:
            if hasattr(frame, "data"):  # a Styler
                frame = frame.data
            out.extend(str(c) for c in frame.columns)
            for column in frame.columns:
                if str(column) not in data_headers:
                    out.extend(str(v) for v in frame[column].tolist())
        elif proto is not None:
            out.extend(strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def chinese(at: AppTest, allowed: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    return sorted({s for s in shown_texts(at, "en") if CJK.search(s) and s not in allowed})


@pytest.fixture
def site(deployment: dict) -> dict:
    with appstate.connect(deployment["state"]) as con:
        accounts.add_account(con, "xintai", "county", county="新泰", name="Wang Li", password="xintai-password-1")
        accounts.add_account(con, "boss", "admin", name="Admin", password="boss-password-1")
        accounts.sign_in(con, "xintai", "wrong-password")
    return deployment


def page(path: str, login: str, state: Path, lang: str) -> AppTest:
    return page_as(path, login, state, lang)


def workbook(db: Path, unit=XINTAI, edits: dict | None = None) -> bytes:
    return cycle_workbook(db, unit, Q, edits)


def test_the_submission_page_in_english_with_an_error_and_a_warning(site):
    at = page("submit.py", "xintai", site["state"], "en")
    assert not at.exception and at.title[0].value == "Submit data"
    code = "91370982MA3C00002N"
    bad = workbook(
        site["db"], edits={(3, "统一社会信用代码"): code[:-1] + "0", (4, "职工人数"): 160, (4, "会员人数"): 150}
    )
    at.file_uploader(key="submit_files").set_value([("xintai.xlsx", bad, "application/octet-stream")]).run()
    odd = workbook(site["db"], edits={(4, "职工人数"): 160, (4, "会员人数"): 150})
    at.file_uploader(key="submit_files").set_value(
        [("xintai.xlsx", bad, "application/octet-stream"), ("xintai2.xlsx", odd, "application/octet-stream")]
    ).run()
    assert not at.exception
    assert at.table and any(a.label == "Explanation for warning 1" for a in at.text_area)
    assert chinese(at) == []
    at.text_area(key="explain_2_1").input("The firm hired 60 people; right").run()
    at.button(key="submit_2").click().run()
    assert not at.exception and any(s.value.startswith("Submitted") for s in at.success)
    assert chinese(at) == []


def test_the_submission_page_in_chinese_stays_chinese(site):
    at = page("submit.py", "xintai", site["state"], "zh")
    assert not at.exception and at.title[0].value == "数据报送"
    texts = shown_texts(at, "zh")
    assert "可报无数据" in texts and any(s.startswith("新泰市总工会") for s in texts)


def submitted(state: Path, db: Path, unit) -> submissions.Submission:
    with appstate.connect(state) as con:
        edits = {(4, "职工人数"): 160, (4, "会员人数"): 150} if unit == XINTAI else None  # a warning for 新泰
        s = submissions.upload(
            con, workbook(db, unit, edits), f"{unit.code}.xlsx", unit=unit, actor=ADMIN, quarter=Q
        ).submission
        return submissions.submit(con, s.id, actor=ADMIN, explanations={w.seq: "Checked, right" for w in s.warnings})


def test_the_review_page_in_english_and_in_chinese(site):
    x = submitted(site["state"], site["db"], XINTAI)
    taishan = submitted(site["state"], site["db"], TAISHAN)
    with appstate.connect(site["state"]) as con:
        submissions.send_back(con, taishan.id, actor=ADMIN, reason="Check the employees")
    at = page("review.py", "boss", site["state"], "en")
    assert not at.exception and at.title[0].value == "Review and publish"
    assert {m.label for m in at.metric} == {"Not sent", "Pending", "Errors", "Returned", "Accepted", "Overdue"}
    county = next(d.value for d in at.dataframe if "Unit" in d.value.columns).set_index("Unit")
    assert county.loc["Xintai City", "Union establishment and membership"].startswith("Pending")
    assert chinese(at) == []
    at.selectbox(key=f"review_pick_{Q}").select(x)
    at.button(key=f"accept_{x.id}").click().run()
    assert not at.exception and any(s.value.startswith("Accepted: Xintai City") for s in at.success)
    assert chinese(at) == []
    zh = page("review.py", "boss", site["state"], "zh")
    assert zh.title[0].value == "报送审核与发布" and {m.label for m in zh.metric} >= {"待审", "已接收"}


@pytest.mark.parametrize("path", ["accounts.py", "audit.py"])
def test_the_admin_pages_in_english_and_in_chinese(site, path):
    at = page(path, "boss", site["state"], "en")
    assert not at.exception and at.title[0].value in ("Accounts and permissions", "Audit log")
    with appstate.connect(site["state"]) as con:
        stored_roles = {r.name_zh for r in appstate.list_roles(con)}  # the role editor shows names as stored
    assert chinese(at, stored_roles) == []
    if path == "audit.py":
        assert set(at.dataframe[0].value["Action"]) >= {"Account added", "Failed sign-in"}
    else:
        assert set(at.dataframe[0].value["Role"]) == {"Administrator", "County union"}
        assert set(at.dataframe[0].value["Unit"]) == {"", "Xintai City"}
    zh = page(path, "boss", site["state"], "zh")
    assert zh.title[0].value in ("账号与权限", "审计日志") and CJK.search(" ".join(shown_texts(zh, "zh")))


def test_the_sign_in_form_of_the_dashboard_in_english(tiny_warehouse, site, monkeypatch):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    html = " ".join(str(e.proto.body) for e in at.get("html"))
    assert "Please sign in" in html and 'name="ui_lang" value="en"' in html
    switch = re.search(r'<a class="signin-lang"[^>]*>([^<]*)</a>', html)
    assert switch and switch.group(1) == "中文"  # the other language, named in its own script
    rest = html.replace(switch.group(0), "")
    assert not CJK.search(rest) and chinese(at, {html}) == [], CJK.findall(rest)


@pytest.fixture
def client(site, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv(accounts.SECRET_ENV, "route-test-secret")
    monkeypatch.setattr(server, "FAILED_SIGN_IN_DELAY_S", 0)
    return TestClient(Starlette(routes=server.routes), base_url="http://dash.test", follow_redirects=False)


def without_switch(html: str) -> str:
    return re.sub(r'<a class="signin-lang"[^>]*>中文</a>', "", html)


def test_the_sign_in_routes_answer_in_the_forms_language(client):
    page_en = client.get(signin.LOGIN_PATH, params={"lang": "en", "next": "/review"})
    assert page_en.status_code == 200 and not CJK.search(without_switch(page_en.text))
    form = {"login": "xintai", "password": "nope-nope-nope", "next": "/review", signin.LANG_FIELD: "en"}
    wrong = client.post(signin.LOGIN_PATH, data=form, headers={"origin": "http://dash.test"})
    assert wrong.status_code == 401 and "Wrong account name or password." in wrong.text
    assert not CJK.search(without_switch(wrong.text))
    form["password"] = "xintai-password-1"
    ok = client.post(signin.LOGIN_PATH, data=form, headers={"origin": "http://dash.test"})
    assert ok.status_code == 303 and ok.headers["location"] == "/review?lang=en"
    refused = client.post(signin.LOGIN_PATH, data=form, headers={"origin": "https://evil.example"})
    assert refused.status_code == 403 and not CJK.search(without_switch(refused.text))
    form[signin.LANG_FIELD] = "zh"
    form["password"] = "nope-nope-nope"
    assert (
        "账号或密码不正确。" in client.post(signin.LOGIN_PATH, data=form, headers={"origin": "http://dash.test"}).text
    )


def test_every_refused_sign_in_reads_in_english_and_matches_the_chinese_sentence(site):
    with appstate.connect(site["state"]) as con:
        outcomes = [accounts.sign_in(con, "nobody", "x"), accounts.sso_sign_in(con, None, "a@b.cn")]
        outcomes.append(accounts.sso_sign_in(con, None, None))
        for _ in range(accounts.LOCK_AFTER_FAILURES):
            outcomes.append(accounts.sign_in(con, "boss", "wrong-password"))
        outcomes.append(accounts.sign_in(con, "boss", "boss-password-1"))  # locked now
        accounts.add_account(con, "off", "analyst", password="off-password-1")
        accounts.set_disabled(con, "off", True, actor="cli")
        outcomes.append(accounts.sign_in(con, "off", "off-password-1"))
        accounts.add_account(con, "lead", "leader", password="lead-password-1")
        leader = next(r for r in appstate.list_roles(con) if r.role == "leader")
        accounts.change_role(con, dataclasses.replace(leader, sees="none"), actor="cli")
        outcomes.append(accounts.sign_in(con, "lead", "lead-password-1"))
    reasons = {o.reason for o in outcomes}
    assert reasons == {"wrong", "locked", "unknown_identity", "disabled", "no_scope"}
    for o in outcomes:
        assert not o.ok and signin.refusal(o, "zh") == o.message
        english = signin.refusal(o, "en")
        assert english and not CJK.search(english), english
        chinese_again = dict(o.values)
        if o.reason == "unknown_identity":
            chinese_again["who"] = f"（{chinese_again.pop('email')}）" if chinese_again.get("email") else ""
        assert t(f"refused_{o.reason}", "zh", **chinese_again) == o.message  # the pair says the same thing


def test_reminders_say_in_english_what_the_chinese_reminder_says(site):
    from ui.cycle import reminder_text

    submitted(site["state"], site["db"], XINTAI)
    taishan = submitted(site["state"], site["db"], TAISHAN)
    bad = workbook(site["db"], XINTAI, {(3, "统一社会信用代码"): "91370982MA3C00002X"})
    with appstate.connect(site["state"]) as con:
        submissions.send_back(con, taishan.id, actor=ADMIN, reason="Check the employees")
        submissions.upload(
            con, bad, "again.xlsx", unit=county_unit("肥城"), actor=ADMIN, quarter=Q, dataset_hint="enterprises"
        )
        due = submissions.matrix(con, Q).deadline
        matrices = [submissions.matrix(con, Q, on=due + dt.timedelta(days=d)) for d in (-3, 0, 5)]
    seen = set()
    for m in matrices:
        for unit in m.units():
            facts = m.reminder_facts(unit)
            if facts is None:
                continue
            seen |= {"returned"} if facts.returned else set()
            seen |= {"errors"} if facts.errors else set()
            seen.add(facts.days_left // abs(facts.days_left) if facts.days_left else 0)
            assert reminder_text(facts, "zh") == m.reminder(unit)
            english = reminder_text(facts, "en")
            assert not CJK.search(english), english
    assert seen == {"returned", "errors", -1, 0, 1}

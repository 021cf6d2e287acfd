"""Value parsers and the column-at-once normaliser."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import numpy as np
import pytest

from data_pipeline import normalize as n
from data_pipeline.readers import ExcelError
from data_pipeline.reference import dataset


def col(ds: str, name: str):
    return next(c for c in dataset(ds).columns if c.column == name)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        (12.0, 12, None),
        ("1,234", 1234, None),
        ("１２３", 123, None),
        ("１，２３４", 1234, None),
        (" 56 ", 56, None),
        ("56人", 56, None),
        ("—", None, None),
        ("-", None, None),
        ("", None, None),
        (None, None, None),
        ("85.3%", None, "not_number"),
        ("abc", None, "not_number"),
        ("12.5", None, "not_integer"),
        (-3.0, None, "negative"),
        (ExcelError("#DIV/0!"), None, "excel_error"),
        ("#REF!", None, "excel_error"),
        (True, None, "not_number"),
        (1e30, None, "too_large"),
    ],
)
def test_parse_count(raw, value, rule):
    got, r, _ = n.parse_count(raw)
    assert (got, r) == (value, rule)


def test_count_positive_and_money():
    assert n.parse_count(0, minimum=1)[1] == "not_positive"
    assert n.parse_money("1,500.5")[0] == 1500.5
    assert n.parse_money(-1)[1] == "negative"
    assert n.parse_money(0, positive=True)[1] == "not_positive"
    assert n.parse_money(0)[0] == 0.0
    assert n.parse_number("85.3%")[0] == 85.3
    assert n.parse_number("-2.5")[0] == -2.5


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (dt.datetime(2024, 3, 31, 0, 0), dt.date(2024, 3, 31)),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31)),
        (45382.0, dt.date(2024, 3, 31)),
        ("45382", dt.date(2024, 3, 31)),
        ("2024-03-31", dt.date(2024, 3, 31)),
        ("2024/3/31", dt.date(2024, 3, 31)),
        ("2024年3月31日", dt.date(2024, 3, 31)),
        ("2024.3.31", dt.date(2024, 3, 31)),
        ("20240331", dt.date(2024, 3, 31)),
        (20240331.0, dt.date(2024, 3, 31)),
        ("2024.3", dt.date(2024, 3, 1)),
        (2024.3, dt.date(2024, 3, 1)),
        ("2024.10", dt.date(2024, 10, 1)),
        ("2024年3月", dt.date(2024, 3, 1)),
        ("2024-03-31 00:00:00", dt.date(2024, 3, 31)),
        ("２０２４－０３－３１", dt.date(2024, 3, 31)),
    ],
)
def test_dates(raw, value):
    assert n.parse_date(raw) == (value, None, None)


@pytest.mark.parametrize("raw", ["2024-02-30", "明年", "2024", 2024.0, 12.0, "1800-01-01"])
def test_bad_dates(raw):
    assert n.parse_date(raw)[1] == "date"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2024Q1", (2024, 1)),
        ("2024q2", (2024, 2)),
        ("2024-Q3", (2024, 3)),
        ("2024 Q4", (2024, 4)),
        ("2024年第一季度", (2024, 1)),
        ("2024年第四季度", (2024, 4)),
        ("2024年1季度", (2024, 1)),
        ("2024年二季度", (2024, 2)),
        ("2024-05-20", (2024, 2)),
        (dt.datetime(2024, 8, 1), (2024, 3)),
        (45382.0, (2024, 1)),
        ("2024年12月", (2024, 4)),
        ("2024.3", (2024, 1)),
    ],
)
def test_quarters(raw, value):
    assert n.parse_quarter(raw) == (value, None, None)


@pytest.mark.parametrize("raw", ["2024Q5", "2024", "第一季度", "abc"])
def test_bad_quarters(raw):
    assert n.parse_quarter(raw)[1] == "period"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("1", True),
        (0.0, False),
        ("√", True),
        ("有", True),
        ("无", False),
        (True, True),
        ("False", False),
        ("", None),
    ],
)
def test_booleans(raw, value):
    assert n.parse_bool(raw) == (value, None, None)


def test_bad_boolean():
    assert n.parse_bool("不确定")[1] == "bool"
    assert n.parse_bool(2.0)[1] == "bool"


def test_ticks_make_blanks_false_only_in_the_ticking_file():
    c = col("enterprises", "chain_leader")
    raw = np.array(["√", "", "", None, "否"], dtype=object)
    files = np.array([0, 0, 1, 1, 1])
    res = n.normalize_column(c, raw, files, b"k")
    assert list(res.values) == [True, False, None, None, False]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("泰山区", "taishan"),
        ("泰山", "taishan"),
        ("新泰", "xintai"),
        ("高新区", "gaoxin"),
        ("泰山风景名胜区", "taishan_scenic"),
        ("泰安市岱岳区", "daiyue"),
        ("肥城市总工会", "feicheng"),
        ("ningyang", "ningyang"),
        (" 东 平 县 ", "dongping"),
        ("370982", "xintai"),
    ],
)
def test_counties(raw, code):
    assert n.parse_county(raw) == (code, None, None)


def test_unknown_county_lists_choices_and_suggests():
    value, rule, detail = n.parse_county("新太市")
    assert (value, rule) == (None, "unknown_county")
    assert detail.startswith("未知县市区：新太市，可选：泰山区、岱岳区")
    assert "最接近的是“新泰市”" in detail


@pytest.mark.parametrize(
    ("raw", "code"),
    [("汽车零部件", "C01"), ("C10", "C10"), ("c2", "C02"), ("医药产业链", "C10"), ("数字经济", "C13"), ("纺织", "C12")],
)
def test_chains(raw, code):
    assert n.parse_chain(raw) == (code, None, None)


def test_unknown_chain():
    value, rule, detail = n.parse_chain("造船业")
    assert rule == "unknown_chain" and detail.startswith("未知产业链：造船业，可选：汽车及零部件")


def test_choice_and_indicator_and_stars_and_year():
    programme = n.parser_for(col("training", "programme"), b"k")
    assert programme("工匠学院") == ("工匠学院", None, None)
    assert programme(" 工匠 学院 ") == ("工匠学院", None, None)
    assert programme("工匠班")[1] == "choice"
    assert n.parse_indicator("p5_member_rate")[0] == "P5_MEMBER_RATE"
    assert n.parse_indicator("P0_NOPE")[1] == "unknown_indicator"
    assert [n.parse_stars(v)[0] for v in (3, "★★", "四星", "5星级")] == [3, 2, 4, 5]
    assert n.parse_stars(0)[1] == n.parse_stars(6)[1] == n.parse_stars(2.5)[1] == "stars_range"
    assert n.parse_year("2024年")[0] == n.parse_year(2024.0)[0] == n.parse_year("2024年度")[0] == 2024
    assert n.parse_year("24")[1] == "year"


def test_credit_codes():
    # The check character of GB 32100-2015, computed by hand for this body: see the weights in normalize.
    assert n.credit_code_valid("91350100M000100Y43")
    assert not n.credit_code_valid("91350100M000100Y44")
    assert not n.credit_code_valid("91350100M000100Y4")
    assert not n.credit_code_valid("91350100I000100Y43")  # I is not in the character set
    assert n.parse_credit_code("91350100m000100y43") == ("91350100M000100Y43", None, None)
    assert n.parse_credit_code("9135 0100M0 00100Y43")[0] == "91350100M000100Y43"
    assert n.parse_credit_code("91350100M000100Y44")[1] == "credit_code_check"
    assert n.parse_credit_code("123")[1] == "credit_code_check"


def test_id_numbers_are_checked_and_hashed():
    assert n.id_number_valid("11010519491231002X")  # the example printed in GB 11643-1999
    assert not n.id_number_valid("110105194912310021")
    parse = n.id_parser(b"secret")
    value, rule, _ = parse("11010519491231002x")
    assert rule is None
    assert value == hmac.new(b"secret", b"11010519491231002X", hashlib.sha256).hexdigest()
    assert parse("110105194912310021")[1] == "id_number_check"
    _, rule, detail = parse(110105194912310.0)
    assert rule == "id_number_check" and "110105194912310" not in detail
    assert n.mask_id("11010519491231002X") == "110**************X"
    assert n.mask_ids_in("编号11010519491231002X号") == "编号110**************X号"
    assert n.mask_ids_in("913709000000000910") == "913709000000000910"  # not a valid ID: left alone


def test_text_refuses_an_id_number():
    assert n.parse_text("11010519491231002X")[1] == "id_in_text"
    assert n.parse_text(" 泰山 汽配（集团） ")[0] == "泰山 汽配(集团)"
    assert n.parse_text(1001.0)[0] == "1001"


def test_normalize_column_spreads_unique_results():
    c = col("enterprises", "employees")
    raw = np.array(["1,000", 5.0, "1,000", None, "x", 5.0], dtype=object)
    res = n.normalize_column(c, raw, np.zeros(6, dtype=int), b"k")
    assert list(res.values) == [1000, 5, 1000, None, None, 5]
    assert list(res.rules) == [None, None, None, None, "not_number", None]


def test_normalize_column_empty():
    res = n.normalize_column(col("enterprises", "employees"), np.empty(0, dtype=object), np.zeros(0, dtype=int), b"k")
    assert len(res.values) == 0


# ---------------------------------------------------------------- ID-like values in any spelling, bounds

from data_pipeline import contracts  # noqa: E402
from tests.fixtures.hostile import make_hostile as h  # noqa: E402

PERSON = h.idn("19800101", 123)


@pytest.mark.parametrize("spelling", sorted(h.id_spellings(PERSON)))
def test_an_id_number_in_any_spelling_is_found_masked_and_refused_in_text(spelling):
    text = h.id_spellings(PERSON)[spelling]
    for shown in (text, f"编号{text}号", f"13812345678 {text}", f"ID:{text}"):
        assert n.looks_like_id(shown), shown
        masked = n.mask_ids_in(shown)
        assert PERSON[3:14] not in masked.replace(" ", "").replace("-", "")
        assert n.parse_text(shown)[1] == "id_in_text"


@pytest.mark.parametrize(
    "text",
    [
        "913709000000000910",
        "91370900MA3C5XTD4P",
        "12370000495570372X",
        "1,234,567",
        "2024-01-01 2024-03-31",
        "0538-6000000",
        "KN0120150001",
    ],
)
def test_codes_dates_and_phone_numbers_are_not_id_numbers(text):
    assert not n.looks_like_id(text)
    assert n.mask_ids_in(text) == text


def test_an_id_typed_as_a_number_shows_as_digits_and_is_masked():
    as_number = float(PERSON[:17] + "0")
    assert n.show(as_number).startswith(PERSON[:14])
    assert n.looks_like_id(n.show(as_number))


def test_spaces_and_hyphens_in_an_id_number_column_hash_like_the_plain_number():
    parse = n.id_parser(b"k" * 32)
    plain = parse(PERSON)[0]
    assert parse(h.id_spellings(PERSON)["spaces"])[0] == plain
    assert parse(h.id_spellings(PERSON)["hyphens"])[0] == plain
    assert parse(h.id_spellings(PERSON)["wrong_check"])[1] == "id_number_check"


def test_bounds_turn_implausible_values_into_broken_rules(monkeypatch):
    monkeypatch.setattr(contracts, "today", lambda: dt.date(2025, 5, 20))
    period = col("enterprises", "period")
    raw = np.array(["2025Q2", "2025Q3", "2021Q4", "2022Q1"], dtype=object)
    res = n.normalize_column(period, raw, np.zeros(4, dtype=int), b"k", contracts.bounds(period))
    assert list(res.rules) == [None, "out_of_window", "out_of_window", None]
    assert res.details[1] == "统计期“2025Q3”不在合理范围内（2022Q1 至 2025Q2），请核对年份和季度"
    start = col("contests", "start_date")
    b = contracts.bounds(start)
    assert (b.low, b.high) == (dt.date(2022, 1, 1), dt.date(2025, 6, 30))
    money = col("innovation_results", "benefit")
    raw = np.array([1.7e308, 5.0, float("inf"), "1e30"], dtype=object)
    res = n.normalize_column(money, raw, np.zeros(4, dtype=int), b"k", contracts.bounds(money))
    assert list(res.rules) == ["above_max", None, "not_number", "not_number"]
    assert contracts.bounds(col("targets", "year")).high == 2026  # next year's targets may be set this year
    assert contracts.bounds(col("innovation_studios", "established")).low == dt.date(1950, 1, 1)


def test_the_window_is_data(monkeypatch):
    real = contracts.settings()
    monkeypatch.setattr(contracts, "settings", lambda: {**real, "window_first": "2023Q3", "window_last": "2024Q1"})
    assert contracts.window() == ((2023, 3), (2024, 1))
    assert contracts.bounds(col("aid_cases", "date")).low == dt.date(2023, 7, 1)
    assert contracts.bounds(col("aid_cases", "date")).high == dt.date(2024, 3, 31)


def test_an_id_number_in_the_credit_code_column_is_refused_even_when_its_check_character_fits():
    idn = "370902197203120020"  # a resident ID that also passes the credit code's mod-31 check
    assert n.credit_code_valid(idn)
    value, rule, detail = n.parse_credit_code(idn)
    assert value is None and rule == "credit_code_check"
    assert idn not in detail and idn[:17] not in detail and "身份证号" in detail
    firm = "91370982MA3C00002" + n.credit_check_char("91370982MA3C00002")
    assert n.parse_credit_code(firm)[0] == firm  # a firm's code still loads

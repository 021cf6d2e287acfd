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

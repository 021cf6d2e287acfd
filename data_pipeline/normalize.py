"""Turn raw cell values into typed values, one contract column at a time.

Each column is normalised once for all files of a dataset: the distinct raw values are parsed in
Python (a column rarely has many), and the results are spread back to every row with a numpy take.
A parser returns (value, rule, detail): rule is None when the value is fine; detail is the Chinese
explanation that `ingest` prefixes with the column header as written in the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import hmac
import math
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_pipeline.contracts import Bounds
from data_pipeline.readers import EXCEL_ERRORS, ExcelError
from data_pipeline.reference import Column, chains, code_of, counties, indicators

Parsed = tuple[object, str | None, str | None]

NULL_TOKENS = frozenset(
    {"", "-", "--", "---", "—", "——", "–", "/", "\\", "N/A", "NA", "n/a", "na", "null", "NULL", "None"}
)
NULL_TOKENS_NON_BOOL = NULL_TOKENS | {"无", "空", "暂无"}
CHECK_MARKS = frozenset({"√", "✓", "✔", "☑"})
_TRUE = frozenset({"是", "Y", "YES", "1", "TRUE", "T", "有", "对", "已建", "已建会", "建会", "●", *CHECK_MARKS})
_FALSE = frozenset({"否", "N", "NO", "0", "FALSE", "F", "无", "没有", "未建", "未建会", "×", "✗", "✘", "☐", "○"})
_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1949, 2100
MAX_COUNT = 10**12  # a count beyond this is a typing slip (and would not fit the warehouse column)


def _nfkc(v: str) -> str:
    s = v if unicodedata.is_normalized("NFKC", v) else unicodedata.normalize("NFKC", v)
    return s.replace("\u200b", "").replace("\ufeff", "") if ("\u200b" in s or "\ufeff" in s) else s


def clean_text(v: str) -> str:
    """NFKC (full-width digits and brackets to half-width), trimmed, inner runs of spaces made one."""
    return " ".join(_nfkc(v).split())


def compact(v: str) -> str:
    """clean_text without any spaces, for codes and names where a space is a typing slip."""
    return "".join(_nfkc(v).split())


def show(v: object) -> str:
    """A raw cell as the person typed it, for messages and the quarantine's `value`."""
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer() and abs(v) < 1e21:  # digits, not 3.7e+17: an ID number typed as a number is then masked
            return str(int(v))
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date().isoformat()
    return str(v).strip()


def _null_or_error(v: object, *, is_bool: bool = False) -> Parsed | None:
    """(None, None, None) for an empty cell, an excel_error for an error cell, else None (go on parsing)."""
    if v is None or (v.__class__ is float and math.isnan(v)):
        return None, None, None
    if isinstance(v, str):
        t = v.strip()
        if t[:1] == "#" and (isinstance(v, ExcelError) or t.upper() in EXCEL_ERRORS):
            return None, "excel_error", f"单元格是Excel错误值 {t}，请修正公式或填写数值"
        if len(t) <= 4 and compact(t) in (NULL_TOKENS if is_bool else NULL_TOKENS_NON_BOOL):
            return None, None, None
    return None


# ---------------------------------------------------------------- numbers

_NUM = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:人次|人|个|家|次|项|场|元|学时|课时|小时|对|名|户)?$")


def to_number(v: object) -> tuple[float | None, bool]:
    """(number, was_percent); (None, False) when not a number. `1,234`, `１２３`, `85.3%` are numbers."""
    if isinstance(v, bool):
        return None, False
    if isinstance(v, int | float):
        return (None, False) if isinstance(v, float) and not math.isfinite(v) else (float(v), False)
    if not isinstance(v, str):
        return None, False
    s = compact(v).replace(",", "").replace("，", "")
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    m = _NUM.match(s)
    if not m:
        return None, False
    return float(m.group(1)), pct


def parse_count(v: object, minimum: int = 0) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    x, pct = to_number(v)
    if x is None or pct:
        return None, "not_number", f"“{show(v)}”不是有效的数字"
    if abs(x) > MAX_COUNT:
        return None, "too_large", f"数值过大（“{show(v)}”），请核对"
    if abs(x - round(x)) > 1e-9:
        return None, "not_integer", f"应为整数，实际为“{show(v)}”"
    if x < minimum:
        if minimum > 0:
            return None, "not_positive", f"应为不小于{minimum}的整数，实际为“{show(v)}”"
        return None, "negative", f"不能为负数，实际为“{show(v)}”"
    return int(round(x)), None, None


def parse_money(v: object, positive: bool = False) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    x, pct = to_number(v)
    if x is None or pct:
        return None, "not_number", f"“{show(v)}”不是有效的金额数字"
    if positive and x <= 0:
        return None, "not_positive", f"金额应大于0，实际为“{show(v)}”"
    if x < 0:
        return None, "negative", f"金额不能为负数，实际为“{show(v)}”"
    return x, None, None


def parse_number(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    x, _pct = to_number(v)  # `85.3%` is 85.3: rates are kept in percent
    if x is None:
        return None, "not_number", f"“{show(v)}”不是有效的数字"
    return x, None, None


_STARS = re.compile(r"^([1-5一二三四五])星级?$")


def parse_stars(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    if isinstance(v, str):
        s = compact(v)
        if s and set(s) <= {"★"}:
            v = len(s)
        elif m := _STARS.match(s):
            d = m.group(1)
            v = _CN_DIGIT.get(d) or int(d)
    x, pct = to_number(v)
    if x is None or pct or x != int(x) or not 1 <= x <= 5:
        return None, "stars_range", f"星级应为1至5的整数，实际为“{show(v)}”"
    return int(x), None, None


def parse_year(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    if isinstance(v, dt.date):
        return v.year, None, None
    if isinstance(v, str):
        v = re.sub(r"年度?$", "", compact(v))
    x, pct = to_number(v)
    if x is None or pct or x != int(x) or not MIN_YEAR <= x <= MAX_YEAR:
        return None, "year", f"“{show(v)}”不是有效的年度（示例：2024）"
    return int(x), None, None


# ---------------------------------------------------------------- dates and quarters

_DATE_YMD = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_YM = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def to_date(v: object) -> dt.date | None:
    """A calendar date from an Excel date or serial, `2024-03-31`, `2024/3/31`, `2024年3月31日`, `20240331`,
    or a month (`2024.3`, `2024年3月` → the 1st of the month). A float like 2024.1 is read as January:
    Excel drops the trailing zero of `2024.10`, so write months as text or full dates."""
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        if not math.isfinite(v):
            return None
        if 19000101 <= v <= 21001231 and v == int(v):
            return to_date(str(int(v)))
        if MIN_YEAR <= v < MAX_YEAR + 1 and v != int(v):
            return to_date(f"{v:.2f}".rstrip("0"))
        if 17000 <= v < 80000:  # an Excel serial between 1946 and 2119
            return _EXCEL_EPOCH + dt.timedelta(days=int(v))
        return None
    if not isinstance(v, str):
        return None
    s = compact(v)
    try:
        if (m := _DATE_YMD.match(s)) or (m := _DATE_COMPACT.match(s)):
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif m := _DATE_YM.match(s):
            d = dt.date(int(m.group(1)), int(m.group(2)), 1)
        elif re.fullmatch(r"\d{5}(?:\.\d+)?", s):
            return to_date(float(s))
        else:
            return None
    except ValueError:
        return None
    return d if MIN_YEAR <= d.year <= MAX_YEAR else None


def parse_date(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    d = to_date(v)
    if d is None:
        return None, "date", f"“{show(v)}”不是有效的日期（示例：2024-03-31）"
    return d, None, None


_QUARTER = (
    re.compile(r"^(\d{4})[-_/.]?Q([1-4])$", re.I),
    re.compile(r"^(\d{4})年?(?:第)?([一二三四1-4])季度?$"),
    re.compile(r"^Q([1-4])[-_/.]?(\d{4})$", re.I),
)


def to_quarter(v: object) -> tuple[int, int] | None:
    """(year, quarter) from `2024Q1`, `2024年第一季度`, `2024年1季度`, `2024-Q1`, or any date inside the quarter."""
    if isinstance(v, str):
        s = compact(v)
        for i, pat in enumerate(_QUARTER):
            if m := pat.match(s):
                year, q = (m.group(2), m.group(1)) if i == 2 else (m.group(1), m.group(2))
                y = int(year)
                return (y, _CN_DIGIT.get(q) or int(q)) if MIN_YEAR <= y <= MAX_YEAR else None
    d = to_date(v)
    return (d.year, (d.month - 1) // 3 + 1) if d else None


def parse_quarter(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    q = to_quarter(v)
    if q is None:
        return None, "period", f"“{show(v)}”不是有效的统计期（示例：2024Q1、2024年第一季度）"
    return q, None, None


# ---------------------------------------------------------------- booleans, choices, text


def parse_bool(v: object) -> Parsed:
    got = _null_or_error(v, is_bool=True)
    if got is not None:
        return got
    if isinstance(v, bool):
        return v, None, None
    if isinstance(v, int | float):
        if v in (0, 1):
            return bool(v), None, None
    elif isinstance(v, str):
        s = compact(v).upper()
        if s in _TRUE:
            return True, None, None
        if s in _FALSE:
            return False, None, None
    return None, "bool", f"“{show(v)}”无法识别为是/否（可填：是、否）"


def parse_text(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    s = clean_text(show(v))
    spans = id_spans(s)
    if spans:  # an ID number in a free-text column would be stored in clear, in any spelling
        a, b = spans[0]
        return None, "id_in_text", f"疑似身份证号“{_mask_span(s[a:b])}”，此列不能填写身份证号"
    return (s or None), None, None


def choice_parser(col: Column) -> Callable[[object], Parsed]:
    allowed = {compact(c): c for c in col.choices}
    options = "、".join(col.choices)

    def parse(v: object) -> Parsed:
        got = _null_or_error(v)
        if got is not None:
            return got
        s = compact(show(v))
        if s in allowed:
            return allowed[s], None, None
        return None, "choice", f"“{show(v)}”不在可选范围内（可选：{options}）"

    return parse


# ---------------------------------------------------------------- counties, chains, indicators


def _suggest(s: str, names: list[str]) -> str:
    close = difflib.get_close_matches(s, names, n=1, cutoff=0.3)
    return f"；最接近的是“{close[0]}”" if close else ""


def parse_county(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    code = code_of("county", show(v))
    if code is not None:
        return code, None, None
    names = [c.name_zh for c in counties()]
    by_alias = {a: c.name_zh for c in counties() for a in (c.name_zh, *c.aliases)}
    hit = difflib.get_close_matches(show(v), list(by_alias), n=1, cutoff=0.3)
    suggestion = f"；最接近的是“{by_alias[hit[0]]}”" if hit else ""
    return None, "unknown_county", f"未知县市区：{show(v)}，可选：{'、'.join(names)}{suggestion}"


def parse_chain(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    code = code_of("chain", show(v))
    if code is not None:
        return code, None, None
    names = [c.name_zh for c in chains()]
    return None, "unknown_chain", f"未知产业链：{show(v)}，可选：{'、'.join(names)}{_suggest(show(v), names)}"


def parse_indicator(v: object) -> Parsed:
    got = _null_or_error(v)
    if got is not None:
        return got
    s = compact(show(v)).upper()
    codes = {i.code for i in indicators()}
    if s in codes:
        return s, None, None
    by_name = {compact(i.name_zh): i.code for i in indicators()}
    if compact(show(v)) in by_name:
        return by_name[compact(show(v))], None, None
    close = difflib.get_close_matches(s, sorted(codes), n=1, cutoff=0.5)
    hint = f"；最接近的是“{close[0]}”" if close else ""
    return None, "unknown_indicator", f"“{show(v)}”不是指标目录中的指标代码{hint}"


# ---------------------------------------------------------------- identifiers

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


_CREDIT_VALUE = {ch: i for i, ch in enumerate(_CREDIT_CHARS)}


def credit_code_valid(code: str) -> bool:
    """GB 32100-2015: 18 characters from the 31-character set, the last one a weighted mod-31 check."""
    if len(code) != 18:
        return False
    try:  # 17 weights: the check character is left out
        total = sum(map(operator.mul, map(_CREDIT_VALUE.__getitem__, code[:17]), _CREDIT_WEIGHTS))
        check = _CREDIT_VALUE[code[17]]
    except KeyError:  # a character outside the set
        return False
    return (31 - total % 31) % 31 == check


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def id_number_valid(idn: str) -> bool:
    """GB 11643 / ISO 7064 MOD 11-2: 17 digits then a check digit (0-9 or X)."""
    if len(idn) != 18 or not (idn[:17].isascii() and idn[:17].isdigit()):
        return False
    total = 0
    for ch, w in zip(idn, _ID_WEIGHTS, strict=False):
        total += (ord(ch) - 48) * w
    return _ID_CHECK[total % 11] == idn[17]


def id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def mask_id(text: str) -> str:
    """Keep the first 3 and the last 1 characters of an ID-like value: enough to find it, not enough to use it."""
    s = str(text)
    if len(s) <= 4:
        return "*" * len(s)
    return s[:3] + "*" * (len(s) - 4) + s[-1]


def mask_name(text: str) -> str:
    """A value that may be a person's name: its first character, the rest as stars (`欧阳明` → `欧**`)."""
    s = str(text)
    return s[:1] + "*" * (len(s) - 1) if len(s) > 1 else "*" * len(s)


# Mainland resident ID numbers in any common spelling: 18 characters (17 digits and a digit or X/x) or the
# old 15 digits, full-width or not, with spaces or hyphens between groups, check digit right or wrong. What
# makes a run of digits ID-like is its shape: a province code, then a birth date.
_PROVINCES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42")
    + ("43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ－　", "0123456789Xx- ")  # one character for one: spans stay valid
_ID_RUN = re.compile(r"(?<![0-9])[0-9](?:[0-9]|[ \t\-_\u00a0\u2010-\u2015\u2212]+(?=[0-9]))*[Xx]?(?![0-9])")
_DIGIT_GROUP = re.compile(r"[0-9]+[Xx]?")
_ANY_DIGIT = re.compile(r"[0-9０-９]")
_SEPARATORS = re.compile(r"[\s\-_\u2010-\u2015\u2212\u3000－]+")


def _id_shaped(d: str) -> bool:
    if len(d) == 18:
        if not (d[:17].isdigit() and (d[17].isdigit() or d[17] in "Xx")):
            return False
        year, month, day = int(d[6:10]), int(d[10:12]), int(d[12:14])
        if not 1900 <= year <= 2099:
            return False
    elif len(d) == 15:
        if not d.isdigit():
            return False
        month, day = int(d[8:10]), int(d[10:12])
    else:
        return False
    return d[:2] in _PROVINCES and 1 <= month <= 12 and 1 <= day <= 31


def id_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds something shaped like a resident ID number (see above), as (start, end) pairs."""
    if len(text) < 15 or not _ANY_DIGIT.search(text):
        return []
    t = text if text.isascii() else text.translate(_WIDE)
    out = []
    for m in _ID_RUN.finditer(t):
        run = m.group(0)
        if len(run) < 15:
            continue
        if _id_shaped(_SEPARATORS.sub("", run)):
            out.append(m.span())
            continue
        # an ID beside other numbers (`13812345678 370902 19800101 1234`): consecutive groups that make one
        groups = [(g.start(), g.end(), g.group(0)) for g in _DIGIT_GROUP.finditer(run)]
        i = 0
        while i < len(groups):
            digits = ""
            for j in range(i, len(groups)):
                digits += groups[j][2]
                if len(digits) > 18:
                    break
                if _id_shaped(digits):
                    out.append((m.start() + groups[i][0], m.start() + groups[j][1]))
                    i = j
                    break
            i += 1
    return out


def looks_like_id(text: str) -> bool:
    return bool(id_spans(text))


def _mask_span(s: str) -> str:
    """Mask an ID-like span, keeping separators where they were (`370902 19800101 123X` → `370*** ******** ***X`)."""
    body = [i for i, ch in enumerate(s) if not _SEPARATORS.fullmatch(ch)]
    keep = set(body[:3] + body[-1:])
    return "".join(ch if (i in keep or i not in body) else "*" for i, ch in enumerate(s))


def mask_ids_in(text: str) -> str:
    """Mask everything in free text that is shaped like a resident ID number, in any common spelling."""
    spans = id_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for a, b in spans:
        out.append(text[last:a])
        out.append(_mask_span(text[a:b]))
        last = b
    out.append(text[last:])
    return "".join(out)


def parse_credit_code(v: object) -> Parsed:
    """A unit's credit code. One shaped like a resident ID number (province code, then a birth date) is refused
    even when its check character happens to fit: a person's ID typed into the wrong column never loads."""
    if v.__class__ is str and len(v) == 18 and v.isascii() and v.isalnum():  # as typed in most files
        s = v.upper()
        if credit_code_valid(s) and not _id_shaped(s):
            return s, None, None
    got = _null_or_error(v)
    if got is not None:
        return got
    s = compact(show(v)).upper()
    if _id_shaped(s):
        return (
            None,
            "credit_code_check",
            (f"统一社会信用代码“{mask_id(s)}”是身份证号的样式：请填写单位的统一社会信用代码（18位，通常以9开头）"),
        )
    if len(s) != 18:
        return None, "credit_code_check", f"统一社会信用代码应为18位，实际为{len(s)}位（“{show(v)}”）"
    if not credit_code_valid(s):
        return None, "credit_code_check", f"统一社会信用代码“{show(v)}”校验位不正确，请核对"
    return s, None, None


def id_parser(hash_key: bytes) -> Callable[[object], Parsed]:
    keyed = hmac.new(hash_key, digestmod=hashlib.sha256)

    def parse(v: object) -> Parsed:
        got = _null_or_error(v)
        if got is not None:
            return got
        s = _SEPARATORS.sub("", compact(show(v))).upper()
        if not id_number_valid(s):
            why = f"应为18位，实际为{len(s)}位" if len(s) != 18 else "校验位不正确"
            if isinstance(v, float):
                why += "（Excel把长数字存成了数值，请将该列设为文本格式后重新填写）"
            return None, "id_number_check", f"身份证号“{mask_id(s)}”{why}"
        h = keyed.copy()
        h.update(s.encode())
        return h.hexdigest(), None, None

    return parse


def parse_dropped(v: object) -> Parsed:
    return None, None, None


def parser_for(col: Column, hash_key: bytes) -> Callable[[object], Parsed]:
    t = col.type
    if t == "choice":
        return choice_parser(col)
    if t == "id_number":
        return id_parser(hash_key)
    return {
        "text": parse_text,
        "county": parse_county,
        "chain": parse_chain,
        "credit_code": parse_credit_code,
        "indicator": parse_indicator,
        "bool": parse_bool,
        "count": parse_count,
        "count_positive": lambda v: parse_count(v, minimum=1),
        "stars": parse_stars,
        "year": parse_year,
        "money": parse_money,
        "money_positive": lambda v: parse_money(v, positive=True),
        "number": parse_number,
        "date": parse_date,
        "quarter": parse_quarter,
        "person_name": parse_dropped,
    }[t]


# ---------------------------------------------------------------- whole columns


@dataclass
class ColumnResult:
    """A column's typed values (object array, None = null), `broken` (a rule is broken) and `null` (the value is
    None) per row; each row's broken rule and its detail by `rule_of(i)` (or the whole arrays `rules`,
    `details`: None = fine). Rules are kept per distinct value (`codes` indexes them): few rows break one."""

    values: np.ndarray
    broken: np.ndarray
    null: np.ndarray
    codes: np.ndarray
    unique_rules: np.ndarray
    unique_details: np.ndarray

    def rule_of(self, i: int) -> tuple[str, str]:
        code = self.codes[i]
        return self.unique_rules[code], self.unique_details[code]

    @property
    def rules(self) -> np.ndarray:
        return self.unique_rules[self.codes]

    @property
    def details(self) -> np.ndarray:
        return self.unique_details[self.codes]


MEMO_SIZE = 65536  # parsed values a ParseMemo holds before it starts afresh


class ParseMemo(dict):
    """Parsed values of one kind of column (same parser, same bounds) kept across calls of normalize_column,
    so a value seen in an earlier file (a firm's credit code, a count) is not parsed again.

    Keyed by value, as pd.factorize groups a column's cells (1, 1.0 and True are one value there too, and
    an error cell is its text), so a value gets the result it would have got among every row of its
    dataset read at once, as the build did before it streamed. It holds at most `size` values and then starts afresh,
    so its memory does not grow with the data; a memo that rarely hits (a column of names, all different)
    is switched off when it fills."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        super().__init__()
        self.size = size
        self.hits = 0
        self.lookups = 0
        self.off = False

    def parser(self, col: Column, hash_key: bytes) -> Callable[[object], Parsed]:
        """The column's parser, made once (the columns sharing a memo parse alike)."""
        got = self.__dict__.get("_parser")
        if got is None:
            got = self._parser = parser_for(col, hash_key)
        return got

    def make_room(self, n: int) -> None:
        if len(self) + n <= self.size:
            return
        if self.hits * 4 < self.lookups:
            self.off = True
        self.clear()
        self.hits = self.lookups = 0


def normalize_column(
    col: Column,
    raw: np.ndarray,
    file_idx: np.ndarray,
    hash_key: bytes,
    bounds: Bounds | None = None,
    memo: ParseMemo | None = None,
) -> ColumnResult:
    """Parse each distinct raw value once and spread the results to every row; `bounds` (contracts.bounds)
    turns a well-formed but implausible value into a broken rule. `memo`: parsed values kept by the caller
    for this kind of column across calls (see ParseMemo)."""
    parse = memo.parser(col, hash_key) if memo is not None else parser_for(col, hash_key)
    codes, uniques = _factorize(raw)
    n = len(uniques)
    if memo is not None:
        memo.make_room(n)
        if memo.off:
            memo = None
    if memo is None:
        got = [_parse_one(col, parse, u, bounds) for u in uniques]
    else:
        got = list(map(memo.get, uniques))
        missed = [i for i, g in enumerate(got) if g is None]
        memo.lookups += n
        memo.hits += n - len(missed)
        for i in missed:
            u = uniques[i]
            got[i] = memo[u] = _parse_one(col, parse, u, bounds)
    got.append((None, None, None))  # the value of an empty cell (code -1 below)
    vals_u, rules_u, details_u = zip(*got, strict=True)
    vals = np.fromiter(vals_u, dtype=object, count=n + 1)
    rules = np.fromiter(rules_u, dtype=object, count=n + 1)
    details = np.fromiter(details_u, dtype=object, count=n + 1)
    codes = np.where(codes < 0, n, codes)
    broken = rules != None  # noqa: E711 - elementwise on an object array
    null = vals == None  # noqa: E711
    out = ColumnResult(vals[codes], broken[codes], null[codes], codes, rules, details)
    if col.type == "bool" and len(raw):
        _blank_is_false_with_check_marks(out, raw, codes, uniques, file_idx)
    return out


SMALL = 512  # up to this many cells a column is factorized in Python (pandas' fixed cost is larger)


def _factorize(raw: np.ndarray) -> tuple[np.ndarray, list | np.ndarray]:
    """pd.factorize(raw) (codes, uniques in order of first appearance, -1 for None and NaN), for any size."""
    if len(raw) > SMALL:
        return pd.factorize(raw, use_na_sentinel=True)
    index: dict = {}
    codes = []
    for v in raw:
        if v is None or v != v:  # None and NaN: no value
            codes.append(-1)
        else:
            codes.append(index.setdefault(v, len(index)))
    return np.array(codes, dtype=np.intp), list(index)


def _parse_one(col: Column, parse: Callable[[object], Parsed], u: object, bounds: Bounds | None) -> Parsed:
    try:
        v, r, d = parse(u)
        if bounds is not None and r is None and v is not None:
            broken = out_of_bounds(col, v, u, bounds)
            if broken is not None:
                v, (r, d) = None, broken
        return v, r, d
    except Exception:  # a value no parser foresaw is the person's to fix, not a crash
        return None, "invalid", f"无法识别的值“{mask_ids_in(show(u))}”"


def out_of_bounds(col: Column, value: object, raw: object, b: Bounds) -> tuple[str, str] | None:
    """(rule, detail) when a parsed value lies outside the column's plausible range, else None."""
    low_ok = b.low is None or value >= b.low
    high_ok = b.high is None or value <= b.high
    if low_ok and high_ok:
        return None
    shown = show(raw)
    if col.type == "quarter":
        return "out_of_window", f"统计期“{shown}”不在合理范围内（{b.low_text} 至 {b.high_text}），请核对年份和季度"
    if col.type == "date":
        return "out_of_window", f"日期“{shown}”不在合理范围内（{b.low_text} 至 {b.high_text}），请核对年份"
    if col.type == "year":
        return "out_of_window", f"年度“{shown}”不在合理范围内（{b.low_text}—{b.high_text}）"
    if not high_ok:
        return "above_max", f"数值“{shown}”超过合理上限 {b.high_text}，请核对数值和单位"
    return "below_min", f"数值“{shown}”低于下限 {b.low_text}"


def _blank_is_false_with_check_marks(
    out: ColumnResult, raw: np.ndarray, codes: np.ndarray, uniques: np.ndarray, file_idx: np.ndarray
) -> None:
    """In a file that ticks (√) this column, an empty cell means 否 rather than unknown."""
    tick = np.array([isinstance(u, str) and compact(u) in CHECK_MARKS for u in uniques] + [False])
    is_tick = tick[codes]
    if not is_tick.any():
        return
    files_ticking = np.unique(file_idx[is_tick])
    blank_u = np.array(
        [u is None or (isinstance(u, str) and compact(u) in NULL_TOKENS) for u in uniques] + [True], dtype=bool
    )
    blank = blank_u[codes] & np.isin(file_idx, files_ticking)
    out.values[blank] = False
    out.null[blank] = False

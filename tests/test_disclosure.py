"""Small-cell protection: the pattern on hand-made tables, then every output path on the tiny warehouse.

The tiny set's aid (2024): 新泰市 × 医药及医疗器械 one family with 大病医疗救助 20,000 元 (2.0 万元) in Q1, two
families without a chain in 新泰市, one in 泰山区 without a chain and one in 泰山区 × 汽车及零部件 (1,500 元).
Every cell below county level is built from fewer than 5 families, so each must be hidden wherever it leaves
the query layer — and the county and city totals must still show.
"""

from __future__ import annotations

import io
import math

import duckdb
import openpyxl
import pandas as pd
import pytest
from pptx import Presentation

from data_pipeline import disclosure, metrics, reference
from data_pipeline.metrics import Filters
from reporting import deck, export
from reporting import spec as recipes
from reporting.__main__ import main as reporting_cli

YEAR = Filters(2024)
CELL = Filters(2024, counties=("xintai",), chains=("C10",))
HIDDEN_VALUE = 2.0  # 新泰市 × C10 aid funds 2024, 万元: one family


# ---------------------------------------------------------------- the pattern on hand-made tables


def test_primary_cells_below_the_threshold_are_hidden_zero_and_large_cells_not():
    pat = disclosure.pattern({("a", "C1"): 3, ("a", "C2"): 0, ("a", "C3"): 9, ("a", "C4"): 12}, {}, 5)
    assert ("a", "C1") in pat.cells and ("a", "C2") not in pat.cells
    assert ("a", "C3") in pat.cells  # the partner has families in it: a zero partner would reveal C1


def test_a_lone_hidden_cell_in_a_county_gets_a_partner():
    # a's total is shown: with only C1 hidden, total − C3 − C4 would give C1 back; the smallest other goes too
    cells = {("a", "C1"): 3, ("a", "C3"): 9, ("a", "C4"): 12}
    pat = disclosure.pattern(cells, {"C1": 20, "C3": 30, "C4": 40}, 5)
    assert pat.cells >= {("a", "C1"), ("a", "C3")} and ("a", "C4") not in pat.cells


def test_a_lone_hidden_cell_in_a_chain_column_gets_a_partner():
    # C1 across the city is shown (20 families): a's 3 hidden alone would be 20 − b's 17
    cells = {("a", "C1"): 3, ("b", "C1"): 17, ("a", "C2"): 2, ("b", "C2"): 30}
    pat = disclosure.pattern(cells, {"C1": 20, "C2": 32}, 5)
    assert ("b", "C1") in pat.cells  # column partner
    # and every row, column and the chain totals now have 0 or ≥ 2 hidden parts
    for county in "ab":
        assert sum((county, ch) in pat.cells for ch in ("C1", "C2")) != 1
    for ch in ("C1", "C2"):
        assert sum((county, ch) in pat.cells for county in "ab") != 1


def test_aggregates_are_hidden_unless_published_or_clean():
    pat = disclosure.Pattern(cells=frozenset({("a", "C1"), ("a", "C2")}), chains=frozenset({"C1"}))
    assert pat.hides(["a"], ["C1"], all_counties=False)
    assert not pat.hides(["b"], ["C1"], all_counties=False)
    assert pat.hides(["a", "b"], ["C1"], all_counties=False)  # contains a hidden cell
    assert pat.hides([], ["C1"], all_counties=True)  # the chain's city figure is hidden
    assert not pat.hides([], ["C3"], all_counties=True)


def test_parts_of_a_shown_figure():
    assert disclosure.protect_parts({"x": 2, "y": 40, "z": 30}, 5, False) == {"x", "z"}
    assert disclosure.protect_parts({"x": 20, "y": 40}, 5, False) == set()
    assert disclosure.protect_parts({"x": 20, "y": 40}, 5, True) == {"x", "y"}


# ---------------------------------------------------------------- every output path on the tiny warehouse


@pytest.fixture(scope="module")
def con(tiny_warehouse):
    c = duckdb.connect(str(tiny_warehouse), read_only=True)
    yield c
    c.close()


def _numbers(frame: pd.DataFrame) -> set[float]:
    out = set()
    for column in frame.columns.drop(["year", "quarter"], errors="ignore"):
        for v in frame[column]:
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                out.add(round(float(v), 6))
    return out


def _query_outputs(con) -> list[pd.DataFrame]:
    """Every query-layer answer about aid funds below county level that the UI, deck or CLI asks for."""
    code = "P5_AID_FUNDS"
    return [
        metrics.totals(con, CELL, [code]),
        metrics.kpis(con, CELL, [code])[["value", "previous", "change"]],
        metrics.by_dimension(con, Filters(2024, counties=("xintai",)), code, "chain"),
        metrics.by_dimension(con, Filters(2024, chains=("C10",)), code, "county"),
        metrics.heatmap(con, YEAR, code),
        metrics.trend(con, CELL, [code]),
        metrics.breakdown(con, CELL, code, "kind"),
        metrics.totals(con, Filters(2024, chains=("C10",)), [code]),
    ]


def test_query_layer_never_returns_the_hidden_value(con):
    for frame in _query_outputs(con):
        assert HIDDEN_VALUE not in _numbers(frame.drop(columns=["target", "expected", "gap"], errors="ignore"))
    # the county and the city are not below county level: their totals show
    assert metrics.totals(con, Filters(2024, counties=("xintai",)), ["P5_AID_FUNDS"])["value"][0] == pytest.approx(3.0)
    assert metrics.totals(con, YEAR, ["P5_AID_FUNDS"])["value"][0] == pytest.approx(3.25)


def test_no_hidden_cell_is_the_only_one_missing_from_a_shown_total(con):
    code = "P5_AID_FUNDS"
    for county in ("xintai", "taishan"):
        parts = metrics.heatmap(con, Filters(2024, counties=(county,)), code)
        hidden = int(parts["suppressed"].sum())
        with_records = parts.loc[parts["suppressed"] | (parts["value"] > 0)]
        # the 不分产业链 part is not in the heatmap but counts as a hidden part when it has aid
        none_part = (
            metrics.totals(con, Filters(2024, counties=(county,)), [code])["value"][0]
            - with_records["value"].fillna(0).sum()
        )
        assert hidden == 0 or hidden + (none_part > 0) >= 2, county


def test_family_counts_below_five_are_hidden_on_cards(con):
    kp = metrics.kpis(con, CELL, ["P5_HARDSHIP_FAMILIES", "P5_AID_FUNDS", "P5_ILLNESS_AID", "P5_MEMBERS"])
    kp = kp.set_index("indicator")
    assert kp.loc[["P5_AID_FUNDS", "P5_ILLNESS_AID"], "suppressed"].all()  # one family
    assert kp.loc[["P5_AID_FUNDS", "P5_ILLNESS_AID"], "value"].isna().all()
    assert kp.loc["P5_HARDSHIP_FAMILIES", "value"] == 0  # no hardship family there: zero singles nobody out
    xintai_hardship = metrics.kpis(con, Filters(2024, counties=("xintai",), chains=("C01", "C10")), ["P5_AID_FUNDS"])
    assert xintai_hardship["suppressed"].all()  # an aggregate of cells that contains a hidden one
    assert not kp.loc["P5_MEMBERS", "suppressed"] and kp.loc["P5_MEMBERS", "value"] > 0


def _download_texts(con) -> list[str]:
    ctx = recipes.Context(recipes.direct(con), Filters(2024, counties=("xintai",)), "zh", "2024Q3")
    specs = [
        recipes.ranking(ctx, "P5_AID_FUNDS", "chain"),
        recipes.breakdown(recipes.Context(ctx.ask, CELL, "zh", "2024Q3"), "P5_AID_FUNDS", "kind"),
        recipes.trend(recipes.Context(ctx.ask, CELL, "zh", "2024Q3"), ["P5_AID_FUNDS"]),
        recipes.heatmap(recipes.Context(ctx.ask, YEAR, "en", "2024Q3"), "P5_AID_FUNDS"),
    ]
    texts = []
    for spec in specs:
        texts.append(export.frame_csv(spec.table(), spec.header_lines).decode("utf-8-sig"))
        book = openpyxl.load_workbook(io.BytesIO(export.frame_xlsx(spec.table(), spec.header_lines)))
        texts.append("\n".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None))
    return texts


def _deck_texts(con, tmp_path) -> list[str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROWSER_PATH", "/nonexistent/chrome")  # tables on the slides: every number is text
        spec = deck.build_spec(con, CELL, ["service"])
        briefing = deck.render_deck(spec)
    texts = []
    for slide in Presentation(io.BytesIO(briefing.pptx)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
    book = openpyxl.load_workbook(io.BytesIO(briefing.xlsx))
    texts += [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
    return texts


def _cli_texts(tiny_warehouse, tmp_path) -> list[str]:
    out, xlsx = tmp_path / "brief.pptx", tmp_path / "brief.xlsx"
    args = ["brief", "--db", str(tiny_warehouse), "--out", str(out), "--xlsx", str(xlsx), "--year", "2024"]
    args += ["--county", "xintai", "--chain", "C10", "--sections", "service"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BROWSER_PATH", "/nonexistent/chrome")
        assert reporting_cli(args) == 0
    book = openpyxl.load_workbook(xlsx)
    return [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]


def _leaks(texts: list[str]) -> list[str]:
    """Texts that show 新泰市 × C10's aid (2.0 万元 / 20,000 元) as a figure."""
    hits = []
    for text in texts:
        for shown in ("2.0万元", "2.00万元", "20,000", "20000"):
            if shown in text:
                hits.append(text)
        for line in text.splitlines():
            if "医药及医疗器械" in line and ("2.0" in line.split("医药及医疗器械", 1)[1]):
                hits.append(line)
    return hits


def test_downloads_deck_and_cli_never_show_the_hidden_value(con, tiny_warehouse, tmp_path):
    texts = _download_texts(con) + _deck_texts(con, tmp_path) + _cli_texts(tiny_warehouse, tmp_path)
    assert _leaks(texts) == []
    assert any("<5" in t for t in texts)  # hidden cells say so


def test_removing_the_rule_makes_these_checks_fail(con, tiny_warehouse, tmp_path, monkeypatch):
    """Without its rule the same paths show the family's aid: the checks above can fail."""
    monkeypatch.setattr(reference, "disclosure_rules", lambda: {})
    leaked = [
        HIDDEN_VALUE in _numbers(f.drop(columns=["target", "expected", "gap"], errors="ignore"))
        for f in _query_outputs(con)
    ]
    assert any(leaked)
    assert _leaks(_download_texts(con) + _deck_texts(con, tmp_path)) != []

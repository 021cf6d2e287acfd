"""The demo generator: deterministic, contract-shaped, realistic, with about 1% realistic mistakes."""

from __future__ import annotations

import csv
import hashlib
import json
import operator
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from data_pipeline import contracts, demo, reference

SUBSET = ("taishan", "cuwen")  # one large district and one small scenic area


def _hashes(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest(), int(p.stat().st_mtime))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _read(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gbk")
    return list(csv.reader(text.splitlines()))


def _header_row(rows: list[list[object]], ds: reference.Dataset) -> int:
    names = {c.header_zh for c in ds.columns} | {a for c in ds.columns for a in c.aliases}
    for i, row in enumerate(rows[:5]):
        if sum(str(v) in names for v in row) >= len(ds.columns) - 1:
            return i
    raise AssertionError(f"no header row in {ds.dataset}")


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, demo.DemoSummary]:
    out = tmp_path_factory.mktemp("demo_small")
    return out, demo.generate(out, seed=7, scale=0.05, counties=SUBSET)


@pytest.fixture(scope="module")
def world_scale1() -> tuple[demo.World, list[demo.Submission]]:
    return demo.simulate(2022, 1.0)


def test_check_characters_match_published_examples():
    assert demo.credit_code_valid("91350100M000100Y43")
    assert not demo.credit_code_valid("91350100M000100Y44")
    assert demo.id_number_valid("11010519491231002X")
    assert not demo.id_number_valid("110105194912310021")


def test_same_seed_gives_identical_files_and_another_seed_differs(small, tmp_path):
    out, _ = small
    again = demo.generate(tmp_path / "again", seed=7, scale=0.05, counties=SUBSET)
    first, second = _hashes(out), _hashes(tmp_path / "again")
    assert first == second
    assert again.files == len(first) - 1  # every file but the marker
    other = demo.generate(tmp_path / "other", seed=8, scale=0.05, counties=("cuwen",))
    assert other.files > 0
    changed = [k for k, v in _hashes(tmp_path / "other").items() if k.startswith("cuwen/") and first.get(k) != v]
    assert changed


def test_marker_and_layout(small):
    out, summary = small
    assert json.loads((out / "_demo.json").read_text(encoding="utf-8")) == {
        "generator": "data_pipeline.demo",
        "scale": 0.05,
        "seed": 7,
    }
    assert sorted(p.name for p in out.iterdir()) == ["_demo.json", "city", *sorted(SUBSET)]
    assert sorted(p.name for p in (out / "city").iterdir()) == [str(y) for y in range(2022, 2027)]
    quarters = sorted(p.name for p in (out / "taishan").iterdir())
    assert quarters[0] == "2022Q1" and quarters[-1] == "2026Q3" and len(quarters) == 19
    suffixes = Counter(p.suffix for p in out.rglob("*.*") if p.name != "_demo.json")
    assert suffixes[".xlsx"] > 4 * suffixes[".csv"] > 0
    files = [p for p in out.rglob("*") if p.is_file() and p.name != "_demo.json"]
    assert summary.files == len(files)


def test_every_dataset_has_the_contract_headers_and_a_title(small):
    out, _ = small
    seen: set[str] = set()
    for ds in reference.datasets():
        paths = sorted(out.rglob(f"*_{ds.title_zh}_*"))
        assert paths, ds.dataset
        seen.add(ds.dataset)
        for path in paths[:: max(1, len(paths) // 6)]:
            rows = _read(path)
            h = _header_row(rows, ds)
            assert ds.title_zh in str(rows[0][0])
            header = [str(v) for v in rows[h] if str(v)]
            for col in ds.columns:
                if col.type == "person_name":
                    continue
                assert col.header_zh in header or set(col.aliases) & set(header), (path.name, col.header_zh)
    assert seen == {d.dataset for d in reference.datasets()}


def test_quarter_titles_csv_encodings_and_corrected_resubmission(small):
    out, _ = small
    rows = _read(out / "taishan" / "2024Q1" / next(p.name for p in (out / "taishan" / "2024Q1").glob("*企业建会*")))
    assert rows[0][0] == "2024年第一季度泰山区企业建会入会情况统计表"
    encodings = Counter(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in out.rglob("*.csv"))
    assert encodings[False] and encodings[True]  # GBK and UTF-8 with BOM
    fixes = list(out.rglob("*_更正.*"))
    if fixes:  # the corrected file is in the subset only when its county is
        fixed = fixes[0]
        original = next(p for p in fixed.parent.iterdir() if p.stem == fixed.stem.removesuffix("_更正"))
        assert fixed.stat().st_mtime > original.stat().st_mtime


def test_one_corrected_resubmission_that_fixes_its_errors(world_scale1):
    _, subs = world_scale1
    fixed = [s for s in subs if s.corrected]
    assert len(fixed) == 1
    original = next(
        s
        for s in subs
        if not s.corrected
        and (s.dataset, s.county, s.year, s.quarter)
        == (fixed[0].dataset, fixed[0].county, fixed[0].year, fixed[0].quarter)
    )
    assert original.errors > 0 and fixed[0].errors == 0
    assert [{k: v for k, v in r.items()} for r in fixed[0].rows] == original.clean


def test_good_rows_have_valid_codes_and_hold_the_cross_rules(world_scale1):
    _, subs = world_scale1
    ops = {"<=": operator.le, ">=": operator.ge}
    for sub in subs:
        for row in sub.clean:
            for col in reference.dataset(sub.dataset).columns:
                value = row.get(col.column)
                if col.type == "credit_code" and value:
                    assert demo.credit_code_valid(value), value
                if col.type == "id_number":
                    assert demo.id_number_valid(value) and value.startswith("3709"), value
                if col.required and col.type != "person_name":
                    assert value is not None and value != "", (sub.dataset, col.column)
            for rule in contracts.CROSS_RULES:
                if rule.dataset != sub.dataset:
                    continue
                left, right = row.get(rule.left), row.get(rule.right)
                if left is None or right is None:
                    continue
                if rule.op == "zero_unless":
                    assert right or left == 0, (rule.name, row)
                else:
                    assert ops[rule.op](left, right), (rule.name, row)


def test_written_files_carry_valid_codes_except_the_injected_mistakes(small):
    out, _ = small
    bad = total = 0
    for path in sorted(out.rglob("*企业建会*")) + sorted(out.rglob("*帮扶救助*")):
        rows = _read(path)
        ds = reference.dataset("enterprises" if "企业建会" in path.name else "aid_cases")
        h = _header_row(rows, ds)
        for row in rows[h + 1 :]:
            for v in row:
                v = str(v)
                if len(v) == 18 and v[:2] == "91":
                    total += 1
                    bad += not demo.credit_code_valid(v)
                elif len(v) == 18 and v[:4] == "3709":
                    total += 1
                    bad += not demo.id_number_valid(v)
    assert total > 300
    assert bad / total < 0.02


def test_about_one_percent_of_rows_have_mistakes_and_none_in_targets(world_scale1):
    _, subs = world_scale1
    rows = sum(len(s.rows) for s in subs if s.dataset != "targets" and not s.corrected)
    errors = sum(s.errors for s in subs if s.dataset != "targets")
    assert 0.007 < errors / rows < 0.015
    assert all(s.errors == 0 and s.rows == s.clean for s in subs if s.dataset == "targets")
    kinds = {d for s in subs if s.errors for d in [s.dataset]}
    assert {"enterprises", "aid_cases"} <= kinds


def test_magnitudes_at_scale_one(world_scale1):
    world, _ = world_scale1
    ent = world.records["enterprises"]
    by_q: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for r in ent:
        by_q[r["period"]].append(r)
    first, last = by_q[(2022, 1)], by_q[(2026, 3)]
    employees = sum(r["employees"] for r in last)
    assert 800_000 <= employees <= 1_300_000
    chains = Counter(r["chain"] for r in last)
    assert len(chains) == 13 and min(chains.values()) >= 40 and max(chains.values()) <= 400

    def member_rate(rows):
        return sum(r["members"] for r in rows) / sum(r["employees"] for r in rows)

    def union_rate(rows):
        return sum(r["has_union"] for r in rows) / len(rows)

    assert 0.74 < member_rate(first) < 0.84 and 0.88 < member_rate(last) < 0.96
    assert 0.75 < union_rate(first) < 0.85 and 0.88 < union_rate(last) < 0.97
    migrants = sum(r["migrant_workers"] for r in last) / employees
    assert 0.3 <= migrants <= 0.5
    migrant_rate = sum(r["migrant_members"] for r in last) / sum(r["migrant_workers"] for r in last)
    assert migrant_rate < member_rate(last)
    codes = {r["credit_code"] for r in ent}
    assert len(codes) == len({(r["credit_code"], r["enterprise_name"]) for r in ent})  # a firm keeps its code

    summer = [r for r in world.records["service_activities"] if r["kind"] == "托管服务" and r["period"][1] == 3]
    assert summer and all(100 <= r["participants"] <= 600 for r in summer)
    assert not [r for r in world.records["service_activities"] if r["kind"] == "托管服务" and r["period"][1] in (2, 4)]

    studios = {(r["studio_name"], r["county"]): r for r in world.records["innovation_studios"]}
    levels = Counter(r["level"] for r in studios.values())
    assert 1 <= levels["全国"] <= 8 and 15 <= levels["省级"] <= 45 and 70 <= levels["市级"] <= 160
    assert levels["县级"] > levels["市级"]

    aid = [r for r in world.records["aid_cases"] if r["category"] in ("深度困难", "相对困难", "意外致困")]
    assert len(aid) > 1.5 * len({r["id_number"] for r in aid})  # families are aided several times
    months = Counter(r["date"].month for r in world.records["aid_cases"])
    assert months[1] + months[2] > 3 * (months[4] + months[5])  # 两节 peak


def test_innovative_firms_around_ten_per_county_some_meet_some_miss(world_scale1):
    world, _ = world_scale1
    honours = [r for r in world.records["honors"] if r["honour"] == "全员创新企业"]
    county = Counter((r["county"], r["year"]) for r in honours if r["level"] == "县级")
    assert any(n >= 10 for n in county.values()) and any(n < 10 for n in county.values())
    city = Counter(r["year"] for r in honours if r["level"] == "市级")
    assert set(city) == {2022, 2023, 2024, 2025} and all(4 <= n <= 18 for n in city.values())


def test_targets_cover_every_indicator_city_and_county(world_scale1):
    world, subs = world_scale1
    targets = [r for s in subs if s.dataset == "targets" for r in s.rows]
    assert {r["year"] for r in targets} == set(range(2022, 2027))
    cells = {(r["year"], r["indicator"], r["county"]) for r in targets}
    for y in range(2022, 2027):
        for ind in reference.indicators():
            for county in [None, *world.county_codes]:
                assert (y, ind.code, county) in cells
    fixed = {(t.indicator, t.scope): t.target for t in reference.policy_targets()}
    for r in targets:
        scope = "city" if r["county"] is None else "each_county"
        if (r["indicator"], scope) in fixed:
            assert r["target"] == fixed[(r["indicator"], scope)]
        unit = reference.indicator(r["indicator"]).unit_zh
        assert r["target"] >= 0 and (unit != "%" or r["target"] <= 100)


def test_ingest_loads_nearly_all_rows(small, tmp_path):
    ingest = pytest.importorskip("data_pipeline.ingest")
    duckdb = pytest.importorskip("duckdb")
    out, summary = small
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest.ingest_dir(out, con, hash_key=b"k" * 32)
    status = dict(con.execute("select status, count(*) from load_manifest group by 1").fetchall())
    assert set(status) <= {"loaded", "superseded"}
    loaded, quarantined = con.execute(
        "select sum(rows_loaded), sum(rows_quarantined) from load_manifest where status = 'loaded'"
    ).fetchone()
    assert quarantined <= sum(summary.error_rows.values()) * 2 + 2
    assert loaded >= 0.97 * sum(summary.rows.values())


def test_file_count_does_not_depend_on_scale(world_scale1):
    _, subs = world_scale1
    _, small_subs = demo.simulate(2022, 0.05)
    expected = len(reference.datasets()) - 2  # quarterly forms: all but honours and targets
    per_county = expected * 19 + 4  # 2022Q1–2026Q3, honours in each Q4 of 2022–2025
    assert len(subs) == len(small_subs) == 10 * per_county + 5 + 1  # + 5 targets files + 1 correction

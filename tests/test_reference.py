"""Reference data is consistent: codes unique, aliases unambiguous, catalogue complete."""

from __future__ import annotations

from collections import Counter

from data_pipeline import contracts, reference


def test_thirteen_chains_four_unconfirmed():
    chains = reference.chains()
    assert [c.code for c in chains] == [f"C{i:02d}" for i in range(1, 14)]
    assert sorted(c.code for c in chains if not c.confirmed) == ["C03", "C05", "C06", "C11"]


def test_ten_counties_with_adcodes_for_the_six_administrative_units():
    counties = reference.counties()
    assert len(counties) == 10
    assert sum(1 for c in counties if c.adcode) == 6
    assert len({(c.grid_row, c.grid_col) for c in counties}) == 10  # the map-like grid has no overlaps


def test_every_alias_names_one_unit_only():
    names: Counter[str] = Counter()
    for c in reference.counties():
        names.update({c.code, c.name_zh, *c.aliases})
    for c in reference.chains():
        names.update({c.code, c.name_zh, *c.aliases})
    assert [n for n, k in names.items() if k > 1] == []


def test_catalogue_has_forty_one_indicators_with_valid_kinds_and_sources():
    inds = reference.indicators()
    assert len(inds) == 41  # the policy's 39, plus all training (P2_TRAINEES) and all service sites (P5_SERVICE_SITES)
    assert len({i.code for i in inds}) == 41
    datasets = {d.dataset for d in reference.datasets()}
    for i in inds:
        assert i.kind in {"stock", "flow", "rate", "distinct"}, i.code
        assert i.time_agg in {"latest", "sum", "distinct", "range"}, i.code
        assert i.source in datasets, i.code
        assert i.code.startswith(f"P{i.project}_"), i.code
        assert (i.unit_zh == "%") == (i.kind == "rate"), i.code


def test_each_project_has_two_headline_indicators():
    by_project = Counter(i.project for i in reference.indicators() if i.headline)
    assert by_project == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}


def test_ten_datasets_with_keys_that_are_columns():
    ds = reference.datasets()
    assert len(ds) == 10
    for d in ds:
        names = {c.column for c in d.columns}
        assert set(d.key) <= names, d.dataset
        assert d.period_from in names, d.dataset
        headers = [c.header_zh for c in d.columns]
        assert len(headers) == len(set(headers)), d.dataset


def test_raw_tables_never_store_names_or_clear_id_numbers():
    aid = reference.dataset("aid_cases")
    stored = [name for name, _ in contracts.raw_columns(aid)]
    assert "name" not in stored and "id_number" not in stored
    assert "id_hash" in stored


def test_cross_rules_name_real_columns():
    for rule in contracts.CROSS_RULES:
        cols = {c.column for c in reference.dataset(rule.dataset).columns}
        assert {rule.left, rule.right} <= cols, rule.name


def test_each_rule_is_data_the_marts_understand(tiny_warehouse):
    """Every catalogue rule names a measure its source has, filter values the contract allows, breakdowns that
    exist, an accrual the status function knows, and a query file that exists."""
    import duckdb

    from data_pipeline.config import SQL_DIR

    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        measures = set(con.execute("select distinct source, measure from source_cells").fetchall())
    choices = {d.dataset: {c.column: set(c.choices) for c in d.columns} for d in reference.datasets()}
    kind_column = {"training": "programme", "honors": "honour", "aid_cases": "category"}
    kind_column["innovation_results"] = "category"
    for i in reference.indicators():
        if i.measure == "units":
            assert i.source == "aid_cases", i.code
        else:
            assert (i.source, i.measure) in measures, i.code
            if i.denominator:
                assert (i.source, i.denominator) in measures, i.code
        assert set(i.kinds) <= choices[i.source].get(kind_column.get(i.source, "kind"), set()), i.code
        assert set(i.levels) <= choices[i.source].get("level", set()), i.code
        assert set(i.dims) <= {"county", "chain", "kind", "level", "stars"} and "county" in i.dims, i.code
        assert i.accrual in {"seasonal", "pro_rata", "as_is", "annual"}, i.code
        assert (SQL_DIR / "queries" / f"{i.query or 'agg_cells'}.sql").is_file(), i.code
        assert (i.kind == "rate") == bool(i.denominator) or i.query == "agg_legal_coverage", i.code


def test_disclosure_rules_name_aid_indicators():
    rules = reference.disclosure_rules()
    assert set(rules) == {"P5_HARDSHIP_FAMILIES", "P5_AID_FUNDS", "P5_ILLNESS_AID"}
    assert all(r.min_units == 5 for r in rules.values())
    assert {reference.indicator(c).source for c in rules} == {"aid_cases"}

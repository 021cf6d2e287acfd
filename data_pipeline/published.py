"""What the published warehouse last holds for one unit: the pre-fill of its next template and the warnings' base.

Per-firm data (enterprises) is the unit's last published quarter before the one being reported; the
registries (innovation_studios, service_sites) are their published state (the latest row of each wins).
Rows come back as the contract's canonical columns (county and chain as codes), plain Python values.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from data_pipeline import sqlfiles
from data_pipeline.roster import Quarter, Unit

# dataset → the query under sql/queries/ that reads its last published rows for a unit
QUERIES = {
    "enterprises": "last_published_enterprises",
    "innovation_studios": "last_published_innovation_studios",
    "service_sites": "last_published_service_sites",
}


@dataclass(frozen=True)
class Published:
    """A unit's last published rows of one dataset; `period` labels them ('2024Q3', or 已发布名录 for registries)."""

    dataset: str
    period: str | None
    rows: pd.DataFrame  # canonical columns (period as '2024Q3' for enterprises), object dtype, None for blanks
    unavailable: str | None = None  # why nothing could be read (a warehouse of an older build), in Chinese

    def __len__(self) -> int:
        return len(self.rows)


def has_previous(dataset: str) -> bool:
    """True for the datasets that are pre-filled and compared with the last published rows."""
    return dataset in QUERIES


def last_published(con: duckdb.DuckDBPyConnection, dataset: str, unit: Unit | None, before: Quarter) -> Published:
    """The unit's rows of `dataset` as last published before the quarter `before` (all units when unit is None)."""
    if dataset not in QUERIES:
        return Published(dataset, None, pd.DataFrame())
    sql = sqlfiles.query_sql(QUERIES[dataset])
    params = {
        "county": unit.code if unit is not None and unit.kind == "county" else None,
        "chain": unit.code if unit is not None and unit.kind == "chain" else None,
        "before": before.index,
    }
    try:
        cur = con.execute(sql, sqlfiles.params_for(sql, params))
    except (duckdb.CatalogException, duckdb.BinderException):  # a warehouse of an older build lacks the table
        reason = "数据仓库由旧版本构建，缺少上期数据表，请重新构建数据仓库后再生成"
        return Published(dataset, None, pd.DataFrame(), unavailable=reason)
    names = [d[0] for d in cur.description]
    frame = pd.DataFrame(cur.fetchall(), columns=names, dtype=object)
    period: str | None
    if "year" in frame.columns:
        period = f"{frame['year'].iloc[0]}Q{frame['quarter'].iloc[0]}" if len(frame) else None
        frame.insert(0, "period", period)
        frame = frame.drop(columns=["year", "quarter"])
    else:
        period = "已发布名录" if len(frame) else None
    frame = frame.astype(object).where(frame.notna(), None)
    return Published(dataset, period, frame.reset_index(drop=True))

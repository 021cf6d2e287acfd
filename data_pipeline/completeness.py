"""How complete the published data is per quarter: units received / expected, so a missing county is not a zero.

Expected: the duty roster's cells of the quarter's cycle (roster.owed). Received, per quarter, on one of two bases:
- ledger: the quarter has submissions in the last publication (publish.included). Every roster unit is expected
  (county unions, chain unions, the city union); a cell is received when the last published warehouse holds a
  file of that unit, dataset and period, or the publication included an accepted nil return (本期无数据 /
  无变化: nothing to report is a real zero).
- manifest: no ledger for the quarter (a plain `build --raw` folder, history from before the ledger). Only
  county unions are expected (a file names its county, not the chain union that sent it); a cell is received
  when the warehouse's load_manifest holds a loaded file of that county, dataset and period.
On both bases a registry (innovation studios, service sites: the latest row wins) counts as received when the unit
has any loaded registry file up to that quarter: the registry in force is complete data, whether or not the unit
sent 无变化 (the status matrix is where a missing 无变化 shows).
A file staged by publish sits under `ledger/<unit code>/…`, so its manifest path names the unit that sent it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from data_pipeline import roster
from data_pipeline.reference import dataset
from data_pipeline.roster import Quarter, Unit

LEDGER, MANIFEST = "ledger", "manifest"


@dataclass(frozen=True)
class Received:
    """One thing that counts as received: a unit's file or nil return for a dataset and period."""

    unit: Unit
    dataset: str
    period: str | None  # None: a file without a period (a registry named without its quarter)
    how: str  # file | nil


@dataclass(frozen=True)
class QuarterCompleteness:
    quarter: Quarter
    basis: str  # ledger | manifest
    cells: tuple[tuple[roster.Owed, str | None], ...]  # each owed cell and how it was received (None: missing)

    @property
    def expected(self) -> int:
        return len(self.cells)

    @property
    def received(self) -> int:
        return sum(1 for _, how in self.cells if how)

    @property
    def units(self) -> list[Unit]:
        out: list[Unit] = []
        for o, _ in self.cells:
            if o.unit not in out:
                out.append(o.unit)
        return out

    @property
    def missing(self) -> dict[Unit, list[str]]:
        """Units with missing cells → the dataset titles they miss."""
        out: dict[Unit, list[str]] = defaultdict(list)
        for o, how in self.cells:
            if not how:
                out[o.unit].append(o.dataset_title)
        return dict(out)

    @property
    def complete_units(self) -> int:
        return len(self.units) - len(self.missing)

    @property
    def share(self) -> float | None:
        return self.received / self.expected if self.expected else None

    def by_dataset(self) -> list[tuple[str, int, int, list[Unit]]]:
        """(dataset title, received, expected, units missing) per dataset, roster order."""
        order: list[str] = []
        got: dict[str, list[tuple[Unit, str | None]]] = defaultdict(list)
        for o, how in self.cells:
            if o.dataset_title not in order:
                order.append(o.dataset_title)
            got[o.dataset_title].append((o.unit, how))
        return [(t, sum(1 for _, h in got[t] if h), len(got[t]), [u for u, h in got[t] if not h]) for t in order]


def received_from_manifest(manifest: pd.DataFrame) -> list[Received]:
    """Loaded files of a warehouse's load_manifest (columns dataset, county, period, path) as received cells."""
    out: list[Received] = []
    by_code = {u.code: u for u in roster.units()}
    for rec in manifest.astype(object).where(manifest.notna(), None).to_dict("records"):
        ds = rec.get("dataset")
        if not ds:
            continue
        unit = by_code.get(roster.sender_code(str(rec.get("path") or ""), rec.get("county")) or "")
        if unit is None:
            continue
        period = rec.get("period") or None
        out.append(Received(unit, ds, str(period) if period else None, "file"))
    return out


def received_from_ledger(rows: Iterable) -> list[Received]:
    """Submissions (data_pipeline.submissions.Submission) included in the last publication, as received cells."""
    return [Received(s.unit, s.dataset, s.period, s.kind) for s in rows]


def _before_or_at(period: str | None, quarter: Quarter) -> bool:
    if period is None:
        return True
    if "Q" in period:
        return Quarter.parse(period) <= quarter
    return int(period) <= quarter.year


def for_quarter(
    quarter: Quarter,
    files: Sequence[Received],
    ledger: Sequence[Received] = (),
    *,
    units: Sequence[Unit] | None = None,
) -> QuarterCompleteness:
    """The completeness of one quarter from received files (the manifest's) and the last publication's ledger
    rows; `units` narrows to a user's scope."""
    owed = roster.owed(quarter)
    periods = {o.period for o in owed}
    in_ledger = [r for r in ledger if r.period in periods]
    basis = LEDGER if in_ledger else MANIFEST
    if basis == MANIFEST:
        owed = [o for o in owed if o.unit.kind == "county"]
    if units is not None:
        owed = [o for o in owed if o.unit in units]
    have: dict[tuple[str, str, str], str] = {}
    registries: set[tuple[str, str]] = set()
    for r in [*files, *in_ledger]:
        if r.period is not None:
            key = (r.unit.code, r.dataset, r.period)
            have[key] = have.get(key) or r.how
        if r.how == "file" and dataset(r.dataset).latest_wins and _before_or_at(r.period, quarter):
            registries.add((r.unit.code, r.dataset))
    cells = []
    for o in owed:
        how = have.get((o.unit.code, o.dataset, o.period))
        if how is None and (o.unit.code, o.dataset) in registries:
            how = "file"
        cells.append((o, how))
    return QuarterCompleteness(quarter, basis, tuple(cells))


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q.next()
    return out

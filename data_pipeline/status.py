"""Where a value stands against its year target, judged against what was due by the end of the range.

One function for every card, bar colour, "需要关注" list, takeaway, deck and export. A target is for a whole
year; how it falls due is the catalogue's `accrual`:
- `seasonal` (flows): by the share of a year that earlier years had reached by the same quarters (the mean over
  the last complete years, at least `profile_min_years` of them), else pro rata;
- `pro_rata`: a quarter of the target per quarter;
- `as_is` (stocks and rates): the target as it stands;
- `annual` (honours, counted once a year in Q4): due only when Q4 is in the range; before that "not yet due".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from data_pipeline import reference

AHEAD, ON_TRACK, BEHIND = "ahead", "on_track", "behind"
NO_TARGET, NOT_YET_DUE, NO_DATA = "no_target", "not_yet_due", "no_data"
STATUSES = (AHEAD, ON_TRACK, BEHIND, NO_TARGET, NOT_YET_DUE, NO_DATA)
JUDGED = (AHEAD, ON_TRACK, BEHIND)


@dataclass(frozen=True)
class Judgement:
    """A value's status; `expected` and `gap` (value − expected) are in the indicator's unit (NaN when none)."""

    status: str
    expected: float = math.nan
    gap: float = math.nan
    due_share: float = math.nan  # the share of the year target due over the range (1 for as_is)
    basis: str = ""  # seasonal | pro_rata | as_is | annual: how `expected` was worked out

    @property
    def relative_gap(self) -> float:
        """gap ÷ expected (−0.2 = 20 % short of what was due); NaN when there is nothing to compare."""
        if math.isnan(self.gap) or not self.expected:
            return math.nan
        return self.gap / self.expected


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def seasonal_share(history: Iterable[tuple[float, float]]) -> float | None:
    """The mean share of a year reached over the same quarters in earlier years, from (range value, year value)
    pairs; None when fewer than the configured number of usable years (then the target accrues pro rata)."""
    settings = reference.status_settings()
    shares = [part / whole for part, whole in history if not _missing(part) and not _missing(whole) and whole > 0]
    shares = shares[-int(settings["profile_max_years"]) :]
    if len(shares) < int(settings["profile_min_years"]):
        return None
    return min(1.0, sum(shares) / len(shares))


def due(accrual: str, q_from: int, q_to: int, share: float | None = None) -> tuple[float | None, str]:
    """The share of a year target due over quarters q_from..q_to and how it was worked out; None = not yet due."""
    if accrual == "as_is":
        return 1.0, "as_is"
    if accrual == "annual":
        return (1.0, "annual") if q_from <= 4 <= q_to else (None, "annual")
    if accrual == "seasonal" and share is not None:
        return share, "seasonal"
    return (q_to - q_from + 1) / 4, "pro_rata"


def judge(
    value: float | None,
    target: float | None,
    *,
    accrual: str,
    q_from: int = 1,
    q_to: int = 4,
    share: float | None = None,
    rate: bool = False,
) -> Judgement:
    """The status of `value` against `target` (a year target) for quarters q_from..q_to of that year.

    Rates compare in percentage points (within `tolerance_points` is on track), everything else as a ratio of
    what was due (within `tolerance_ratio`). `share` is the seasonal share when the history gives one."""
    due_share, basis = due(accrual, q_from, q_to, share)
    if due_share is None:  # annual honours before Q4: the figure itself is not in yet, target or not
        return Judgement(NOT_YET_DUE, basis=basis)
    if _missing(target) or (not rate and target <= 0):
        return Judgement(NO_TARGET)
    expected = float(target) * due_share
    if _missing(value):
        return Judgement(NO_DATA, expected=expected, due_share=due_share, basis=basis)
    gap = float(value) - expected
    settings = reference.status_settings()
    if rate:
        band = settings["tolerance_points"]
        status = AHEAD if gap >= band else BEHIND if gap < -band else ON_TRACK
    else:
        band = settings["tolerance_ratio"] * expected
        status = AHEAD if gap >= band else BEHIND if gap < -band else ON_TRACK
    return Judgement(status, expected=expected, gap=gap, due_share=due_share, basis=basis)

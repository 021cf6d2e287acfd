"""What a signed-in user may see. The query layer narrows every question to it before any filter applies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The part of the data a user may see.

    `counties` / `chains`: None = every one; a tuple = only those (an empty tuple = none at all).
    `city_total`: the whole city's totals may be shown beside the user's own area, for comparison.
    `rank_others`: other units may appear in rankings of indicators that are not aid-derived.
    """

    counties: tuple[str, ...] | None = None
    chains: tuple[str, ...] | None = None
    city_total: bool = True
    rank_others: bool = False

    @property
    def everything(self) -> bool:
        """True when nothing is narrowed (city staff)."""
        return self.counties is None and self.chains is None

    @property
    def nothing(self) -> bool:
        """True when the user may see no data at all (deny by default)."""
        return self.counties == () or self.chains == ()


EVERYTHING = Scope()
NOTHING = Scope(counties=(), chains=(), city_total=False)

"""Small-cell protection for aid-derived figures, as statistical offices do it.

A cell below county level (any cell narrowed to chains: a county × chain cell, a county's 不分产业链 part, or a
chain across the city) whose figure is built from fewer than `min_units` distinct families is suppressed
(primary). Then, so that no hidden cell can be recovered by subtracting shown cells from a shown total, more
cells are suppressed (secondary) until every total that is shown has either no hidden part or at least two:
- each county's parts (its chains and its 不分产业链 part) add up to the county, which is always shown;
- each chain's counties add up to the chain across the city (shown unless itself suppressed);
- the chains' city-wide figures and the 不分产业链 part add up to the city, which is shown.
Secondary cells are the ones with the fewest families. County and city figures are never suppressed.

The pattern is worked out on the whole county × chain table of the range, whatever the filters, so every
question about the same range hides the same cells. Any other aggregate of cells (several counties × a chain,
a county × several chains) is shown only when none of its cells is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Cell = tuple[str, str | None]  # (county, chain); chain None = not specific to a chain
CITY = "*"  # the county of a chain's city-wide figure


@dataclass(frozen=True)
class Pattern:
    """Which county × chain cells and which city-wide chain figures are hidden for one indicator and range."""

    cells: frozenset[Cell]
    chains: frozenset[str | None]  # chains (None = the 不分产业链 part) whose city-wide figure is hidden

    def hides(self, counties: Iterable[str], chains: Iterable[str | None], all_counties: bool) -> bool:
        """Whether an aggregate over these counties × chains must be hidden (chains non-empty = below county)."""
        chains = list(chains)
        if all_counties:
            if len(chains) == 1:
                return chains[0] in self.chains
            return any(ch in self.chains for ch in chains) or any(cell[1] in chains for cell in self.cells)
        return any((county, ch) in self.cells for county in counties for ch in chains)


def _secondary(units: dict, hidden: set, group: list) -> bool:
    """In one group of parts that add up to a shown total: if exactly one part is hidden, hide the smallest other
    one with families in it (a partner of zero would still give the hidden figure away)."""
    inside = [k for k in group if k in units]
    if sum(1 for k in inside if k in hidden) != 1:
        return False
    shown = [k for k in inside if k not in hidden]
    if not shown:
        return False
    hidden.add(min(shown, key=lambda k: (units[k] <= 0, units[k], str(k))))
    return True


def pattern(cell_units: Mapping[Cell, float], chain_units: Mapping[str | None, float], min_units: int) -> Pattern:
    """The suppression pattern from the distinct families behind each cell and each city-wide chain figure.

    Cells absent from `cell_units` have no data (they show nothing and protect nothing)."""
    units: dict = {("cell", c): float(n) for c, n in cell_units.items()}
    units.update({("chain", ch): float(n) for ch, n in chain_units.items()})
    hidden = {k for k, n in units.items() if 0 < n < min_units}
    counties = sorted({c for c, _ in cell_units})
    chains = sorted({ch for _, ch in cell_units} | set(chain_units), key=lambda x: (x is None, x or ""))
    changed = True
    while changed:
        changed = False
        for county in counties:  # a county's parts add up to the county (always shown)
            changed |= _secondary(units, hidden, [("cell", (county, ch)) for ch in chains])
        for ch in chains:  # a chain's counties add up to its city-wide figure, when that is shown
            if ("chain", ch) not in hidden:
                changed |= _secondary(units, hidden, [("cell", (county, ch)) for county in counties])
        changed |= _secondary(units, hidden, [("chain", ch) for ch in chains])  # the chains add up to the city
        # a hidden city-wide chain figure must not be recoverable from its counties either
        for ch in chains:
            if ("chain", ch) in hidden and not any(("cell", (c, ch)) in hidden for c in counties):
                parts = [("cell", (c, ch)) for c in counties if ("cell", (c, ch)) in units]
                if parts:
                    hidden.add(min(parts, key=lambda k: (units[k], str(k))))
                    changed = True
    return Pattern(
        cells=frozenset(k[1] for k in hidden if k[0] == "cell"),
        chains=frozenset(k[1] for k in hidden if k[0] == "chain"),
    )


def protect_parts(units: Mapping[str, float], min_units: int, whole_hidden: bool) -> set[str]:
    """Parts of one shown figure (e.g. aid by category in a county × chain): which to hide, primary and secondary."""
    if whole_hidden:
        return set(units)
    hidden = {k for k, n in units.items() if 0 < n < min_units}
    keyed = {("part", k): n for k, n in units.items()}
    hidden_keys = {("part", k) for k in hidden}
    _secondary(keyed, hidden_keys, list(keyed))
    return {k[1] for k in hidden_keys}

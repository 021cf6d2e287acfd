"""Built chart specs and their figures, kept per (warehouse data version, filters with the user's scope, language,
recipe and its arguments) and shared by every session of the server process.

A warm page run then asks the query layer nothing and builds no Plotly figure (building one is 20–60 ms of
Python: validating every property, applying the template): it looks the spec up and hands the figure to
st.plotly_chart. What is kept is read-only once built; nothing may change a cached spec, frame or figure.
A newly published warehouse has a new data version: the entries of the old one are dropped at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import streamlit as st

from reporting import charts
from reporting.spec import ChartSpec
from ui import data

if TYPE_CHECKING:
    from ui.layout import View

MAX_ENTRIES = 500  # specs (with their figures) per process: ~20 pages × filter sets in use × 2 languages


@dataclass
class Drawn:
    """A built spec and its figures for the screen, one per theme ('light', 'dark'), made on first use."""

    spec: ChartSpec
    _figures: dict[str, go.Figure] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def figure(self, mode: str) -> go.Figure:
        """The figure without its title (the page shows title and subtitle as text, which wraps on a phone)."""
        fig = self._figures.get(mode)
        if fig is None:
            with self._lock:
                fig = self._figures.get(mode)
                if fig is None:
                    fig = charts.without_title(self.spec.figure(mode), copy=False)
                    self._figures[mode] = fig
        return fig


class _Store:
    """A bounded, thread-safe least-recently-used map of one data version's built specs."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.items: OrderedDict[Hashable, Drawn] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, build: Callable[[], ChartSpec]) -> Drawn:
        version = key[0]
        with self.lock:
            if version != self.version:  # a new warehouse was published: nothing of the old one is shown again
                self.items.clear()
                self.version = version
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
                return hit
        drawn = Drawn(build())  # outside the lock: other sessions keep drawing (two may build the same; harmless)
        with self.lock:
            if self.version == version:
                self.items[key] = drawn
                while len(self.items) > MAX_ENTRIES:
                    self.items.popitem(last=False)
        return drawn


@st.cache_resource(show_spinner=False)
def _store() -> _Store:
    return _Store()


def cache_key(view: View, recipe: Callable[..., ChartSpec], args: tuple, kwargs: dict[str, Any]) -> tuple:
    """What a built spec depends on: the data version first, then the filters (the user's scope is part of them),
    the language, the data date, the recipe and every argument it was given (its widget key included)."""
    return (
        data.version(),
        view.filters,
        view.lang,
        view.info.get("data_through"),
        f"{recipe.__module__}.{recipe.__qualname__}",
        args,
        tuple(sorted(kwargs.items())),
    )


def drawn(view: View, recipe: Callable[..., ChartSpec], *args: Hashable, **kwargs: Hashable) -> Drawn:
    """`recipe(view.ctx, *args, **kwargs)` (a reporting.spec recipe), built once per cache key."""
    return _store().get(cache_key(view, recipe, args, kwargs), lambda: recipe(view.ctx, *args, **kwargs))


def clear() -> None:
    """Forget every built spec (tests; a publish does this by itself through the data version)."""
    store = _store()
    with store.lock:
        store.items.clear()
        store.version = None

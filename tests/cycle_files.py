"""Submission files for the cycle's tests: a unit's template from the contracts (pre-filled from a warehouse),
filled in with openpyxl as a clerk would, with an error or a warning where a test wants one; and the cycle's
pages run in AppTest as a signed-in account."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import duckdb
import openpyxl
from streamlit.testing.v1 import AppTest

from data_pipeline import accounts, appstate, templates
from data_pipeline.roster import Quarter, Unit
from ui import auth

ROOT = Path(__file__).resolve().parent.parent
HEADER_ROW = templates.HEADER_ROW + 1  # as the sheet shows it
FIRST_ROW = templates.FIRST_DATA_ROW + 1


def filled(
    dataset: str,
    unit: Unit,
    quarter: Quarter,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    edits: Mapping[tuple[int, str], object] | None = None,
    rows: list[Mapping[str, object]] = (),  # type: ignore[assignment]
    template: bytes | None = None,
) -> bytes:
    """The template (or the `template` bytes given), with `edits` {(sheet row, header): value} and extra `rows`
    ({header: value}) appended below the pre-filled ones."""
    content = template or templates.build_template(dataset, unit=unit, quarter=quarter, con=con).content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    headers = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    for (row, header), value in (edits or {}).items():
        ws.cell(row=row, column=headers[header], value=value)
    last = max((r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value is not None), default=HEADER_ROW)
    for k, values in enumerate(rows, 1):
        for header, value in values.items():
            ws.cell(row=last + k, column=headers[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column_letter(content: bytes, header: str) -> str:
    ws = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return next(c.column_letter for c in ws[HEADER_ROW] if c.value == header)


def page_as(path: str, login: str, state: Path, lang: str = "zh") -> AppTest:
    """An app page (app_pages/<path>) run in AppTest as the account `login` of the app state `state`, signed in."""
    with appstate.connect(state) as con:
        account = appstate.get_account(con, login)
        role = accounts.role_of(con, account)
        scope = accounts.scope_for(con, account)
    at = AppTest.from_file(str(ROOT / "app_pages" / path), default_timeout=60)
    if lang == "en":
        at.query_params["lang"] = "en"
    at.session_state[auth.SESSION_KEY] = auth.Gate(auth.Identity(role, scope, "password", account, "t"))
    return at.run()


def workbook(db: Path, unit: Unit, quarter: Quarter, edits: Mapping | None = None) -> bytes:
    """The unit's enterprises template for `quarter`, pre-filled from the warehouse `db`, with `edits`."""
    with duckdb.connect(str(db), read_only=True) as con:
        return filled("enterprises", unit, quarter, con, edits=edits)

"""简报导出: a PPTX deck, a Word report, a ZIP of chart PNGs and a workbook of their data, for the filters in force."""

from functools import partial

import pandas as pd
import streamlit as st

import ui
from reporting import deck, export
from ui import auth
from ui.data import version
from ui.filters import names, tr

PPTX, DOCX, XLSX, ZIP = (export.MIME_TYPES[k] for k in ("pptx", "docx", "xlsx", "zip"))


def request_build() -> None:
    st.session_state["brief_requested"] = True


if not auth.allowed("deck"):  # the page is registered only for roles that may build decks; a direct run stops here
    st.info(tr("brief_not_allowed"), icon=":material/block:")
    st.stop()
view = ui.header(tr("page_briefing"), caption=tr("brief_caption"))
st.markdown(f"**{tr('brief_scope_label')}** {view.scope()}")

choices = deck.section_choices(view.lang)
picked = st.pills(
    tr("brief_sections"),
    list(choices),
    format_func=choices.get,
    selection_mode="multi",
    default=list(choices),
    key="brief_sections",
)
left, right = st.columns(2)
county = left.selectbox(
    tr("brief_county"),
    [None, *names("county", view.lang)],
    format_func=lambda c: names("county", view.lang).get(c, tr("brief_none")),
    key="brief_county",
)
chain = right.selectbox(
    tr("brief_chain"),
    [None, *names("chain", view.lang)],
    format_func=lambda c: names("chain", view.lang).get(c, tr("brief_none")),
    key="brief_chain",
)
sections = [*picked, *([f"county:{county}"] if county else []), *([f"chain:{chain}"] if chain else [])]
if not sections:
    st.info(tr("brief_pick_one"))
    st.stop()

spec = deck.build_spec(ui.ask, view.filters, sections, lang=view.lang)
outline = pd.DataFrame(
    [
        {tr("brief_col_section"): s.title, tr("brief_col_chart"): c.title, tr("brief_col_takeaway"): c.takeaway}
        for s, c in spec.shown
    ]
)
st.caption(tr("brief_pages", total=spec.slide_count, charts=len(spec.shown)))
if spec.skipped:
    st.caption(tr("brief_pages_skipped", n=len(spec.skipped)))
st.dataframe(outline, hide_index=True, width="stretch")

has_browser = export.chrome_path() is not None
if not has_browser:
    st.caption(tr("brief_no_chrome"))

signature = (view.filters, tuple(sections), view.lang, version())
# The click only raises a flag (a callback, so it survives any rerun before this line); the build runs below.
st.button(tr("brief_build"), type="primary", icon=":material/slideshow:", key="brief_build", on_click=request_build)
if st.session_state.pop("brief_requested", False):
    with st.status(tr("brief_building"), expanded=False) as status:
        briefing = deck.render_deck(spec, with_docx=True, progress=lambda message: status.update(label=message))
        status.update(label=tr("brief_built"), state="complete")
    st.session_state["briefing"] = (signature, briefing)
    auth.record("deck", sections=list(sections))

stored = st.session_state.get("briefing")
if stored and stored[0] == signature:
    briefing = stored[1]
    if briefing.warning:
        st.warning(briefing.warning, icon=":material/warning:")
    stem = export.safe_filename(f"{tr('brief_file')}_{view.scope()}")
    with st.container(horizontal=True):
        st.download_button(
            tr("brief_pptx"),
            auth.logged(briefing.pptx, file=f"{stem}.pptx"),
            f"{stem}.pptx",
            PPTX,
            on_click="ignore",
            icon=":material/download:",
            type="primary",
        )
        st.download_button(
            tr("brief_docx"),
            auth.logged(briefing.docx, file=f"{stem}.docx"),
            f"{stem}.docx",
            DOCX,
            on_click="ignore",
            icon=":material/description:",
            type="primary",
        )
        st.download_button(
            tr("brief_zip"),
            auth.logged(partial(deck.charts_zip, spec), file=f"{stem}.zip") if has_browser else b"",
            f"{stem}_{tr('brief_file_charts')}.zip",
            ZIP,
            on_click="ignore",
            icon=":material/photo_library:",
            disabled=not has_browser,
            help=None if has_browser else tr("no_chrome"),
        )
        st.download_button(
            tr("brief_xlsx"),
            auth.logged(briefing.xlsx, file=f"{stem}.xlsx"),
            f"{stem}_{tr('brief_file_data')}.xlsx",
            XLSX,
            on_click="ignore",
            icon=":material/grid_on:",
        )

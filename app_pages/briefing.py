"""简报导出: a PPTX deck, a Word report, a ZIP of chart PNGs and a workbook of their data, for the sidebar filters."""

from functools import partial

import pandas as pd
import streamlit as st

import ui
from reporting import deck, export
from ui import auth
from ui.data import version
from ui.filters import names

PPTX, DOCX, XLSX, ZIP = (export.MIME_TYPES[k] for k in ("pptx", "docx", "xlsx", "zip"))


def request_build() -> None:
    st.session_state["brief_requested"] = True


if not auth.allowed("deck"):  # the page is registered only for roles that may build decks; a direct run stops here
    st.info("您的角色不能生成简报。", icon=":material/block:")
    st.stop()
view = ui.header(
    ui.tr("page_briefing"),
    caption="为汇报会生成演示文稿、Word 简报、图表图片和数据工作簿；范围取左侧边栏的年度、季度、县市区和产业链。",
)
st.markdown(f"**范围：** {view.scope()}")

choices = deck.section_choices()
picked = st.pills(
    "章节", list(choices), format_func=choices.get, selection_mode="multi", default=list(choices), key="brief_sections"
)
left, right = st.columns(2)
county = left.selectbox(
    "另加县市区专页",
    [None, *names("county", "zh")],
    format_func=lambda c: names("county", "zh").get(c, "不加"),
    key="brief_county",
)
chain = right.selectbox(
    "另加产业链专页",
    [None, *names("chain", "zh")],
    format_func=lambda c: names("chain", "zh").get(c, "不加"),
    key="brief_chain",
)
sections = [*picked, *([f"county:{county}"] if county else []), *([f"chain:{chain}"] if chain else [])]
if not sections:
    st.info("请至少选择一个章节。")
    st.stop()

spec = deck.build_spec(ui.ask, view.filters, sections, lang=ui.lang())
outline = pd.DataFrame([{"章节": s.title, "图表": c.title, "一句话结论": c.takeaway} for s, c in spec.shown])
skipped = f"；{len(spec.skipped)} 张图表在所选范围内没有数据，列在数据来源页" if spec.skipped else ""
st.caption(f"共 {spec.slide_count} 页：封面、重点指标、{len(spec.shown)} 张图表各一页、数据来源{skipped}。")
st.dataframe(outline, hide_index=True, width="stretch")

has_browser = export.chrome_path() is not None
if not has_browser:
    st.caption(export.NO_CHROME_ZH + " 演示文稿和 Word 简报使用可编辑的原生图表，不受影响。")

signature = (view.filters, tuple(sections), ui.lang(), version())
# The click only raises a flag (a callback, so it survives any rerun before this line); the build runs below.
st.button("生成简报", type="primary", icon=":material/slideshow:", key="brief_build", on_click=request_build)
if st.session_state.pop("brief_requested", False):
    with st.status("正在生成简报…", expanded=False) as status:
        briefing = deck.render_deck(spec, with_docx=True, progress=lambda message: status.update(label=message))
        status.update(label="简报已生成", state="complete")
    st.session_state["briefing"] = (signature, briefing)
    auth.record("deck", sections=list(sections))

stored = st.session_state.get("briefing")
if stored and stored[0] == signature:
    briefing = stored[1]
    if briefing.warning:
        st.warning(briefing.warning, icon=":material/warning:")
    stem = export.safe_filename(f"五大工程简报_{view.scope()}")
    with st.container(horizontal=True):
        st.download_button(
            "演示文稿 PPTX",
            auth.logged(briefing.pptx, file=f"{stem}.pptx"),
            f"{stem}.pptx",
            PPTX,
            on_click="ignore",
            icon=":material/download:",
            type="primary",
        )
        st.download_button(
            "Word 简报 DOCX",
            briefing.docx,
            f"{stem}.docx",
            DOCX,
            on_click="ignore",
            icon=":material/description:",
            type="primary",
        )
        st.download_button(
            "图表 PNG（ZIP）",
            auth.logged(partial(deck.charts_zip, spec), file=f"{stem}_图表.zip") if has_browser else b"",
            f"{stem}_图表.zip",
            ZIP,
            on_click="ignore",
            icon=":material/photo_library:",
            disabled=not has_browser,
            help=None if has_browser else export.NO_CHROME_ZH,
        )
        st.download_button(
            "数据工作簿 XLSX",
            auth.logged(briefing.xlsx, file=f"{stem}_数据.xlsx"),
            f"{stem}_数据.xlsx",
            XLSX,
            on_click="ignore",
            icon=":material/grid_on:",
        )

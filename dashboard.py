"""Entry point: page config, every page registered explicitly (Chinese titles, ASCII paths), shared filters."""

import streamlit as st

import ui
from data_pipeline import reference
from reporting.i18n import t
from ui import auth, cycle

lang = ui.lang()  # read from the link before anything is drawn, so the navigation is in that language at once
st.set_page_config(page_title=t("app_title", lang), page_icon=":material/insights:", layout="wide")

auth.identify()  # who is looking (signed-in account, SSO, or the open local user); no page runs for nobody
PROJECT_ICONS = {
    "ideology": ":material/flag:",
    "skills": ":material/school:",
    "merit": ":material/emoji_events:",
    "innovation": ":material/lightbulb:",
    "service": ":material/volunteer_activism:",
}


def page(path: str, key: str, url_path: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(path, title=t(key, lang), url_path=url_path, icon=icon, default=default)


navigation = st.navigation(
    {
        t("nav_overview", lang): [
            page("app_pages/overview.py", "page_overview", "overview", ":material/dashboard:", default=True),
        ],
        t("nav_projects", lang): [
            st.Page(
                f"app_pages/{p.slug}.py",
                title=p.short_zh if lang == "zh" else p.short_en,
                url_path=p.slug,
                icon=PROJECT_ICONS[p.slug],
            )
            for p in reference.projects()
        ],
        t("nav_analysis", lang): [
            page("app_pages/chains.py", "page_chains", "chains", ":material/account_tree:"),
            page("app_pages/counties.py", "page_counties", "counties", ":material/map:"),
        ],
        t("nav_data", lang): [
            page("app_pages/data.py", "page_data", "data", ":material/dataset:"),
            *(
                [page("app_pages/briefing.py", "page_briefing", "briefing", ":material/slideshow:")]
                if auth.allowed("deck")
                else []
            ),
        ],
        **cycle.pages(),  # 数据报送 (roles that submit, admins), 报送审核与发布 (admins)
        **auth.admin_pages(),
    },
    position=auth.nav_position(),
)
auth.gate(navigation)  # the sign-in form (and stop) unless someone may see data; the user box otherwise

filters = ui.sidebar_filters()
if filters is not None:
    auth.scope_notice(filters)
    ui.share_box(filters)
ui.run_page(navigation)

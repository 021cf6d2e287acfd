"""职工素质提升工程: every indicator of project 2 with its rankings, trend and breakdowns."""

import ui

ui.project_page("skills")

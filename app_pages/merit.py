"""职工立足岗位建功立业工程: every indicator of project 3 with its rankings, trend and breakdowns."""

import ui

ui.project_page("merit")

"""职工思想政治引领工程: every indicator of project 1 with its rankings, trend and breakdowns."""

import ui

ui.project_page("ideology")

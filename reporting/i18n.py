"""Every user-facing string, Chinese first, English second; `t(key, lang, **values)` picks and fills one."""

from __future__ import annotations

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("泰安市总工会“五大工程”数据看板", "Tai'an Trade Unions “Five Projects” dashboard"),
    "app_short": ("五大工程数据看板", "Five Projects dashboard"),
    "overview_caption": (
        "泰安市总工会 · 实施“五大工程”助推新型工业化强市建设",
        "Tai'an Federation of Trade Unions · the Five Projects",
    ),
    "nav_overview": ("总览", "Overview"),
    "nav_analysis": ("专题分析", "Analysis"),
    "nav_projects": ("五大工程", "Five projects"),
    "nav_data": ("数据与导出", "Data and export"),
    "page_overview": ("总览", "Overview"),
    "page_chains": ("产业链画像", "Chain profile"),
    "page_counties": ("县市区对比", "Counties compared"),
    "page_data": ("数据说明", "About the data"),
    "page_briefing": ("简报导出", "Briefing export"),
    "open_badge": ("未启用登录", "Sign-in not enabled"),
    "open_help": (
        "看板尚未开通任何账号，按本机单人使用方式运行：能访问本端口的人都能看到全部数据。"
        "用 python -m data_pipeline users add 新增第一个管理员后，每个页面都需要登录。",
        "No account exists yet, so the dashboard runs for one local user: anyone who reaches this port sees "
        "everything. Once the first admin is added (python -m data_pipeline users add), every page needs sign-in.",
    ),
    # scope and downloads
    "outside_scope": (
        "链接中的县市区或产业链超出您的数据权限，仅显示您有权查看的范围。",
        "The link asks for counties or chains outside your access; only what you may see is shown.",
    ),
    "not_by_dim": ("{name}不按{dim}统计，因此没有这一排名。", "{name} is not collected by {dim}: no ranking."),
    "download": ("下载", "Download"),
    "download_png": ("图片 PNG（高清，适合幻灯片）", "Image PNG (slide-sized)"),
    "download_svg": ("矢量图 SVG", "Vector SVG"),
    "download_csv": ("数据 CSV（Excel 可直接打开）", "Data CSV (opens in Excel)"),
    "download_xlsx": ("数据 XLSX", "Data XLSX"),
    "sheet_data": ("数据", "Data"),
    "no_chrome": (
        "服务器上未找到 Chrome 或 Chromium 浏览器，暂时无法导出图片；数据下载（CSV/XLSX）不受影响。"
        "安装：sudo apt-get install chromium fonts-noto-cjk",
        "No Chrome or Chromium on the server, so images cannot be exported; data downloads still work. "
        "Install: sudo apt-get install chromium fonts-noto-cjk",
    ),
    "data_through_label": ("数据截至", "Data through"),
    "label_value": ("**{label}**：{value}", "**{label}:** {value}"),
    "label_plain": ("{label}：{value}", "{label}: {value}"),
    # filters
    "filters": ("筛选条件", "Filters"),
    "year": ("年度", "Year"),
    "quarter": ("季度范围", "Quarters"),
    "county": ("县市区", "Counties"),
    "chain": ("产业链", "Industry chains"),
    "all_counties": ("全部县市区", "All counties"),
    "all_chains": ("全部产业链", "All chains"),
    "placeholder_county": ("全部县市区（可多选）", "All counties (choose any)"),
    "placeholder_chain": ("全部产业链（可多选）", "All chains (choose any)"),
    "whole_city": ("全市", "Whole city"),
    "language": ("语言", "Language"),
    "copy_link": ("复制链接", "Copy link"),
    "open_link": ("在新标签页打开此视图", "Open this view in a new tab"),
    "link_problem": (
        "链接中有无法识别的参数（{items}），已按默认值显示。",
        "Some link parameters were not understood ({items}); the defaults are shown instead.",
    ),
    "copy_link_help": ("复制下面的地址，发给同事即可打开同样的视图", "Copy this address to share the same view"),
    "clear_filters": ("清除县市区和产业链筛选", "Clear county and chain filters"),
    "clear_selection": ("清除图上选择：{what}", "Clear chart selection: {what}"),
    "clear_click": ("清除图上选择", "Clear the chart selection"),
    "selected": ("已按图上点击筛选：{what}", "Filtered by your click: {what}"),
    "click_county": ("点击图中的县市区，即可把各页筛选到该县市区。", "Click a county to filter every page to it."),
    "click_chain": ("点击图中的产业链，即可把各页筛选到该产业链。", "Click a chain to filter every page to it."),
    "click_county_chain": (
        "点击格子，即可把各页筛选到该县市区和产业链。",
        "Click a cell to filter every page to that county and chain.",
    ),
    # status
    "demo_badge": ("模拟数据", "Demo data"),
    "demo_help": (
        "当前加载的是演示用模拟数据，数字不代表真实情况",
        "The demo data set is loaded; the numbers are not real",
    ),
    "data_through": ("数据截至{when}", "Data through {when}"),
    "loaded_at": ("最近更新：{when}", "Last loaded: {when}"),
    "stale": (
        "数据已超过{days}天未更新，请督促各单位按季度报送",
        "Data has not been updated for {days} days",
    ),
    "no_warehouse": (
        "还没有数据仓库文件（{path}）。请先在项目目录运行以下命令生成（演示数据）或导入报送文件：",
        "No warehouse file yet ({path}). Build one first, from the project folder:",
    ),
    "page_error": (
        "抱歉，本页面暂时无法显示。请稍后刷新，或调整筛选条件后重试；如仍有问题请联系管理员。",
        "Sorry, this page cannot be shown right now. Refresh or change the filters; contact the administrator if it persists.",
    ),
    "chart_error": ("该图表暂时无法显示。", "This chart cannot be shown right now."),
    "empty": (
        "所选条件下没有数据（{scope}）。请放宽年度、季度、县市区或产业链筛选。",
        "No data for this selection ({scope}). Widen the year, quarter, county or chain filters.",
    ),
    "no_periods": ("数据仓库中还没有任何季度的数据。", "The warehouse holds no quarter yet."),
    # KPI cards
    "change_note": (
        "箭头：单季度与上季度相比，多个季度与上年同期相比（当年只比到已有数据的季度）；标签：与到本期应完成进度相比"
        "（红色为落后）；悬停指标名称旁的 ? 查看口径。",
        "Arrows: one quarter against the quarter before, a longer range against the same quarters last year "
        "(a year in progress only up to the latest quarter with data); badges: against what was due by now "
        "(red: behind); hover the ? beside a name for its definition.",
    ),
    "target_progress": ("完成 {pct} · 目标 {target}", "{pct} of target {target}"),
    "no_target": ("未设年度目标", "No target set"),
    "target_pending": ("年度目标 {target} · 本期尚无数据", "Target {target} · no data yet"),
    "target_pending_honours": (
        "年度表彰于第四季度计入 · 目标 {target} · 上年 {last}",
        "Honours count in Q4 · target {target} · last year {last}",
    ),
    "due_and_target": ("应完成 {expected} · 年度目标 {target}", "Due by now {expected} · year target {target}"),
    "definition": ("指标说明", "Definition"),
    "formula": ("口径", "Definition"),
    "unit": ("单位", "Unit"),
    "aggregation": ("汇总方式", "Aggregation"),
    "agg_latest": ("取所选期末季度，跨地区求和", "Latest quarter of the range, summed over places"),
    "agg_sum": ("所选季度累计，跨地区求和", "Summed over quarters and places"),
    "agg_distinct": ("所选范围内去重计数", "Counted once over the selected range"),
    "agg_range": ("按所选范围整体计算", "Computed over the whole range"),
    "agg_rate": ("分子分母分别汇总后相除", "Summed numerator ÷ summed denominator"),
    # chart titles and parts
    "target": ("目标", "Target"),
    "year_target": ("年度目标", "Year target"),
    "year_target_of": ("{year}年年度目标", "{year} target"),
    "expected": ("应完成", "Due by now"),
    "status": ("进度", "Status"),
    "progress_due": ("完成值占应完成值", "Value as % of what was due"),
    "last_year_actual": ("上年全年", "Last year"),
    "quarter_col": ("季度", "Quarter"),
    "col_firm": ("企业名称", "Firm"),
    "col_employees": ("职工人数", "Employees"),
    "col_members": ("会员人数", "Members"),
    "heatmap_blank": ("无数据", "no data"),
    "heatmap_blank_note": (
        "空白格：该县市区×产业链没有报送数据（不是0）；“<5”：不足5户，按隐私规则不显示。",
        "Blank cell: nothing was submitted for that county × chain (not zero); “<5”: hidden to protect families.",
    ),
    "suppressed_note": (
        "“<5”：县市区以下的格子由不足{n}户构成，或可由其他格子推算出这类格子，为保护困难职工隐私不显示。",
        "“<5”: below county level, built from fewer than {n} families or revealing such a cell by subtraction; "
        "hidden to protect the families.",
    ),
    "progress_note": (
        "100% = 按年度目标到本期应完成的进度（流量指标按往年季度规律或季度平均折算，存量和比率按年度目标）。",
        "100% = what the year target requires by now (flows by earlier years' seasonal pattern or pro rata; "
        "levels and rates against the year target).",
    ),
    "honours_pending_short": (
        "年度表彰于第四季度计入，所选季度尚未到考核期。",
        "annual honours count in Q4; not yet due in the selected quarters.",
    ),
    "all_zero": ("所选范围内各项均为0（{scope}）。", "every value is zero ({scope})."),
    "honours_pending_note": (
        "年度表彰于第四季度计入，所选季度尚未到考核期，括号内为上年全年数。",
        "Annual honours count in Q4: not yet due in the selected quarters (last year's figure for reference).",
    ),
    "actual": ("实际", "Actual"),
    "progress": ("目标完成率", "Target completion"),
    "value": ("数值", "Value"),
    "city": ("全市", "City"),
    "selected_scope": ("所选范围", "Selection"),
    "no_data_chart": ("无数据", "No data"),
    "by_chain": ("{name}：按产业链排名", "{name}: by industry chain"),
    "by_county": ("{name}：按县市区排名", "{name}: by county"),
    "trend_title": ("{name}：季度走势", "{name}: quarterly trend"),
    "heatmap_title": ("{name}：产业链 × 县市区", "{name}: chain × county"),
    "breakdown_title": ("{name}：按{dim}分布", "{name}: by {dim}"),
    "projects_progress_title": (
        "五大工程重点指标年度目标完成情况",
        "Five projects: headline indicators against targets",
    ),
    "grid_title": ("{name}：县市区分布图", "{name}: county map"),
    "innovative_title": (
        "全员创新企业：实际命名数与政策目标（每年10家）",
        "All-staff innovation firms: named vs policy target (10 a year)",
    ),
    "coverage_title": ("{chain}：企业入会率分布", "{chain}: firms by membership rate"),
    "coverage_axis": ("企业入会率（%）", "Firm membership rate (%)"),
    "firms": ("企业数（家）", "Firms"),
    "compare_title": ("{chain}与全市对比：比率类指标", "{chain} vs the city: rates"),
    "unit_suffix": ("单位：{unit}", "Unit: {unit}"),
    "dim_level": ("级别", "level"),
    "dim_stars": ("星级", "stars"),
    "dim_kind": ("类别", "kind"),
    "dim_kind_training": ("项目", "programme"),
    "dim_kind_aid_cases": ("救助类别", "category"),
    "dim_kind_innovation_results": ("成果类别", "category"),
    "dim_kind_honors": ("荣誉类别", "honour"),
    "dim_kind_contests": ("竞赛类别", "kind of contest"),
    "dim_kind_service_sites": ("阵地类型", "kind of site"),
    "dim_kind_innovation_studios": ("工作室类型", "kind of studio"),
    "dim_kind_service_activities": ("活动类别", "kind of activity"),
    "sites_by_kind": ("服务阵地：按类型分布（个）", "Service sites by kind"),
    "training_by_programme": ("职工培训参与人数：按项目分布", "Training participants by programme"),
    "contests_by_kind": ("各类竞赛参赛人次：按竞赛类别分布", "Contest participants by kind of contest"),
    # overview
    "kpi_heading": ("五大工程重点指标", "Headline indicators"),
    "heatmap_heading": ("入会率：产业链 × 县市区", "Membership rate: chain × county"),
    "progress_heading": ("年度目标完成情况", "Progress against targets"),
    "trend_heading": ("季度走势", "Quarterly trends"),
    "lagging_heading": ("需要关注", "Needs attention"),
    "lagging_county": (
        "落后于进度最多的县市区：{items}。",
        "Counties furthest behind schedule: {items}.",
    ),
    "lagging_chain": (
        "落后于进度最多的产业链：{items}。",
        "Chains furthest behind schedule: {items}.",
    ),
    "lagging_targets": (
        "落后于应完成进度的重点指标：{items}。",
        "Headline indicators behind what was due by now: {items}.",
    ),
    "short_points": ("低{n}个百分点", "{n} pp short"),
    "short_share": ("少{n}", "{n} short"),
    "pending_honours": (
        "年度表彰类指标（{items}）于第四季度计入，尚未到考核期。",
        "Annual honours ({items}) count in Q4 and are not yet due.",
    ),
    "no_lagging": (
        "设有年度目标的重点指标均达到应完成进度。",
        "Every headline indicator with a target is on schedule.",
    ),
    # project pages
    "all_indicators": ("全部指标", "All indicators"),
    "charts_heading": ("排名与走势", "Rankings and trends"),
    "pick_indicator": ("选择指标", "Indicator"),
    "breakdowns": ("结构分布", "Breakdowns"),
    "policy_target_heading": (
        "政策目标：全员创新企业（市级、各县市区每年各10家）",
        "Policy target: all-staff innovation firms",
    ),
    "rates_heading": ("建会率、入会率与农民工入会率", "Union, membership and migrant membership rates"),
    "aid_heading": ("帮扶救助与服务阵地", "Aid and service sites"),
    # chains page
    "pick_chain": ("选择产业链", "Choose a chain"),
    "chain_profile": ("{chain}：五大工程画像", "{chain}: profile across the five projects"),
    "chain_counties": ("{chain}：各县市区", "{chain}: by county"),
    "chain_vs_city": ("与全市对比", "Compared with the city"),
    "firm_coverage": ("链上企业入会率分布", "Firms' membership rate"),
    "col_indicator": ("指标", "Indicator"),
    "col_county": ("县市区", "County"),
    "col_chain": ("产业链", "Industry chain"),
    "col_city": ("全市", "City"),
    "col_share": ("占全市", "Share of city"),
    "col_unit": ("单位", "Unit"),
    "col_project": ("所属工程", "Project"),
    "col_name": ("名称", "Name"),
    "col_value": ("数值", "Value"),
    "col_target": ("目标", "Target"),
    "col_rank": ("排名", "Rank"),
    "firms_count": ("链上企业 {n} 家，入会率低于 80% 的 {low} 家", "{n} firms; {low} below 80% membership"),
    # counties page
    "pick_county_indicator": ("对比指标", "Indicator to compare"),
    "county_ranking": ("县市区排名", "Ranking"),
    "county_grid": ("县市区分布图", "Map-like grid"),
    "county_profile": ("县市区画像", "County profile"),
    "pick_county": ("选择县市区", "Choose a county"),
    # briefing page
    "brief_caption": (
        "为汇报会生成可编辑的演示文稿、Word 简报、图表图片和数据工作簿；范围取左侧边栏的年度、季度、县市区和产业链。",
        "Editable slides, a Word report, chart images and a data workbook for a briefing, for the year, quarters, "
        "counties and chains chosen in the sidebar.",
    ),
    "brief_scope_label": ("范围：", "Scope:"),
    "brief_sections": ("章节", "Sections"),
    "brief_county": ("另加县市区专页", "Add a county section"),
    "brief_chain": ("另加产业链专页", "Add a chain section"),
    "brief_none": ("不加", "None"),
    "brief_pick_one": ("请至少选择一个章节。", "Choose at least one section."),
    "brief_col_section": ("章节", "Section"),
    "brief_col_chart": ("图表", "Chart"),
    "brief_col_takeaway": ("一句话结论", "Takeaway"),
    "brief_pages": (
        "共 {total} 页：封面、重点指标、{charts} 张图表各一页、数据来源。",
        "{total} slides: cover, headline indicators, one per chart ({charts}), sources.",
    ),
    "brief_no_chrome": (
        "服务器上未找到 Chrome 或 Chromium 浏览器，暂时无法导出图表图片；演示文稿和 Word 简报使用可编辑的原生图表，"
        "不受影响。安装：sudo apt-get install chromium fonts-noto-cjk",
        "No Chrome or Chromium on the server, so chart images cannot be exported; the slides and the Word report use "
        "editable native charts and are not affected. Install: sudo apt-get install chromium fonts-noto-cjk",
    ),
    "brief_build": ("生成简报", "Build the briefing"),
    "brief_building": ("正在生成简报…", "Building the briefing…"),
    "brief_built": ("简报已生成", "Briefing ready"),
    "brief_file": ("五大工程简报", "Five_projects_briefing"),
    "brief_file_charts": ("图表", "charts"),
    "brief_file_data": ("数据", "data"),
    "brief_pptx": ("演示文稿 PPTX", "Slides PPTX"),
    "brief_docx": ("Word 简报 DOCX", "Word report DOCX"),
    "brief_not_allowed": ("您的角色不能生成简报。", "Your role may not build briefings."),
    "brief_pages_skipped": (
        "另有 {n} 张图表在所选范围内没有可说明的内容（无数据、均为0或年度表彰尚未计入），列在数据来源页。",
        "{n} more charts have nothing to say in this range (no data, all zero or annual honours not yet due); "
        "they are listed on the sources slide.",
    ),
    "brief_zip": ("图表 PNG（ZIP）", "Chart images PNG (ZIP)"),
    "brief_xlsx": ("数据工作簿 XLSX", "Data workbook XLSX"),
    # the briefing deck
    "deck_title": ("泰安市总工会“五大工程”工作简报", "Tai'an Federation of Trade Unions: Five Projects briefing"),
    "filters_label": ("筛选：{scope}", "Filters: {scope}"),
    "deck_made_on": ("制作日期：{when}", "Made on {when}"),
    "deck_demo": (
        "本材料使用模拟数据，仅供演示，数字不代表真实情况",
        "Demo data, for demonstration only: the numbers are not real",
    ),
    "deck_kpi_title": ("重点指标完成情况", "Headline indicators against what was due"),
    "deck_kpi_empty": ("所选范围内暂无重点指标数据。", "No headline indicator data in the selected range."),
    "deck_chart_empty": ("所选范围内没有该图表的数据。", "No data for this chart in the selected range."),
    "deck_no_browser": (
        "（服务器未找到浏览器，图表以数据表代替）",
        "(No browser on the server: the chart is shown as a table)",
    ),
    "deck_no_browser_more": (
        "（服务器未找到浏览器，图表以数据表代替；共{more}行，此处列出前{shown}行，完整数据见数据工作簿）",
        "(No browser on the server: the chart is shown as a table; the first {shown} of {more} rows, "
        "all of them in the data workbook)",
    ),
    "deck_sources_title": ("数据来源与说明", "Sources and notes"),
    "deck_source": (
        "数据来源：各县市区总工会按季度报送的统计报表",
        "Source: the county unions' quarterly statistical returns",
    ),
    "deck_source_loaded": (
        "数据来源：各县市区总工会按季度报送的统计报表（已入库文件）",
        "Source: the county unions' quarterly statistical returns (the files loaded)",
    ),
    "deck_files": ("{title}：{n}个报送文件{when}", "{title}: {n} files{when}"),
    "deck_latest": ("，最近导入 {when}", ", last loaded {when}"),
    "deck_built": ("；数据仓库生成于 {when}", "; warehouse built {when}"),
    "deck_quarantined": (
        "未通过校验而隔离的数据行：{n}行（详见看板“数据说明”页）",
        "Rows quarantined by the checks: {n} (see the dashboard's “About the data” page)",
    ),
    "deck_method": (
        "口径：比率按分子、分母分别汇总后计算；存量指标取所选范围最后一个季度；指标定义见看板“数据说明”页",
        "Method: rates are summed numerators ÷ summed denominators; levels are the last quarter of the range; "
        "definitions on the dashboard's “About the data” page",
    ),
    "deck_col_now": ("本期", "This period"),
    "vs_quarter": ("较上季度", "vs previous quarter"),
    "vs_year": ("较上年同期", "vs same period last year"),
    "col_category": ("类别", "Category"),
    "deck_querying": ("正在查询数据…", "Querying the data…"),
    "deck_rendering": ("正在生成 {n} 张图片（一个浏览器会话）…", "Rendering {n} images (one browser session)…"),
    "deck_image_progress": ("图片 {done}/{total}", "Image {done}/{total}"),
    "deck_writing": ("正在写入演示文稿…", "Writing the slides…"),
    "deck_writing_docx": ("正在写入 Word 简报…", "Writing the Word report…"),
    # data page
    "freshness": ("数据新鲜度", "Freshness"),
    "manifest_heading": ("已加载文件清单", "Files loaded"),
    "quarantine_heading": ("隔离的问题行及原因", "Quarantined rows and why"),
    "catalogue_heading": ("指标体系（数据字典）", "Indicator catalogue (data dictionary)"),
    "built_at": ("仓库生成时间", "Warehouse built"),
    "last_loaded": ("最近一次加载文件", "Last file loaded"),
    "files_rejected": ("拒收文件数", "Files rejected"),
    "files_loaded": ("已加载文件数", "Files loaded"),
    "rows_quarantined": ("隔离行数", "Rows quarantined"),
    "no_quarantine": ("没有被隔离的数据行。", "No rows were quarantined."),
    "quarantine_shown": ("显示前 {n} 行", "Showing the first {n} rows"),
    # the submission cycle: its pages and the completeness notes (data page, overview)
    "nav_submissions": ("数据报送", "Submissions"),
    "page_submit": ("数据报送", "Submit data"),
    "page_review": ("报送审核与发布", "Review and publish"),
    "city_union": ("市总工会", "City federation"),
    "list_sep": ("、", ", "),
    "completeness_heading": ("数据完整度", "How complete the data is"),
    "completeness_line": (
        "{quarter}数据完整度：{units} 个应报单位中 {complete} 个已报齐",
        "{quarter}: {complete} of {units} reporting units complete",
    ),
    "completeness_missing": (
        "；未报齐：{who}。缺报单位的数据不在合计中，不能当作零。",
        "; incomplete: {who}. What they have not sent is missing from the totals, not zero.",
    ),
    "completeness_unit_missing": ("{unit}（缺 {n} 项）", "{unit} ({n} missing)"),
    "completeness_more": (" 等 {n} 个单位", " and more ({n} units in all)"),
    "completeness_caption": (
        "应报的单位和数据类型来自报送职责表；“已报”指数据仓库已载入该单位该期的文件，或已接收其“本期无数据”“无变化”。"
        "依据“已加载文件清单”的季度只统计县市区（文件不记录由哪个产业链工会报送）。缺报的数据不在合计中，不是零。",
        "Who owes what comes from the duty roster; received means the warehouse holds that unit's file for the "
        "period, or its nil return was accepted. Quarters judged from the files loaded count counties only (a file "
        "does not say which chain union sent it). Missing data is absent from the totals, not zero.",
    ),
    "completeness_period": ("统计期", "Quarter"),
    "completeness_units": ("已报齐单位", "Units complete"),
    "completeness_cells": ("已报/应报", "Received / owed"),
    "completeness_share": ("完整度", "Complete"),
    "completeness_basis": ("依据", "Judged from"),
    "completeness_basis_ledger": ("报送台账", "Submission ledger"),
    "completeness_basis_manifest": ("已加载文件清单", "Files loaded"),
    "completeness_missing_col": ("未报齐", "Missing"),
    # status against what was due by now (colour key under charts)
    "status_ahead": ("超出进度", "Ahead"),
    "status_on_track": ("符合进度", "On track"),
    "status_behind": ("落后于进度", "Behind"),
    "status_no_target": ("未设目标", "No target"),
    "status_not_yet_due": ("尚未到计入时间", "Not yet due"),
    # briefing files (deck and Word report): every word the writers add around the spec's own text
    "brief_kpi_title": ("重点指标完成情况", "Headline indicators"),
    "brief_q4": ("第四季度计入", "counted in Q4"),
    "brief_behind_indicator": (
        "{name}完成{value}，应完成{due}。",
        "{name}: {value} against {due} due by now.",
    ),
    "brief_no_kpis": ("所选范围内暂无重点指标数据。", "No headline indicator data in this selection."),
    "brief_sources_title": ("数据来源与说明", "Sources and notes"),
    "brief_default_source": (
        "数据来源：各县市区总工会季度报送",
        "Source: the county trade unions' quarterly returns",
    ),
    "brief_footer": ("筛选：{scope} ｜ {date}", "Filters: {scope} | {date}"),
    "brief_demo_tag": (" · 模拟数据", " · demo data"),
    "brief_demo": (
        "本材料使用模拟数据，仅供演示，数字不代表真实情况",
        "This material uses simulated data for demonstration only; the numbers are not real",
    ),
    "brief_made_on": ("制作日期：{when}", "Prepared on {when}"),
    "brief_date": ("{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}"),
    "brief_skipped_no_data": (
        "未生成的图表：{items}（所选范围内没有数据）",
        "Charts not drawn: {items} (no data in the selected range)",
    ),
    "brief_skipped_not_yet_due": (
        "未生成的图表：{items}（年度表彰于第四季度计入，所选季度尚未到考核期）",
        "Charts not drawn: {items} (annual honours count in Q4; not yet due in the selected quarters)",
    ),
    "brief_skipped_all_zero": (
        "未生成的图表：{items}（所选范围内各项均为0）",
        "Charts not drawn: {items} (every value is zero in the selected range)",
    ),
    "brief_list_sep": ("、", "; "),
    "brief_no_browser": (
        "（服务器未找到浏览器，图表以数据表代替）",
        "(No browser on the server: the chart is shown as a table)",
    ),
    "brief_no_browser_more": (
        "（服务器未找到浏览器，图表以数据表代替；共{total}行，此处列出前{shown}行，完整数据见数据工作簿）",
        "(No browser on the server: the chart is shown as a table; {shown} of {total} rows, all in the workbook)",
    ),
    "brief_small_label": ("{name}（<5）", "{name} (<5)"),
    "brief_missing_label": ("{name}（无数据）", "{name} (no data)"),
    "brief_small_note": (
        "“<5”：少于5户，为保护隐私不显示具体数字",
        "“<5”: fewer than five families, not shown to protect privacy",
    ),
    "brief_col_county": ("县市区", "County"),
    "brief_col_chain": ("产业链", "Chain"),
    "brief_col_category": ("类别", "Category"),
    "brief_col_period": ("季度", "Quarter"),
    "brief_col_actual": ("实际", "Actual"),
    "brief_col_progress": ("完成进度", "Progress"),
    "brief_summary": ("总体情况", "Summary"),
    "brief_scope": ("统计范围：{scope}", "Scope: {scope}"),
    "brief_section_kpis": ("重点指标", "Headline figures"),
    "brief_behind": ("进度落后：{items}", "Behind schedule: {items}"),
    "brief_table_caption": ("表{n}　{title}", "Table {n}. {title}"),
    "brief_figure_caption": ("图{n}　{title}", "Figure {n}. {title}"),
    "brief_page": ("第{n}页", "Page {n}"),
    # sign-in (the form drawn in the app and by server.py's routes, and the messages around it)
    "signin_heading": ("请登录", "Please sign in"),
    "signin_account": ("账号", "Account"),
    "signin_password": ("密码", "Password"),
    "signin_submit": ("登录", "Sign in"),
    "signin_sso": ("使用统一身份认证登录", "Sign in with single sign-on"),
    "signin_footer": (
        "账号由市总工会管理员开通。密码连续输错 {n} 次，账号锁定 {minutes} 分钟。",
        "Accounts are opened by the city federation's administrator. After {n} wrong passwords in a row the "
        "account is locked for {minutes} minutes.",
    ),
    "signin_page_title": ("登录 · {title}", "Sign in · {title}"),
    "signin_back": ("返回看板", "Back to the dashboard"),
    "other_language": ("English", "中文"),  # the language link names the other language in its own script
    "sign_out": ("退出登录", "Sign out"),
    "signin_error": (
        "登录服务暂时出错，请稍后再试或联系管理员。",
        "The sign-in service has a problem; try again later or contact the administrator.",
    ),
    "signin_cross_site": ("登录请求来自其他网站，已拒绝。", "A sign-in request from another site was refused."),
    "signout_cross_site": ("退出请求来自其他网站，已拒绝。", "A sign-out request from another site was refused."),
    "signout_invalid": (
        "退出登录的请求无效或已过期，请刷新页面后再试。",
        "The sign-out request is invalid or has expired; refresh the page and try again.",
    ),
    "signout_error": (
        "退出登录时出错，请关闭浏览器以结束登录。",
        "Signing out failed; close the browser to end the session.",
    ),
    "sso_misconfigured": (
        "统一身份认证配置有误，请联系管理员（详见服务器日志）。",
        "Single sign-on is misconfigured; contact the administrator (details in the server log).",
    ),
    "signin_expired": (
        "登录已过期或已退出，请重新登录。",
        "Your session has expired or you signed out; please sign in again.",
    ),
    "sso_incomplete": (
        "统一身份认证信息不完整，请重新登录。",
        "The single sign-on identity is incomplete; please sign in again.",
    ),
    "sso_expired": (
        "统一身份认证登录已超过一个工作日或已退出，请重新登录。",
        "The single sign-on session is more than a working day old or was ended; please sign in again.",
    ),
    "signin_unfinished": ("登录未能完成，请重试。", "Signing in could not be completed; please try again."),
    "signin_again": ("请重新登录。", "Please sign in again."),
    # a refused sign-in (data_pipeline.accounts.SignIn.reason); Chinese shows the sentence accounts wrote
    "refused_wrong": ("账号或密码不正确。", "Wrong account name or password."),
    "refused_locked": (
        "密码连续输错 {n} 次，账号已锁定，请 {minutes} 分钟后再试。",
        "The password was wrong {n} times in a row, so the account is locked: try again in {minutes} minutes.",
    ),
    "refused_unknown_identity": (
        "您的统一身份认证账号{who}尚未开通看板权限，请联系市总工会管理员。",
        "Your single sign-on identity{who} has no access to the dashboard yet; ask the city federation's "
        "administrator.",
    ),
    "refused_disabled": (
        "该账号已停用，请联系市总工会管理员。",
        "This account is disabled; ask the city federation's administrator.",
    ),
    "refused_no_scope": (
        "您的账号尚未分配可查看的数据范围，请联系市总工会管理员。",
        "Your account has no data scope yet; ask the city federation's administrator.",
    ),
    "sso_leave": ("退出统一身份认证，换一个账号登录", "Leave single sign-on and use another account"),
    # who is signed in, and the scope
    "user_scope": ("数据范围：{scope}", "Data scope: {scope}"),
    "scope_none": ("无", "none"),
    "scope_all": ("全市全部数据", "all data of the city"),
    "scope_chains": ("{names}产业链", "{names} (chains)"),
    "scope_city_total": ("（含全市合计）", " (with the city total)"),
    "scope_outside": (
        "此链接或筛选中的{items}超出您的数据范围（{scope}），页面不显示其数据；请清除筛选或联系管理员。",
        "{items}: outside your data scope ({scope}), so the page shows none of their data; clear the filter or "
        "contact the administrator.",
    ),
    "chain_named": ("{name}产业链", "{name} chain"),
    "nav_admin": ("管理", "Administration"),
    "page_accounts": ("账号与权限", "Accounts and permissions"),
    "page_audit": ("审计日志", "Audit log"),
    # messages written in Chinese elsewhere (the data checks, the ledger's rules), shown in English mode as written
    "as_written": ("{text}", "In Chinese, as written: {text}"),
    "checks_said": ("{text}", "The checks' words, in Chinese: {text}"),
    "refused": ("{text}", "Refused. The rule's own words, in Chinese: {text}"),
    # the submission page (数据报送)
    "submit_only": (
        "只有县市区工会、产业链工会的报送账号和管理员可以报送数据。",
        "Only the submitting accounts of county and chain unions, and administrators, can submit data.",
    ),
    "submit_owed": ("{unit} · {quarter}应报数据", "{unit} · data owed for {quarter}"),
    "submit_template_heading": ("下载模板、上传文件", "Download the template, upload files"),
    "submit_template_caption": (
        "先下载模板（县市区、产业链等下拉选项和填写规则都在模板里），填好后上传；可一次上传多个文件。"
        "错误必须修改后重新上传；提示如属实请填写上报说明后提交。本期确无数据的可点“本期无数据”或“无变化”。",
        "Download the template first (the county and chain lists and the filling rules are in it; it is in "
        "Chinese, as the units fill it), fill it in and upload it; several files at once are fine. Errors must be "
        "corrected and the file uploaded again; a warning that is right needs an explanation before submitting. "
        "With truly nothing to report, send “No data this period” or “No change”.",
    ),
    "submit_history_heading": ("报送记录", "Submission history"),
    "submit_no_unit": (
        "您的账号没有所属的县市区或产业链，不能报送；请联系管理员设置。",
        "Your account belongs to no county or chain, so it cannot submit; ask the administrator to set one.",
    ),
    "submit_unit": ("报送单位（管理员可代任一单位报送）", "Submitting unit (an administrator may submit for any)"),
    "cycle_quarter": ("统计期", "Quarter"),
    "cycle_dataset": ("数据类型", "Kind of data"),
    "cycle_year": ("{year}年度", "Year {year}"),
    "submit_returned": (
        "“{title}”（{period}，文件“{file}”）被市总工会退回：{reason}。请修改后重新上传并提交。",
        "“{title}” ({period}, file “{file}”) was returned by the city federation: {reason}. Correct it, upload "
        "it again and submit.",
    ),
    "submit_nothing_owed": ("{unit}在{quarter}没有应报的数据。", "{unit} owes no data for {quarter}."),
    "col_state": ("状态", "Status"),
    "col_deadline": ("截止日期", "Deadline"),
    "col_nil": ("可报无数据", "Nil return allowed"),
    "col_duty": ("说明", "What to report"),
    "template_download": ("下载模板：{file}", "Download the template (Chinese, .xlsx)"),
    "template_prefilled": (
        "模板已预填本单位上期已发布的数据，只需更新数字、增删企业或名录。",
        "The template is pre-filled with the unit's last published data: update the numbers, add or remove "
        "firms or entries.",
    ),
    "nil_send": ("报“{what}”", "Send “{what}”"),
    "nil_sent": ("已报送，等待市总工会审核", "Sent; waiting for the city federation's review"),
    "upload_label": (
        "上传填好的报送文件（可一次选择多个）",
        "Upload the filled-in files (several at once if you like)",
    ),
    "upload_help": (
        "支持 .xlsx、.xls、.csv（UTF-8 或 GBK）和 .parquet。上传后几秒内显示检查结果。",
        "Accepts .xlsx, .xls, .csv (UTF-8 or GBK) and .parquet. The checks' results show within seconds.",
    ),
    "upload_checking": ("正在检查“{file}”……", "Checking “{file}”…"),
    "col_row": ("行", "Row"),
    "col_column": ("列", "Column (as in the file)"),
    "col_problem": ("问题及修改方法", "Problem and fix (the checks' words, in Chinese)"),
    "problems_more": (
        "共 {n} 处，完整清单也在“下载标注了问题的文件”的“问题清单”工作表中。",
        "Problems: {n}; the full list is also on the problem-list sheet of the marked-up file.",
    ),
    "checks_in_chinese": (  # English mode only: why the checks' messages read in Chinese
        "检查结果用中文写成，供填写文件的单位使用；行和列指向出错的单元格。",
        "The checks write their messages in Chinese, for the units that fill in the files; the row and column "
        "point to the cell.",
    ),
    # an upload's summary line in English (Chinese shows the summary the checks stored with the upload)
    "upload_summary_rejected": ("{file}：无法接收（原因见下）", "{file}: cannot be accepted (the reason is below)"),
    "upload_summary_head": ("{file}：{title}，数据 {rows} 行", "{file}: {title}, rows: {rows}"),
    "upload_summary_passed": ("，全部通过", ", every check passed"),
    "upload_summary_errors": (
        "{rows} 行有错误（共 {n} 处），须修改后重新报送",
        "rows with errors: {rows}, errors: {n}; to be corrected and sent again",
    ),
    "upload_summary_warnings": (
        "{n} 处提示，请核对，属实的填写上报说明",
        "warnings to check: {n}; explain the ones that are right",
    ),
    "upload_superseded": ("已被之后上传或报送的文件替代。", "Replaced by a file uploaded or sent later."),
    "upload_errors": (
        "有 {n} 处错误，须修改后重新上传（提交按钮在没有错误后才可用）：",
        "Errors: {n}. Correct them and upload the file again (Submit appears once none are left):",
    ),
    "upload_warnings": (
        "有 {n} 处提示（与本单位上期已发布的数据相比异常）：请逐条核对，属实的写明上报说明，审核人会看到它。",
        "Warnings: {n} (unusual against the unit's last published data). Check each; where the figure is right, "
        "write an explanation, which the reviewer will see.",
    ),
    "download_markup": ("下载标注了问题的文件", "Download the marked-up file"),
    "submit": ("提交", "Submit"),
    "submit_explain_first": (
        "填写全部上报说明后（点击空白处或按 Ctrl+Enter 确认）即可提交。",
        "Fill in every explanation (click elsewhere or press Ctrl+Enter to confirm) to submit.",
    ),
    "submitted_flash": ("已提交，等待市总工会审核", "Submitted; waiting for the city federation's review"),
    "submitted_pending": ("已提交，等待市总工会审核。", "Submitted; waiting for the city federation's review."),
    "explanation_given": ("上报说明：{text}", "Explanation: {text}"),
    "explain_label": ("第{seq}条提示的上报说明", "Explanation for warning {seq}"),
    "explain_placeholder": (
        "例如：该企业本季度扩产新招工 300 人，数据属实",
        "For example: the firm expanded and hired 300 people this quarter; the figure is right",
    ),
    "warnings_group": (
        "第{first}–{last}条：同类提示共 {n} 条（点击查看）",
        "Warnings {first}–{last}: {n} of the same kind (open to see them)",
    ),
    "warnings_more": (
        "另有 {n} 条，见“下载标注了问题的文件”的“问题清单”。",
        "{n} more, on the problem-list sheet of the marked-up file.",
    ),
    "explanation_group_given": ("上报说明（这 {n} 条）：{text}", "Explanation (these {n}): {text}"),
    "explain_group_label": (
        "这 {n} 条同类提示的上报说明（一条说明适用于全部 {n} 条）",
        "Explanation for these {n} warnings of the same kind (one explanation for all {n})",
    ),
    "history_none": ("还没有报送记录。", "Nothing submitted yet."),
    "col_uploaded": ("上传时间", "Uploaded"),
    "col_period": ("统计期", "Period"),
    "col_file": ("文件", "File"),
    "col_errors": ("错误", "Errors"),
    "col_warnings": ("提示", "Warnings"),
    "col_review_note": ("审核意见", "Review note"),
    "col_by": ("经办人", "By"),
    "sent_late": ("（逾期报送）", " (sent late)"),
    "nil_in_brackets": ("（{what}）", "({what})"),
    # the review page (报送审核与发布)
    "review_only": ("只有管理员可以审核和发布报送数据。", "Only administrators can review and publish submissions."),
    "review_quarter": ("报送季度", "Reporting quarter"),
    "review_heading": ("审核", "Review"),
    "publish_heading": ("发布", "Publish"),
    "matrix_counted": ("按“单位 × 数据类型”计数，共 {n} 项；", "Counted by unit × kind of data, {n} in all; "),
    "matrix_late": ("{n} 个单位有逾期未报的数据（表中红色）。", "units with overdue data: {n} (red in the table)."),
    "matrix_none_late": ("没有逾期的单位。", "no unit is overdue."),
    "col_reporting_unit": ("单位", "Unit"),
    "reminders_all_in": ("所有单位都已报送。", "Every unit has reported."),
    "reminders_overdue": ("催报提醒：{n} 个单位已逾期", "Reminders (units overdue: {n})"),
    "reminders_waiting": ("催报提醒：{n} 个单位尚未报齐", "Reminders (units not complete: {n})"),
    "reminders_open": ("{label}（展开后逐个复制）", "{label} (open to copy them one by one)"),
    "reminders_caption": (
        "每个单位一段，可直接复制到企业微信或短信（右上角复制按钮）。",
        "One text per unit, to paste into WeCom or a text message (copy button at the top right).",
    ),
    # a reminder, from data_pipeline.submissions.Reminder (Matrix.reminder writes the same Chinese: a test keeps them equal)
    "reminder_text": (
        "【数据报送提醒】{union}：{quarter}“五大工程”数据{when}。{items}。{how}",
        "[Data reminder] {union}: the Five Projects data for {quarter} {when}. {items}. {how}",
    ),
    "reminder_overdue": ("截止日期为{date}，已逾期{n}天", "were due on {date}, {n} days ago"),
    "reminder_due_in": ("截止日期为{date}（还有{n}天）", "are due on {date}, in {n} days"),
    "reminder_due_today": ("今天截止", "are due today"),
    "reminder_missing": ("尚未报送：{titles}", "Not sent yet: {titles}"),
    "reminder_returned": (
        "“{title}”已退回{reason}，请修改后重新提交",
        "“{title}” was returned{reason}: correct it and submit again",
    ),
    "reminder_reason": ("（{reason}）", " ({reason})"),
    "reminder_errors": (
        "“{title}”上传的文件有错误，请按问题清单修改后重新上传并提交",
        "the file uploaded for “{title}” has errors: correct it as listed and upload it again",
    ),
    "reminder_sep": ("；", "; "),
    "reminder_how": (
        "请登录“五大工程”数据看板，在“数据报送”页下载模板、上传并提交{nil}。如有疑问请联系市总工会。",
        "Please sign in to the Five Projects dashboard, download the template on the Submit data page, upload and "
        "submit it{nil}. Questions: the city federation.",
    ),
    "reminder_nil": (
        "；确无数据的可直接点“本期无数据”或“无变化”",
        "; with nothing to report, send “No data this period” or “No change”",
    ),
    "deadline_default": ("默认：季度结束后第10天", "default"),
    "deadline_changed": ("已调整", "changed"),
    "deadline_past": ("，已过 {n} 天", ", {n} days ago"),
    "deadline_button": ("截止日期 {date}（{how}{past}）", "Due {date} ({how}{past})"),
    "deadline_pick": ("{quarter}的报送截止日期", "Deadline for {quarter} (default: the 10th day after it ends)"),
    "save": ("保存", "Save"),
    "deadline_reset": ("恢复默认", "Back to the default"),
    "deadline_saved": ("已更新{quarter}的截止日期", "Deadline for {quarter} updated"),
    "review_none": ("本季度还没有提交的报送。", "Nothing has been submitted for this quarter yet."),
    "review_counts": (
        "待审 {pending} 份，已退回 {returned} 份，已接收 {accepted} 份。",
        "{pending} waiting, {returned} returned, {accepted} accepted.",
    ),
    "review_open": ("打开一份报送", "Open a submission"),
    "accept_all": ("接收全部待审（{n} 份）", "Accept all waiting ({n})"),
    "accepted_n": ("已接收 {n} 份报送", "Submissions accepted: {n}"),
    "late_mark": ("逾期报送", "sent late"),
    "review_trail": ("上传：{up} {up_at}；提交：{sub} {sub_at}", "Uploaded: {up} {up_at}; submitted: {sub} {sub_at}"),
    "review_trail_reviewed": ("；审核：{by} {at}", "; reviewed: {by} {at}"),
    "return_reason_shown": ("退回原因：{reason}", "Reason for return: {reason}"),
    "col_seq": ("序号", "No."),
    "col_warning": ("提示", "Warning (the checks' words, in Chinese)"),
    "col_explanation": ("上报说明", "Explanation (the unit's words)"),
    "not_filled": ("（未填写）", "(none)"),
    "no_warnings": ("与上期相比没有异常提示。", "Nothing unusual against the last period."),
    "download_original": ("下载原文件", "Download the original file"),
    "download_markup_review": ("下载问题标注文件", "Download the marked-up file"),
    "return_reason_label": (
        "退回原因（退回时必填，报送单位会看到）",
        "Reason for returning it (required to return; the unit will see it)",
    ),
    "accept": ("接收", "Accept"),
    "send_back": ("退回", "Return"),
    "accepted_flash": ("已接收", "Accepted"),
    "returned_flash": ("已退回", "Returned"),
    "flash_done": ("{done}：{what}", "{done}: {what}"),
    "publish_caption": (
        "发布会用已接收的 {accepted} 份报送（其中 {waiting} 份尚未发布）{base}重新构建数据仓库；"
        "构建成功后看板自动切换到新数据，失败则继续使用上一版并在此说明原因。",
        "Publishing rebuilds the warehouse from the {accepted} accepted submissions ({waiting} not yet "
        "published){base}; when the build succeeds the dashboard switches to the new data, when it fails the "
        "previous version stays and the reason shows here.",
    ),
    "publish_base": ("连同原有报送文件夹一起", ", together with the existing folder of files"),
    "publish": ("发布", "Publish"),
    "published_line": (
        "{when} {message}（{who} 发起，用时 {seconds} 秒）",
        "{when} {message} (started by {who}, {seconds} s)",
    ),
    "published_message": (
        "已发布：载入文件 {files} 个、数据 {rows} 行{through}",
        "Published: {files} files and {rows} rows loaded{through}",
    ),
    "published_through": ("，数据截至 {period}", ", data through {period}"),
    "publish_failed": (
        "{when} 发布失败：{message}",
        "{when} Publication failed. The build's words, in Chinese: {message}",
    ),
    "publish_progress": (
        "{status}（已用 {seconds} 秒）：{progress}",
        "{status} ({seconds} s so far). The build's progress, in Chinese: {progress}",
    ),
    "publish_preparing": ("准备中", "preparing"),
    "publish_busy": ("另一次发布正在进行", "Another publication is running"),
    "union_county": ("{name}总工会", "{name} Federation of Trade Unions"),
    "union_chain": ("{name}产业链工会", "{name} chain union"),
    "union_city": ("泰安市总工会", "Tai'an Federation of Trade Unions"),
    # the accounts page (账号与权限)
    "admin_only_accounts": ("只有管理员可以管理账号。", "Only administrators can manage accounts."),
    "accounts_caption": (
        "账号、角色和县市区 / 产业链的变更在该账号下次登录时生效（其已登录的会话随即失效）。",
        "Changes to an account, its role, county or chain apply at its next sign-in (its open sessions end at once).",
    ),
    "accounts_heading": ("账号", "Accounts"),
    "col_login": ("账号", "Account"),
    "col_person": ("姓名", "Name"),
    "col_role": ("角色", "Role"),
    "col_email_sso": ("邮箱（单点登录）", "E-mail (single sign-on)"),
    "col_last_sign_in": ("最近登录", "Last sign-in"),
    "account_disabled": ("停用", "disabled"),
    "account_locked": ("锁定至 {time}", "locked until {time}"),
    "account_ok": ("正常", "active"),
    "new_password": (
        "账号 {login} 的初始密码（只显示这一次）：{password}",
        "The first password of {login} (shown this once only): {password}",
    ),
    "pick_county_account": ("县市区（县市区工会账号）", "County (county union accounts)"),
    "pick_chain_account": ("产业链（产业链工会账号）", "Chain (chain union accounts)"),
    "account_add": ("新增账号", "Add an account"),
    "account_login": ("登录账号名", "Account name for signing in"),
    "account_name": ("姓名或单位名称", "Name of the person or unit"),
    "account_email_new": ("邮箱（用统一身份认证登录时填写）", "E-mail (for single sign-on)"),
    "account_edit": ("修改账号", "Change an account"),
    "account_save": ("保存修改", "Save the changes"),
    "account_reset": ("重置密码", "Reset the password"),
    "account_enable": ("启用账号", "Enable the account"),
    "account_disable": ("停用账号", "Disable the account"),
    "account_own": (
        "不能修改或停用自己正在使用的账号（请另一位管理员操作）。",
        "You cannot change or disable the account you are using (ask another administrator).",
    ),
    "roles_heading": ("角色权限", "Role permissions"),
    "roles_caption": (
        "可见范围：all 全市、county 本县市区、chain 本产业链、none 无（只能看到登录页）。困难帮扶数据：detail 明细、"
        "aggregate 仅汇总、none 不可见。",
        "Sees: all = the whole city, county = its own county, chain = its own chain, none = nothing (the sign-in "
        "page only). Aid data: detail = case rows, aggregate = totals only, none = hidden. Role names are stored "
        "in Chinese.",
    ),
    "col_role_name": ("名称", "Name (stored in Chinese)"),
    "col_sees": ("可见范围", "Sees"),
    "col_aid": ("困难帮扶数据", "Aid data"),
    "col_can_export": ("导出", "Export"),
    "col_can_deck": ("生成简报", "Briefings"),
    "col_can_submit": ("报送", "Submit"),
    "col_can_admin": ("管理", "Administer"),
    "roles_save": ("保存角色权限", "Save the role permissions"),
    "roles_saved": (
        "已保存；可见范围的变更在下次登录时生效。",
        "Saved; changes to what a role sees apply at the next sign-in.",
    ),
    "settings_heading": ("设置", "Settings"),
    "rank_others": (
        "县市区账号可在非困难帮扶指标的排名中看到其他县市区",
        "County accounts see other counties in rankings of indicators not derived from aid",
    ),
    "rank_others_help": (
        "默认关闭：县市区账号只看到本县市区和全市合计。变更在下次登录时生效。",
        "Off by default: county accounts see their own county and the city total. Applies at the next sign-in.",
    ),
    # the audit page (审计日志)
    "admin_only_audit": ("只有管理员可以查看审计日志。", "Only administrators can read the audit log."),
    "audit_caption": (
        "谁在什么时间做了什么：登录、登录失败、退出、导出、生成简报、账号与权限变更。日志不记录密码和身份证号。",
        "Who did what when: sign-ins, failed sign-ins, sign-outs, exports, briefings, changes of accounts and "
        "permissions. The log keeps no password and no ID number.",
    ),
    "audit_all_accounts": ("全部账号", "All accounts"),
    "audit_action": ("操作", "Action"),
    "audit_all_actions": ("全部操作", "All actions"),
    "audit_dates": ("日期", "Dates"),
    "audit_none": ("所选范围内没有日志记录。", "No entries in this range."),
    "col_time": ("时间", "Time"),
    "col_details": ("详情", "Details (as recorded)"),
    "audit_count": ("共 {n} 条（最新在前，最多显示 5000 条）", "Entries: {n} (newest first, up to 5,000 shown)"),
}


# Display names for codes stored in the warehouse (zh, en).
CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "judgement": {
        "ahead": ("超前", "ahead"),
        "on_track": ("进度正常", "on track"),
        "behind": ("落后", "behind"),
        "no_target": ("未设目标", "no target"),
        "not_yet_due": ("未到考核期", "not yet due"),
        "no_data": ("无数据", "no data"),
    },
    "due_basis": {
        "seasonal": ("按往年季度规律", "by earlier years' seasonal pattern"),
        "pro_rata": ("按季度平均", "pro rata by quarter"),
        "as_is": ("按年度目标", "against the year target"),
        "annual": ("年度表彰", "annual honours"),
    },
    # the contracts' enumerations (levels, kinds, programmes, categories, honours, stars) in English
    "category": {
        "国家级": ("国家级", "National"),
        "全国": ("全国", "National"),
        "省级": ("省级", "Provincial"),
        "市级": ("市级", "City"),
        "县级": ("县级", "County"),
        "企业级": ("企业级", "Enterprise"),
        "5星": ("5星", "5 stars"),
        "4星": ("4星", "4 stars"),
        "3星": ("3星", "3 stars"),
        "2星": ("2星", "2 stars"),
        "1星": ("1星", "1 star"),
        "未评星": ("未评星", "Not rated"),
        "求学圆梦": ("求学圆梦", "Academic upgrading"),
        "工匠学院": ("工匠学院", "Craftsman academy"),
        "名师带徒": ("名师带徒", "Master–apprentice"),
        "技能培训": ("技能培训", "Skills training"),
        "安全培训": ("安全培训", "Safety training"),
        "技能竞赛": ("技能竞赛", "Skill contests"),
        "劳动竞赛": ("劳动竞赛", "Labour contests"),
        "数字技能竞赛": ("数字技能竞赛", "Digital skills contests"),
        "安康杯": ("安康杯", "Ankang Cup (safety)"),
        "查保促": ("查保促", "Hazard checks"),
        "劳模创新工作室": ("劳模创新工作室", "Model-worker studios"),
        "工匠人才创新工作室": ("工匠人才创新工作室", "Craftsman studios"),
        "小发明": ("小发明", "Small inventions"),
        "小创造": ("小创造", "Small creations"),
        "小革新": ("小革新", "Small improvements"),
        "小设计": ("小设计", "Small designs"),
        "小建议": ("小建议", "Small suggestions"),
        "泰山工匠": ("泰山工匠", "Mount Tai craftsmen"),
        "泰山最美职工": ("泰山最美职工", "Most admirable workers"),
        "劳动模范": ("劳动模范", "Model workers"),
        "先进集体": ("先进集体", "Advanced collectives"),
        "先进个人": ("先进个人", "Advanced individuals"),
        "竞赛标兵": ("竞赛标兵", "Contest champions"),
        "全员创新企业": ("全员创新企业", "All-staff innovation firms"),
        "思想政治引领示范企业": ("思想政治引领示范企业", "Model firms in ideological guidance"),
        "工会妈妈小屋示范点": ("工会妈妈小屋示范点", "Model mothers' rooms"),
        "数字技能人才": ("数字技能人才", "Digital skills talent"),
        "深度困难": ("深度困难", "Deep hardship"),
        "相对困难": ("相对困难", "Relative hardship"),
        "意外致困": ("意外致困", "Hardship by accident"),
        "大病医疗救助": ("大病医疗救助", "Critical-illness aid"),
        "金秋助学": ("金秋助学", "Autumn study grants"),
        "冬送温暖": ("冬送温暖", "Winter relief"),
        "职工书屋": ("职工书屋", "Worker libraries"),
        "工会妈妈小屋": ("工会妈妈小屋", "Mothers' rooms"),
        "托管驿站": ("托管驿站", "Childcare stations"),
        "三种精神教育基地": ("三种精神教育基地", "“Three spirits” bases"),
        "职工服务中心": ("职工服务中心", "Worker service centres"),
        "户外劳动者驿站": ("户外劳动者驿站", "Outdoor workers' stations"),
        "职工大讲堂": ("职工大讲堂", "Workers' lectures"),
        "疗休养": ("疗休养", "Rest and recuperation"),
        "普法宣传": ("普法宣传", "Legal education"),
        "泰会帮法律服务": ("泰会帮法律服务", "“Taihuibang” legal service"),
        "普惠活动": ("普惠活动", "Member benefits"),
        "托管服务": ("托管服务", "Childcare service"),
        "四季服务": ("四季服务", "Seasonal services"),
    },
    # quarantine rules: the row's own message is a Chinese sentence from the pipeline; English shows the rule
    "rule": {
        "excel_error": ("Excel错误值", "The cell holds an Excel error value (such as #DIV/0!)"),
        "not_number": ("不是数字", "Not a number"),
        "too_large": ("数值过大", "Number too large"),
        "not_integer": ("不是整数", "Not a whole number"),
        "not_positive": ("应大于0", "Must be above zero"),
        "negative": ("不能为负数", "Must not be negative"),
        "stars_range": ("星级超出范围", "Star rating out of range"),
        "year": ("年度无效", "Invalid year"),
        "date": ("日期无效", "Invalid date"),
        "period": ("统计期无效", "Invalid period"),
        "quarter": ("季度无效", "Invalid quarter"),
        "bool": ("应为是或否", "Must be yes or no"),
        "id_in_text": ("文本中含身份证号", "An ID number in a text field"),
        "choice": ("不在可选值中", "Not one of the allowed values"),
        "unknown_county": ("未知县市区", "Unknown county"),
        "unknown_chain": ("未知产业链", "Unknown industry chain"),
        "unknown_indicator": ("未知指标", "Unknown indicator"),
        "credit_code_check": ("统一社会信用代码校验位不正确", "Credit code check digit is wrong"),
        "id_number_check": ("身份证号校验位不正确", "ID number check digit is wrong"),
        "invalid": ("无效值", "Invalid value"),
        "required": ("必填项为空", "Required value is empty"),
        "duplicate_key": ("与前面的行重复，本行未载入", "Duplicate of an earlier row; not loaded"),
        "end_after_start": ("结束日期早于开始日期", "End date before start date"),
        "members_le_employees": ("会员人数大于职工人数", "Members exceed employees"),
        "members_zero_without_union": ("未建会企业有会员", "Members in a firm without a union"),
        "migrant_workers_le_employees": ("农民工人数大于职工人数", "Migrant workers exceed employees"),
        "migrant_members_le_migrant_workers": ("农民工会员数大于农民工人数", "Migrant members exceed migrant workers"),
        "migrant_members_le_members": ("农民工会员数大于会员人数", "Migrant members exceed members"),
        "female_le_employees": ("女职工人数大于职工人数", "Female employees exceed employees"),
        "completed_le_participants": ("结业人数大于参加人数", "Completions exceed participants"),
        "winners_le_participants": ("获奖人数大于参赛人数", "Winners exceed participants"),
    },
    "kind": {
        "stock": ("存量（期末值）", "stock"),
        "flow": ("流量（累计）", "flow"),
        "rate": ("比率", "rate"),
        "distinct": ("去重计数", "distinct count"),
    },
    "time_agg": {
        "latest": ("取期末季度", "latest quarter"),
        "sum": ("季度累计", "summed over quarters"),
        "distinct": ("区间内去重", "distinct over the range"),
        "range": ("按区间整体计算", "over the whole range"),
    },
    "status": {
        "loaded": ("已加载", "loaded"),
        "superseded": ("已被新文件替换", "superseded"),
        "duplicate": ("重复文件", "duplicate"),
        "rejected": ("已拒收", "rejected"),
        "rejected_resubmission": ("未替换原文件（新文件问题过多）", "not used: the resubmission had too many problems"),
    },
    # the submission cycle: a cell of the status matrix (data_pipeline.submissions.CELL_STATES) and its notes
    "cell_state": {
        "未报": ("未报", "Not sent"),
        "待审": ("待审", "Pending"),
        "有错误": ("有错误", "Errors"),
        "已退回": ("已退回", "Returned"),
        "已接收": ("已接收", "Accepted"),
        "逾期": ("逾期", "Overdue"),
    },
    "cell_note": {
        "逾期报送": ("逾期报送", "sent late"),
        "上一版已接收": ("上一版已接收", "earlier version accepted"),
        "逾期": ("逾期", "overdue"),
        "本期无数据": ("本期无数据", "no data this period"),
        "无变化": ("无变化", "no change"),
    },
    "nil_return": {
        "本期无数据": ("本期无数据", "No data this period"),
        "无变化": ("无变化", "No change"),
    },
    "cell_state_help": {
        "未报": ("还没有报送，未到截止日期", "Nothing sent yet; the deadline has not passed"),
        "待审": ("已提交，等待审核", "Submitted, waiting for review"),
        "有错误": ("上传的文件有错误，尚未能提交", "The uploaded file has errors and cannot be submitted yet"),
        "已退回": ("已退回单位修改", "Returned to the unit for correction"),
        "已接收": ("已接收，下次发布时进入数据仓库", "Accepted; enters the warehouse at the next publication"),
        "逾期": ("超过截止日期仍未报送", "Not sent by the deadline"),
    },
    # a ledger row's status (data_pipeline.submissions.STATUS_ZH)
    "ledger_status": {
        "errors": ("有错误", "Has errors"),
        "draft": ("未提交", "Not submitted"),
        "pending": ("已提交待审", "Submitted, waiting for review"),
        "returned": ("已退回", "Returned"),
        "accepted": ("已接收", "Accepted"),
        "superseded": ("已被替代", "Superseded"),
    },
    "publication": {
        "queued": ("排队中", "Queued"),
        "running": ("正在发布", "Publishing"),
        "published": ("已发布", "Published"),
        "failed": ("发布失败", "Failed"),
    },
    "unit_kind": {
        "county": ("县市区工会", "County unions"),
        "chain": ("产业链工会", "Chain unions"),
        "city": ("市总工会", "City federation"),
    },
    # what each kind of unit owes (duty_roster.csv's scope_zh), keyed by the Chinese sentence
    "duty_scope": {
        "本县市区产业链企业，每家企业一行": (
            "本县市区产业链企业，每家企业一行",
            "The county's firms in the industry chains, one row per firm",
        ),
        "本县市区本季度的职工素质提升项目": (
            "本县市区本季度的职工素质提升项目",
            "The county's training and upgrading programmes this quarter",
        ),
        "本县市区本季度的服务活动": ("本县市区本季度的服务活动", "The county's service activities this quarter"),
        "本县市区本季度开展的竞赛": ("本县市区本季度开展的竞赛", "Contests held in the county this quarter"),
        "本县市区本季度认定的五小创新成果": (
            "本县市区本季度认定的五小创新成果",
            "Small innovations recognised in the county this quarter",
        ),
        "本县市区本季度发放的帮扶救助": ("本县市区本季度发放的帮扶救助", "Aid paid out in the county this quarter"),
        "本县市区创新工作室名录（无变化可报“无变化”）": (
            "本县市区创新工作室名录（无变化可报“无变化”）",
            "The county's list of innovation studios (“No change” if nothing changed)",
        ),
        "本县市区服务阵地名录（无变化可报“无变化”）": (
            "本县市区服务阵地名录（无变化可报“无变化”）",
            "The county's list of service sites (“No change” if nothing changed)",
        ),
        "本县市区本年度县级表彰": ("本县市区本年度县级表彰", "County-level honours of the year"),
        "产业链工会本季度自行组织的竞赛": (
            "产业链工会本季度自行组织的竞赛",
            "Contests the chain union organised itself this quarter",
        ),
        "产业链工会本季度自行组织的培训": (
            "产业链工会本季度自行组织的培训",
            "Training the chain union organised itself this quarter",
        ),
        "市总本季度组织的市级竞赛": (
            "市总本季度组织的市级竞赛",
            "City-level contests the city federation organised this quarter",
        ),
        "本年度市级表彰": ("本年度市级表彰", "City-level honours of the year"),
        "下一年度目标": ("下一年度目标", "Targets for the coming year"),
    },
    # the default roles (data_pipeline.appstate.DEFAULT_ROLES); a name an admin changed is shown as stored
    "role": {
        "admin": ("管理员", "Administrator"),
        "leader": ("领导", "Leader"),
        "analyst": ("分析员", "Analyst"),
        "county": ("县市区工会", "County union"),
        "chain": ("产业链工会", "Chain union"),
        "local": ("本机用户", "Local user"),
        "none": ("无角色", "No role"),
    },
    # the audit log's actions (data_pipeline.appstate.AUDIT_ACTIONS_ZH)
    "audit_action": {
        "sign_in": ("登录", "Sign-in"),
        "sign_in_failed": ("登录失败", "Failed sign-in"),
        "sign_in_refused": ("拒绝登录", "Sign-in refused"),
        "sign_out": ("退出登录", "Sign-out"),
        "export": ("导出", "Export"),
        "deck": ("生成简报", "Briefing built"),
        "account_add": ("新增账号", "Account added"),
        "account_change": ("修改账号", "Account changed"),
        "account_disable": ("停用账号", "Account disabled"),
        "account_enable": ("启用账号", "Account enabled"),
        "account_reset": ("重置密码", "Password reset"),
        "role_change": ("修改角色权限", "Role permissions changed"),
        "setting_change": ("修改设置", "Setting changed"),
        "upload": ("上传报送文件", "File uploaded"),
        "submit": ("提交报送", "Submission sent"),
        "nil_return": ("报送无数据/无变化", "Nil return sent"),
        "accept": ("接收报送", "Submission accepted"),
        "return": ("退回报送", "Submission returned"),
        "download_submission": ("下载报送文件", "Submitted file downloaded"),
        "deadline_change": ("修改报送截止日期", "Deadline changed"),
        "publish": ("发布数据", "Publication requested"),
        "publish_done": ("发布完成", "Publication done"),
        "publish_failed": ("发布失败", "Publication failed"),
    },
}


def code_label(group: str, code: object, lang: str = "zh") -> str:
    """The display name of a stored code (kind, time_agg, status); the code itself when unknown."""
    pair = CODE_LABELS.get(group, {}).get(str(code))
    if pair is None:
        return "" if code is None else str(code)
    return pair[1] if lang == "en" else pair[0]


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The string for `key` in `lang` ('zh' or 'en'), with {placeholders} filled from `values`."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def name(row: object, lang: str = "zh", stem: str = "name") -> str:
    """Pick `name_zh` / `name_en` (or another stem) from a mapping-like row."""
    key = f"{stem}_{'en' if lang == 'en' else 'zh'}"
    try:
        return str(row[key])  # type: ignore[index]
    except (KeyError, TypeError):
        return str(row[f"{stem}_zh"])  # type: ignore[index]

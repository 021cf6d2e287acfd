"""One-line takeaways on hand-made frames: the numbers in the sentence are the numbers in the frame."""

from __future__ import annotations

import pandas as pd

from reporting import takeaways


def ranks(values, statuses=None, keys=None) -> pd.DataFrame:
    names = ["新泰市", "肥城市", "东平县", "泰山区", "岱岳区"][: len(values)]
    english = ["Xintai", "Feicheng", "Dongping", "Taishan", "Daiyue"][: len(values)]
    frame = pd.DataFrame(
        {"key": keys or [f"k{i}" for i in range(len(values))], "name_zh": names, "name_en": english, "value": values}
    )
    if statuses is not None:
        frame["status"] = statuses
    return frame


def test_ranking_names_highest_lowest_and_change():
    frame = ranks([87.25, 61.0, 80.5])
    sentence = takeaways.ranking(frame, name="入会率", unit="%", decimals=1, change=1.25, whole="全市")
    assert sentence == "入会率最高的是新泰市（87.2%），最低的是肥城市（61.0%），全市较上季度提高1.2个百分点。"
    english = takeaways.ranking(
        frame, name="Membership rate", unit="%", decimals=1, change=1.25, whole="City", lang="en"
    )
    assert english == (
        "Membership rate: highest Xintai (87.2%); lowest Feicheng (61.0%); City up 1.2 pp on the previous quarter."
    )


def test_ranking_skips_missing_values():
    frame = ranks([None, 40.0, 55.0])
    assert (
        takeaways.ranking(frame, name="入会率", unit="%", decimals=1)
        == "入会率最高的是东平县（55.0%），最低的是肥城市（40.0%）。"
    )


def test_ranking_ties_are_named_together_not_broken_arbitrarily():
    sentence = takeaways.ranking(ranks([5, 0, 0, 0, 0]), name="泰山工匠", unit="人")
    assert sentence == "泰山工匠最高的是新泰市（5人），最低的是肥城市、东平县等4个（0人）。"
    assert takeaways.ranking(ranks([2, 2]), name="泰山工匠", unit="人") == "泰山工匠：新泰市、肥城市均为2人。"
    assert takeaways.ranking(ranks([2]), name="泰山工匠", unit="人") == "泰山工匠：新泰市为2人。"


def test_ranking_reports_status_from_the_query_layer_and_counts_change():
    behind = takeaways.ranking(ranks([90.0, 60.0], ["on_track", "behind"]), name="入会率", unit="%", decimals=1)
    assert "肥城市落后于进度" in behind
    met = takeaways.ranking(ranks([90.0, 60.0], ["ahead", "no_target"]), name="入会率", unit="%", decimals=1)
    assert "1个均达到进度要求" in met
    pending = takeaways.ranking(ranks([0, 0], ["not_yet_due", "not_yet_due"]), name="泰山工匠", unit="人")
    assert "进度" not in pending  # honours not yet due are neither behind nor on schedule
    fewer = takeaways.ranking(ranks([3, 1]), name="泰山工匠", unit="人", change=-2, against="year", whole="全市")
    assert fewer.endswith("全市较上年同期减少2人。")


def test_empty_frames_say_so():
    none = takeaways.NO_DATA["zh"]
    assert takeaways.ranking(ranks([]), name="入会率", unit="%") == none
    assert takeaways.ranking(ranks([None, None]), name="入会率", unit="%") == none
    assert takeaways.trend(pd.DataFrame(columns=["indicator", "period", "value"]), names={}, unit="%") == none
    assert takeaways.breakdown(pd.DataFrame({"category": ["市级"], "value": [0.0]}), name="x", unit="个") == none
    assert takeaways.ranking(ranks([]), name="x", unit="%", lang="en") == "No data in the selected range."


def test_trend_compares_with_last_quarter_and_last_year():
    frame = pd.DataFrame(
        {
            "indicator": ["P5_MEMBER_RATE"] * 5 + ["P5_UNION_RATE"] * 2,
            "period": ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q2", "2026Q3"],
            "value": [70.0, 71.0, 72.0, 76.0, 77.5, 80.0, 80.0],
        }
    )
    sentence = takeaways.trend(
        frame, names={"P5_MEMBER_RATE": "入会率", "P5_UNION_RATE": "建会率"}, unit="%", decimals=1
    )
    assert sentence == (
        "入会率2026年第三季度为77.5%，较上季度提高1.5个百分点，较上年同期提高7.5个百分点；"
        "建会率2026年第三季度为80.0%，与上季度持平。"
    )


def test_breakdown_heatmap_targets_progress():
    parts = pd.DataFrame({"category": ["国家级", "市级", "县级"], "value": [1.0, 5.0, 4.0]})
    assert (
        takeaways.breakdown(parts, name="创新工作室", unit="个") == "创新工作室合计10个，最多的是市级（5个，占50.0%）。"
    )

    cells = pd.DataFrame({"county_zh": ["新泰市", "肥城市"], "chain_zh": ["新能源", "现代食品"], "value": [91.0, 40.0]})
    assert (
        takeaways.heatmap(cells, name="入会率", unit="%")
        == "入会率最高的是新泰市·新能源（91.0%），最低的是肥城市·现代食品（40.0%）。"
    )

    firms = pd.DataFrame(
        {
            "scope": ["city", "xintai", "feicheng", "dongping"],
            "name_zh": ["全市（市级命名）", "新泰市", "肥城市", "东平县"],
            "name_en": ["City", "Xintai", "Feicheng", "Dongping"],
            "actual": [12.0, 10.0, 3.0, None],
            "target": [10.0, 10.0, 10.0, 10.0],
        }
    )
    assert takeaways.target_vs_actual(firms, name="全员创新企业", unit="家") == (
        "全员创新企业全市（市级命名）12家（目标10家），3个县市区中1个完成年度目标，未完成：肥城市、东平县。"
    )
    # before Q4 an annual honour is not yet due: no "0 of 10 met the target"
    pending = firms.assign(status="not_yet_due", reference=[11.0, 9.0, 10.0, 12.0])
    assert takeaways.target_vs_actual(pending, name="全员创新企业", unit="家", last_year=2025) == (
        "全员创新企业为年度表彰，于第四季度计入；2025年全年为11家。"
    )

    kpis = pd.DataFrame(
        {
            "name_zh": ["入会率", "建会率", "泰山工匠", "创新创效金额"],
            "name_en": ["Membership rate", "Union rate", "Craftsmen", "Benefit"],
            "unit_zh": ["%", "%", "人", "万元"],
            "status": ["behind", "ahead", "not_yet_due", "behind"],
            "gap": [-2.4, 3.0, None, -50.0],
            "relative_gap": [-0.027, 0.03, None, -0.25],
        }
    )
    assert takeaways.progress(kpis) == (
        "3项设有年度目标的重点指标中，1项达到或超过应完成进度，2项落后；另有1项年度表彰于第四季度计入。"
        "落后最多的是创新创效金额（比应完成进度少25%）。"
    )
    assert takeaways.status_summary(kpis, "en") == (
        "Of 3 headline indicators with a target: 1 on or ahead of schedule, 2 behind; 1 annual honours count in Q4."
    )


def test_change_phrase_units():
    assert takeaways.change_phrase(0.04, "%") == "与上季度持平"
    assert takeaways.change_phrase(-2.345, "%", against="year") == "较上年同期下降2.3个百分点"
    assert takeaways.change_phrase(-2.345, "%", against="year", lang="en") == "down 2.3 pp on a year earlier"
    assert takeaways.change_phrase(12000, "人") == "较上季度增加1.20万人"
    assert takeaways.change_phrase(None, "人") is None


def test_heatmap_ties_are_named_together():
    cells = pd.DataFrame(
        {
            "county_zh": ["新泰市", "肥城市", "东平县"],
            "chain_zh": ["新能源", "现代食品", "新能源"],
            "value": [100.0, 100.0, 68.1],
        }
    )
    assert takeaways.heatmap(cells, name="入会率", unit="%") == (
        "入会率最高的是新泰市·新能源、肥城市·现代食品（100.0%），最低的是东平县·新能源（68.1%）。"
    )

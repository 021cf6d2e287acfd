"""Synthetic submission files (模拟数据) written the way county unions send them: deterministic for a seed."""

from __future__ import annotations

import csv
import io
import json
import math
import multiprocessing
import os
import time
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np
import xlsxwriter

from data_pipeline import reference

FIRST_YEAR, LAST_YEAR, LAST_QUARTER = 2022, 2026, 3
QUARTER_ZH = "一二三四"
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # ISO 7064 MOD 11-2
ID_CHECK = "10X98765432"
ERROR_RATE = 0.009  # per data row, plus a few duplicated rows: about 1% in all
CITY_NAME = "泰安市"
CITY_UNION = "泰安市总工会"

# Sizes at scale 1 (domain.md): firms per chain and workers per chain; unknown chains get the defaults.
CHAIN_FIRMS = {"C01": 340, "C02": 180, "C03": 260, "C04": 200, "C05": 120, "C06": 300, "C07": 350}
CHAIN_FIRMS |= {"C08": 220, "C09": 150, "C10": 70, "C11": 90, "C12": 330, "C13": 160}
CHAIN_WORKERS = {"C01": 115_000, "C02": 60_000, "C03": 105_000, "C04": 85_000, "C05": 38_000, "C06": 80_000}
CHAIN_WORKERS |= {"C07": 120_000, "C08": 95_000, "C09": 55_000, "C10": 6_700, "C11": 18_000, "C12": 120_000}
CHAIN_WORKERS |= {"C13": 42_000}
# Share of firms by county (large counties big, scenic areas small); others get a small default.
COUNTY_WEIGHT = {"xintai": 0.19, "feicheng": 0.16, "daiyue": 0.16, "taishan": 0.14, "gaoxin": 0.12}
COUNTY_WEIGHT |= {"ningyang": 0.09, "dongping": 0.08, "lvyou": 0.03, "cuwen": 0.02, "taishan_scenic": 0.01}
# Where chains cluster (mining machinery in the coal counties, textiles in the west, digital in the zone).
AFFINITY = {("C03", "xintai"): 3.0, ("C03", "feicheng"): 2.0, ("C12", "daiyue"): 1.8, ("C12", "ningyang"): 2.0}
AFFINITY |= {("C13", "gaoxin"): 3.0, ("C13", "taishan"): 2.0, ("C10", "gaoxin"): 2.0, ("C04", "feicheng"): 1.8}
AFFINITY |= {("C07", "ningyang"): 1.6, ("C07", "dongping"): 1.6, ("C08", "feicheng"): 1.6, ("C11", "taishan"): 2.0}
# Per-chain shares (migrant workers, women) and the lagging ones (建会 offsets).
MIGRANT_SHARE = {"C06": 0.5, "C07": 0.46, "C12": 0.5, "C03": 0.42, "C13": 0.3, "C10": 0.32, "C11": 0.34}
FEMALE_SHARE = {"C12": 0.66, "C07": 0.52, "C10": 0.48, "C11": 0.45, "C13": 0.38, "C03": 0.14, "C04": 0.18}
UNION_LAG = {"C12": -0.06, "C13": -0.05, "C06": -0.03, "C10": 0.03, "C01": 0.02}
COUNTY_LAG = {"cuwen": -0.06, "lvyou": -0.04, "dongping": -0.03, "gaoxin": 0.02, "taishan": 0.02}
INDUSTRY_WORDS = {
    "C01": ("汽车零部件", "汽车配件", "车桥", "专用汽车", "汽车电子", "轮毂"),
    "C02": ("输变电设备", "电线电缆", "电气", "变压器", "电力设备"),
    "C03": ("矿山机械", "工程机械", "煤矿装备", "液压支架", "重型机械"),
    "C04": ("特钢", "金属材料", "铝业", "铜业", "合金材料"),
    "C05": ("玻纤", "复合材料", "碳纤维", "新材料"),
    "C06": ("建材", "水泥", "新型墙材", "石膏板", "装配式建筑"),
    "C07": ("食品", "粮油", "乳业", "肉类加工", "饮品", "面业"),
    "C08": ("化工", "精细化工", "盐化", "新材料化工"),
    "C09": ("新能源", "光伏", "储能", "风电设备", "氢能"),
    "C10": ("医药", "生物科技", "医疗器械", "制药"),
    "C11": ("印务", "彩印", "包装印刷", "出版"),
    "C12": ("纺织", "服装", "棉纺", "服饰", "家纺"),
    "C13": ("信息技术", "软件", "数字科技", "网络科技", "智能科技"),
}
TRADES = {
    "C01": ("汽车装调工", "焊工", "钳工", "数控车工"),
    "C02": ("电工", "电缆制造工", "变压器装配工"),
    "C03": ("钳工", "焊工", "机修工", "数控铣工"),
    "C04": ("炼钢工", "轧钢工", "电工"),
    "C05": ("纤维制造工", "复合材料成型工"),
    "C06": ("水泥生产工", "建材化验员", "叉车司机"),
    "C07": ("食品检验员", "面点师", "中式烹调师"),
    "C08": ("化工总控工", "化学检验员", "仪表维修工"),
    "C09": ("光伏组件装配工", "电工", "储能系统运维员"),
    "C10": ("药物制剂工", "医疗器械装配工", "药品检验员"),
    "C11": ("印刷工", "平版制版工"),
    "C12": ("缝纫工", "纺纱工", "服装制版师"),
    "C13": ("网络安全管理员", "人工智能训练师", "数据分析师"),
}
BRAND = "恒通瑞丰华泰鲁岳金鑫宏盛源达海晟博新力德信诚和安康嘉利祥隆兴昌锦宇众合正元天峰汇中东方科辰阳光明远创立永佳美旺富裕宁"
SURNAMES = "王张李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志新海燕春雪凤云波宁林文德成伟东亮斌鹏飞浩宇晨欣悦佳琳俊峰军辉"
STREETS = (
    "东岳大街",
    "泰山大街",
    "灵山大街",
    "岱宗大街",
    "龙潭路",
    "迎胜路",
    "擂鼓石大街",
    "南关大街",
    "长城路",
    "天烛峰路",
)
BAD_COUNTIES = ("新泰县", "肥城县", "泰安开发区", "岱岳新区", "泰山高新区")  # spellings no alias covers
BOOL_STYLES = (("是", "否"), ("是", "否"), ("是", "否"), ("Y", "N"), (1, 0), ("有", "无"), ("√", ""))
PERIOD_STYLES = ("{y}年第{qz}季度", "{y}年第{qz}季度", "{y}Q{q}", "{y}年{q}季度", "{y}-Q{q}")


@dataclass(frozen=True)
class DemoSummary:
    """What a run wrote: file count, data rows per dataset (error rows included), error rows, seconds."""

    files: int
    rows: dict[str, int]
    error_rows: dict[str, int]
    seconds: float


@dataclass
class Submission:
    """One file to write: a county's (or the city's) rows of one dataset for one period."""

    dataset: str
    county: str | None  # None: the city union (targets)
    year: int
    quarter: int | None
    rows: list[dict[str, Any]]
    clean: list[dict[str, Any]] = field(default_factory=list)
    errors: int = 0
    corrected: bool = False


@dataclass
class Firm:
    credit_code: str
    name: str
    county: str
    chain: str
    above_scale: bool
    chain_leader: bool
    first_q: int
    last_q: int


# ---------------------------------------------------------------- check characters


def credit_check_char(body: str) -> str:
    """GB 32100-2015 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_CHARS.index(ch) * w for ch, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_valid(code: str) -> bool:
    return len(code) == 18 and all(c in CREDIT_CHARS for c in code) and credit_check_char(code[:17]) == code[17]


def id_check_char(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a 身份证号."""
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def id_number_valid(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and id_check_char(number[:17]) == number[17]


def _org_code(rng: np.random.Generator) -> str:
    if rng.random() < 0.4:  # codes issued since 2015 start with MA
        body = "MA" + "".join(CREDIT_CHARS[int(i)] for i in rng.integers(0, 31, 6))
    else:
        body = "".join(str(int(d)) for d in rng.integers(0, 10, 8))
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


# ---------------------------------------------------------------- helpers


def _rng(seed: int, part: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(part.encode())])


def _quarters() -> list[tuple[int, int]]:
    return [
        (y, q) for y in range(FIRST_YEAR, LAST_YEAR + 1) for q in range(1, 5) if (y, q) <= (LAST_YEAR, LAST_QUARTER)
    ]


def _quarter_label(y: int, q: int) -> str:
    return f"{y}年第{QUARTER_ZH[q - 1]}季度"


def _quarter_start(y: int, q: int) -> date:
    return date(y, 3 * q - 2, 1)


def _quarter_end(y: int, q: int) -> date:
    return date(y + 1, 1, 1) - timedelta(days=1) if q == 4 else date(y, 3 * q + 1, 1) - timedelta(days=1)


def _day_in(rng: np.random.Generator, start: date, end: date) -> date:
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _pick(rng: np.random.Generator, items: Iterable[Any], p: Iterable[float] | None = None) -> Any:
    if not isinstance(items, list | tuple | str):
        items = list(items)
    if p is None:
        return items[int(rng.random() * len(items))]
    cumulative = list(accumulate(p))
    return items[min(bisect_right(cumulative, rng.random() * cumulative[-1]), len(items) - 1)]


def _person_name(rng: np.random.Generator) -> str:
    given = "".join(GIVEN[int(i)] for i in rng.integers(0, len(GIVEN), int(rng.integers(1, 3))))
    return SURNAMES[int(rng.integers(0, len(SURNAMES)))] + given


def _scaled(rng: np.random.Generator, mean: float, scale: float) -> int:
    return int(rng.poisson(max(mean * scale, 0.0)))


@cache
def _county_map() -> dict[str, reference.County]:
    return {c.code: c for c in reference.counties()}


def _county(code: str) -> reference.County:
    return _county_map()[code]


@cache
def _county_order() -> dict[str, int]:
    return {c.code: i for i, c in enumerate(reference.counties())}


def _unit_name(county: str) -> str:
    return CITY_UNION if county == "city" else _county(county).name_zh


# ---------------------------------------------------------------- the simulated world


class World:
    """Firms, registries and records of the synthetic city, as canonical rows (codes, dates, numbers)."""

    def __init__(self, seed: int, scale: float):
        self.seed, self.scale = seed, scale
        self.counties = reference.counties()
        self.chains = reference.chains()
        self.county_codes = [c.code for c in self.counties]
        self.county_index = {c.code: i for i, c in enumerate(self.counties)}
        self.quarters = _quarters()
        self.years = sorted({y for y, _ in self.quarters})
        self.adcodes = [c.adcode for c in self.counties if c.adcode]
        self.firms: list[Firm] = []
        self.enterprise_rows: list[dict[str, Any]] = []
        self.records: dict[str, list[dict[str, Any]]] = {}  # dataset → rows with _county, _year, _quarter
        self._used_names: set[str] = set()

    # -- firms and the enterprises dataset
    def county_weights(self, chain: str) -> np.ndarray:
        w = []
        for c in self.counties:
            base = COUNTY_WEIGHT.get(c.code, (c.population_2020 or 100_000) / 8_000_000)
            w.append(base * AFFINITY.get((chain, c.code), 1.0))
        arr = np.asarray(w)
        return arr / arr.sum()

    def region_code(self, rng: np.random.Generator, county: str) -> str:
        adcode = self.counties[self.county_index[county]].adcode
        return adcode if adcode and rng.random() < 0.8 else "370900"

    def firm_name(self, rng: np.random.Generator, county: str, chain: str) -> str:
        c = self.counties[self.county_index[county]]
        words = INDUSTRY_WORDS.get(chain) or (self.chains[[x.code for x in self.chains].index(chain)].name_zh,)
        for _ in range(50):
            place = c.name_zh if c.kind in ("县级市", "县") and rng.random() < 0.6 else "泰安"
            brand = "".join(BRAND[int(i)] for i in rng.integers(0, len(BRAND), 2))
            suffix = _pick(rng, ("有限公司", "有限公司", "股份有限公司", "集团有限公司", "有限责任公司"))
            name = f"{place}{brand}{_pick(rng, words)}{suffix}"
            if name not in self._used_names:
                self._used_names.add(name)
                return name
        raise RuntimeError("name space exhausted")

    def build_enterprises(self) -> None:
        rng = _rng(self.seed, "enterprises")
        nq = len(self.quarters)
        chain_off = {ch.code: UNION_LAG.get(ch.code, 0.0) + rng.normal(0, 0.015) for ch in self.chains}
        county_off = {c: COUNTY_LAG.get(c, 0.0) + rng.normal(0, 0.015) for c in self.county_codes}
        used_codes: set[str] = set()
        cols: dict[str, list] = {k: [] for k in ("base", "growth", "u", "rate", "mig", "fem", "size_z")}
        for ch in self.chains:
            n = max(3, round(CHAIN_FIRMS.get(ch.code, 150) * self.scale * rng.uniform(0.95, 1.05)))
            workers = CHAIN_WORKERS.get(ch.code, 50_000) * self.scale * rng.uniform(0.95, 1.05)
            raw = rng.lognormal(0.0, 1.15, n)
            sizes = np.maximum(8, raw / raw.sum() * workers)
            order = np.argsort(-sizes)
            leaders = set(order[: max(1, n // 60)].tolist())
            weights = self.county_weights(ch.code)
            for i in range(n):
                county = self.county_codes[int(rng.choice(len(self.county_codes), p=weights))]
                while True:
                    body = "91" + self.region_code(rng, county) + _org_code(rng)
                    code = body + credit_check_char(body)
                    if code not in used_codes:
                        used_codes.add(code)
                        break
                first_q = int(rng.integers(1, nq)) if rng.random() < 0.06 else 0
                last_q = int(rng.integers(first_q + 2, nq)) if rng.random() < 0.035 and first_q + 2 < nq else nq - 1
                size = float(sizes[i])
                self.firms.append(
                    Firm(
                        credit_code=code,
                        name=self.firm_name(rng, county, ch.code),
                        county=county,
                        chain=ch.code,
                        above_scale=size >= 300 or rng.random() < 0.15,
                        chain_leader=i in leaders,
                        first_q=first_q,
                        last_q=last_q,
                    )
                )
                cols["base"].append(size)
                cols["growth"].append(rng.normal(0.004, 0.01))
                cols["u"].append(rng.random())
                size_z = (math.log(size) - 5.0) / 1.2
                cols["size_z"].append(size_z)
                cols["rate"].append(0.88 + rng.normal(0, 0.05) + chain_off[ch.code] / 2 + county_off[county] / 2)
                cols["mig"].append(np.clip(MIGRANT_SHARE.get(ch.code, 0.38) + rng.normal(0, 0.07), 0.05, 0.85))
                cols["fem"].append(np.clip(FEMALE_SHARE.get(ch.code, 0.3) + rng.normal(0, 0.06), 0.03, 0.9))
        f = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
        nf = len(self.firms)
        t = np.arange(nq, dtype=float)
        noise = rng.normal(0, 0.015, (nf, nq))
        emp = np.maximum(5, np.rint(f["base"][:, None] * (1 + f["growth"][:, None]) ** t[None, :] * (1 + noise)))
        off = np.asarray([chain_off[x.chain] + county_off[x.county] for x in self.firms])
        p_union = 0.80 + 0.135 * t[None, :] / (nq - 1) + off[:, None] + 0.07 * f["size_z"][:, None]
        has_union = f["u"][:, None] < p_union
        rate = np.clip(f["rate"][:, None] + 0.07 * t[None, :] / (nq - 1) + rng.normal(0, 0.01, (nf, nq)), 0.45, 1.0)
        members = np.where(has_union, np.rint(emp * rate), 0)
        migrants = np.rint(emp * f["mig"][:, None])
        mig_rate = np.clip(rate - 0.12 + rng.normal(0, 0.03, (nf, 1)), 0.2, 1.0)
        mig_members = np.minimum(np.where(has_union, np.rint(migrants * mig_rate), 0), members)
        female = np.rint(emp * f["fem"][:, None])
        for qi, (y, q) in enumerate(self.quarters):
            for fi, firm in enumerate(self.firms):
                if not firm.first_q <= qi <= firm.last_q:
                    continue
                self.enterprise_rows.append(
                    {
                        "period": (y, q),
                        "credit_code": firm.credit_code,
                        "enterprise_name": firm.name,
                        "county": firm.county,
                        "chain": firm.chain,
                        "above_scale": firm.above_scale,
                        "chain_leader": firm.chain_leader,
                        "employees": int(emp[fi, qi]),
                        "has_union": bool(has_union[fi, qi]),
                        "members": int(members[fi, qi]),
                        "migrant_workers": int(migrants[fi, qi]),
                        "migrant_members": int(mig_members[fi, qi]),
                        "female_employees": int(female[fi, qi]),
                        "_county": firm.county,
                        "_year": y,
                        "_quarter": q,
                    }
                )
        self.records["enterprises"] = self.enterprise_rows

    # -- helpers over firms
    def county_share(self) -> dict[str, float]:
        counts = {c: 0 for c in self.county_codes}
        for firm in self.firms:
            counts[firm.county] += 1
        total = max(1, sum(counts.values()))
        return {c: max(counts[c] / total, 0.004) for c in self.county_codes}

    def firms_in(self, county: str, qi: int | None = None) -> list[Firm]:
        return [f for f in self.firms if f.county == county and (qi is None or f.first_q <= qi <= f.last_q)]

    def chains_in(self, county: str) -> list[str]:
        return sorted({f.chain for f in self.firms if f.county == county})

    def _add(self, dataset: str, county: str, y: int, q: int, row: dict[str, Any]) -> None:
        row.update({"_county": county, "_year": y, "_quarter": q})
        self.records.setdefault(dataset, []).append(row)

    # -- training and service activities (aggregates per unit × quarter)
    def build_training(self) -> None:
        rng = _rng(self.seed, "training")
        share = self.county_share()
        for c in self.county_codes:
            chains = self.chains_in(c)
            k = share[c] * 10 * self.scale  # 1.0 for an average county at scale 1
            for y, q in self.quarters:
                grow = 1 + 0.06 * (y - FIRST_YEAR)
                if q in (1, 3):
                    enrolled = max(1, int(rng.poisson(120 * k * grow)))
                    grads = int(rng.poisson(60 * k * grow)) if q == 3 or rng.random() < 0.3 else 0
                    self._training(c, y, q, None, "求学圆梦", enrolled, min(grads, enrolled), None, None)
                n = max(1, int(rng.poisson(260 * k * grow)))
                self._training(c, y, q, None, "工匠学院", n, int(n * rng.uniform(0.8, 0.97)), None, n * 24)
                pairs = max(1, int(rng.poisson(40 * k * grow)))
                self._training(c, y, q, None, "名师带徒", pairs * 2, int(pairs * rng.uniform(0.3, 0.6)), pairs, None)
                n = max(1, int(rng.poisson(1500 * k * grow)))
                self._training(c, y, q, None, "安全培训", n, int(n * rng.uniform(0.9, 1.0)), None, n * 8)
                for ch in chains[: int(rng.integers(1, 4))] if chains and rng.random() < 0.6 else []:
                    n = max(1, int(rng.poisson(500 * k * grow)))
                    self._training(c, y, q, ch, "技能培训", n, int(n * rng.uniform(0.85, 0.98)), None, n * 16)
                n = max(1, int(rng.poisson(900 * k * grow)))
                self._training(c, y, q, None, "技能培训", n, int(n * rng.uniform(0.85, 0.98)), None, n * 16)

    def _training(self, c, y, q, chain, programme, participants, completed, pairs, hours) -> None:
        row = {"period": (y, q), "county": c, "chain": chain, "programme": programme}
        row |= {"participants": int(participants), "completed": int(completed), "pairs": pairs, "hours": hours}
        self._add("training", c, y, q, row)

    def build_activities(self) -> None:
        rng = _rng(self.seed, "service_activities")
        share = self.county_share()
        cover = {(c, ch): rng.random() for c in self.county_codes for ch in self.chains_in(c)}
        for c in self.county_codes:
            k = share[c] * 10 * self.scale
            for y, q in self.quarters:
                grow = 1 + 0.08 * (y - FIRST_YEAR)

                def act(kind, sessions, people, spend, chain=None, c=c, y=y, q=q):
                    row = {"period": (y, q), "county": c, "chain": chain, "kind": kind}
                    row |= {"sessions": max(1, int(sessions)), "participants": max(1, int(people))}
                    row["spend"] = round(float(spend), 2) if spend is not None else None
                    self._add("service_activities", c, y, q, row)

                s = rng.poisson(6 * k * grow) + 1
                act("职工大讲堂", s, s * rng.integers(60, 180), s * rng.uniform(0.2, 0.6))
                if q in (2, 3, 4):
                    people = rng.poisson((260 if q == 3 else 120) * k * grow)
                    act("疗休养", max(1, people // 40), people, people * rng.uniform(0.12, 0.2))
                s = rng.poisson(8 * k * grow) + 1
                act(
                    "普法宣传", s, s * rng.integers(40, 150), None if rng.random() < 0.4 else s * rng.uniform(0.05, 0.2)
                )
                for ch in self.chains_in(c):
                    if cover[(c, ch)] < 0.62 + 0.05 * (y - FIRST_YEAR) and rng.random() < 0.8:
                        s = rng.poisson(3) + 1
                        act("泰会帮法律服务", s, s * rng.integers(15, 80), s * rng.uniform(0.05, 0.3), ch)
                s = rng.poisson(5 * k * grow) + 1
                act("普惠活动", s, s * rng.integers(200, 800), s * rng.uniform(1, 5))
                if q in (1, 3):
                    base = 360 if q == 3 else 140
                    kids = int(np.clip(rng.normal(base * math.sqrt(max(k, 0.01)), 40), 60 if q == 1 else 100, 600))
                    if self.scale != 1:
                        kids = max(1, int(kids * self.scale))
                    act("托管服务", max(1, kids // 40), kids, kids * rng.uniform(0.02, 0.05))
                s = rng.poisson(4 * k * grow) + 1
                act("四季服务", s, s * rng.integers(100, 500), s * rng.uniform(0.5, 3))

    # -- contests and innovation results (dated records)
    def build_contests(self) -> None:
        rng = _rng(self.seed, "contests")
        share = self.county_share()
        levels = ("国家级", "省级", "市级", "县级", "企业级")
        for c in self.county_codes:
            chains = self.chains_in(c) or [None]
            cz = self.counties[self.county_index[c]].name_zh
            k = share[c] * 10 * self.scale
            for y, q in self.quarters:
                s, e = _quarter_start(y, q), _quarter_end(y, q)
                plan = [("技能竞赛", 5), ("劳动竞赛", 2.5), ("数字技能竞赛", 0.8)]
                plan += [("安康杯", 1.0 if q == 2 else 0.15), ("查保促", 0.8 if q in (2, 3) else 0.2)]
                names: set[tuple[str, date]] = set()
                for kind, mean in plan:
                    for _ in range(int(rng.poisson(mean * k * (1 + 0.1 * (y - FIRST_YEAR))))):
                        chain = _pick(rng, chains) if rng.random() < 0.8 else None
                        trade = _pick(rng, TRADES.get(chain, ("综合",))) if chain and kind != "安康杯" else None
                        level = _pick(rng, levels, (0.01, 0.04, 0.2, 0.5, 0.25))
                        start = _day_in(rng, s, e)
                        end = min(e, start + timedelta(days=int(rng.integers(0, 45)))) if rng.random() < 0.85 else None
                        if kind == "劳动竞赛":
                            name = f"{y}年{cz}“泰山工匠杯”{_pick(rng, ('重点项目', '技术攻关', '安全生产', '节能降耗'))}劳动竞赛"
                        elif kind in ("安康杯", "查保促"):
                            name = f"{y}年{cz}“{kind}”竞赛活动"
                        else:
                            label = "数字技能" if kind == "数字技能竞赛" else (trade or "职业技能")
                            name = f"{y}年{cz}{label}竞赛"
                        if (name, start) in names:
                            name += f"（第{len(names) + 1}场）"
                        names.add((name, start))
                        people = int(rng.integers(20, 400) * (3 if level in ("市级", "省级") else 1))
                        safety = kind in ("安康杯", "查保促")
                        row = {"contest_name": name, "kind": kind, "level": level, "county": c, "chain": chain}
                        row |= {"trade": trade, "start_date": start, "end_date": end, "participants": people}
                        row["enterprises"] = int(rng.integers(3, 60)) if safety or rng.random() < 0.6 else None
                        row["winners"] = int(people * rng.uniform(0.05, 0.2))
                        row["hazards_found"] = int(rng.integers(30, 900)) if safety else None
                        self._add("contests", c, y, q, row)

    def build_results(self) -> None:
        rng = _rng(self.seed, "innovation_results")
        share = self.county_share()
        cats = ("小发明", "小创造", "小革新", "小设计", "小建议")
        topics = ("工装夹具", "节能降耗", "工艺流程", "设备维护", "质量检测", "安全防护", "自动上料", "数据采集")
        for c in self.county_codes:
            firms = self.firms_in(c)
            k = share[c] * 10 * self.scale
            for qi, (y, q) in enumerate(self.quarters):
                active = [f for f in firms if f.first_q <= qi <= f.last_q]
                s, e = _quarter_start(y, q), _quarter_end(y, q)
                seen: set[str] = set()
                for _ in range(int(rng.poisson(28 * k * (1 + 0.12 * (y - FIRST_YEAR))))):
                    firm = _pick(rng, active) if active and rng.random() < 0.9 else None
                    cat = _pick(rng, cats, (0.12, 0.13, 0.3, 0.1, 0.35))
                    name = f"{_pick(rng, topics)}{_pick(rng, ('改进', '优化', '装置', '方法', '系统'))}"
                    name = f"{firm.name[:6] if firm else ''}{name}{cat[1:]}"
                    while name in seen:
                        name += "Ⅱ"
                    seen.add(name)
                    adopted = bool(rng.random() < 0.42 + 0.04 * (y - FIRST_YEAR))
                    benefit = (
                        round(float(rng.lognormal(1.6, 1.1)), 1) if adopted else (0.0 if rng.random() < 0.5 else None)
                    )
                    row = {"result_name": name, "category": cat, "county": c, "chain": firm.chain if firm else None}
                    row |= {"credit_code": firm.credit_code if firm else None, "date": _day_in(rng, s, e)}
                    row |= {"adopted": adopted, "benefit": benefit, "patented": bool(rng.random() < 0.08)}
                    self._add("innovation_results", c, y, q, row)

    # -- registries (latest row wins)
    def build_studios(self) -> None:
        rng = _rng(self.seed, "innovation_studios")
        share = self.county_share()
        # Citywide at scale 1: ~3 national, ~30 provincial, ~110 city, ~260 county level.
        level_totals = {"全国": 3.5, "省级": 30, "市级": 110, "县级": 260}
        studios: list[dict[str, Any]] = []
        for c in self.county_codes:
            firms = self.firms_in(c)
            names: set[str] = set()
            for level, total in level_totals.items():
                for _ in range(_scaled(rng, total * share[c], self.scale)):
                    firm = _pick(rng, firms) if firms and rng.random() < 0.85 else None
                    kind = _pick(rng, ("劳模创新工作室", "工匠人才创新工作室"), (0.45, 0.55))
                    while True:
                        person = _person_name(rng)
                        name = f"{person}{kind}"
                        if name not in names:
                            names.add(name)
                            break
                    # Before the policy: 55% existed already; the rest named over 2022–2026.
                    if rng.random() < 0.55:
                        est = date(int(rng.integers(2012, 2022)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
                    else:
                        y, q = self.quarters[int(rng.integers(0, len(self.quarters)))]
                        est = _day_in(rng, _quarter_start(y, q), _quarter_end(y, q))
                    studios.append(
                        {
                            "studio_name": name,
                            "kind": kind,
                            "level": level,
                            "stars": None,
                            "county": c,
                            "chain": firm.chain if firm else None,
                            "credit_code": firm.credit_code if firm else None,
                            "established": est,
                            "members": int(rng.integers(5, 40)),
                        }
                    )
        bonus = {"全国": 1.5, "省级": 1.0, "市级": 0.5, "县级": 0.0}
        for st in studios:
            first = self._registry_quarter(st["established"])
            by_quarter = {first: dict(st)}  # one row per studio per file: a rating in the naming quarter replaces it
            # Star ratings each Q4 from 2022 on, for studios named by then; ratings improve over time.
            stars = None
            for y in self.years:
                if (y, 4) not in self.quarters or st["established"] > date(y, 10, 31):
                    continue
                if stars is None and rng.random() < 0.8:
                    stars = int(np.clip(round(rng.normal(2.0 + bonus[st["level"]], 0.9)), 1, 5))
                elif stars is not None and rng.random() < 0.35:
                    stars = min(5, stars + 1)
                else:
                    continue
                by_quarter[(y, 4)] = dict(st, stars=stars)
            for (y, q), row in sorted(by_quarter.items()):
                self._add("innovation_studios", st["county"], y, q, row)

    def _registry_quarter(self, d: date) -> tuple[int, int]:
        return (d.year, (d.month - 1) // 3 + 1) if d.year >= FIRST_YEAR else (FIRST_YEAR, 1)

    def build_sites(self) -> None:
        rng = _rng(self.seed, "service_sites")
        share = self.county_share()
        plan = {  # kind → (citywide count at scale 1, level weights 全国/省级/市级/县级/企业级, stars?)
            "职工书屋": (320, (0.01, 0.06, 0.2, 0.3, 0.43), False),
            "工会妈妈小屋": (210, (0.0, 0.03, 0.15, 0.3, 0.52), True),
            "托管驿站": (60, (0.0, 0.0, 0.3, 0.7, 0.0), False),
            "三种精神教育基地": (20, (0.0, 0.1, 0.6, 0.3, 0.0), False),
            "职工服务中心": (12, (0.0, 0.0, 0.2, 0.8, 0.0), False),
            "户外劳动者驿站": (150, (0.0, 0.0, 0.2, 0.8, 0.0), False),
        }
        levels = ("全国", "省级", "市级", "县级", "企业级")
        for c in self.county_codes:
            firms = self.firms_in(c)
            cz = self.counties[self.county_index[c]].name_zh
            names: set[str] = set()
            for kind, (total, lw, starred) in plan.items():
                n = _scaled(rng, total * share[c], self.scale)
                if kind == "职工服务中心":
                    n = max(1, n)
                for i in range(n):
                    level = _pick(rng, levels, lw)
                    firm = _pick(rng, firms) if firms and (level == "企业级" or rng.random() < 0.4) else None
                    if kind == "职工服务中心":
                        name = f"{cz}职工服务中心" if i == 0 else f"{cz}{_pick(rng, STREETS)}职工服务站"
                    elif firm:
                        name = f"{firm.name.replace('有限责任公司', '').replace('股份有限公司', '').replace('集团有限公司', '').replace('有限公司', '')}{kind}"
                    else:
                        name = f"{cz}{_pick(rng, STREETS)}{kind}"
                    base, j = name, 2
                    while name in names:
                        name, j = f"{base}（{j}）", j + 1
                    names.add(name)
                    if rng.random() < 0.5:
                        opened = date(int(rng.integers(2015, 2022)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
                    else:
                        y, q = self.quarters[int(rng.integers(0, len(self.quarters)))]
                        opened = _day_in(rng, _quarter_start(y, q), _quarter_end(y, q))
                    stars = int(rng.integers(1, 6)) if starred and rng.random() < 0.7 else None
                    row = {"site_name": name, "kind": kind, "level": level, "stars": stars, "county": c}
                    row |= {"chain": firm.chain if firm else None, "credit_code": firm.credit_code if firm else None}
                    row |= {"opened": opened, "status": "运行"}
                    first = self._registry_quarter(opened)
                    self._add("service_sites", c, *first, dict(row))
                    if rng.random() < 0.04:  # a few closed later, re-reported as 停用
                        later = [yq for yq in self.quarters if yq > first]
                        if later:
                            yq = later[int(rng.integers(0, len(later)))]
                            self._add("service_sites", c, *yq, dict(row, status="停用"))

    # -- honours (Q4 of each full year)
    def build_honors(self) -> None:
        rng = _rng(self.seed, "honors")
        share = self.county_share()
        persons = {  # honour → (citywide per year at scale 1, share 市级)
            "泰山工匠": (30, 1.0),
            "泰山最美职工": (20, 1.0),
            "劳动模范": (12, 0.6),
            "先进个人": (60, 0.3),
            "竞赛标兵": (40, 0.4),
            "数字技能人才": (25, 0.5),
        }
        units = {"先进集体": (40, 0.3), "思想政治引领示范企业": (20, 0.4), "工会妈妈小屋示范点": (15, 0.5)}
        # Some counties reliably name their 10 全员创新企业, others lag.
        keen = {c: rng.uniform(0.55, 1.25) for c in self.county_codes}
        for y in self.years:
            if (y, 4) not in self.quarters:
                continue
            qi = self.quarters.index((y, 4))
            city_firms = rng.poisson(10.0)
            city_alloc = rng.multinomial(
                city_firms, np.asarray([share[c] for c in self.county_codes]) / sum(share.values())
            )
            for ci, c in enumerate(self.county_codes):
                firms = self.firms_in(c, qi)
                seen: set[tuple[str, str]] = set()

                def honour(kind, level, honoree, firm=None, c=c, y=y, seen=seen):
                    if (kind, honoree) in seen:
                        return
                    seen.add((kind, honoree))
                    row = {"honour": kind, "level": level, "year": y, "honoree": honoree, "county": c}
                    row |= {"chain": firm.chain if firm else None, "credit_code": firm.credit_code if firm else None}
                    self._add("honors", c, y, 4, row)

                for kind, (total, city_share) in persons.items():
                    for _ in range(_scaled(rng, total * share[c], self.scale)):
                        firm = _pick(rng, firms) if firms and rng.random() < 0.85 else None
                        honour(kind, "市级" if rng.random() < city_share else "县级", _person_name(rng), firm)
                for kind, (total, city_share) in units.items():
                    for _ in range(_scaled(rng, total * share[c], self.scale)):
                        if firms:
                            firm = _pick(rng, firms)
                            honour(kind, "市级" if rng.random() < city_share else "县级", firm.name, firm)
                # 全员创新企业: policy-fixed counts (10 per county, ~10 citywide), not scaled.
                county_n = int(np.clip(round(rng.normal(10 * keen[c], 1.5)), 0, 14))
                order = rng.permutation(len(firms))
                picks = [firms[int(i)] for i in order[: county_n + int(city_alloc[ci])]]
                for i, firm in enumerate(picks):
                    honour("全员创新企业", "市级" if i < city_alloc[ci] else "县级", firm.name, firm)

    # -- aid payments
    def build_aid(self) -> None:
        rng = _rng(self.seed, "aid_cases")
        share = self.county_share()
        used_ids: set[str] = set()

        def person(c: str) -> tuple[str, str]:
            adcode = self.counties[self.county_index[c]].adcode
            while True:
                region = adcode if adcode and rng.random() < 0.75 else _pick(rng, self.adcodes)
                born = date(1962, 1, 1) + timedelta(days=int(rng.integers(0, 365 * 38)))
                body = f"{region}{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
                number = body + id_check_char(body)
                if number not in used_ids:
                    used_ids.add(number)
                    return number, _person_name(rng)

        for ci, c in enumerate(self.county_codes):
            firms = self.firms_in(c)
            families = []
            for i in range(_scaled(rng, 2000 * share[c], self.scale)):
                first = int(rng.integers(2015, 2022)) if rng.random() < 0.7 else int(rng.integers(2022, LAST_YEAR + 1))
                last = int(rng.integers(first, LAST_YEAR + 3))
                number, name = person(c)
                firm = _pick(rng, firms) if firms and rng.random() < 0.7 else None
                cat = _pick(rng, ("深度困难", "相对困难", "意外致困"), (0.2, 0.6, 0.2))
                fam = {"case_no": f"KN{ci + 1:02d}{first}{i + 1:04d}", "id_number": number, "name": name, "cat": cat}
                fam |= {"firm": firm, "size": int(rng.integers(1, 7)), "first": first, "last": last}
                fam["student"] = rng.random() < 0.3
                families.append(fam)

            def pay(case_no, number, name, cat, firm, d, amount, size, c=c):
                y, q = d.year, (d.month - 1) // 3 + 1
                if (y, q) not in self.quarters:
                    return
                row = {"case_no": case_no, "id_number": number, "category": cat, "county": c}
                row |= {"chain": firm.chain if firm else None, "credit_code": firm.credit_code if firm else None}
                row |= {"date": d, "amount": round(float(amount), 2), "family_size": size, "name": name}
                self._add("aid_cases", c, y, q, row)

            base = {"深度困难": 2500, "相对困难": 1500, "意外致困": 4000}
            for y in self.years:
                for fam in families:
                    if not fam["first"] <= y <= fam["last"]:
                        continue
                    args = (fam["case_no"], fam["id_number"], fam["name"])
                    cat, firm, size = fam["cat"], fam["firm"], fam["size"]
                    # 两节送温暖: late January to mid February.
                    d = date(y, 1, 10) + timedelta(days=int(rng.integers(0, 35)))
                    pay(*args, cat, firm, d, base[cat] * rng.uniform(0.6, 1.4), size)
                    if rng.random() < 0.6:
                        d = date(y, 6, 1) + timedelta(days=int(rng.integers(0, 45)))
                        pay(*args, cat, firm, d, base[cat] * rng.uniform(0.4, 1.0), size)
                    if fam["student"]:
                        d = date(y, 8, 10) + timedelta(days=int(rng.integers(0, 40)))
                        pay(*args, "金秋助学", firm, d, _pick(rng, (1000, 2000, 3000, 5000)), size)
                    if rng.random() < 0.5:
                        d = date(y, 12, 1) + timedelta(days=int(rng.integers(0, 30)))
                        pay(*args, "冬送温暖", firm, d, _pick(rng, (300, 500, 800, 1000)), size)
                # 大病医疗救助: any time, larger amounts, mostly workers not on the hardship file.
                for i in range(_scaled(rng, 300 * share[c], self.scale)):
                    number, name = person(c)
                    firm = _pick(rng, firms) if firms and rng.random() < 0.6 else None
                    d = _day_in(rng, date(y, 1, 1), date(y, 12, 31))
                    amount = float(np.clip(rng.lognormal(9.3, 0.6), 3000, 80000))
                    pay(f"DB{ci + 1:02d}{y}{i + 1:04d}", number, name, "大病医疗救助", firm, d, amount, None)

    def build(self) -> World:
        self.build_enterprises()
        self.build_training()
        self.build_contests()
        self.build_studios()
        self.build_results()
        self.build_honors()
        self.build_aid()
        self.build_sites()
        self.build_activities()
        return self


# ---------------------------------------------------------------- targets (the city union's file per year)


def _actuals(world: World) -> Callable[[str, int, str | None], float]:
    """f(indicator, year, county or None) → the year's actual from the clean rows, through the warehouse's own
    marts and query layer (so the demo's targets follow the catalogue's rules, which live in one place)."""
    from data_pipeline import build, metrics

    rows = {
        name: [{k: v for k, v in r.items() if not k.startswith("_")} for r in records]
        for name, records in world.records.items()
    }
    con = build.warehouse_from_rows(rows)
    codes = [i.code for i in reference.indicators()]
    found: dict[tuple[int, str | None], dict[str, float]] = {}

    def actual(code: str, year: int, county: str | None) -> float:
        if (year, county) not in found:
            last = max(q for y, q in world.quarters if y == year)
            f = metrics.Filters(year, 1, last, counties=(county,) if county else ())
            totals = metrics.totals(con, f, codes)
            found[(year, county)] = dict(zip(totals["indicator"], totals["value"], strict=True))
        value = found[(year, county)].get(code, float("nan"))
        return 0.0 if value != value else float(value)

    return actual


def build_targets(world: World) -> list[Submission]:
    """The city union's targets: a row per indicator for the city and each county, every year."""
    rng = _rng(world.seed, "targets")
    fixed = {(t.indicator, t.scope): t.target for t in reference.policy_targets()}
    actuals = _actuals(world)
    last_full = max(y for y in world.years if (y, 4) in world.quarters)
    out = []
    for y in world.years:
        rows = []
        for ind in reference.indicators():
            for c in [None, *world.county_codes]:
                scope = "city" if c is None else "each_county"
                if (ind.code, scope) in fixed:
                    value = fixed[(ind.code, scope)]
                else:
                    base = actuals(ind.code, min(y, last_full), c)
                    if y > last_full and ind.kind != "rate":
                        base *= 1.06
                    value = base
                    if ind.kind == "rate" or ind.unit_zh == "%":
                        value = min(100.0, round((value + rng.uniform(-1.5, 3.5)) * 2) / 2)
                    else:
                        value = value * rng.uniform(0.9, 1.12)
                        value = (
                            round(value, 1) if ind.decimals or ind.unit_zh == "万元" else float(max(1, round(value)))
                        )
                rows.append({"year": y, "indicator": ind.code, "county": c, "chain": None, "target": value})
        out.append(Submission("targets", None, y, None, rows, clean=list(rows)))
    return out


# ---------------------------------------------------------------- submissions and mistakes


def _submissions(world: World) -> list[Submission]:
    """Group records into one submission per county × dataset × quarter (honours in Q4)."""
    groups: dict[tuple[str, str, int, int], list[dict[str, Any]]] = {}
    for ds in reference.datasets():
        for row in world.records.get(ds.dataset, []):
            groups.setdefault((ds.dataset, row["_county"], row["_year"], row["_quarter"]), []).append(row)
    # Every county sends every quarterly form (honours in Q4), "本季度无新增" when it has nothing new,
    # so the file count does not depend on the scale.
    for ds in reference.datasets():
        if ds.dataset == "targets":
            continue
        for c in world.county_codes:
            for y, q in world.quarters:
                if ds.dataset != "honors" or q == 4:
                    groups.setdefault((ds.dataset, c, y, q), [])
    order = {c: i for i, c in enumerate(world.county_codes)}
    keys = sorted(groups, key=lambda k: (order[k[1]], k[2], k[3], k[0]))
    subs = []
    for k in keys:
        rows = groups[k]  # bookkeeping keys (_county, _year, _quarter) are never written
        subs.append(Submission(k[0], k[1], k[2], k[3], list(rows), clean=rows))
    return subs


def _inject_errors(subs: list[Submission], seed: int) -> None:
    """Put about 1% realistic mistakes into data rows (never into targets)."""
    rng = _rng(seed, "errors")
    for sub in subs:
        if sub.dataset == "targets":
            continue
        cols = {c.column: c for c in reference.dataset(sub.dataset).columns}
        new_rows: list[dict[str, Any]] = []
        draws = rng.random((len(sub.rows), 2))
        for row, (draw, dup) in zip(sub.rows, draws, strict=True):
            if draw < ERROR_RATE:
                row = dict(row)
                kinds = ["county", "div0", "negative", "missing"]
                if sub.dataset == "enterprises":
                    kinds += ["members", "members", "credit"]
                if sub.dataset == "aid_cases":
                    kinds += ["id", "id"]
                if row.get("credit_code") and sub.dataset != "enterprises":
                    kinds.append("credit")
                kind = _pick(rng, kinds)
                counts = [n for n, c in cols.items() if c.type in ("count", "money_positive") and row.get(n)]
                required = [n for n, c in cols.items() if c.required and c.type not in ("county", "quarter")]
                if kind == "members" and row["employees"]:
                    row["has_union"] = True
                    row["members"] = row["employees"] + int(rng.integers(1, 50))
                elif kind == "credit":
                    code = row["credit_code"]
                    wrong = CREDIT_CHARS[(CREDIT_CHARS.index(code[17]) + int(rng.integers(1, 30))) % 31]
                    row["credit_code"] = code[:17] + wrong
                elif kind == "id":
                    number = row["id_number"]
                    row["id_number"] = number[:17] + _pick(rng, [ch for ch in ID_CHECK if ch != number[17]])
                elif kind == "county":
                    row["county"] = ("raw", _pick(rng, BAD_COUNTIES))
                elif kind == "div0" and counts:
                    row[_pick(rng, counts)] = ("raw", "#DIV/0!")
                elif kind == "negative" and counts:
                    name = _pick(rng, counts)
                    row[name] = -abs(row[name])
                else:
                    row[_pick(rng, required)] = None
                sub.errors += 1
            new_rows.append(row)
            if dup < 0.0012:  # the same row typed in twice
                new_rows.append(dict(row))
                sub.errors += 1
        sub.rows = new_rows


# ---------------------------------------------------------------- rendering


@dataclass
class Style:
    fmt: str  # xlsx | csv_gbk | csv_bom
    bools: tuple[Any, Any]
    period: str
    native_dates: bool
    date_text: str
    county_name: str
    loose_chains: bool
    headers: dict[str, str]
    units_row: bool
    filler_line: bool
    notes: bool
    total_row: bool
    thousands: bool
    sheet: str


def _style(rng: np.random.Generator, sub: Submission) -> Style:
    ds = reference.dataset(sub.dataset)
    r = rng.random()
    fmt = "xlsx" if r < 0.85 or sub.dataset == "targets" else ("csv_gbk" if r < 0.95 else "csv_bom")
    has_required_bool = any(c.type == "bool" and c.required for c in ds.columns)
    bools = _pick(rng, BOOL_STYLES[:-1] if has_required_bool else BOOL_STYLES)
    headers = {c.column: c.header_zh for c in ds.columns}
    if sub.dataset != "targets" and rng.random() < 0.12:
        aliased = [c for c in ds.columns if c.aliases]
        for c in [aliased[int(i)] for i in rng.choice(len(aliased), min(2, len(aliased)), replace=False)]:
            headers[c.column] = _pick(rng, c.aliases)
    county_name = ""
    if sub.county:
        county = _county(sub.county)
        county_name = _pick(rng, county.aliases) if county.aliases and rng.random() < 0.15 else county.name_zh
    counted = sub.dataset in ("enterprises", "training", "service_activities", "aid_cases")
    return Style(
        fmt=fmt,
        bools=bools,
        period=_pick(rng, PERIOD_STYLES),
        native_dates=fmt == "xlsx" and rng.random() < 0.8,
        date_text=_pick(rng, ("{d:%Y-%m-%d}", "{d.year}/{d.month}/{d.day}", "{d.year}年{d.month}月{d.day}日")),
        county_name=county_name,
        loose_chains=rng.random() < 0.1,
        headers=headers,
        units_row=rng.random() < 0.08,
        filler_line=rng.random() < 0.1,
        notes=rng.random() < 0.12,
        total_row=counted and rng.random() < 0.08,
        thousands=fmt != "xlsx" and rng.random() < 0.2,
        sheet="Sheet1" if rng.random() < 0.7 else ds.title_zh[:31],
    )


def _cell(value: Any, col: reference.Column, style: Style, chains: dict[str, reference.Chain], rng) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "raw":
        return value[1]
    if value is None:
        return None
    if col.type == "quarter":
        y, q = value
        return style.period.format(y=y, q=q, qz=QUARTER_ZH[q - 1])
    if col.type == "bool":
        return style.bools[0] if value else style.bools[1]
    if col.type == "county":
        return style.county_name or value
    if col.type == "chain":
        chain = chains[value]
        return (
            _pick(rng, chain.aliases) if style.loose_chains and chain.aliases and rng.random() < 0.5 else chain.name_zh
        )
    if col.type == "date":
        return value if style.native_dates else style.date_text.format(d=value)
    if style.fmt != "xlsx" and isinstance(value, int) and style.thousands and abs(value) >= 1000:
        return f"{value:,}"
    return value


def _title(sub: Submission) -> str:
    ds = reference.dataset(sub.dataset)
    if sub.county is None:
        return f"{CITY_NAME}{sub.year}年度“五大工程”{ds.title_zh}"
    name = _county(sub.county).name_zh
    when = f"{sub.year}年度" if sub.dataset == "honors" else _quarter_label(sub.year, sub.quarter)
    return f"{when}{name}{ds.title_zh}统计表"


def _path(out_dir: Path, sub: Submission, ext: str) -> Path:
    ds = reference.dataset(sub.dataset)
    if sub.county is None:
        return out_dir / "city" / str(sub.year) / f"{CITY_UNION}_{ds.title_zh}_{sub.year}年度{ext}"
    name = _county(sub.county).name_zh
    folder = out_dir / sub.county / f"{sub.year}Q{sub.quarter}"
    suffix = "_更正" if sub.corrected else ""
    return folder / f"{name}_{ds.title_zh}_{_quarter_label(sub.year, sub.quarter)}{suffix}{ext}"


def _submitted_at(sub: Submission, rng: np.random.Generator) -> float:
    """When the union sent the file (becomes the file's mtime): some days after the period ends."""
    if sub.county is None:
        when = datetime(sub.year, 3, 10, 9) if sub.year == FIRST_YEAR else datetime(sub.year, 1, 20, 9)
    else:
        end = _quarter_end(sub.year, sub.quarter)
        days = 8 + _county_order()[sub.county] + int(rng.integers(0, 10))
        when = datetime(end.year, end.month, end.day, 9) + timedelta(days=days, minutes=int(rng.integers(0, 480)))
    if sub.corrected:
        when += timedelta(days=9)
    return when.replace(tzinfo=UTC).timestamp()


def _columns(sub: Submission) -> list[reference.Column]:
    cols = list(reference.dataset(sub.dataset).columns)
    if sub.dataset == "aid_cases":  # the name sits next to the case number on real forms
        name = [c for c in cols if c.type == "person_name"]
        rest = [c for c in cols if c.type != "person_name"]
        cols = rest[:1] + name + rest[1:]
    return cols


def _table(sub: Submission, style: Style, rng) -> tuple[list[str], list[list[Any]], list[Any] | None]:
    cols = _columns(sub)
    chains = {c.code: c for c in reference.chains()}
    header = [style.headers[c.column] for c in cols]
    body = [[_cell(row.get(c.column), c, style, chains, rng) for c in cols] for row in sub.rows]
    total = None
    if style.total_row:
        total = ["合计"] + [None] * (len(cols) - 1)
        for i, c in enumerate(cols):
            if c.type in ("count", "money") and i > 0:
                vals = [r.get(c.column) for r in sub.clean]
                total[i] = sum(v for v in vals if isinstance(v, int | float))
    return header, body, total


def _lead_lines(sub: Submission, style: Style, when: float) -> list[str]:
    lines = []
    if style.filler_line:
        unit = f"{style.county_name}总工会" if sub.county else CITY_UNION
        d = datetime.fromtimestamp(when, tz=UTC)
        lines.append(f"填报单位：{unit}    填报日期：{d.year}年{d.month}月{d.day}日")
    if style.units_row:
        lines.append("单位：人、个" if sub.dataset != "aid_cases" else "单位：元、人")
    return lines


def _tail_lines(style: Style, rng) -> list[str]:
    if not style.notes:
        return []
    lines = [
        f"填表人：{_person_name(rng)}    审核人：{_person_name(rng)}    联系电话：0538-{int(rng.integers(6000000, 8999999))}"
    ]
    if rng.random() < 0.4:
        lines.append("注：本表由各县市区总工会汇总填报，数据截至季度末。")
    return lines


def _write_xlsx(path: Path, title: str, lead: list[str], header, body, total, tail, style: Style) -> None:
    buffer = io.BytesIO()  # zip in memory, one write to disk (temporary files are the slow part)
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buffer, options)
    wb.set_properties({"created": datetime(2022, 1, 1), "author": "", "company": ""})
    ws = wb.add_worksheet(style.sheet)
    title_fmt = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd" if "-" in style.date_text else "yyyy/m/d"})
    width = len(header)
    ws.set_column(0, width - 1, 14)
    ws.merge_range(0, 0, 0, max(width - 1, 1), title, title_fmt)
    r = 1
    for line in lead:
        ws.write_string(r, 0, line)
        r += 1
    ws.write_row(r, 0, header, head_fmt)
    r += 1
    for row in [*body, *([total] if total else [])]:
        for j, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, date):
                ws.write_datetime(r, j, datetime(v.year, v.month, v.day), date_fmt)
            elif isinstance(v, bool):
                ws.write_string(r, j, "是" if v else "否")
            elif isinstance(v, int | float):
                ws.write_number(r, j, v)
            else:
                ws.write_string(r, j, str(v))
        r += 1
    for line in tail:
        ws.write_string(r, 0, line)
        r += 1
    wb.close()
    path.write_bytes(buffer.getvalue())


def _number_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v)


def _write_csv(path: Path, title: str, lead: list[str], header, body, total, tail, style: Style) -> None:
    width = len(header)
    pad = [""] * (width - 1)
    lines = [[title, *pad], *[[x, *pad] for x in lead], header]
    for row in [*body, *([total] if total else [])]:
        lines.append(["" if v is None else (_number_text(v) if isinstance(v, float) else str(v)) for v in row])
    lines += [[x, *pad] for x in tail]
    encoding = "gbk" if style.fmt == "csv_gbk" else "utf-8-sig"
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(lines)


def _render_key(sub: Submission) -> str:
    return f"{sub.dataset}/{sub.county}/{sub.year}/{sub.quarter}/{int(sub.corrected)}"


def _write(out_dir: Path, sub: Submission, seed: int) -> Path:
    rng = _rng(seed, "render/" + _render_key(sub))  # per file, so files can be written in any order
    style = _style(rng, sub)
    if sub.corrected:
        style.fmt = "xlsx"
    when = _submitted_at(sub, rng)
    path = _path(out_dir, sub, ".xlsx" if style.fmt == "xlsx" else ".csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    header, body, total = _table(sub, style, rng)
    if not sub.rows:
        style.notes, style.total_row = True, False
    lead, tail = _lead_lines(sub, style, when), _tail_lines(style, rng)
    if not sub.rows:
        tail.insert(0, "注：本季度无新增。")
    title = _title(sub)
    if style.fmt == "xlsx":
        _write_xlsx(path, title, lead, header, body, total, tail, style)
    else:
        _write_csv(path, title, lead, header, body, total, tail, style)
    os.utime(path, (when, when))
    return path


def _write_batch(out_dir: Path, subs: list[Submission], seed: int) -> int:
    for sub in subs:
        _write(out_dir, sub, seed)
    return len(subs)


# ---------------------------------------------------------------- entry points


def simulate(seed: int = 2022, scale: float = 1.0) -> tuple[World, list[Submission]]:
    """The synthetic world and the submissions it produces (mistakes included), without writing files."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    world = World(seed, scale).build()
    subs = _submissions(world)
    _inject_errors(subs, seed)
    # One corrected resubmission: the first enterprise file with mistakes, sent again fixed.
    flawed = [s for s in subs if s.dataset == "enterprises" and s.errors and s.year == LAST_YEAR - 1]
    flawed = flawed or [s for s in subs if s.errors]
    if flawed:
        first = flawed[0]
        subs.insert(
            subs.index(first) + 1,
            Submission(
                first.dataset,
                first.county,
                first.year,
                first.quarter,
                [dict(r) for r in first.clean],
                clean=first.clean,
                corrected=True,
            ),
        )
    return world, subs + build_targets(world)


def generate(
    out_dir: Path,
    *,
    seed: int = 2022,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
    counties: Iterable[str] | None = None,
) -> DemoSummary:
    """Write the demo submission files (and `_demo.json`) into out_dir; same seed → byte-identical files.

    `counties` limits the files written to those counties (plus the city's targets); each file is the same
    as in a full run.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg: None)
    say(f"生成模拟数据（种子 {seed}，规模 {scale:g}）…")
    _world, subs = simulate(seed, scale)
    if counties is not None:
        keep = set(counties)
        subs = [sub for sub in subs if sub.county is None or sub.county in keep]
    rows: dict[str, int] = {ds.dataset: 0 for ds in reference.datasets()}
    errors: dict[str, int] = dict.fromkeys(rows, 0)
    for sub in subs:
        if not sub.corrected:
            rows[sub.dataset] += len(sub.rows)
            errors[sub.dataset] += sub.errors
    batches: dict[tuple[str, int], list[Submission]] = {}
    for sub in subs:
        batches.setdefault((sub.county or "city", sub.year), []).append(sub)
    workers = min(2, os.cpu_count() or 1)
    if workers > 1 and len(batches) > 1:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(_write_batch, out_dir, batch, seed): key for key, batch in batches.items()}
            for future in as_completed(futures):
                future.result()
                say(f"已写入{_unit_name(futures[future][0])} {futures[future][1]} 年的报送文件")
    else:
        for (county, year), batch in batches.items():
            _write_batch(out_dir, batch, seed)
            say(f"已写入{_unit_name(county)} {year} 年的报送文件")
    marker = {"seed": seed, "scale": scale, "generator": "data_pipeline.demo"}
    marker_path = out_dir / "_demo.json"
    marker_path.write_text(json.dumps(marker, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    end = _quarter_end(LAST_YEAR, LAST_QUARTER) + timedelta(days=40)
    stamp = datetime(end.year, end.month, end.day, 18, tzinfo=UTC).timestamp()
    os.utime(marker_path, (stamp, stamp))
    seconds = time.perf_counter() - started
    say(f"完成：{len(subs)} 个文件，用时 {seconds:.1f} 秒")
    return DemoSummary(files=len(subs), rows=rows, error_rows=errors, seconds=seconds)

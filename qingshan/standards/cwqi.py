"""City water quality index (城市水质指数, CWQI) and the city/county ranking.

Source: 《城市地表水环境质量排名技术规定（试行）》 (MEP, June 2017), §四 排名方法.
The formulas below follow the reference notes (water.md §3). They agree with two
independent implementations, but the primary text was not seen. Treat the points
marked UNVERIFIED as configuration.

Formulas:

* Item index, §四(二)1: CWQI(i) = C(i) / C_III(i), where C_III is the GB 3838 class III limit.
  Lake and reservoir points use the lake limit for total phosphorus (0.05 mg/L).
* Dissolved oxygen: CWQI(DO) = C_III(DO) / C(DO) = 5 / C. DO is inverted because more is better.
* pH: CWQI(pH) = (7.0 − pH) / (7.0 − 6) when pH ≤ 7, and (pH − 7.0) / (9 − 7.0) when pH > 7.
* Section (river) or point (lake) index: the sum of the item indices over the 21 routine
  items of GB 3838 Table 1. Water temperature, total nitrogen and fecal coliform are
  excluded. An item with no value is skipped and listed in ``missing``: the rule's own
  missing-data clause (§五(二)1) was not retrieved.
* City index, §四(二)3: CWQI_city = (CWQI_river × m + CWQI_lake × n) / (m + n).
  CWQI_river is the mean over the city's m river sections and CWQI_lake the mean over
  its n lake points, so CWQI_city is the mean over all of them. UNVERIFIED: water.md §3 [M].
* Status ranking, §四(三): ascending CWQI. Rank 1 is the cleanest.
* Change ranking, §四(四): ΔCWQI = (CWQI_now − CWQI_base) / CWQI_base × 100 %, ascending,
  so the most improved comes first. Cities whose sections were all class II or better in
  both periods and met their targets are left out; the caller passes them in ``exclude``.
* Ties: equal values share a rank ("1, 2, 2, 4"). Values are compared exactly, or after
  rounding to ``decimals`` if given. The rule's own tie and rounding clause (§五(三)
  数据修约) was not retrieved.

This is **not** the Canadian CCME Water Quality Index, and not the HJ 2.3 standard index.

Pure: no Django, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from types import MappingProxyType
from typing import Any

from qingshan.standards import gb3838
from qingshan.standards.gb3838 import RIVER, ROUTINE_ITEMS, WaterQualityError

SEVEN = Decimal(7)
PH_LOW, PH_HIGH = Decimal(6), Decimal(9)


class CWQIError(WaterQualityError):
    """Input the CWQI rule cannot compute, e.g. DO = 0 or a zero base value."""


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return a / b


def item_index(key: str, value: Any, waterbody: str = RIVER) -> Decimal:
    """CWQI(i) of one item (技术规定 §四(二)1). ``value`` is used as given, without rounding."""
    wb = gb3838.waterbody_of(waterbody)
    if key not in ROUTINE_ITEMS:
        raise CWQIError(f"{key!r} is not one of the 21 CWQI items ({', '.join(ROUTINE_ITEMS)})")
    c = gb3838.to_decimal(value, key)
    if key == "pH":
        return _div(SEVEN - c, SEVEN - PH_LOW) if c <= SEVEN else _div(c - SEVEN, PH_HIGH - SEVEN)
    s3 = gb3838.limit(key, gb3838.WaterClass.III, wb)
    if key == "DO":
        if c == 0:
            raise CWQIError("DO: CWQI(DO) = 5/C is undefined for DO = 0")
        return _div(s3, c)
    return _div(c, s3)


@dataclass(frozen=True)
class SectionIndex:
    """CWQI of one river section or one lake point."""

    waterbody: str
    total: Decimal
    items: Mapping[str, Decimal]
    missing: tuple[str, ...]

    def rounded(self, decimals: int = 4) -> Decimal:
        return quantize(self.total, decimals)


def section_index(values: Mapping[str, Any], waterbody: str = RIVER, *, items: Iterable[str] = ROUTINE_ITEMS) -> SectionIndex:
    """CWQI of a section or point: the sum of the item indices (§四(二)1 and 2).

    Keys outside the 21 items are ignored if they are GB 3838 items (e.g. TN) and
    rejected otherwise. Average the period values first (see
    :func:`qingshan.standards.water_assessment.aggregate`).
    """
    wb = gb3838.waterbody_of(waterbody)
    unknown = [k for k in values if k not in gb3838.TABLE1]
    if unknown:
        raise CWQIError(f"unknown item(s) {', '.join(map(repr, unknown))}")
    wanted = tuple(items)
    parts = {k: item_index(k, values[k], wb) for k in wanted if values.get(k) is not None}
    if not parts:
        raise CWQIError("no CWQI item given")
    with localcontext() as ctx:
        ctx.prec = 28
        total = sum(parts.values(), Decimal(0))
    missing = tuple(k for k in wanted if k not in parts)
    return SectionIndex(wb, total, MappingProxyType(parts), missing)


@dataclass(frozen=True)
class CityIndex:
    river: Decimal | None
    lake: Decimal | None
    city: Decimal
    river_count: int
    lake_count: int


def _value(x: Any) -> Decimal:
    """A non-negative index from a number, a :class:`SectionIndex` or a :class:`CityIndex`."""
    if isinstance(x, SectionIndex):
        return x.total
    if isinstance(x, CityIndex):
        return x.city
    return gb3838.to_decimal(x, "CWQI")


def _signed(x: Any) -> Decimal:
    """Like :func:`_value` but negative numbers (change rates) are allowed."""
    if isinstance(x, (SectionIndex, CityIndex)):
        return _value(x)
    if isinstance(x, (int, float, Decimal, str)) and not isinstance(x, bool):
        try:
            d = Decimal(repr(x)) if isinstance(x, float) else Decimal(x.strip() if isinstance(x, str) else x)
        except ArithmeticError:
            d = None
        if d is not None and d.is_finite():
            return d
    raise CWQIError(f"not a number: {x!r}")


def city_index(river_sections: Iterable[Decimal | SectionIndex], lake_points: Iterable[Decimal | SectionIndex] = ()) -> CityIndex:
    """CWQI_river, CWQI_lake and CWQI_city (§四(二)3), weighted by section and point counts."""
    rivers = [_value(x) for x in river_sections]
    lakes = [_value(x) for x in lake_points]
    m, n = len(rivers), len(lakes)
    if m + n == 0:
        raise CWQIError("a city needs at least one river section or lake point")
    with localcontext() as ctx:
        ctx.prec = 28
        river = sum(rivers, Decimal(0)) / m if m else None
        lake = sum(lakes, Decimal(0)) / n if n else None
        city = ((river or 0) * m + (lake or 0) * n) / (m + n)
    return CityIndex(river, lake, city, m, n)


def change_rate(current: Any, base: Any) -> Decimal:
    """ΔCWQI = (CWQI_now − CWQI_base) / CWQI_base × 100 (percent; negative = improved), §四(四)."""
    now, before = gb3838.to_decimal(current, "current"), gb3838.to_decimal(base, "base")
    if before == 0:
        raise CWQIError("base CWQI is 0: change rate undefined")
    with localcontext() as ctx:
        ctx.prec = 28
        return (now - before) / before * 100


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half to even (GB/T 8170) to ``decimals`` places."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Ranked:
    name: str
    value: Decimal
    rank: int


def rank(values: Mapping[str, Any], *, decimals: int | None = None, exclude: Iterable[str] = ()) -> list[Ranked]:
    """Rank by ascending value (CWQI, or ΔCWQI for the change ranking). Rank 1 is best.

    Equal values (after rounding to ``decimals`` if given) share a rank, and the next
    rank skips ("1, 2, 2, 4"). Names in ``exclude`` are left out. Equal values are
    listed in name order.
    """
    skip = set(exclude)
    items = []
    for name, v in values.items():
        if name in skip:
            continue
        d = _signed(v)
        items.append((name, quantize(d, decimals) if decimals is not None else d))
    items.sort(key=lambda t: (t[1], t[0]))
    out: list[Ranked] = []
    for i, (name, v) in enumerate(items):
        r = out[-1].rank if out and out[-1].value == v else i + 1
        out.append(Ranked(name, v, r))
    return out


def rank_change(current: Mapping[str, Any], base: Mapping[str, Any], *, decimals: int | None = 2, exclude: Iterable[str] = ()) -> list[Ranked]:
    """Change ranking (§四(四)): ΔCWQI in percent, ascending (most improved first).

    Every name must have both values. ``exclude`` lists the cities that are left out,
    e.g. those with all sections class II or better in both periods and meeting targets.
    ``decimals`` (default 2, as in "+12.63%") rounds ΔCWQI before ranking.
    """
    missing = sorted(set(current) ^ set(base))
    if missing:
        raise CWQIError(f"no current or base value for: {', '.join(missing)}")
    rates = {name: change_rate(_value(current[name]), _value(base[name])) for name in current}
    return rank(rates, decimals=decimals, exclude=exclude)

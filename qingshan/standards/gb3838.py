"""GB 3838-2002 Environmental quality standards for surface water: classes of one sample.

What this module does:

* **Table 1** (地表水环境质量标准基本项目标准限值) holds the limits for classes I–V,
  stored as data in :data:`TABLE1`. Each item has a ``direction``:
  ``le`` (the value must be ≤ the limit), ``ge`` (DO only: the value must be ≥ the limit),
  ``range`` (pH 6–9 for every class) or ``none`` (water temperature has no class limits).
  Total phosphorus has a river row and a lake/reservoir (湖、库) row.
* **Table 2** (集中式生活饮用水地表水源地补充项目标准限值) holds the single limits of
  the five supplementary drinking-water items, in :data:`TABLE2`.
* **Single-item class** (单因子): the *best* class whose limit the value meets.
  Limits are inclusive (≤, and ≥ for DO). When classes share a limit, the best one
  wins: COD 15 → I, not II. A value that fails class V is 劣V (``WaterClass.V_PLUS``).
* **Section class**: the worst class over the routine items that are assessed.
  The 21 routine items are Table 1 minus water temperature, total nitrogen and fecal
  coliform. Those three are *reference items*: they are reported, never used for the class.
  This follows 《地表水环境质量评价办法（试行）》 (环办〔2011〕22号) §一(一)1.
  Total nitrogen has limits only for lakes and reservoirs ("湖、库，以N计"). For a river
  it is still classed against those limits, and the result is marked reference only.
* **Main pollutants** (主要污染指标, 办法 §二(一)2) are named only for sections worse
  than class III. The exceedance multiple is 超标倍数 = (C − S_III) / S_III. It is
  never computed for water temperature, pH or DO.
* **Rounding before classing.** Every value is first rounded to the evaluation decimals
  of its item (:data:`EVALUATION_DECIMALS`), using 四舍六入五成双 (round half to even,
  GB/T 8170). If a non-zero value would round to 0, one significant figure is kept
  instead (总站水字〔2018〕87号 《国家地表水环境质量监测数据修约处理规则（试行）》).
  The decimals table was transcribed from a secondary source and is UNVERIFIED
  (water.md §2.2). Change it per call with ``decimals=`` or turn rounding off with
  ``rounding=False``. Example of the effect: NH3-N 1.005 rounds to 1.00, which is III,
  not IV.

All arithmetic uses :class:`decimal.Decimal`. A float is read as the decimal it prints as,
so ``1.005`` means 1.005, not the binary value just below it.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from types import MappingProxyType
from typing import Any

RIVER = "river"
LAKE = "lake"
WATERBODIES = (RIVER, LAKE)
_WATERBODY_ALIASES = {
    "river": RIVER,
    "河流": RIVER,
    "lake": LAKE,
    "reservoir": LAKE,
    "lake_reservoir": LAKE,
    "湖库": LAKE,
    "湖泊": LAKE,
    "水库": LAKE,
}

#: item directions
LE, GE, RANGE, NONE = "le", "ge", "range", "none"


class WaterQualityError(ValueError):
    """Input that GB 3838 cannot classify: unknown item, non-numeric or impossible value."""


# --------------------------------------------------------------------------- classes


class WaterClass(enum.IntEnum):
    """Water quality class (水质类别), ordered I < II < III < IV < V < 劣V."""

    I = 1  # noqa: E741
    II = 2
    III = 3
    IV = 4
    V = 5
    V_PLUS = 6  # 劣V

    @property
    def label(self) -> str:
        """``"I"`` … ``"V"``, ``"劣V"`` (ASCII Roman numerals)."""
        return "劣V" if self is WaterClass.V_PLUS else self.name

    @property
    def roman(self) -> str:
        """The printed form with Unicode Roman numerals: ``"Ⅲ"``, ``"劣Ⅴ"``."""
        return ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")[self - 1]

    @property
    def status(self) -> Status:
        """Qualitative status of a section of this class (办法 §二(一)1, table 1)."""
        return Status.of_class(self)

    @property
    def good(self) -> bool:
        """True for classes I–III (水质优良)."""
        return self <= WaterClass.III

    @classmethod
    def parse(cls, value: Any) -> WaterClass:
        """Read a class from ``WaterClass``, 1–6, ``"III"``, ``"Ⅲ"``, ``"劣V"``, ``"V+"``…"""
        if isinstance(value, WaterClass):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if 1 <= value <= 6:
                return cls(value)
            raise WaterQualityError(f"water class must be 1..6, got {value}")
        if isinstance(value, str):
            key = value.strip().upper().replace("类", "").replace("CLASS", "").strip()
            if key in _CLASS_LABELS:
                return _CLASS_LABELS[key]
        raise WaterQualityError(f"not a water class: {value!r} (use I, II, III, IV, V or 劣V)")

    def __str__(self) -> str:
        return self.label


_CLASS_LABELS: dict[str, WaterClass] = {}
for _c, _names in {
    WaterClass.I: ("I", "Ⅰ", "1"),
    WaterClass.II: ("II", "Ⅱ", "2"),
    WaterClass.III: ("III", "Ⅲ", "3"),
    WaterClass.IV: ("IV", "Ⅳ", "4"),
    WaterClass.V: ("V", "Ⅴ", "5"),
    WaterClass.V_PLUS: ("劣V", "劣Ⅴ", "V+", "Ⅴ+", "V_PLUS", ">V", "6"),
}.items():
    for _n in _names:
        _CLASS_LABELS[_n.upper()] = _c

CLASSES = tuple(WaterClass)
#: the five classes that have limits
LIMIT_CLASSES = (WaterClass.I, WaterClass.II, WaterClass.III, WaterClass.IV, WaterClass.V)


class Status(enum.IntEnum):
    """Qualitative water status (水质状况), best first.

    For a section it follows from the class (办法 §二(一)1): I–II 优, III 良好, IV 轻度污染,
    V 中度污染, 劣V 重度污染. For a river or basin it comes from
    :mod:`qingshan.standards.water_assessment`.
    """

    EXCELLENT = 1
    GOOD = 2
    SLIGHTLY_POLLUTED = 3
    MODERATELY_POLLUTED = 4
    HEAVILY_POLLUTED = 5

    @property
    def label(self) -> str:
        return ("优", "良好", "轻度污染", "中度污染", "重度污染")[self - 1]

    @property
    def colour(self) -> str:
        """Display colour name (表征颜色). From the reference notes; not verified (water.md §2.3)."""
        return ("blue", "green", "yellow", "orange", "red")[self - 1]

    @classmethod
    def of_class(cls, water_class: WaterClass) -> Status:
        return _STATUS_BY_CLASS[WaterClass.parse(water_class)]

    @classmethod
    def parse(cls, value: Any) -> Status:
        if isinstance(value, Status):
            return value
        for s in cls:
            if value in (s.label, s.name, s.name.lower(), s.value):
                return s
        raise WaterQualityError(f"not a water status: {value!r}")

    def __str__(self) -> str:
        return self.label


_STATUS_BY_CLASS = MappingProxyType(
    {
        WaterClass.I: Status.EXCELLENT,
        WaterClass.II: Status.EXCELLENT,
        WaterClass.III: Status.GOOD,
        WaterClass.IV: Status.SLIGHTLY_POLLUTED,
        WaterClass.V: Status.MODERATELY_POLLUTED,
        WaterClass.V_PLUS: Status.HEAVILY_POLLUTED,
    }
)


# --------------------------------------------------------------------------- limits as data


@dataclass(frozen=True)
class Item:
    """One item of Table 1 or Table 2.

    ``limits`` gives the limits of classes I..V in order. For a ``range`` item it is
    ``(low, high)`` and applies to every class. ``lake_limits``, when set, replaces
    ``limits`` for lakes and reservoirs. ``reference`` marks the Table 1 items that
    are reported but not used for the section class.
    """

    key: str
    name: str
    name_en: str
    unit: str
    direction: str
    limits: tuple[Decimal, ...] | None
    lake_limits: tuple[Decimal, ...] | None = None
    reference: bool = False
    lake_only: bool = False
    hj212: str = ""
    table: int = 1

    def limits_for(self, waterbody: str = RIVER) -> tuple[Decimal, ...] | None:
        if waterbody == LAKE and self.lake_limits is not None:
            return self.lake_limits
        return self.limits


def _decimals(xs: Iterable[str] | None) -> tuple[Decimal, ...] | None:
    return None if xs is None else tuple(Decimal(x) for x in xs)


def _row(key, name, name_en, unit, direction, limits, *, lake=None, reference=False, lake_only=False, hj212=""):
    return Item(
        key=key,
        name=name,
        name_en=name_en,
        unit=unit,
        direction=direction,
        limits=_decimals(limits),
        lake_limits=_decimals(lake),
        reference=reference,
        lake_only=lake_only,
        hj212=hj212,
    )


# GB 3838-2002 Table 1, in the order of the standard (item 1 = water temperature).
# mg/L unless noted. Three public transcriptions agree on every number (water.md §1.1).
# DO class I is printed "饱和率90%（或7.5）"; 7.5 mg/L is used, as by every implementation.
# fmt: off
_TABLE1_ROWS = (
    _row("water_temperature", "水温", "water temperature", "℃", NONE, None, reference=True, hj212="w01010"),
    _row("pH", "pH值", "pH", "dimensionless", RANGE, ("6", "9"), hj212="w01001"),
    _row("DO", "溶解氧", "dissolved oxygen", "mg/L", GE, ("7.5", "6", "5", "3", "2"), hj212="w01009"),
    _row("CODMn", "高锰酸盐指数", "permanganate index", "mg/L", LE, ("2", "4", "6", "10", "15"), hj212="w01019"),
    _row("COD", "化学需氧量", "chemical oxygen demand", "mg/L", LE, ("15", "15", "20", "30", "40"), hj212="w01018"),
    _row("BOD5", "五日生化需氧量", "five-day biochemical oxygen demand", "mg/L", LE, ("3", "3", "4", "6", "10"), hj212="w01017"),
    _row("NH3-N", "氨氮", "ammonia nitrogen", "mg/L", LE, ("0.15", "0.5", "1.0", "1.5", "2.0"), hj212="w21003"),
    _row("TP", "总磷", "total phosphorus", "mg/L", LE, ("0.02", "0.1", "0.2", "0.3", "0.4"), hj212="w21011",
         lake=("0.01", "0.025", "0.05", "0.1", "0.2")),  # 湖、库
    _row("TN", "总氮", "total nitrogen", "mg/L", LE, ("0.2", "0.5", "1.0", "1.5", "2.0"), reference=True, lake_only=True, hj212="w21001"),
    _row("Cu", "铜", "copper", "mg/L", LE, ("0.01", "1.0", "1.0", "1.0", "1.0"), hj212="w20122"),
    _row("Zn", "锌", "zinc", "mg/L", LE, ("0.05", "1.0", "1.0", "2.0", "2.0"), hj212="w20123"),
    _row("F", "氟化物", "fluoride", "mg/L", LE, ("1.0", "1.0", "1.0", "1.5", "1.5"), hj212="w21017"),
    _row("Se", "硒", "selenium", "mg/L", LE, ("0.01", "0.01", "0.01", "0.02", "0.02"), hj212="w20128"),
    _row("As", "砷", "arsenic", "mg/L", LE, ("0.05", "0.05", "0.05", "0.1", "0.1"), hj212="w20141"),
    _row("Hg", "汞", "mercury", "mg/L", LE, ("0.00005", "0.00005", "0.0001", "0.001", "0.001"), hj212="w20111"),
    _row("Cd", "镉", "cadmium", "mg/L", LE, ("0.001", "0.005", "0.005", "0.005", "0.01"), hj212="w20115"),
    _row("Cr6", "铬（六价）", "hexavalent chromium", "mg/L", LE, ("0.01", "0.05", "0.05", "0.05", "0.1"), hj212="w20117"),
    _row("Pb", "铅", "lead", "mg/L", LE, ("0.01", "0.01", "0.05", "0.05", "0.1"), hj212="w20120"),
    _row("CN", "氰化物", "cyanide", "mg/L", LE, ("0.005", "0.05", "0.2", "0.2", "0.2"), hj212="w21016"),
    _row("phenol", "挥发酚", "volatile phenol", "mg/L", LE, ("0.002", "0.002", "0.005", "0.01", "0.1"), hj212="w23002"),
    _row("petroleum", "石油类", "petroleum", "mg/L", LE, ("0.05", "0.05", "0.05", "0.5", "1.0"), hj212="w22001"),
    _row("LAS", "阴离子表面活性剂", "anionic surfactant", "mg/L", LE, ("0.2", "0.2", "0.2", "0.3", "0.3"), hj212="w19002"),
    _row("S2-", "硫化物", "sulfide", "mg/L", LE, ("0.05", "0.1", "0.2", "0.5", "1.0"), hj212="w21019"),
    _row("fecal_coliform", "粪大肠菌群", "fecal coliform", "个/L", LE, ("200", "2000", "10000", "20000", "40000"), reference=True, hj212="w02003"),
)
# fmt: on

#: GB 3838-2002 Table 1, by item key, in the order of the standard.
TABLE1: Mapping[str, Item] = MappingProxyType({r.key: r for r in _TABLE1_ROWS})

#: GB 3838-2002 Table 2 (集中式生活饮用水地表水源地补充项目), single limits in mg/L.
TABLE2: Mapping[str, Item] = MappingProxyType(
    {
        r.key: r
        for r in (
            Item("sulfate", "硫酸盐（以SO₄²⁻计）", "sulfate", "mg/L", LE, (Decimal("250"),), hj212="w21038", table=2),
            Item("chloride", "氯化物（以Cl⁻计）", "chloride", "mg/L", LE, (Decimal("250"),), hj212="w21022", table=2),
            Item("nitrate", "硝酸盐（以N计）", "nitrate nitrogen", "mg/L", LE, (Decimal("10"),), hj212="w21007", table=2),
            Item("Fe", "铁", "iron", "mg/L", LE, (Decimal("0.3"),), hj212="w20125", table=2),
            Item("Mn", "锰", "manganese", "mg/L", LE, (Decimal("0.1"),), hj212="w20124", table=2),
        )
    }
)

#: the 21 routine items used for the section class (办法 §一(一)1), in Table 1 order
ROUTINE_ITEMS: tuple[str, ...] = tuple(k for k, it in TABLE1.items() if not it.reference)
#: reported but never used for the class
REFERENCE_ITEMS: tuple[str, ...] = tuple(k for k, it in TABLE1.items() if it.reference)

#: Evaluation decimals per item, for rounding before classing. 四舍六入五成双.
#: UNVERIFIED: transcribed from a secondary source for 总站水字〔2018〕87号 and the
#: 2020 统计规定 (water.md §2.2). A deployment may pass its own table as ``decimals=``.
EVALUATION_DECIMALS: Mapping[str, int] = MappingProxyType(
    {
        "pH": 0,
        "fecal_coliform": 0,
        "water_temperature": 1,
        "DO": 1,
        "CODMn": 1,
        "COD": 1,
        "BOD5": 1,
        "NH3-N": 2,
        "TN": 2,
        "petroleum": 2,
        "LAS": 2,
        "TP": 3,
        "Cu": 3,
        "Zn": 3,
        "F": 3,
        "Cr6": 3,
        "Pb": 3,
        "CN": 3,
        "S2-": 3,
        "Se": 4,
        "As": 4,
        "phenol": 4,
        "Hg": 5,
        "Cd": 5,
    }
)

#: Items that become main pollutants first when they exceed class III: "当氰化物或铅、铬等重金属
#: 超标时，优先作为主要污染指标" (办法 §二(一)2). Which metals count is not spelled out;
#: Hg, Cd, As are added to the named Pb and Cr (the usual 五类重金属). Configurable.
PRIORITY_ITEMS: tuple[str, ...] = ("CN", "Hg", "Cd", "Pb", "Cr6", "As")

#: pH values outside this range are rejected as impossible input
PH_PLAUSIBLE = (Decimal(0), Decimal(14))


def item(key: str) -> Item:
    """The Table 1 or Table 2 item with this key (``"NH3-N"``, ``"Fe"`` …)."""
    found = TABLE1.get(key) or TABLE2.get(key)
    if found is None:
        raise WaterQualityError(f"unknown item {key!r}; known: {', '.join([*TABLE1, *TABLE2])}")
    return found


def waterbody_of(value: Any) -> str:
    """Normalise a waterbody kind: ``"river"`` or ``"lake"`` (lakes and reservoirs)."""
    if isinstance(value, str) and value.strip().lower() in _WATERBODY_ALIASES:
        return _WATERBODY_ALIASES[value.strip().lower()]
    raise WaterQualityError(f'waterbody must be "river" or "lake" (lake or reservoir), got {value!r}')


def limit(key: str, water_class: WaterClass | str | int, waterbody: str = RIVER) -> Decimal:
    """Table 1 limit of an item for a class (I–V). pH has no single limit and DO is a minimum."""
    it = TABLE1.get(key)
    if it is None:
        raise WaterQualityError(f"unknown Table 1 item {key!r}")
    wc = WaterClass.parse(water_class)
    limits = it.limits_for(waterbody_of(waterbody))
    if limits is None or it.direction == RANGE:
        raise WaterQualityError(f"{key} has no per-class limit")
    if wc is WaterClass.V_PLUS:
        raise WaterQualityError("劣V has no limit")
    return limits[wc - 1]


# --------------------------------------------------------------------------- values


def to_decimal(value: Any, key: str = "value") -> Decimal:
    """A finite, non-negative measurement as Decimal; floats are read as they print."""
    if isinstance(value, bool) or value is None:
        raise WaterQualityError(f"{key}: value must be a number, got {value!r}")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise WaterQualityError(f"{key}: value must be finite, got {value!r}")
        d = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            d = Decimal(value.strip())
        except InvalidOperation:
            raise WaterQualityError(f"{key}: not a number: {value!r}") from None
    else:
        raise WaterQualityError(f"{key}: value must be a number, got {type(value).__name__}")
    if not d.is_finite():
        raise WaterQualityError(f"{key}: value must be finite, got {value!r}")
    if d < 0:
        raise WaterQualityError(f"{key}: a concentration cannot be negative, got {value!r}")
    if key == "pH" and not (PH_PLAUSIBLE[0] <= d <= PH_PLAUSIBLE[1]):
        raise WaterQualityError(f"pH: must be between 0 and 14, got {value!r}")
    return d


def round_half_even(value: Decimal, decimals: int) -> Decimal:
    """Round to ``decimals`` places, 四舍六入五成双. A non-zero value never becomes 0:
    then one significant figure is kept (总站水字〔2018〕87号)."""
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    if q == 0 and value != 0:
        q = value.quantize(Decimal(1).scaleb(value.adjusted()), rounding=ROUND_HALF_EVEN)
    return q


def evaluation_value(key: str, value: Any, *, rounding: bool = True, decimals: Mapping[str, int] | None = None) -> Decimal:
    """The value used for classing: validated, then rounded to the item's evaluation decimals."""
    d = to_decimal(value, key)
    if not rounding:
        return d
    places = (EVALUATION_DECIMALS if decimals is None else decimals).get(key)
    return d if places is None else round_half_even(d, places)


# --------------------------------------------------------------------------- single item


def class_of(key: str, value: Decimal, waterbody: str = RIVER) -> WaterClass | None:
    """Single-item class of an already evaluated value (no rounding here).

    The best class whose limit is met (inclusive); 劣V if class V fails.
    ``None`` for water temperature, which has no class limits (GB 3838 Table 1 item 1).
    """
    it = TABLE1.get(key)
    if it is None:
        raise WaterQualityError(f"unknown Table 1 item {key!r}")
    limits = it.limits_for(waterbody)
    if it.direction == NONE or limits is None:
        return None
    if it.direction == RANGE:
        low, high = limits
        return WaterClass.I if low <= value <= high else WaterClass.V_PLUS
    for wc, lim in zip(LIMIT_CLASSES, limits, strict=True):
        if (value <= lim) if it.direction == LE else (value >= lim):
            return wc
    return WaterClass.V_PLUS


def exceedance_multiple(key: str, value: Decimal, waterbody: str = RIVER, against: Decimal | None = None) -> Decimal | None:
    """超标倍数 (C − S)/S against the class III limit (or ``against``), 办法 §二(一)2.

    ``None`` when the value does not exceed, or for items with no multiple
    (water temperature, pH, DO).
    """
    it = item(key)
    if it.direction != LE:
        return None
    s = against if against is not None else it.limits_for(waterbody_of(waterbody))[0 if it.table == 2 else 2]
    if value <= s:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        return (value - s) / s


@dataclass(frozen=True)
class ItemResult:
    """The class of one item of one sample.

    ``raw`` is the input value and ``value`` is the value after rounding. ``assessed``
    is True if the item counts toward the section class.
    """

    item: str
    raw: Decimal
    value: Decimal
    water_class: WaterClass | None
    exceedance_multiple: Decimal | None
    assessed: bool
    note: str = ""

    @property
    def name(self) -> str:
        return item(self.item).name


def classify_item(
    key: str,
    value: Any,
    waterbody: str = RIVER,
    *,
    rounding: bool = True,
    decimals: Mapping[str, int] | None = None,
) -> ItemResult:
    """Class of one Table 1 item (single-factor, GB 3838-2002 Table 1), after rounding.

    >>> classify_item("NH3-N", "1.005").water_class.label
    'III'
    """
    wb = waterbody_of(waterbody)
    if key not in TABLE1:
        raise WaterQualityError(f"unknown Table 1 item {key!r}; known: {', '.join(TABLE1)}")
    it = TABLE1[key]
    raw = to_decimal(value, key)
    v = evaluation_value(key, raw, rounding=rounding, decimals=decimals)
    wc = class_of(key, v, wb)
    mult = exceedance_multiple(key, v, wb) if wc is not None and wc > WaterClass.III else None
    note = ""
    if it.reference:
        note = "reference item: reported, not used for the section class"
        if it.lake_only and wb == RIVER:
            note += "; GB 3838 gives TN limits for lakes and reservoirs only"
    return ItemResult(key, raw, v, wc, mult, not it.reference, note)


# --------------------------------------------------------------------------- main pollutants


@dataclass(frozen=True)
class MainPollutantRule:
    """How main pollutants are chosen and displayed (办法 §二(一)2).

    The 办法 leaves several choices open (water.md §2.5). These are the defaults:

    * ``priority_items`` (cyanide and heavy metals) come first when they exceed class III.
      Among themselves they are ordered the same way as the other items.
    * The other items are ordered by class, worst first. Within a class, a larger
      exceedance multiple comes first. Items with no multiple (pH, DO) come after the
      items of the same class that have one. Remaining ties keep Table 1 order.
    * ``max_count`` is 3.
    * The multiple is shown with ``display_decimals`` = 1, rounded half to even
      (GB/T 8170), as in the 办法's example "高锰酸盐指数(1.2)".
    """

    max_count: int = 3
    priority_items: tuple[str, ...] = PRIORITY_ITEMS
    display_decimals: int = 1
    display_rounding: str = ROUND_HALF_EVEN


DEFAULT_MAIN_POLLUTANT_RULE = MainPollutantRule()


@dataclass(frozen=True)
class MainPollutant:
    item: str
    name: str
    water_class: WaterClass
    exceedance_multiple: Decimal | None
    label: str

    def display_multiple(self, rule: MainPollutantRule = DEFAULT_MAIN_POLLUTANT_RULE) -> Decimal | None:
        return format_multiple(self.exceedance_multiple, rule)


def format_multiple(multiple: Decimal | None, rule: MainPollutantRule = DEFAULT_MAIN_POLLUTANT_RULE) -> Decimal | None:
    if multiple is None:
        return None
    return multiple.quantize(Decimal(1).scaleb(-rule.display_decimals), rounding=rule.display_rounding)


def main_pollutants(results: Iterable[ItemResult], rule: MainPollutantRule = DEFAULT_MAIN_POLLUTANT_RULE) -> tuple[MainPollutant, ...]:
    """Main pollutants (主要污染指标) among assessed items worse than class III, 办法 §二(一)2.

    The caller decides whether the section is worse than III. :func:`classify` does this.
    """
    order = {k: i for i, k in enumerate(TABLE1)}
    candidates = [r for r in results if r.assessed and r.water_class is not None and r.water_class > WaterClass.III]

    def sort_key(r: ItemResult):
        has_multiple = r.exceedance_multiple is not None
        return (
            0 if r.item in rule.priority_items else 1,
            -int(r.water_class),
            0 if has_multiple else 1,
            -(r.exceedance_multiple or 0),
            order.get(r.item, len(order)),
        )

    chosen = sorted(candidates, key=sort_key)[: rule.max_count]
    out = []
    for r in chosen:
        shown = format_multiple(r.exceedance_multiple, rule)
        name = item(r.item).name
        out.append(MainPollutant(r.item, name, r.water_class, r.exceedance_multiple, f"{name}({shown})" if shown is not None else name))
    return tuple(out)


# --------------------------------------------------------------------------- section


@dataclass(frozen=True)
class SectionResult:
    """The class of one sample or one period value of a section (断面).

    ``items`` covers every Table 1 item given, reference items included.
    ``missing`` lists the assessed items that were not given.
    """

    waterbody: str
    water_class: WaterClass
    items: Mapping[str, ItemResult]
    main_pollutants: tuple[MainPollutant, ...]
    assessed_items: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())

    @property
    def status(self) -> Status:
        return self.water_class.status

    def item_classes(self, *, reference: bool = False) -> dict[str, WaterClass | None]:
        """Class per item: the assessed items, or the reference items if ``reference=True``."""
        return {k: r.water_class for k, r in self.items.items() if r.assessed != reference}

    def exceedance_multiples(self) -> dict[str, Decimal]:
        """Exceedance multiples of the assessed items worse than class III."""
        return {k: r.exceedance_multiple for k, r in self.items.items() if r.assessed and r.exceedance_multiple is not None}

    def exceeding_items(self) -> tuple[str, ...]:
        """Assessed items worse than class III (超标指标), in Table 1 order."""
        return tuple(k for k, r in self.items.items() if r.assessed and r.water_class is not None and r.water_class > WaterClass.III)

    def as_dict(self) -> dict[str, Any]:
        return {
            "class": self.water_class.label,
            "status": self.status.label,
            "item_classes": {k: (c.label if c else None) for k, c in self.item_classes().items()},
            "reference_items": {k: (c.label if c else None) for k, c in self.item_classes(reference=True).items()},
            "main_pollutants": [m.item for m in self.main_pollutants],
            "main_pollutant_labels": [m.label for m in self.main_pollutants],
            "exceedance_multiples": self.exceedance_multiples(),
            "values": {k: r.value for k, r in self.items.items()},
            "missing": list(self.missing),
        }


def classify(
    values: Mapping[str, Any],
    waterbody: str = RIVER,
    *,
    rounding: bool = True,
    decimals: Mapping[str, int] | None = None,
    items: Iterable[str] | None = None,
    rule: MainPollutantRule = DEFAULT_MAIN_POLLUTANT_RULE,
) -> SectionResult:
    """Section class (断面水质类别) by the single-factor method, 办法 §二(一)1.

    ``values`` maps item keys (:data:`TABLE1`) to measurements. ``None`` means not
    measured. The class is the worst over the assessed items that were given.
    ``items`` sets which items are assessed: the 21 :data:`ROUTINE_ITEMS` by default;
    drinking-water sources use :data:`ROUTINE_ITEMS` without COD. Reference items are
    classed and reported but never assessed. Main pollutants are named only when the
    class is worse than III.
    """
    if not isinstance(values, Mapping):
        raise WaterQualityError("values must be a mapping of item key to measurement")
    wb = waterbody_of(waterbody)
    assessed = tuple(ROUTINE_ITEMS if items is None else items)
    for k in assessed:
        if k not in TABLE1 or TABLE1[k].reference:
            raise WaterQualityError(f"{k!r} cannot be an assessed item (routine items: {', '.join(ROUTINE_ITEMS)})")
    unknown = [k for k in values if k not in TABLE1]
    if unknown:
        raise WaterQualityError(f"unknown item(s) {', '.join(map(repr, unknown))}; known: {', '.join(TABLE1)}")
    results: dict[str, ItemResult] = {}
    for k in TABLE1:  # Table 1 order
        if k in values and values[k] is not None:
            r = classify_item(k, values[k], wb, rounding=rounding, decimals=decimals)
            if r.assessed and k not in assessed:
                r = ItemResult(r.item, r.raw, r.value, r.water_class, r.exceedance_multiple, False, "not assessed")
            results[k] = r
    used = [r.water_class for r in results.values() if r.assessed]
    if not used:
        raise WaterQualityError(f"no assessed item given (need at least one of {', '.join(assessed)})")
    wc = max(used)
    mains = main_pollutants(results.values(), rule) if wc > WaterClass.III else ()
    missing = tuple(k for k in assessed if k not in results)
    return SectionResult(wb, wc, MappingProxyType(results), mains, assessed, missing)


# --------------------------------------------------------------------------- Table 2


@dataclass(frozen=True)
class LimitCheck:
    """Compliance of one item with a single limit (Table 2, Table 3 or class III)."""

    item: str
    name: str
    value: Decimal
    limit: Decimal | None
    compliant: bool
    exceedance_multiple: Decimal | None


def check_supplementary(values: Mapping[str, Any]) -> tuple[LimitCheck, ...]:
    """GB 3838-2002 Table 2: compliance of the drinking-water supplementary items.

    Limits are inclusive (Fe 0.3 is compliant). 超标倍数 = (C − S)/S. No rounding is
    applied: the evaluation decimals of these items are not in the notes.
    """
    out = []
    for k, raw in values.items():
        if k not in TABLE2:
            raise WaterQualityError(f"unknown Table 2 item {k!r}; known: {', '.join(TABLE2)}")
        if raw is None:
            continue
        it = TABLE2[k]
        v = to_decimal(raw, k)
        s = it.limits[0]
        out.append(LimitCheck(k, it.name, v, s, v <= s, exceedance_multiple(k, v, against=s)))
    return tuple(out)

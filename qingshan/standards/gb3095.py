"""GB 3095 ambient air quality standard: concentration limits and data validity, as data.

Editions (selected by the date of the data, :func:`edition_for`):

* **GB 3095-2012** (in force nationwide 2016-01-01; amendment 1 of 2018 moved the
  gaseous pollutants to the reference state 298.15 K / 1013.25 hPa from
  2018-09-01). Table 1 (basic items) and Table 2 (other items).
* **GB 3095—2026**, in force 2026-03-01, with *transitional* limits
  2026-03-01 … 2030-12-31 and *final* limits from 2031-01-01 (§4.4, 前言).
  Table 1 and Table 2 as transcribed in ``/work/shared/reference/air.md`` §2.1.

Limits are ``(class 1, class 2)`` for 一类区 (national parks, nature reserves and
other special-protection areas) and 二类区 (residential, commercial, traffic,
cultural, industrial and rural areas), GB 3095 §4.1. Units: µg/m³, except CO in
mg/m³. Averaging keys: ``"annual"``, ``"quarterly"``, ``"24h"`` (日平均),
``"8h"`` (O3 日最大8小时平均), ``"1h"``.

Validity (GB 3095-2012 Table 4, unchanged in GB 3095—2026 Table 4) is in
:data:`VALIDITY`; :mod:`qingshan.standards.hj663` applies it.

Compliance with these limits is **not** the same as "AQI ≤ 100": from 2031 the
secondary PM2.5/PM10/SO2/NO2 limits are lower than the HJ 633 IAQI-100
breakpoints (air.md §0.4). Judge compliance here, categories in
:mod:`qingshan.standards.hj633`.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

ANNUAL = "annual"
QUARTERLY = "quarterly"
DAILY = "24h"
MAX_8H = "8h"
HOURLY = "1h"
AVERAGING = (ANNUAL, QUARTERLY, DAILY, MAX_8H, HOURLY)

#: the six basic pollutants, in the order of HJ 633 Table 1 / GB 3095 Table 1
BASIC_POLLUTANTS = ("SO2", "NO2", "PM10", "CO", "O3", "PM2.5")


class LimitError(ValueError):
    """A pollutant, averaging period, zone class or date the limit tables do not cover."""


def _d(x: str) -> Decimal:
    return Decimal(x)


def _table(rows: Mapping[tuple[str, str], tuple[str, str]]) -> Mapping[tuple[str, str], tuple[Decimal, Decimal]]:
    return MappingProxyType({k: (_d(a), _d(b)) for k, (a, b) in rows.items()})


#: GB 3095-2012 Table 1 + Table 2, (class 1, class 2).
LIMITS_2012 = _table(
    {
        ("SO2", ANNUAL): ("20", "60"),
        ("SO2", DAILY): ("50", "150"),
        ("SO2", HOURLY): ("150", "500"),
        ("NO2", ANNUAL): ("40", "40"),
        ("NO2", DAILY): ("80", "80"),
        ("NO2", HOURLY): ("200", "200"),
        ("CO", DAILY): ("4", "4"),
        ("CO", HOURLY): ("10", "10"),
        ("O3", MAX_8H): ("100", "160"),
        ("O3", HOURLY): ("160", "200"),
        ("PM10", ANNUAL): ("40", "70"),
        ("PM10", DAILY): ("50", "150"),
        ("PM2.5", ANNUAL): ("15", "35"),
        ("PM2.5", DAILY): ("35", "75"),
        ("TSP", ANNUAL): ("80", "200"),
        ("TSP", DAILY): ("120", "300"),
        ("NOx", ANNUAL): ("50", "50"),
        ("NOx", DAILY): ("100", "100"),
        ("NOx", HOURLY): ("250", "250"),
        ("Pb", ANNUAL): ("0.5", "0.5"),
        ("Pb", QUARTERLY): ("1", "1"),
        ("BaP", ANNUAL): ("0.001", "0.001"),
        ("BaP", DAILY): ("0.0025", "0.0025"),
    }
)

#: GB 3095—2026 Table 1 + Table 2, transitional limits (2026-03-01 … 2030-12-31).
LIMITS_2026_TRANSITIONAL = _table(
    {
        ("SO2", ANNUAL): ("20", "60"),
        ("SO2", DAILY): ("50", "150"),
        ("SO2", HOURLY): ("150", "500"),
        ("NO2", ANNUAL): ("40", "40"),
        ("NO2", DAILY): ("80", "80"),
        ("NO2", HOURLY): ("200", "200"),
        ("CO", DAILY): ("4", "4"),
        ("CO", HOURLY): ("10", "10"),
        ("O3", MAX_8H): ("100", "160"),
        ("O3", HOURLY): ("160", "200"),
        ("PM10", ANNUAL): ("40", "60"),
        ("PM10", DAILY): ("50", "120"),
        ("PM2.5", ANNUAL): ("15", "30"),
        ("PM2.5", DAILY): ("35", "60"),
        ("TSP", ANNUAL): ("80", "200"),
        ("TSP", DAILY): ("120", "300"),
        ("NOx", ANNUAL): ("50", "50"),
        ("NOx", DAILY): ("100", "100"),
        ("NOx", HOURLY): ("250", "250"),
        ("Pb", ANNUAL): ("0.5", "0.5"),
        ("Pb", QUARTERLY): ("1", "1"),
        ("BaP", ANNUAL): ("0.001", "0.001"),
        ("BaP", DAILY): ("0.0025", "0.0025"),
    }
)

#: GB 3095—2026 Table 1 + Table 2, final limits (from 2031-01-01).
LIMITS_2026_FINAL = _table(
    {
        ("SO2", ANNUAL): ("20", "20"),
        ("SO2", DAILY): ("50", "50"),
        ("SO2", HOURLY): ("150", "150"),
        ("NO2", ANNUAL): ("30", "30"),
        ("NO2", DAILY): ("50", "50"),
        ("NO2", HOURLY): ("200", "200"),
        ("CO", DAILY): ("4", "4"),
        ("CO", HOURLY): ("10", "10"),
        ("O3", MAX_8H): ("100", "160"),
        ("O3", HOURLY): ("160", "200"),
        ("PM10", ANNUAL): ("20", "50"),
        ("PM10", DAILY): ("50", "100"),
        ("PM2.5", ANNUAL): ("10", "25"),
        ("PM2.5", DAILY): ("25", "50"),
        ("TSP", ANNUAL): ("80", "200"),
        ("TSP", DAILY): ("120", "300"),
        ("NOx", ANNUAL): ("40", "40"),
        ("NOx", DAILY): ("70", "70"),
        ("NOx", HOURLY): ("250", "250"),
        ("Pb", ANNUAL): ("0.5", "0.5"),
        ("Pb", QUARTERLY): ("1", "1"),
        ("BaP", ANNUAL): ("0.001", "0.001"),
        ("BaP", DAILY): ("0.0025", "0.0025"),
    }
)

UNITS = MappingProxyType({"CO": "mg/m³"})  # everything else µg/m³


@dataclass(frozen=True, eq=False)  # identity: holds mappings
class Edition:
    """One set of limits with its period of application."""

    code: str
    title: str
    effective_from: datetime.date
    effective_until: datetime.date | None  # inclusive; None = open-ended
    limits: Mapping[tuple[str, str], tuple[Decimal, Decimal]]
    clause: str

    def limit(self, pollutant: str, averaging: str, zone_class: int = 2) -> Decimal:
        """The concentration limit (µg/m³, CO mg/m³) for a pollutant and averaging period."""
        if zone_class not in (1, 2):
            raise LimitError(f"zone class must be 1 or 2, got {zone_class!r}")
        try:
            pair = self.limits[(pollutant, averaging)]
        except KeyError:
            have = sorted(a for p, a in self.limits if p == pollutant)
            if not have:
                raise LimitError(f"{self.title} has no limits for pollutant {pollutant!r}") from None
            raise LimitError(
                f"{self.title} has no {averaging!r} limit for {pollutant}; it has: {', '.join(have)}"
            ) from None
        return pair[zone_class - 1]


EDITIONS: tuple[Edition, ...] = (
    Edition(
        "2012",
        "GB 3095-2012",
        datetime.date(2016, 1, 1),
        datetime.date(2026, 2, 28),
        LIMITS_2012,
        "GB 3095-2012 Tables 1-2 (amendment 1, 2018: gases at 298.15 K, 1013.25 hPa from 2018-09-01)",
    ),
    Edition(
        "2026-transitional",
        "GB 3095—2026 (transitional limits)",
        datetime.date(2026, 3, 1),
        datetime.date(2030, 12, 31),
        LIMITS_2026_TRANSITIONAL,
        "GB 3095—2026 Tables 1-2, transitional limits, §4.4",
    ),
    Edition(
        "2026-final",
        "GB 3095—2026 (final limits)",
        datetime.date(2031, 1, 1),
        None,
        LIMITS_2026_FINAL,
        "GB 3095—2026 Tables 1-2, final limits, §4.4",
    ),
)
EDITIONS_BY_CODE = MappingProxyType({e.code: e for e in EDITIONS})


def edition_for(day: datetime.date | str | Edition) -> Edition:
    """The edition whose limits apply on ``day`` (a date, an edition code, or an Edition).

    Dates before 2016-01-01 get GB 3095-2012 as well: the platform carries no
    GB 3095-1996 limits.
    """
    if isinstance(day, Edition):
        return day
    if isinstance(day, str):
        try:
            return EDITIONS_BY_CODE[day]
        except KeyError:
            raise LimitError(f"unknown GB 3095 edition {day!r}; known: {', '.join(EDITIONS_BY_CODE)}") from None
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not isinstance(day, datetime.date):
        raise LimitError(f"expected a date or an edition code, got {day!r}")
    for e in reversed(EDITIONS):
        if day >= e.effective_from:
            return e
    return EDITIONS[0]


def limit(pollutant: str, averaging: str, day: datetime.date | str | Edition, zone_class: int = 2) -> Decimal:
    """Limit of GB 3095 Table 1/2 in force on ``day`` (class 2 by default)."""
    return edition_for(day).limit(pollutant, averaging, zone_class)


def _frac(value: Any, what: str) -> Fraction:
    if isinstance(value, bool) or value is None:
        raise LimitError(f"{what} must be a number, got {value!r}")
    try:
        if isinstance(value, float):
            return Fraction(Decimal(repr(value)))
        return Fraction(value)
    except (TypeError, ValueError, ArithmeticError):
        raise LimitError(f"{what} must be a finite number, got {value!r}") from None


def exceedance_multiple(concentration: Any, limit_value: Any) -> Fraction:
    """超标倍数 = (C − S) / S (negative when the limit is met); exact."""
    c, s = _frac(concentration, "concentration"), _frac(limit_value, "limit")
    if s <= 0:
        raise LimitError(f"limit must be positive, got {limit_value!r}")
    return (c - s) / s


def exceeds(
    concentration: Any, pollutant: str, averaging: str, day: datetime.date | str | Edition, zone_class: int = 2
) -> bool:
    """True when ``concentration`` is strictly above the limit (a value equal to the limit meets it).

    Compare the *reported* value (rounded per GB/T 8170, see
    :func:`qingshan.standards.hj633.round_gbt8170`) as official statistics do.
    """
    return _frac(concentration, "concentration") > limit(pollutant, averaging, day, zone_class)


# --------------------------------------------------------------------------- validity

#: GB 3095-2012 Table 4 / GB 3095—2026 Table 4: minimum data for a valid statistic.
#: ``hours_per_day``: valid hourly means in a natural day for a daily mean;
#: ``hours_per_8h``: valid hourly means in each 8-hour window (O3);
#: ``minutes_per_hour``: sampling minutes for a valid hourly mean (gases);
#: ``days_per_year`` / ``days_per_month`` / ``days_per_february``: valid daily means.
VALIDITY = MappingProxyType(
    {
        "minutes_per_hour": 45,
        "hours_per_day": 20,
        "hours_per_8h": 6,
        "days_per_year": 324,
        "days_per_month": 27,
        "days_per_february": 25,
        "clause": "GB 3095-2012 Table 4 (= GB 3095—2026 Table 4)",
    }
)

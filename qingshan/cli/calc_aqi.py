"""``qingshan calc aqi``: HJ 633 AQI of one daily or hourly record.

Reads a JSON object on stdin, for example (daily report)::

    {"SO2_24h": 12, "NO2_24h": 40, "PM10_24h": 80, "CO_24h": 1.1,
     "O3_1h": 160, "O3_8h": 140, "PM2.5_24h": 60}

or (``--report hourly``) ``SO2_1h, NO2_1h, CO_1h, O3_1h, PM10_1h, PM2.5_1h``
(CO in mg/m³, the others in µg/m³), and prints::

    {"aqi": 100, "iaqi": {...}, "primary_pollutants": ["PM2.5"],
     "level": 2, "category": "良", ...}

``exceeding_pollutants`` is printed under HJ 633—2012 only. A value may be
``null`` or ``"NA"`` (missing: HJ 633—2026 §5.3.1) or ``"/"`` (not in the
monitoring plan: §5.3.2); an unpublishable AQI prints as ``"NA"``. Keys
that are not given are left out of the report (``--complete`` treats them as
missing instead). Details: docs/air.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from qingshan.cli.calc import InputError
from qingshan.standards import hj633


def add_arguments(parser) -> None:
    parser.add_argument(
        "--standard",
        choices=hj633.STANDARDS,
        default=None,
        help="HJ 633 edition (default 2026, or the one in force on --date)",
    )
    parser.add_argument("--report", choices=hj633.REPORTS, default=hj633.DAILY, help="daily (default) or hourly report")
    parser.add_argument("--date", help="date of the data (YYYY-MM-DD): selects the edition in force (2012 before 2026-03-01)")
    parser.add_argument(
        "--complete",
        action="store_true",
        help="treat indicators of the report that are not in the input as missing (NA)",
    )


def _standard(args) -> hj633.RuleSet:
    date = getattr(args, "date", None)
    standard = getattr(args, "standard", None)
    if date:
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"--date must be YYYY-MM-DD, got {date!r}") from None
        by_date = hj633.rules_for(day)
        if standard and standard != by_date.code:
            raise InputError(f"--standard {standard} contradicts --date {date} (HJ 633—{by_date.code} in force)")
        return by_date
    return hj633.rules_for(standard or hj633.STANDARD_2026)


def run(args, data: Any) -> dict:
    if not isinstance(data, Mapping):
        raise InputError('input must be a JSON object of indicator values, e.g. {"PM2.5_24h": 60}')
    if not data:
        raise InputError("input has no indicator values")
    for key, value in data.items():
        if isinstance(value, (bool, list, dict)):
            raise InputError(f"{key}: value must be a number, null, \"NA\" or \"/\", got {value!r}")
    rules = _standard(args)
    report = getattr(args, "report", None) or hj633.DAILY
    try:
        result = hj633.aqi(data, rules, report, absent="missing" if getattr(args, "complete", False) else "ignore")
    except hj633.AQIError as exc:
        raise InputError(str(exc)) from None
    return result.as_dict()

"""``qingshan calc water``: GB 3838-2002 class of one surface-water sample.

Reads one JSON object on stdin, for example::

    {"waterbody": "river",
     "values": {"pH": 7.4, "DO": 5.5, "CODMn": 5.2, "COD": 18, "BOD5": 3.1,
                "NH3-N": 1.2, "TP": 0.18}}

and prints::

    {"class": "IV", "status": "轻度污染", "item_classes": {...},
     "main_pollutants": ["NH3-N"], "exceedance_multiples": {"NH3-N": 0.2}, ...}

Input:

* ``waterbody`` is ``"river"`` (the default) or ``"lake"`` (lakes and reservoirs use the
  lake limits for TP).
* The item keys are pH DO CODMn COD BOD5 NH3-N TP TN Cu Zn F Se As Hg Cd Cr6 Pb CN phenol
  petroleum LAS S2- fecal_coliform, and water_temperature.
* Values must be JSON numbers.

Output:

* ``item_classes`` lists the items used for the class.
* ``reference_items`` lists water temperature, TN and fecal coliform: classed and shown,
  never used.
* ``exceedance_multiples`` = (C − S_III)/S_III for the assessed items worse than
  class III, rounded to 4 decimals.
* ``main_pollutant_labels`` show the multiple with 1 decimal, as in the 办法:
  "氨氮(0.2)".

Values are rounded to the evaluation decimals before classing (``values`` shows them).
``--no-rounding`` classes the raw values. Details: docs/water.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from qingshan.cli.calc import InputError
from qingshan.standards import gb3838

TOP_KEYS = {"waterbody", "values"}
MULTIPLE_DECIMALS = 4


def add_arguments(parser) -> None:
    parser.add_argument(
        "--no-rounding",
        action="store_true",
        help="class the values as given, without rounding them to the evaluation decimals first",
    )


def _number(d: Decimal | None) -> int | float | None:
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() and abs(d) < 10**15 else float(d)


def run(args, data: Any) -> dict:
    if not isinstance(data, Mapping):
        raise InputError('input must be a JSON object: {"waterbody": "river", "values": {"pH": 7.4, ...}}')
    extra = set(data) - TOP_KEYS
    if extra:
        raise InputError(f"unknown key(s) {', '.join(sorted(map(repr, extra)))}; expected waterbody and values")
    values = data.get("values")
    if not isinstance(values, Mapping) or not values:
        raise InputError('"values" must be a non-empty object of item values, e.g. {"NH3-N": 1.2}')
    unknown = [k for k in values if k not in gb3838.TABLE1]
    if unknown:
        raise InputError(f"unknown item(s) {', '.join(map(repr, unknown))}; known: {', '.join(gb3838.TABLE1)}")
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{key}: value must be a number, got {value!r}")
    waterbody = data.get("waterbody", gb3838.RIVER)
    try:
        result = gb3838.classify(values, waterbody, rounding=not getattr(args, "no_rounding", False))
    except gb3838.WaterQualityError as exc:
        raise InputError(str(exc)) from None
    q = Decimal(1).scaleb(-MULTIPLE_DECIMALS)
    return {
        "waterbody": result.waterbody,
        "class": result.water_class.label,
        "status": result.status.label,
        "item_classes": {k: (c.label if c else None) for k, c in result.item_classes().items()},
        "reference_items": {k: (c.label if c else None) for k, c in result.item_classes(reference=True).items()},
        "main_pollutants": [m.item for m in result.main_pollutants],
        "main_pollutant_labels": [m.label for m in result.main_pollutants],
        "exceedance_multiples": {k: _number(m.quantize(q, rounding=ROUND_HALF_EVEN)) for k, m in result.exceedance_multiples().items()},
        "values": {k: _number(r.value) for k, r in result.items.items()},
        "missing": list(result.missing),
        "rounding": not getattr(args, "no_rounding", False),
    }

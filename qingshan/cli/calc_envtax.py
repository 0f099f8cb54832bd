"""``qingshan calc envtax``: environmental protection tax of one outlet and month.

Reads JSON on stdin, for example::

    {"medium": "air", "rate": 1.2,
     "pollutants": {"二氧化硫": {"emission_kg": 1000, "concentration": 50, "standard": 200,
                                "max_concentration": 120}}}

and prints ``{"tax": "…", "items": [{"pollutant", "equivalents", "taxed",
"reduction", "tax", …}]}``. Amounts are decimal strings with two decimals
(yuan, rounded half-up to the fen per row as in rules.md §1.5);
``reduction`` is the fraction payable (``"1"``, ``"0.75"``, ``"0.50"``).

Other inputs (see docs/envtax.md):

* ``"province"`` (+ ``"date"``, ``"region"``, ``"facility_type"``) instead of
  ``"rate"`` looks the rate up in the packaged provincial table; ``"rates"``
  gives per-pollutant rates;
* ``"medium": "solid"`` with ``item``, ``generated_t``, ``stored_t``,
  ``disposed_t``, ``reused_t``, ``illegal_dumping``;
* ``"medium": "noise"`` with ``day``/``night`` readings, ``boundary_over_100m``,
  ``exceeding_points``, ``two_units``;
* ``--sheet``: a whole month of one taxpayer (``outlets``, ``rates`` or
  ``province``, ``solid_waste``, ``noise``), printed as the itemized sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from qingshan.cli.calc import InputError
from qingshan.standards import envtax

ROUNDING = "equivalents and row tax rounded half-up to 0.01, rows summed (rules.md §1.5)"

OUTLET_KEYS = {"medium", "rate", "rates", "province", "date", "region", "facility_type", "outlet", "pollutants", "item_counts"}
SOLID_KEYS = {"medium", "item", "generated_t", "stored_t", "disposed_t", "reused_t", "illegal_dumping"}
NOISE_KEYS = {"medium", "site", "day", "night", "boundary_over_100m", "exceeding_points", "two_units"}
SHEET_KEYS = {
    "outlets",
    "rates",
    "province",
    "date",
    "region",
    "facility_type",
    "solid_waste",
    "noise",
    "period",
    "taxpayer",
    "item_counts",
}


def add_arguments(parser) -> None:
    parser.add_argument(
        "--sheet",
        action="store_true",
        help="read a whole month of one taxpayer (outlets, solid_waste, noise) and print the itemized sheet",
    )
    parser.add_argument("--province", help="look the rate up for this province (name or division code) if the input has no rate")
    parser.add_argument("--date", help="date the rate must be in force on (YYYY-MM-DD, default today)")


def _check_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InputError(f"unknown field(s) for {what}: {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _rates(medium: str, data: Mapping[str, Any], args) -> envtax.Rates:
    rate, per = data.get("rate"), data.get("rates")
    if per is not None and not isinstance(per, Mapping):
        raise InputError('"rates" must map pollutant names to rates')
    province = data.get("province") or getattr(args, "province", None)
    if rate is None and per is None:
        if not province:
            raise InputError('give "rate" (yuan per equivalent) or "province" to look it up')
        entry = envtax.RateTable.default().lookup(
            province,
            data.get("date") or getattr(args, "date", None),
            region=data.get("region"),
            facility_type=data.get("facility_type"),
        )
        return entry.rates(medium)
    return envtax.make_rates(medium, rate, per, source="input")


def _outlet(data: Mapping[str, Any], args) -> dict[str, Any]:
    _check_keys(data, OUTLET_KEYS, "an outlet")
    medium = data["medium"]
    rates = _rates(medium, data, args)
    counts = data.get("item_counts")
    if counts is not None and (
        not isinstance(counts, Mapping)
        or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in counts.values())
    ):
        raise InputError('"item_counts" must map air / water_class1 / water_other to non-negative integers')
    result = envtax.compute_outlet(
        medium,
        data.get("pollutants"),
        rates,
        outlet=data.get("outlet"),
        item_counts=counts,
    )
    out = result.as_dict()
    out["rate"] = None if rates.default is None else format(rates.default, "f")
    if rates.by_pollutant:
        out["rates"] = {k: format(v, "f") for k, v in rates.by_pollutant.items()}
    out["rate_source"] = rates.source
    out["rounding"] = ROUNDING
    return out


def _solid(data: Mapping[str, Any]) -> dict[str, Any]:
    _check_keys(data, SOLID_KEYS, "solid waste")
    if "item" not in data or "generated_t" not in data:
        raise InputError('solid waste needs "item" and "generated_t"')
    r = envtax.solid_waste_tax(
        data["item"],
        data["generated_t"],
        stored_t=data.get("stored_t", 0),
        disposed_t=data.get("disposed_t", 0),
        reused_t=data.get("reused_t", 0),
        illegal_dumping=bool(data.get("illegal_dumping", False)),
    )
    return {"medium": "solid", "tax": format(r.tax, "f"), "items": [r.as_dict()]}


def _noise(data: Mapping[str, Any]) -> dict[str, Any]:
    _check_keys(data, NOISE_KEYS, "noise")
    r = envtax.noise_tax(
        data.get("day"),
        data.get("night"),
        site=data.get("site"),
        boundary_over_100m=bool(data.get("boundary_over_100m", False)),
        exceeding_points=data.get("exceeding_points", 1),
        two_units=data.get("two_units"),
    )
    return {"medium": "noise", "tax": format(r.tax, "f"), "items": [r.as_dict()]}


def _sheet(data: Mapping[str, Any], args) -> dict[str, Any]:
    _check_keys(data, SHEET_KEYS, "a tax sheet")
    outlets = data.get("outlets", [])
    if not isinstance(outlets, list):
        raise InputError('"outlets" must be a list')
    rates = data.get("rates")
    sheet = envtax.monthly_tax_sheet(
        outlets,
        rates=rates,
        province=None if rates is not None else (data.get("province") or args.province),
        on=data.get("date") or args.date,
        region=data.get("region"),
        facility_type=data.get("facility_type"),
        solid_waste=data.get("solid_waste", []),
        noise=data.get("noise", []),
        period=data.get("period"),
        taxpayer=data.get("taxpayer"),
        item_counts=data.get("item_counts"),
    )
    out = sheet.as_dict()
    out["rounding"] = ROUNDING
    return out


def run(args, data) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise InputError("input must be a JSON object")
    if getattr(args, "sheet", False):
        return _sheet(data, args)
    medium = data.get("medium")
    if medium in envtax.MEDIA:
        return _outlet(data, args)
    if medium == "solid":
        return _solid(data)
    if medium == "noise":
        return _noise(data)
    raise InputError(f'"medium" must be "air", "water", "solid" or "noise", got {medium!r}')

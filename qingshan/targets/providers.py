"""Automatic indicator providers for county assessment score sheets.

A provider is ``provider(county, start, end) -> Value | None``: the county's
value for the period, or ``None`` when the platform holds no data ("no data",
never zero). Providers read other apps through their public functions when
those apps are installed; an absent app or function gives ``None``.

Contract for other apps (docs/targets.md): an app may add a module
``<app>/indicators.py`` with functions ``<indicator key>(county, start, end)``
returning a number or ``None``; it is preferred over the built-in adapters
below. Built-in adapters:

* ``effective_transmission_rate`` (monitoring, %),
* ``good_water_sections`` (water, % of sections at class III or better),
* ``complaint_closure_rate`` (complaints, %),
* ``air_composite_index`` (air, HJ 663 composite index, lower is better),
* ``reduction_completion`` (this app: mean expected completion of the county's
  reduction targets of the year, %, from standards.reduction),
* ``campaign_on_time`` (this app: % of the county's campaign items due in the
  period that were done by their deadline).
"""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Value:
    value: float
    note: str = ""


def _function(dotted: str):
    from django.apps import apps

    module, _sep, name = dotted.rpartition(".")
    if not apps.is_installed(".".join(module.split(".")[:2])):
        return None
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    func = getattr(mod, name, None)
    return func if callable(func) else None


def _from_app(app: str, key: str, candidates: tuple[str, ...], county, start, end) -> Value | None:
    for dotted in (f"qingshan.{app}.indicators.{key}", *candidates):
        func = _function(dotted)
        if func is None:
            continue
        result = func(county, start, end)
        if result is None:
            return None
        if isinstance(result, Value):
            return result
        return Value(float(result), dotted.rsplit(".", 2)[0])
    return None


def effective_transmission_rate(county, start, end):
    return _from_app("monitoring", "effective_transmission_rate",
                     ("qingshan.monitoring.services.county_effective_transmission_rate",), county, start, end)


def good_water_sections(county, start, end):
    return _from_app("water", "good_water_sections", ("qingshan.water.services.good_sections_share",), county, start, end)


def complaint_closure_rate(county, start, end):
    got = _from_app("complaints", "complaint_closure_rate", ("qingshan.complaints.services.closure_rate",), county, start, end)
    if got is not None:
        return got
    compute = _function("qingshan.enforcement.stats.compute")
    if compute is None:
        return None
    for name, row in compute(_system_user(), start, end)["rows"]:
        if name == county.name:
            rate = row.get("handled_rate")  # 办结率: replied or closed ÷ received
            return None if rate is None else Value(float(rate), f"{row['complaints_handled']}/{row['complaints']} handled")
    return None


def _system_user():
    """A reader that reaches every region (for city-wide statistics computed by other apps)."""
    from types import SimpleNamespace

    from qingshan.core.scope import Reach

    return SimpleNamespace(is_authenticated=True, is_superuser=True, _qingshan_reach=Reach(everything=True), pk=None)


def air_composite_index(county, start, end):
    """HJ 663 composite index over whole calendar months: a period ending inside a month stops at the
    end of the month before (an assessment run on 5 December scores January–November)."""
    from qingshan.standards.hj663 import last_whole_month_end

    end = last_whole_month_end(end)
    if end < start:
        return None
    got = _from_app("air", "air_composite_index", (), county, start, end)
    if got is not None:
        return got
    stats = _function("qingshan.air.services.period_statistics")
    if stats is None:
        return None
    value = (stats([county.pk], start, end).get(county.pk) or {}).get("composite_index")
    return None if value is None else Value(float(value), "air.period_statistics")


def reduction_completion(county, start, end):
    from .services import target_outlooks

    outlooks = [o for o in target_outlooks(end.year, region=county, today=end) if o.get("outlook")]
    if not outlooks:
        return None
    rates = [Decimal(o["outlook"].expected.rate) for o in outlooks]
    mean = sum(rates, Decimal(0)) / len(rates) * 100
    return Value(float(round(mean, 1)), f"{len(rates)} target(s), expected completion")


def campaign_on_time(county, start, end):
    from django.db.models import F

    from .models import CampaignItem

    items = CampaignItem.objects.filter(assignee_region__path__startswith=county.path, deadline__gte=start, deadline__lte=end)
    total = items.count()
    if not total:
        return None
    on_time = items.filter(status=CampaignItem.Status.DONE, completed_on__lte=F("deadline")).count()
    return Value(round(on_time / total * 100, 1), f"{on_time}/{total} items on time")


PROVIDERS = {
    "effective_transmission_rate": effective_transmission_rate,
    "good_water_sections": good_water_sections,
    "complaint_closure_rate": complaint_closure_rate,
    "air_composite_index": air_composite_index,
    "reduction_completion": reduction_completion,
    "campaign_on_time": campaign_on_time,
}


def provide(name: str, county, start: datetime.date, end: datetime.date) -> Value | None:
    return PROVIDERS[name](county, start, end)
